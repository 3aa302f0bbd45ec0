#pragma once
// The Records tab: a RecordsView for a connection with a Kafka cluster, an explanation for one
// without. A new connection gets a new view.

#include <QStackedWidget>

#include <memory>

namespace kw {

namespace audit {
class AuditLog;
}
namespace services {
class Connection;
}
namespace records {
class RecordsView;
}

class EmptyStateWidget;

class RecordsTab final : public QStackedWidget
{
    Q_OBJECT

public:
    explicit RecordsTab(QWidget *parent = nullptr);

    // Rebuilds the view for `connection` (nullptr, or no Kafka: the explanation).
    void setConnection(const std::shared_ptr<services::Connection> &connection,
                       const std::shared_ptr<audit::AuditLog> &audit);
    void setAuditLog(const std::shared_ptr<audit::AuditLog> &audit);
    // Null without a Kafka cluster.
    [[nodiscard]] records::RecordsView *recordsView() const { return m_view; }

Q_SIGNALS:
    // The session's KMS and cache figures after a fetch ("" when there is no view).
    void cacheStatsChanged(const QString &text);

private:
    EmptyStateWidget *m_empty = nullptr;
    records::RecordsView *m_view = nullptr;
};

} // namespace kw
