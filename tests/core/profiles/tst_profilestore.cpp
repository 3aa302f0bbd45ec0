#include "core/domain/readyfuture.h"
#include "core/kms/kms.h"
#include "core/services/profilestore.h"

#include <QFile>
#include <QFutureWatcher>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <cstring>

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

// The system keychain as a test sees it: entries that outlive a ProfileStore (a session), and
// a switch for "no keychain service", which fails every call as KeychainSecretStore does then.
class SwitchableKeychain final : public SecretStore
{
public:
    bool available = true;

    QFuture<Result<QByteArray>> read(const QString &key) override
    {
        if (!available)
            return readyFuture(Result<QByteArray>(unavailable()));
        return m_entries.read(key);
    }
    QFuture<Result<void>> write(const QString &key, const QByteArray &secret) override
    {
        if (!available)
            return readyFuture(Result<void>(unavailable()));
        return m_entries.write(key, secret);
    }
    QFuture<Result<void>> remove(const QString &key) override
    {
        if (!available)
            return readyFuture(Result<void>(unavailable()));
        return m_entries.remove(key);
    }
    QString description() const override { return QStringLiteral("the test keychain"); }

private:
    static Error unavailable()
    {
        return makeError(QString(ErrorNoKeychain),
                         QStringLiteral("No keychain service is available (test)."));
    }
    MemorySecretStore m_entries;
};

QByteArray fileText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Every property name in librdkafka's configuration table (CONFIGURATION.md), as the linked
// version prints it.
QStringList librdkafkaPropertyNames()
{
    std::FILE *out = std::tmpfile();
    if (!out)
        return {};
    rd_kafka_conf_properties_show(out);
    std::rewind(out);
    QByteArray text;
    char chunk[4096];
    for (size_t n; (n = std::fread(chunk, 1, sizeof chunk, out)) > 0;)
        text.append(chunk, static_cast<qsizetype>(n));
    std::fclose(out);
    QStringList names;
    for (const QByteArray &line : text.split('\n')) {
        const qsizetype bar = line.indexOf('|');
        if (bar <= 0)
            continue;
        const QString name = QString::fromUtf8(line.left(bar)).trimmed();
        if (name.isEmpty() || name == QLatin1String("Property") ||
            name.startsWith(QLatin1Char('-')))
            continue;
        names.append(name);
    }
    names.removeDuplicates();
    return names;
}

// librdkafka prints its configuration at startup with debug=conf, writing "[redacted]" for the
// values of the properties it treats as sensitive; nothing else of the library exposes that flag
// (rd_kafka_conf_dump and the CONFIGURATION.md table do not mark them).
enum class Sensitivity
{
    Sensitive,
    NotSensitive,
    NotInThisBuild, // e.g. the OAuth/OIDC properties of a build without libcurl (Debian's 2.0.2)
    NotProbed       // not a string (numbers, enums, callbacks), or refused on its own
};

void noteRedaction(const rd_kafka_t *rk, int, const char *facility, const char *line)
{
    if (std::strcmp(facility, "CONF") == 0 && std::strstr(line, "= [redacted]"))
        *static_cast<bool *>(rd_kafka_opaque(rk)) = true;
}

Sensitivity librdkafkaSensitivity(const QString &name)
{
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    // Sensitive properties are strings; others (numbers, enums) refuse "x" and say nothing.
    if (rd_kafka_conf_set(conf, name.toUtf8().constData(), "x", error, sizeof error) !=
        RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return std::strstr(error, "not supported in this build") ? Sensitivity::NotInThisBuild
                                                                 : Sensitivity::NotProbed;
    }
    bool redacted = false;
    rd_kafka_conf_set(conf, "debug", "conf", error, sizeof error);
    rd_kafka_conf_set_log_cb(conf, noteRedaction);
    rd_kafka_conf_set_opaque(conf, &redacted);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return Sensitivity::NotProbed;
    }
    rd_kafka_destroy(rk);
    return redacted ? Sensitivity::Sensitive : Sensitivity::NotSensitive;
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
    void classifiesSecretsByRule_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("secret");
        for (const char *name :
             {"sasl.oauthbearer.assertion.private.key.passphrase", "ssl.key.password",
              "sasl.password", "ssl.keystore.password", "sasl.oauthbearer.client.secret",
              "ssl.key.pem", "ssl_key", "ssl.key.location",
              "sasl.oauthbearer.assertion.private.key.pem",
              "sasl.oauthbearer.assertion.private.key.file", "SASL.Password", " ssl.key.password ",
              "sasl.jaas.config", "sasl.oauthbearer.config", "sasl.username", "ssl.ca.pem",
              "bearer.auth.token", "some.future.secret.value", "client-key.pem",
              // KMS settings
              "secret", "secret.access.key", "client.secret", "token", "token.id",
              "approle.secret.id", "session.token", "client.key", "account.key", "private.key",
              "private.key.id"})
            QTest::newRow(name) << QString::fromLatin1(name) << true;
        for (const char *name :
             {"bootstrap.servers", "ssl.ca.location", "sasl.mechanism", "sasl.mechanisms",
              "security.protocol", "ssl.endpoint.identification.algorithm", "client.id", "group.id",
              "ssl.certificate.location", "ssl.keystore.location",
              "sasl.oauthbearer.token.endpoint.url", "sasl.oauthbearer.client.id",
              "sasl.kerberos.keytab", "enable.ssl.certificate.verification",
              // KMS settings
              "access.key.id", "profile", "role.arn", "tenant.id", "client.email", "namespace",
              "approle.role.id"})
            QTest::newRow(name) << QString::fromLatin1(name) << false;
    }

    void classifiesSecretsByRule()
    {
        QFETCH(QString, name);
        QFETCH(bool, secret);
        QCOMPARE(isSecretProperty(name), secret);
    }

    // The properties librdkafka itself treats as sensitive, in the version linked here (Debian
    // 12: 2.0.2; newer on other builders), are all secret by our rule; common plain ones are not.
    void classificationCoversLibrdkafkasSensitiveProperties()
    {
        const QStringList names = librdkafkaPropertyNames();
        QVERIFY2(names.size() > 100, qPrintable(names.join(QLatin1Char(' '))));
        QVERIFY(names.contains(QStringLiteral("bootstrap.servers")));
        QStringList sensitive, notInThisBuild, broader;
        for (const QString &name : names) {
            switch (librdkafkaSensitivity(name)) {
            case Sensitivity::Sensitive:
                sensitive.append(name);
                break;
            case Sensitivity::NotInThisBuild:
                notInThisBuild.append(
                    name + (isSecretProperty(name) ? QStringLiteral(" (secret)") : QString()));
                break;
            case Sensitivity::NotSensitive:
                if (isSecretProperty(name))
                    broader.append(name);
                break;
            case Sensitivity::NotProbed:
                break;
            }
        }
        qInfo("librdkafka %s: %lld properties; sensitive: %s", rd_kafka_version_str(),
              static_cast<long long>(names.size()),
              qPrintable(sensitive.join(QLatin1String(", "))));
        qInfo("secret by our rule only: %s", qPrintable(broader.join(QLatin1String(", "))));
        qInfo("not in this build, so not probed: %s",
              qPrintable(notInThisBuild.join(QLatin1String(", "))));
        // The probe really sees librdkafka's flag.
        QVERIFY2(sensitive.contains(QStringLiteral("sasl.password")),
                 qPrintable(sensitive.join(QLatin1String(", "))));
        for (const QString &name : sensitive)
            QVERIFY2(isSecretProperty(name), qPrintable(name + QStringLiteral(" is sensitive to "
                                                                              "librdkafka")));
        for (const char *plain :
             {"bootstrap.servers", "ssl.ca.location", "sasl.mechanism", "security.protocol",
              "ssl.endpoint.identification.algorithm", "client.id", "group.id"}) {
            const QString name = QString::fromLatin1(plain);
            QVERIFY2(names.contains(name), plain);
            QVERIFY2(!sensitive.contains(name), plain);
            QVERIFY2(!isSecretProperty(name), plain);
        }
    }

    // What -X sasl.oauthbearer.assertion.private.key.passphrase=... and the other secret
    // properties of newer librdkafka versions put in a profile goes to the keychain only.
    void secretKafkaPropertiesStayOutOfTheSettingsFile_data()
    {
        QTest::addColumn<QString>("property");
        for (const char *name :
             {"sasl.oauthbearer.assertion.private.key.passphrase",
              "sasl.oauthbearer.assertion.private.key.pem", "ssl.keystore.password", "ssl.key.pem",
              "ssl.key.password", "sasl.oauthbearer.client.secret"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void secretKafkaPropertiesStayOutOfTheSettingsFile()
    {
        QFETCH(QString, property);
        auto keychain = std::make_shared<MemorySecretStore>();
        const QString ini = iniPath(QStringLiteral("xsecret"));
        ProfileStore store(keychain, ini);
        ConnectionProfile p = sample(QStringLiteral("prod"));
        p.kafkaProperties.insert(property, QStringLiteral("x-secret-value-4711"));
        p.kafkaProperties.insert(QStringLiteral("ssl.ca.location"), QStringLiteral("/etc/ca.pem"));
        QVERIFY(waitFor(store.save(p)));
        const QByteArray text = fileText(ini);
        QVERIFY(text.contains("/etc/ca.pem"));
        QVERIFY2(!text.contains("x-secret-value-4711"), text.constData());
        QVERIFY(!text.contains(QUrl::toPercentEncoding(property)));
        QVERIFY(waitFor(keychain->read(QStringLiteral("profile/prod")))
                    .value()
                    .contains("x-secret-value-4711"));
        ProfileStore nextSession(keychain, ini);
        auto loaded = waitFor(nextSession.load(QStringLiteral("prod")));
        QVERIFY(loaded);
        QVERIFY(loaded->secretsError.isEmpty());
        QCOMPARE(loaded->profile.kafkaProperties, p.kafkaProperties);
    }

    // No keychain service: the whole profile is saved, nothing secret is written anywhere, the
    // caller is told, and the secrets live for this session only.
    void noKeychainWritesNothingSecret()
    {
        auto keychain = std::make_shared<SwitchableKeychain>();
        keychain->available = false;
        const QString ini = iniPath(QStringLiteral("switchable-none"));
        ProfileStore store(keychain, ini);
        ConnectionProfile p = sample(QStringLiteral("prod"));
        p.kafkaProperties.insert(
            QStringLiteral("sasl.oauthbearer.assertion.private.key.passphrase"),
            QStringLiteral("assertion-passphrase-value"));
        auto saved = waitFor(store.save(p));
        QVERIFY(!saved);
        QCOMPARE(saved.error().code, QString(ErrorNoKeychain));
        const QByteArray text = fileText(ini);
        QVERIFY(text.contains("pkc-1.eu-west-1")); // the plain settings are all there
        for (const char *secret : {"sr-secret-value", "kafka-secret-value", "local-secret-value",
                                   "aws-secret-value", "assertion-passphrase-value", "KAFKAKEY"})
            QVERIFY2(!text.contains(secret), secret);

        auto loaded = waitFor(store.load(QStringLiteral("prod")));
        QVERIFY(loaded);
        QVERIFY(loaded->secretsError.isEmpty());
        QCOMPARE(loaded->profile.kafkaProperties, p.kafkaProperties);
        QCOMPARE(loaded->profile.kms, p.kms);

        ProfileStore nextSession(keychain, ini);
        auto later = waitFor(nextSession.load(QStringLiteral("prod")));
        QVERIFY(later);
        QCOMPARE(later->secretsError.code, QString(ErrorNoKeychain));
        QCOMPARE(later->profile.bootstrapServers, p.bootstrapServers);
        QCOMPARE(later->profile.kafkaProperties.value(QStringLiteral("security.protocol")),
                 QStringLiteral("SASL_SSL"));
        for (auto it = later->profile.kafkaProperties.cbegin();
             it != later->profile.kafkaProperties.cend(); ++it)
            QVERIFY2(!isSecretProperty(it.key()), qPrintable(it.key()));
    }

    // A save that cannot reach the keychain is not half a save: when the keychain is back, the
    // secrets of the save before never come back with the newer settings.
    void aSaveWithoutKeychainNeverRevivesOlderSecrets()
    {
        auto keychain = std::make_shared<SwitchableKeychain>();
        const QString ini = iniPath(QStringLiteral("switchable-stale"));
        ConnectionProfile v1 = sample(QStringLiteral("prod"));
        v1.kafkaProperties.insert(QStringLiteral("ssl.key.password"), QStringLiteral("v1-keypass"));
        ConnectionProfile v2 = sample(QStringLiteral("prod"));
        v2.bootstrapServers = QStringLiteral("v2-broker:9092");
        v2.kafkaProperties.insert(QStringLiteral("sasl.password"), QStringLiteral("v2-password"));
        {
            ProfileStore store(keychain, ini);
            QVERIFY(waitFor(store.save(v1)));
            keychain->available = false;
            QVERIFY(!waitFor(store.save(v2)));
        }
        keychain->available = true;
        ProfileStore nextSession(keychain, ini);
        auto loaded = waitFor(nextSession.load(QStringLiteral("prod")));
        QVERIFY(loaded);
        QCOMPARE(loaded->profile.bootstrapServers, QStringLiteral("v2-broker:9092"));
        QCOMPARE(loaded->secretsError.code, QString(ErrorSecretsOutdated));
        QVERIFY(loaded->secretsError.message.contains(QLatin1String("'prod'")));
        QVERIFY(!loaded->profile.kafkaProperties.contains(QStringLiteral("ssl.key.password")));
        QVERIFY(!loaded->profile.kafkaProperties.contains(QStringLiteral("sasl.password")));
        QVERIFY(loaded->profile.registry.auth.basicSecret.isEmpty());

        // Saved again with the keychain there, the profile is whole again.
        QVERIFY(waitFor(nextSession.save(v2, QStringLiteral("prod"))));
        ProfileStore third(keychain, ini);
        auto whole = waitFor(third.load(QStringLiteral("prod")));
        QVERIFY(whole);
        QVERIFY(whole->secretsError.isEmpty());
        QCOMPARE(whole->profile.kafkaProperties, v2.kafkaProperties);
    }

    // Secrets removed by a save without keychain stay removed.
    void aProfileSavedWithoutSecretsIgnoresAnOldKeychainEntry()
    {
        auto keychain = std::make_shared<SwitchableKeychain>();
        const QString ini = iniPath(QStringLiteral("switchable-nosecrets"));
        ConnectionProfile plain;
        plain.name = QStringLiteral("local");
        plain.registry.baseUrl = QUrl(QStringLiteral("http://localhost:8081"));
        plain.bootstrapServers = QStringLiteral("localhost:9092");
        {
            ProfileStore store(keychain, ini);
            QVERIFY(waitFor(store.save(sample(QStringLiteral("local")))));
            keychain->available = false;
            auto saved = waitFor(store.save(plain, QStringLiteral("local")));
            QVERIFY2(saved, qPrintable(saved.error().message)); // nothing needed the keychain
        }
        keychain->available = true;
        ProfileStore nextSession(keychain, ini);
        auto loaded = waitFor(nextSession.load(QStringLiteral("local")));
        QVERIFY(loaded);
        QVERIFY(loaded->secretsError.isEmpty());
        QVERIFY(loaded->profile.kafkaProperties.isEmpty());
        QVERIFY(loaded->profile.kms.isEmpty());
        QCOMPARE(loaded->profile.registry.auth.kind, registry::AuthSettings::Kind::None);
    }

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
        QCOMPARE(l.kms.value(QStringLiteral("local-kms")).value(QStringLiteral("secret")),
                 QStringLiteral("local-secret-value"));
    }

    // Every declared KMS setting goes where its driver's declaration says: secret ones to the
    // keychain only, the others to the settings file only. Types sharing a setting name
    // (client.id of azure-kms and gcp-kms) keep their own values.
    void kmsSettingsAreStoredAsTheDriversDeclareThem()
    {
        auto keychain = std::make_shared<MemorySecretStore>();
        const QString ini = iniPath(QStringLiteral("kmsdecl"));
        ProfileStore store(keychain, ini);
        ConnectionProfile p = sample(QStringLiteral("prod"));
        p.kms.clear();
        QStringList secretValues, plainValues;
        for (const kms::KmsDriverInfo &info : kms::knownDrivers()) {
            for (const kms::KmsSetting &setting : info.settings) {
                const QString value = QStringLiteral("v-%1-%2-v").arg(info.type, setting.key);
                p.kms[info.type].insert(setting.key, value);
                (setting.secret ? secretValues : plainValues).append(value);
            }
        }
        // Settings nobody declared fall back to the naming rule.
        p.kms[QStringLiteral("other-kms")].insert(QStringLiteral("api.password"),
                                                  QStringLiteral("v-undeclared-secret"));
        p.kms[QStringLiteral("other-kms")].insert(QStringLiteral("endpoint"),
                                                  QStringLiteral("v-undeclared-plain"));
        secretValues.append(QStringLiteral("v-undeclared-secret"));
        plainValues.append(QStringLiteral("v-undeclared-plain"));
        QVERIFY(secretValues.contains(QStringLiteral("v-local-kms-secret-v")));
        QVERIFY(plainValues.contains(QStringLiteral("v-gcp-kms-private.key.id-v")));
        QVERIFY(waitFor(store.save(p)));

        const QByteArray text = fileText(ini);
        const QByteArray blob = waitFor(keychain->read(QStringLiteral("profile/prod"))).value();
        for (const QString &v : secretValues) {
            QVERIFY2(!text.contains(v.toUtf8()), qPrintable(v));
            QVERIFY2(blob.contains(v.toUtf8()), qPrintable(v));
        }
        for (const QString &v : plainValues) {
            QVERIFY2(text.contains(v.toUtf8()), qPrintable(v));
            QVERIFY2(!blob.contains(v.toUtf8()), qPrintable(v));
        }

        ProfileStore nextSession(keychain, ini);
        auto loaded = waitFor(nextSession.load(QStringLiteral("prod")));
        QVERIFY(loaded);
        QVERIFY(loaded->secretsError.isEmpty());
        QCOMPARE(loaded->profile.kms, p.kms);
        QCOMPARE(loaded->profile.kms.value(QStringLiteral("azure-kms"))
                     .value(QStringLiteral("client.id")),
                 QStringLiteral("v-azure-kms-client.id-v"));
        QCOMPARE(
            loaded->profile.kms.value(QStringLiteral("gcp-kms")).value(QStringLiteral("client.id")),
            QStringLiteral("v-gcp-kms-client.id-v"));
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
