#include "core/crypto/crypto.h"
#include "core/crypto/rsasign.h"
#include "core/kms/azurekms.h"
#include "core/sandbox/azurekmsdouble.h"
#include "core/sandbox/sandbox.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QMutex>
#include <QTest>

using namespace kw::kms;
using D = kw::sandbox::AzureKmsDouble;

namespace {

QMutex g_logMutex;
QStringList g_logLines;

void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    QMutexLocker lock(&g_logMutex);
    g_logLines.append(QString::fromLatin1(context.category) + QLatin1Char(' ') + message);
}

// Waits for a driver future with the event loop running (the sandbox serves from this thread).
template<typename T>
T await(QFuture<T> future)
{
    QDeadlineTimer deadline(60000);
    while (!future.isFinished() && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    return future.result();
}

QString keyId(QLatin1String name, const QString &version = {})
{
    return D::keyId(QString(D::Vault), QString(name), version);
}

KekRef azureKek(const QString &kmsKeyId)
{
    KekRef kek;
    kek.name = QStringLiteral("kek-under-test");
    kek.kmsType = QStringLiteral("azure-kms");
    kek.kmsKeyId = kmsKeyId;
    return kek;
}

} // namespace

class TestAzureKms : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<kw::sandbox::Sandbox> m_sandbox;
    KmsConfig m_settings;

    kw::Result<QByteArray> wrapWith(const QString &kmsKeyId, const KmsConfig &settings,
                                    const QByteArray &plaintext = QByteArray(34, 'k'))
    {
        const auto aead = AzureKmsDriver().create(azureKek(kmsKeyId), settings);
        if (!aead)
            return aead.error();
        return await((*aead)->wrap(plaintext));
    }
    kw::Result<QByteArray> unwrapWith(const QString &kmsKeyId, const KmsConfig &settings,
                                      const QByteArray &ciphertext)
    {
        const auto aead = AzureKmsDriver().create(azureKek(kmsKeyId), settings);
        if (!aead)
            return aead.error();
        return await((*aead)->unwrap(ciphertext));
    }
    D *azure() const
    {
        return dynamic_cast<D *>(m_sandbox->kmsDouble(QStringLiteral("azure-kms")).get());
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_sandbox = std::make_unique<kw::sandbox::Sandbox>();
        kw::sandbox::SandboxOptions options;
        options.seed = QStringLiteral("keys");
        const auto started = m_sandbox->start(options);
        QVERIFY2(started, qPrintable(started.error().message));
        m_settings = m_sandbox->kmsSettings().value(QStringLiteral("azure-kms"));
        QVERIFY(m_settings.contains(QStringLiteral("client.secret")));
        QVERIFY(azure());
    }
    void cleanupTestCase() { m_sandbox.reset(); }
    void init() { AzureKmsDriver::clearTokenCache(); }

    void keyIds()
    {
        const auto versioned = AzureKmsDriver::parseKeyId(
            QStringLiteral("https://northwind-risk.vault.azure.net/keys/csfle-kek/"
                           "0a1b2c3d4e5f60718293a4b5c6d7e8f9"));
        QVERIFY(versioned);
        QCOMPARE(versioned->vault, QUrl(QStringLiteral("https://northwind-risk.vault.azure.net")));
        QCOMPARE(versioned->name, QStringLiteral("csfle-kek"));
        QCOMPARE(versioned->version, QStringLiteral("0a1b2c3d4e5f60718293a4b5c6d7e8f9"));
        const auto versionless =
            AzureKmsDriver::parseKeyId(QStringLiteral("https://v.vault.azure.net/keys/k/"));
        QVERIFY(versionless);
        QVERIFY(versionless->version.isEmpty());
        QVERIFY(!AzureKmsDriver::parseKeyId(QStringLiteral("https://v.vault.azure.net/secrets/k")));
        QVERIFY(!AzureKmsDriver::parseKeyId(QStringLiteral("v.vault.azure.net/keys/k")));
        QVERIFY(!AzureKmsDriver::parseKeyId(QStringLiteral("https://v.vault.azure.net/keys/a_b")));
        QCOMPARE(AzureKmsDriver::durationDays(QStringLiteral("P90D")), 90);
        QCOMPARE(AzureKmsDriver::durationDays(QStringLiteral("p3m")), 90);
        QCOMPARE(AzureKmsDriver::durationDays(QStringLiteral("P1Y")), 365);
        QCOMPARE(AzureKmsDriver::durationDays(QStringLiteral("PT48H")), 2);
        QCOMPARE(AzureKmsDriver::durationDays(QStringLiteral("90 days")), 0);
    }

    void roundTripVersionedAndVersionless()
    {
        const QByteArray dek = kw::crypto::randomBytes(34).view().toByteArray();
        const QString versioned = keyId(D::DemoKey, QString(D::DemoVersion));
        const QString versionless = keyId(D::DemoKey);
        const int tokensBefore = azure()->tokensIssued();
        for (const QString &id :
             QStringList{versioned, versionless, versionless + QLatin1Char('/')}) {
            const auto wrapped = wrapWith(id, m_settings, dek);
            QVERIFY2(wrapped, qPrintable(wrapped.error().message));
            QCOMPARE(wrapped->size(), 256); // the raw RSA-OAEP-256 output, as Confluent stores
            // What the real key's public half encrypts, as Confluent's SDK may do locally.
            const QByteArray pem = azure()->publicKeyPem(QString(D::Vault), QString(D::DemoKey),
                                                         QString(D::DemoVersion));
            for (const QByteArray &ciphertext :
                 QList<QByteArray>{*wrapped, *kw::crypto::rsaOaepSha256Encrypt(pem, dek)}) {
                const auto unwrapped = unwrapWith(id, m_settings, ciphertext);
                QVERIFY2(unwrapped, qPrintable(unwrapped.error().message));
                QCOMPARE(*unwrapped, dek);
            }
        }
        // Nine calls (and three version look-ups), one token.
        QCOMPARE(azure()->tokensIssued(), tokensBefore + 1);

        // encrypt.azure.key.version.save: "azure:v1:<version>:" before the raw ciphertext,
        // which unwrap honours whatever the id says.
        KmsConfig save = m_settings;
        save.insert(QString(AzureKmsDriver::VersionSaveKey), QStringLiteral("true"));
        const auto prefixed = wrapWith(versionless, save, dek);
        QVERIFY2(prefixed, qPrintable(prefixed.error().message));
        QVERIFY(prefixed->startsWith(
            QByteArray(QByteArray("azure:v1:") + D::DemoVersion.data() + ':')));
        const auto back = unwrapWith(versionless, m_settings, *prefixed);
        QVERIFY2(back, qPrintable(back.error().message));
        QCOMPARE(*back, dek);
    }

    void alternateKeyIds()
    {
        // The KEK's own key is disabled; the alternate unwraps.
        const QByteArray dek("alternate");
        const auto wrapped = wrapWith(keyId(D::DemoKey), m_settings, dek);
        QVERIFY(wrapped);
        KmsConfig settings = m_settings;
        settings.insert(QStringLiteral("encrypt.alternate.kms.key.ids"), keyId(D::DemoKey));
        // Alternates are the registry's, for every type (KmsRegistry::aeadFor).
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(
            azureKek(keyId(D::DisabledKey)), KmsSettings{{QStringLiteral("azure-kms"), settings}});
        QVERIFY2(aead, qPrintable(aead ? QString() : aead.error().message));
        const auto unwrapped = await((*aead)->unwrap(*wrapped));
        QVERIFY2(unwrapped, qPrintable(unwrapped.error().message));
        QCOMPARE(*unwrapped, dek);
    }

    void keyState()
    {
        auto state = await(AzureKmsDriver().keyState(azureKek(keyId(D::DemoKey)), m_settings));
        QVERIFY2(state, qPrintable(state.error().message));
        QCOMPARE(state->status, KmsKeyState::Status::Enabled);
        QCOMPARE(state->providerState, QStringLiteral("Enabled"));
        QCOMPARE(state->currentVersion, QString(D::DemoVersion));
        QVERIFY2(state->autoRotation.value_or(false),
                 qPrintable(state->notes.join(QLatin1Char(' '))));
        QCOMPARE(state->rotationPeriodDays, 90);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        // The current version was made 70 days ago: the next rotation is in about 20 days.
        QVERIFY(qAbs(state->lastRotationMs - (now - 70 * 86400000LL)) < 86400000LL);
        QVERIFY(qAbs(state->nextRotationMs - (now + 20 * 86400000LL)) < 86400000LL);

        state = await(AzureKmsDriver().keyState(azureKek(keyId(D::DisabledKey)), m_settings));
        QVERIFY2(state, qPrintable(state.error().message));
        QCOMPARE(state->status, KmsKeyState::Status::Disabled);
        QCOMPARE(state->autoRotation, std::optional<bool>(false));

        state = await(AzureKmsDriver().keyState(azureKek(keyId(D::DeletedKey)), m_settings));
        QVERIFY2(state, qPrintable(state.error().message));
        QCOMPARE(state->status, KmsKeyState::Status::PendingDeletion);
        QVERIFY(qAbs(state->deletionMs - (now + 70 * 86400000LL)) < 86400000LL);
        QVERIFY(state->isRevoked());

        const auto missing =
            await(AzureKmsDriver().keyState(azureKek(keyId(QLatin1String("nope"))), m_settings));
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, QString(ErrorKeyNotFound));
    }

    void errors_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("wrap");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QStringList>("inMessage");
        const QString purge =
            QDateTime::currentDateTimeUtc().addDays(70).toString(QStringLiteral("yyyy-MM-dd"));
        QTest::newRow("disabled") << keyId(D::DisabledKey) << false << QString(ErrorKeyDisabled)
                                  << QStringList{QStringLiteral("disabled"),
                                                 QStringLiteral("csfle-kek-2023")};
        QTest::newRow("access denied")
            << keyId(D::ForbiddenKey) << true << QString(ErrorAccessDenied)
            << QStringList{QString(D::ClientId), QStringLiteral("oid=%1").arg(D::ObjectId),
                           QString(D::ForbiddenKey), QStringLiteral("Key Vault Crypto User")};
        QTest::newRow("pending deletion")
            << keyId(D::DeletedKey) << true << QString(ErrorKeyPendingDeletion)
            << QStringList{QString(D::DeletedKey), purge, QStringLiteral("Recover")};
        QTest::newRow("not found")
            << keyId(QLatin1String("nope")) << true << QString(ErrorKeyNotFound)
            << QStringList{QStringLiteral("keys/nope")};
        QTest::newRow("version not found")
            << keyId(D::DemoKey, QStringLiteral("ffffffffffffffffffffffffffffffff")) << true
            << QString(ErrorKeyNotFound) << QStringList{QStringLiteral("ffffffff")};
        QTest::newRow("throttled")
            << keyId(D::ThrottledKey) << true << QString(ErrorThrottled)
            << QStringList{QStringLiteral("throttling"), QString(D::ThrottledKey)};
        QTest::newRow("not a key id")
            << QStringLiteral("https://northwind-risk.vault.azure.net/secrets/x") << true
            << QString(ErrorKeyNotFound) << QStringList{QStringLiteral("/keys/<name>")};
    }
    void errors()
    {
        QFETCH(QString, id);
        QFETCH(bool, wrap);
        QFETCH(QString, code);
        QFETCH(QStringList, inMessage);
        kw::Result<QByteArray> result =
            wrap ? wrapWith(id, m_settings) : unwrapWith(id, m_settings, QByteArray(256, 'x'));
        QVERIFY(!result);
        QCOMPARE(result.error().code, code);
        for (const QString &part : inMessage)
            QVERIFY2(result.error().message.contains(part, Qt::CaseInsensitive),
                     qPrintable(result.error().message));
        QVERIFY(
            !result.error().message.contains(m_settings.value(QStringLiteral("client.secret"))));
    }

    void throttledThenServed()
    {
        // Two 429s, then the call goes through: the transport's bounded retries absorb them.
        azure()->throttleNext(2);
        const auto wrapped = wrapWith(keyId(D::DemoKey, QString(D::DemoVersion)), m_settings);
        QVERIFY2(wrapped, qPrintable(wrapped.error().message));
    }

    void badCiphertext()
    {
        const QString id = keyId(D::DemoKey);
        const auto unwrapped = unwrapWith(id, m_settings, QByteArray(256, 'z'));
        QVERIFY(!unwrapped);
        QCOMPARE(unwrapped.error().code, QString(ErrorBadCiphertext));
        QVERIFY2(unwrapped.error().message.contains(id), qPrintable(unwrapped.error().message));
        const auto prefix = unwrapWith(id, m_settings, "azure:v1:nothex:abc");
        QVERIFY(!prefix);
        QCOMPARE(prefix.error().code, QString(ErrorBadCiphertext));
    }

    void unreachable()
    {
        KmsConfig settings = m_settings;
        settings.insert(QString(AzureKmsDriver::VaultUrlKey),
                        QStringLiteral("http://127.0.0.1:1/{vault}"));
        auto wrapped = wrapWith(keyId(D::DemoKey), settings);
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, QString(ErrorUnavailable));
        QVERIFY2(wrapped.error().message.contains(QLatin1String("unreachable")),
                 qPrintable(wrapped.error().message));
        settings = m_settings;
        settings.insert(QString(AzureKmsDriver::AuthorityKey),
                        QStringLiteral("http://127.0.0.1:1"));
        wrapped = wrapWith(keyId(D::DemoKey), settings);
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, QString(ErrorUnavailable));
    }

    void credentials()
    {
        const QString id = keyId(D::DemoKey);
        // A wrong secret: Azure's AADSTS error, the app named, the secret not.
        KmsConfig wrong = m_settings;
        wrong.insert(QStringLiteral("client.secret"), QStringLiteral("not-the-secret"));
        auto wrapped = wrapWith(id, wrong);
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, QString(ErrorAccessDenied));
        QVERIFY2(wrapped.error().message.contains(QLatin1String("AADSTS7000215")),
                 qPrintable(wrapped.error().message));
        QVERIFY(wrapped.error().message.contains(QString(D::ClientId)));
        QVERIFY(!wrapped.error().message.contains(QLatin1String("not-the-secret")));
        // An unknown client.
        KmsConfig unknown = m_settings;
        unknown.insert(QStringLiteral("client.id"), QStringLiteral("00000000-aaaa"));
        wrapped = wrapWith(id, unknown);
        QVERIFY(!wrapped);
        QVERIFY2(wrapped.error().message.contains(QLatin1String("AADSTS700016")),
                 qPrintable(wrapped.error().message));

        // Nothing in the settings: the AZURE_* environment variables.
        KmsConfig endpointsOnly = m_settings;
        for (const char *key : {"tenant.id", "client.id", "client.secret"})
            endpointsOnly.remove(QLatin1String(key));
        const QByteArray saved[3] = {qgetenv("AZURE_TENANT_ID"), qgetenv("AZURE_CLIENT_ID"),
                                     qgetenv("AZURE_CLIENT_SECRET")};
        qunsetenv("AZURE_TENANT_ID");
        qunsetenv("AZURE_CLIENT_ID");
        qunsetenv("AZURE_CLIENT_SECRET");
        wrapped = wrapWith(id, endpointsOnly);
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, QString(ErrorNotConfigured));
        QVERIFY(wrapped.error().message.contains(QLatin1String("AZURE_CLIENT_SECRET")));
        qputenv("AZURE_TENANT_ID", QByteArray(D::TenantId.data()));
        qputenv("AZURE_CLIENT_ID", QByteArray(D::ClientId.data()));
        qputenv("AZURE_CLIENT_SECRET", m_settings.value(QStringLiteral("client.secret")).toUtf8());
        wrapped = wrapWith(id, endpointsOnly);
        const char *names[3] = {"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"};
        for (int i = 0; i < 3; ++i) {
            if (saved[i].isNull())
                qunsetenv(names[i]);
            else
                qputenv(names[i], saved[i]);
        }
        QVERIFY2(wrapped, qPrintable(wrapped.error().message));
    }

    void noTokenOrSecretInTheDebugLog()
    {
        qInstallMessageHandler(captureLog);
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=true"));
        const QByteArray dek = kw::crypto::randomBytes(34).view().toByteArray();
        const auto wrapped = wrapWith(keyId(D::DemoKey), m_settings, dek);
        const auto unwrapped = wrapped ? unwrapWith(keyId(D::DemoKey), m_settings, *wrapped)
                                       : kw::Result<QByteArray>(wrapped.error());
        const auto state =
            await(AzureKmsDriver().keyState(azureKek(keyId(D::DemoKey)), m_settings));
        // Error paths log too.
        QVERIFY(!wrapWith(keyId(D::ForbiddenKey), m_settings));
        QVERIFY(!wrapWith(keyId(D::DeletedKey), m_settings));
        QLoggingCategory::setFilterRules(QString());
        qInstallMessageHandler(nullptr);
        QVERIFY2(unwrapped, qPrintable(unwrapped.error().message));
        QCOMPARE(*unwrapped, dek);
        QVERIFY(state);

        QMutexLocker lock(&g_logMutex);
        const QString secret = m_settings.value(QStringLiteral("client.secret"));
        int tokenRequests = 0;
        for (const QString &line : std::as_const(g_logLines)) {
            // Qt's QHttpServer prints whole requests at debug level: the server's end.
            if (line.startsWith(QLatin1String("qt.httpserver")))
                continue;
            QVERIFY2(!line.contains(secret), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String("client_secret")), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String("eyJ0eXAiOiJKV1QifQ")), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String("Bearer")), qPrintable(line));
            if (line.contains(QLatin1String("requesting an access token")))
                ++tokenRequests;
        }
        QVERIFY(!g_logLines.isEmpty());
        QCOMPARE(tokenRequests, 1);
    }
};

QTEST_GUILESS_MAIN(TestAzureKms)
#include "tst_azurekms.moc"
