#include "widgets/records/recordstab.h"

#include "core/services/connection.h"
#include "models/records/recordssession.h"
#include "widgets/common/emptystatewidget.h"
#include "widgets/records/recordsview.h"

namespace kw {

RecordsTab::RecordsTab(QWidget *parent)
    : QStackedWidget(parent)
{
    setObjectName(QStringLiteral("recordsHost"));
    m_empty = new EmptyStateWidget(this);
    m_empty->setObjectName(QStringLiteral("recordsEmptyState"));
    m_empty->setIcon(QIcon(QStringLiteral(":/icons/keywarden.svg")));
    m_empty->setTitle(tr("No Kafka cluster"));
    m_empty->setText(tr("Connect to a profile with Kafka bootstrap servers to preview the "
                        "records its keys protect."));
    addWidget(m_empty);
}

void RecordsTab::setConnection(const std::shared_ptr<services::Connection> &connection,
                               const std::shared_ptr<audit::AuditLog> &audit)
{
    if (m_view) {
        removeWidget(m_view);
        m_view->deleteLater();
        m_view = nullptr;
    }
    Q_EMIT cacheStatsChanged({});
    if (!connection || !connection->hasKafka()) {
        setCurrentWidget(m_empty);
        return;
    }
    m_view = new records::RecordsView(connection, audit, this);
    m_view->setObjectName(QStringLiteral("recordsView"));
    addWidget(m_view);
    setCurrentWidget(m_view);
    connect(m_view, &records::RecordsView::fetchFinished, this, [this] {
        const auto stats = m_view->session()->cacheStats();
        // One KMS unwrap per DEK version per session: the cache keeps the rest.
        Q_EMIT cacheStatsChanged(
            tr("KMS unwraps: %1 · DEK cache hits: %2").arg(stats.kmsUnwraps).arg(stats.hits));
    });
}

void RecordsTab::setAuditLog(const std::shared_ptr<audit::AuditLog> &audit)
{
    if (m_view)
        m_view->setAuditLog(audit);
}

} // namespace kw
