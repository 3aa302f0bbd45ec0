#pragma once
// The notice above the main window's tabs when the workflow journal holds unfinished runs for
// the open registry: "1 unfinished workflow: Rewrap the DEKs of KEK x — stopped at step 3 of
// 14. [Resume] [Show]". Non-modal; hidden when there is none.

#include "core/workflows/journal.h"

#include <QFrame>

class QLabel;
class QPushButton;

namespace kw {

class UnfinishedRunsBanner final : public QFrame
{
    Q_OBJECT

public:
    explicit UnfinishedRunsBanner(QWidget *parent = nullptr);

    // Newest first (as the journal lists them); empty hides the banner.
    void setRuns(const QList<workflows::RunRecord> &runs);
    [[nodiscard]] const QList<workflows::RunRecord> &runs() const { return m_runs; }
    [[nodiscard]] QString text() const;

Q_SIGNALS:
    // The newest unfinished run.
    void resumeRequested(const kw::workflows::RunRecord &run);
    void showRequested(const kw::workflows::RunRecord &run);

private:
    QList<workflows::RunRecord> m_runs;
    QLabel *m_text = nullptr;
    QPushButton *m_resume = nullptr;
    QPushButton *m_show = nullptr;
};

} // namespace kw
