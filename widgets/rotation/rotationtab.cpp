#include "widgets/rotation/rotationtab.h"

#include "core/services/connection.h"
#include "widgets/common/emptystatewidget.h"
#include "widgets/rotation/rotationview.h"

namespace kw::rotation {

RotationTab::RotationTab(QWidget *parent)
    : QStackedWidget(parent)
    , m_stateFolder(RotationView::defaultStateFolder())
    , m_policyPath(RotationView::defaultPolicyPath())
{
    setObjectName(QStringLiteral("rotationHost"));
    m_empty = new EmptyStateWidget(this);
    m_empty->setObjectName(QStringLiteral("rotationEmptyState"));
    m_empty->setIcon(QIcon(QStringLiteral(":/icons/keywarden.svg")));
    m_empty->setTitle(tr("Not connected"));
    m_empty->setText(tr("Connect to a profile to see when each DEK is due for rotation; with "
                        "Kafka in the profile, a census counts how much each has encrypted."));
    addWidget(m_empty);
}

void RotationTab::setStorage(const QString &stateFolder, const QString &policyPath)
{
    m_stateFolder = stateFolder;
    m_policyPath = policyPath;
}

void RotationTab::setConnection(const std::shared_ptr<services::Connection> &connection)
{
    if (m_view) {
        removeWidget(m_view);
        m_view->deleteLater();
        m_view = nullptr;
    }
    Q_EMIT censusChanged(nullptr, {});
    if (!connection) {
        setCurrentWidget(m_empty);
        return;
    }
    QString stateFolder = m_stateFolder;
    if (connection->profile().sandbox) {
        if (!m_demoState)
            m_demoState = std::make_unique<QTemporaryDir>();
        stateFolder = m_demoState->filePath(QStringLiteral("census"));
    }
    m_view = new RotationView(connection, stateFolder, m_policyPath, this);
    addWidget(m_view);
    setCurrentWidget(m_view);
    connect(m_view, &RotationView::dekActivated, this, &RotationTab::dekActivated);
    connect(m_view, &RotationView::censusChanged, this, &RotationTab::censusChanged);
}

} // namespace kw::rotation
