#include "core/sandbox/azurekmsdouble.h"

#include "core/crypto/crypto.h"
#include "core/crypto/rsasign.h"
#include "core/kms/gcpjwt.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QRegularExpression>
#include <QUrl>
#include <QUuid>

namespace kw::sandbox {

namespace {

constexpr qint64 DayMs = 24LL * 3600 * 1000;
constexpr qint64 TokenLifetimeSeconds = 3599;
constexpr int RetentionDays = 90;
const QString Scope = QStringLiteral("https://vault.azure.net/.default");

QString base64Url(QByteArrayView bytes)
{
    return QString::fromLatin1(bytes.toByteArray().toBase64(QByteArray::Base64UrlEncoding |
                                                            QByteArray::OmitTrailingEquals));
}

QString newVersionId()
{
    return QString::fromLatin1(crypto::randomBytes(16).view().toByteArray().toHex());
}

// Key Vault's error body: {"error":{"code","message","innererror":{"code"}}}.
HttpReply vaultError(int status, const QString &code, const QString &message,
                     const QString &inner = {})
{
    QJsonObject error{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    if (!inner.isEmpty())
        error.insert(QStringLiteral("innererror"), QJsonObject{{QStringLiteral("code"), inner}});
    return jsonReply(QJsonObject{{QStringLiteral("error"), error}}, status);
}

// The Microsoft identity platform's error body.
HttpReply aadError(int status, const QString &error, int code, const QString &description)
{
    const QString traceId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    return jsonReply(
        QJsonObject{
            {QStringLiteral("error"), error},
            {QStringLiteral("error_description"),
             QStringLiteral("AADSTS%1: %2\r\nTrace ID: %3\r\nCorrelation ID: %4\r\nTimestamp: %5")
                 .arg(code)
                 .arg(description, traceId, QUuid::createUuid().toString(QUuid::WithoutBraces),
                      QDateTime::currentDateTimeUtc().toString(Qt::ISODate))},
            {QStringLiteral("error_codes"), QJsonArray{code}},
            {QStringLiteral("trace_id"), traceId},
        },
        status);
}

HttpReply keyNotFound(const QString &name, const QString &version = {})
{
    return vaultError(
        404, QStringLiteral("KeyNotFound"),
        QStringLiteral("A key with (name/id) %1 was not found in this key vault. If you "
                       "recently deleted this key you may be able to recover it using the "
                       "correct recovery command. For help resolving this issue, please see "
                       "https://go.microsoft.com/fwlink/?linkid=2125182")
            .arg(version.isEmpty() ? name : name + QLatin1Char('/') + version));
}

qint64 seconds(qint64 ms)
{
    return ms / 1000;
}

bool usable(const AzureKmsDouble::Version &version, qint64 nowMs)
{
    return version.enabled && (version.expMs == 0 || version.expMs > nowMs) &&
           (version.nbfMs == 0 || version.nbfMs <= nowMs);
}

Error replyError(const HttpReply &reply)
{
    const QJsonObject error =
        QJsonDocument::fromJson(reply.body).object().value(QLatin1String("error")).toObject();
    return makeError(QStringLiteral("azure.%1").arg(error.value(QLatin1String("code")).toString()),
                     error.value(QLatin1String("message")).toString());
}

} // namespace

AzureKmsDouble::AzureKmsDouble(const Clock &clock)
    : m_clock(clock)
    , m_clientSecret(QStringLiteral("kw~") +
                     QString::fromLatin1(crypto::randomBytes(18).view().toByteArray().toBase64(
                         QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)))
{}

AzureKmsDouble::~AzureKmsDouble() = default;

QString AzureKmsDouble::kmsType() const
{
    return QStringLiteral("azure-kms");
}

QString AzureKmsDouble::pathPrefix() const
{
    return QString(Prefix);
}

QString AzureKmsDouble::keyId(const QString &vault, const QString &name, const QString &version)
{
    QString id = QStringLiteral("https://%1.vault.azure.net/keys/%2").arg(vault, name);
    if (!version.isEmpty())
        id += QLatin1Char('/') + version;
    return id;
}

void AzureKmsDouble::putKey(const Key &key)
{
    QMutexLocker lock(&m_mutex);
    m_keys.insert(key.vault + QLatin1Char('/') + key.name, key);
}

bool AzureKmsDouble::ensureMaterial(Version &version)
{
    if (!version.publicKeyPem.isEmpty())
        return true;
    Result<crypto::SecureBytes> pem = crypto::newRsaPrivateKeyPem(2048);
    if (!pem)
        return false;
    Result<QByteArray> publicPem = crypto::rsaPublicKeyPem(*pem);
    if (!publicPem)
        return false;
    version.privateKeyPem = *pem;
    version.publicKeyPem = *publicPem;
    return true;
}

void AzureKmsDouble::seedDemoKeys(const Clock &clock)
{
    const qint64 now = clock.nowMs();
    const QString vault(Vault);
    // csfle-kek: rotated by its policy every 90 days; the demo KEK names its current version.
    Key kek{vault, QString(DemoKey), {}, 90, 730, now - 400 * DayMs, 0, 0, {}, false};
    kek.versions = {
        Version{newVersionId(), now - 160 * DayMs, true, now + 570 * DayMs, 0, {}, {}},
        Version{QString(DemoVersion), now - 70 * DayMs, true, now + 660 * DayMs, 0, {}, {}}};
    putKey(kek);

    Key disabled{vault, QString(DisabledKey), {}, 0, 0, now - 700 * DayMs, 0, 0, {}, false};
    disabled.versions = {Version{newVersionId(), now - 700 * DayMs, false, 0, 0, {}, {}}};
    putKey(disabled);

    Key finance{vault, QString(ForbiddenKey), {}, 0, 0, now - 30 * DayMs, 0, 0, {}, false};
    finance.versions = {Version{newVersionId(), now - 30 * DayMs, true, 0, 0, {}, {}}};
    finance.deniedObjectIds = {QString(ObjectId)};
    putKey(finance);

    Key retired{vault,
                QString(DeletedKey),
                {},
                0,
                0,
                now - 500 * DayMs,
                now - 20 * DayMs,
                now + (RetentionDays - 20) * DayMs,
                {},
                false};
    retired.versions = {Version{newVersionId(), now - 500 * DayMs, true, 0, 0, {}, {}}};
    putKey(retired);

    Key busy{vault, QString(ThrottledKey), {}, 0, 0, now - 30 * DayMs, 0, 0, {}, true};
    busy.versions = {Version{newVersionId(), now - 30 * DayMs, true, 0, 0, {}, {}}};
    putKey(busy);
}

std::shared_ptr<kms::KmsDriver> AzureKmsDouble::seedingDriver()
{
    return directSeedingDriver(
        QStringLiteral("azure-kms"),
        [this](const QString &kid, const QByteArray &plaintext) {
            return encryptDirect(kid, plaintext);
        },
        [this](const QString &kid, const QByteArray &ciphertext) {
            return decryptDirect(kid, ciphertext);
        });
}

kms::KmsConfig AzureKmsDouble::clientSettings(const QString &baseUrl) const
{
    const QString root = baseUrl + QLatin1Char('/') + Prefix;
    return {
        {QStringLiteral("tenant.id"), QString(TenantId)},
        {QStringLiteral("client.id"), QString(ClientId)},
        {QStringLiteral("client.secret"), m_clientSecret},
        {QStringLiteral("keywarden.authority.host"), root},
        {QStringLiteral("keywarden.vault.url"), root + QStringLiteral("/vaults/{vault}")},
    };
}

QString AzureKmsDouble::clientSecret() const
{
    return m_clientSecret;
}

void AzureKmsDouble::throttleNext(int count)
{
    QMutexLocker lock(&m_mutex);
    m_throttle = count;
}

int AzureKmsDouble::tokensIssued() const
{
    QMutexLocker lock(&m_mutex);
    return m_tokensIssued;
}

HttpReply AzureKmsDouble::route(const HttpRequest &request)
{
    const QStringList &s = request.segments;
    if (s.size() == 5 && s[2] == QLatin1String("oauth2") && s[3] == QLatin1String("v2.0") &&
        s[4] == QLatin1String("token"))
        return token(request);
    if (s.size() >= 5 && s[1] == QLatin1String("vaults"))
        return vaultCall(request);
    return vaultError(404, QStringLiteral("NotFound"),
                      QStringLiteral("The requested resource was not found."));
}

HttpReply AzureKmsDouble::token(const HttpRequest &request)
{
    if (request.method != "POST")
        return aadError(400, QStringLiteral("invalid_request"), 900561,
                        QStringLiteral("The endpoint only accepts POST requests. Received a %1 "
                                       "request.")
                            .arg(QString::fromLatin1(request.method)));
    const QString tenant = request.segments[1];
    if (tenant != QLatin1String(TenantId))
        return aadError(400, QStringLiteral("invalid_request"), 90002,
                        QStringLiteral("Tenant '%1' not found. Check to make sure you have the "
                                       "correct tenant ID and are signing into the correct "
                                       "cloud.")
                            .arg(tenant));
    const QUrlQuery form(QString::fromUtf8(request.body));
    const auto field = [&form](const char *name) {
        return form.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
    };
    if (field("grant_type") != QLatin1String("client_credentials"))
        return aadError(400, QStringLiteral("unsupported_grant_type"), 70003,
                        QStringLiteral("The app requested an unsupported grant type '%1'.")
                            .arg(field("grant_type")));
    const QString clientId = field("client_id");
    if (clientId != QLatin1String(ClientId))
        return aadError(400, QStringLiteral("unauthorized_client"), 700016,
                        QStringLiteral("Application with identifier '%1' was not found in the "
                                       "directory '%2'. This can happen if the application has "
                                       "not been installed by the administrator of the tenant "
                                       "or consented to by any user in the tenant.")
                            .arg(clientId, tenant));
    if (field("client_secret") != m_clientSecret)
        return aadError(401, QStringLiteral("invalid_client"), 7000215,
                        QStringLiteral("Invalid client secret provided. Ensure the secret being "
                                       "sent in the request is the client secret value, not the "
                                       "client secret ID, for a secret added to app '%1'.")
                            .arg(clientId));
    if (field("scope") != Scope)
        return aadError(400, QStringLiteral("invalid_scope"), 1002012,
                        QStringLiteral("The provided value for scope %1 is not valid. Client "
                                       "credential flows must have a scope value with /.default "
                                       "suffixed to the resource identifier (application ID "
                                       "URI).")
                            .arg(field("scope")));
    const QString accessToken =
        QStringLiteral("eyJ0eXAiOiJKV1QifQ.kw-") +
        QString::fromLatin1(crypto::randomBytes(24).view().toByteArray().toHex());
    {
        QMutexLocker lock(&m_mutex);
        m_tokens.insert(accessToken,
                        {QString(ObjectId), m_clock.nowMs() + TokenLifetimeSeconds * 1000});
        ++m_tokensIssued;
    }
    return jsonReply(QJsonObject{{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                 {QStringLiteral("expires_in"), TokenLifetimeSeconds},
                                 {QStringLiteral("ext_expires_in"), TokenLifetimeSeconds},
                                 {QStringLiteral("access_token"), accessToken}});
}

HttpReply AzureKmsDouble::vaultCall(const HttpRequest &request)
{
    // vaults/{vault}/keys/{name}[/{version}][/encrypt|/decrypt|/rotationpolicy]
    // vaults/{vault}/deletedkeys/{name}
    const QString vault = request.segments[2];
    const QString collection = request.segments[3];
    const QString name = request.segments[4];
    const QStringList rest = request.segments.mid(5);
    static const QRegularExpression versionPattern(QStringLiteral("^[0-9a-f]{32}$"));
    QString version;
    QString operation;
    if (!rest.isEmpty() && versionPattern.match(rest[0]).hasMatch())
        version = rest[0];
    const QStringList tail = rest.mid(version.isEmpty() ? 0 : 1);
    if (tail.size() == 1)
        operation = tail[0];
    const bool post = request.method == "POST";
    const bool get = request.method == "GET";
    const bool known =
        (collection == QLatin1String("keys") && tail.size() <= 1 &&
         ((post &&
           (operation == QLatin1String("encrypt") || operation == QLatin1String("decrypt"))) ||
          (get && operation.isEmpty()) ||
          (get && version.isEmpty() && operation == QLatin1String("rotationpolicy")))) ||
        (collection == QLatin1String("deletedkeys") && get && rest.isEmpty());
    if (!known)
        return vaultError(404, QStringLiteral("NotFound"),
                          QStringLiteral("The requested resource was not found."));

    const QString apiVersion = request.query.queryItemValue(QStringLiteral("api-version"));
    if (apiVersion.isEmpty())
        return vaultError(400, QStringLiteral("MissingApiVersionParameter"),
                          QStringLiteral("The api-version query parameter (?api-version=) is "
                                         "required for all requests."));
    // 7.x, and the dated versions that followed 7.6 (the JS SDK 4.10 sends 2025-07-01).
    static const QRegularExpression knownVersion(
        QStringLiteral(R"(^(7\.\d+|20\d\d-\d\d-\d\d)(-preview)?$)"));
    if (!knownVersion.match(apiVersion).hasMatch())
        return vaultError(400, QStringLiteral("BadParameter"),
                          QStringLiteral("The specified version (%1) is not recognized. "
                                         "Consider using the latest supported version "
                                         "(7.4).")
                              .arg(apiVersion));

    const QByteArray authorization = request.header("Authorization");
    if (!authorization.startsWith("Bearer ")) {
        // The challenge Azure's SDKs start with: where to sign in, for which resource.
        HttpReply reply =
            vaultError(401, QStringLiteral("Unauthorized"),
                       QStringLiteral("AKV10000: Request is missing a Bearer or PoP token."));
        reply.headers = {
            {"WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/" +
                                     QByteArray(TenantId.data()) +
                                     "\", resource=\"https://vault.azure.net\""}};
        return reply;
    }
    const QString token = QString::fromLatin1(authorization.mid(7).trimmed());
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock.nowMs();
    const auto tokenIt = m_tokens.constFind(token);
    if (tokenIt == m_tokens.constEnd())
        return vaultError(401, QStringLiteral("Unauthorized"),
                          QStringLiteral("AKV10022: Invalid audience. Expected "
                                         "https://vault.azure.net, found: (not a token this "
                                         "tenant issued)."));
    if (tokenIt->second <= now)
        return vaultError(401, QStringLiteral("Unauthorized"),
                          QStringLiteral("AKV10032: Token expired."));
    const QString objectId = tokenIt->first;

    const QString permission = collection == QLatin1String("deletedkeys") ? QStringLiteral("get")
                               : operation == QLatin1String("rotationpolicy")
                                   ? QStringLiteral("getrotationpolicy")
                               : operation.isEmpty() ? QStringLiteral("get")
                                                     : operation;
    const auto keyIt = m_keys.find(vault + QLatin1Char('/') + name);
    if (keyIt != m_keys.end() && keyIt->deniedObjectIds.contains(objectId))
        return vaultError(
            403, QStringLiteral("Forbidden"),
            QStringLiteral("The user, group or application 'appid=%1;oid=%2;iss=https://"
                           "sts.windows.net/%3/' does not have keys %4 permission on key vault "
                           "'%5;location=westeurope' (key '%6'). For help resolving this issue, "
                           "please see https://go.microsoft.com/fwlink/?linkid=2125287")
                .arg(QString(ClientId), objectId, QString(TenantId), permission, vault, name),
            QStringLiteral("AccessDenied"));
    if (m_throttle > 0 || (keyIt != m_keys.end() && keyIt->alwaysThrottle)) {
        m_throttle = std::max(0, m_throttle - 1);
        HttpReply reply = vaultError(429, QStringLiteral("Throttled"),
                                     QStringLiteral("Request was not processed because too many "
                                                    "requests were received. Reason: "
                                                    "VaultRequestTypeLimitReached"));
        reply.headers = {{"Retry-After", "1"}};
        return reply;
    }

    if (collection == QLatin1String("deletedkeys")) {
        if (keyIt == m_keys.end() || keyIt->deletedMs == 0)
            return vaultError(404, QStringLiteral("KeyNotFound"),
                              QStringLiteral("Deleted Key not found: %1").arg(name));
        const Version &current = keyIt->versions.last();
        return jsonReply(QJsonObject{
            {QStringLiteral("key"),
             QJsonObject{{QStringLiteral("kid"), keyId(vault, name, current.id)},
                         {QStringLiteral("kty"), QStringLiteral("RSA")}}},
            {QStringLiteral("attributes"),
             QJsonObject{{QStringLiteral("enabled"), current.enabled},
                         {QStringLiteral("created"), seconds(current.createdMs)},
                         {QStringLiteral("updated"), seconds(keyIt->deletedMs)},
                         {QStringLiteral("recoverableDays"), RetentionDays},
                         {QStringLiteral("recoveryLevel"), QStringLiteral("Recoverable")}}},
            {QStringLiteral("recoveryId"),
             QStringLiteral("https://%1.vault.azure.net/deletedkeys/%2").arg(vault, name)},
            {QStringLiteral("deletedDate"), seconds(keyIt->deletedMs)},
            {QStringLiteral("scheduledPurgeDate"), seconds(keyIt->scheduledPurgeMs)},
        });
    }
    if (keyIt == m_keys.end() || keyIt->deletedMs != 0)
        return keyNotFound(name, version);
    Key &key = *keyIt;
    Version *selected = &key.versions.last();
    if (!version.isEmpty()) {
        selected = nullptr;
        for (Version &v : key.versions)
            if (v.id == version)
                selected = &v;
        if (!selected)
            return keyNotFound(name, version);
    }

    if (operation == QLatin1String("rotationpolicy")) {
        QJsonArray actions;
        if (key.rotateAfterDays > 0)
            actions.append(
                QJsonObject{{QStringLiteral("trigger"),
                             QJsonObject{{QStringLiteral("timeAfterCreate"),
                                          QStringLiteral("P%1D").arg(key.rotateAfterDays)}}},
                            {QStringLiteral("action"),
                             QJsonObject{{QStringLiteral("type"), QStringLiteral("Rotate")}}}});
        actions.append(
            QJsonObject{{QStringLiteral("trigger"),
                         QJsonObject{{QStringLiteral("timeBeforeExpiry"), QStringLiteral("P30D")}}},
                        {QStringLiteral("action"),
                         QJsonObject{{QStringLiteral("type"), QStringLiteral("Notify")}}}});
        QJsonObject attributes{{QStringLiteral("created"), seconds(key.policyUpdatedMs)},
                               {QStringLiteral("updated"), seconds(key.policyUpdatedMs)}};
        if (key.expiryDays > 0)
            attributes.insert(QStringLiteral("expiryTime"),
                              QStringLiteral("P%1D").arg(key.expiryDays));
        return jsonReply(QJsonObject{
            {QStringLiteral("id"),
             QStringLiteral("https://%1.vault.azure.net/keys/%2/rotationpolicy").arg(vault, name)},
            {QStringLiteral("lifetimeActions"), actions},
            {QStringLiteral("attributes"), attributes}});
    }

    if (!ensureMaterial(*selected))
        return vaultError(500, QStringLiteral("InternalServerError"),
                          QStringLiteral("The key material could not be made."));
    const QString kid = keyId(vault, name, selected->id);
    if (get) {
        const Result<std::pair<QByteArray, QByteArray>> numbers =
            crypto::rsaPublicNumbers(selected->privateKeyPem);
        QJsonObject attributes{{QStringLiteral("enabled"), selected->enabled},
                               {QStringLiteral("created"), seconds(selected->createdMs)},
                               {QStringLiteral("updated"), seconds(selected->createdMs)},
                               {QStringLiteral("recoverableDays"), RetentionDays},
                               {QStringLiteral("recoveryLevel"), QStringLiteral("Recoverable")},
                               {QStringLiteral("exportable"), false}};
        if (selected->expMs)
            attributes.insert(QStringLiteral("exp"), seconds(selected->expMs));
        if (selected->nbfMs)
            attributes.insert(QStringLiteral("nbf"), seconds(selected->nbfMs));
        return jsonReply(QJsonObject{
            {QStringLiteral("key"),
             QJsonObject{{QStringLiteral("kid"), kid},
                         {QStringLiteral("kty"), QStringLiteral("RSA")},
                         {QStringLiteral("key_ops"),
                          QJsonArray{QStringLiteral("encrypt"), QStringLiteral("decrypt"),
                                     QStringLiteral("wrapKey"), QStringLiteral("unwrapKey")}},
                         {QStringLiteral("n"), numbers ? base64Url(numbers->first) : QString()},
                         {QStringLiteral("e"), numbers ? base64Url(numbers->second) : QString()}}},
            {QStringLiteral("attributes"), attributes}});
    }

    // encrypt / decrypt. A disabled key still encrypts (a public-key operation) but refuses
    // to decrypt (kms-facts.md section 3.3); an expired or not yet valid key refuses both.
    if (operation == QLatin1String("decrypt") && !selected->enabled)
        return vaultError(403, QStringLiteral("Forbidden"),
                          QStringLiteral("Operation decrypt is not allowed on a disabled key."),
                          QStringLiteral("KeyDisabled"));
    if (selected->enabled && !usable(*selected, now))
        return vaultError(403, QStringLiteral("Forbidden"),
                          QStringLiteral("Operation %1 is not allowed on an expired or not yet "
                                         "valid key.")
                              .arg(operation),
                          QStringLiteral("KeyExpired"));
    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    const QString alg = body.value(QLatin1String("alg")).toString();
    if (alg != QLatin1String("RSA-OAEP-256") && alg != QLatin1String("RSA-OAEP"))
        return vaultError(400, QStringLiteral("BadParameter"),
                          QStringLiteral("Invalid algorithm '%1' for key type RSA; use "
                                         "RSA-OAEP-256.")
                              .arg(alg));
    if (alg != QLatin1String("RSA-OAEP-256"))
        return vaultError(400, QStringLiteral("BadParameter"),
                          QStringLiteral("The sandbox's Key Vault does RSA-OAEP-256 only."));
    const std::optional<QByteArray> value =
        kms::decodeAnyBase64(body.value(QLatin1String("value")).toString().toLatin1());
    if (!value || value->isEmpty())
        return vaultError(400, QStringLiteral("BadParameter"),
                          QStringLiteral("Property 'value' is missing or not base64url."));
    QByteArray out;
    if (operation == QLatin1String("encrypt")) {
        const Result<QByteArray> sealed =
            crypto::rsaOaepSha256Encrypt(selected->publicKeyPem, *value);
        if (!sealed)
            return vaultError(400, QStringLiteral("BadParameter"),
                              QStringLiteral("The plaintext is too long for RSA-OAEP-256 with "
                                             "a 2048-bit key."));
        out = *sealed;
    } else {
        const Result<crypto::SecureBytes> opened =
            crypto::rsaOaepSha256Decrypt(selected->privateKeyPem, *value);
        if (!opened)
            return vaultError(400, QStringLiteral("BadParameter"),
                              QStringLiteral("Invalid ciphertext: the value cannot be decrypted "
                                             "with key '%1' (RSA-OAEP-256).")
                                  .arg(kid));
        out = opened->view().toByteArray();
    }
    return jsonReply(
        QJsonObject{{QStringLiteral("kid"), kid}, {QStringLiteral("value"), base64Url(out)}});
}

QByteArray AzureKmsDouble::publicKeyPem(const QString &vault, const QString &name,
                                        const QString &version)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_keys.find(vault + QLatin1Char('/') + name);
    if (it == m_keys.end())
        return {};
    for (Version &v : it->versions)
        if (v.id == version || (version.isEmpty() && &v == &it->versions.last()))
            return ensureMaterial(v) ? v.publicKeyPem : QByteArray();
    return {};
}

Result<QByteArray> AzureKmsDouble::encryptDirect(const QString &kid, const QByteArray &plaintext)
{
    return directCall(kid, QStringLiteral("encrypt"), plaintext);
}

Result<QByteArray> AzureKmsDouble::decryptDirect(const QString &kid, const QByteArray &ciphertext)
{
    return directCall(kid, QStringLiteral("decrypt"), ciphertext);
}

Result<QByteArray> AzureKmsDouble::directCall(const QString &kid, const QString &operation,
                                              const QByteArray &data)
{
    // Through route() with a token of its own, so the seeding sees exactly what clients see.
    const QUrl url(kid);
    const QStringList path = url.path().split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (!url.host().endsWith(QLatin1String(".vault.azure.net")) || path.size() < 2 ||
        path.size() > 3 || path[0] != QLatin1String("keys"))
        return makeError(QStringLiteral("azure.BadParameter"),
                         QStringLiteral("Not a Key Vault key id: %1").arg(kid));
    const QString token = QStringLiteral("eyJ0eXAiOiJKV1QifQ.kw-seeding");
    {
        QMutexLocker lock(&m_mutex);
        m_tokens.insert(token, {QString(ObjectId), m_clock.nowMs() + 3600 * 1000});
    }
    HttpRequest request;
    request.method = "POST";
    request.segments = QStringList{QString(Prefix), QStringLiteral("vaults"),
                                   url.host().section(QLatin1Char('.'), 0, 0)} +
                       path + QStringList{operation};
    request.query.addQueryItem(QStringLiteral("api-version"), QStringLiteral("7.4"));
    request.headers = {{"Authorization", "Bearer " + token.toLatin1()}};
    request.body =
        QJsonDocument(QJsonObject{{QStringLiteral("alg"), QStringLiteral("RSA-OAEP-256")},
                                  {QStringLiteral("value"), base64Url(data)}})
            .toJson(QJsonDocument::Compact);
    const HttpReply reply = route(request);
    if (reply.status != 200)
        return replyError(reply);
    return kms::decodeAnyBase64(QJsonDocument::fromJson(reply.body)
                                    .object()
                                    .value(QLatin1String("value"))
                                    .toString()
                                    .toLatin1())
        .value_or(QByteArray());
}

} // namespace kw::sandbox
