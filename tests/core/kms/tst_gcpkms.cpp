#include "core/crypto/crypto.h"
#include "core/crypto/rsasign.h"
#include "core/kms/gcpjwt.h"
#include "core/kms/gcpkms.h"
#include "core/kms/kms.h"
#include "core/sandbox/gcpkmsdouble.h"
#include "core/sandbox/sandbox.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QTemporaryFile>
#include <QTest>

using namespace kw::kms;
using kw::crypto::SecureBytes;

namespace {

// A 1024-bit test key (made with `openssl genpkey`; small so the test is quick) and the
// signature `openssl dgst -sha256 -sign` gave for "eyJhbGciOiJSUzI1NiJ9.e30", base64url.
const char *const TestKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAJ+4CZpl7AJEZb9P
3VK2pMHghXPHEZaaVdKxxiGuQ9IfJg1U80b0zzDjulGIM6X1SbYa38ayCzTZEjCP
7l2MPADvbSGETP6CFzWczmVgkx8gqgpyKjv/rredv6ULa1biRo8fOQ0PacFkg/XC
qTZ/kHKu5Y8Lh5e5SeK44ZjEJn2vAgMBAAECgYBNE9h2jVcu5OkhQR5yyzeJZJui
euAPCN3/9tDB8kJChcusRWG9zWirlEqXDB64qT3wRtnVHpjv4Q25J8yFkqZlnfar
Kq1loz1XjpAXdCxQJO5jppRFg24ALCAWiaqDzBMZ9eVfbuIXLq346Tun5yXjjNkQ
jfgEzRO9tHT1pvO1aQJBAMzqT2pWEP41nzUZOpCDBHmo9H9FYHyNk2zSTioNZxOu
yYIO8I1jyUsWLdtGZnjXGp/XTZT2u+SZHWBtI//LbIsCQQDHiUuN6Vvu4W1iOwwy
oTNrSbQaxHJq6DFX6l0GpBhGI54jRu7DwNfFuVIWxAZO/fZUa1ZlFeQmqmsoHC2i
dCPtAkEApRi7N090jXwic6OJ/dixiFvJ8aix3mgquWiPtW3q+H7At9rVkPUuvyJ1
e8+yy/Vy7AmJ5lUMeVerxX7pnDQHlQJAAmuk8fzBs70iUY270SVpdUS4nZaCeM+G
QbXDGSCGdttZwL3Mia1eMLTVzRblqLGl+lIvAxzn3pw0npDw8MaN5QJAbfmc9qQL
+EpyQPbvQBT7ieU2vsN9BQ7p+b5sECUiJ5MZ8ZOp5+0IoJUhS9gHarDSjN26ioUA
xlqLp4XwUTPVhA==
-----END PRIVATE KEY-----
-----END PRIVATE KEY-----
)";
const char *const OpensslSignature =
    "WF77-0rpxss1S1FFPSMGqMoBejsIpzycCk5VmopquJAIylPzsgMlVBVtebrt9jiTvx7bLzr8LVgCn35Wmcp5_Cvl72feo_"
    "gROkt-MlashkfuyBtTWbPt6NH1Aoj9EBcKQetvX53cICSzUNKhFW4_88AjcFGIIZbjuiMry9NGBYE";

SecureBytes testKey()
{
    return SecureBytes::fromBytes(QByteArrayView(TestKeyPem));
}

GcpServiceAccount testAccount()
{
    GcpServiceAccount account;
    account.clientEmail = QStringLiteral("keywarden@demo-project.iam.gserviceaccount.com");
    account.privateKeyId = QStringLiteral("0123abcd");
    account.privateKeyPem = testKey();
    return account;
}

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

KekRef gcpKek(const QString &keyName)
{
    KekRef kek;
    kek.name = QStringLiteral("kek-under-test");
    kek.kmsType = QStringLiteral("gcp-kms");
    kek.kmsKeyId = keyName;
    return kek;
}

} // namespace

class TestGcpKms : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<kw::sandbox::Sandbox> m_sandbox;
    KmsConfig m_settings;

    kw::Result<QByteArray> wrapWith(const QString &key, const KmsConfig &settings,
                                    const QByteArray &plaintext = QByteArray(32, 'k'))
    {
        const auto aead = GcpKmsDriver().create(gcpKek(key), settings);
        if (!aead)
            return aead.error();
        return await((*aead)->wrap(plaintext));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_sandbox = std::make_unique<kw::sandbox::Sandbox>();
        kw::sandbox::SandboxOptions options;
        options.seed = QStringLiteral("keys");
        const auto started = m_sandbox->start(options);
        QVERIFY2(started, qPrintable(started.error().message));
        m_settings = m_sandbox->kmsSettings().value(QStringLiteral("gcp-kms"));
        QVERIFY(m_settings.contains(QStringLiteral("private.key")));
    }
    void cleanupTestCase() { m_sandbox.reset(); }
    void init() { GcpKmsDriver::clearTokenCache(); }

    void crc32cCheckValues_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<quint32>("expected");
        QByteArray ascending(32, '\0');
        for (int i = 0; i < 32; ++i)
            ascending[i] = char(i);
        QTest::newRow("check value") << QByteArray("123456789") << quint32(0xE3069283);
        QTest::newRow("32 zeros") << QByteArray(32, '\0') << quint32(0x8A9136AA);
        QTest::newRow("32 ones") << QByteArray(32, '\xFF') << quint32(0x62A8AB43);
        QTest::newRow("0x00..0x1F") << ascending << quint32(0x46DD794E);
        QTest::newRow("empty") << QByteArray() << quint32(0);
    }
    void crc32cCheckValues()
    {
        QFETCH(QByteArray, input);
        QFETCH(quint32, expected);
        QCOMPARE(kw::crypto::crc32c(input), expected);
    }

    void rs256MatchesOpenssl()
    {
        const auto signature = kw::crypto::rs256Sign(testKey(), "eyJhbGciOiJSUzI1NiJ9.e30");
        QVERIFY2(signature, qPrintable(signature.error().message));
        QCOMPARE(base64UrlNoPad(*signature), QByteArray(OpensslSignature));
        const auto publicKey = kw::crypto::rsaPublicKeyPem(testKey());
        QVERIFY(publicKey);
        QVERIFY(kw::crypto::rs256Verify(*publicKey, "eyJhbGciOiJSUzI1NiJ9.e30", *signature));
        QVERIFY(!kw::crypto::rs256Verify(*publicKey, "eyJhbGciOiJSUzI1NiJ9.e31", *signature));
        QVERIFY(!kw::crypto::rs256Verify("garbage", "eyJhbGciOiJSUzI1NiJ9.e30", *signature));
    }

    void rs256RejectsBadKeys()
    {
        const auto signature =
            kw::crypto::rs256Sign(SecureBytes::fromBytes("not a pem"), "message");
        QVERIFY(!signature);
        QCOMPARE(signature.error().code, QStringLiteral("crypto.bad_key_format"));
        QVERIFY(!signature.error().message.contains(QLatin1String("not a pem")));
    }

    void jwtAssertionLayout()
    {
        const auto jwt = makeJwtAssertion(testAccount(), QString(GcpKmsScope),
                                          QString(GcpDefaultTokenUri), 1700000000);
        QVERIFY2(jwt, qPrintable(jwt.error().message));
        const QList<QByteArray> parts = jwt->split('.');
        QCOMPARE(parts.size(), 3);
        for (const QByteArray &part : parts)
            QVERIFY(!part.contains('=') && !part.contains('+') && !part.contains('/'));
        const QJsonObject header = QJsonDocument::fromJson(*decodeAnyBase64(parts[0])).object();
        QCOMPARE(header.value(QLatin1String("alg")).toString(), QStringLiteral("RS256"));
        QCOMPARE(header.value(QLatin1String("typ")).toString(), QStringLiteral("JWT"));
        QCOMPARE(header.value(QLatin1String("kid")).toString(), QStringLiteral("0123abcd"));
        const QJsonObject claims = peekJwtClaims(*jwt);
        QCOMPARE(claims.value(QLatin1String("iss")).toString(), testAccount().clientEmail);
        QCOMPARE(claims.value(QLatin1String("scope")).toString(), QString(GcpKmsScope));
        QCOMPARE(claims.value(QLatin1String("aud")).toString(), QString(GcpDefaultTokenUri));
        QCOMPARE(claims.value(QLatin1String("iat")).toInteger(), 1700000000);
        QCOMPARE(claims.value(QLatin1String("exp")).toInteger(), 1700003600);
        // RS256 is deterministic: the same inputs give the same assertion.
        QCOMPARE(*makeJwtAssertion(testAccount(), QString(GcpKmsScope), QString(GcpDefaultTokenUri),
                                   1700000000),
                 *jwt);
    }

    void jwtVerification()
    {
        const QByteArray jwt = *makeJwtAssertion(testAccount(), QString(GcpKmsScope),
                                                 QString(GcpDefaultTokenUri), 1700000000);
        const QByteArray publicKey = *kw::crypto::rsaPublicKeyPem(testKey());
        const auto verified = verifyJwtAssertion(jwt, publicKey);
        QVERIFY2(verified, qPrintable(verified.error().message));
        QCOMPARE(verified->claims.value(QLatin1String("iss")).toString(),
                 testAccount().clientEmail);

        // Another key's signature, altered claims, garbage: all refused, the token not echoed.
        const auto otherKey = kw::crypto::newRsaPrivateKeyPem(1024);
        QVERIFY(otherKey);
        const auto wrongKey = verifyJwtAssertion(jwt, *kw::crypto::rsaPublicKeyPem(*otherKey));
        QVERIFY(!wrongKey);
        QCOMPARE(wrongKey.error().code, QStringLiteral("oauth.invalid_grant"));
        QVERIFY(!wrongKey.error().message.contains(QString::fromLatin1(jwt.split('.')[2])));

        QList<QByteArray> parts = jwt.split('.');
        QJsonObject claims = peekJwtClaims(jwt);
        claims.insert(QStringLiteral("exp"), 1800000000);
        parts[1] = base64UrlNoPad(QJsonDocument(claims).toJson(QJsonDocument::Compact));
        QVERIFY(!verifyJwtAssertion(parts.join('.'), publicKey));
        QVERIFY(!verifyJwtAssertion("a.b", publicKey));
        QVERIFY(!verifyJwtAssertion("!!.??.**", publicKey));
    }

    void base64BothAlphabets()
    {
        const QByteArray bytes("\xfb\xff\xfe\x01", 4);
        QCOMPARE(*decodeAnyBase64("+//+AQ=="), bytes);
        QCOMPARE(*decodeAnyBase64("-__-AQ=="), bytes);
        QCOMPARE(*decodeAnyBase64("-__-AQ"), bytes);
        QCOMPARE(*decodeAnyBase64("+//+AQ"), bytes);
        QVERIFY(!decodeAnyBase64("+_/-AQ"));
        QVERIFY(!decodeAnyBase64("A"));
        QVERIFY(!decodeAnyBase64("AQ*="));
    }

    void serviceAccountJson()
    {
        QJsonObject file{
            {QStringLiteral("type"), QStringLiteral("service_account")},
            {QStringLiteral("client_email"), QStringLiteral("sa@p.iam.gserviceaccount.com")},
            {QStringLiteral("private_key_id"), QStringLiteral("k1")},
            {QStringLiteral("private_key"), QString::fromLatin1(TestKeyPem)},
            {QStringLiteral("client_id"), QStringLiteral("123")},
        };
        const auto account = parseServiceAccountJson(QJsonDocument(file).toJson());
        QVERIFY2(account, qPrintable(account.error().message));
        QCOMPARE(account->clientEmail, QStringLiteral("sa@p.iam.gserviceaccount.com"));
        QCOMPARE(account->tokenUri, QString(GcpDefaultTokenUri));
        QCOMPARE(account->privateKeyPem.view(), QByteArrayView(TestKeyPem));

        file.remove(QStringLiteral("private_key"));
        const auto noKey = parseServiceAccountJson(QJsonDocument(file).toJson());
        QVERIFY(!noKey);
        QVERIFY(noKey.error().message.contains(QLatin1String("private_key")));
        file.insert(QStringLiteral("type"), QStringLiteral("authorized_user"));
        QVERIFY(!parseServiceAccountJson(QJsonDocument(file).toJson()));
    }

    void driverRoundTripWithOneToken()
    {
        qInstallMessageHandler(captureLog);
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=true"));
        const QByteArray dek = kw::crypto::randomBytes(32).view().toByteArray();
        const auto aead = GcpKmsDriver().create(
            gcpKek(QString(kw::sandbox::GcpKmsDouble::EventsKey)), m_settings);
        QVERIFY2(aead, qPrintable(aead.error().message));
        const auto wrapped = await((*aead)->wrap(dek));
        QVERIFY2(wrapped, qPrintable(wrapped.error().message));
        const auto unwrapped = await((*aead)->unwrap(*wrapped));
        QVERIFY2(unwrapped, qPrintable(unwrapped.error().message));
        QCOMPARE(*unwrapped, dek);
        // An error path logs too.
        QVERIFY(!wrapWith(QString(kw::sandbox::GcpKmsDouble::ForbiddenKey), m_settings));
        QLoggingCategory::setFilterRules(QString());
        qInstallMessageHandler(nullptr);

        QMutexLocker lock(&g_logMutex);
        const QString pem = m_settings.value(QStringLiteral("private.key"));
        const QString pemLine = pem.split(QLatin1Char('\n')).value(3);
        QVERIFY(pemLine.size() > 40);
        int tokenRequests = 0;
        for (const QString &line : std::as_const(g_logLines)) {
            // The sandbox's server is Qt's QHttpServer, whose own debug lines print whole
            // requests, headers included: the server side of this test, not the driver.
            if (line.startsWith(QLatin1String("qt.httpserver")))
                continue;
            QVERIFY2(!line.contains(QLatin1String("ya29.")), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String("Bearer")), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String("assertion")), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String("eyJ")), qPrintable(line)); // a JWT segment
            QVERIFY2(!line.contains(pemLine), qPrintable(line));
            if (line.contains(QLatin1String("requesting an access token")))
                ++tokenRequests;
        }
        QVERIFY(!g_logLines.isEmpty());
        // Three calls, one token: the cache holds it until shortly before it expires.
        QCOMPARE(tokenRequests, 1);
    }

    void driverKeyState()
    {
        const KmsConfig settings = m_settings;
        auto state = await(GcpKmsDriver().keyState(
            gcpKek(QString(kw::sandbox::GcpKmsDouble::EventsKey)), settings));
        QVERIFY2(state, qPrintable(state.error().message));
        QCOMPARE(state->status, KmsKeyState::Status::Enabled);
        QCOMPARE(state->providerState, QStringLiteral("ENABLED"));
        QCOMPARE(state->currentVersion, QStringLiteral("2"));
        QCOMPARE(state->autoRotation, std::optional<bool>(true));
        QCOMPARE(state->rotationPeriodDays, 90);
        QVERIFY(state->nextRotationMs > QDateTime::currentMSecsSinceEpoch());

        state = await(GcpKmsDriver().keyState(
            gcpKek(QString(kw::sandbox::GcpKmsDouble::ArchiveKey)), settings));
        QVERIFY2(state, qPrintable(state.error().message));
        QCOMPARE(state->status, KmsKeyState::Status::PendingDeletion);
        QCOMPARE(state->providerState, QStringLiteral("DESTROY_SCHEDULED"));
        QVERIFY(state->deletionMs > QDateTime::currentMSecsSinceEpoch() + 11 * 86400000LL);
        QCOMPARE(state->autoRotation, std::optional<bool>(false));

        state = await(GcpKmsDriver().keyState(
            gcpKek(QString(kw::sandbox::GcpKmsDouble::DisabledKey)), settings));
        QVERIFY2(state, qPrintable(state.error().message));
        QCOMPARE(state->status, KmsKeyState::Status::Disabled);
    }

    void driverErrors_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QStringList>("inMessage");
        using D = kw::sandbox::GcpKmsDouble;
        QTest::newRow("pending deletion")
            << QString(D::ArchiveKey) << QString(ErrorKeyPendingDeletion)
            << QStringList{QStringLiteral("DESTROY_SCHEDULED"),
                           QStringLiteral("cryptoKeys/archive")};
        QTest::newRow("disabled") << QString(D::DisabledKey) << QString(ErrorKeyDisabled)
                                  << QStringList{QStringLiteral("disabled"),
                                                 QStringLiteral("cryptoKeys/paused")};
        QTest::newRow("access denied")
            << QString(D::ForbiddenKey) << QString(ErrorAccessDenied)
            << QStringList{QString(D::ServiceAccountEmail), QString(D::ForbiddenKey),
                           QStringLiteral("Encrypter/Decrypter")};
        QTest::newRow("throttled")
            << QString(D::ThrottledKey) << QString(ErrorThrottled)
            << QStringList{QStringLiteral("quota"), QStringLiteral("cryptoKeys/busy")};
        QTest::newRow("not found")
            << QStringLiteral("projects/northwind-analytics/locations/europe-west1/keyRings/"
                              "csfle/cryptoKeys/missing")
            << QString(ErrorKeyNotFound) << QStringList{QStringLiteral("cryptoKeys/missing")};
        QTest::newRow("not a key name")
            << QStringLiteral("projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1")
            << QString(ErrorKeyNotFound) << QStringList{QStringLiteral("projects/P/locations")};
    }
    void driverErrors()
    {
        QFETCH(QString, key);
        QFETCH(QString, code);
        QFETCH(QStringList, inMessage);
        const auto wrapped = wrapWith(key, m_settings);
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, code);
        for (const QString &part : inMessage)
            QVERIFY2(wrapped.error().message.contains(part, Qt::CaseInsensitive),
                     qPrintable(wrapped.error().message));
        QVERIFY(!wrapped.error().message.contains(QLatin1String("ya29.")));
    }

    // Through the registry, as the decryptor and the workflows use it: a key pending deletion
    // names the date Cloud KMS destroys it (the API's own error does not).
    void pendingDeletionNamesTheDate()
    {
        const QString archive = QString(kw::sandbox::GcpKmsDouble::ArchiveKey);
        const auto state = await(GcpKmsDriver().keyState(gcpKek(archive), m_settings));
        QVERIFY2(state, qPrintable(state.error().message));
        const QString day = QDateTime::fromMSecsSinceEpoch(state->deletionMs)
                                .toUTC()
                                .toString(QStringLiteral("yyyy-MM-dd"));
        const auto aead = KmsRegistry::withBuiltInDrivers().aeadFor(
            gcpKek(archive), KmsSettings{{QStringLiteral("gcp-kms"), m_settings}});
        QVERIFY(aead);
        const auto wrapped = await((*aead)->wrap("dek"));
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, QString(ErrorKeyPendingDeletion));
        QVERIFY2(wrapped.error().message.contains(
                     QStringLiteral("The KMS deletes the key on %1 ").arg(day)),
                 qPrintable(wrapped.error().message));
    }

    void unreachable()
    {
        KmsConfig nowhere = m_settings;
        nowhere.insert(QString(GcpKmsDriver::EndpointKey), QStringLiteral("http://127.0.0.1:1"));
        const auto wrapped = wrapWith(QString(kw::sandbox::GcpKmsDouble::EventsKey), nowhere);
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, QString(ErrorUnavailable));
        QVERIFY2(wrapped.error().message.contains(QLatin1String("127.0.0.1:1")),
                 qPrintable(wrapped.error().message));
    }

    void driverBadCiphertext()
    {
        const QString events = QString(kw::sandbox::GcpKmsDouble::EventsKey);
        const auto aead = GcpKmsDriver().create(gcpKek(events), m_settings);
        QVERIFY(aead);
        const auto unwrapped = await((*aead)->unwrap("not a Cloud KMS ciphertext at all"));
        QVERIFY(!unwrapped);
        QCOMPARE(unwrapped.error().code, QString(ErrorBadCiphertext));
        QVERIFY2(unwrapped.error().message.contains(events), qPrintable(unwrapped.error().message));
    }

    void driverCredentials()
    {
        const QString events = QString(kw::sandbox::GcpKmsDouble::EventsKey);
        // A key Google does not know for this account: the token endpoint refuses.
        KmsConfig wrongKey = m_settings;
        wrongKey.insert(QStringLiteral("private.key"),
                        QString::fromUtf8(kw::crypto::newRsaPrivateKeyPem(1024)->view()));
        auto wrapped = wrapWith(events, wrongKey);
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, QString(ErrorAccessDenied));
        QVERIFY2(wrapped.error().message.contains(
                     QString(kw::sandbox::GcpKmsDouble::ServiceAccountEmail)),
                 qPrintable(wrapped.error().message));
        QVERIFY(wrapped.error().message.contains(QLatin1String("invalid_grant")));

        // No settings and no GOOGLE_APPLICATION_CREDENTIALS.
        const QByteArray saved = qgetenv(GcpKmsDriver::CredentialsEnvVar);
        qunsetenv(GcpKmsDriver::CredentialsEnvVar);
        KmsConfig none = m_settings;
        none.remove(QStringLiteral("client.email"));
        none.remove(QStringLiteral("private.key"));
        wrapped = wrapWith(events, none);
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, QString(ErrorNotConfigured));
        QVERIFY(wrapped.error().message.contains(QLatin1String("GOOGLE_APPLICATION_CREDENTIALS")));

        // The same account from a key file named by GOOGLE_APPLICATION_CREDENTIALS.
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write(QJsonDocument(QJsonObject{
                                     {QStringLiteral("type"), QStringLiteral("service_account")},
                                     {QStringLiteral("client_email"),
                                      m_settings.value(QStringLiteral("client.email"))},
                                     {QStringLiteral("private_key_id"),
                                      m_settings.value(QStringLiteral("private.key.id"))},
                                     {QStringLiteral("private_key"),
                                      m_settings.value(QStringLiteral("private.key"))},
                                 })
                       .toJson());
        file.close();
        qputenv(GcpKmsDriver::CredentialsEnvVar, file.fileName().toLocal8Bit());
        wrapped = wrapWith(events, none);
        if (saved.isNull())
            qunsetenv(GcpKmsDriver::CredentialsEnvVar);
        else
            qputenv(GcpKmsDriver::CredentialsEnvVar, saved);
        QVERIFY2(wrapped, qPrintable(wrapped.error().message));
    }
};

QTEST_GUILESS_MAIN(TestGcpKms)
#include "tst_gcpkms.moc"
