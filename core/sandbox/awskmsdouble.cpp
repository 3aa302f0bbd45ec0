#include "core/sandbox/awskmsdouble.h"

#include "core/crypto/crypto.h"
#include "core/kms/sigv4.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QUrlQuery>
#include <QUuid>

namespace kw::sandbox {

namespace {

constexpr char JsonType[] = "application/x-amz-json-1.1";
constexpr qint64 DayMs = 24LL * 3600 * 1000;
// CiphertextBlob: version byte, the 36-character key id, then AES-256-GCM (IV, data, tag).
// Self-describing like AWS's own blobs, so Decrypt needs no KeyId.
constexpr char BlobVersion = '\x01';
constexpr qsizetype KeyIdLength = 36;

HttpReply awsError(const QString &type, const QString &message, int status = 400)
{
    QJsonObject body{{QStringLiteral("__type"), type}};
    if (!message.isEmpty())
        body.insert(QStringLiteral("message"), message);
    HttpReply reply = jsonReply(body, status);
    reply.contentType = JsonType;
    return reply;
}

constexpr char StsNamespace[] = "https://sts.amazonaws.com/doc/2011-06-15/";
constexpr char ExpiredCode[] = "expired";
constexpr char ExpiredMessage[] = "The security token included in the request is expired";

// STS's query-protocol error body.
HttpReply stsError(const QString &code, const QString &message, int status = 403)
{
    const QString xml =
        QStringLiteral("<ErrorResponse xmlns=\"%1\">\n  <Error>\n    <Type>Sender</Type>\n"
                       "    <Code>%2</Code>\n    <Message>%3</Message>\n  </Error>\n"
                       "  <RequestId>%4</RequestId>\n</ErrorResponse>\n")
            .arg(QLatin1String(StsNamespace), code, message.toHtmlEscaped(),
                 QUuid::createUuid().toString(QUuid::WithoutBraces));
    return HttpReply{status, xml.toUtf8(), "text/xml"};
}

QByteArray randomBase64(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (char &c : raw)
        c = char(QRandomGenerator::system()->bounded(256));
    return raw.toBase64();
}

HttpReply awsReply(const QJsonObject &body)
{
    HttpReply reply = jsonReply(body);
    reply.contentType = JsonType;
    return reply;
}

double epochSeconds(qint64 ms)
{
    return static_cast<double>(ms) / 1000.0;
}

// "arn:aws:kms:<region>:<account>:key/<id>" -> (region, "key/<id>"); empty when not an ARN.
QStringList arnParts(const QString &arn)
{
    const QStringList parts = arn.split(QLatin1Char(':'));
    if (parts.size() != 6 || parts.at(0) != QLatin1String("arn") ||
        parts.at(2) != QLatin1String("kms"))
        return {};
    return parts;
}

} // namespace

struct AwsKmsDouble::Call
{
    QString region;
    QString principalArn;
    QString accessKeyId;
    QJsonObject body;
};

QString AwsKmsDouble::Key::arn() const
{
    return QStringLiteral("arn:aws:kms:%1:%2:key/%3").arg(region, AccountId, keyId);
}

AwsKmsDouble::AwsKmsDouble(const Clock &clock)
    : m_clock(clock)
{
    addAccessKey(AccessKeyId, SecretAccessKey, PrincipalArn);
    addRole(RoleArn);
}

AwsKmsDouble::~AwsKmsDouble() = default;

QString AwsKmsDouble::kmsType() const
{
    return QString(Prefix);
}

QString AwsKmsDouble::pathPrefix() const
{
    return QString(Prefix);
}

void AwsKmsDouble::addKey(const QString &keyArn, bool rotationEnabled)
{
    const QStringList parts = arnParts(keyArn);
    Q_ASSERT(!parts.isEmpty() && parts.at(5).startsWith(QLatin1String("key/")));
    Key key;
    key.keyId = parts.at(5).mid(4);
    key.region = parts.at(3);
    key.creationMs = m_clock.nowMs() - 400 * DayMs;
    key.rotationEnabled = rotationEnabled;
    key.material = crypto::randomBytes(32);
    QMutexLocker lock(&m_mutex);
    m_keys.insert(key.arn(), key);
}

void AwsKmsDouble::setKeyState(const QString &keyArn, const QString &keyState, qint64 deletionMs)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_keys.find(keyArn);
    if (it == m_keys.end())
        return;
    it->keyState = keyState;
    it->deletionMs = keyState == QLatin1String("PendingDeletion") ? deletionMs : 0;
}

void AwsKmsDouble::addAlias(const QString &aliasName, const QString &keyArn)
{
    const QStringList parts = arnParts(keyArn);
    QMutexLocker lock(&m_mutex);
    m_aliases.insert(QStringLiteral("arn:aws:kms:%1:%2:%3").arg(parts.at(3), AccountId, aliasName),
                     keyArn);
}

void AwsKmsDouble::addAccessKey(const QString &accessKeyId, const QString &secret,
                                const QString &principalArn, const QString &sessionToken)
{
    QMutexLocker lock(&m_mutex);
    m_accessKeys.insert(accessKeyId, AccessKey{secret, sessionToken, principalArn, {}});
}

void AwsKmsDouble::denyAccess(const QString &accessKeyId, const QString &keyArn)
{
    QMutexLocker lock(&m_mutex);
    m_accessKeys[accessKeyId].deniedKeyArns.insert(keyArn);
}

void AwsKmsDouble::throttleNextCalls(int calls)
{
    QMutexLocker lock(&m_mutex);
    m_throttleCalls = calls;
}

void AwsKmsDouble::addRole(const QString &roleArn, const QString &externalId)
{
    QMutexLocker lock(&m_mutex);
    m_roles.insert(roleArn, externalId);
}

void AwsKmsDouble::expireTemporaryCredentials()
{
    QMutexLocker lock(&m_mutex);
    for (AccessKey &key : m_accessKeys) {
        if (key.expiresMs > 0)
            key.expiresMs = m_clock.nowMs();
    }
}

int AwsKmsDouble::assumeRoleCalls() const
{
    QMutexLocker lock(&m_mutex);
    return m_assumeRoleCalls;
}

int AwsKmsDouble::acceptedRequests() const
{
    QMutexLocker lock(&m_mutex);
    return m_accepted;
}

void AwsKmsDouble::seedDemoKeys(const Clock &clock)
{
    addKey(TreasuryKeyArn, true);
    addAlias(QStringLiteral("alias/treasury"), TreasuryKeyArn);
    addKey(RetiredKeyArn, false);
    setKeyState(RetiredKeyArn, QStringLiteral("PendingDeletion"), clock.nowMs() + 7 * DayMs);
}

std::shared_ptr<kms::KmsDriver> AwsKmsDouble::seedingDriver()
{
    // No HTTP before the server listens: the double's own calls, in process.
    return directSeedingDriver(
        QString(Prefix),
        [this](const QString &keyId, const QByteArray &plaintext) {
            return encryptLocally(keyId, plaintext);
        },
        [this](const QString &, const QByteArray &ciphertext) {
            return decryptLocally(ciphertext);
        });
}

kms::KmsConfig AwsKmsDouble::clientSettings(const QString &baseUrl) const
{
    return {{QStringLiteral("access.key.id"), QString(AccessKeyId)},
            {QStringLiteral("secret.access.key"), QString(SecretAccessKey)},
            {QString(EndpointSetting), baseUrl + QLatin1Char('/') + Prefix},
            {QString(StsEndpointSetting),
             baseUrl + QLatin1Char('/') + Prefix + QLatin1Char('/') + StsSegment}};
}

const AwsKmsDouble::Key *AwsKmsDouble::resolve(const QString &keyId, const QString &region) const
{
    QString arn;
    if (keyId.startsWith(QLatin1String("arn:"))) {
        const QStringList parts = arnParts(keyId);
        if (parts.isEmpty() || parts.at(3) != region)
            return nullptr;
        arn = parts.at(5).startsWith(QLatin1String("alias/")) ? m_aliases.value(keyId) : keyId;
    } else if (keyId.startsWith(QLatin1String("alias/"))) {
        arn = m_aliases.value(QStringLiteral("arn:aws:kms:%1:%2:%3").arg(region, AccountId, keyId));
    } else {
        arn = QStringLiteral("arn:aws:kms:%1:%2:key/%3").arg(region, AccountId, keyId);
    }
    const auto it = m_keys.constFind(arn);
    return it == m_keys.constEnd() ? nullptr : &*it;
}

// The scope of a request's Authorization header: access key id, date, region, service.
static QByteArrayList credentialScope(const HttpRequest &request)
{
    const QByteArray authorization = request.header("Authorization");
    const qsizetype credentialAt = authorization.indexOf("Credential=");
    return credentialAt < 0 ? QByteArrayList()
                            : authorization.mid(credentialAt + 11).split(',').value(0).split('/');
}

Result<QByteArray> AwsKmsDouble::verifySignature(const HttpRequest &request,
                                                 const QByteArray &region,
                                                 QByteArrayView service) const
{
    kms::sigv4::Request signedRequest;
    signedRequest.method = request.method;
    signedRequest.rawPath = request.rawPath;
    signedRequest.rawQuery = request.rawQuery;
    signedRequest.headers = request.headers;
    signedRequest.body = request.body;
    const kms::sigv4::KeyLookup lookup =
        [this](const QByteArray &id) -> std::optional<kms::sigv4::KnownKey> {
        const auto it = m_accessKeys.constFind(QString::fromLatin1(id));
        if (it == m_accessKeys.constEnd())
            return std::nullopt;
        return kms::sigv4::KnownKey{it->secret.toUtf8(), it->sessionToken.toUtf8()};
    };
    const kms::sigv4::VerifyOptions options{region, service.toByteArray(),
                                            QDateTime::fromMSecsSinceEpoch(m_clock.nowMs()).toUTC(),
                                            5 * 60};
    auto verified = kms::sigv4::verify(signedRequest, lookup, options);
    if (verified) {
        const qint64 expiresMs = m_accessKeys.value(QString::fromLatin1(*verified)).expiresMs;
        if (expiresMs > 0 && expiresMs <= m_clock.nowMs())
            return Error{QLatin1String(ExpiredCode), QLatin1String(ExpiredMessage)};
    }
    return verified;
}

HttpReply AwsKmsDouble::route(const HttpRequest &request)
{
    if (request.method == "POST" && request.segments.size() == 2 &&
        request.segments.at(1) == StsSegment)
        return assumeRole(request);
    if (request.method != "POST" || request.segments.size() > 2 ||
        (request.segments.size() == 2 && !request.segments.at(1).isEmpty()))
        return awsError(QStringLiteral("UnknownOperationException"), {}, 404);

    // The double answers for every region its keys live in: the signature's scope says which
    // regional endpoint the client meant.
    const QByteArrayList scope = credentialScope(request);

    QMutexLocker lock(&m_mutex);
    const auto verified = verifySignature(request, scope.value(2), "kms");
    if (!verified) {
        const QString &code = verified.error().code;
        const QString &message = verified.error().message;
        if (code == QLatin1String(ExpiredCode))
            return awsError(QStringLiteral("ExpiredTokenException"), message);
        if (code == kms::sigv4::ErrorMissingAuth)
            return awsError(QStringLiteral("MissingAuthenticationTokenException"), message);
        if (code == kms::sigv4::ErrorUnknownKey)
            return awsError(QStringLiteral("UnrecognizedClientException"), message);
        if (code == kms::sigv4::ErrorBadToken)
            return awsError(QStringLiteral("UnrecognizedClientException"), message);
        return awsError(QStringLiteral("InvalidSignatureException"), message);
    }
    ++m_accepted;

    if (m_throttleCalls > 0) {
        --m_throttleCalls;
        return awsError(QStringLiteral("ThrottlingException"), QStringLiteral("Rate exceeded"));
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return awsError(QStringLiteral("SerializationException"),
                        QStringLiteral("Start of structure or map found where not expected."));

    Call call;
    call.region = QString::fromLatin1(scope.value(2));
    call.accessKeyId = QString::fromLatin1(*verified);
    call.principalArn = m_accessKeys.value(call.accessKeyId).principalArn;
    call.body = document.object();

    const QByteArray target = request.header("X-Amz-Target");
    if (target == "TrentService.Encrypt")
        return encrypt(call);
    if (target == "TrentService.Decrypt")
        return decrypt(call);
    if (target == "TrentService.DescribeKey")
        return describeKey(call);
    if (target == "TrentService.GetKeyRotationStatus")
        return rotationStatus(call);
    return awsError(QStringLiteral("UnknownOperationException"), {});
}

HttpReply AwsKmsDouble::assumeRole(const HttpRequest &request)
{
    const QByteArrayList scope = credentialScope(request);
    QMutexLocker lock(&m_mutex);
    const auto verified = verifySignature(request, scope.value(2), "sts");
    if (!verified) {
        const QString &code = verified.error().code;
        const QString &message = verified.error().message;
        if (code == QLatin1String(ExpiredCode))
            return stsError(QStringLiteral("ExpiredToken"), message, 400);
        if (code == kms::sigv4::ErrorMissingAuth)
            return stsError(QStringLiteral("MissingAuthenticationToken"), message);
        if (code == kms::sigv4::ErrorUnknownKey || code == kms::sigv4::ErrorBadToken)
            return stsError(QStringLiteral("InvalidClientTokenId"),
                            QStringLiteral("The security token included in the request is "
                                           "invalid."));
        return stsError(QStringLiteral("SignatureDoesNotMatch"), message);
    }
    ++m_assumeRoleCalls;

    const QUrlQuery form(QString::fromUtf8(request.body));
    const auto field = [&form](const char *name) {
        return form.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
    };
    if (field("Action") != QLatin1String("AssumeRole") ||
        field("Version") != QLatin1String("2011-06-15"))
        return stsError(QStringLiteral("InvalidAction"),
                        QStringLiteral("Could not find operation %1 for version %2")
                            .arg(field("Action"), field("Version")),
                        400);
    const QString roleArn = field("RoleArn");
    const QString sessionName = field("RoleSessionName");
    if (roleArn.isEmpty() || sessionName.isEmpty())
        return stsError(QStringLiteral("ValidationError"),
                        QStringLiteral("1 validation error detected: RoleArn and RoleSessionName "
                                       "are required"),
                        400);
    const int duration =
        field("DurationSeconds").isEmpty() ? 3600 : field("DurationSeconds").toInt();
    if (duration < 900 || duration > 43200)
        return stsError(QStringLiteral("ValidationError"),
                        QStringLiteral("1 validation error detected: Value at 'durationSeconds' "
                                       "failed to satisfy constraint: Member must have value "
                                       "between 900 and 43200"),
                        400);

    const QString caller = m_accessKeys.value(QString::fromLatin1(*verified)).principalArn;
    const auto role = m_roles.constFind(roleArn);
    if (role == m_roles.constEnd() || (!role->isEmpty() && *role != field("ExternalId")))
        return stsError(QStringLiteral("AccessDenied"),
                        QStringLiteral("User: %1 is not authorized to perform: sts:AssumeRole on "
                                       "resource: %2")
                            .arg(caller, roleArn));

    const QString accessKeyId =
        QStringLiteral("ASIA") +
        QString::fromLatin1(QUuid::createUuid().toRfc4122().toHex().toUpper().left(16));
    const QString secret = QString::fromLatin1(randomBase64(30));
    const QString token =
        QStringLiteral("IQoJb3JpZ2luX2VjE") + QString::fromLatin1(randomBase64(96));
    const QString roleName = roleArn.section(QLatin1Char('/'), -1);
    const QString assumedArn = QStringLiteral("arn:aws:sts::%1:assumed-role/%2/%3")
                                   .arg(QString(AccountId), roleName, sessionName);
    const qint64 expiresMs = m_clock.nowMs() + qint64(duration) * 1000;
    AccessKey temporary{secret, token, assumedArn, {}};
    temporary.expiresMs = expiresMs;
    m_accessKeys.insert(accessKeyId, temporary);

    const QString expiration =
        QDateTime::fromMSecsSinceEpoch(expiresMs).toUTC().toString(Qt::ISODate);
    const QString xml =
        QStringLiteral(
            "<AssumeRoleResponse xmlns=\"%1\">\n  <AssumeRoleResult>\n"
            "    <AssumedRoleUser>\n      <AssumedRoleId>AROAKEYWARDENDEMOROLE:%2</AssumedRoleId>\n"
            "      <Arn>%3</Arn>\n    </AssumedRoleUser>\n    <Credentials>\n"
            "      <AccessKeyId>%4</AccessKeyId>\n      <SecretAccessKey>%5</SecretAccessKey>\n"
            "      <SessionToken>%6</SessionToken>\n      <Expiration>%7</Expiration>\n"
            "    </Credentials>\n  </AssumeRoleResult>\n  <ResponseMetadata>\n"
            "    <RequestId>%8</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n")
            .arg(QLatin1String(StsNamespace), sessionName.toHtmlEscaped(),
                 assumedArn.toHtmlEscaped(), accessKeyId, secret, token, expiration,
                 QUuid::createUuid().toString(QUuid::WithoutBraces));
    return HttpReply{200, xml.toUtf8(), "text/xml"};
}

namespace {

// AccessDenied, Disabled, pending deletion: the checks Encrypt and Decrypt share.
std::optional<HttpReply> usable(const AwsKmsDouble::Key &key, const QString &principalArn,
                                const QSet<QString> &denied, const char *action)
{
    if (denied.contains(key.arn()))
        return awsError(QStringLiteral("AccessDeniedException"),
                        QStringLiteral("User: %1 is not authorized to perform: kms:%2 on "
                                       "resource: %3 because no identity-based policy allows "
                                       "the kms:%2 action")
                            .arg(principalArn, QLatin1String(action), key.arn()));
    if (key.keyState == QLatin1String("Disabled"))
        return awsError(QStringLiteral("DisabledException"),
                        QStringLiteral("%1 is disabled.").arg(key.arn()));
    if (key.keyState == QLatin1String("PendingDeletion"))
        return awsError(QStringLiteral("KMSInvalidStateException"),
                        QStringLiteral("%1 is pending deletion.").arg(key.arn()));
    if (key.keyState != QLatin1String("Enabled"))
        return awsError(QStringLiteral("KMSInvalidStateException"),
                        QStringLiteral("%1 is %2.").arg(key.arn(), key.keyState));
    return std::nullopt;
}

HttpReply notFound(const QString &keyId)
{
    return awsError(QStringLiteral("NotFoundException"),
                    QStringLiteral("Key '%1' does not exist").arg(keyId));
}

} // namespace

HttpReply AwsKmsDouble::encrypt(const Call &call)
{
    const QString keyId = call.body.value(QStringLiteral("KeyId")).toString();
    const QByteArray plaintext =
        QByteArray::fromBase64(call.body.value(QStringLiteral("Plaintext")).toString().toLatin1());
    if (keyId.isEmpty() || plaintext.isEmpty() || plaintext.size() > 4096)
        return awsError(QStringLiteral("ValidationException"),
                        QStringLiteral("1 validation error detected: KeyId and Plaintext are "
                                       "required; Plaintext is 1 to 4096 bytes"));
    const Key *key = resolve(keyId, call.region);
    if (!key)
        return notFound(keyId);
    if (auto refused = usable(*key, call.principalArn,
                              m_accessKeys.value(call.accessKeyId).deniedKeyArns, "Encrypt"))
        return *refused;
    const auto sealed = crypto::aesGcmEncrypt(key->material, plaintext);
    if (!sealed)
        return awsError(QStringLiteral("KMSInternalException"), {}, 500);
    const QByteArray blob = BlobVersion + key->keyId.toLatin1() + *sealed;
    return awsReply({{QStringLiteral("CiphertextBlob"), QString::fromLatin1(blob.toBase64())},
                     {QStringLiteral("KeyId"), key->arn()},
                     {QStringLiteral("EncryptionAlgorithm"), QStringLiteral("SYMMETRIC_DEFAULT")}});
}

HttpReply AwsKmsDouble::decrypt(const Call &call)
{
    const QByteArray blob = QByteArray::fromBase64(
        call.body.value(QStringLiteral("CiphertextBlob")).toString().toLatin1());
    if (blob.size() < 1 + KeyIdLength + 28 || blob.at(0) != BlobVersion)
        return awsError(QStringLiteral("InvalidCiphertextException"), {});
    const Key *owner = resolve(QString::fromLatin1(blob.mid(1, KeyIdLength)), call.region);
    if (!owner)
        return awsError(QStringLiteral("InvalidCiphertextException"), {});
    const QString keyId = call.body.value(QStringLiteral("KeyId")).toString();
    if (!keyId.isEmpty()) {
        const Key *named = resolve(keyId, call.region);
        if (!named)
            return notFound(keyId);
        if (named->arn() != owner->arn())
            return awsError(QStringLiteral("IncorrectKeyException"),
                            QStringLiteral("The key ID in the request does not identify a CMK "
                                           "that can perform this operation."));
    }
    if (auto refused = usable(*owner, call.principalArn,
                              m_accessKeys.value(call.accessKeyId).deniedKeyArns, "Decrypt"))
        return *refused;
    const auto opened = crypto::aesGcmDecrypt(owner->material, blob.mid(1 + KeyIdLength));
    if (!opened)
        return awsError(QStringLiteral("InvalidCiphertextException"), {});
    return awsReply({{QStringLiteral("Plaintext"), QString::fromLatin1(opened->toBase64())},
                     {QStringLiteral("KeyId"), owner->arn()},
                     {QStringLiteral("EncryptionAlgorithm"), QStringLiteral("SYMMETRIC_DEFAULT")}});
}

HttpReply AwsKmsDouble::describeKey(const Call &call)
{
    const QString keyId = call.body.value(QStringLiteral("KeyId")).toString();
    const Key *key = resolve(keyId, call.region);
    if (!key)
        return notFound(keyId);
    QJsonObject metadata{
        {QStringLiteral("AWSAccountId"), QString(AccountId)},
        {QStringLiteral("KeyId"), key->keyId},
        {QStringLiteral("Arn"), key->arn()},
        {QStringLiteral("CreationDate"), epochSeconds(key->creationMs)},
        {QStringLiteral("Enabled"), key->keyState == QLatin1String("Enabled")},
        {QStringLiteral("Description"), key->description},
        {QStringLiteral("KeyUsage"), QStringLiteral("ENCRYPT_DECRYPT")},
        {QStringLiteral("KeyState"), key->keyState},
        {QStringLiteral("Origin"), QStringLiteral("AWS_KMS")},
        {QStringLiteral("KeyManager"), QStringLiteral("CUSTOMER")},
        {QStringLiteral("CustomerMasterKeySpec"), QStringLiteral("SYMMETRIC_DEFAULT")},
        {QStringLiteral("KeySpec"), QStringLiteral("SYMMETRIC_DEFAULT")},
        {QStringLiteral("EncryptionAlgorithms"), QJsonArray{QStringLiteral("SYMMETRIC_DEFAULT")}},
        {QStringLiteral("MultiRegion"), key->keyId.startsWith(QLatin1String("mrk-"))},
    };
    if (key->deletionMs > 0)
        metadata.insert(QStringLiteral("DeletionDate"), epochSeconds(key->deletionMs));
    return awsReply({{QStringLiteral("KeyMetadata"), metadata}});
}

HttpReply AwsKmsDouble::rotationStatus(const Call &call)
{
    const QString keyId = call.body.value(QStringLiteral("KeyId")).toString();
    const Key *key = resolve(keyId, call.region);
    if (!key)
        return notFound(keyId);
    if (key->keyState == QLatin1String("PendingDeletion"))
        return awsError(QStringLiteral("KMSInvalidStateException"),
                        QStringLiteral("%1 is pending deletion.").arg(key->arn()));
    QJsonObject reply{{QStringLiteral("KeyId"), key->arn()},
                      {QStringLiteral("KeyRotationEnabled"), key->rotationEnabled}};
    if (key->rotationEnabled) {
        const qint64 period = key->rotationPeriodDays * DayMs;
        const qint64 age = m_clock.nowMs() - key->creationMs;
        const qint64 next = key->creationMs + (age / period + 1) * period;
        reply.insert(QStringLiteral("RotationPeriodInDays"), key->rotationPeriodDays);
        reply.insert(QStringLiteral("NextRotationDate"), epochSeconds(next));
    }
    return awsReply(reply);
}

Result<QByteArray> AwsKmsDouble::encryptLocally(const QString &keyId, const QByteArray &plain)
{
    QMutexLocker lock(&m_mutex);
    const QString region = arnParts(keyId).value(3);
    const Key *key = resolve(keyId, region);
    if (!key)
        return Error{QString(kms::ErrorKeyNotFound),
                     QStringLiteral("Key '%1' does not exist").arg(keyId)};
    auto sealed = crypto::aesGcmEncrypt(key->material, plain);
    if (!sealed)
        return sealed.error();
    return QByteArray(BlobVersion + key->keyId.toLatin1() + *sealed);
}

Result<QByteArray> AwsKmsDouble::decryptLocally(const QByteArray &blob)
{
    QMutexLocker lock(&m_mutex);
    if (blob.size() < 1 + KeyIdLength + 28 || blob.at(0) != BlobVersion)
        return Error{QString(kms::ErrorBadCiphertext), QStringLiteral("Not an AWS KMS blob.")};
    const QString keyId = QString::fromLatin1(blob.mid(1, KeyIdLength));
    for (const Key &key : std::as_const(m_keys)) {
        if (key.keyId == keyId) {
            auto opened = crypto::aesGcmDecrypt(key.material, blob.mid(1 + KeyIdLength));
            if (!opened)
                return Error{QString(kms::ErrorBadCiphertext), opened.error().message};
            return *opened;
        }
    }
    return Error{QString(kms::ErrorBadCiphertext), QStringLiteral("Unknown key in the blob.")};
}

} // namespace kw::sandbox
