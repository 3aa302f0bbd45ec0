#include "core/kms/awskms.h"

#include "core/domain/readyfuture.h"
#include "core/kms/kmshttp.h"

#include <QAbstractEventDispatcher>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPromise>
#include <QRandomGenerator>
#include <QThread>
#include <QTimer>
#include <QUrl>

namespace kw::kms {

Q_LOGGING_CATEGORY(lcAwsKms, "keywarden.kms.aws", QtInfoMsg)

namespace {

constexpr int ThrottleRetries = 3;
constexpr int ThrottleBaseMs = 100;
constexpr int ThrottleMaxMs = 2000;

struct Call
{
    std::shared_ptr<KmsHttp> http;
    KmsEndpoint endpoint;
    sigv4::Credentials credentials;
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

void attempt(std::shared_ptr<Call> call, std::shared_ptr<QPromise<Result<QJsonObject>>> promise,
             int retry)
{
    registry::RestRequest request = registry::RestRequest::make("POST", {});
    request.registryHeaders = false;
    request.service = QStringLiteral("AWS KMS");
    request.answerEveryStatus = true;
    request.retrySafe = true;
    request.rawBody = QJsonDocument(call->body).toJson(QJsonDocument::Compact);

    // Sign exactly what the transport sends: Host with a non-default port, the base path.
    const QUrl &url = call->endpoint.baseUrl;
    sigv4::Request toSign;
    toSign.method = "POST";
    toSign.rawPath = request.encodedTarget(url.path(QUrl::FullyEncoded).toLatin1());
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (url.port(defaultPort) != defaultPort)
        host += ':' + QByteArray::number(url.port());
    toSign.headers = {{"Host", host},
                      {"Content-Type", "application/x-amz-json-1.1"},
                      {"X-Amz-Target", "TrentService." + call->operation}};
    toSign.body = *request.rawBody;
    sigv4::sign(toSign, call->credentials, call->region.toLatin1(), "kms",
                QDateTime::currentDateTimeUtc());
    for (const auto &header : std::as_const(toSign.headers)) {
        if (header.first != "Host")
            request.headers.append(header);
    }
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

QFuture<Result<QJsonObject>> run(std::shared_ptr<Call> call)
{
    auto promise = std::make_shared<QPromise<Result<QJsonObject>>>();
    promise->start();
    QFuture<Result<QJsonObject>> future = promise->future();
    attempt(std::move(call), promise, 0);
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

Result<Call> baseCall(const std::shared_ptr<KmsHttp> &http, const KekRef &kek,
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
    return call;
}

} // namespace

AwsKmsDriver::AwsKmsDriver() = default;

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
                   "With the secret access key (else AWS_ACCESS_KEY_ID)."),
             KmsSetting{QString(SecretAccessKeyKey), QStringLiteral("Secret access key"), true,
                        QStringLiteral("The secret of the access key id (else "
                                       "AWS_SECRET_ACCESS_KEY).")},
             KmsSetting{QString(SessionTokenKey), QStringLiteral("Session token"), true,
                        QStringLiteral("For temporary credentials (else AWS_SESSION_TOKEN).")},
             plain(RegionKey, "Region",
                   "Multi-Region keys (mrk-) are used in this region instead of the ARN's."),
             plain(DisableDynamicMrkKey, "Disable dynamic MRK",
                   "true: use multi-Region key ARNs as written."),
             plain(EndpointKey, "Endpoint override",
                   "Base URL instead of https://kms.<region>.amazonaws.com (a proxy or the "
                   "sandbox); the signing region still comes from the ARN.")},
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
    if (keyId.isEmpty() || secret.isEmpty()) {
        keyId = env("AWS_ACCESS_KEY_ID");
        secret = env("AWS_SECRET_ACCESS_KEY");
        token = env("AWS_SESSION_TOKEN");
    }
    if (keyId.isEmpty() || secret.isEmpty())
        return fail(ErrorNotConfigured,
                    QStringLiteral("No AWS credentials: set access.key.id and secret.access.key "
                                   "in the connection's aws-kms settings or the KEK's kmsProps, "
                                   "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the "
                                   "environment."));
    return sigv4::Credentials{keyId.toUtf8(), secret.toUtf8(), token.toUtf8()};
}

QString AwsKmsDriver::errorCode(const QString &type)
{
    QString code = type.section(QLatin1Char(':'), 0, 0);
    return code.section(QLatin1Char('#'), -1);
}

Result<std::shared_ptr<KmsAead>> AwsKmsDriver::create(const KekRef &kek,
                                                      const KmsConfig &mergedConfig) const
{
    auto call = baseCall(KmsHttp::shared(), kek, mergedConfig);
    if (!call)
        return call.error();
    return std::shared_ptr<KmsAead>(std::make_shared<AwsKmsAead>(*call, kek.kmsKeyId));
}

QFuture<Result<KmsKeyState>> AwsKmsDriver::keyState(const KekRef &kek,
                                                    const KmsConfig &mergedConfig) const
{
    auto base = baseCall(KmsHttp::shared(), kek, mergedConfig);
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
