#include "widgets/mainwindow/connectionstatus.h"

#include "core/services/connection.h"

#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QStatusBar>
#include <QTime>

namespace kw {

ConnectionStatus::ConnectionStatus(QStatusBar *bar, bool demo)
    : QObject(bar)
{
    m_busy = new QProgressBar(bar);
    m_busy->setObjectName(QStringLiteral("statusBusy"));
    m_busy->setRange(0, 0); // indeterminate
    m_busy->setMaximumWidth(120);
    m_busy->setTextVisible(false);
    m_busy->hide();
    m_records = new QLabel(bar);
    m_records->setObjectName(QStringLiteral("statusKmsUnwraps"));
    m_records->setToolTip(tr("Each DEK version is unwrapped by its KMS once per connection"));
    m_connection = new QLabel(bar);
    m_connection->setObjectName(QStringLiteral("statusConnection"));
    m_connection->setText(demo ? tr("Demo: embedded sandbox not available in this build")
                               : tr("Not connected"));
    m_refresh = new QLabel(tr("Never refreshed"), bar);
    m_refresh->setObjectName(QStringLiteral("statusRefresh"));
    bar->addPermanentWidget(m_busy);
    bar->addPermanentWidget(m_records);
    bar->addPermanentWidget(m_connection);
    bar->addPermanentWidget(m_refresh);
}

void ConnectionStatus::setConnection(const services::Connection *connection)
{
    m_connection->setText(connection ? connection->summary() : tr("Not connected"));
    m_connection->setToolTip(connection ? connection->details() : QString());
    m_refresh->setText(connection ? tr("Loading…") : tr("Never refreshed"));
}

void ConnectionStatus::setRefreshed()
{
    m_refresh->setText(
        tr("Refreshed %1").arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
}

void ConnectionStatus::setRecordsFigures(const QString &text)
{
    m_records->setText(text);
}

void ConnectionStatus::showDemoStarting()
{
    m_busy->show();
    m_connection->setText(tr("Demo: starting the embedded sandbox…"));
}

void ConnectionStatus::showDemoReady()
{
    m_busy->hide();
}

void ConnectionStatus::showDemoFailed()
{
    m_busy->hide();
    m_connection->setText(tr("Demo sandbox failed to start"));
}

} // namespace kw
