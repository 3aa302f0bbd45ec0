#pragma once
// Connection profiles: create, edit, duplicate, delete, import a Confluent client properties
// file, and test the Schema Registry, DEK Registry and Kafka separately. Secrets go to the
// keychain through ProfileStore; when there is none, the dialog says so and keeps them for
// the session.

#include "core/services/connectionprofile.h"

#include <QDialog>
#include <QHash>

#include <functional>
#include <memory>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTreeWidget;

namespace kw {

namespace profiles {
class ProfileStore;
}

class CommandController;

class ProfilesDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit ProfilesDialog(std::shared_ptr<profiles::ProfileStore> store,
                            QWidget *parent = nullptr);
    ~ProfilesDialog() override;

    // Test seam: the file picker (a real dialog by default). Deleting asks through
    // ConfirmationDialog, whose own seam answers it in tests.
    void setOpenFile(std::function<QString()> pick);

    [[nodiscard]] QString currentName() const;
    void selectProfile(const QString &name);
    // The dialog's commands ("actionConnectProfile", "actionDuplicateProfile",
    // "actionDeleteProfile"), enabled from the profile in the form; its buttons and the
    // list's context menu run them.
    [[nodiscard]] CommandController *commands() const { return m_commands; }

public Q_SLOTS:
    void newProfile();
    void duplicateProfile();
    void deleteProfile();
    void importProperties();
    void importPropertiesFile(const QString &path);
    void saveProfile();
    void testConnection();
    void connectToProfile();

Q_SIGNALS:
    // "Connect" on a saved, complete profile (secrets included).
    void connectRequested(const kw::profiles::ConnectionProfile &profile);
    void profileSaved(const QString &name);

private:
    void buildUi();
    QWidget *buildRegistryTab();
    QWidget *buildKafkaTab();
    QWidget *buildKmsTab();
    void reloadList(const QString &select = {});
    void loadIntoForm(const QString &name);
    void showInForm(const profiles::ConnectionProfile &profile);
    [[nodiscard]] profiles::ConnectionProfile fromForm() const;
    void setFormEnabled(bool enabled);
    void showMessage(const QString &text, bool error);
    void removeProfile(const QString &name);
    void updateAuthFields();

    void createCommands();

    std::shared_ptr<profiles::ProfileStore> m_store;
    std::function<QString()> m_openFile;
    CommandController *m_commands = nullptr;
    bool m_formEnabled = false;
    QString m_editingName; // the saved name of the profile in the form; empty for a new one
    quint64 m_job = 0;

    QListWidget *m_list = nullptr;
    QPushButton *m_new = nullptr;
    QPushButton *m_duplicate = nullptr;
    QPushButton *m_delete = nullptr;
    QPushButton *m_import = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_keychainNote = nullptr;
    QWidget *m_form = nullptr;

    QLineEdit *m_name = nullptr;
    QLineEdit *m_url = nullptr;
    QComboBox *m_authKind = nullptr;
    QLineEdit *m_basicKey = nullptr;
    QLineEdit *m_basicSecret = nullptr;
    QLineEdit *m_bearerToken = nullptr;
    QLineEdit *m_targetCluster = nullptr;
    QLineEdit *m_identityPools = nullptr;
    QLineEdit *m_caFile = nullptr;
    QLineEdit *m_clientCert = nullptr;
    QLineEdit *m_clientKey = nullptr;
    QCheckBox *m_insecure = nullptr;
    QLabel *m_insecureWarning = nullptr;
    QSpinBox *m_timeout = nullptr;

    QLineEdit *m_bootstrap = nullptr;
    QComboBox *m_securityProtocol = nullptr;
    QComboBox *m_saslMechanism = nullptr;
    QLineEdit *m_saslUser = nullptr;
    QLineEdit *m_saslPassword = nullptr;
    QLineEdit *m_sslCa = nullptr;
    QTableWidget *m_kafkaProps = nullptr;    // every other librdkafka property
    QHash<QString, QLineEdit *> m_kmsFields; // "type\nsetting" -> field

    QPushButton *m_test = nullptr;
    QTreeWidget *m_testResults = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_connect = nullptr;
};

} // namespace kw
