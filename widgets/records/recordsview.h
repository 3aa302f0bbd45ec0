#pragma once
// The Records view: pick a topic, a start position, a partition and a count, fetch, and browse
// the records with their decryption outcome. Decrypted values stay masked until Reveal, which
// writes an audit entry first (on the audit thread, never the GUI's); copies of revealed values
// are marked secret and cleared later. Export records… writes the fetched records to a file,
// masked, or with their decrypted values once the user confirmed and the export was audited.

#include "core/domain/result.h"

#include <QWidget>

#include <memory>

class QAction;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;
class QToolButton;

namespace kw::audit {
class AuditLog;
class AuditThread;
struct AuditEntry;
} // namespace kw::audit
namespace kw::services {
class Connection;
}
namespace kw::kafka {
struct PreviewSummary;
struct TopicInfo;
} // namespace kw::kafka

namespace kw {
class CommandController;
}

namespace kw::records {

class RecordDetailPane;
class RecordsModel;
class RecordsSession;
class SecretClipboard;

class RecordsView final : public QWidget
{
    Q_OBJECT

public:
    // `audit` may be null while the log is still opening: reveals are refused until
    // setAuditLog() hands it over.
    // `connection` must have a Kafka cluster.
    RecordsView(std::shared_ptr<services::Connection> connection,
                std::shared_ptr<audit::AuditLog> audit, QWidget *parent = nullptr);
    ~RecordsView() override;

    // For tests: how long a copied secret stays on the clipboard.
    void setClipboardClearIntervalMs(int ms);
    void setAuditLog(std::shared_ptr<audit::AuditLog> audit);
    [[nodiscard]] RecordsModel *model() const { return m_model; }
    [[nodiscard]] RecordsSession *session() const { return m_session; }
    [[nodiscard]] RecordDetailPane *detailPane() const { return m_detail; }
    [[nodiscard]] bool isFetching() const;
    // Test seam: the next export writes to `path` without showing a file dialog.
    void setNextExportPath(const QString &path);
    // The thread the reveal and export audit entries are written on.
    [[nodiscard]] audit::AuditThread *auditThread() const { return m_auditThread.get(); }
    // The view's commands ("actionFetchRecords", "actionCancelFetch", "actionRevealRecord",
    // "recordsExportAction", "recordsExportPlaintextAction"), enabled from its state and the
    // current record; the buttons and the table's context menu run them.
    [[nodiscard]] CommandController *commands() const { return m_commands; }

public Q_SLOTS:
    void reloadTopics();
    void fetch();
    void cancel();
    // Export records… (masked) and Export records with decrypted values….
    void exportRecords();
    void exportRecordsWithPlaintext();

Q_SIGNALS:
    // After a fetch ends (done, failed or cancelled).
    void fetchFinished();
    // After a reveal was audited and shown.
    void revealed(const QString &topic, int partition, qint64 offset);
    // An audited reveal whose answer came after the user moved on (another record selected or
    // revealed since): nothing was shown.
    void revealDiscarded(const QString &topic, int partition, qint64 offset);
    // After an export ended: the file written, or empty with the reason shown in the view.
    void exportFinished(const QString &path);

private:
    void buildUi();
    void topicsLoaded(const Result<QList<kafka::TopicInfo>> &result);
    void topicDescribed(const Result<kafka::TopicInfo> &result);
    void topicChanged();
    void startKindChanged();
    void currentRecordChanged();
    void reveal();
    void revealAudited(quint64 job, const Result<audit::AuditEntry> &written);
    void chooseExportPath(bool plaintext);
    void exportTo(const QString &path, bool plaintext);
    void writeExport(const QString &path, bool plaintext);
    void createCommands();
    [[nodiscard]] bool canReveal() const;
    void finished(const Result<kafka::PreviewSummary> &result);
    void setBusy(bool busy);
    void updateStatus(bool final, bool cancelled = false);
    void showMessage(const QString &text, bool error);
    void hideMessage();

    std::shared_ptr<audit::AuditLog> m_audit;
    std::unique_ptr<audit::AuditThread> m_auditThread;
    // Bumped by every reveal and selection change: an audit answer for an older job shows
    // nothing (the user has moved on).
    quint64 m_revealJob = 0;
    QString m_nextExportPath;
    RecordsSession *m_session = nullptr;
    RecordsModel *m_model = nullptr;
    SecretClipboard *m_clipboard = nullptr;
    quint64 m_lastKmsUnwraps = 0;
    CommandController *m_commands = nullptr;
    bool m_cancelRequested = false;
    bool m_exporting = false; // a file is being written (on a worker)

    QComboBox *m_topic = nullptr;
    QToolButton *m_reloadTopics = nullptr;
    QComboBox *m_startKind = nullptr;
    QLineEdit *m_startValue = nullptr;
    QDateTimeEdit *m_startTime = nullptr;
    QComboBox *m_partition = nullptr;
    QSpinBox *m_count = nullptr;
    QPushButton *m_fetch = nullptr;
    QPushButton *m_cancel = nullptr;
    QWidget *m_messageBar = nullptr;
    QLabel *m_messageText = nullptr;
    QProgressBar *m_busy = nullptr;
    QTableView *m_table = nullptr;
    RecordDetailPane *m_detail = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace kw::records
