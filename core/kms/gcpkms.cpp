#include "core/kms/gcpkms.h"

#include "core/crypto/rsasign.h"
#include "core/domain/readyfuture.h"
#include "core/kms/gcpjwt.h"
#include "core/kms/kmshttp.h"
#include "core/kms/tokencache.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QUrl>

namespace kw::kms {

namespace {

Q_LOGGING_CATEGORY(lcGcpKms, "keywarden.kms.gcp", QtInfoMsg)

const QString Service = QStringLiteral("Google Cloud KMS");

struct Context
{
    GcpServiceAccount account;
    QString tokenUri;
    QString keyName;
    KmsEndpoint api;
    std::shared_ptr<KmsHttp> http;
};

TokenCache &tokenCache()
{
    static TokenCache cache;
    return cache;
}

QString cacheKey(const Context &context)
{
    return TokenCache::keyFor(context.tokenUri, context.account.clientEmail,
                              context.account.privateKeyPem.view());
}

Error notConfigured(const QString &message)
{
    return makeError(QString(ErrorNotConfigured), message);
}

Result<GcpServiceAccount> accountFrom(const KmsConfig &config)
{
    const QString email = config.value(QStringLiteral("client.email"));
    const QString key = config.value(QStringLiteral("private.key"));
    if (!email.isEmpty() || !key.isEmpty()) {
        if (email.isEmpty() || key.isEmpty())
            return notConfigured(
                QStringLiteral("The gcp-kms settings have %1 but not %2: give both, or neither "
                               "and set GOOGLE_APPLICATION_CREDENTIALS.")
                    .arg(email.isEmpty() ? QStringLiteral("private.key")
                                         : QStringLiteral("client.email"),
                         email.isEmpty() ? QStringLiteral("client.email")
                                         : QStringLiteral("private.key")));
        GcpServiceAccount account;
        account.type =
            config.value(QStringLiteral("account.type"), QStringLiteral("service_account"));
        account.clientId = config.value(QStringLiteral("client.id"));
        account.clientEmail = email;
        account.privateKeyId = config.value(QStringLiteral("private.key.id"));
        // Keys pasted from the JSON file may still carry "\n" escapes.
        QString pem = key;
        pem.replace(QStringLiteral("\\n"), QStringLiteral("\n"));
        account.privateKeyPem = crypto::SecureBytes::fromBytes(pem.toUtf8());
        if (account.type != QLatin1String("service_account"))
            return notConfigured(QStringLiteral("gcp-kms account.type is \"%1\"; Keywarden "
                                                "signs in with a service account "
                                                "(service_account).")
                                     .arg(account.type));
        return account;
    }
    const QString path = qEnvironmentVariable(GcpKmsDriver::CredentialsEnvVar);
    if (path.isEmpty())
        return notConfigured(QStringLiteral(
            "No Google credentials: set client.email and private.key (with private.key.id and "
            "client.id) in the gcp-kms settings, or point GOOGLE_APPLICATION_CREDENTIALS at a "
            "service-account key file."));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return notConfigured(QStringLiteral("Cannot read the service-account key file %1 "
                                            "(GOOGLE_APPLICATION_CREDENTIALS): %2.")
                                 .arg(path, file.errorString()));
    return parseServiceAccountJson(file.readAll());
}

Result<Context> contextFor(const KekRef &kek, const KmsConfig &config)
{
    if (!GcpKmsDriver::isKeyName(kek.kmsKeyId))
        return makeError(
            QString(ErrorKeyNotFound),
            QStringLiteral("KEK %1: \"%2\" is not a Cloud KMS key name; gcp-kms key ids look "
                           "like projects/P/locations/L/keyRings/R/cryptoKeys/K.")
                .arg(kek.name, kek.kmsKeyId));
    Result<GcpServiceAccount> account = accountFrom(config);
    if (!account)
        return account.error();
    Context context;
    context.account = *account;
    context.keyName = kek.kmsKeyId;
    context.tokenUri = config.value(QString(GcpKmsDriver::TokenUriKey));
    if (context.tokenUri.isEmpty())
        context.tokenUri = account->tokenUri;
    context.api.baseUrl = QUrl(
        config.value(QString(GcpKmsDriver::EndpointKey), QString(GcpKmsDriver::DefaultEndpoint)));
    if (!context.api.baseUrl.isValid() || context.api.baseUrl.host().isEmpty())
        return notConfigured(
            QStringLiteral("gcp-kms %1 \"%2\" is not a URL.")
                .arg(QString(GcpKmsDriver::EndpointKey), context.api.baseUrl.toString()));
    context.http = KmsHttp::shared();
    return context;
}

registry::RestRequest kmsRequest(QByteArray method, QStringList path)
{
    registry::RestRequest request = registry::RestRequest::make(std::move(method), path);
    request.registryHeaders = false;
    request.service = Service;
    request.answerEveryStatus = true;
    return request;
}

QString googleErrorMessage(const registry::Reply &reply)
{
    const QJsonObject error = reply.json.object().value(QLatin1String("error")).toObject();
    const QString message = error.value(QLatin1String("message")).toString();
    return message.isEmpty() ? QString::fromUtf8(reply.body.left(200)) : message;
}

QString googleStatus(const registry::Reply &reply)
{
    return reply.json.object()
        .value(QLatin1String("error"))
        .toObject()
        .value(QLatin1String("status"))
        .toString();
}

Error transportError(const Error &error)
{
    return makeError(QString(ErrorUnavailable),
                     QStringLiteral("Google Cloud KMS is unreachable: %1").arg(error.message));
}

QFuture<Result<QString>> accessToken(const Context &context)
{
    const QString key = cacheKey(context);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (const auto cached = tokenCache().find(key, now, GcpKmsDriver::TokenRenewMarginMs))
        return readyFuture(Result<QString>(*cached));
    const Result<QByteArray> assertion =
        makeJwtAssertion(context.account, QString(GcpKmsScope), context.tokenUri, now / 1000);
    if (!assertion)
        return readyFuture(Result<QString>(
            notConfigured(QStringLiteral("The private key of service account %1 cannot sign: %2")
                              .arg(context.account.clientEmail, assertion.error().message))));
    qCDebug(lcGcpKms) << "requesting an access token for" << context.account.clientEmail;
    registry::RestRequest request = kmsRequest("POST", {});
    request.service = QStringLiteral("Google OAuth2");
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.rawBody = QByteArray("grant_type=") +
                      QUrl::toPercentEncoding(QString(GcpJwtBearerGrant)) +
                      QByteArray("&assertion=") + *assertion;
    request.retrySafe = true;
    KmsEndpoint endpoint = context.api;
    endpoint.baseUrl = QUrl(context.tokenUri);
    const QString email = context.account.clientEmail;
    return context.http->send(endpoint, std::move(request))
        .then([key, email, now](const Result<registry::Reply> &reply) -> Result<QString> {
            if (!reply)
                return transportError(reply.error());
            const QJsonObject body = reply->json.object();
            if (reply->httpStatus != 200) {
                const QString description =
                    body.value(QLatin1String("error_description")).toString();
                return makeError(
                    QString(reply->httpStatus >= 500 ? ErrorUnavailable : ErrorAccessDenied),
                    QStringLiteral("Google refused to sign in service account %1 (%2: %3). "
                                   "Check that the key is active and the client.email, "
                                   "private.key.id and private.key settings belong together.")
                        .arg(email, body.value(QLatin1String("error")).toString(), description));
            }
            const QString token = body.value(QLatin1String("access_token")).toString();
            const qint64 expiresIn = body.value(QLatin1String("expires_in")).toInteger(0);
            if (token.isEmpty() || expiresIn <= 0)
                return makeError(QString(ErrorBadReply),
                                 QStringLiteral("Google's token endpoint answered without an "
                                                "access token for %1.")
                                     .arg(email));
            tokenCache().insert(key, token, now + expiresIn * 1000);
            return token;
        });
}

// One Cloud KMS call with a fresh or cached token.
QFuture<Result<registry::Reply>> apiCall(const Context &context, QByteArray method,
                                         const QString &resource, const QString &verb,
                                         const std::optional<QJsonObject> &body)
{
    QStringList path = QStringList{QStringLiteral("v1")} + resource.split(QLatin1Char('/'));
    if (!verb.isEmpty())
        path.last() += QLatin1Char(':') + verb;
    registry::RestRequest request = kmsRequest(std::move(method), path);
    if (body) {
        request.rawBody = QJsonDocument(*body).toJson(QJsonDocument::Compact);
        request.retrySafe = true;
    }
    const Context ctx = context;
    return accessToken(context)
        .then([ctx,
               request](const Result<QString> &token) mutable -> QFuture<Result<registry::Reply>> {
            if (!token)
                return readyFuture(Result<registry::Reply>(token.error()));
            request.headers = {{"Authorization", "Bearer " + token->toLatin1()},
                               {"Content-Type", "application/json"}};
            qCDebug(lcGcpKms) << request.method << "on" << ctx.keyName;
            return ctx.http->send(ctx.api, std::move(request));
        })
        .unwrap();
}

// Maps a Google error reply to a KMS error a person can act on.
Error mapError(const Context &context, const registry::Reply &reply, const QString &operation)
{
    const QString status = googleStatus(reply);
    const QString message = googleErrorMessage(reply);
    const QString key = context.keyName;
    switch (reply.httpStatus) {
    case 401:
        tokenCache().remove(cacheKey(context));
        return makeError(QString(ErrorAccessDenied),
                         QStringLiteral("Google Cloud KMS rejected the access token of %1 to "
                                        "%2 with %3: %4")
                             .arg(context.account.clientEmail, operation, key, message));
    case 403:
        return makeError(
            QString(ErrorAccessDenied),
            QStringLiteral("Service account %1 may not %2 with %3: %4 Grant it the Cloud KMS "
                           "CryptoKey Encrypter/Decrypter role on the key.")
                .arg(context.account.clientEmail, operation, key, message));
    case 404:
        return makeError(QString(ErrorKeyNotFound),
                         QStringLiteral("Google Cloud KMS has no key %1 (%2).").arg(key, message));
    case 429:
        return makeError(QString(ErrorThrottled),
                         QStringLiteral("Google Cloud KMS kept refusing to %1 with %2 for "
                                        "quota (%3); try again later or raise the quota.")
                             .arg(operation, key, message));
    default:
        break;
    }
    if (status == QLatin1String("FAILED_PRECONDITION")) {
        if (message.contains(QLatin1String("DESTROY_SCHEDULED")))
            return makeError(QString(ErrorKeyPendingDeletion),
                             QStringLiteral("The version of %1 that %2 needs is scheduled for "
                                            "destruction (%3) Restore it in Cloud KMS to keep "
                                            "its DEKs.")
                                 .arg(key, operation, message));
        if (message.contains(QLatin1String("DESTROYED")))
            return makeError(QString(ErrorKeyNotFound),
                             QStringLiteral("The version of %1 that %2 needs is destroyed (%3); "
                                            "what it wrapped cannot be recovered.")
                                 .arg(key, operation, message));
        if (message.contains(QLatin1String("DISABLED")))
            return makeError(QString(ErrorKeyDisabled),
                             QStringLiteral("The version of %1 that %2 needs is disabled (%3) "
                                            "Enable it in Cloud KMS.")
                                 .arg(key, operation, message));
    }
    if (status == QLatin1String("INVALID_ARGUMENT") && operation == QLatin1String("unwrap"))
        return makeError(QString(ErrorBadCiphertext),
                         QStringLiteral("Google Cloud KMS could not decrypt the DEK with %1: %2 "
                                        "The DEK was wrapped by another key or altered.")
                             .arg(key, message));
    if (reply.httpStatus >= 500)
        return makeError(QString(ErrorUnavailable),
                         QStringLiteral("Google Cloud KMS failed (%1 %2): %3")
                             .arg(reply.httpStatus)
                             .arg(status, message));
    return makeError(QString(ErrorBadReply), QStringLiteral("Google Cloud KMS refused to %1 "
                                                            "with %2 (%3 %4): %5")
                                                 .arg(operation, key)
                                                 .arg(reply.httpStatus)
                                                 .arg(status, message));
}

std::optional<QByteArray> bytesField(const QJsonObject &object, QLatin1String field)
{
    return decodeAnyBase64(object.value(field).toString().toLatin1());
}

bool crcMatches(const QJsonObject &object, QLatin1String field, QByteArrayView data)
{
    const QJsonValue value = object.value(field);
    if (value.isUndefined() || value.isNull())
        return false;
    const quint64 crc =
        value.isString() ? value.toString().toULongLong() : quint64(value.toInteger(-1));
    return crc == crypto::crc32c(data);
}

Error badReply(const Context &context, const QString &what)
{
    return makeError(QString(ErrorBadReply),
                     QStringLiteral("Google Cloud KMS answered for %1 with %2; the data may have "
                                    "been corrupted in transit, nothing was used.")
                         .arg(context.keyName, what));
}

class GcpKmsAead final : public KmsAead
{
public:
    explicit GcpKmsAead(Context context)
        : m_context(std::move(context))
    {}

    QFuture<Result<QByteArray>> wrap(QByteArray plaintext) override
    {
        const QJsonObject body{
            {QStringLiteral("plaintext"), QString::fromLatin1(plaintext.toBase64())},
            {QStringLiteral("additionalAuthenticatedData"), QString()},
            {QStringLiteral("plaintextCrc32c"), QString::number(crypto::crc32c(plaintext))},
            {QStringLiteral("additionalAuthenticatedDataCrc32c"), QStringLiteral("0")},
        };
        const Context context = m_context;
        return apiCall(m_context, "POST", m_context.keyName, QStringLiteral("encrypt"), body)
            .then([context](const Result<registry::Reply> &reply) -> Result<QByteArray> {
                if (!reply)
                    return reply.error().code.startsWith(QLatin1String("kms."))
                               ? reply.error()
                               : transportError(reply.error());
                if (reply->httpStatus != 200)
                    return mapError(context, *reply, QStringLiteral("wrap"));
                const QJsonObject out = reply->json.object();
                const std::optional<QByteArray> ciphertext =
                    bytesField(out, QLatin1String("ciphertext"));
                if (!ciphertext || ciphertext->isEmpty())
                    return badReply(context, QStringLiteral("no ciphertext"));
                if (!out.value(QLatin1String("name"))
                         .toString()
                         .startsWith(context.keyName + QStringLiteral("/cryptoKeyVersions/")))
                    return badReply(context, QStringLiteral("another key's name"));
                if (!out.value(QLatin1String("verifiedPlaintextCrc32c")).toBool() ||
                    !out.value(QLatin1String("verifiedAdditionalAuthenticatedDataCrc32c")).toBool())
                    return badReply(context, QStringLiteral("the request's checksums unverified"));
                if (!crcMatches(out, QLatin1String("ciphertextCrc32c"), *ciphertext))
                    return badReply(context, QStringLiteral("a ciphertext whose CRC32C does not "
                                                            "match"));
                return *ciphertext;
            });
    }

    QFuture<Result<QByteArray>> unwrap(QByteArray ciphertext) override
    {
        const QJsonObject body{
            {QStringLiteral("ciphertext"), QString::fromLatin1(ciphertext.toBase64())},
            {QStringLiteral("additionalAuthenticatedData"), QString()},
            {QStringLiteral("ciphertextCrc32c"), QString::number(crypto::crc32c(ciphertext))},
            {QStringLiteral("additionalAuthenticatedDataCrc32c"), QStringLiteral("0")},
        };
        const Context context = m_context;
        return apiCall(m_context, "POST", m_context.keyName, QStringLiteral("decrypt"), body)
            .then([context](const Result<registry::Reply> &reply) -> Result<QByteArray> {
                if (!reply)
                    return reply.error().code.startsWith(QLatin1String("kms."))
                               ? reply.error()
                               : transportError(reply.error());
                if (reply->httpStatus != 200)
                    return mapError(context, *reply, QStringLiteral("unwrap"));
                const QJsonObject out = reply->json.object();
                const std::optional<QByteArray> plaintext =
                    bytesField(out, QLatin1String("plaintext"));
                if (!plaintext)
                    return badReply(context, QStringLiteral("no plaintext"));
                if (!crcMatches(out, QLatin1String("plaintextCrc32c"), *plaintext))
                    return badReply(context, QStringLiteral("a plaintext whose CRC32C does not "
                                                            "match"));
                return *plaintext;
            });
    }

private:
    Context m_context;
};

qint64 timeMs(const QJsonValue &value)
{
    const QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return time.isValid() ? time.toMSecsSinceEpoch() : 0;
}

KmsKeyState stateOf(const QJsonObject &key)
{
    KmsKeyState state;
    state.keyName = key.value(QLatin1String("name")).toString();
    const QJsonObject primary = key.value(QLatin1String("primary")).toObject();
    const QString providerState = primary.value(QLatin1String("state")).toVariant().toString();
    static const QMap<QString, QString> numeric{
        {QStringLiteral("1"), QStringLiteral("ENABLED")},
        {QStringLiteral("2"), QStringLiteral("DISABLED")},
        {QStringLiteral("3"), QStringLiteral("DESTROYED")},
        {QStringLiteral("4"), QStringLiteral("DESTROY_SCHEDULED")},
        {QStringLiteral("5"), QStringLiteral("PENDING_GENERATION")}};
    state.providerState = numeric.value(providerState, providerState);
    const QString name = primary.value(QLatin1String("name")).toString();
    state.currentVersion = name.section(QLatin1Char('/'), -1);
    using Status = KmsKeyState::Status;
    if (primary.isEmpty()) {
        state.notes.append(QStringLiteral("The key has no primary version (purpose %1); "
                                          "Confluent needs an ENCRYPT_DECRYPT key.")
                               .arg(key.value(QLatin1String("purpose")).toString()));
    } else if (state.providerState == QLatin1String("ENABLED")) {
        state.status = Status::Enabled;
    } else if (state.providerState == QLatin1String("DISABLED")) {
        state.status = Status::Disabled;
    } else if (state.providerState == QLatin1String("DESTROY_SCHEDULED")) {
        state.status = Status::PendingDeletion;
        state.deletionMs = timeMs(primary.value(QLatin1String("destroyTime")));
    } else if (state.providerState == QLatin1String("DESTROYED")) {
        state.status = Status::Destroyed;
        if (const qint64 at = timeMs(primary.value(QLatin1String("destroyEventTime"))))
            state.notes.append(
                QStringLiteral("Destroyed on %1.")
                    .arg(QDateTime::fromMSecsSinceEpoch(at).toUTC().toString(Qt::ISODate)));
    } else {
        state.status = Status::Transitional;
    }
    const QString period = key.value(QLatin1String("rotationPeriod")).toString();
    state.autoRotation = !period.isEmpty();
    if (period.endsWith(QLatin1Char('s')))
        state.rotationPeriodDays = int(period.chopped(1).toDouble() / 86400.0 + 0.5);
    state.nextRotationMs = timeMs(key.value(QLatin1String("nextRotationTime")));
    state.lastRotationMs = timeMs(primary.value(QLatin1String("createTime")));
    return state;
}

} // namespace

QString GcpKmsDriver::kmsType() const
{
    return QStringLiteral("gcp-kms");
}

KmsDriverInfo GcpKmsDriver::info() const
{
    auto plain = [](const char *key, const char *label, const char *help) {
        return KmsSetting{QString::fromLatin1(key), QString::fromLatin1(label), false,
                          QString::fromLatin1(help)};
    };
    return {
        kmsType(),
        QStringLiteral("Google Cloud KMS"),
        {plain("account.type", "Account type", "Kind of credential (default service_account)."),
         plain("client.id", "Client id", "client_id of the service-account key."),
         plain("client.email", "Client email", "client_email of the service-account key."),
         // Names the key, like a key id elsewhere; only the key itself is a credential.
         plain("private.key.id", "Private key id", "private_key_id of the service-account key."),
         KmsSetting{QStringLiteral("private.key"), QStringLiteral("Private key (PEM)"), true,
                    QStringLiteral("private_key of the service-account key; without "
                                   "client.email and it, the key file named by "
                                   "GOOGLE_APPLICATION_CREDENTIALS.")},
         plain("keywarden.endpoint", "Cloud KMS URL (Keywarden)",
               "Base URL of the Cloud KMS REST API (default "
               "https://cloudkms.googleapis.com); Confluent's clients do not read it."),
         plain("keywarden.token.uri", "Token URL (Keywarden)",
               "OAuth2 token URL (default: the key's token_uri, "
               "https://oauth2.googleapis.com/token).")},
        true};
}

bool GcpKmsDriver::isKeyName(const QString &kmsKeyId)
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/:]+$)"));
    return pattern.match(kmsKeyId).hasMatch();
}

void GcpKmsDriver::clearTokenCache()
{
    tokenCache().clear();
}

Result<std::shared_ptr<KmsAead>> GcpKmsDriver::create(const KekRef &kek,
                                                      const KmsConfig &mergedConfig) const
{
    Result<Context> context = contextFor(kek, mergedConfig);
    if (!context)
        return context.error();
    return std::shared_ptr<KmsAead>(std::make_shared<GcpKmsAead>(std::move(*context)));
}

QFuture<Result<KmsKeyState>> GcpKmsDriver::keyState(const KekRef &kek,
                                                    const KmsConfig &mergedConfig) const
{
    Result<Context> context = contextFor(kek, mergedConfig);
    if (!context)
        return readyFuture(Result<KmsKeyState>(context.error()));
    const Context ctx = *context;
    return apiCall(ctx, "GET", ctx.keyName, {}, std::nullopt)
        .then([ctx](const Result<registry::Reply> &reply) -> Result<KmsKeyState> {
            if (!reply)
                return reply.error().code.startsWith(QLatin1String("kms."))
                           ? reply.error()
                           : transportError(reply.error());
            if (reply->httpStatus != 200)
                return mapError(ctx, *reply, QStringLiteral("read the state of"));
            return stateOf(reply->json.object());
        });
}

} // namespace kw::kms
