#include "widgets/mainwindow/detailarea.h"

#include "core/services/connection.h"
#include "models/navigator/navigatormodel.h"
#include "widgets/common/emptystatewidget.h"
#include "widgets/details/dekdetailpane.h"
#include "widgets/details/kekdetailpane.h"
#include "widgets/details/schemadetailpane.h"
#include "widgets/mainwindow/navigatorpane.h"

namespace kw {

DetailArea::DetailArea(NavigatorPane *navigator, QWidget *parent)
    : QStackedWidget(parent)
    , m_navigator(navigator)
{
    setObjectName(QStringLiteral("detailStack"));
    m_emptyState = new EmptyStateWidget(this);
    m_emptyState->setObjectName(QStringLiteral("emptyState"));
    m_emptyState->setIcon(QIcon(QStringLiteral(":/icons/keywarden.svg")));
    addWidget(m_emptyState);
    m_kekPane = new KekDetailPane(this);
    m_kekPane->setObjectName(QStringLiteral("kekDetailPane"));
    addWidget(m_kekPane);
    m_dekPane = new DekDetailPane(this);
    m_dekPane->setObjectName(QStringLiteral("dekDetailPane"));
    addWidget(m_dekPane);
    m_schemaPane = new SchemaDetailPane(this);
    m_schemaPane->setObjectName(QStringLiteral("schemaDetailPane"));
    addWidget(m_schemaPane);

    connect(m_navigator, &NavigatorPane::currentChanged, this, &DetailArea::updateForSelection);
    // Links between panes select the target in the navigator when it is loaded there.
    connect(m_kekPane, &KekDetailPane::schemaActivated, this,
            [this](const QString &subject, int version) {
                if (!m_navigator->selectPath(
                        {QStringLiteral("schemas"), subject, QString::number(version)}))
                    m_schemaPane->showSchema(subject, version, m_navigator->showDeleted());
                setCurrentWidget(m_schemaPane);
            });
    connect(m_schemaPane, &SchemaDetailPane::kekActivated, this, [this](const QString &kek) {
        if (!m_navigator->selectPath({QStringLiteral("keys"), kek}))
            m_kekPane->showKek(kek, m_navigator->showDeleted());
        setCurrentWidget(m_kekPane);
    });
}

void DetailArea::revealDek(const QString &kek, const QString &subject, int version,
                           const QString &algorithm)
{
    m_navigator->revealPath({QStringLiteral("keys"), kek, subject,
                             QStringLiteral("%1/%2").arg(version).arg(algorithm)});
}

void DetailArea::setCensus(std::shared_ptr<const census::Tally> tally, const census::Policy &policy)
{
    m_kekPane->setCensus(tally);
    m_dekPane->setCensus(std::move(tally), policy);
}

void DetailArea::setConnection(const services::Connection *connection)
{
    m_connection = connection;
    std::shared_ptr<registry::DekRegistryClient> keys;
    std::shared_ptr<registry::SchemaRegistryClient> schemas;
    if (connection) {
        keys = connection->dekRegistry();
        schemas = connection->schemaRegistry();
    } else {
        // Loads in flight are forgotten before their clients go away.
        m_kekPane->clear();
        m_dekPane->clear();
        m_schemaPane->clear();
    }
    m_kekPane->setClients(keys, schemas);
    if (connection)
        m_kekPane->setKeyStateSource(
            [connection](const registry::Kek &kek) { return connection->kmsKeyState(kek); });
    else
        m_kekPane->setKeyStateSource({});
    m_dekPane->setClients(keys, schemas);
    m_schemaPane->setClients(keys, schemas);
    updateForSelection();
}

void DetailArea::setDemoState(DemoState state, const QString &detail)
{
    m_demoState = state;
    if (!detail.isEmpty() || state == DemoState::None)
        m_demoDetail = detail;
    updateForSelection();
}

void DetailArea::showEmptyState(const QString &title, const QString &text)
{
    m_emptyState->setTitle(title);
    m_emptyState->setText(text);
    setCurrentWidget(m_emptyState);
}

void DetailArea::updateForSelection()
{
    if (!m_connection) {
        showDisconnected();
        return;
    }
    const QModelIndex current = m_navigator->currentSourceIndex();
    const bool deleted = m_navigator->showDeleted();
    const auto kind = NavigatorModel::Kind(current.data(NavigatorModel::KindRole).toInt());
    if (current.isValid()) {
        const QString kek = current.data(NavigatorModel::KekNameRole).toString();
        const QString subject = current.data(NavigatorModel::SubjectRole).toString();
        const int version = current.data(NavigatorModel::VersionRole).toInt();
        switch (kind) {
        case NavigatorModel::Kind::Kek:
            m_kekPane->showKek(kek, deleted);
            setCurrentWidget(m_kekPane);
            return;
        case NavigatorModel::Kind::DekSubject: {
            // The latest version of the algorithm listed last; the REST default (AES256_GCM)
            // until the versions have loaded.
            const QAbstractItemModel *model = current.model();
            const int n = model->rowCount(current);
            const QString algorithm =
                n > 0
                    ? model->index(n - 1, 0, current).data(NavigatorModel::AlgorithmRole).toString()
                    : QString();
            m_dekPane->showDek(kek, subject, -1, algorithm, deleted);
            setCurrentWidget(m_dekPane);
            return;
        }
        case NavigatorModel::Kind::DekVersion:
            m_dekPane->showDek(kek, subject, version,
                               current.data(NavigatorModel::AlgorithmRole).toString(), deleted);
            setCurrentWidget(m_dekPane);
            return;
        case NavigatorModel::Kind::SchemaSubject:
            m_schemaPane->showSchema(subject, -1, deleted);
            setCurrentWidget(m_schemaPane);
            return;
        case NavigatorModel::Kind::SchemaVersion:
            m_schemaPane->showSchema(subject, version, deleted);
            setCurrentWidget(m_schemaPane);
            return;
        case NavigatorModel::Kind::Error:
            showEmptyState(tr("Could not load this part of the tree"),
                           tr("%1\n\nPress F5 to reload, or collapse and expand the parent to "
                              "try again.")
                               .arg(current.data().toString()));
            return;
        case NavigatorModel::Kind::Loading:
        case NavigatorModel::Kind::Section:
            break;
        }
    }
    const bool demo = m_connection->profile().sandbox;
    showEmptyState(demo ? tr("Demo estate running") : tr("Connected"),
                   demo && !m_demoDetail.isEmpty()
                       ? m_demoDetail
                       : tr("Connected to %1. Pick a KEK, a DEK or a schema on the left to see "
                            "its details.")
                             .arg(m_connection->registryUrl()));
}

void DetailArea::showDisconnected()
{
    switch (m_demoState) {
    case DemoState::Starting:
        showEmptyState(
            tr("Starting the demo estate…"),
            tr("Seeding the embedded registry and Kafka cluster with a bank's keys and records. "
               "This takes a few seconds; the window stays usable."));
        return;
    case DemoState::Ready:
        showEmptyState(tr("Demo estate running"), m_demoDetail);
        return;
    case DemoState::Failed:
        showEmptyState(tr("Demo estate unavailable"), m_demoDetail);
        return;
    case DemoState::None:
        break;
    }
    showEmptyState(tr("Not connected"),
                   tr("Keywarden shows the KEKs and DEKs in a Schema Registry's DEK Registry, "
                      "the schemas whose rules use them, and the records they protect. Start it "
                      "with --demo to explore the embedded demo estate."));
}

} // namespace kw
