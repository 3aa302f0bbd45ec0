#include "widgets/mainwindow/mainwindow.h"

#include "core/audit/auditlog.h"
#include "core/domain/futurewatch.h"
#include "core/domain/version.h"
#include "core/services/connection.h"
#include "core/services/keychainauditvault.h"
#include "core/services/profilestore.h"
#include "core/services/reportrun.h"
#include "core/services/secretstore.h"
#include "models/navigator/navigatormodel.h"
#include "models/navigator/navigatorsource.h"
#include "widgets/audit/audittab.h"
#include "widgets/commands/command.h"
#include "widgets/commands/navigatorcommands.h"
#include "widgets/common/theme.h"
#include "widgets/dialogs/aboutdialog.h"
#include "widgets/mainwindow/auditbanner.h"
#include "widgets/mainwindow/connectionstatus.h"
#include "widgets/mainwindow/detailarea.h"
#include "widgets/mainwindow/kekkeyflags.h"
#include "widgets/mainwindow/navigatorpane.h"
#include "widgets/profiles/profilesdialog.h"
#include "widgets/records/recordstab.h"
#include "widgets/report/reportdialog.h"
#include "widgets/rotation/rotationtab.h"
#include "widgets/rotation/rotationview.h"
#include "widgets/workflows/unfinishedrunsbanner.h"
#include "widgets/workflows/workflowcommands.h"
#include "widgets/workflows/workflowdialog.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSplitter>
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
} // namespace

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(options)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(m_options.demo ? tr("Keywarden — demo") : tr("Keywarden"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/keywarden.svg")));

    m_navigator = new NavigatorPane(this);
    m_kekKeyFlags = new KekKeyFlags(m_navigator->model(), this);
    m_commands = new CommandController(
        [this] {
            return CommandContext{m_connection.get(),
                                  m_connection ? m_navigator->currentSourceIndex() : QModelIndex()};
        },
        this);
    createCommands();
    createMenus();
    createToolBar();
    createCentralWidget();
    m_status = new ConnectionStatus(statusBar(), m_options.demo);
    restoreWindowState();
    m_detail->updateForSelection();
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

void MainWindow::createCommands()
{
    auto connected = [](const CommandContext &c) {
        return c.connection != nullptr;
    };

    QAction *refresh = makeAction(themedIcon("view-refresh", ":/icons/refresh.svg"), tr("&Refresh"),
                                  "actionRefresh", this);
    refresh->setShortcut(QKeySequence::Refresh);
    refresh->setStatusTip(tr("Reload keys and schemas from the connection"));
    // Always enabled: refreshing while disconnected says why nothing happens.
    m_commands->add(refresh, {}, [this](const CommandContext &) { this->refresh(); });

    QAction *profiles = makeAction(themedIcon("network-connect", ":/icons/kek.svg"),
                                   tr("&Connect…"), "actionProfiles", this);
    profiles->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_O));
    profiles->setStatusTip(tr("Choose, edit or test a connection profile"));
    m_commands->add(profiles, {}, [this](const CommandContext &) { showProfiles(); });

    QAction *disconnect = makeAction(themedIcon("network-disconnect", nullptr), tr("&Disconnect"),
                                     "actionDisconnect", this);
    disconnect->setStatusTip(tr("Close the connection"));
    m_commands->add(disconnect, connected, [this](const CommandContext &) { closeConnection(); });

    QAction *report = makeAction(themedIcon("document-export", nullptr),
                                 tr("&Export compliance report…"), "actionExportReport", this);
    report->setStatusTip(tr("A signed report of the keys, their rotation and usage, workflows "
                            "and audited actions, for auditors (PDF, HTML, CSV or JSON)"));
    m_commands->add(report, connected, [this](const CommandContext &) { exportReport(); });

    addNavigatorCommands(*m_commands, m_navigator,
                         [this](const QString &text) { statusBar()->showMessage(text, 3000); });
    addWorkflowCommands(
        *m_commands, this,
        [this] {
            // The KEKs the navigator has loaded: the switch form offers them.
            QStringList names;
            const NavigatorModel *model = m_navigator->model();
            const QModelIndex keys = model->sectionIndex(NavigatorModel::Section::Keys);
            for (int r = 0; r < model->rowCount(keys); ++r) {
                const QModelIndex kek = model->index(r, 0, keys);
                if (NavigatorModel::Kind(kek.data(NavigatorModel::KindRole).toInt()) ==
                    NavigatorModel::Kind::Kek)
                    names << kek.data(NavigatorModel::KekNameRole).toString();
            }
            return names;
        },
        [this](const workflows::Request &request) { openWorkflow(request); });

    QAction *about = makeAction(themedIcon("help-about", ":/icons/info.svg"),
                                tr("&About Keywarden"), "actionAbout", this);
    about->setMenuRole(QAction::AboutRole);
    m_commands->add(about, {}, [this](const CommandContext &) { showAbout(); });

    QAction *quit =
        makeAction(themedIcon("application-exit", nullptr), tr("&Quit"), "actionQuit", this);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    m_commands->add(quit, {}, [this](const CommandContext &) { close(); });

    m_themeGroup = createThemeActions(this);
}

void MainWindow::createMenus()
{
    auto action = [this](const char *name) {
        return m_commands->command(QLatin1String(name))->action();
    };
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("menuFile"));
    file->addAction(action("actionProfiles"));
    file->addAction(action("actionDisconnect"));
    file->addSeparator();
    file->addAction(action("actionExportReport"));
    file->addSeparator();
    file->addAction(action("actionQuit"));

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->setObjectName(QStringLiteral("menuEdit"));
    edit->addAction(action("actionCopyName"));
    edit->addAction(action("actionGoToKek"));
    edit->addSeparator();
    for (const char *name : WorkflowActionNames)
        edit->addAction(action(name));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("menuView"));
    view->addAction(action("actionRefresh"));
    view->addAction(action("actionShowDeleted"));
    view->addSeparator();
    QMenu *theme = view->addMenu(tr("&Theme"));
    theme->setObjectName(QStringLiteral("menuTheme"));
    theme->addActions(m_themeGroup->actions());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("menuHelp"));
    help->addAction(action("actionAbout"));
    QAction *aboutQt = help->addAction(tr("About &Qt"));
    aboutQt->setObjectName(QStringLiteral("actionAboutQt"));
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);

    // The navigator's context menu: what fits the node under the cursor, then the view.
    m_navigatorMenu = new QMenu(this);
    m_navigatorMenu->setObjectName(QStringLiteral("navigatorContextMenu"));
    m_navigatorMenu->addAction(action("actionCopyName"));
    m_navigatorMenu->addAction(action("actionGoToKek"));
    m_navigatorMenu->addSeparator();
    for (const char *name : WorkflowActionNames)
        m_navigatorMenu->addAction(action(name));
    m_navigatorMenu->addSeparator();
    m_navigatorMenu->addAction(action("actionRefresh"));
    m_navigatorMenu->addAction(action("actionShowDeleted"));
    attachContextMenu(*m_commands, m_navigator->view(), m_navigatorMenu);
}

void MainWindow::createToolBar()
{
    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    for (const char *name : {"actionProfiles", "actionRefresh", "actionShowDeleted"})
        toolBar->addAction(m_commands->command(QLatin1String(name))->action());
    toolBar->addSeparator();
    for (const char *name : WorkflowActionNames)
        toolBar->addAction(m_commands->command(QLatin1String(name))->action());
}

void MainWindow::createCentralWidget()
{
    connect(m_navigator, &NavigatorPane::currentChanged, m_commands,
            &CommandController::updateEnabled);
    connect(m_navigator->model(), &NavigatorModel::loadingChanged, this, [this](bool loading) {
        if (!loading && isConnected())
            m_status->setRefreshed();
    });
    auto *focusFilter = new QAction(this);
    focusFilter->setObjectName(QStringLiteral("actionFocusFilter"));
    focusFilter->setShortcut(QKeySequence::Find);
    connect(focusFilter, &QAction::triggered, this, [this] {
        m_navigator->filterEdit()->setFocus(Qt::ShortcutFocusReason);
        m_navigator->filterEdit()->selectAll();
    });
    addAction(focusFilter);

    m_detail = new DetailArea(m_navigator, this);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(m_navigator);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({340, 940});
    m_splitter->setChildrenCollapsible(false);

    m_recordsTab = new RecordsTab(this);
    connect(m_recordsTab, &RecordsTab::cacheStatsChanged, this,
            [this](const QString &text) { m_status->setRecordsFigures(text); });

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_splitter, QIcon(QStringLiteral(":/icons/kek.svg")), tr("&Keys && Schemas"));
    m_tabs->addTab(m_recordsTab, QIcon(QStringLiteral(":/icons/dek.svg")), tr("R&ecords"));
    m_tabs->addTab(m_rotationTab = new rotation::RotationTab(this),
                   QIcon(QStringLiteral(":/icons/kek.svg")), tr("R&otation"));
    connect(m_rotationTab, &rotation::RotationTab::censusChanged, m_detail, &DetailArea::setCensus);
    connect(m_rotationTab, &rotation::RotationTab::dekActivated, m_detail, &DetailArea::revealDek);
    connect(m_rotationTab, &rotation::RotationTab::dekActivated, this,
            [this] { m_tabs->setCurrentIndex(0); });
    m_tabs->addTab(m_auditTab = new AuditTab(this), QIcon(QStringLiteral(":/icons/info.svg")),
                   tr("&Audit"));
    // Looking at the log opens it if nothing did yet, and shows what was added since.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_tabs->widget(index) != m_auditTab)
            return;
        openAuditLog();
        m_auditTab->refresh();
    });

    // The audit log's state stays in view until it is dealt with.
    m_auditBanner = new AuditBanner(this);
    connect(m_auditBanner, &AuditBanner::message, this, [this](const QString &text) {
        statusBar()->showMessage(text);
        m_auditTab->refresh(); // an acknowledgement is an entry too
    });
    connect(m_auditTab, &AuditTab::verified, m_auditBanner, &AuditBanner::updateState);

    m_runsBanner = new UnfinishedRunsBanner(this);
    connect(m_runsBanner, &UnfinishedRunsBanner::resumeRequested, this,
            [this](const workflows::RunRecord &run) { openUnfinishedRun(run, true); });
    connect(m_runsBanner, &UnfinishedRunsBanner::showRequested, this,
            [this](const workflows::RunRecord &run) { openUnfinishedRun(run, false); });

    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(m_auditBanner);
    centralLayout->addWidget(m_runsBanner);
    centralLayout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    // Keyboard path: filter, tree, then the detail pane's own widgets.
    setTabOrder(m_navigator->filterEdit(), m_navigator->view());
    setTabOrder(m_navigator->view(), m_detail);
}

const profiles::ConnectionProfile &MainWindow::currentProfile() const
{
    static const profiles::ConnectionProfile none;
    return m_connection ? m_connection->profile() : none;
}

records::RecordsView *MainWindow::recordsView() const
{
    return m_recordsTab->recordsView();
}

std::shared_ptr<registry::DekRegistryClient> MainWindow::dekRegistryClient() const
{
    return m_connection ? m_connection->dekRegistry() : nullptr;
}

std::shared_ptr<registry::SchemaRegistryClient> MainWindow::schemaRegistryClient() const
{
    return m_connection ? m_connection->schemaRegistry() : nullptr;
}

void MainWindow::openConnection(const profiles::ConnectionProfile &profile)
{
    closeConnection();
    m_connection = std::make_shared<services::Connection>(profile);
    m_kekKeyFlags->setConnection(m_connection);
    m_navigator->setSource(std::make_shared<RegistryNavigatorSource>(
        m_connection->dekRegistry(), m_connection->schemaRegistry()));
    m_detail->setConnection(m_connection.get());
    rebuildRecordsView();
    m_rotationTab->setConnection(m_connection);
    m_status->setConnection(m_connection.get());
    m_commands->updateEnabled();
    checkUnfinishedRuns();
    Q_EMIT connectionChanged();
}

void MainWindow::closeConnection()
{
    if (!m_connection)
        return;
    // Drop every consumer first: the model forgets its jobs, the panes their loads, so the
    // "cancelled" answers the transport gives on destruction land nowhere.
    m_kekKeyFlags->setConnection(nullptr);
    m_navigator->setSource(nullptr);
    m_detail->setConnection(nullptr);
    m_connection.reset();
    rebuildRecordsView(); // the view held the connection too: it closes now
    m_rotationTab->setConnection(nullptr);
    m_status->setConnection(nullptr);
    m_runsCheck.reset();
    m_runsBanner->setRuns({});
    m_commands->updateEnabled();
    Q_EMIT connectionChanged();
}

void MainWindow::setProfileStore(std::shared_ptr<profiles::ProfileStore> store)
{
    m_profileStore = std::move(store);
}

void MainWindow::setReportKeyStore(std::shared_ptr<profiles::SecretStore> store)
{
    m_reportKeys = std::move(store);
}

reportui::ReportDialog *MainWindow::exportReport()
{
    if (!m_connection) {
        statusBar()->showMessage(tr("Connect to a registry first"), 5000);
        return nullptr;
    }
    // Writing a report is audited: the log opens now if it has not yet.
    openAuditLog();
    const services::WorkflowOptions workflow = workflowOptions();
    services::ReportOptions options;
    options.policy = workflow.policy;
    options.censusFolder = workflow.censusDirectory();
    options.journalPath = workflow.journalFile();
    options.keywardenVersion = applicationVersion();
    if (!m_reportKeys)
        m_reportKeys = std::make_shared<profiles::KeychainSecretStore>();
    auto *dialog = new reportui::ReportDialog(
        services::ReportSources::of(*m_connection), options, [this] { return m_audit; },
        m_reportKeys, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // The report's entry is in the log now.
    connect(dialog, &reportui::ReportDialog::finished, m_auditTab, &AuditTab::refresh);
    dialog->open();
    return dialog;
}

void MainWindow::setAuditLog(std::shared_ptr<audit::AuditLog> log)
{
    m_audit = std::move(log);
    m_auditTried = true;
    m_auditBanner->setAuditLog(m_audit);
    m_recordsTab->setAuditLog(m_audit);
    m_auditTab->setAuditLog(m_audit);
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

void MainWindow::setWorkflowOptions(const services::WorkflowOptions &options)
{
    m_workflowOptions = options;
    m_workflowOptionsSet = true;
    if (m_connection)
        checkUnfinishedRuns();
}

services::WorkflowOptions MainWindow::workflowOptions() const
{
    services::WorkflowOptions options = m_workflowOptions;
    // The Rotation view's policy (the grace period) and censuses (the topics in the blast
    // radius) apply unless a test set its own.
    if (const rotation::RotationView *view = m_rotationTab->view(); view && !m_workflowOptionsSet) {
        options.policy = view->policy();
        options.censusFolder = view->stateFolder();
    } else if (view && options.censusFolder.isEmpty()) {
        options.censusFolder = view->stateFolder();
    }
    return options;
}

WorkflowDialog *MainWindow::newWorkflowDialog()
{
    if (!m_connection)
        return nullptr;
    // Every step is audited: the log opens now if it has not yet (asynchronously; the run asks
    // for it only when it starts).
    openAuditLog();
    auto *dialog = new WorkflowDialog(
        services::WorkflowSources::of(*m_connection), workflowOptions(), [this] { return m_audit; },
        this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // The registry changed (or may have): the navigator and the detail pane read it again,
    // and the banner forgets a run that is now finished.
    connect(dialog, &WorkflowDialog::runFinished, this, [this] {
        refresh();
        checkUnfinishedRuns();
    });
    return dialog;
}

WorkflowDialog *MainWindow::openWorkflow(const workflows::Request &request)
{
    WorkflowDialog *dialog = newWorkflowDialog();
    if (!dialog) {
        statusBar()->showMessage(tr("Connect to a registry first"), 5000);
        return nullptr;
    }
    dialog->plan(request);
    dialog->open();
    return dialog;
}

WorkflowDialog *MainWindow::openUnfinishedRun(const workflows::RunRecord &run, bool resume)
{
    WorkflowDialog *dialog = newWorkflowDialog();
    if (!dialog)
        return nullptr;
    if (resume)
        dialog->resume(run);
    else
        dialog->showRun(run);
    dialog->open();
    return dialog;
}

void MainWindow::checkUnfinishedRuns()
{
    if (!m_connection)
        return;
    const services::WorkflowOptions options = workflowOptions();
    const QString registryUrl = m_connection->registryUrl();
    // The journal is SQLite on disk: read on a worker, never on the GUI thread.
    auto *job = new ValueJob<QList<workflows::RunRecord>>(
        tr("Look for unfinished workflows"),
        [options, registryUrl](JobContext &) -> Result<QList<workflows::RunRecord>> {
            return services::unfinishedRuns(options, registryUrl);
        });
    connect(job, &Job::finished, this, [this, job] {
        if (job->result() && *job->result())
            m_runsBanner->setRuns(job->result()->value());
        else if (!job->error().isEmpty() && job->error().code != workflows::ErrorCancelled)
            statusBar()->showMessage(
                tr("The workflow journal could not be read: %1").arg(job->error().message));
    });
    m_runsCheck.start(job);
}

void MainWindow::showProfiles()
{
    if (!m_profileStore)
        m_profileStore = std::make_shared<profiles::ProfileStore>(
            std::make_shared<profiles::KeychainSecretStore>());
    auto *dialog = new ProfilesDialog(m_profileStore, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_connection && !m_connection->profile().sandbox && !m_connection->profile().name.isEmpty())
        dialog->selectProfile(m_connection->profile().name);
    connect(dialog, &ProfilesDialog::connectRequested, this,
            [this](const profiles::ConnectionProfile &profile) { openConnection(profile); });
    dialog->open();
}

void MainWindow::rebuildRecordsView()
{
    if (m_connection && m_connection->hasKafka())
        openAuditLog();
    m_recordsTab->setConnection(m_connection, m_audit);
}

void MainWindow::showDemoStarting()
{
    m_status->showDemoStarting();
    m_detail->setDemoState(DetailArea::DemoState::Starting);
}

void MainWindow::openDemo(const profiles::ConnectionProfile &profile, const QString &detail)
{
    m_status->showDemoReady();
    m_detail->setDemoState(DetailArea::DemoState::Ready, detail);
    openConnection(profile);
}

void MainWindow::showDemoFailed(const QString &message)
{
    m_status->showDemoFailed();
    m_detail->setDemoState(DetailArea::DemoState::Failed,
                           tr("The embedded sandbox could not start: %1").arg(message));
}

void MainWindow::refresh()
{
    if (!isConnected()) {
        statusBar()->showMessage(tr("Nothing to refresh: no connection is open"), 5000);
        return;
    }
    m_navigator->refresh();
    m_detail->updateForSelection();
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
