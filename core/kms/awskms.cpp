#include "core/kms/awskms.h"

#include "core/domain/readyfuture.h"
#include "core/kms/kmshttp.h"

#include <QAbstractEventDispatcher>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>
#include <QPromise>
#include <QRandomGenerator>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QXmlStreamReader>

#include <optional>

namespace kw::kms {

struct AwsKmsDriver::StsCache
{
    struct Entry
    {
        sigv4::Credentials credentials;
        qint64 refreshAtMs = 0;
    };
    QMutex mutex;
    QHash<QString, Entry> entries;
};

Q_LOGGING_CATEGORY(lcAwsKms, "keywarden.kms.aws", QtInfoMsg)

namespace {

constexpr int ThrottleRetries = 3;
constexpr int ThrottleBaseMs = 100;
constexpr int ThrottleMaxMs = 2000;
// Temporary credentials are renewed this long before their Expiration (at most half their life).
constexpr qint64 StsRefreshMarginMs = 5 * 60 * 1000;

struct Call
{
    std::shared_ptr<KmsHttp> http;
    KmsEndpoint endpoint;
    sigv4::Credentials credentials; // the master credentials while a role is still to assume
    // AssumeRole first when role.roleArn is set; the answer is cached under stsCacheKey.
    AwsKmsDriver::Role role;
    std::shared_ptr<AwsKmsDriver::StsCache> sts;
    KmsEndpoint stsEndpoint;
    QString stsCacheKey;
    QString region;
    QString keyId; // for messages
    QByteArray operation;
    QJsonObject body;
};

QString env(const char *name)
{
    return qEnvironmentVariable(name);
}

Error fail(QLatin1String code, const QString &message)
{
    return Error{QString(code), message};
}

// Maps AWS's error body (kms-facts.md §2.5) to Keywarden's codes with a message a person can
// act on. AWS's own message is kept: it names the principal and the key, never a secret.
Error mapError(const Call &call, const registry::Reply &reply)
{
    const QJsonObject body = QJsonDocument::fromJson(reply.body).object();
    const QString code = AwsKmsDriver::errorCode(body.value(QStringLiteral("__type")).toString());
    QString message = body.value(QStringLiteral("message")).toString();
    if (message.isEmpty())
        message = body.value(QStringLiteral("Message")).toString();
    const QString said = message.isEmpty() ? code : code + QStringLiteral(": ") + message;
    const QString op = QString::fromLatin1(call.operation);

    if (code == QLatin1String("NotFoundException"))
        return fail(ErrorKeyNotFound,
                    QStringLiteral("AWS KMS has no key %1 in %2 (%3). Check the KEK's kmsKeyId "
                                   "and that the key lives in that region and account.")
                        .arg(call.keyId, call.region, said));
    if (code == QLatin1String("AccessDeniedException") ||
        code.contains(QLatin1String("AccessDenied")) ||
        code.contains(QLatin1String("Unauthorized")))
        return fail(ErrorAccessDenied,
                    QStringLiteral("AWS KMS refused %1 on %2 (%3). Grant kms:%1 on the key to "
                                   "that principal, in its key policy or an IAM policy.")
                        .arg(op, call.keyId, said));
    if (code == QLatin1String("UnrecognizedClientException") ||
        code == QLatin1String("InvalidSignatureException") ||
        code == QLatin1String("ExpiredTokenException") ||
        code == QLatin1String("MissingAuthenticationTokenException") ||
        code == QLatin1String("InvalidClientTokenId"))
        return fail(ErrorAccessDenied,
                    QStringLiteral("AWS KMS did not accept the credentials of access key %1 "
                                   "(%2). Check access.key.id, secret.access.key and, for "
                                   "temporary credentials, session.token; and the clock.")
                        .arg(QString::fromLatin1(call.credentials.accessKeyId), said));
    if (code == QLatin1String("DisabledException"))
        return fail(ErrorKeyDisabled,
                    QStringLiteral("The AWS KMS key %1 is disabled (%2). Enable it to wrap and "
                                   "unwrap DEKs under this KEK.")
                        .arg(call.keyId, said));
    if (code == QLatin1String("KMSInvalidStateException")) {
        if (message.contains(QLatin1String("pending deletion"), Qt::CaseInsensitive))
            return fail(ErrorKeyPendingDeletion,
                        QStringLiteral("The AWS KMS key %1 is pending deletion (%2). Cancel the "
                                       "deletion (CancelKeyDeletion) before its date, or the "
                                       "DEKs it wraps are lost.")
                            .arg(call.keyId, said));
        return fail(ErrorKeyDisabled, QStringLiteral("The AWS KMS key %1 cannot be used in its "
                                                     "current state (%2).")
                                          .arg(call.keyId, said));
    }
    if (code == QLatin1String("ThrottlingException"))
        return fail(ErrorThrottled,
                    QStringLiteral("AWS KMS kept throttling %1 on %2 (%3) after %4 retries. Try "
                                   "again later or raise the account's KMS request quota.")
                        .arg(op, call.keyId, said)
                        .arg(ThrottleRetries));
    if (code == QLatin1String("InvalidCiphertextException") ||
        code == QLatin1String("IncorrectKeyException"))
        return fail(ErrorBadCiphertext,
                    QStringLiteral("AWS KMS cannot decrypt this DEK with key %1 (%2): it was "
                                   "wrapped under another key or has been altered.")
                        .arg(call.keyId, said));
    if (reply.httpStatus >= 500 || code == QLatin1String("KMSInternalException") ||
        code == QLatin1String("DependencyTimeoutException") ||
        code == QLatin1String("KeyUnavailableException"))
        return fail(ErrorUnavailable, QStringLiteral("AWS KMS could not serve %1 on %2 (%3, "
                                                     "HTTP %4). Try again later.")
                                          .arg(op, call.keyId, said)
                                          .arg(reply.httpStatus));
    return fail(ErrorBadReply, QStringLiteral("AWS KMS answered %1 on %2 with HTTP %3 (%4).")
                                   .arg(op, call.keyId)
                                   .arg(reply.httpStatus)
                                   .arg(said.isEmpty() ? QStringLiteral("no error code") : said));
}

// Runs `fn` after `ms` in the calling thread (the KmsHttp thread, which has an event loop).
void later(int ms, std::function<void()> fn)
{
    QTimer::singleShot(ms, QAbstractEventDispatcher::instance(QThread::currentThread()),
                       std::move(fn));
}

// Signs `request` (its rawBody set) for `url` exactly as the transport sends it: Host with a
// non-default port, the base path; adds the signed headers but Host to the request.
void signInto(registry::RestRequest &request, const QUrl &url,
              QList<QPair<QByteArray, QByteArray>> headers, const sigv4::Credentials &credentials,
              const QString &region, QByteArrayView service)
{
    sigv4::Request toSign;
    toSign.method = "POST";
    toSign.rawPath = request.encodedTarget(url.path(QUrl::FullyEncoded).toLatin1());
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (url.port(defaultPort) != defaultPort)
        host += ':' + QByteArray::number(url.port());
    headers.prepend({"Host", host});
    toSign.headers = std::move(headers);
    toSign.body = *request.rawBody;
    sigv4::sign(toSign, credentials, region.toLatin1(), service, QDateTime::currentDateTimeUtc());
    for (const auto &header : std::as_const(toSign.headers)) {
        if (header.first != "Host")
            request.headers.append(header);
    }
}

void attempt(std::shared_ptr<Call> call, std::shared_ptr<QPromise<Result<QJsonObject>>> promise,
             int retry)
{
    registry::RestRequest request = registry::RestRequest::make("POST", {});
    request.registryHeaders = false;
    request.service = QStringLiteral("AWS KMS");
    request.answerEveryStatus = true;
    request.retrySafe = true;
    request.rawBody = QJsonDocument(call->body).toJson(QJsonDocument::Compact);
    signInto(request, call->endpoint.baseUrl,
             {{"Content-Type", "application/x-amz-json-1.1"},
              {"X-Amz-Target", "TrentService." + call->operation}},
             call->credentials, call->region, "kms");
    qCDebug(lcAwsKms) << "AWS KMS" << call->operation << "on" << call->keyId << "in" << call->region
                      << "attempt" << retry + 1;

    call->http->send(call->endpoint, std::move(request))
        .then(QtFuture::Launch::Sync, [call, promise, retry](Result<registry::Reply> reply) {
            if (!reply) {
                promise->addResult(
                    fail(ErrorUnavailable, QStringLiteral("AWS KMS is unreachable for %1: %2")
                                               .arg(call->keyId, reply.error().message)));
                promise->finish();
                return;
            }
            if (reply->httpStatus == 200) {
                const QJsonDocument json = QJsonDocument::fromJson(reply->body);
                if (json.isObject())
                    promise->addResult(json.object());
                else
                    promise->addResult(
                        fail(ErrorBadReply,
                             QStringLiteral("AWS KMS answered %1 on %2 with a "
                                            "body that is not JSON.")
                                 .arg(QString::fromLatin1(call->operation), call->keyId)));
                promise->finish();
                return;
            }
            const Error error = mapError(*call, *reply);
            if (!call->stsCacheKey.isEmpty() && error.code == ErrorAccessDenied) {
                // Temporary credentials KMS no longer takes: assume the role afresh next time.
                QMutexLocker lock(&call->sts->mutex);
                call->sts->entries.remove(call->stsCacheKey);
            }
            if (error.code == ErrorThrottled && retry < ThrottleRetries) {
                const int cap = std::min(ThrottleMaxMs, ThrottleBaseMs << retry);
                const int delay = cap / 2 + QRandomGenerator::global()->bounded(cap / 2 + 1);
                qCDebug(lcAwsKms) << "AWS KMS throttled" << call->operation << "; retry in" << delay
                                  << "ms";
                later(delay, [call, promise, retry] { attempt(call, promise, retry + 1); });
                return;
            }
            promise->addResult(error);
            promise->finish();
        });
}

// The leaf elements of an STS answer (kms-facts.md: AssumeRoleResponse or ErrorResponse).
struct StsAnswer
{
    QString accessKeyId;
    QString secretAccessKey;
    QString sessionToken;
    QString expiration;
    QString code;
    QString message;
};

StsAnswer parseSts(const QByteArray &xml)
{
    StsAnswer answer;
    QXmlStreamReader reader(xml);
    while (!reader.atEnd()) {
        reader.readNext();
        if (!reader.isStartElement())
            continue;
        const QStringView name = reader.name();
        QString *field = name == u"AccessKeyId"       ? &answer.accessKeyId
                         : name == u"SecretAccessKey" ? &answer.secretAccessKey
                         : name == u"SessionToken"    ? &answer.sessionToken
                         : name == u"Expiration"      ? &answer.expiration
                         : name == u"Code"            ? &answer.code
                         : name == u"Message"         ? &answer.message
                                                      : nullptr;
        if (field)
            *field = reader.readElementText().trimmed();
    }
    return answer;
}

Error mapStsError(const Call &call, int httpStatus, const StsAnswer &answer)
{
    const QString said = answer.message.isEmpty()
                             ? answer.code
                             : answer.code + QStringLiteral(": ") + answer.message;
    const QString master = QString::fromLatin1(call.credentials.accessKeyId);
    if (answer.code == QLatin1String("AccessDenied"))
        return fail(ErrorAccessDenied,
                    QStringLiteral("AWS STS refused to let access key %1 assume role %2 (%3). "
                                   "Check the role's trust policy for that principal and "
                                   "role.external.id.")
                        .arg(master, call.role.roleArn, said));
    if (answer.code == QLatin1String("ExpiredToken") ||
        answer.code == QLatin1String("InvalidClientTokenId") ||
        answer.code == QLatin1String("SignatureDoesNotMatch") ||
        answer.code == QLatin1String("IncompleteSignature") ||
        answer.code == QLatin1String("MissingAuthenticationToken"))
        return fail(ErrorAccessDenied,
                    QStringLiteral("AWS STS did not accept the credentials of access key %1 to "
                                   "assume role %2 (%3). Check the master credentials (keys, "
                                   "profile, session token) and the clock.")
                        .arg(master, call.role.roleArn, said));
    if (httpStatus >= 500 || answer.code == QLatin1String("Throttling"))
        return fail(ErrorUnavailable,
                    QStringLiteral("AWS STS could not assume role %1 (%2, HTTP %3). Try again "
                                   "later.")
                        .arg(call.role.roleArn, said)
                        .arg(httpStatus));
    return fail(ErrorBadReply,
                QStringLiteral("AWS STS answered AssumeRole of %1 with HTTP %2 (%3).")
                    .arg(call.role.roleArn)
                    .arg(httpStatus)
                    .arg(said.isEmpty() ? QStringLiteral("no error code") : said));
}

QByteArray formField(const char *name, const QString &value)
{
    return QByteArray(name) + '=' + QUrl::toPercentEncoding(value);
}

// The role's temporary credentials: cached until shortly before they expire, else AssumeRole
// signed with the master credentials.
QFuture<Result<sigv4::Credentials>> assumedCredentials(const std::shared_ptr<Call> &call)
{
    using Answer = Result<sigv4::Credentials>;
    {
        QMutexLocker lock(&call->sts->mutex);
        const auto it = call->sts->entries.constFind(call->stsCacheKey);
        if (it != call->sts->entries.constEnd() &&
            QDateTime::currentMSecsSinceEpoch() < it->refreshAtMs)
            return readyFuture(Answer(it->credentials));
    }
    QByteArrayList form{"Action=AssumeRole", "Version=2011-06-15",
                        formField("RoleArn", call->role.roleArn),
                        formField("RoleSessionName", call->role.sessionName)};
    if (!call->role.externalId.isEmpty())
        form.append(formField("ExternalId", call->role.externalId));
    registry::RestRequest request = registry::RestRequest::make("POST", {});
    request.registryHeaders = false;
    request.service = QStringLiteral("AWS STS");
    request.expectJson = false;
    request.answerEveryStatus = true;
    request.retrySafe = true;
    request.rawBody = form.join('&');
    signInto(request, call->stsEndpoint.baseUrl,
             {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
             call->credentials, call->region, "sts");
    qCDebug(lcAwsKms) << "AWS STS AssumeRole of" << call->role.roleArn << "as session"
                      << call->role.sessionName << "in" << call->region;
    return call->http->send(call->stsEndpoint, std::move(request))
        .then(QtFuture::Launch::Sync, [call](Result<registry::Reply> reply) -> Answer {
            if (!reply)
                return fail(ErrorUnavailable,
                            QStringLiteral("AWS STS is unreachable to assume role %1: %2")
                                .arg(call->role.roleArn, reply.error().message));
            const StsAnswer answer = parseSts(reply->body);
            if (reply->httpStatus != 200)
                return mapStsError(*call, reply->httpStatus, answer);
            if (answer.accessKeyId.isEmpty() || answer.secretAccessKey.isEmpty() ||
                answer.sessionToken.isEmpty())
                return fail(ErrorBadReply,
                            QStringLiteral("AWS STS answered AssumeRole of %1 without "
                                           "credentials.")
                                .arg(call->role.roleArn));
            sigv4::Credentials temporary{answer.accessKeyId.toUtf8(),
                                         answer.secretAccessKey.toUtf8(),
                                         answer.sessionToken.toUtf8()};
            const QDateTime expiration =
                QDateTime::fromString(answer.expiration, Qt::ISODateWithMs);
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            if (expiration.isValid()) {
                const qint64 expiresMs = expiration.toMSecsSinceEpoch();
                const qint64 margin = std::min(StsRefreshMarginMs, (expiresMs - now) / 2);
                QMutexLocker lock(&call->sts->mutex);
                call->sts->entries.insert(call->stsCacheKey, {temporary, expiresMs - margin});
            }
            qCDebug(lcAwsKms) << "AWS STS assumed" << call->role.roleArn << "until"
                              << answer.expiration;
            return temporary;
        });
}

QFuture<Result<QJsonObject>> run(std::shared_ptr<Call> call)
{
    auto promise = std::make_shared<QPromise<Result<QJsonObject>>>();
    promise->start();
    QFuture<Result<QJsonObject>> future = promise->future();
    if (call->role.roleArn.isEmpty()) {
        attempt(std::move(call), promise, 0);
        return future;
    }
    assumedCredentials(call).then(QtFuture::Launch::Sync,
                                  [call, promise](Result<sigv4::Credentials> credentials) {
                                      if (!credentials) {
                                          promise->addResult(credentials.error());
                                          promise->finish();
                                          return;
                                      }
                                      call->credentials = *credentials;
                                      attempt(call, promise, 0);
                                  });
    return future;
}

double jsonSeconds(const QJsonValue &value)
{
    return value.toDouble();
}

class AwsKmsAead final : public KmsAead
{
public:
    AwsKmsAead(Call base, QString configuredKeyId)
        : m_base(std::move(base))
        , m_configuredKeyId(std::move(configuredKeyId))
    {}

    QFuture<Result<QByteArray>> wrap(QByteArray plaintext) override
    {
        auto call = std::make_shared<Call>(m_base);
        call->operation = "Encrypt";
        call->body = {{QStringLiteral("KeyId"), m_base.keyId},
                      {QStringLiteral("Plaintext"), QString::fromLatin1(plaintext.toBase64())}};
        return run(call).then(
            QtFuture::Launch::Sync, [call](Result<QJsonObject> reply) -> Result<QByteArray> {
                if (!reply)
                    return reply.error();
                const QByteArray blob = QByteArray::fromBase64(
                    reply->value(QStringLiteral("CiphertextBlob")).toString().toLatin1());
                if (blob.isEmpty())
                    return fail(ErrorBadReply, QStringLiteral("AWS KMS answered Encrypt on %1 "
                                                              "without a CiphertextBlob.")
                                                   .arg(call->keyId));
                return blob;
            });
    }

    QFuture<Result<QByteArray>> unwrap(QByteArray ciphertext) override
    {
        auto call = std::make_shared<Call>(m_base);
        call->operation = "Decrypt";
        call->body = {
            {QStringLiteral("KeyId"), m_base.keyId},
            {QStringLiteral("CiphertextBlob"), QString::fromLatin1(ciphertext.toBase64())}};
        // Like Confluent's Java client: a key-ARN KEK must get its own key back.
        const bool checkKeyId = m_base.keyId.split(QLatin1Char(':')).size() == 6 &&
                                m_base.keyId.contains(QLatin1String(":key/"));
        return run(call).then(
            QtFuture::Launch::Sync,
            [call, checkKeyId](Result<QJsonObject> reply) -> Result<QByteArray> {
                if (!reply)
                    return reply.error();
                const QString answeredKey = reply->value(QStringLiteral("KeyId")).toString();
                if (checkKeyId && answeredKey != call->keyId)
                    return fail(
                        ErrorBadCiphertext,
                        QStringLiteral("AWS KMS decrypted the DEK with key %1, not the KEK's "
                                       "key %2.")
                            .arg(answeredKey, call->keyId));
                return QByteArray::fromBase64(
                    reply->value(QStringLiteral("Plaintext")).toString().toLatin1());
            });
    }

private:
    Call m_base;
    QString m_configuredKeyId;
};

Result<Call> baseCall(const std::shared_ptr<KmsHttp> &http,
                      const std::shared_ptr<AwsKmsDriver::StsCache> &sts, const KekRef &kek,
                      const KmsConfig &config)
{
    auto target = AwsKmsDriver::target(kek.kmsKeyId, config);
    if (!target)
        return target.error();
    auto credentials = AwsKmsDriver::credentials(config);
    if (!credentials)
        return credentials.error();
    Call call;
    call.http = http;
    call.credentials = *credentials;
    call.region = target->region;
    call.keyId = target->keyId;
    const QString endpoint = config.value(QString(AwsKmsDriver::EndpointKey));
    call.endpoint.baseUrl =
        QUrl(endpoint.isEmpty()
                 ? QStringLiteral("https://kms.%1.%2")
                       .arg(target->region, target->region.startsWith(QLatin1String("cn-"))
                                                ? QStringLiteral("amazonaws.com.cn")
                                                : QStringLiteral("amazonaws.com"))
                 : endpoint);
    call.role = AwsKmsDriver::role(config);
    if (!call.role.roleArn.isEmpty()) {
        call.sts = sts;
        call.stsEndpoint.baseUrl = QUrl(AwsKmsDriver::stsEndpoint(call.region, config));
        call.stsCacheKey =
            QStringList{QString::fromLatin1(call.credentials.accessKeyId),
                        QString::fromLatin1(sigv4::hexSha256(call.credentials.secretAccessKey)),
                        call.role.roleArn,
                        call.role.sessionName,
                        call.role.externalId,
                        call.stsEndpoint.baseUrl.toString(),
                        call.region}
                .join(QLatin1Char('\n'));
    }
    return call;
}

QString homeFile(const char *variable, const char *fallback)
{
    const QString set = env(variable);
    return set.isEmpty() ? QDir::homePath() + QLatin1String(fallback) : set;
}

// The key = value lines of `[section]` in an AWS INI file (keys lowercased); nullopt when the
// file cannot be read or has no such section.
std::optional<QHash<QString, QString>> iniSection(const QString &path, const QString &section)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return std::nullopt;
    bool inside = false;
    bool found = false;
    QHash<QString, QString> values;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) ||
            line.startsWith(QLatin1Char(';')))
            continue;
        if (line.startsWith(QLatin1Char('[')) && line.endsWith(QLatin1Char(']'))) {
            inside = line.mid(1, line.size() - 2).simplified() == section;
            found = found || inside;
            continue;
        }
        const qsizetype equals = line.indexOf(QLatin1Char('='));
        if (inside && equals > 0)
            values.insert(line.left(equals).trimmed().toLower(), line.mid(equals + 1).trimmed());
    }
    if (!found)
        return std::nullopt;
    return values;
}

// The profile's keys: the shared credentials file's [name], else the config file's
// [profile name] ([default] for "default"), as the AWS SDKs read them.
Result<sigv4::Credentials> profileCredentials(const QString &profile, const QString &origin)
{
    const QString credentialsFile = homeFile("AWS_SHARED_CREDENTIALS_FILE", "/.aws/credentials");
    const QString configFile = homeFile("AWS_CONFIG_FILE", "/.aws/config");
    const auto complete = [](const std::optional<QHash<QString, QString>> &section) {
        return section && !section->value(QStringLiteral("aws_access_key_id")).isEmpty() &&
               !section->value(QStringLiteral("aws_secret_access_key")).isEmpty();
    };
    auto section = iniSection(credentialsFile, profile);
    if (!complete(section)) {
        section = iniSection(configFile, QStringLiteral("profile ") + profile);
        if (!section && profile == QLatin1String("default"))
            section = iniSection(configFile, profile);
    }
    if (!complete(section))
        return fail(ErrorNotConfigured,
                    QStringLiteral("The AWS profile '%1' (from %2) has no aws_access_key_id and "
                                   "aws_secret_access_key in the shared credentials file %3 nor "
                                   "in the config file %4.")
                        .arg(profile, origin, QDir::toNativeSeparators(credentialsFile),
                             QDir::toNativeSeparators(configFile)));
    return sigv4::Credentials{section->value(QStringLiteral("aws_access_key_id")).toUtf8(),
                              section->value(QStringLiteral("aws_secret_access_key")).toUtf8(),
                              section->value(QStringLiteral("aws_session_token")).toUtf8()};
}

} // namespace

AwsKmsDriver::AwsKmsDriver()
    : m_sts(std::make_shared<StsCache>())
{}

AwsKmsDriver::~AwsKmsDriver() = default;

QString AwsKmsDriver::kmsType() const
{
    return QStringLiteral("aws-kms");
}

KmsDriverInfo AwsKmsDriver::info() const
{
    const auto plain = [](QLatin1String key, const char *label, const char *help) {
        return KmsSetting{QString(key), QString::fromLatin1(label), false,
                          QString::fromLatin1(help)};
    };
    return {kmsType(),
            QStringLiteral("AWS KMS"),
            {plain(AccessKeyIdKey, "Access key id",
                   "With the secret access key (else the profile, else AWS_ACCESS_KEY_ID)."),
             KmsSetting{QString(SecretAccessKeyKey), QStringLiteral("Secret access key"), true,
                        QStringLiteral("The secret of the access key id (else "
                                       "AWS_SECRET_ACCESS_KEY).")},
             plain(ProfileKey, "Profile",
                   "Without access keys: this profile of the shared credentials file "
                   "(AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials) or config file "
                   "(AWS_CONFIG_FILE, ~/.aws/config); else AWS_PROFILE."),
             plain(RoleArnKey, "Role ARN",
                   "Assume this IAM role with STS AssumeRole using the credentials above, and "
                   "call KMS with its temporary credentials (else AWS_ROLE_ARN)."),
             plain(RoleSessionNameKey, "Role session name",
                   "The AssumeRole session name (else AWS_ROLE_SESSION_NAME, else "
                   "confluent-encrypt)."),
             plain(RoleExternalIdKey, "Role external id",
                   "The ExternalId the role's trust policy requires (else "
                   "AWS_ROLE_EXTERNAL_ID)."),
             KmsSetting{QString(SessionTokenKey), QStringLiteral("Session token"), true,
                        QStringLiteral("For temporary credentials (else AWS_SESSION_TOKEN).")},
             plain(RegionKey, "Region",
                   "Multi-Region keys (mrk-) are used in this region instead of the ARN's."),
             plain(DisableDynamicMrkKey, "Disable dynamic MRK",
                   "true: use multi-Region key ARNs as written."),
             plain(EndpointKey, "Endpoint override",
                   "Base URL instead of https://kms.<region>.amazonaws.com (a proxy or the "
                   "sandbox); the signing region still comes from the ARN."),
             plain(StsEndpointKey, "STS endpoint",
                   "URL AssumeRole is sent to instead of https://sts.<region>.amazonaws.com/ "
                   "(a proxy or the sandbox).")},
            true};
}

Result<AwsKmsDriver::Target> AwsKmsDriver::target(const QString &kmsKeyId, const KmsConfig &config)
{
    QStringList parts = kmsKeyId.split(QLatin1Char(':'));
    if (parts.size() != 6 || parts.at(0) != QLatin1String("arn") ||
        parts.at(2) != QLatin1String("kms") || parts.at(3).isEmpty())
        return fail(ErrorNotConfigured,
                    QStringLiteral("The KEK's kmsKeyId '%1' is not an AWS KMS key or alias ARN "
                                   "(arn:aws:kms:<region>:<account>:key/<id>).")
                        .arg(kmsKeyId));
    const QString configured = config.value(QString(RegionKey));
    const bool dynamicMrk = config.value(QString(DisableDynamicMrkKey))
                                .compare(QLatin1String("true"), Qt::CaseInsensitive) != 0;
    if (dynamicMrk && !configured.isEmpty() && parts.at(5).startsWith(QLatin1String("key/mrk-")))
        parts[3] = configured;
    return Target{parts.join(QLatin1Char(':')), parts.at(3)};
}

Result<sigv4::Credentials> AwsKmsDriver::credentials(const KmsConfig &config)
{
    QString keyId = config.value(QString(AccessKeyIdKey));
    QString secret = config.value(QString(SecretAccessKeyKey));
    QString token = config.value(QString(SessionTokenKey));
    if (!keyId.isEmpty() && !secret.isEmpty())
        return sigv4::Credentials{keyId.toUtf8(), secret.toUtf8(), token.toUtf8()};
    const QString profile = config.value(QString(ProfileKey));
    if (!profile.isEmpty())
        return profileCredentials(profile, QStringLiteral("the profile setting"));
    keyId = env("AWS_ACCESS_KEY_ID");
    secret = env("AWS_SECRET_ACCESS_KEY");
    token = env("AWS_SESSION_TOKEN");
    if (!keyId.isEmpty() && !secret.isEmpty())
        return sigv4::Credentials{keyId.toUtf8(), secret.toUtf8(), token.toUtf8()};
    const QString envProfile = env("AWS_PROFILE");
    if (!envProfile.isEmpty())
        return profileCredentials(envProfile, QStringLiteral("AWS_PROFILE"));
    // Last in the SDKs' default chain that Keywarden follows: the [default] profile, if any.
    if (auto fallback = profileCredentials(QStringLiteral("default"), QStringLiteral("default")))
        return fallback;
    return fail(ErrorNotConfigured,
                QStringLiteral("No AWS credentials: set access.key.id and secret.access.key, or "
                               "profile, in the connection's aws-kms settings or the KEK's "
                               "kmsProps, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or "
                               "AWS_PROFILE in the environment (the shared credentials and "
                               "config files have no [default] profile with keys either)."));
}

AwsKmsDriver::Role AwsKmsDriver::role(const KmsConfig &config)
{
    if (!env("AWS_WEB_IDENTITY_TOKEN_FILE").isEmpty())
        return {};
    const auto setting = [&config](QLatin1String key, const char *variable) {
        const QString value = config.value(QString(key));
        return value.isEmpty() ? env(variable) : value;
    };
    Role role{setting(RoleArnKey, "AWS_ROLE_ARN"),
              setting(RoleSessionNameKey, "AWS_ROLE_SESSION_NAME"),
              setting(RoleExternalIdKey, "AWS_ROLE_EXTERNAL_ID")};
    if (role.sessionName.isEmpty())
        role.sessionName = QString(DefaultRoleSessionName);
    return role;
}

QString AwsKmsDriver::stsEndpoint(const QString &region, const KmsConfig &config)
{
    const QString configured = config.value(QString(StsEndpointKey));
    if (!configured.isEmpty())
        return configured;
    return QStringLiteral("https://sts.%1.%2/")
        .arg(region, region.startsWith(QLatin1String("cn-")) ? QStringLiteral("amazonaws.com.cn")
                                                             : QStringLiteral("amazonaws.com"));
}

QString AwsKmsDriver::errorCode(const QString &type)
{
    QString code = type.section(QLatin1Char(':'), 0, 0);
    return code.section(QLatin1Char('#'), -1);
}

Result<std::shared_ptr<KmsAead>> AwsKmsDriver::create(const KekRef &kek,
                                                      const KmsConfig &mergedConfig) const
{
    auto call = baseCall(KmsHttp::shared(), m_sts, kek, mergedConfig);
    if (!call)
        return call.error();
    return std::shared_ptr<KmsAead>(std::make_shared<AwsKmsAead>(*call, kek.kmsKeyId));
}

QFuture<Result<KmsKeyState>> AwsKmsDriver::keyState(const KekRef &kek,
                                                    const KmsConfig &mergedConfig) const
{
    auto base = baseCall(KmsHttp::shared(), m_sts, kek, mergedConfig);
    if (!base)
        return readyFuture(Result<KmsKeyState>(base.error()));
    auto describe = std::make_shared<Call>(*base);
    describe->operation = "DescribeKey";
    describe->body = {{QStringLiteral("KeyId"), base->keyId}};
    auto rotation = std::make_shared<Call>(*base);
    rotation->operation = "GetKeyRotationStatus";
    rotation->body = {{QStringLiteral("KeyId"), base->keyId}};

    return run(describe)
        .then(QtFuture::Launch::Sync,
              [rotation](Result<QJsonObject> described) -> QFuture<Result<KmsKeyState>> {
                  if (!described)
                      return readyFuture(Result<KmsKeyState>(described.error()));
                  const QJsonObject metadata =
                      described->value(QStringLiteral("KeyMetadata")).toObject();
                  KmsKeyState state;
                  state.providerState = metadata.value(QStringLiteral("KeyState")).toString();
                  state.keyName = metadata.value(QStringLiteral("Arn")).toString();
                  const QString &s = state.providerState;
                  using Status = KmsKeyState::Status;
                  state.status = s == QLatin1String("Enabled")           ? Status::Enabled
                                 : s == QLatin1String("Disabled")        ? Status::Disabled
                                 : s == QLatin1String("PendingDeletion") ? Status::PendingDeletion
                                 : s == QLatin1String("PendingReplicaDeletion")
                                     ? Status::PendingDeletion
                                 : s == QLatin1String("Unavailable") ? Status::Disabled
                                                                     : Status::Transitional;
                  state.deletionMs =
                      qint64(jsonSeconds(metadata.value(QStringLiteral("DeletionDate"))) * 1000);
                  if (metadata.value(QStringLiteral("MultiRegion")).toBool())
                      state.notes.append(QStringLiteral("Multi-Region key"));
                  const QString origin = metadata.value(QStringLiteral("Origin")).toString();
                  if (!origin.isEmpty() && origin != QLatin1String("AWS_KMS"))
                      state.notes.append(QStringLiteral("Key material origin: %1").arg(origin));
                  if (state.status == Status::PendingDeletion)
                      return readyFuture(Result<KmsKeyState>(state));
                  return run(rotation).then(
                      QtFuture::Launch::Sync,
                      [state](Result<QJsonObject> rotationReply) mutable -> Result<KmsKeyState> {
                          if (!rotationReply) {
                              state.notes.append(QStringLiteral("Rotation status unknown: %1")
                                                     .arg(rotationReply.error().message));
                              return state;
                          }
                          state.autoRotation =
                              rotationReply->value(QStringLiteral("KeyRotationEnabled")).toBool();
                          state.rotationPeriodDays =
                              rotationReply->value(QStringLiteral("RotationPeriodInDays")).toInt();
                          state.nextRotationMs = qint64(jsonSeconds(rotationReply->value(
                                                            QStringLiteral("NextRotationDate"))) *
                                                        1000);
                          return state;
                      });
              })
        .unwrap();
}

} // namespace kw::kms
