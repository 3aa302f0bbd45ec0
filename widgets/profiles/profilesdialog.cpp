#include "widgets/profiles/profilesdialog.h"

#include "core/domain/displaytext.h"
#include "core/domain/futurewatch.h"
#include "core/kms/kms.h"
#include "core/services/connectiontester.h"
#include "core/services/profilestore.h"
#include "core/services/propertiesimport.h"
#include "widgets/commands/command.h"
#include "widgets/dialogs/confirmationdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace kw {

namespace {

QString fieldKey(const QString &type, const QString &key)
{
    return type + QLatin1Char('\n') + key;
}

// Kafka properties with their own fields in the form.
const QStringList KafkaFormProperties{
    QStringLiteral("security.protocol"), QStringLiteral("sasl.mechanisms"),
    QStringLiteral("sasl.username"),     QStringLiteral("sasl.password"),
    QStringLiteral("ssl.ca.location"),
};

QLineEdit *secretEdit(const QString &objectName)
{
    auto *e = new QLineEdit;
    e->setObjectName(objectName);
    e->setEchoMode(QLineEdit::Password);
    e->setClearButtonEnabled(true);
    return e;
}

// The value column of the other librdkafka properties: the values of secret properties
// (profiles::isSecretProperty on the row's name) are painted as a fixed mask, which tells
// nothing of their length, and edited in a password field.
class PropertyValueDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override
    {
        QWidget *editor = QStyledItemDelegate::createEditor(parent, option, index);
        if (auto *line = qobject_cast<QLineEdit *>(editor); line && isSecret(index))
            line->setEchoMode(QLineEdit::Password);
        return editor;
    }

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (isSecret(index) && !option->text.isEmpty())
            option->text = QString(8, QChar(0x2022));
    }

private:
    static bool isSecret(const QModelIndex &index)
    {
        return profiles::isSecretProperty(index.siblingAtColumn(0).data().toString());
    }
};

QLineEdit *plainEdit(const QString &objectName, const QString &placeholder = {})
{
    auto *e = new QLineEdit;
    e->setObjectName(objectName);
    e->setPlaceholderText(placeholder);
    e->setClearButtonEnabled(true);
    return e;
}

} // namespace

ProfilesDialog::ProfilesDialog(std::shared_ptr<profiles::ProfileStore> store, QWidget *parent)
    : QDialog(parent)
    , m_store(std::move(store))
{
    setObjectName(QStringLiteral("profilesDialog"));
    setWindowTitle(tr("Connection profiles"));
    m_openFile = [this] {
        return QFileDialog::getOpenFileName(this, tr("Import client properties"), QString(),
                                            tr("Properties files (*.properties *.config *.conf);;"
                                               "All files (*)"));
    };
    buildUi();
    reloadList();
    resize(860, 620);
}

ProfilesDialog::~ProfilesDialog() = default;

void ProfilesDialog::setOpenFile(std::function<QString()> pick)
{
    m_openFile = std::move(pick);
}

void ProfilesDialog::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    auto *splitter = new QSplitter(this);
    layout->addWidget(splitter, 1);

    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_list = new QListWidget(left);
    m_list->setObjectName(QStringLiteral("profileList"));
    leftLayout->addWidget(m_list, 1);
    auto *listButtons = new QHBoxLayout;
    m_new = new QPushButton(tr("&New"), left);
    m_new->setObjectName(QStringLiteral("newProfile"));
    m_duplicate = new QPushButton(tr("D&uplicate"), left);
    m_duplicate->setObjectName(QStringLiteral("duplicateProfile"));
    m_delete = new QPushButton(tr("&Delete…"), left);
    m_delete->setObjectName(QStringLiteral("deleteProfile"));
    listButtons->addWidget(m_new);
    listButtons->addWidget(m_duplicate);
    listButtons->addWidget(m_delete);
    leftLayout->addLayout(listButtons);
    m_import = new QPushButton(tr("&Import properties file…"), left);
    m_import->setObjectName(QStringLiteral("importProfile"));
    m_import->setToolTip(tr("Create a profile from a Confluent client properties file "
                            "(schema.registry.url, basic.auth.user.info, bootstrap.servers, "
                            "sasl.*, ssl.*)."));
    leftLayout->addWidget(m_import);

    m_form = new QWidget(splitter);
    auto *formLayout = new QVBoxLayout(m_form);
    formLayout->setContentsMargins(0, 0, 0, 0);
    auto *nameRow = new QFormLayout;
    m_name = plainEdit(QStringLiteral("profileName"), tr("e.g. Production EU"));
    nameRow->addRow(tr("&Name:"), m_name);
    formLayout->addLayout(nameRow);
    auto *tabs = new QTabWidget(m_form);
    tabs->setObjectName(QStringLiteral("profileTabs"));
    tabs->addTab(buildRegistryTab(), tr("Schema &Registry"));
    tabs->addTab(buildKafkaTab(), tr("&Kafka"));
    tabs->addTab(buildKmsTab(), tr("K&MS"));
    formLayout->addWidget(tabs, 1);

    auto *testRow = new QHBoxLayout;
    m_test = new QPushButton(tr("&Test connection"), m_form);
    m_test->setObjectName(QStringLiteral("testConnection"));
    testRow->addWidget(m_test);
    testRow->addStretch(1);
    formLayout->addLayout(testRow);
    m_testResults = new QTreeWidget(m_form);
    m_testResults->setObjectName(QStringLiteral("testResults"));
    m_testResults->setHeaderLabels({tr("Check"), tr("Result"), tr("Time")});
    m_testResults->setRootIsDecorated(true); // "KMS keys" has a row per KEK
    m_testResults->setWordWrap(true);
    m_testResults->setMaximumHeight(180);
    m_testResults->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_testResults->hide();
    formLayout->addWidget(m_testResults);

    splitter->setStretchFactor(1, 1);
    splitter->setSizes({220, 640});

    m_keychainNote = new QLabel(this);
    m_keychainNote->setObjectName(QStringLiteral("keychainNote"));
    m_keychainNote->setWordWrap(true);
    m_keychainNote->setText(tr("Secrets are kept in %1, never in the settings file.")
                                .arg(m_store->secretsDescription()));
    layout->addWidget(m_keychainNote);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("profileMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    layout->addWidget(m_message);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_save = buttons->addButton(tr("&Save"), QDialogButtonBox::ApplyRole);
    m_save->setObjectName(QStringLiteral("saveProfile"));
    m_connect = buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    m_connect->setObjectName(QStringLiteral("connectProfile"));
    m_connect->setDefault(true);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_save, &QPushButton::clicked, this, &ProfilesDialog::saveProfile);
    connect(m_new, &QPushButton::clicked, this, &ProfilesDialog::newProfile);
    connect(m_import, &QPushButton::clicked, this, &ProfilesDialog::importProperties);
    connect(m_test, &QPushButton::clicked, this, &ProfilesDialog::testConnection);
    connect(m_list, &QListWidget::currentTextChanged, this, [this](const QString &name) {
        if (!name.isEmpty() && name != m_editingName)
            loadIntoForm(name);
    });
    connect(m_authKind, &QComboBox::currentIndexChanged, this, &ProfilesDialog::updateAuthFields);
    connect(m_insecure, &QCheckBox::toggled, m_insecureWarning, &QWidget::setVisible);

    createCommands();
    setFormEnabled(false);
}

void ProfilesDialog::createCommands()
{
    m_commands = new CommandController(
        [this] {
            return CommandContext{nullptr, m_list->currentIndex()};
        },
        this);
    auto formReady = [this](const CommandContext &) {
        return m_formEnabled;
    };
    auto savedProfile = [this](const CommandContext &) {
        return m_formEnabled && !m_editingName.isEmpty();
    };
    QAction *connectTo = makeAction(QIcon(), tr("&Connect"), "actionConnectProfile", this);
    connectTo->setStatusTip(tr("Save the profile and connect to it"));
    m_commands->add(connectTo, formReady, [this](const CommandContext &) { connectToProfile(); });
    QAction *duplicate = makeAction(QIcon(), tr("D&uplicate"), "actionDuplicateProfile", this);
    duplicate->setStatusTip(tr("Save a copy of the profile under a new name"));
    m_commands->add(duplicate, savedProfile,
                    [this](const CommandContext &) { duplicateProfile(); });
    QAction *remove = makeAction(QIcon::fromTheme(QStringLiteral("edit-delete")), tr("&Delete…"),
                                 "actionDeleteProfile", this);
    remove->setStatusTip(tr("Delete the profile and its secrets (asks first)"));
    m_commands->add(remove, savedProfile, [this](const CommandContext &) { deleteProfile(); });

    bindButton(*m_commands, m_connect, QStringLiteral("actionConnectProfile"));
    bindButton(*m_commands, m_duplicate, QStringLiteral("actionDuplicateProfile"));
    bindButton(*m_commands, m_delete, QStringLiteral("actionDeleteProfile"));
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("profileListContextMenu"));
    menu->addAction(connectTo);
    menu->addAction(duplicate);
    menu->addSeparator();
    menu->addAction(remove);
    attachContextMenu(*m_commands, m_list, menu);
}

QWidget *ProfilesDialog::buildRegistryTab()
{
    auto *page = new QWidget;
    auto *form = new QFormLayout(page);
    m_url = plainEdit(QStringLiteral("registryUrl"),
                      tr("https://psrc-123.eu-west-1.aws.confluent.cloud"));
    form->addRow(tr("&URL:"), m_url);
    m_authKind = new QComboBox(page);
    m_authKind->setObjectName(QStringLiteral("registryAuthKind"));
    m_authKind->addItem(tr("None"), QStringLiteral("none"));
    m_authKind->addItem(tr("API key and secret (basic)"), QStringLiteral("basic"));
    m_authKind->addItem(tr("Bearer token"), QStringLiteral("bearer"));
    form->addRow(tr("&Authentication:"), m_authKind);
    m_basicKey = plainEdit(QStringLiteral("registryKey"));
    form->addRow(tr("API &key:"), m_basicKey);
    m_basicSecret = secretEdit(QStringLiteral("registrySecret"));
    form->addRow(tr("API &secret:"), m_basicSecret);
    m_bearerToken = secretEdit(QStringLiteral("registryToken"));
    form->addRow(tr("&Token:"), m_bearerToken);
    m_targetCluster = plainEdit(QStringLiteral("registryTargetCluster"), tr("lsrc-…"));
    form->addRow(tr("Logical &cluster:"), m_targetCluster);
    m_identityPools = plainEdit(QStringLiteral("registryIdentityPools"), tr("pool-1,pool-2"));
    form->addRow(tr("Identity &pools:"), m_identityPools);
    m_caFile = plainEdit(QStringLiteral("registryCaFile"), tr("PEM file, added to the system CAs"));
    form->addRow(tr("CA &file:"), m_caFile);
    m_clientCert = plainEdit(QStringLiteral("registryClientCert"), tr("PEM, for mutual TLS"));
    form->addRow(tr("Client c&ertificate:"), m_clientCert);
    m_clientKey = plainEdit(QStringLiteral("registryClientKey"), tr("PEM"));
    form->addRow(tr("Client &key:"), m_clientKey);
    m_timeout = new QSpinBox(page);
    m_timeout->setObjectName(QStringLiteral("registryTimeout"));
    m_timeout->setRange(1, 600);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setValue(30);
    form->addRow(tr("T&ime-out:"), m_timeout);
    m_insecure = new QCheckBox(tr("Do not verify the server certificate"), page);
    m_insecure->setObjectName(QStringLiteral("registryInsecure"));
    form->addRow(QString(), m_insecure);
    m_insecureWarning = new QLabel(tr("Anyone on the network path can read and change what this "
                                      "console sends and receives, credentials included. Use "
                                      "only against a test registry."),
                                   page);
    m_insecureWarning->setObjectName(QStringLiteral("registryInsecureWarning"));
    m_insecureWarning->setWordWrap(true);
    m_insecureWarning->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_insecureWarning->hide();
    form->addRow(QString(), m_insecureWarning);
    return page;
}

QWidget *ProfilesDialog::buildKafkaTab()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    auto *form = new QFormLayout;
    m_bootstrap = plainEdit(QStringLiteral("kafkaBootstrap"), tr("host:9092[,host:9092…]"));
    form->addRow(tr("&Bootstrap servers:"), m_bootstrap);
    m_securityProtocol = new QComboBox(page);
    m_securityProtocol->setObjectName(QStringLiteral("kafkaSecurityProtocol"));
    m_securityProtocol->addItems({QStringLiteral("PLAINTEXT"), QStringLiteral("SSL"),
                                  QStringLiteral("SASL_PLAINTEXT"), QStringLiteral("SASL_SSL")});
    form->addRow(tr("&Security protocol:"), m_securityProtocol);
    m_saslMechanism = new QComboBox(page);
    m_saslMechanism->setObjectName(QStringLiteral("kafkaSaslMechanism"));
    m_saslMechanism->addItems({QString(), QStringLiteral("PLAIN"), QStringLiteral("SCRAM-SHA-256"),
                               QStringLiteral("SCRAM-SHA-512"), QStringLiteral("OAUTHBEARER"),
                               QStringLiteral("GSSAPI")});
    form->addRow(tr("SASL &mechanism:"), m_saslMechanism);
    m_saslUser = plainEdit(QStringLiteral("kafkaSaslUsername"));
    form->addRow(tr("SASL &username:"), m_saslUser);
    m_saslPassword = secretEdit(QStringLiteral("kafkaSaslPassword"));
    form->addRow(tr("SASL &password:"), m_saslPassword);
    m_sslCa = plainEdit(QStringLiteral("kafkaSslCa"), tr("PEM file (ssl.ca.location)"));
    form->addRow(tr("&CA file:"), m_sslCa);
    layout->addLayout(form);
    auto *label = new QLabel(tr("Other librdkafka properties:"), page);
    layout->addWidget(label);
    m_kafkaProps = new QTableWidget(0, 2, page);
    m_kafkaProps->setObjectName(QStringLiteral("kafkaProperties"));
    m_kafkaProps->setHorizontalHeaderLabels({tr("Property"), tr("Value")});
    m_kafkaProps->horizontalHeader()->setStretchLastSection(true);
    m_kafkaProps->verticalHeader()->hide();
    m_kafkaProps->setItemDelegateForColumn(1, new PropertyValueDelegate(m_kafkaProps));
    // A renamed property may turn secret or plain: repaint its value.
    connect(m_kafkaProps, &QTableWidget::itemChanged, m_kafkaProps->viewport(),
            qOverload<>(&QWidget::update));
    label->setBuddy(m_kafkaProps);
    layout->addWidget(m_kafkaProps, 1);
    auto *row = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add property"), page);
    add->setObjectName(QStringLiteral("addKafkaProperty"));
    auto *remove = new QPushButton(tr("Remove property"), page);
    remove->setObjectName(QStringLiteral("removeKafkaProperty"));
    row->addWidget(add);
    row->addWidget(remove);
    row->addStretch(1);
    layout->addLayout(row);
    connect(add, &QPushButton::clicked, this, [this] {
        const int r = m_kafkaProps->rowCount();
        m_kafkaProps->insertRow(r);
        m_kafkaProps->setItem(r, 0, new QTableWidgetItem);
        m_kafkaProps->setItem(r, 1, new QTableWidgetItem);
        m_kafkaProps->setCurrentCell(r, 0);
        m_kafkaProps->editItem(m_kafkaProps->item(r, 0));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_kafkaProps->currentRow() >= 0)
            m_kafkaProps->removeRow(m_kafkaProps->currentRow());
    });
    return page;
}

QWidget *ProfilesDialog::buildKmsTab()
{
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    auto *intro = new QLabel(tr("Credentials used to unwrap DEKs when previewing records. A KEK's "
                                "own kmsProps take precedence."),
                             page);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    // One group per kmsType, its fields as the driver declares them (core/kms/kms.h).
    for (const kms::KmsDriverInfo &info : kms::knownDrivers()) {
        auto *box = new QGroupBox(QStringLiteral("%1 (%2)").arg(info.displayName, info.type), page);
        box->setObjectName(QStringLiteral("kmsGroup-") + info.type);
        auto *form = new QFormLayout(box);
        if (!info.hasDriver) {
            auto *note = new QLabel(tr("No driver yet: these settings are kept with the profile, "
                                       "but KEKs of this type cannot be used until Keywarden "
                                       "has a driver for it."),
                                    box);
            note->setObjectName(QStringLiteral("kmsNoDriver-") + info.type);
            note->setWordWrap(true);
            form->addRow(note);
        }
        for (const kms::KmsSetting &setting : info.settings) {
            const QString objectName = QStringLiteral("kms-%1-%2").arg(info.type, setting.key);
            QLineEdit *edit = setting.secret ? secretEdit(objectName) : plainEdit(objectName);
            edit->setToolTip(setting.key + QLatin1Char('\n') + setting.help);
            form->addRow(setting.label + QLatin1Char(':'), edit);
            m_kmsFields.insert(fieldKey(info.type, setting.key), edit);
        }
        layout->addWidget(box);
    }
    layout->addStretch(1);
    scroll->setWidget(page);
    return scroll;
}

void ProfilesDialog::updateAuthFields()
{
    const QString kind = m_authKind->currentData().toString();
    const bool basic = kind == QLatin1String("basic");
    const bool bearer = kind == QLatin1String("bearer");
    m_basicKey->setEnabled(basic);
    m_basicSecret->setEnabled(basic);
    m_bearerToken->setEnabled(bearer);
    m_targetCluster->setEnabled(bearer);
    m_identityPools->setEnabled(bearer);
}

void ProfilesDialog::setFormEnabled(bool enabled)
{
    m_form->setEnabled(enabled);
    m_save->setEnabled(enabled);
    m_formEnabled = enabled;
    m_commands->updateEnabled();
}

void ProfilesDialog::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setProperty("error", error);
    m_message->setStyleSheet(error ? QStringLiteral("color: #b3261e;") : QString());
    m_message->setVisible(!text.isEmpty());
}

void ProfilesDialog::reloadList(const QString &select)
{
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    m_list->addItems(m_store->names());
    const auto found = m_list->findItems(select, Qt::MatchExactly);
    if (!found.isEmpty())
        m_list->setCurrentItem(found.first());
}

QString ProfilesDialog::currentName() const
{
    return m_editingName;
}

void ProfilesDialog::selectProfile(const QString &name)
{
    const auto found = m_list->findItems(name, Qt::MatchExactly);
    if (!found.isEmpty())
        m_list->setCurrentItem(found.first());
}

void ProfilesDialog::loadIntoForm(const QString &name)
{
    const quint64 job = ++m_job;
    setFormEnabled(false);
    kw::whenFinished(
        m_store->load(name), this, [this, job, name](Result<profiles::LoadedProfile> loaded) {
            if (job != m_job)
                return; // the user picked another profile meanwhile
            if (!loaded) {
                showMessage(loaded.error().message, true);
                return;
            }
            m_editingName = name;
            showInForm(loaded->profile);
            setFormEnabled(true);
            if (!loaded->secretsError.isEmpty()) {
                showMessage(
                    tr("The secrets of '%1' could not be read: %2 Enter them again; they are "
                       "kept for this session.")
                        .arg(name, loaded->secretsError.message),
                    true);
            } else {
                showMessage(QString(), false);
            }
        });
}

void ProfilesDialog::showInForm(const profiles::ConnectionProfile &p)
{
    m_name->setText(p.name);
    m_url->setText(p.registry.baseUrl.toString());
    const int kind = p.registry.auth.kind == registry::AuthSettings::Kind::Basic    ? 1
                     : p.registry.auth.kind == registry::AuthSettings::Kind::Bearer ? 2
                                                                                    : 0;
    m_authKind->setCurrentIndex(kind);
    m_basicKey->setText(p.registry.auth.basicKey);
    m_basicSecret->setText(p.registry.auth.basicSecret);
    m_bearerToken->setText(p.registry.auth.bearerToken);
    m_targetCluster->setText(p.registry.auth.targetSrCluster);
    m_identityPools->setText(p.registry.auth.identityPoolIds.join(QLatin1Char(',')));
    m_caFile->setText(p.registry.tls.caFile);
    m_clientCert->setText(p.registry.tls.clientCertFile);
    m_clientKey->setText(p.registry.tls.clientKeyFile);
    m_insecure->setChecked(p.registry.tls.insecureSkipVerify);
    m_timeout->setValue(std::max(1, p.registry.timeoutMs / 1000));
    m_bootstrap->setText(p.bootstrapServers);
    const QString protocol =
        p.kafkaProperties.value(QStringLiteral("security.protocol"), QStringLiteral("PLAINTEXT"));
    m_securityProtocol->setCurrentText(protocol.toUpper());
    m_saslMechanism->setCurrentText(p.kafkaProperties.value(QStringLiteral("sasl.mechanisms")));
    m_saslUser->setText(p.kafkaProperties.value(QStringLiteral("sasl.username")));
    m_saslPassword->setText(p.kafkaProperties.value(QStringLiteral("sasl.password")));
    m_sslCa->setText(p.kafkaProperties.value(QStringLiteral("ssl.ca.location")));
    m_kafkaProps->setRowCount(0);
    for (auto it = p.kafkaProperties.cbegin(); it != p.kafkaProperties.cend(); ++it) {
        if (KafkaFormProperties.contains(it.key()))
            continue;
        const int r = m_kafkaProps->rowCount();
        m_kafkaProps->insertRow(r);
        m_kafkaProps->setItem(r, 0, new QTableWidgetItem(it.key()));
        m_kafkaProps->setItem(r, 1, new QTableWidgetItem(it.value()));
    }
    for (auto it = m_kmsFields.cbegin(); it != m_kmsFields.cend(); ++it) {
        const QString type = it.key().section(QLatin1Char('\n'), 0, 0);
        const QString key = it.key().section(QLatin1Char('\n'), 1);
        it.value()->setText(p.kms.value(type).value(key));
    }
    updateAuthFields();
    m_insecureWarning->setVisible(m_insecure->isChecked());
    m_testResults->clear();
    m_testResults->hide();
}

profiles::ConnectionProfile ProfilesDialog::fromForm() const
{
    profiles::ConnectionProfile p;
    p.name = m_name->text().trimmed();
    p.registry.baseUrl = QUrl::fromUserInput(m_url->text().trimmed());
    if (m_url->text().trimmed().isEmpty())
        p.registry.baseUrl = QUrl();
    const QString kind = m_authKind->currentData().toString();
    if (kind == QLatin1String("basic")) {
        p.registry.auth =
            registry::AuthSettings::basic(m_basicKey->text().trimmed(), m_basicSecret->text());
    } else if (kind == QLatin1String("bearer")) {
        p.registry.auth = registry::AuthSettings::bearer(
            m_bearerToken->text().trimmed(), m_targetCluster->text().trimmed(),
            m_identityPools->text().split(QLatin1Char(','), Qt::SkipEmptyParts));
        for (QString &pool : p.registry.auth.identityPoolIds)
            pool = pool.trimmed();
    }
    p.registry.tls.caFile = m_caFile->text().trimmed();
    p.registry.tls.clientCertFile = m_clientCert->text().trimmed();
    p.registry.tls.clientKeyFile = m_clientKey->text().trimmed();
    p.registry.tls.insecureSkipVerify = m_insecure->isChecked();
    p.registry.timeoutMs = m_timeout->value() * 1000;
    p.bootstrapServers = m_bootstrap->text().trimmed();
    for (int r = 0; r < m_kafkaProps->rowCount(); ++r) {
        const QString key =
            m_kafkaProps->item(r, 0) ? m_kafkaProps->item(r, 0)->text().trimmed() : QString();
        if (!key.isEmpty())
            p.kafkaProperties.insert(
                key, m_kafkaProps->item(r, 1) ? m_kafkaProps->item(r, 1)->text() : QString());
    }
    auto setIfAny = [&p](const QString &key, const QString &value) {
        if (!value.isEmpty())
            p.kafkaProperties.insert(key, value);
    };
    if (m_securityProtocol->currentText() != QLatin1String("PLAINTEXT"))
        setIfAny(QStringLiteral("security.protocol"), m_securityProtocol->currentText());
    setIfAny(QStringLiteral("sasl.mechanisms"), m_saslMechanism->currentText());
    setIfAny(QStringLiteral("sasl.username"), m_saslUser->text().trimmed());
    setIfAny(QStringLiteral("sasl.password"), m_saslPassword->text());
    setIfAny(QStringLiteral("ssl.ca.location"), m_sslCa->text().trimmed());
    for (auto it = m_kmsFields.cbegin(); it != m_kmsFields.cend(); ++it) {
        const QString value = it.value()->text();
        if (value.isEmpty())
            continue;
        p.kms[it.key().section(QLatin1Char('\n'), 0, 0)].insert(
            it.key().section(QLatin1Char('\n'), 1), value);
    }
    return p;
}

void ProfilesDialog::newProfile()
{
    ++m_job;
    m_editingName.clear();
    {
        const QSignalBlocker blocker(m_list);
        m_list->clearSelection();
        m_list->setCurrentRow(-1);
    }
    profiles::ConnectionProfile blank;
    blank.name = m_store->unusedCopyName(tr("New profile")).replace(tr(" (copy)"), QString());
    if (m_store->contains(blank.name))
        blank.name = m_store->unusedCopyName(blank.name);
    showInForm(blank);
    setFormEnabled(true);
    showMessage(tr("Fill in the registry URL (and Kafka for record previews), then Save."), false);
    m_name->setFocus();
    m_name->selectAll();
}

void ProfilesDialog::duplicateProfile()
{
    if (m_editingName.isEmpty())
        return;
    profiles::ConnectionProfile copy = fromForm();
    copy.name = m_store->unusedCopyName(m_editingName);
    m_editingName.clear();
    showInForm(copy);
    setFormEnabled(true);
    saveProfile();
}

void ProfilesDialog::deleteProfile()
{
    const QString name = m_editingName;
    if (name.isEmpty())
        return;
    ConfirmationRequest request;
    request.title = tr("Delete profile");
    request.question =
        tr("Delete the connection profile '%1'? Nothing on the servers is changed.").arg(name);
    request.verb = tr("Delete profile");
    request.affectedHeading = tr("This also removes:");
    request.affected = {tr("the profile's settings in this account's Keywarden settings"),
                        tr("its secrets in %1").arg(m_store->secretsDescription())};
    ConfirmationDialog::ask(this, request, this, [this, name](bool confirmed) {
        if (confirmed && name == m_editingName)
            removeProfile(name);
    });
}

void ProfilesDialog::removeProfile(const QString &name)
{
    const quint64 job = ++m_job;
    kw::whenFinished(m_store->remove(name), this, [this, job, name](Result<void> removed) {
        m_editingName.clear();
        reloadList();
        showInForm(profiles::ConnectionProfile{});
        setFormEnabled(false);
        if (!removed) {
            // The settings are gone; only the keychain entry may remain.
            showMessage(tr("Deleted '%1', but its keychain entry could not be removed: %2")
                            .arg(name, removed.error().message),
                        true);
        } else if (job == m_job) {
            showMessage(tr("Deleted '%1'.").arg(name), false);
        }
    });
}

void ProfilesDialog::importProperties()
{
    const QString path = m_openFile();
    if (!path.isEmpty())
        importPropertiesFile(path);
}

void ProfilesDialog::importPropertiesFile(const QString &path)
{
    auto imported = profiles::importClientPropertiesFile(path);
    if (!imported) {
        showMessage(imported.error().message, true);
        return;
    }
    profiles::ConnectionProfile p = imported->profile;
    if (m_store->contains(p.name))
        p.name = m_store->unusedCopyName(p.name);
    ++m_job;
    m_editingName.clear();
    showInForm(p);
    setFormEnabled(true);
    QString text = tr("Imported %1. Check the settings, then Save.").arg(path);
    if (!imported->warnings.isEmpty())
        text += QLatin1Char('\n') + imported->warnings.join(QLatin1Char('\n'));
    showMessage(text, false);
}

void ProfilesDialog::saveProfile()
{
    const profiles::ConnectionProfile p = fromForm();
    if (p.name.isEmpty()) {
        showMessage(tr("Give the profile a name."), true);
        m_name->setFocus();
        return;
    }
    if (p.name != m_editingName && m_store->contains(p.name)) {
        showMessage(tr("A profile named '%1' exists already; choose another name.").arg(p.name),
                    true);
        m_name->setFocus();
        return;
    }
    if (!p.registry.baseUrl.isEmpty()) {
        if (const auto valid = p.registry.validate(); !valid) {
            showMessage(valid.error().message, true);
            return;
        }
    }
    const QString previous = m_editingName;
    const quint64 job = ++m_job;
    kw::whenFinished(m_store->save(p, previous), this, [this, job, p](Result<void> saved) {
        const QString code = saved ? QString() : saved.error().code;
        if (!saved && code != QLatin1String(profiles::ErrorNoKeychain) &&
            code != QLatin1String(profiles::ErrorKeychain)) {
            // Nothing was saved (the settings file could not be written): say so, change nothing.
            setFormEnabled(true);
            showMessage(tr("Could not save '%1': %2").arg(p.name, saved.error().message), true);
            return;
        }
        m_editingName = p.name;
        reloadList(p.name);
        setFormEnabled(true);
        if (!saved) {
            // Saved whole, its secrets for this session only (ProfileStore::save).
            if (code == QLatin1String(profiles::ErrorNoKeychain))
                m_keychainNote->setText(tr("No keychain is available: secrets are kept for this "
                                           "session only and asked for again next time."));
            showMessage(tr("Saved '%1' without its secrets: %2").arg(p.name, saved.error().message),
                        true);
        } else if (job == m_job) {
            showMessage(tr("Saved '%1'.").arg(p.name), false);
        }
        Q_EMIT profileSaved(p.name);
    });
}

void ProfilesDialog::testConnection()
{
    const profiles::ConnectionProfile p = fromForm();
    m_test->setEnabled(false);
    m_testResults->clear();
    m_testResults->show();
    for (const auto target :
         {profiles::ConnectionCheck::Target::SchemaRegistry,
          profiles::ConnectionCheck::Target::DekRegistry, profiles::ConnectionCheck::Target::Kafka,
          profiles::ConnectionCheck::Target::Kms}) {
        auto *item =
            new QTreeWidgetItem(m_testResults, {profiles::targetName(target), tr("Checking…")});
        item->setIcon(0, style()->standardIcon(QStyle::SP_BrowserReload));
    }
    kw::whenFinished(
        profiles::testConnection(p, this), this, [this](QList<profiles::ConnectionCheck> checks) {
            m_test->setEnabled(true);
            for (int i = 0; i < checks.size() && i < m_testResults->topLevelItemCount(); ++i) {
                const auto &c = checks[i];
                QTreeWidgetItem *item = m_testResults->topLevelItem(i);
                const bool ok = c.outcome == profiles::ConnectionCheck::Outcome::Passed;
                const bool skipped = c.outcome == profiles::ConnectionCheck::Outcome::Skipped;
                item->setText(1, (ok        ? tr("Passed: ")
                                  : skipped ? tr("Skipped: ")
                                            : tr("Failed: ")) +
                                     c.summary);
                item->setToolTip(1, c.error.isEmpty()
                                        ? c.summary
                                        : c.error.code + QStringLiteral(": ") + c.summary);
                item->setText(2, skipped ? QString() : tr("%1 ms").arg(c.elapsedMs));
                item->setIcon(0, style()->standardIcon(ok        ? QStyle::SP_DialogApplyButton
                                                       : skipped ? QStyle::SP_MessageBoxInformation
                                                                 : QStyle::SP_MessageBoxCritical));
                item->setData(0, Qt::UserRole, int(c.outcome));
                // One row per KEK under "KMS keys": which step failed and why.
                for (const services::KekTest &t : c.kekTests) {
                    const services::KekTestStep *bad = t.failedStep();
                    const bool kekOk = t.passed();
                    QString text;
                    if (kekOk) {
                        text = tr("Passed: wraps and unwraps");
                        if (t.keyState)
                            text += QStringLiteral("; ") + t.keyState->summary();
                    } else if (bad) {
                        text = tr("Failed at %1: %2")
                                   .arg(services::stepName(bad->kind), bad->error.message);
                    } else {
                        text = tr("Not tested");
                    }
                    // KEK names and KMS messages come from elsewhere: control characters escaped.
                    text = displaySafe(text);
                    auto *kekItem = new QTreeWidgetItem(item, {displaySafe(t.kekName), text});
                    kekItem->setToolTip(1,
                                        bad ? bad->error.code + QStringLiteral(": ") + text : text);
                    kekItem->setIcon(0,
                                     style()->standardIcon(kekOk ? QStyle::SP_DialogApplyButton
                                                                 : QStyle::SP_MessageBoxCritical));
                    kekItem->setData(0, Qt::UserRole, kekOk);
                }
                if (c.kekTests.size() > 0 &&
                    c.outcome == profiles::ConnectionCheck::Outcome::Failed)
                    item->setExpanded(true);
            }
        });
}

void ProfilesDialog::connectToProfile()
{
    const profiles::ConnectionProfile p = fromForm();
    if (p.registry.baseUrl.isEmpty()) {
        showMessage(tr("The profile has no registry URL."), true);
        return;
    }
    if (const auto valid = p.registry.validate(); !valid) {
        showMessage(valid.error().message, true);
        return;
    }
    Q_EMIT connectRequested(p);
    accept();
}

} // namespace kw
