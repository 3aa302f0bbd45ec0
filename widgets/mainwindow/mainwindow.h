#pragma once
// The console's shell: menus, toolbar, status bar, and the navigator/detail splitter.
// Window geometry, toolbar state and splitter sizes are remembered across runs.

#include <QMainWindow>

class QAction;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSplitter;
class QStackedWidget;
class QTreeView;

class QProgressBar;

namespace kw {

namespace sandbox {
class SandboxHost;
struct SandboxEndpoints;
} // namespace sandbox

class EmptyStateWidget;
class NavigatorModel;

class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    struct Options
    {
        // Started with --demo: the window is meant to show the embedded sandbox.
        bool demo = false;
    };

    explicit MainWindow(const Options &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    QSize sizeHint() const override;

    // Demo mode: follows the embedded sandbox as it starts (busy indicator, then its
    // addresses, or why it failed).
    void attachSandbox(sandbox::SandboxHost *host);

public Q_SLOTS:
    void showAbout();
    void refresh();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createToolBar();
    void createCentralWidget();
    void createStatusBar();
    void restoreWindowState();
    void saveWindowState() const;
    void updateDetailForSelection();
    void sandboxReady(const sandbox::SandboxEndpoints &endpoints);
    void sandboxFailed(const QString &message);

    Options m_options;
    NavigatorModel *m_navigatorModel = nullptr;
    QSortFilterProxyModel *m_navigatorProxy = nullptr;
    QSplitter *m_splitter = nullptr;
    QLineEdit *m_filter = nullptr;
    QTreeView *m_navigator = nullptr;
    QStackedWidget *m_detail = nullptr;
    EmptyStateWidget *m_emptyState = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_refreshLabel = nullptr;
    QProgressBar *m_busy = nullptr;
    enum class DemoState
    {
        None,
        Starting,
        Ready,
        Failed
    };
    DemoState m_demoState = DemoState::None;
    QString m_demoDetail;

    QAction *m_refreshAction = nullptr;
    QAction *m_showDeletedAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_quitAction = nullptr;
};

} // namespace kw
