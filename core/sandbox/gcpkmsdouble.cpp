#include "core/sandbox/gcpkmsdouble.h"

#include "core/crypto/crypto.h"
#include "core/crypto/rsasign.h"
#include "core/kms/gcpjwt.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QUrlQuery>
#include <QtEndian>

namespace kw::sandbox {

namespace {

constexpr qint64 DayMs = 24LL * 3600 * 1000;
constexpr qint64 TokenLifetimeSeconds = 3599;
constexpr QByteArrayView CiphertextMagic{"KWG1"};
// magic(4) || version(4, BE) || SHA-256(key name)[0..8) || SHA-256(AAD)[0..8) || AES-GCM
constexpr qsizetype HeaderSize = 4 + 4 + 8 + 8;

HttpReply googleError(int code, const QString &status, const QString &message)
{
    const QJsonObject error{{QStringLiteral("code"), code},
                            {QStringLiteral("message"), message},
                            {QStringLiteral("status"), status}};
    return jsonReply(QJsonObject{{QStringLiteral("error"), error}}, code);
}

HttpReply oauthError(const QString &error, const QString &description)
{
    return jsonReply(QJsonObject{{QStringLiteral("error"), error},
                                 {QStringLiteral("error_description"), description}},
                     400);
}

QString rfc3339(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(Qt::ISODateWithMs);
}

QByteArray shortHash(QByteArrayView bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).left(8);
}

QString crcString(QByteArrayView bytes)
{
    return QString::number(crypto::crc32c(bytes));
}

// A CRC32C field: int64 wrappers come as JSON strings, though a number is tolerated.
std::optional<quint32> crcField(const QJsonObject &body, QLatin1String field, bool &present)
{
    const QJsonValue value = body.value(field);
    present = !value.isUndefined() && !value.isNull();
    if (!present)
        return std::nullopt;
    bool ok = false;
    const qulonglong number =
        value.isString() ? value.toString().toULongLong(&ok) : qulonglong(value.toInteger(-1));
    ok = ok || (value.isDouble() && value.toInteger(-1) >= 0);
    if (!ok || number > 0xFFFFFFFFULL)
        return std::nullopt;
    return quint32(number);
}

QString versionName(const QString &key, int number)
{
    return QStringLiteral("%1/cryptoKeyVersions/%2").arg(key).arg(number);
}

QJsonObject versionJson(const QString &key, const GcpKmsDouble::Version &version)
{
    QJsonObject out{
        {QStringLiteral("name"), versionName(key, version.number)},
        {QStringLiteral("state"), version.state},
        {QStringLiteral("protectionLevel"), QStringLiteral("SOFTWARE")},
        {QStringLiteral("algorithm"), QStringLiteral("GOOGLE_SYMMETRIC_ENCRYPTION")},
        {QStringLiteral("createTime"), rfc3339(version.createMs)},
        {QStringLiteral("generateTime"), rfc3339(version.createMs)},
    };
    if (version.state == QLatin1String("DESTROY_SCHEDULED"))
        out.insert(QStringLiteral("destroyTime"), rfc3339(version.destroyMs));
    else if (version.state == QLatin1String("DESTROYED"))
        out.insert(QStringLiteral("destroyEventTime"), rfc3339(version.destroyMs));
    return out;
}

const GcpKmsDouble::Version *findVersion(const GcpKmsDouble::Key &key, int number)
{
    for (const GcpKmsDouble::Version &version : key.versions)
        if (version.number == number)
            return &version;
    return nullptr;
}

QJsonObject keyJson(const GcpKmsDouble::Key &key)
{
    QJsonObject out{
        {QStringLiteral("name"), key.name},
        {QStringLiteral("purpose"), QStringLiteral("ENCRYPT_DECRYPT")},
        {QStringLiteral("createTime"), rfc3339(key.createMs)},
        {QStringLiteral("versionTemplate"),
         QJsonObject{{QStringLiteral("protectionLevel"), QStringLiteral("SOFTWARE")},
                     {QStringLiteral("algorithm"), QStringLiteral("GOOGLE_SYMMETRIC_ENCRYPTION")}}},
        {QStringLiteral("destroyScheduledDuration"), QStringLiteral("2592000s")},
    };
    if (const GcpKmsDouble::Version *primary = findVersion(key, key.primary))
        out.insert(QStringLiteral("primary"), versionJson(key.name, *primary));
    if (key.rotationPeriodSeconds > 0) {
        out.insert(QStringLiteral("rotationPeriod"),
                   QStringLiteral("%1s").arg(key.rotationPeriodSeconds));
        out.insert(QStringLiteral("nextRotationTime"), rfc3339(key.nextRotationMs));
    }
    return out;
}

HttpReply notEnabled(const QString &key, const GcpKmsDouble::Version &version)
{
    return googleError(400, QStringLiteral("FAILED_PRECONDITION"),
                       QStringLiteral("%1 is not enabled, current state is: %2.")
                           .arg(versionName(key, version.number), version.state));
}

HttpReply decryptionFailed()
{
    return googleError(
        400, QStringLiteral("INVALID_ARGUMENT"),
        QStringLiteral("Decryption failed: verify that 'name' refers to the correct CryptoKey."));
}

Error replyError(const HttpReply &reply)
{
    const QJsonObject error =
        QJsonDocument::fromJson(reply.body).object().value(QLatin1String("error")).toObject();
    return makeError(QStringLiteral("gcp.%1").arg(error.value(QLatin1String("status")).toString()),
                     error.value(QLatin1String("message")).toString());
}

// A version's ciphertext: magic, version number, hashes of the key name and the AAD, then
// AES-256-GCM under the version's material.
Result<QByteArray> seal(const GcpKmsDouble::Key &key, const GcpKmsDouble::Version &version,
                        const QByteArray &aad, const QByteArray &plaintext)
{
    QByteArray header(CiphertextMagic.data(), CiphertextMagic.size());
    header.append(4, '\0');
    qToBigEndian(quint32(version.number), header.data() + 4);
    header += shortHash(key.name.toUtf8()) + shortHash(aad);
    const Result<QByteArray> sealed = crypto::aesGcmEncrypt(version.material, plaintext);
    if (!sealed)
        return sealed.error();
    return QByteArray(header + *sealed);
}

} // namespace

GcpKmsDouble::GcpKmsDouble(const Clock &clock)
    : m_clock(clock)
{
    Result<crypto::SecureBytes> pem = crypto::newRsaPrivateKeyPem(2048);
    if (pem) {
        m_privateKeyPem = *pem;
        m_publicKeyPem = crypto::rsaPublicKeyPem(m_privateKeyPem).value();
    }
    m_privateKeyId = QString::fromLatin1(crypto::randomBytes(20).view().toByteArray().toHex());
}

GcpKmsDouble::~GcpKmsDouble() = default;

QString GcpKmsDouble::kmsType() const
{
    return QStringLiteral("gcp-kms");
}

QString GcpKmsDouble::pathPrefix() const
{
    return QString(Prefix);
}

void GcpKmsDouble::putKey(const Key &key)
{
    QMutexLocker lock(&m_mutex);
    m_keys.insert(key.name, key);
}

void GcpKmsDouble::seedDemoKeys(const Clock &clock)
{
    const qint64 now = clock.nowMs();
    auto version = [](int number, const QString &state, qint64 createMs, qint64 destroyMs = 0) {
        return Version{number, state, createMs, destroyMs, crypto::randomBytes(32)};
    };
    const QString enabled = QStringLiteral("ENABLED");

    Key events{QString(EventsKey),
               now - 400 * DayMs,
               90LL * 24 * 3600,
               now + 20 * DayMs,
               {},
               2,
               {},
               false};
    events.versions = {version(1, enabled, now - 400 * DayMs),
                       version(2, enabled, now - 70 * DayMs)};
    putKey(events);

    Key archive{QString(ArchiveKey), now - 900 * DayMs, 0, 0, {}, 1, {}, false};
    archive.versions = {
        version(1, QStringLiteral("DESTROY_SCHEDULED"), now - 900 * DayMs, now + 12 * DayMs)};
    putKey(archive);

    Key paused{QString(DisabledKey), now - 30 * DayMs, 0, 0, {}, 1, {}, false};
    paused.versions = {version(1, QStringLiteral("DISABLED"), now - 30 * DayMs)};
    putKey(paused);

    Key finance{QString(ForbiddenKey), now - 30 * DayMs, 0, 0, {}, 1, {}, false};
    finance.versions = {version(1, enabled, now - 30 * DayMs)};
    finance.deniedPrincipals = {QString(ServiceAccountEmail)};
    putKey(finance);

    Key busy{QString(ThrottledKey), now - 30 * DayMs, 0, 0, {}, 1, {}, true};
    busy.versions = {version(1, enabled, now - 30 * DayMs)};
    putKey(busy);
}

std::shared_ptr<kms::KmsDriver> GcpKmsDouble::seedingDriver()
{
    return directSeedingDriver(
        QStringLiteral("gcp-kms"),
        [this](const QString &key, const QByteArray &plaintext) {
            return encryptDirect(key, plaintext);
        },
        [this](const QString &key, const QByteArray &ciphertext) {
            return decryptDirect(key, ciphertext);
        });
}

kms::KmsConfig GcpKmsDouble::clientSettings(const QString &baseUrl) const
{
    const QString root = baseUrl + QLatin1Char('/') + Prefix;
    return {
        {QStringLiteral("account.type"), QStringLiteral("service_account")},
        {QStringLiteral("client.id"), QStringLiteral("104729000000000000001")},
        {QStringLiteral("client.email"), QString(ServiceAccountEmail)},
        {QStringLiteral("private.key.id"), m_privateKeyId},
        {QStringLiteral("private.key"), QString::fromUtf8(m_privateKeyPem.view())},
        {QStringLiteral("keywarden.endpoint"), root},
        {QStringLiteral("keywarden.token.uri"), root + QStringLiteral("/token")},
    };
}

QByteArray GcpKmsDouble::publicKeyPem() const
{
    return m_publicKeyPem;
}

crypto::SecureBytes GcpKmsDouble::privateKeyPem() const
{
    return m_privateKeyPem;
}

void GcpKmsDouble::throttleNext(int count)
{
    QMutexLocker lock(&m_mutex);
    m_throttle = count;
}

int GcpKmsDouble::tokensIssued() const
{
    QMutexLocker lock(&m_mutex);
    return m_tokensIssued;
}

HttpReply GcpKmsDouble::route(const HttpRequest &request)
{
    if (request.segments.size() == 2 && request.segments[1] == QLatin1String("token"))
        return token(request);
    if (request.segments.size() > 2 && request.segments[1] == QLatin1String("v1"))
        return kmsCall(request);
    return googleError(404, QStringLiteral("NOT_FOUND"),
                       QStringLiteral("The requested URL was not found on this server."));
}

HttpReply GcpKmsDouble::token(const HttpRequest &request)
{
    if (request.method != "POST")
        return oauthError(QStringLiteral("invalid_request"), QStringLiteral("POST required."));
    const QUrlQuery form(QString::fromUtf8(request.body));
    if (form.queryItemValue(QStringLiteral("grant_type"), QUrl::FullyDecoded) !=
        QLatin1String(kms::GcpJwtBearerGrant))
        return oauthError(QStringLiteral("unsupported_grant_type"),
                          QStringLiteral("Invalid grant_type: ") +
                              form.queryItemValue(QStringLiteral("grant_type")));
    const QByteArray assertion =
        form.queryItemValue(QStringLiteral("assertion"), QUrl::FullyDecoded).toUtf8();
    const QString issuer = kms::peekJwtClaims(assertion).value(QLatin1String("iss")).toString();
    if (issuer != QLatin1String(ServiceAccountEmail))
        return oauthError(QStringLiteral("invalid_grant"),
                          QStringLiteral("Invalid grant: account not found"));
    const Result<kms::VerifiedJwt> jwt = kms::verifyJwtAssertion(assertion, m_publicKeyPem);
    if (!jwt)
        return oauthError(QStringLiteral("invalid_grant"), jwt.error().message);
    const QString audience = jwt->claims.value(QLatin1String("aud")).toString();
    if (audience != QLatin1String(kms::GcpDefaultTokenUri) &&
        !audience.endsWith(QLatin1Char('/') + Prefix + QStringLiteral("/token")))
        return oauthError(QStringLiteral("invalid_grant"),
                          QStringLiteral("Invalid JWT: Failed audience check."));
    const qint64 now = m_clock.nowMs() / 1000;
    const qint64 iat = jwt->claims.value(QLatin1String("iat")).toInteger(-1);
    const qint64 exp = jwt->claims.value(QLatin1String("exp")).toInteger(-1);
    if (iat < 0 || exp <= iat || exp - iat > 3600 || iat > now + 300 || exp < now)
        return oauthError(QStringLiteral("invalid_grant"),
                          QStringLiteral("Invalid JWT: Token must be a short-lived token (60 "
                                         "minutes) and in a reasonable timeframe. Check your "
                                         "iat and exp values in the JWT claim."));
    const QStringList scopes =
        jwt->claims.value(QLatin1String("scope")).toString().split(QLatin1Char(' '));
    if (!scopes.contains(QLatin1String(kms::GcpKmsScope)) &&
        !scopes.contains(QStringLiteral("https://www.googleapis.com/auth/cloud-platform")))
        return oauthError(QStringLiteral("invalid_scope"),
                          QStringLiteral("Invalid OAuth scope or ID token audience provided."));

    const QString accessToken =
        QStringLiteral("ya29.kw-") +
        QString::fromLatin1(crypto::randomBytes(24).view().toByteArray().toHex());
    {
        QMutexLocker lock(&m_mutex);
        m_tokens.insert(accessToken, {issuer, m_clock.nowMs() + TokenLifetimeSeconds * 1000});
        ++m_tokensIssued;
    }
    return jsonReply(QJsonObject{{QStringLiteral("access_token"), accessToken},
                                 {QStringLiteral("expires_in"), TokenLifetimeSeconds},
                                 {QStringLiteral("token_type"), QStringLiteral("Bearer")}});
}

HttpReply GcpKmsDouble::kmsCall(const HttpRequest &request)
{
    // The resource name and the custom method: ".../cryptoKeys/K:encrypt".
    QStringList parts = request.segments.mid(2);
    QString verb;
    const qsizetype colon = parts.last().indexOf(QLatin1Char(':'));
    if (colon >= 0) {
        verb = parts.last().mid(colon + 1);
        parts.last().truncate(colon);
    }
    const QString name = parts.join(QLatin1Char('/'));
    const bool keyName = parts.size() == 8 && parts[0] == QLatin1String("projects") &&
                         parts[2] == QLatin1String("locations") &&
                         parts[4] == QLatin1String("keyRings") &&
                         parts[6] == QLatin1String("cryptoKeys");
    const bool versionName = parts.size() == 10 && parts[8] == QLatin1String("cryptoKeyVersions");
    const bool versionList = parts.size() == 9 && parts[8] == QLatin1String("cryptoKeyVersions");
    const bool isKeyOrBelow = parts.size() >= 8 && parts[0] == QLatin1String("projects") &&
                              parts[6] == QLatin1String("cryptoKeys");
    const bool post = request.method == "POST";
    const bool get = request.method == "GET";
    const bool known =
        isKeyOrBelow && ((post && verb == QLatin1String("encrypt") && (keyName || versionName)) ||
                         (post && verb == QLatin1String("decrypt") && (keyName || versionName)) ||
                         (get && verb.isEmpty() && (keyName || versionName || versionList)));
    if (!known)
        return googleError(404, QStringLiteral("NOT_FOUND"),
                           QStringLiteral("The requested URL was not found on this server."));

    QByteArray authorization = request.header("Authorization");
    if (!authorization.startsWith("Bearer "))
        return googleError(401, QStringLiteral("UNAUTHENTICATED"),
                           QStringLiteral("Request is missing required authentication "
                                          "credential. Expected OAuth 2 access token, login "
                                          "cookie or other valid authentication credential."));
    const QString token = QString::fromLatin1(authorization.mid(7).trimmed());
    // Google's client libraries (google-auth-library's useJWTAccessWithScope) skip the token
    // endpoint and send a self-signed JWT as the bearer: the service account's RS256
    // assertion with a scope claim, at most an hour long.
    const QString selfSigned = selfSignedPrincipal(token.toLatin1());
    QMutexLocker lock(&m_mutex);
    const auto tokenIt = m_tokens.constFind(token);
    if (selfSigned.isEmpty() &&
        (tokenIt == m_tokens.constEnd() || tokenIt->second <= m_clock.nowMs()))
        return googleError(401, QStringLiteral("UNAUTHENTICATED"),
                           QStringLiteral("Request had invalid authentication credentials. "
                                          "Expected OAuth 2 access token, login cookie or other "
                                          "valid authentication credential."));
    const QString principal = selfSigned.isEmpty() ? tokenIt->first : selfSigned;

    const QString keyResource = parts.mid(0, 8).join(QLatin1Char('/'));
    const auto keyIt = m_keys.constFind(keyResource);
    const QString permission =
        verb == QLatin1String("encrypt") ? QStringLiteral("cloudkms.cryptoKeyVersions.useToEncrypt")
        : verb == QLatin1String("decrypt")
            ? QStringLiteral("cloudkms.cryptoKeyVersions.useToDecrypt")
        : versionList || versionName ? QStringLiteral("cloudkms.cryptoKeyVersions.list")
                                     : QStringLiteral("cloudkms.cryptoKeys.get");
    if (keyIt != m_keys.constEnd() && keyIt->deniedPrincipals.contains(principal))
        return googleError(403, QStringLiteral("PERMISSION_DENIED"),
                           QStringLiteral("Permission '%1' denied on resource '%2' (or it may "
                                          "not exist) for principal '%3'.")
                               .arg(permission, keyResource, principal));
    if (keyIt == m_keys.constEnd())
        return googleError(404, QStringLiteral("NOT_FOUND"),
                           QStringLiteral("CryptoKey %1 not found.").arg(keyResource));
    const Key &key = *keyIt;
    if (m_throttle > 0 || key.alwaysThrottle) {
        m_throttle = std::max(0, m_throttle - 1);
        return googleError(429, QStringLiteral("RESOURCE_EXHAUSTED"),
                           QStringLiteral("Quota exceeded for quota metric 'Cryptographic "
                                          "requests' and limit 'Cryptographic requests per "
                                          "minute' of service 'cloudkms.googleapis.com'."));
    }

    int versionNumber = key.primary;
    if (versionName) {
        bool ok = false;
        versionNumber = parts[9].toInt(&ok);
        if (!ok || !findVersion(key, versionNumber))
            return googleError(404, QStringLiteral("NOT_FOUND"),
                               QStringLiteral("CryptoKeyVersion %1 not found.").arg(name));
    }

    if (get) {
        if (keyName)
            return jsonReply(keyJson(key));
        if (versionName)
            return jsonReply(versionJson(key.name, *findVersion(key, versionNumber)));
        QJsonArray versions;
        for (const Version &version : key.versions)
            versions.append(versionJson(key.name, version));
        return jsonReply(QJsonObject{{QStringLiteral("cryptoKeyVersions"), versions},
                                     {QStringLiteral("totalSize"), int(key.versions.size())}});
    }

    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    auto invalid = [](const QString &message) {
        return googleError(400, QStringLiteral("INVALID_ARGUMENT"), message);
    };
    const QString dataField = verb == QLatin1String("encrypt") ? QStringLiteral("plaintext")
                                                               : QStringLiteral("ciphertext");
    const std::optional<QByteArray> data =
        kms::decodeAnyBase64(body.value(dataField).toString().toLatin1());
    const std::optional<QByteArray> aad = kms::decodeAnyBase64(
        body.value(QLatin1String("additionalAuthenticatedData")).toString().toLatin1());
    if (!data || !aad)
        return invalid(
            QStringLiteral("Invalid value at '%1' (TYPE_BYTES), Base64 decoding "
                           "failed.")
                .arg(data ? QStringLiteral("additional_authenticated_data") : dataField));
    if (data->isEmpty())
        return invalid(QStringLiteral("%1 is empty.").arg(dataField));
    bool dataCrcPresent = false;
    bool aadCrcPresent = false;
    const QLatin1String dataCrcField(verb == QLatin1String("encrypt") ? "plaintextCrc32c"
                                                                      : "ciphertextCrc32c");
    const std::optional<quint32> dataCrc = crcField(body, dataCrcField, dataCrcPresent);
    const std::optional<quint32> aadCrc =
        crcField(body, QLatin1String("additionalAuthenticatedDataCrc32c"), aadCrcPresent);
    if ((dataCrcPresent && dataCrc != crypto::crc32c(*data)) ||
        (aadCrcPresent && aadCrc != crypto::crc32c(*aad)))
        return invalid(QStringLiteral("The checksum in field %1 did not match the data in "
                                      "field %2.")
                           .arg(aadCrcPresent && aadCrc != crypto::crc32c(*aad)
                                    ? QStringLiteral("additional_authenticated_data_crc32c")
                                    : QString(dataCrcField),
                                dataField));

    if (verb == QLatin1String("encrypt")) {
        const Version &version = *findVersion(key, versionNumber);
        if (version.state != QLatin1String("ENABLED"))
            return notEnabled(key.name, version);
        const Result<QByteArray> sealed = seal(key, version, *aad, *data);
        if (!sealed)
            return googleError(500, QStringLiteral("INTERNAL"), sealed.error().message);
        const QByteArray &ciphertext = *sealed;
        return jsonReply(QJsonObject{
            {QStringLiteral("name"), GcpKmsDouble::versionNameOf(key.name, version.number)},
            {QStringLiteral("ciphertext"), QString::fromLatin1(ciphertext.toBase64())},
            {QStringLiteral("ciphertextCrc32c"), crcString(ciphertext)},
            {QStringLiteral("verifiedPlaintextCrc32c"), dataCrcPresent},
            {QStringLiteral("verifiedAdditionalAuthenticatedDataCrc32c"), aadCrcPresent},
            {QStringLiteral("protectionLevel"), QStringLiteral("SOFTWARE")},
        });
    }

    // Decrypt takes the CryptoKey: the ciphertext says which version made it.
    if (versionName)
        return invalid(QStringLiteral("Decrypt takes a CryptoKey name, not a CryptoKeyVersion "
                                      "name: %1.")
                           .arg(name));
    if (data->size() < HeaderSize || !data->startsWith(CiphertextMagic) ||
        data->mid(8, 8) != shortHash(key.name.toUtf8()))
        return decryptionFailed();
    const int number = int(qFromBigEndian<quint32>(data->constData() + 4));
    const Version *version = findVersion(key, number);
    if (!version)
        return decryptionFailed();
    if (version->state != QLatin1String("ENABLED"))
        return notEnabled(key.name, *version);
    if (data->mid(16, 8) != shortHash(*aad))
        return decryptionFailed();
    const Result<QByteArray> plaintext =
        crypto::aesGcmDecrypt(version->material, QByteArrayView(*data).sliced(HeaderSize));
    if (!plaintext)
        return decryptionFailed();
    return jsonReply(QJsonObject{
        {QStringLiteral("plaintext"), QString::fromLatin1(plaintext->toBase64())},
        {QStringLiteral("plaintextCrc32c"), crcString(*plaintext)},
        {QStringLiteral("usedPrimary"), number == key.primary},
        {QStringLiteral("protectionLevel"), QStringLiteral("SOFTWARE")},
        {QStringLiteral("verifiedCiphertextCrc32c"), dataCrcPresent},
        {QStringLiteral("verifiedAdditionalAuthenticatedDataCrc32c"), aadCrcPresent},
    });
}

QString GcpKmsDouble::selfSignedPrincipal(const QByteArray &token) const
{
    if (token.count('.') != 2)
        return {};
    const Result<kms::VerifiedJwt> jwt = kms::verifyJwtAssertion(token, m_publicKeyPem);
    if (!jwt)
        return {};
    const QString issuer = jwt->claims.value(QLatin1String("iss")).toString();
    const qint64 now = m_clock.nowMs() / 1000;
    const qint64 iat = jwt->claims.value(QLatin1String("iat")).toInteger(-1);
    const qint64 exp = jwt->claims.value(QLatin1String("exp")).toInteger(-1);
    const QStringList scopes =
        jwt->claims.value(QLatin1String("scope")).toString().split(QLatin1Char(' '));
    const bool scoped =
        scopes.contains(QLatin1String(kms::GcpKmsScope)) ||
        scopes.contains(QStringLiteral("https://www.googleapis.com/auth/cloud-platform")) ||
        jwt->claims.value(QLatin1String("aud"))
            .toString()
            .startsWith(QLatin1String("https://cloudkms.googleapis.com"));
    if (issuer != QLatin1String(ServiceAccountEmail) || !scoped || iat < 0 || exp <= iat ||
        exp - iat > 3600 || iat > now + 300 || exp < now)
        return {};
    return issuer;
}

QString GcpKmsDouble::versionNameOf(const QString &key, int number)
{
    return versionName(key, number);
}

Result<QByteArray> GcpKmsDouble::encryptDirect(const QString &keyName, const QByteArray &plaintext)
{
    {
        // The seeding writes history: a key whose primary version is no longer enabled wrapped
        // its DEKs while it still was.
        QMutexLocker lock(&m_mutex);
        const auto key = m_keys.constFind(keyName);
        if (key != m_keys.cend()) {
            const Version *primary = findVersion(*key, key->primary);
            if (primary && primary->state != QLatin1String("ENABLED"))
                return seal(*key, *primary, {}, plaintext);
        }
    }
    return directCall(keyName, QStringLiteral("encrypt"), QStringLiteral("plaintext"), plaintext);
}

Result<QByteArray> GcpKmsDouble::decryptDirect(const QString &keyName, const QByteArray &ciphertext)
{
    return directCall(keyName, QStringLiteral("decrypt"), QStringLiteral("ciphertext"), ciphertext);
}

Result<QByteArray> GcpKmsDouble::directCall(const QString &keyName, const QString &verb,
                                            const QString &field, const QByteArray &data)
{
    // Through route() with a token of its own, so the seeding sees exactly what clients see.
    QString token;
    {
        QMutexLocker lock(&m_mutex);
        token = QStringLiteral("ya29.kw-seeding");
        m_tokens.insert(token, {QString(ServiceAccountEmail), m_clock.nowMs() + 3600 * 1000});
    }
    HttpRequest request;
    request.method = "POST";
    request.segments =
        QStringList{QString(Prefix), QStringLiteral("v1")} + keyName.split(QLatin1Char('/'));
    request.segments.last() += QLatin1Char(':') + verb;
    request.headers = {{"Authorization", "Bearer " + token.toLatin1()}};
    request.body = QJsonDocument(QJsonObject{{field, QString::fromLatin1(data.toBase64())}})
                       .toJson(QJsonDocument::Compact);
    const HttpReply reply = route(request);
    if (reply.status != 200)
        return replyError(reply);
    const QString out = QJsonDocument::fromJson(reply.body)
                            .object()
                            .value(verb == QLatin1String("encrypt") ? QLatin1String("ciphertext")
                                                                    : QLatin1String("plaintext"))
                            .toString();
    return kms::decodeAnyBase64(out.toLatin1()).value_or(QByteArray());
}

} // namespace kw::sandbox
