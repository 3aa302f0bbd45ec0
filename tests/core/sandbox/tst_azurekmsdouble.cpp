#include "core/crypto/rsasign.h"
#include "core/kms/gcpjwt.h"
#include "core/sandbox/azurekmsdouble.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using namespace kw::sandbox;
using D = AzureKmsDouble;

namespace {

class FixedClock final : public kw::Clock
{
public:
    qint64 nowMs() const override { return ms; }
    qint64 ms = 1'780'000'000'000; // 2026-05-28
};

HttpRequest request(const QByteArray &method, const QString &path, const QByteArray &body = {},
                    const QByteArray &token = {}, const QString &apiVersion = QStringLiteral("7.4"))
{
    HttpRequest out;
    out.method = method;
    out.segments = path.mid(1).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    out.body = body;
    if (!apiVersion.isEmpty())
        out.query.addQueryItem(QStringLiteral("api-version"), apiVersion);
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

QString innerOf(const HttpReply &reply)
{
    return errorOf(reply)
        .value(QLatin1String("innererror"))
        .toObject()
        .value(QLatin1String("code"))
        .toString();
}

QString b64u(const QByteArray &bytes)
{
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray opBody(const QByteArray &value, const QString &alg = QStringLiteral("RSA-OAEP-256"))
{
    return QJsonDocument(
               QJsonObject{{QStringLiteral("alg"), alg}, {QStringLiteral("value"), b64u(value)}})
        .toJson(QJsonDocument::Compact);
}

QString keyPath(QLatin1String name, const QString &rest = {})
{
    return QStringLiteral("/azure-kms/vaults/northwind-risk/keys/") + name + rest;
}

} // namespace

class TestAzureKmsDouble : public QObject
{
    Q_OBJECT

private:
    FixedClock m_clock;
    std::unique_ptr<D> m_kms;
    QByteArray m_token;

    HttpReply
    tokenRequest(const QString &tenant, const QString &client, const QString &secret,
                 const QString &scope = QStringLiteral("https://vault.azure.net/.default"))
    {
        QUrlQuery form;
        const auto add = [&form](const char *key, const QString &value) {
            form.addQueryItem(QLatin1String(key),
                              QString::fromLatin1(QUrl::toPercentEncoding(value)));
        };
        add("grant_type", QStringLiteral("client_credentials"));
        add("client_id", client);
        add("client_secret", secret);
        add("scope", scope);
        return m_kms->route(request("POST",
                                    QStringLiteral("/azure-kms/%1/oauth2/v2.0/token").arg(tenant),
                                    form.toString(QUrl::FullyEncoded).toUtf8(), {}, {}));
    }

    HttpReply call(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        return m_kms->route(request(method, path, body, m_token));
    }

    QByteArray valueOf(const HttpReply &reply)
    {
        return kw::kms::decodeAnyBase64(
                   objectOf(reply).value(QLatin1String("value")).toString().toLatin1())
            .value_or(QByteArray());
    }

private Q_SLOTS:
    void init()
    {
        m_kms = std::make_unique<D>(m_clock);
        m_kms->seedDemoKeys(m_clock);
        const HttpReply reply =
            tokenRequest(QString(D::TenantId), QString(D::ClientId), m_kms->clientSecret());
        QCOMPARE(reply.status, 200);
        QCOMPARE(objectOf(reply).value(QLatin1String("token_type")).toString(),
                 QStringLiteral("Bearer"));
        QCOMPARE(objectOf(reply).value(QLatin1String("expires_in")).toInt(), 3599);
        m_token = objectOf(reply).value(QLatin1String("access_token")).toString().toLatin1();
        QVERIFY(!m_token.isEmpty());
        QCOMPARE(m_kms->tokensIssued(), 1);
    }

    void tokenEndpointChecksTheClient()
    {
        HttpReply reply =
            tokenRequest(QString(D::TenantId), QString(D::ClientId), QStringLiteral("wrong"));
        QCOMPARE(reply.status, 401);
        QCOMPARE(objectOf(reply).value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_client"));
        QVERIFY(objectOf(reply)
                    .value(QLatin1String("error_description"))
                    .toString()
                    .startsWith(QLatin1String("AADSTS7000215: Invalid client secret")));

        reply = tokenRequest(QString(D::TenantId), QStringLiteral("0000"), m_kms->clientSecret());
        QCOMPARE(reply.status, 400);
        QCOMPARE(objectOf(reply).value(QLatin1String("error")).toString(),
                 QStringLiteral("unauthorized_client"));
        QVERIFY(objectOf(reply)
                    .value(QLatin1String("error_description"))
                    .toString()
                    .contains(QLatin1String(
                        "AADSTS700016: Application with identifier '0000' was not found")));

        reply = tokenRequest(QStringLiteral("other-tenant"), QString(D::ClientId),
                             m_kms->clientSecret());
        QCOMPARE(reply.status, 400);
        QVERIFY(objectOf(reply)
                    .value(QLatin1String("error_description"))
                    .toString()
                    .startsWith(QLatin1String("AADSTS90002: Tenant 'other-tenant' not found")));

        reply = tokenRequest(QString(D::TenantId), QString(D::ClientId), m_kms->clientSecret(),
                             QStringLiteral("https://vault.azure.net"));
        QCOMPARE(reply.status, 400);
        QCOMPARE(objectOf(reply).value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_scope"));
        QCOMPARE(m_kms->tokensIssued(), 1);
    }

    void bearerTokensAreChecked()
    {
        const QString path = keyPath(D::DemoKey);
        HttpReply reply = m_kms->route(request("GET", path));
        QCOMPARE(reply.status, 401);
        QCOMPARE(reply.headers.value(0).first, QByteArray("WWW-Authenticate"));
        QVERIFY(reply.headers.value(0).second.startsWith(
            "Bearer authorization=\"https://login.microsoftonline.com/"));
        QCOMPARE(errorOf(reply).value(QLatin1String("code")).toString(),
                 QStringLiteral("Unauthorized"));
        reply = m_kms->route(request("GET", path, {}, "forged"));
        QCOMPARE(reply.status, 401);
        reply = m_kms->route(request("GET", path, {}, m_token, {}));
        QCOMPARE(reply.status, 400);
        QCOMPARE(errorOf(reply).value(QLatin1String("code")).toString(),
                 QStringLiteral("MissingApiVersionParameter"));
        QCOMPARE(call("GET", path).status, 200);
        m_clock.ms += 3600 * 1000;
        reply = call("GET", path);
        QCOMPARE(reply.status, 401);
        QVERIFY(errorOf(reply)
                    .value(QLatin1String("message"))
                    .toString()
                    .contains(QLatin1String("expired")));
    }

    void encryptDecryptRoundTripWithRealRsaOaep()
    {
        const QByteArray dek = QByteArray(70, 'k');
        // Versionless (both path forms) encrypts with the current version; kid names it.
        for (const QString &path : {keyPath(D::DemoKey, QStringLiteral("/encrypt")),
                                    keyPath(D::DemoKey, QStringLiteral("//encrypt"))}) {
            const HttpReply sealed = call("POST", path, opBody(dek));
            QCOMPARE(sealed.status, 200);
            QCOMPARE(objectOf(sealed).value(QLatin1String("kid")).toString(),
                     D::keyId(QString(D::Vault), QString(D::DemoKey), QString(D::DemoVersion)));
            const QByteArray ciphertext = valueOf(sealed);
            QCOMPARE(ciphertext.size(), 256);
            // RSA-OAEP is randomised; the public key's own OAEP-256 output decrypts too.
            const HttpReply opened =
                call("POST", keyPath(D::DemoKey, QStringLiteral("/%1/decrypt").arg(D::DemoVersion)),
                     opBody(ciphertext));
            QCOMPARE(opened.status, 200);
            QCOMPARE(valueOf(opened), dek);
        }
        const QByteArray pem =
            m_kms->publicKeyPem(QString(D::Vault), QString(D::DemoKey), QString(D::DemoVersion));
        const QByteArray external = *kw::crypto::rsaOaepSha256Encrypt(pem, dek);
        const HttpReply opened =
            call("POST", keyPath(D::DemoKey, QStringLiteral("/decrypt")), opBody(external));
        QCOMPARE(opened.status, 200);
        QCOMPARE(valueOf(opened), dek);

        // An older version's ciphertext needs that version.
        const HttpReply versions = call("GET", keyPath(D::DemoKey));
        QCOMPARE(versions.status, 200);
    }

    void keyBundleAndRotationPolicy()
    {
        const HttpReply key = call("GET", keyPath(D::DemoKey, QStringLiteral("/")));
        QCOMPARE(key.status, 200);
        const QJsonObject jwk = objectOf(key).value(QLatin1String("key")).toObject();
        QCOMPARE(jwk.value(QLatin1String("kid")).toString(),
                 D::keyId(QString(D::Vault), QString(D::DemoKey), QString(D::DemoVersion)));
        QCOMPARE(jwk.value(QLatin1String("kty")).toString(), QStringLiteral("RSA"));
        QCOMPARE(
            kw::kms::decodeAnyBase64(jwk.value(QLatin1String("n")).toString().toLatin1())->size(),
            256);
        QCOMPARE(jwk.value(QLatin1String("e")).toString(), QStringLiteral("AQAB"));
        const QJsonObject attributes = objectOf(key).value(QLatin1String("attributes")).toObject();
        QCOMPARE(attributes.value(QLatin1String("enabled")).toBool(), true);
        QCOMPARE(attributes.value(QLatin1String("created")).toInteger(),
                 (m_clock.ms - 70 * 86400000LL) / 1000);
        QVERIFY(attributes.contains(QLatin1String("exp")));
        QCOMPARE(attributes.value(QLatin1String("recoveryLevel")).toString(),
                 QStringLiteral("Recoverable"));

        const HttpReply policy =
            call("GET", keyPath(D::DemoKey, QStringLiteral("/rotationpolicy")));
        QCOMPARE(policy.status, 200);
        const QJsonArray actions =
            objectOf(policy).value(QLatin1String("lifetimeActions")).toArray();
        QCOMPARE(actions.first()
                     .toObject()
                     .value(QLatin1String("trigger"))
                     .toObject()
                     .value(QLatin1String("timeAfterCreate"))
                     .toString(),
                 QStringLiteral("P90D"));
        QCOMPARE(actions.first()
                     .toObject()
                     .value(QLatin1String("action"))
                     .toObject()
                     .value(QLatin1String("type"))
                     .toString(),
                 QStringLiteral("Rotate"));
        QCOMPARE(objectOf(policy)
                     .value(QLatin1String("attributes"))
                     .toObject()
                     .value(QLatin1String("expiryTime"))
                     .toString(),
                 QStringLiteral("P730D"));
    }

    void errorsAsKeyVaultGivesThem()
    {
        // Disabled: encrypt (a public-key operation) still works, decrypt is refused.
        const HttpReply sealed =
            call("POST", keyPath(D::DisabledKey, QStringLiteral("/encrypt")), opBody("x"));
        QCOMPARE(sealed.status, 200);
        HttpReply reply = call("POST", keyPath(D::DisabledKey, QStringLiteral("/decrypt")),
                               opBody(valueOf(sealed)));
        QCOMPARE(reply.status, 403);
        QCOMPARE(errorOf(reply).value(QLatin1String("code")).toString(),
                 QStringLiteral("Forbidden"));
        QCOMPARE(innerOf(reply), QStringLiteral("KeyDisabled"));
        QCOMPARE(errorOf(reply).value(QLatin1String("message")).toString(),
                 QStringLiteral("Operation decrypt is not allowed on a disabled key."));
        reply = call("GET", keyPath(D::DisabledKey));
        QCOMPARE(objectOf(reply)
                     .value(QLatin1String("attributes"))
                     .toObject()
                     .value(QLatin1String("enabled"))
                     .toBool(true),
                 false);

        // Access denied names the caller's object id and the key.
        reply = call("POST", keyPath(D::ForbiddenKey, QStringLiteral("/encrypt")), opBody("x"));
        QCOMPARE(reply.status, 403);
        QCOMPARE(innerOf(reply), QStringLiteral("AccessDenied"));
        const QString denied = errorOf(reply).value(QLatin1String("message")).toString();
        QVERIFY2(denied.contains(QStringLiteral("oid=%1").arg(D::ObjectId)), qPrintable(denied));
        QVERIFY2(denied.contains(QLatin1String("does not have keys encrypt permission")),
                 qPrintable(denied));
        QVERIFY2(denied.contains(D::ForbiddenKey), qPrintable(denied));

        // Not found, and soft-deleted (404 on /keys, the purge date on /deletedkeys).
        reply =
            call("POST", keyPath(QLatin1String("nope"), QStringLiteral("/encrypt")), opBody("x"));
        QCOMPARE(reply.status, 404);
        QCOMPARE(errorOf(reply).value(QLatin1String("code")).toString(),
                 QStringLiteral("KeyNotFound"));
        QVERIFY(errorOf(reply)
                    .value(QLatin1String("message"))
                    .toString()
                    .startsWith(QLatin1String(
                        "A key with (name/id) nope was not found in this key vault.")));
        reply = call("GET", keyPath(D::DeletedKey));
        QCOMPARE(reply.status, 404);
        reply = call("GET", QStringLiteral("/azure-kms/vaults/northwind-risk/deletedkeys/") +
                                D::DeletedKey);
        QCOMPARE(reply.status, 200);
        QCOMPARE(objectOf(reply).value(QLatin1String("scheduledPurgeDate")).toInteger(),
                 (m_clock.ms + 70 * 86400000LL) / 1000);
        reply = call("GET",
                     QStringLiteral("/azure-kms/vaults/northwind-risk/deletedkeys/") + D::DemoKey);
        QCOMPARE(reply.status, 404);

        // A version that does not exist.
        reply =
            call("POST",
                 keyPath(D::DemoKey, QStringLiteral("/ffffffffffffffffffffffffffffffff/encrypt")),
                 opBody("x"));
        QCOMPARE(reply.status, 404);

        // Bad ciphertext.
        reply = call("POST", keyPath(D::DemoKey, QStringLiteral("/decrypt")),
                     opBody(QByteArray(256, 'z')));
        QCOMPARE(reply.status, 400);
        QCOMPARE(errorOf(reply).value(QLatin1String("code")).toString(),
                 QStringLiteral("BadParameter"));
        reply = call("POST", keyPath(D::DemoKey, QStringLiteral("/encrypt")),
                     opBody("x", QStringLiteral("RSA1_5")));
        QCOMPARE(reply.status, 400);

        // Throttled: always for busy-kek, and for the next N calls on request, with Retry-After.
        reply = call("POST", keyPath(D::ThrottledKey, QStringLiteral("/encrypt")), opBody("x"));
        QCOMPARE(reply.status, 429);
        QCOMPARE(errorOf(reply).value(QLatin1String("code")).toString(),
                 QStringLiteral("Throttled"));
        QCOMPARE(reply.headers.value(0).first, QByteArray("Retry-After"));
        m_kms->throttleNext(2);
        QCOMPARE(call("GET", keyPath(D::DemoKey)).status, 429);
        QCOMPARE(call("GET", keyPath(D::DemoKey)).status, 429);
        QCOMPARE(call("GET", keyPath(D::DemoKey)).status, 200);
    }

    void directCallsMatchTheApi()
    {
        const QString kid = D::keyId(QString(D::Vault), QString(D::DemoKey));
        const QByteArray sealed = m_kms->encryptDirect(kid, "dek").value();
        QCOMPARE(m_kms->decryptDirect(kid, sealed).value(), QByteArray("dek"));
        const kw::Result<QByteArray> disabled = m_kms->decryptDirect(
            D::keyId(QString(D::Vault), QString(D::DisabledKey)),
            m_kms->encryptDirect(D::keyId(QString(D::Vault), QString(D::DisabledKey)), "d")
                .value());
        QVERIFY(!disabled);
        QCOMPARE(disabled.error().code, QStringLiteral("azure.Forbidden"));
    }
};

QTEST_GUILESS_MAIN(TestAzureKmsDouble)
#include "tst_azurekmsdouble.moc"
