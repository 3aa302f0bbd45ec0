#pragma once
// The console's shell: menus, toolbar, status bar, and the navigator/detail splitter. Holds
// the open connection (one RestTransport and its registry clients). Window geometry, toolbar
// state, splitter sizes and the theme are remembered across runs.

#include "core/services/connectionprofile.h"

#include <QMainWindow>

#include <memory>

class QAction;
class QActionGroup;
class QLabel;
class QModelIndex;
class QProgressBar;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTabWidget;

namespace kw {

namespace registry {
class DekRegistryClient;
class RestTransport;
class SchemaRegistryClient;
} // namespace registry

namespace audit {
class AuditLog;
}
namespace profiles {
class ProfileStore;
}
namespace records {
class RecordsView;
}

class DekDetailPane;
class EmptyStateWidget;
class KekDetailPane;
class NavigatorPane;
class SchemaDetailPane;

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

    // Demo mode (app/gui/demo.h drives these from the embedded sandbox): a busy indicator
    // while it starts, then its profile opened as the connection with `detail` (its
    // addresses) in the empty state, or why it failed.
    void showDemoStarting();
    void openDemo(const profiles::ConnectionProfile &profile, const QString &detail);
    void showDemoFailed(const QString &message);

    // Connects to the profile's registry and loads the navigator. The previous connection is
    // closed first; its replies still in flight are dropped.
    void openConnection(const profiles::ConnectionProfile &profile);
    void closeConnection();
    [[nodiscard]] bool isConnected() const { return m_transport != nullptr; }
    // The open connection's profile (a default one while not connected).
    [[nodiscard]] const profiles::ConnectionProfile &currentProfile() const { return m_profile; }
    [[nodiscard]] std::shared_ptr<registry::DekRegistryClient> dekRegistryClient() const
    {
        return m_dekClient;
    }
    [[nodiscard]] std::shared_ptr<registry::SchemaRegistryClient> schemaRegistryClient() const
    {
        return m_schemaClient;
    }
    [[nodiscard]] NavigatorPane *navigatorPane() const { return m_navigator; }
    // The Records tab's view for the open connection; null without Kafka in the profile.
    [[nodiscard]] records::RecordsView *recordsView() const { return m_records; }
    [[nodiscard]] QTabWidget *tabs() const { return m_tabs; }

    // Where saved profiles live (default: QSettings + the system keychain) and where reveals
    // are audited (default: the audit log in the user's data folder, its key and head in the
    // system keychain, opened when the Records tab first needs it). Tests inject theirs.
    void setProfileStore(std::shared_ptr<profiles::ProfileStore> store);
    void setAuditLog(std::shared_ptr<audit::AuditLog> log);
    [[nodiscard]] std::shared_ptr<audit::AuditLog> auditLog() const { return m_audit; }

public Q_SLOTS:
    void showAbout();
    void refresh();
    // Connection > Profiles…: create, edit, test and connect profiles.
    void showProfiles();

Q_SIGNALS:
    // A connection was opened or closed.
    void connectionChanged();

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
    void showEmptyState(const QString &title, const QString &text);
    void updateConnectionStatus();
    void rebuildRecordsView();
    void updateRecordsStatus();
    void openAuditLog();
    // The persistent banner above the tabs: a log that does not verify (reveals refused until
    // acknowledged) or one that is unkeyed.
    void updateAuditWarning();
    void acknowledgeAuditProblem();
    void recordAcknowledgement();

    Options m_options;
    profiles::ConnectionProfile m_profile;
    std::unique_ptr<registry::RestTransport> m_transport;
    std::shared_ptr<registry::DekRegistryClient> m_dekClient;
    std::shared_ptr<registry::SchemaRegistryClient> m_schemaClient;

    std::shared_ptr<profiles::ProfileStore> m_profileStore;
    std::shared_ptr<audit::AuditLog> m_audit;
    bool m_auditTried = false;
    QWidget *m_auditWarning = nullptr;
    QLabel *m_auditWarningText = nullptr;
    QPushButton *m_auditAcknowledge = nullptr;

    QTabWidget *m_tabs = nullptr;
    QStackedWidget *m_recordsHost = nullptr;
    EmptyStateWidget *m_recordsEmpty = nullptr;
    records::RecordsView *m_records = nullptr;
    QLabel *m_recordsLabel = nullptr;
    QSplitter *m_splitter = nullptr;
    NavigatorPane *m_navigator = nullptr;
    QStackedWidget *m_detail = nullptr;
    EmptyStateWidget *m_emptyState = nullptr;
    KekDetailPane *m_kekPane = nullptr;
    DekDetailPane *m_dekPane = nullptr;
    SchemaDetailPane *m_schemaPane = nullptr;
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

    QAction *m_profilesAction = nullptr;
    QAction *m_disconnectAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_showDeletedAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_quitAction = nullptr;
    QActionGroup *m_themeGroup = nullptr;
};

} // namespace kw
