#include "widgets/mainwindow/mainwindow.h"

#include "core/audit/auditlog.h"
#include "core/domain/futurewatch.h"
#include "core/net/resttransport.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/services/keychainauditvault.h"
#include "core/services/profilestore.h"
#include "models/navigator/navigatormodel.h"
#include "models/navigator/navigatorsource.h"
#include "models/records/recordssession.h"
#include "widgets/common/emptystatewidget.h"
#include "widgets/common/theme.h"
#include "widgets/details/dekdetailpane.h"
#include "widgets/details/kekdetailpane.h"
#include "widgets/details/schemadetailpane.h"
#include "widgets/dialogs/aboutdialog.h"
#include "widgets/dialogs/confirmationdialog.h"
#include "widgets/mainwindow/navigatorpane.h"
#include "widgets/profiles/profilesdialog.h"
#include "widgets/records/recordsview.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace kw {

namespace {
const QLatin1String kGeometryKey("mainWindow/geometry");
const QLatin1String kStateKey("mainWindow/state");
const QLatin1String kSplitterKey("mainWindow/splitter");

QIcon themedIcon(const char *themeName, const char *resource)
{
    return QIcon::fromTheme(QLatin1String(themeName), QIcon(QLatin1String(resource)));
}
} // namespace

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(options)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(m_options.demo ? tr("Keywarden — demo") : tr("Keywarden"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/keywarden.svg")));

    createActions();
    createMenus();
    createToolBar();
    createCentralWidget();
    createStatusBar();
    restoreWindowState();
    updateDetailForSelection();
}

MainWindow::~MainWindow()
{
    // The panes and the model drop their clients before the transport goes away.
    closeConnection();
}

QSize MainWindow::sizeHint() const
{
    return {1280, 800};
}

void MainWindow::createActions()
{
    m_refreshAction =
        new QAction(themedIcon("view-refresh", ":/icons/refresh.svg"), tr("&Refresh"), this);
    m_refreshAction->setObjectName(QStringLiteral("actionRefresh"));
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setStatusTip(tr("Reload keys and schemas from the connection"));
    connect(m_refreshAction, &QAction::triggered, this, &MainWindow::refresh);

    m_profilesAction =
        new QAction(themedIcon("network-connect", ":/icons/kek.svg"), tr("&Connect…"), this);
    m_profilesAction->setObjectName(QStringLiteral("actionProfiles"));
    m_profilesAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_O));
    m_profilesAction->setStatusTip(tr("Choose, edit or test a connection profile"));
    connect(m_profilesAction, &QAction::triggered, this, &MainWindow::showProfiles);

    m_disconnectAction = new QAction(themedIcon("network-disconnect", ""), tr("&Disconnect"), this);
    m_disconnectAction->setObjectName(QStringLiteral("actionDisconnect"));
    m_disconnectAction->setEnabled(false);
    connect(m_disconnectAction, &QAction::triggered, this, &MainWindow::closeConnection);

    m_showDeletedAction =
        new QAction(QIcon(QStringLiteral(":/icons/show-deleted.svg")), tr("Show &Deleted"), this);
    m_showDeletedAction->setObjectName(QStringLiteral("actionShowDeleted"));
    m_showDeletedAction->setCheckable(true);
    m_showDeletedAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_showDeletedAction->setStatusTip(tr("Also list soft-deleted KEKs, DEKs and schema versions"));

    m_aboutAction =
        new QAction(themedIcon("help-about", ":/icons/info.svg"), tr("&About Keywarden"), this);
    m_aboutAction->setObjectName(QStringLiteral("actionAbout"));
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);

    m_quitAction = new QAction(themedIcon("application-exit", ""), tr("&Quit"), this);
    m_quitAction->setObjectName(QStringLiteral("actionQuit"));
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_themeGroup = new QActionGroup(this);
    m_themeGroup->setExclusive(true);
    const Theme saved = loadThemeSetting();
    for (Theme theme : {Theme::System, Theme::Light, Theme::Dark}) {
        const QString text = theme == Theme::System  ? tr("&System")
                             : theme == Theme::Light ? tr("&Light")
                                                     : tr("&Dark");
        QAction *action = m_themeGroup->addAction(text);
        action->setObjectName(QStringLiteral("actionTheme_") + themeName(theme));
        action->setCheckable(true);
        action->setChecked(theme == saved);
        connect(action, &QAction::triggered, this, [theme] {
            applyTheme(theme);
            saveThemeSetting(theme);
        });
    }
    if (saved != Theme::System)
        applyTheme(saved);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("menuFile"));
    file->addAction(m_profilesAction);
    file->addAction(m_disconnectAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("menuView"));
    view->addAction(m_refreshAction);
    view->addAction(m_showDeletedAction);
    view->addSeparator();
    QMenu *theme = view->addMenu(tr("&Theme"));
    theme->setObjectName(QStringLiteral("menuTheme"));
    theme->addActions(m_themeGroup->actions());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("menuHelp"));
    help->addAction(m_aboutAction);
    QAction *aboutQt = help->addAction(tr("About &Qt"));
    aboutQt->setObjectName(QStringLiteral("actionAboutQt"));
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::createToolBar()
{
    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(m_profilesAction);
    toolBar->addAction(m_refreshAction);
    toolBar->addAction(m_showDeletedAction);
}

void MainWindow::createCentralWidget()
{
    m_navigator = new NavigatorPane(this);
    connect(m_navigator, &NavigatorPane::currentChanged, this,
            &MainWindow::updateDetailForSelection);
    // The action and the pane's checkbox are two views of one switch.
    connect(m_showDeletedAction, &QAction::toggled, m_navigator, &NavigatorPane::setShowDeleted);
    connect(m_navigator, &NavigatorPane::showDeletedToggled, m_showDeletedAction,
            &QAction::setChecked);
    connect(m_navigator->model(), &NavigatorModel::loadingChanged, this, [this](bool loading) {
        if (!loading && isConnected())
            m_refreshLabel->setText(
                tr("Refreshed %1")
                    .arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
    });

    auto *focusFilter = new QAction(this);
    focusFilter->setObjectName(QStringLiteral("actionFocusFilter"));
    focusFilter->setShortcut(QKeySequence::Find);
    connect(focusFilter, &QAction::triggered, this, [this] {
        m_navigator->filterEdit()->setFocus(Qt::ShortcutFocusReason);
        m_navigator->filterEdit()->selectAll();
    });
    addAction(focusFilter);

    m_detail = new QStackedWidget(this);
    m_detail->setObjectName(QStringLiteral("detailStack"));
    m_emptyState = new EmptyStateWidget(m_detail);
    m_emptyState->setObjectName(QStringLiteral("emptyState"));
    m_emptyState->setIcon(QIcon(QStringLiteral(":/icons/keywarden.svg")));
    m_detail->addWidget(m_emptyState);
    m_kekPane = new KekDetailPane(m_detail);
    m_kekPane->setObjectName(QStringLiteral("kekDetailPane"));
    m_detail->addWidget(m_kekPane);
    m_dekPane = new DekDetailPane(m_detail);
    m_dekPane->setObjectName(QStringLiteral("dekDetailPane"));
    m_detail->addWidget(m_dekPane);
    m_schemaPane = new SchemaDetailPane(m_detail);
    m_schemaPane->setObjectName(QStringLiteral("schemaDetailPane"));
    m_detail->addWidget(m_schemaPane);
    // Links between panes select the target in the navigator when it is loaded there.
    connect(m_kekPane, &KekDetailPane::schemaActivated, this,
            [this](const QString &subject, int version) {
                if (!m_navigator->selectPath(
                        {QStringLiteral("schemas"), subject, QString::number(version)}))
                    m_schemaPane->showSchema(subject, version, m_navigator->showDeleted());
                m_detail->setCurrentWidget(m_schemaPane);
            });
    connect(m_schemaPane, &SchemaDetailPane::kekActivated, this, [this](const QString &kek) {
        if (!m_navigator->selectPath({QStringLiteral("keys"), kek}))
            m_kekPane->showKek(kek, m_navigator->showDeleted());
        m_detail->setCurrentWidget(m_kekPane);
    });

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(m_navigator);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({340, 940});
    m_splitter->setChildrenCollapsible(false);

    // Records: a view per connection with Kafka; an explanation otherwise.
    m_recordsHost = new QStackedWidget(this);
    m_recordsHost->setObjectName(QStringLiteral("recordsHost"));
    m_recordsEmpty = new EmptyStateWidget(m_recordsHost);
    m_recordsEmpty->setObjectName(QStringLiteral("recordsEmptyState"));
    m_recordsEmpty->setIcon(QIcon(QStringLiteral(":/icons/keywarden.svg")));
    m_recordsEmpty->setTitle(tr("No Kafka cluster"));
    m_recordsEmpty->setText(tr("Connect to a profile with Kafka bootstrap servers to preview the "
                               "records its keys protect."));
    m_recordsHost->addWidget(m_recordsEmpty);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_splitter, QIcon(QStringLiteral(":/icons/kek.svg")), tr("&Keys && Schemas"));
    m_tabs->addTab(m_recordsHost, QIcon(QStringLiteral(":/icons/dek.svg")), tr("R&ecords"));

    // The audit log's state stays in view until it is dealt with.
    m_auditWarning = new QWidget(this);
    m_auditWarning->setObjectName(QStringLiteral("auditWarning"));
    m_auditWarning->setAutoFillBackground(true);
    auto *warningLayout = new QHBoxLayout(m_auditWarning);
    m_auditWarningText = new QLabel(m_auditWarning);
    m_auditWarningText->setObjectName(QStringLiteral("auditWarningText"));
    m_auditWarningText->setTextFormat(Qt::PlainText); // it quotes paths and error texts
    m_auditWarningText->setWordWrap(true);
    m_auditWarningText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_auditAcknowledge = new QPushButton(tr("&Acknowledge"), m_auditWarning);
    m_auditAcknowledge->setObjectName(QStringLiteral("auditAcknowledgeButton"));
    m_auditAcknowledge->setToolTip(tr("Record in the audit log that you saw this problem, and "
                                      "allow reveals again"));
    connect(m_auditAcknowledge, &QPushButton::clicked, this, &MainWindow::acknowledgeAuditProblem);
    warningLayout->addWidget(m_auditWarningText, 1);
    warningLayout->addWidget(m_auditAcknowledge, 0, Qt::AlignTop);
    m_auditWarning->hide();

    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(m_auditWarning);
    centralLayout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    // Keyboard path: filter, tree, then the detail pane's own widgets.
    setTabOrder(m_navigator->filterEdit(), m_navigator->view());
    setTabOrder(m_navigator->view(), m_detail);
}

void MainWindow::createStatusBar()
{
    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(QStringLiteral("statusConnection"));
    m_connectionLabel->setText(m_options.demo
                                   ? tr("Demo: embedded sandbox not available in this build")
                                   : tr("Not connected"));
    m_refreshLabel = new QLabel(tr("Never refreshed"), this);
    m_refreshLabel->setObjectName(QStringLiteral("statusRefresh"));
    m_busy = new QProgressBar(this);
    m_busy->setObjectName(QStringLiteral("statusBusy"));
    m_busy->setRange(0, 0); // indeterminate
    m_busy->setMaximumWidth(120);
    m_busy->setTextVisible(false);
    m_busy->hide();
    m_recordsLabel = new QLabel(this);
    m_recordsLabel->setObjectName(QStringLiteral("statusKmsUnwraps"));
    m_recordsLabel->setToolTip(tr("Each DEK version is unwrapped by its KMS once per session"));
    statusBar()->addPermanentWidget(m_busy);
    statusBar()->addPermanentWidget(m_recordsLabel);
    statusBar()->addPermanentWidget(m_connectionLabel);
    statusBar()->addPermanentWidget(m_refreshLabel);
}

void MainWindow::openConnection(const profiles::ConnectionProfile &profile)
{
    closeConnection();
    m_profile = profile;
    m_transport = std::make_unique<registry::RestTransport>(profile.registry);
    m_dekClient = std::make_shared<registry::DekRegistryClient>(m_transport.get());
    m_schemaClient = std::make_shared<registry::SchemaRegistryClient>(m_transport.get());
    m_kekPane->setClients(m_dekClient, m_schemaClient);
    m_dekPane->setClients(m_dekClient, m_schemaClient);
    m_schemaPane->setClients(m_dekClient, m_schemaClient);
    m_navigator->setSource(std::make_shared<RegistryNavigatorSource>(m_dekClient, m_schemaClient));
    rebuildRecordsView();
    m_disconnectAction->setEnabled(true);
    m_refreshLabel->setText(tr("Loading…"));
    updateConnectionStatus();
    updateDetailForSelection();
    Q_EMIT connectionChanged();
}

void MainWindow::closeConnection()
{
    if (!m_transport)
        return;
    // Drop every consumer first: the model forgets its jobs, the panes their loads, so the
    // "cancelled" answers the transport gives on destruction land nowhere.
    m_navigator->setSource(nullptr);
    m_kekPane->clear();
    m_dekPane->clear();
    m_schemaPane->clear();
    m_kekPane->setClients(nullptr, nullptr);
    m_dekPane->setClients(nullptr, nullptr);
    m_schemaPane->setClients(nullptr, nullptr);
    m_dekClient.reset();
    m_schemaClient.reset();
    m_transport.reset();
    m_profile = {};
    rebuildRecordsView();
    if (m_disconnectAction)
        m_disconnectAction->setEnabled(false);
    if (m_connectionLabel) {
        updateConnectionStatus();
        m_refreshLabel->setText(tr("Never refreshed"));
    }
    Q_EMIT connectionChanged();
}

void MainWindow::setProfileStore(std::shared_ptr<profiles::ProfileStore> store)
{
    m_profileStore = std::move(store);
}

void MainWindow::setAuditLog(std::shared_ptr<audit::AuditLog> log)
{
    m_audit = std::move(log);
    m_auditTried = true;
    updateAuditWarning();
    if (m_records)
        m_records->setAuditLog(m_audit);
}

void MainWindow::openAuditLog()
{
    if (m_auditTried)
        return;
    m_auditTried = true;
    // Reading the key and head from the keychain is asynchronous; reveals wait for the log.
    whenFinished(audit::AuditLog::open({}, profiles::SecretStoreAuditVault::systemKeychain()), this,
                 [this](const Result<std::shared_ptr<audit::AuditLog>> &opened) {
                     if (!opened) {
                         statusBar()->showMessage(tr("The audit log could not be opened, so "
                                                     "values cannot be revealed: %1")
                                                      .arg(opened.error().message));
                         return;
                     }
                     if (!m_audit) // unless one was handed over meanwhile
                         setAuditLog(*opened);
                 });
}

void MainWindow::updateAuditWarning()
{
    if (!m_auditWarning)
        return;
    if (!m_audit) {
        m_auditWarning->hide();
        return;
    }
    if (const auto &problem = m_audit->problem()) {
        m_auditWarningText->setText(
            tr("The audit log does not verify, so values cannot be revealed (%1). %2 "
               "Acknowledging records this in the log and starts a new segment linked to the "
               "old one.")
                .arg(m_audit->keyingDescription(), problem->message));
        m_auditWarning->setProperty("severity", QStringLiteral("error"));
        m_auditWarning->setStyleSheet(QStringLiteral("background: #fde7e9; color: #8a0015;"));
        m_auditAcknowledge->show();
        m_auditAcknowledge->setEnabled(true);
        m_auditWarning->show();
    } else if (!m_audit->isKeyed()) {
        m_auditWarningText->setText(
            tr("The audit log is %1. Reveals are recorded, but edits to the file cannot be "
               "told from genuine entries.")
                .arg(m_audit->keyingDescription()));
        m_auditWarning->setProperty("severity", QStringLiteral("warning"));
        m_auditWarning->setStyleSheet(QStringLiteral("background: #fff4ce; color: #5c4300;"));
        m_auditAcknowledge->hide();
        m_auditWarning->show();
    } else {
        m_auditWarning->hide();
    }
}

void MainWindow::acknowledgeAuditProblem()
{
    if (!m_audit || !m_audit->problem())
        return;
    // Accepting a log that failed verification is the admin's decision on evidence: asked for
    // explicitly, with what it means, and recorded.
    ConfirmationRequest request;
    request.title = tr("Acknowledge the audit log problem");
    request.question = tr("The audit log does not verify: %1").arg(m_audit->problem()->message);
    request.verb = tr("Acknowledge");
    request.affectedHeading = tr("Acknowledging:");
    request.affected = {
        tr("records, under your account, that you saw this problem"),
        tr("starts a new segment of the log, linked to the old one, and allows reveals again"),
        tr("does not repair or hide the entries that failed: keep %1 as evidence")
            .arg(m_audit->path())};
    ConfirmationDialog::ask(this, request, this, [this](bool confirmed) {
        if (confirmed)
            recordAcknowledgement();
    });
}

void MainWindow::recordAcknowledgement()
{
    if (!m_audit)
        return;
    m_auditAcknowledge->setEnabled(false);
    whenFinished(m_audit->acknowledge(), this,
                 [this](const Result<audit::AuditEntry> &acknowledged) {
                     if (!acknowledged) {
                         m_auditAcknowledge->setEnabled(true);
                         statusBar()->showMessage(tr("The acknowledgement was not recorded: %1")
                                                      .arg(acknowledged.error().message));
                         return;
                     }
                     statusBar()->showMessage(
                         tr("Acknowledged in the audit log as entry #%1; reveals work again.")
                             .arg(acknowledged->id));
                     updateAuditWarning();
                 });
}

void MainWindow::showProfiles()
{
    if (!m_profileStore)
        m_profileStore = std::make_shared<profiles::ProfileStore>(
            std::make_shared<profiles::KeychainSecretStore>());
    auto *dialog = new ProfilesDialog(m_profileStore, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!m_profile.sandbox && !m_profile.name.isEmpty())
        dialog->selectProfile(m_profile.name);
    connect(dialog, &ProfilesDialog::connectRequested, this,
            [this](const profiles::ConnectionProfile &profile) { openConnection(profile); });
    dialog->open();
}

void MainWindow::rebuildRecordsView()
{
    if (!m_recordsHost)
        return;
    if (m_records) {
        m_recordsHost->removeWidget(m_records);
        m_records->deleteLater();
        m_records = nullptr;
    }
    if (m_recordsLabel)
        m_recordsLabel->clear();
    if (!isConnected() || m_profile.bootstrapServers.trimmed().isEmpty()) {
        m_recordsHost->setCurrentWidget(m_recordsEmpty);
        return;
    }
    openAuditLog();
    m_records = new records::RecordsView(m_profile, m_audit, m_recordsHost);
    m_records->setObjectName(QStringLiteral("recordsView"));
    m_recordsHost->addWidget(m_records);
    m_recordsHost->setCurrentWidget(m_records);
    connect(m_records, &records::RecordsView::fetchFinished, this,
            &MainWindow::updateRecordsStatus);
}

void MainWindow::updateRecordsStatus()
{
    if (!m_records || !m_recordsLabel)
        return;
    const auto stats = m_records->session()->cacheStats();
    // One KMS unwrap per DEK version per session: the cache keeps the rest.
    m_recordsLabel->setText(
        tr("KMS unwraps: %1 · DEK cache hits: %2").arg(stats.kmsUnwraps).arg(stats.hits));
}

void MainWindow::updateConnectionStatus()
{
    if (!isConnected()) {
        m_connectionLabel->setText(tr("Not connected"));
        m_connectionLabel->setToolTip({});
        return;
    }
    const QString url = m_profile.registry.baseUrl.toString(QUrl::RemoveUserInfo);
    m_connectionLabel->setText(tr("%1 · %2 · %3")
                                   .arg(m_profile.name.isEmpty() ? tr("Unnamed") : m_profile.name,
                                        url, m_profile.registry.securitySummary()));
    m_connectionLabel->setToolTip(
        m_profile.bootstrapServers.isEmpty()
            ? tr("Schema Registry %1; no Kafka cluster in this profile").arg(url)
            : tr("Schema Registry %1; Kafka %2").arg(url, m_profile.bootstrapServers));
}

void MainWindow::showDemoStarting()
{
    m_demoState = DemoState::Starting;
    m_busy->show();
    m_connectionLabel->setText(tr("Demo: starting the embedded sandbox…"));
    updateDetailForSelection();
}

void MainWindow::openDemo(const profiles::ConnectionProfile &profile, const QString &detail)
{
    m_demoState = DemoState::Ready;
    m_busy->hide();
    m_demoDetail = detail;
    openConnection(profile);
}

void MainWindow::showDemoFailed(const QString &message)
{
    m_demoState = DemoState::Failed;
    m_busy->hide();
    m_connectionLabel->setText(tr("Demo sandbox failed to start"));
    m_demoDetail = tr("The embedded sandbox could not start: %1").arg(message);
    updateDetailForSelection();
}

void MainWindow::showEmptyState(const QString &title, const QString &text)
{
    m_emptyState->setTitle(title);
    m_emptyState->setText(text);
    m_detail->setCurrentWidget(m_emptyState);
}

void MainWindow::updateDetailForSelection()
{
    const QModelIndex current = m_navigator->currentSourceIndex();
    const bool deleted = m_navigator->showDeleted();
    const auto kind = NavigatorModel::Kind(current.data(NavigatorModel::KindRole).toInt());
    if (isConnected() && current.isValid()) {
        const QString kek = current.data(NavigatorModel::KekNameRole).toString();
        const QString subject = current.data(NavigatorModel::SubjectRole).toString();
        const int version = current.data(NavigatorModel::VersionRole).toInt();
        switch (kind) {
        case NavigatorModel::Kind::Kek:
            m_kekPane->showKek(kek, deleted);
            m_detail->setCurrentWidget(m_kekPane);
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
            m_detail->setCurrentWidget(m_dekPane);
            return;
        }
        case NavigatorModel::Kind::DekVersion:
            m_dekPane->showDek(kek, subject, version,
                               current.data(NavigatorModel::AlgorithmRole).toString(), deleted);
            m_detail->setCurrentWidget(m_dekPane);
            return;
        case NavigatorModel::Kind::SchemaSubject:
            m_schemaPane->showSchema(subject, -1, deleted);
            m_detail->setCurrentWidget(m_schemaPane);
            return;
        case NavigatorModel::Kind::SchemaVersion:
            m_schemaPane->showSchema(subject, version, deleted);
            m_detail->setCurrentWidget(m_schemaPane);
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
    if (isConnected()) {
        showEmptyState(m_profile.sandbox ? tr("Demo estate running") : tr("Connected"),
                       m_profile.sandbox && !m_demoDetail.isEmpty()
                           ? m_demoDetail
                           : tr("Connected to %1. Pick a KEK, a DEK or a schema on the left to "
                                "see its details.")
                                 .arg(m_profile.registry.baseUrl.toString(QUrl::RemoveUserInfo)));
        return;
    }
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

void MainWindow::refresh()
{
    if (!isConnected()) {
        statusBar()->showMessage(tr("Nothing to refresh: no connection is open"), 5000);
        return;
    }
    m_navigator->refresh();
    updateDetailForSelection();
}

void MainWindow::showAbout()
{
    auto *dialog = new AboutDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveWindowState();
    QMainWindow::closeEvent(event);
}

void MainWindow::restoreWindowState()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(sizeHint());
    restoreState(settings.value(kStateKey).toByteArray());
    m_splitter->restoreState(settings.value(kSplitterKey).toByteArray());
}

void MainWindow::saveWindowState() const
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kSplitterKey, m_splitter->saveState());
}

} // namespace kw
