#pragma once
// The persistent banner above the main tabs while the audit log needs attention: a log that
// does not verify (reveals are refused until an admin acknowledges it, which asks through
// ConfirmationDialog and is itself recorded) or one that is unkeyed. Hidden otherwise.

#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;

namespace kw {

namespace audit {
class AuditLog;
}

class AuditBanner final : public QWidget
{
    Q_OBJECT

public:
    explicit AuditBanner(QWidget *parent = nullptr);

    void setAuditLog(std::shared_ptr<audit::AuditLog> log);
    // Re-reads the log's state.
    void updateState();

Q_SIGNALS:
    // A result to show in the status bar (acknowledged, or why it was not recorded).
    void message(const QString &text);

private:
    void acknowledge();
    void recordAcknowledgement();

    std::shared_ptr<audit::AuditLog> m_audit;
    QLabel *m_text = nullptr;
    QPushButton *m_acknowledge = nullptr;
};

} // namespace kw
