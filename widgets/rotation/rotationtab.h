#pragma once
// The Rotation tab: the Rotation view of the open connection, or why there is none.

#include "core/census/schedule.h"

#include <QStackedWidget>
#include <QTemporaryDir>

#include <memory>

namespace kw {
class EmptyStateWidget;
namespace services {
class Connection;
}
} // namespace kw

namespace kw::rotation {

class RotationView;

class RotationTab final : public QStackedWidget
{
    Q_OBJECT

public:
    explicit RotationTab(QWidget *parent = nullptr);

    // Rebuilds the view for `connection` (nullptr: the explanation). Tests set the folders
    // first; by default the census folder and policy file the CLI uses too.
    void setConnection(const std::shared_ptr<services::Connection> &connection);
    void setStorage(const QString &stateFolder, const QString &policyPath);
    [[nodiscard]] RotationView *view() const { return m_view; }

Q_SIGNALS:
    void dekActivated(const QString &kek, const QString &subject, int version,
                      const QString &algorithm);
    void censusChanged(std::shared_ptr<const census::Tally> tally, const census::Policy &policy);

private:
    EmptyStateWidget *m_empty = nullptr;
    RotationView *m_view = nullptr;
    QString m_stateFolder;
    // The embedded sandbox's census lives and dies with the process: its cluster is new on
    // every start and must never mix with real censuses in the data folder.
    std::unique_ptr<QTemporaryDir> m_demoState;
    QString m_policyPath;
};

} // namespace kw::rotation
