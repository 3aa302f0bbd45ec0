// The connection profiles dialog driven like a user does: fill the form, save, duplicate,
// delete with confirmation, import a properties file, test a connection against the sandbox.

#include "core/kms/kms.h"
#include "core/sandbox/sandbox.h"
#include "core/services/profilestore.h"
#include "widgets/commands/command.h"
#include "widgets/dialogs/confirmationdialog.h"
#include "widgets/profiles/profilesdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QStyleOptionViewItem>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <memory>

using namespace kw;

class TestProfilesDialog : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::shared_ptr<profiles::MemorySecretStore> m_secrets;
    std::shared_ptr<profiles::ProfileStore> m_store;

    template<typename T>
    static T *find(QWidget *root, const char *name)
    {
        auto *w = root->findChild<T *>(QString::fromLatin1(name));
        if (!w)
            qFatal("no widget %s", name);
        return w;
    }

    static void setText(QWidget *root, const char *name, const QString &text)
    {
        auto *edit = find<QLineEdit>(root, name);
        edit->clear();
        QTest::keyClicks(edit, text);
    }

private Q_SLOTS:
    void init()
    {
        m_secrets = std::make_shared<profiles::MemorySecretStore>();
        m_store = std::make_shared<profiles::ProfileStore>(
            m_secrets, m_dir.filePath(QString::fromLatin1(QTest::currentTestFunction()) +
                                      QStringLiteral(".ini")));
    }

    void createSaveAndReload()
    {
        ProfilesDialog dialog(m_store);
        dialog.show();
        QTest::mouseClick(find<QPushButton>(&dialog, "newProfile"), Qt::LeftButton);
        setText(&dialog, "profileName", QStringLiteral("Prod EU"));
        setText(&dialog, "registryUrl", QStringLiteral("https://sr.example.com:8081"));
        find<QComboBox>(&dialog, "registryAuthKind")->setCurrentIndex(1);
        setText(&dialog, "registryKey", QStringLiteral("KEY1"));
        setText(&dialog, "registrySecret", QStringLiteral("very-secret"));
        QCOMPARE(find<QLineEdit>(&dialog, "registrySecret")->echoMode(), QLineEdit::Password);
        setText(&dialog, "kafkaBootstrap", QStringLiteral("broker:9092"));
        setText(&dialog, "kms-local-kms-secret", QStringLiteral("local-secret"));
        QVERIFY(!find<QLabel>(&dialog, "registryInsecureWarning")->isVisible());
        find<QCheckBox>(&dialog, "registryInsecure")->setChecked(true);
        QVERIFY(find<QLabel>(&dialog, "registryInsecureWarning")->isVisibleTo(&dialog));
        QTest::mouseClick(find<QPushButton>(&dialog, "saveProfile"), Qt::LeftButton);
        QTRY_COMPARE(m_store->names(), QStringList{QStringLiteral("Prod EU")});
        QTRY_COMPARE(dialog.currentName(), QStringLiteral("Prod EU")); // set when the save answers
        QCOMPARE(m_secrets->keys(), QStringList{QStringLiteral("profile/Prod EU")});

        // A second dialog reads it back, secrets included.
        ProfilesDialog again(m_store);
        again.show();
        again.selectProfile(QStringLiteral("Prod EU"));
        QTRY_COMPARE(find<QLineEdit>(&again, "registryUrl")->text(),
                     QStringLiteral("https://sr.example.com:8081"));
        QCOMPARE(find<QLineEdit>(&again, "registrySecret")->text(), QStringLiteral("very-secret"));
        QCOMPARE(find<QLineEdit>(&again, "kms-local-kms-secret")->text(),
                 QStringLiteral("local-secret"));
        QVERIFY(find<QCheckBox>(&again, "registryInsecure")->isChecked());
    }

    // The KMS tab is built from the drivers' declarations: one group per type, one field per
    // declared setting, masked exactly when the setting is secret, and a "no driver yet" note
    // on the types Keywarden cannot use yet.
    void kmsFieldsFollowTheDriversDeclarations()
    {
        ProfilesDialog dialog(m_store);
        dialog.show();
        for (const kms::KmsDriverInfo &info : kms::knownDrivers()) {
            auto *group = dialog.findChild<QGroupBox *>(QStringLiteral("kmsGroup-") + info.type);
            QVERIFY2(group, qPrintable(info.type));
            QVERIFY(group->title().contains(info.displayName));
            QCOMPARE(group->findChild<QLabel *>(QStringLiteral("kmsNoDriver-") + info.type) !=
                         nullptr,
                     !info.hasDriver);
            for (const kms::KmsSetting &setting : info.settings) {
                const QString name = QStringLiteral("kms-%1-%2").arg(info.type, setting.key);
                auto *edit = group->findChild<QLineEdit *>(name);
                QVERIFY2(edit, qPrintable(name));
                QCOMPARE(edit->echoMode(),
                         setting.secret ? QLineEdit::Password : QLineEdit::Normal);
                QVERIFY(edit->toolTip().contains(setting.key));
                auto *form = qobject_cast<QFormLayout *>(group->layout());
                QVERIFY(form);
                auto *label = qobject_cast<QLabel *>(form->labelForField(edit));
                QVERIFY2(label, qPrintable(name));
                QCOMPARE(label->text(), setting.label + QLatin1Char(':'));
            }
        }
        // Every type has its driver now: no "no driver yet" note anywhere.
        QVERIFY(!dialog.findChild<QLabel *>(QStringLiteral("kmsNoDriver-azure-kms")));
        QVERIFY(!dialog.findChild<QLabel *>(QStringLiteral("kmsNoDriver-local-kms")));
        // Named like a secret, declared as the key's name: shown in the clear.
        QCOMPARE(find<QLineEdit>(&dialog, "kms-gcp-kms-private.key.id")->echoMode(),
                 QLineEdit::Normal);
    }

    // azure-kms and gcp-kms both have a "client.id": the dialog keeps them apart.
    void sameSettingNameOfTwoTypesStaysApart()
    {
        ProfilesDialog dialog(m_store);
        dialog.show();
        QTest::mouseClick(find<QPushButton>(&dialog, "newProfile"), Qt::LeftButton);
        setText(&dialog, "profileName", QStringLiteral("clouds"));
        setText(&dialog, "registryUrl", QStringLiteral("https://sr.example.com:8081"));
        setText(&dialog, "kms-azure-kms-client.id", QStringLiteral("azure-app"));
        setText(&dialog, "kms-gcp-kms-client.id", QStringLiteral("gcp-sa"));
        QTest::mouseClick(find<QPushButton>(&dialog, "saveProfile"), Qt::LeftButton);
        QTRY_COMPARE(m_store->names(), QStringList{QStringLiteral("clouds")});
        const auto saved = m_store->loadWithoutSecrets(QStringLiteral("clouds"));
        QVERIFY(saved);
        QCOMPARE(saved->kms.value(QStringLiteral("azure-kms")).value(QStringLiteral("client.id")),
                 QStringLiteral("azure-app"));
        QCOMPARE(saved->kms.value(QStringLiteral("gcp-kms")).value(QStringLiteral("client.id")),
                 QStringLiteral("gcp-sa"));

        ProfilesDialog again(m_store);
        again.show();
        again.selectProfile(QStringLiteral("clouds"));
        QTRY_COMPARE(find<QLineEdit>(&again, "kms-azure-kms-client.id")->text(),
                     QStringLiteral("azure-app"));
        QCOMPARE(find<QLineEdit>(&again, "kms-gcp-kms-client.id")->text(),
                 QStringLiteral("gcp-sa"));
    }

    void duplicateAndDelete()
    {
        ProfilesDialog dialog(m_store);
        dialog.show();
        QTest::mouseClick(find<QPushButton>(&dialog, "newProfile"), Qt::LeftButton);
        setText(&dialog, "profileName", QStringLiteral("dev"));
        setText(&dialog, "registryUrl", QStringLiteral("http://localhost:8081"));
        QTest::mouseClick(find<QPushButton>(&dialog, "saveProfile"), Qt::LeftButton);
        QTRY_COMPARE(dialog.currentName(), QStringLiteral("dev"));
        QTRY_VERIFY(find<QPushButton>(&dialog, "duplicateProfile")->isEnabled());
        QTest::mouseClick(find<QPushButton>(&dialog, "duplicateProfile"), Qt::LeftButton);
        QTRY_COMPARE(m_store->names(),
                     (QStringList{QStringLiteral("dev"), QStringLiteral("dev (copy)")}));
        QTRY_COMPARE(dialog.currentName(), QStringLiteral("dev (copy)"));

        // Cancelled confirmation: nothing happens.
        QTRY_VERIFY(find<QPushButton>(&dialog, "deleteProfile")->isEnabled());
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Cancelled);
        QTest::mouseClick(find<QPushButton>(&dialog, "deleteProfile"), Qt::LeftButton);
        QVERIFY(ConfirmationDialog::lastRequest().has_value());
        const ConfirmationRequest asked = *ConfirmationDialog::lastRequest();
        QVERIFY(asked.question.contains(QStringLiteral("'dev (copy)'")));
        QCOMPARE(asked.verb, QStringLiteral("Delete profile"));
        QCOMPARE(asked.affected.size(), 2);
        QVERIFY(asked.affected.at(1).contains(m_store->secretsDescription()));
        QCoreApplication::processEvents();
        QCOMPARE(m_store->names().size(), 2);
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        QTest::mouseClick(find<QPushButton>(&dialog, "deleteProfile"), Qt::LeftButton);
        QTRY_COMPARE(m_store->names(), QStringList{QStringLiteral("dev")});
        // The button shows the command's state, whichever profile the form holds now.
        QAction *remove =
            dialog.commands()->command(QStringLiteral("actionDeleteProfile"))->action();
        QCOMPARE(find<QPushButton>(&dialog, "deleteProfile")->isEnabled(), remove->isEnabled());
        remove->setEnabled(!remove->isEnabled());
        QCOMPARE(find<QPushButton>(&dialog, "deleteProfile")->isEnabled(), remove->isEnabled());
        dialog.commands()->updateEnabled();
    }

    void deleteThroughTheCommand()
    {
        ProfilesDialog dialog(m_store);
        dialog.show();
        QTest::mouseClick(find<QPushButton>(&dialog, "newProfile"), Qt::LeftButton);
        setText(&dialog, "profileName", QStringLiteral("staging"));
        setText(&dialog, "registryUrl", QStringLiteral("http://localhost:8081"));
        QTest::mouseClick(find<QPushButton>(&dialog, "saveProfile"), Qt::LeftButton);
        QTRY_COMPARE(dialog.currentName(), QStringLiteral("staging"));

        // The list's context menu offers the dialog's commands.
        auto *menu = find<QMenu>(&dialog, "profileListContextMenu");
        QStringList names;
        for (QAction *action : menu->actions())
            names << action->objectName();
        QVERIFY(names.contains(QStringLiteral("actionDeleteProfile")));
        QVERIFY(names.contains(QStringLiteral("actionConnectProfile")));

        CommandController *commands = dialog.commands();
        QTRY_VERIFY(
            commands->command(QStringLiteral("actionDeleteProfile"))->action()->isEnabled());
        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Cancelled);
        QVERIFY(commands->trigger(QStringLiteral("actionDeleteProfile")));
        QCOMPARE(ConfirmationDialog::lastRequest()->verb, QStringLiteral("Delete profile"));
        QCoreApplication::processEvents();
        QVERIFY(m_store->names().contains(QStringLiteral("staging")));

        ConfirmationDialog::setNextAnswer(ConfirmationDialog::Answer::Confirmed);
        QVERIFY(commands->trigger(QStringLiteral("actionDeleteProfile")));
        QTRY_VERIFY(!m_store->names().contains(QStringLiteral("staging")));
    }

    void importAPropertiesFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("cloud.properties"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("bootstrap.servers=pkc-1.example:9092\nsecurity.protocol=SASL_SSL\nsasl.mechanism="
                "PLAIN\n"
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
                "username=\"K\" password=\"P\";\nschema.registry.url=https://psrc-1.example\n"
                "basic.auth.credentials.source=USER_INFO\nbasic.auth.user.info=SR:SS\nacks=all\n");
        f.close();
        ProfilesDialog dialog(m_store);
        dialog.setOpenFile([path] { return path; });
        dialog.show();
        QTest::mouseClick(find<QPushButton>(&dialog, "importProfile"), Qt::LeftButton);
        QCOMPARE(find<QLineEdit>(&dialog, "profileName")->text(), QStringLiteral("cloud"));
        QCOMPARE(find<QLineEdit>(&dialog, "registryUrl")->text(),
                 QStringLiteral("https://psrc-1.example"));
        QCOMPARE(find<QLineEdit>(&dialog, "registrySecret")->text(), QStringLiteral("SS"));
        QCOMPARE(find<QLineEdit>(&dialog, "kafkaSaslUsername")->text(), QStringLiteral("K"));
        QCOMPARE(find<QLineEdit>(&dialog, "kafkaSaslPassword")->text(), QStringLiteral("P"));
        QCOMPARE(find<QComboBox>(&dialog, "kafkaSecurityProtocol")->currentText(),
                 QStringLiteral("SASL_SSL"));
        // The ignored Java setting is named in the message.
        QVERIFY(find<QLabel>(&dialog, "profileMessage")->text().contains(QLatin1String("acks")));
        QTest::mouseClick(find<QPushButton>(&dialog, "saveProfile"), Qt::LeftButton);
        QTRY_COMPARE(m_store->names(), QStringList{QStringLiteral("cloud")});

        // A broken file: a clear message, nothing saved.
        dialog.importPropertiesFile(m_dir.filePath(QStringLiteral("missing.properties")));
        QVERIFY(find<QLabel>(&dialog, "profileMessage")
                    ->text()
                    .contains(QLatin1String("missing.properties")));
        QCOMPARE(m_store->names().size(), 1);
    }

    // The value of a secret property in the table of other librdkafka properties is masked
    // on screen and edited in a password field; a plain one is shown and edited as it is.
    void secretPropertyValuesAreMasked()
    {
        const QString path = m_dir.filePath(QStringLiteral("ssl.properties"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("bootstrap.servers=broker:9093\nsecurity.protocol=SSL\n"
                "ssl.key.password=keypass\nclient.id=console-1\n");
        f.close();
        ProfilesDialog dialog(m_store);
        dialog.show();
        dialog.importPropertiesFile(path);
        auto *table = find<QTableWidget>(&dialog, "kafkaProperties");
        auto *tabs = find<QTabWidget>(&dialog, "profileTabs");
        tabs->setCurrentIndex(1);
        QTableWidgetItem *secret = nullptr;
        QTableWidgetItem *plain = nullptr;
        for (int r = 0; r < table->rowCount(); ++r) {
            const QString name = table->item(r, 0)->text();
            if (name == QLatin1String("ssl.key.password"))
                secret = table->item(r, 1);
            else if (name == QLatin1String("client.id"))
                plain = table->item(r, 1);
        }
        QVERIFY(secret && plain);
        QCOMPARE(secret->text(), QStringLiteral("keypass"));

        // What is painted does not depend on the secret's value, but does on a plain one's.
        const auto painted = [table](QTableWidgetItem *item, const QString &value) {
            item->setText(value);
            table->viewport()->repaint();
            return table->viewport()->grab(table->visualItemRect(item)).toImage();
        };
        QCOMPARE(painted(secret, QStringLiteral("keypass")),
                 painted(secret, QStringLiteral("another")));
        QVERIFY(painted(plain, QStringLiteral("console-1")) !=
                painted(plain, QStringLiteral("console-2")));

        QAbstractItemDelegate *delegate = table->itemDelegateForColumn(1);
        QVERIFY(delegate);
        const auto echo = [&](QTableWidgetItem *item) {
            std::unique_ptr<QWidget> editor(delegate->createEditor(
                table->viewport(), QStyleOptionViewItem(), table->indexFromItem(item)));
            auto *line = qobject_cast<QLineEdit *>(editor.get());
            return line ? line->echoMode() : QLineEdit::NoEcho;
        };
        QCOMPARE(echo(secret), QLineEdit::Password);
        QCOMPARE(echo(plain), QLineEdit::Normal);
    }

    // A settings file that cannot be written: the dialog says nothing was saved, and the
    // profile does not appear as saved (no half-saved profile in the list).
    void unwritableSettingsSaveNothing()
    {
        const QString blocker = m_dir.filePath(QStringLiteral("not-a-folder"));
        QFile f(blocker);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        auto store = std::make_shared<profiles::ProfileStore>(
            m_secrets, blocker + QStringLiteral("/profiles.ini"));
        ProfilesDialog dialog(store);
        QSignalSpy saved(&dialog, &ProfilesDialog::profileSaved);
        dialog.show();
        QTest::mouseClick(find<QPushButton>(&dialog, "newProfile"), Qt::LeftButton);
        setText(&dialog, "profileName", QStringLiteral("nowhere"));
        setText(&dialog, "registryUrl", QStringLiteral("http://localhost:8081"));
        QTest::mouseClick(find<QPushButton>(&dialog, "saveProfile"), Qt::LeftButton);
        auto *message = find<QLabel>(&dialog, "profileMessage");
        QTRY_VERIFY(message->text().contains(QLatin1String("Could not save 'nowhere'")));
        QVERIFY2(message->text().contains(QLatin1String("profiles.ini")),
                 qPrintable(message->text()));
        QCOMPARE(saved.count(), 0);
        QCOMPARE(find<QListWidget>(&dialog, "profileList")->count(), 0);
        QVERIFY(dialog.currentName().isEmpty());
    }

    void testConnectionShowsEachPart()
    {
        sandbox::Sandbox sandbox;
        QVERIFY(sandbox.start());
        ProfilesDialog dialog(m_store);
        dialog.show();
        QTest::mouseClick(find<QPushButton>(&dialog, "newProfile"), Qt::LeftButton);
        setText(&dialog, "registryUrl", sandbox.registryUrl());
        setText(&dialog, "kafkaBootstrap", QStringLiteral("127.0.0.1:1"));
        QTest::mouseClick(find<QPushButton>(&dialog, "testConnection"), Qt::LeftButton);
        auto *results = find<QTreeWidget>(&dialog, "testResults");
        QCOMPARE(results->topLevelItemCount(), 4);
        QCOMPARE(results->topLevelItem(3)->text(0), QStringLiteral("KMS keys"));
        QTRY_VERIFY_WITH_TIMEOUT(results->topLevelItem(2)->data(0, Qt::UserRole).isValid(), 30000);
        QVERIFY2(results->topLevelItem(0)->text(1).startsWith(QLatin1String("Passed")),
                 qPrintable(results->topLevelItem(0)->text(1)));
        QVERIFY(results->topLevelItem(1)->text(1).startsWith(QLatin1String("Passed")));
        QVERIFY2(results->topLevelItem(2)->text(1).startsWith(QLatin1String("Failed")),
                 qPrintable(results->topLevelItem(2)->text(1)));
    }

    void connectEmitsTheFormsProfile()
    {
        ProfilesDialog dialog(m_store);
        dialog.show();
        QSignalSpy spy(&dialog, &ProfilesDialog::connectRequested);
        QTest::mouseClick(find<QPushButton>(&dialog, "newProfile"), Qt::LeftButton);
        setText(&dialog, "registryUrl", QStringLiteral("http://localhost:8081"));
        QTest::mouseClick(find<QPushButton>(&dialog, "connectProfile"), Qt::LeftButton);
        QCOMPARE(spy.count(), 1);
        const auto p = spy.first().first().value<profiles::ConnectionProfile>();
        QCOMPARE(p.registry.baseUrl.toString(), QStringLiteral("http://localhost:8081"));
    }
};

QTEST_MAIN(TestProfilesDialog)
#include "tst_profilesdialog.moc"
