#include "profiles/profilestore.h"

#include <QFile>
#include <QFutureWatcher>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace kw;
using namespace kw::profiles;

namespace {

template<typename T>
T waitFor(QFuture<T> future)
{
    QFutureWatcher<T> watcher;
    QSignalSpy finished(&watcher, &QFutureWatcherBase::finished);
    watcher.setFuture(future);
    if (!future.isFinished())
        [&] {
            QVERIFY(finished.wait(20000));
        }();
    return future.result();
}

ConnectionProfile sample(const QString &name)
{
    ConnectionProfile p;
    p.name = name;
    p.registry.baseUrl = QUrl(QStringLiteral("https://psrc-123.eu-west-1.aws.confluent.cloud"));
    p.registry.auth =
        registry::AuthSettings::basic(QStringLiteral("SRKEY"), QStringLiteral("sr-secret-value"));
    p.registry.tls.caFile = QStringLiteral("/etc/ssl/ca.pem");
    p.registry.timeoutMs = 12000;
    p.bootstrapServers = QStringLiteral("pkc-1.eu-west-1.aws.confluent.cloud:9092");
    p.kafkaProperties.insert(QStringLiteral("security.protocol"), QStringLiteral("SASL_SSL"));
    p.kafkaProperties.insert(QStringLiteral("sasl.mechanisms"), QStringLiteral("PLAIN"));
    p.kafkaProperties.insert(QStringLiteral("sasl.username"), QStringLiteral("KAFKAKEY"));
    p.kafkaProperties.insert(QStringLiteral("sasl.password"), QStringLiteral("kafka-secret-value"));
    p.kms[QStringLiteral("local-kms")].insert(QStringLiteral("secret"),
                                              QStringLiteral("local-secret-value"));
    p.kms[QStringLiteral("aws-kms")].insert(QStringLiteral("access.key.id"),
                                            QStringLiteral("AKIA1"));
    p.kms[QStringLiteral("aws-kms")].insert(QStringLiteral("secret.access.key"),
                                            QStringLiteral("aws-secret-value"));
    return p;
}

} // namespace

class TestProfileStore : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString iniPath(const QString &name) const
    {
        return m_dir.filePath(name + QStringLiteral(".ini"));
    }

private Q_SLOTS:
    void saveAndLoadRoundTrip()
    {
        auto secrets = std::make_shared<MemorySecretStore>();
        ProfileStore store(secrets, iniPath(QStringLiteral("roundtrip")));
        const ConnectionProfile p = sample(QStringLiteral("Prod / EU"));
        QVERIFY(waitFor(store.save(p)));
        QCOMPARE(store.names(), QStringList{QStringLiteral("Prod / EU")});

        auto loaded = waitFor(store.load(QStringLiteral("Prod / EU")));
        QVERIFY2(loaded, qPrintable(loaded.error().message));
        QVERIFY(loaded->secretsError.isEmpty());
        const ConnectionProfile &l = loaded->profile;
        QCOMPARE(l.registry.baseUrl, p.registry.baseUrl);
        QCOMPARE(l.registry.auth.kind, registry::AuthSettings::Kind::Basic);
        QCOMPARE(l.registry.auth.basicKey, QStringLiteral("SRKEY"));
        QCOMPARE(l.registry.auth.basicSecret, QStringLiteral("sr-secret-value"));
        QCOMPARE(l.registry.tls.caFile, QStringLiteral("/etc/ssl/ca.pem"));
        QCOMPARE(l.registry.timeoutMs, 12000);
        QCOMPARE(l.bootstrapServers, p.bootstrapServers);
        QCOMPARE(l.kafkaProperties, p.kafkaProperties);
        QCOMPARE(l.kms, p.kms);
        QCOMPARE(l.kmsConfig().value(QStringLiteral("secret")),
                 QStringLiteral("local-secret-value"));
    }

    void secretsNeverReachTheSettingsFile()
    {
        auto secrets = std::make_shared<MemorySecretStore>();
        const QString ini = iniPath(QStringLiteral("nosecrets"));
        ProfileStore store(secrets, ini);
        QVERIFY(waitFor(store.save(sample(QStringLiteral("prod")))));
        QFile file(ini);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("psrc-123")); // the file really is the profile
        for (const char *secret :
             {"sr-secret-value", "kafka-secret-value", "local-secret-value", "aws-secret-value"})
            QVERIFY2(!text.contains(secret), secret);
        // ... and all of them are in the secret store, under one entry for the profile.
        QCOMPARE(secrets->keys(), QStringList{QStringLiteral("profile/prod")});
        const QByteArray blob = waitFor(secrets->read(QStringLiteral("profile/prod"))).value();
        for (const char *secret :
             {"sr-secret-value", "kafka-secret-value", "local-secret-value", "aws-secret-value"})
            QVERIFY2(blob.contains(secret), secret);
    }

    void renameAndRemove()
    {
        auto secrets = std::make_shared<MemorySecretStore>();
        ProfileStore store(secrets, iniPath(QStringLiteral("rename")));
        QVERIFY(waitFor(store.save(sample(QStringLiteral("old")))));
        ConnectionProfile renamed = sample(QStringLiteral("new"));
        QVERIFY(waitFor(store.save(renamed, QStringLiteral("old"))));
        QCOMPARE(store.names(), QStringList{QStringLiteral("new")});
        QCOMPARE(secrets->keys(), QStringList{QStringLiteral("profile/new")});
        QVERIFY(waitFor(store.remove(QStringLiteral("new"))));
        QVERIFY(store.names().isEmpty());
        QVERIFY(secrets->keys().isEmpty());
        auto missing = waitFor(store.load(QStringLiteral("new")));
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, QString(ErrorUnknownProfile));
    }

    void copyNames()
    {
        ProfileStore store(std::make_shared<MemorySecretStore>(),
                           iniPath(QStringLiteral("copies")));
        QVERIFY(waitFor(store.save(sample(QStringLiteral("prod")))));
        QCOMPARE(store.unusedCopyName(QStringLiteral("prod")), QStringLiteral("prod (copy)"));
        QVERIFY(waitFor(store.save(sample(QStringLiteral("prod (copy)")))));
        QCOMPARE(store.unusedCopyName(QStringLiteral("prod")), QStringLiteral("prod (copy 2)"));
    }

    void invalidProfilesAreRefused()
    {
        ProfileStore store(std::make_shared<MemorySecretStore>(),
                           iniPath(QStringLiteral("invalid")));
        auto unnamed = waitFor(store.save(sample(QString())));
        QVERIFY(!unnamed);
        QCOMPARE(unnamed.error().code, QString(ErrorInvalidProfile));
        ConnectionProfile demo = sample(QStringLiteral("demo"));
        demo.sandbox = true;
        QVERIFY(!waitFor(store.save(demo)));
        QVERIFY(store.names().isEmpty());
    }

    // The system keychain on a machine without one (CI: no D-Bus session): every call says so
    // with ErrorNoKeychain or a keychain error, and the store keeps the secrets for the
    // session and says why.
    void noKeychainBackendKeepsSecretsForTheSession()
    {
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/keywarden-test-bus");
        auto keychain = std::make_shared<KeychainSecretStore>(QStringLiteral("keywarden-test"));
        auto read = waitFor(keychain->read(QStringLiteral("anything")));
        QVERIFY(!read);
        QVERIFY2(read.error().code == QLatin1String(ErrorNoKeychain) ||
                     read.error().code == QLatin1String(ErrorKeychain),
                 qPrintable(read.error().code + QStringLiteral(": ") + read.error().message));
        QVERIFY(!read.error().message.isEmpty());

        ProfileStore store(keychain, iniPath(QStringLiteral("nokeychain")));
        auto saved = waitFor(store.save(sample(QStringLiteral("prod"))));
        QVERIFY(!saved); // the caller learns the secrets are not in a keychain ...
        QVERIFY(store.contains(QStringLiteral("prod"))); // ... but the profile is saved
        auto loaded = waitFor(store.load(QStringLiteral("prod")));
        QVERIFY(loaded);
        QVERIFY(loaded->secretsError.isEmpty()); // kept for this session
        QCOMPARE(loaded->profile.registry.auth.basicSecret, QStringLiteral("sr-secret-value"));

        // A new session (a new store) has no secrets and says why.
        ProfileStore nextSession(keychain, iniPath(QStringLiteral("nokeychain")));
        auto later = waitFor(nextSession.load(QStringLiteral("prod")));
        QVERIFY(later);
        QVERIFY(!later->secretsError.isEmpty());
        QVERIFY(later->profile.registry.auth.basicSecret.isEmpty());
        QCOMPARE(later->profile.registry.auth.basicKey, QStringLiteral("SRKEY"));
    }
};

QTEST_GUILESS_MAIN(TestProfileStore)
#include "tst_profilestore.moc"
