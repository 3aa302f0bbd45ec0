#pragma once
// The console's shell: menus, toolbar, status bar, the audit banner, and the Keys & Schemas /
// Records / Rotation / Audit tabs. Holds the open services::Connection; every action is a command
// of its CommandController, shared by the menus, the toolbar and the navigator's context menu.
// Window geometry, toolbar state, splitter sizes and the theme are remembered across runs.

#include "core/services/connectionprofile.h"
#include "core/services/job.h"
#include "core/services/workflowrun.h"

#include <QMainWindow>

#include <memory>

class QActionGroup;
class QMenu;
class QSplitter;
class QTabWidget;

namespace kw {

namespace registry {
class DekRegistryClient;
class SchemaRegistryClient;
} // namespace registry
namespace services {
class Connection;
}
namespace audit {
class AuditLog;
}
namespace profiles {
class ProfileStore;
class SecretStore;
} // namespace profiles
namespace reportui {
class ReportDialog;
}
namespace records {
class RecordsView;
}
namespace rotation {
class RotationTab;
}

class AuditBanner;
class AuditTab;
class UnfinishedRunsBanner;
class WorkflowDialog;
class CommandController;
class ConnectionStatus;
class DetailArea;
class KekKeyFlags;
class NavigatorPane;
class RecordsTab;

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
    [[nodiscard]] bool isConnected() const { return m_connection != nullptr; }
    [[nodiscard]] const services::Connection *connection() const { return m_connection.get(); }
    // The open connection's profile (a default one while not connected).
    [[nodiscard]] const profiles::ConnectionProfile &currentProfile() const;
    [[nodiscard]] std::shared_ptr<registry::DekRegistryClient> dekRegistryClient() const;
    [[nodiscard]] std::shared_ptr<registry::SchemaRegistryClient> schemaRegistryClient() const;
    [[nodiscard]] NavigatorPane *navigatorPane() const { return m_navigator; }
    [[nodiscard]] KekKeyFlags *kekKeyFlags() const { return m_kekKeyFlags; }
    [[nodiscard]] DetailArea *detailArea() const { return m_detail; }
    // The Records tab's view for the open connection; null without Kafka in the profile.
    [[nodiscard]] records::RecordsView *recordsView() const;
    [[nodiscard]] QTabWidget *tabs() const { return m_tabs; }
    [[nodiscard]] rotation::RotationTab *rotationTab() const { return m_rotationTab; }
    [[nodiscard]] AuditTab *auditTab() const { return m_auditTab; }
    [[nodiscard]] CommandController *commands() const { return m_commands; }
    // The navigator's context menu (the same actions as the menus and the toolbar).
    [[nodiscard]] QMenu *navigatorContextMenu() const { return m_navigatorMenu; }

    // Where saved profiles live (default: QSettings + the system keychain) and where reveals
    // are audited (default: the audit log in the user's data folder, its key and head in the
    // system keychain, opened when the Records tab first needs it). Tests inject theirs.
    void setProfileStore(std::shared_ptr<profiles::ProfileStore> store);
    void setAuditLog(std::shared_ptr<audit::AuditLog> log);
    [[nodiscard]] std::shared_ptr<audit::AuditLog> auditLog() const { return m_audit; }
    // Where the report-signing key lives (default: the system keychain). Tests inject theirs.
    void setReportKeyStore(std::shared_ptr<profiles::SecretStore> store);
    // File › Export compliance report…: opens its dialog (null without a connection).
    reportui::ReportDialog *exportReport();

    // Key workflows: where their journal lives (tests give a temporary one; the policy and
    // census folder come from the Rotation view when it is open).
    void setWorkflowOptions(const services::WorkflowOptions &options);
    [[nodiscard]] services::WorkflowOptions workflowOptions() const;
    // Opens the workflow dialog planning `request` on the open connection (null without one).
    WorkflowDialog *openWorkflow(const workflows::Request &request);
    // Opens it in run mode on unfinished run `run`, resuming it (or only showing it).
    WorkflowDialog *openUnfinishedRun(const workflows::RunRecord &run, bool resume);
    [[nodiscard]] UnfinishedRunsBanner *unfinishedRunsBanner() const { return m_runsBanner; }

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
    void createCommands();
    void createMenus();
    void createToolBar();
    void createCentralWidget();
    void restoreWindowState();
    void saveWindowState() const;
    void rebuildRecordsView();
    void openAuditLog();
    void checkUnfinishedRuns();
    WorkflowDialog *newWorkflowDialog();

    Options m_options;
    std::shared_ptr<services::Connection> m_connection;
    std::shared_ptr<profiles::ProfileStore> m_profileStore;
    std::shared_ptr<audit::AuditLog> m_audit;
    std::shared_ptr<profiles::SecretStore> m_reportKeys;
    bool m_auditTried = false;

    CommandController *m_commands = nullptr;
    QActionGroup *m_themeGroup = nullptr;
    QMenu *m_navigatorMenu = nullptr;
    AuditBanner *m_auditBanner = nullptr;
    UnfinishedRunsBanner *m_runsBanner = nullptr;
    services::WorkflowOptions m_workflowOptions;
    bool m_workflowOptionsSet = false;
    JobSlot m_runsCheck{this};
    QTabWidget *m_tabs = nullptr;
    QSplitter *m_splitter = nullptr;
    NavigatorPane *m_navigator = nullptr;
    KekKeyFlags *m_kekKeyFlags = nullptr; // revoked KMS keys, flagged in the navigator
    DetailArea *m_detail = nullptr;
    RecordsTab *m_recordsTab = nullptr;
    rotation::RotationTab *m_rotationTab = nullptr;
    AuditTab *m_auditTab = nullptr;
    ConnectionStatus *m_status = nullptr;
};

} // namespace kw
