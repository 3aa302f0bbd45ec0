#include "core/crypto/rsasign.h"
#include "core/kms/gcpjwt.h"
#include "core/sandbox/gcpkmsdouble.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUrlQuery>

using namespace kw::sandbox;
using kw::kms::GcpServiceAccount;

namespace {

class FixedClock final : public kw::Clock
{
public:
    qint64 nowMs() const override { return ms; }
    qint64 ms = 1'780'000'000'000; // 2026-05-28
};

HttpRequest request(const QByteArray &method, const QString &path, const QByteArray &body = {},
                    const QByteArray &token = {})
{
    HttpRequest out;
    out.method = method;
    out.segments = path.mid(1).split(QLatin1Char('/'));
    out.body = body;
    if (!token.isEmpty())
        out.headers = {{"Authorization", "Bearer " + token}};
    return out;
}

QJsonObject objectOf(const HttpReply &reply)
{
    return QJsonDocument::fromJson(reply.body).object();
}

QJsonObject errorOf(const HttpReply &reply)
{
    return objectOf(reply).value(QLatin1String("error")).toObject();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString crc(const QByteArray &bytes)
{
    return QString::number(kw::crypto::crc32c(bytes));
}

} // namespace

class TestGcpKmsDouble : public QObject
{
    Q_OBJECT

private:
    FixedClock m_clock;
    std::unique_ptr<GcpKmsDouble> m_kms;
    QByteArray m_token;

    GcpServiceAccount account() const
    {
        GcpServiceAccount out;
        out.clientEmail = QString(GcpKmsDouble::ServiceAccountEmail);
        out.privateKeyPem = m_kms->privateKeyPem();
        return out;
    }

    HttpReply tokenRequest(const QByteArray &assertion,
                           const QString &grant = QString(kw::kms::GcpJwtBearerGrant))
    {
        QUrlQuery form;
        form.addQueryItem(QStringLiteral("grant_type"),
                          QString::fromLatin1(QUrl::toPercentEncoding(grant)));
        form.addQueryItem(QStringLiteral("assertion"), QString::fromLatin1(assertion));
        return m_kms->route(request("POST", QStringLiteral("/gcp-kms/token"),
                                    form.toString(QUrl::FullyEncoded).toUtf8()));
    }

    QByteArray assertion(const GcpServiceAccount &signer, qint64 iat,
                         const QString &audience = QString(kw::kms::GcpDefaultTokenUri))
    {
        return *kw::kms::makeJwtAssertion(signer, QString(kw::kms::GcpKmsScope), audience, iat);
    }

    static QString keyPath(QLatin1String key, const char *suffix = "")
    {
        return QStringLiteral("/gcp-kms/v1/") + key + QLatin1String(suffix);
    }

    HttpReply call(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return m_kms->route(
            request(method, path, body.isEmpty() ? QByteArray() : compact(body), m_token));
    }

private Q_SLOTS:
    void init()
    {
        m_kms = std::make_unique<GcpKmsDouble>(m_clock);
        m_kms->seedDemoKeys(m_clock);
        const HttpReply reply = tokenRequest(assertion(account(), m_clock.ms / 1000));
        QCOMPARE(reply.status, 200);
        m_token = objectOf(reply).value(QLatin1String("access_token")).toString().toLatin1();
        QVERIFY(m_token.startsWith("ya29."));
        QCOMPARE(objectOf(reply).value(QLatin1String("expires_in")).toInt(), 3599);
    }

    void tokenEndpointChecksTheAssertion()
    {
        // Signed by another key: the signature does not verify.
        GcpServiceAccount impostor = account();
        impostor.privateKeyPem = *kw::crypto::newRsaPrivateKeyPem(1024);
        HttpReply reply = tokenRequest(assertion(impostor, m_clock.ms / 1000));
        QCOMPARE(reply.status, 400);
        QCOMPARE(objectOf(reply).value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_grant"));
        QVERIFY(objectOf(reply)
                    .value(QLatin1String("error_description"))
                    .toString()
                    .contains(QLatin1String("Signature")));
        // Issued two hours ago: expired.
        reply = tokenRequest(assertion(account(), m_clock.ms / 1000 - 7200));
        QCOMPARE(reply.status, 400);
        QVERIFY(objectOf(reply)
                    .value(QLatin1String("error_description"))
                    .toString()
                    .contains(QLatin1String("iat and exp")));
        // Another audience.
        reply = tokenRequest(
            assertion(account(), m_clock.ms / 1000, QStringLiteral("https://example.com/token")));
        QCOMPARE(reply.status, 400);
        QVERIFY(objectOf(reply)
                    .value(QLatin1String("error_description"))
                    .toString()
                    .contains(QLatin1String("audience")));
        // An unknown account, another grant type.
        GcpServiceAccount stranger = account();
        stranger.clientEmail = QStringLiteral("someone@else.iam.gserviceaccount.com");
        QCOMPARE(tokenRequest(assertion(stranger, m_clock.ms / 1000)).status, 400);
        reply = tokenRequest(assertion(account(), m_clock.ms / 1000),
                             QStringLiteral("client_credentials"));
        QCOMPARE(objectOf(reply).value(QLatin1String("error")).toString(),
                 QStringLiteral("unsupported_grant_type"));
        // The audience may be the sandbox's own token URL.
        QCOMPARE(tokenRequest(assertion(account(), m_clock.ms / 1000,
                                        QStringLiteral("http://127.0.0.1:1/gcp-kms/token")))
                     .status,
                 200);
    }

    void bearerTokenRequired()
    {
        m_token.clear();
        HttpReply reply = call("GET", keyPath(GcpKmsDouble::EventsKey));
        QCOMPARE(reply.status, 401);
        QCOMPARE(errorOf(reply).value(QLatin1String("status")).toString(),
                 QStringLiteral("UNAUTHENTICATED"));
        m_token = "ya29.made-up";
        QCOMPARE(call("GET", keyPath(GcpKmsDouble::EventsKey)).status, 401);
        // Tokens expire after an hour.
        init();
        m_clock.ms += 3600 * 1000;
        QCOMPARE(call("GET", keyPath(GcpKmsDouble::EventsKey)).status, 401);
        m_clock.ms -= 3600 * 1000;
    }

    void selfSignedJwtBearer()
    {
        // What Google's client libraries send instead of an OAuth2 access token.
        m_token = *kw::kms::makeJwtAssertion(account(), QString(kw::kms::GcpKmsScope),
                                             QStringLiteral("https://cloudkms.googleapis.com/"),
                                             m_clock.ms / 1000);
        QCOMPARE(call("GET", keyPath(GcpKmsDouble::EventsKey)).status, 200);
        GcpServiceAccount impostor = account();
        impostor.privateKeyPem = *kw::crypto::newRsaPrivateKeyPem(1024);
        m_token = *kw::kms::makeJwtAssertion(impostor, QString(kw::kms::GcpKmsScope),
                                             QStringLiteral("https://cloudkms.googleapis.com/"),
                                             m_clock.ms / 1000);
        QCOMPARE(call("GET", keyPath(GcpKmsDouble::EventsKey)).status, 401);
    }

    void encryptDecryptRoundTrip()
    {
        const QByteArray plaintext("\x1a\x20 a Tink AES-GCM key proto....", 32);
        HttpReply reply =
            call("POST", keyPath(GcpKmsDouble::EventsKey, ":encrypt"),
                 {{QStringLiteral("plaintext"), QString::fromLatin1(plaintext.toBase64())},
                  {QStringLiteral("additionalAuthenticatedData"), QString()},
                  {QStringLiteral("plaintextCrc32c"), crc(plaintext)},
                  {QStringLiteral("additionalAuthenticatedDataCrc32c"), QStringLiteral("0")}});
        QCOMPARE(reply.status, 200);
        const QJsonObject encrypted = objectOf(reply);
        QCOMPARE(encrypted.value(QLatin1String("name")).toString(),
                 QString(GcpKmsDouble::EventsKey) + QStringLiteral("/cryptoKeyVersions/2"));
        const QByteArray ciphertext = QByteArray::fromBase64(
            encrypted.value(QLatin1String("ciphertext")).toString().toLatin1());
        QVERIFY(encrypted.value(QLatin1String("ciphertextCrc32c")).isString());
        QCOMPARE(encrypted.value(QLatin1String("ciphertextCrc32c")).toString(), crc(ciphertext));
        QVERIFY(encrypted.value(QLatin1String("verifiedPlaintextCrc32c")).toBool());
        QVERIFY(
            encrypted.value(QLatin1String("verifiedAdditionalAuthenticatedDataCrc32c")).toBool());

        // Decrypt with URL-safe base64 (as tink-go sends) and no CRC.
        reply = call("POST", keyPath(GcpKmsDouble::EventsKey, ":decrypt"),
                     {{QStringLiteral("ciphertext"),
                       QString::fromLatin1(ciphertext.toBase64(QByteArray::Base64UrlEncoding))}});
        QCOMPARE(reply.status, 200);
        const QJsonObject decrypted = objectOf(reply);
        QCOMPARE(QByteArray::fromBase64(
                     decrypted.value(QLatin1String("plaintext")).toString().toLatin1()),
                 plaintext);
        QCOMPARE(decrypted.value(QLatin1String("plaintextCrc32c")).toString(), crc(plaintext));
        QVERIFY(decrypted.value(QLatin1String("usedPrimary")).toBool());
        QVERIFY(decrypted.contains(QLatin1String("verifiedCiphertextCrc32c")));

        // Version names: fine for encrypt, refused for decrypt.
        QCOMPARE(call("POST", keyPath(GcpKmsDouble::EventsKey, "/cryptoKeyVersions/1:encrypt"),
                      {{QStringLiteral("plaintext"), QStringLiteral("AAAA")}})
                     .status,
                 200);
        reply = call("POST", keyPath(GcpKmsDouble::EventsKey, "/cryptoKeyVersions/2:decrypt"),
                     {{QStringLiteral("ciphertext"), QString::fromLatin1(ciphertext.toBase64())}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(errorOf(reply).value(QLatin1String("status")).toString(),
                 QStringLiteral("INVALID_ARGUMENT"));

        // Under another key, or altered: INVALID_ARGUMENT.
        QByteArray altered = ciphertext;
        altered[altered.size() - 1] = char(altered.back() ^ 1);
        for (const QByteArray &bad : {altered, QByteArray("garbage-garbage-garbage-garbage")}) {
            reply = call("POST", keyPath(GcpKmsDouble::EventsKey, ":decrypt"),
                         {{QStringLiteral("ciphertext"), QString::fromLatin1(bad.toBase64())}});
            QCOMPARE(reply.status, 400);
            QVERIFY(errorOf(reply)
                        .value(QLatin1String("message"))
                        .toString()
                        .startsWith(QLatin1String("Decryption failed")));
        }
        // A wrong CRC32C.
        reply = call("POST", keyPath(GcpKmsDouble::EventsKey, ":decrypt"),
                     {{QStringLiteral("ciphertext"), QString::fromLatin1(ciphertext.toBase64())},
                      {QStringLiteral("ciphertextCrc32c"), QStringLiteral("12345")}});
        QCOMPARE(reply.status, 400);
        QVERIFY(errorOf(reply)
                    .value(QLatin1String("message"))
                    .toString()
                    .contains(QLatin1String("checksum")));
    }

    void keyFacts()
    {
        HttpReply reply = call("GET", keyPath(GcpKmsDouble::EventsKey));
        QCOMPARE(reply.status, 200);
        QJsonObject key = objectOf(reply);
        QCOMPARE(key.value(QLatin1String("rotationPeriod")).toString(), QStringLiteral("7776000s"));
        QVERIFY(key.value(QLatin1String("nextRotationTime")).toString().endsWith(QLatin1Char('Z')));
        QCOMPARE(
            key.value(QLatin1String("primary")).toObject().value(QLatin1String("state")).toString(),
            QStringLiteral("ENABLED"));

        reply = call("GET", keyPath(GcpKmsDouble::ArchiveKey));
        const QJsonObject primary = objectOf(reply).value(QLatin1String("primary")).toObject();
        QCOMPARE(primary.value(QLatin1String("state")).toString(),
                 QStringLiteral("DESTROY_SCHEDULED"));
        QCOMPARE(QDateTime::fromString(primary.value(QLatin1String("destroyTime")).toString(),
                                       Qt::ISODateWithMs)
                     .toMSecsSinceEpoch(),
                 m_clock.ms + 12 * 24 * 3600 * 1000LL);

        reply = call("GET", keyPath(GcpKmsDouble::EventsKey, "/cryptoKeyVersions"));
        QCOMPARE(objectOf(reply).value(QLatin1String("cryptoKeyVersions")).toArray().size(), 2);
        QCOMPARE(call("GET", keyPath(GcpKmsDouble::EventsKey, "/cryptoKeyVersions/1")).status, 200);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("canonical");
        QTest::addColumn<QString>("inMessage");
        QTest::newRow("destroy scheduled")
            << QString(GcpKmsDouble::ArchiveKey) << 400 << QStringLiteral("FAILED_PRECONDITION")
            << QStringLiteral("current state is: DESTROY_SCHEDULED");
        QTest::newRow("disabled") << QString(GcpKmsDouble::DisabledKey) << 400
                                  << QStringLiteral("FAILED_PRECONDITION")
                                  << QStringLiteral("current state is: DISABLED");
        QTest::newRow("permission denied")
            << QString(GcpKmsDouble::ForbiddenKey) << 403 << QStringLiteral("PERMISSION_DENIED")
            << QString(GcpKmsDouble::ServiceAccountEmail);
        QTest::newRow("throttled")
            << QString(GcpKmsDouble::ThrottledKey) << 429 << QStringLiteral("RESOURCE_EXHAUSTED")
            << QStringLiteral("Quota exceeded");
        QTest::newRow("not found")
            << QStringLiteral("projects/p/locations/l/keyRings/r/cryptoKeys/missing") << 404
            << QStringLiteral("NOT_FOUND") << QStringLiteral("cryptoKeys/missing");
    }
    void errors()
    {
        QFETCH(QString, key);
        QFETCH(int, status);
        QFETCH(QString, canonical);
        QFETCH(QString, inMessage);
        const HttpReply reply =
            call("POST", QStringLiteral("/gcp-kms/v1/") + key + QStringLiteral(":encrypt"),
                 {{QStringLiteral("plaintext"), QStringLiteral("AAAA")}});
        QCOMPARE(reply.status, status);
        const QJsonObject error = errorOf(reply);
        QCOMPARE(error.value(QLatin1String("code")).toInt(), status);
        QCOMPARE(error.value(QLatin1String("status")).toString(), canonical);
        QVERIFY2(error.value(QLatin1String("message")).toString().contains(inMessage),
                 qPrintable(error.value(QLatin1String("message")).toString()));
    }

    void throttleNext()
    {
        m_kms->throttleNext(2);
        QCOMPARE(call("GET", keyPath(GcpKmsDouble::EventsKey)).status, 429);
        QCOMPARE(call("GET", keyPath(GcpKmsDouble::EventsKey)).status, 429);
        QCOMPARE(call("GET", keyPath(GcpKmsDouble::EventsKey)).status, 200);
    }

    void seedingDriverRoundTrip()
    {
        kw::kms::KekRef kek;
        kek.kmsType = QStringLiteral("gcp-kms");
        kek.kmsKeyId = QString(GcpKmsDouble::EventsKey);
        const auto aead = m_kms->seedingDriver()->create(kek, {});
        QVERIFY(aead);
        const auto wrapped = (*aead)->wrap("dek bytes").result();
        QVERIFY2(wrapped, qPrintable(wrapped.error().message));
        const auto unwrapped = (*aead)->unwrap(*wrapped).result();
        QVERIFY2(unwrapped, qPrintable(unwrapped.error().message));
        QCOMPARE(*unwrapped, QByteArray("dek bytes"));
        // The seeding writes history: the archive key's version 1 wrapped its DEKs before it
        // was scheduled for destruction. Unwrapping them now goes through the API, which
        // refuses.
        kek.kmsKeyId = QString(GcpKmsDouble::ArchiveKey);
        const auto archive = m_kms->seedingDriver()->create(kek, {});
        QVERIFY(archive);
        const auto history = (*archive)->wrap("x").result();
        QVERIFY2(history, qPrintable(history.error().message));
        const auto refused = (*archive)->unwrap(*history).result();
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QLatin1String("DESTROY_SCHEDULED")),
                 qPrintable(refused.error().message));
    }
};

QTEST_GUILESS_MAIN(TestGcpKmsDouble)
#include "tst_gcpkmsdouble.moc"
