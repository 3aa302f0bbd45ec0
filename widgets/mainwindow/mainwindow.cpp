#include "mainwindow/mainwindow.h"

#include "common/emptystatewidget.h"
#include "dialogs/aboutdialog.h"
#include "navigator/navigatormodel.h"
#include "sandbox/sandboxhost.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
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

MainWindow::~MainWindow() = default;

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

    m_showDeletedAction =
        new QAction(QIcon(QStringLiteral(":/icons/show-deleted.svg")), tr("Show &Deleted"), this);
    m_showDeletedAction->setObjectName(QStringLiteral("actionShowDeleted"));
    m_showDeletedAction->setCheckable(true);
    m_showDeletedAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
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
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("menuFile"));
    file->addAction(m_quitAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("menuView"));
    view->addAction(m_refreshAction);
    view->addAction(m_showDeletedAction);

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
    toolBar->addAction(m_refreshAction);
    toolBar->addAction(m_showDeletedAction);
}

void MainWindow::createCentralWidget()
{
    m_navigatorModel = new NavigatorModel(this);
    m_navigatorProxy = new QSortFilterProxyModel(this);
    m_navigatorProxy->setSourceModel(m_navigatorModel);
    m_navigatorProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_navigatorProxy->setRecursiveFilteringEnabled(true);

    auto *navigatorPane = new QWidget(this);
    m_filter = new QLineEdit(navigatorPane);
    m_filter->setObjectName(QStringLiteral("navigatorFilter"));
    m_filter->setPlaceholderText(tr("Filter keys and subjects (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    auto *focusFilter = new QAction(this);
    focusFilter->setShortcut(QKeySequence::Find);
    connect(focusFilter, &QAction::triggered, this,
            [this] { m_filter->setFocus(Qt::ShortcutFocusReason); });
    addAction(focusFilter);
    connect(m_filter, &QLineEdit::textChanged, m_navigatorProxy,
            &QSortFilterProxyModel::setFilterFixedString);

    m_navigator = new QTreeView(navigatorPane);
    m_navigator->setObjectName(QStringLiteral("navigatorView"));
    m_navigator->setModel(m_navigatorProxy);
    m_navigator->setHeaderHidden(true);
    m_navigator->setUniformRowHeights(true);
    m_navigator->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_navigator->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::updateDetailForSelection);

    auto *navLayout = new QVBoxLayout(navigatorPane);
    navLayout->setContentsMargins(0, 0, 0, 0);
    navLayout->addWidget(m_filter);
    navLayout->addWidget(m_navigator);

    m_detail = new QStackedWidget(this);
    m_detail->setObjectName(QStringLiteral("detailStack"));
    m_emptyState = new EmptyStateWidget(m_detail);
    m_emptyState->setObjectName(QStringLiteral("emptyState"));
    m_emptyState->setIcon(QIcon(QStringLiteral(":/icons/keywarden.svg")));
    m_detail->addWidget(m_emptyState);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(navigatorPane);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({320, 960});
    m_splitter->setChildrenCollapsible(false);
    setCentralWidget(m_splitter);
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
    statusBar()->addPermanentWidget(m_busy);
    statusBar()->addPermanentWidget(m_connectionLabel);
    statusBar()->addPermanentWidget(m_refreshLabel);
}

void MainWindow::attachSandbox(sandbox::SandboxHost *host)
{
    m_demoState = DemoState::Starting;
    m_busy->show();
    m_connectionLabel->setText(tr("Demo: starting the embedded sandbox…"));
    connect(host, &sandbox::SandboxHost::ready, this, &MainWindow::sandboxReady);
    connect(host, &sandbox::SandboxHost::failed, this, &MainWindow::sandboxFailed);
    if (host->isReady())
        sandboxReady(host->endpoints());
    updateDetailForSelection();
}

void MainWindow::sandboxReady(const sandbox::SandboxEndpoints &endpoints)
{
    m_demoState = DemoState::Ready;
    m_busy->hide();
    m_connectionLabel->setText(
        tr("Demo sandbox: %1 · Kafka %2").arg(endpoints.registryUrl, endpoints.bootstrapServers));
    m_demoDetail =
        tr("The embedded sandbox is serving a Schema Registry with its DEK Registry at %1 and a "
           "Kafka "
           "cluster at %2, seeded with a bank's KEKs, DEKs, schemas and encrypted records "
           "(ready in %3 s). Its local-kms secret is set for this session.")
            .arg(endpoints.registryUrl, endpoints.bootstrapServers)
            .arg(double(endpoints.startupMs) / 1000.0, 0, 'f', 1);
    updateDetailForSelection();
}

void MainWindow::sandboxFailed(const QString &message)
{
    m_demoState = DemoState::Failed;
    m_busy->hide();
    m_connectionLabel->setText(tr("Demo sandbox failed to start"));
    m_demoDetail = tr("The embedded sandbox could not start: %1").arg(message);
    updateDetailForSelection();
}

void MainWindow::updateDetailForSelection()
{
    switch (m_demoState) {
    case DemoState::Starting:
        m_emptyState->setTitle(tr("Starting the demo estate…"));
        m_emptyState->setText(
            tr("Seeding the embedded registry and Kafka cluster with a bank's keys and records. "
               "This takes a few seconds; the window stays usable."));
        break;
    case DemoState::Ready:
        m_emptyState->setTitle(tr("Demo estate running"));
        m_emptyState->setText(m_demoDetail);
        break;
    case DemoState::Failed:
        m_emptyState->setTitle(tr("Demo estate unavailable"));
        m_emptyState->setText(m_demoDetail);
        break;
    case DemoState::None:
        m_emptyState->setTitle(tr("Not connected"));
        m_emptyState->setText(
            tr("Keywarden shows the KEKs and DEKs in a Schema Registry's DEK Registry, the "
               "schemas whose rules use them, and the records they protect. Start it with "
               "--demo to explore the embedded demo estate."));
        break;
    }
    m_detail->setCurrentWidget(m_emptyState);
}

void MainWindow::refresh()
{
    statusBar()->showMessage(tr("Nothing to refresh: no connection is open"), 5000);
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
