#pragma once
// The Audit tab: the audit log's entries, newest first and a page at a time, with filters (action,
// actor, object, a date range), "N of M entries", a chain verification that walks the log on a
// worker thread with progress and Cancel and points at the first broken entry, and an export of
// the filtered entries as CSV or JSON lines. The GUI's twin of `keywarden-cli audit`.

#include "core/audit/auditexport.h"
#include "core/audit/auditstore.h"
#include "core/services/job.h"

#include <QWidget>

#include <atomic>
#include <memory>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTimer;

namespace kw {

class EmptyStateWidget;

namespace audit {
class AuditLog;
class AuditLogModel;
} // namespace audit

class AuditTab final : public QWidget
{
    Q_OBJECT

public:
    explicit AuditTab(QWidget *parent = nullptr);
    // Stops a running verification (its walk ends at the next progress report) or export.
    ~AuditTab() override;

    // The log to show; null while none is open. Reads the filter choices and the first page.
    void setAuditLog(std::shared_ptr<audit::AuditLog> log);
    [[nodiscard]] const std::shared_ptr<audit::AuditLog> &auditLog() const { return m_audit; }

    // What the filter bar selects.
    [[nodiscard]] audit::AuditFilter filter() const;
    [[nodiscard]] audit::AuditLogModel *model() const { return m_model; }
    [[nodiscard]] QTableView *view() const { return m_view; }
    [[nodiscard]] bool isVerifying() const { return m_verifying != nullptr; }
    [[nodiscard]] bool isExporting() const { return m_export.isBusy(); }

public Q_SLOTS:
    // Reads the filter choices, the count and the first page again.
    void refresh();
    // Applies the filter bar now (the object field otherwise waits for a pause in typing).
    void applyFilter();
    void clearFilter();
    // Walks the whole chain on a worker thread; the verdict shows beside the buttons.
    void verifyChain();
    void cancel();
    // Asks where to write, then exportTo().
    void chooseExportPath();
    // Writes the entries the filter selects, oldest first, to `path` (0600, whole or not at all).
    void exportTo(const QString &path, audit::ExportFormat format);

Q_SIGNALS:
    // A verification finished: the log's problem() may have changed (the banner shows it).
    void verified();
    // An export finished: the number written, or why nothing was.
    void exportFinished(const Result<qint64> &written);

private:
    struct Verification
    {
        std::atomic<qint64> done{0};
        std::atomic<qint64> total{-1};
        std::atomic_bool cancel{false};
    };

    void updateState();
    void updateCount();
    void updateProgress();
    void selectPendingEntry();
    void fillCombo(QComboBox *combo, const QString &any, const Result<QStringList> &values);
    void setResult(const QString &text, bool bad);

    std::shared_ptr<audit::AuditLog> m_audit;
    audit::AuditLogModel *m_model = nullptr;
    QStackedWidget *m_pages = nullptr;
    EmptyStateWidget *m_empty = nullptr;
    QComboBox *m_action = nullptr;
    QComboBox *m_actor = nullptr;
    QLineEdit *m_object = nullptr;
    QCheckBox *m_sinceOn = nullptr;
    QDateEdit *m_since = nullptr;
    QCheckBox *m_untilOn = nullptr;
    QDateEdit *m_until = nullptr;
    QPushButton *m_clear = nullptr;
    QPushButton *m_refresh = nullptr;
    QPushButton *m_verify = nullptr;
    QPushButton *m_exportButton = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_result = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_count = nullptr;
    QTimer *m_objectPause = nullptr;
    QTimer *m_progressPoll = nullptr;
    std::shared_ptr<Verification> m_verifying; // set while a verification runs
    JobSlot m_export{this};
    qint64 m_pendingSelection = 0; // a broken entry to select once its page is loaded
    bool m_filling = false;        // the combos are being refilled: not a user's choice
};

} // namespace kw
