#pragma once
// File › Export compliance report…: the format, the period, the policy and where to save, then
// the report as a job with progress and Cancel. The registry, census, journal and audit log
// are read on a worker; the document is drawn here (Qt Charts), sealed with the installation's
// report key, written whole (0600), audited as "report.generate" and opened when asked.

#include "core/services/job.h"
#include "core/services/reportrun.h"

#include <QDialog>

#include <functional>
#include <memory>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace kw::audit {
class AuditLog;
}
namespace kw::profiles {
class SecretStore;
}

namespace kw::reportui {

class ReportDialog final : public QDialog
{
    Q_OBJECT

public:
    using AuditLogGetter = std::function<std::shared_ptr<audit::AuditLog>()>;

    // `options` carries the policy, census folder and journal in force; `keys` is where the
    // report key lives (the system keychain).
    ReportDialog(services::ReportSources sources, services::ReportOptions options,
                 AuditLogGetter auditLog, std::shared_ptr<profiles::SecretStore> keys,
                 QWidget *parent = nullptr);
    ~ReportDialog() override;

    // Where the report goes; also what Browse… picks. The suffix follows the format.
    void setPath(const QString &path);
    [[nodiscard]] QString path() const;
    // Starts the report (what the Generate button does).
    void generate();
    [[nodiscard]] bool isBusy() const;
    // The outcome shown at the end: "Wrote …" or the error.
    [[nodiscard]] QString outcome() const;
    // Whether the finished report is opened with the desktop's viewer (off in tests).
    void setOpenWhenDone(bool open);

Q_SIGNALS:
    // The report was written (its path), or failed (empty path, `message` says why).
    void finished(const QString &path, const QString &message);

private:
    void browse();
    void loadPolicy();
    void formatChanged();
    void collected(Result<report::ComplianceReport> result);
    void fail(const QString &message);
    void setBusy(bool busy);

    services::ReportSources m_sources;
    services::ReportOptions m_options;
    AuditLogGetter m_auditLog;
    std::shared_ptr<profiles::SecretStore> m_keys;
    JobSlot m_job{this};
    QString m_outcome;
    bool m_busy = false;

    QComboBox *m_format = nullptr;
    QCheckBox *m_wholeHistory = nullptr;
    QDateEdit *m_since = nullptr;
    QDateEdit *m_until = nullptr;
    QLabel *m_policy = nullptr;
    QLineEdit *m_path = nullptr;
    QCheckBox *m_certificates = nullptr;
    QCheckBox *m_open = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_generate = nullptr;
};

} // namespace kw::reportui
