#include "core/kms/azurekms.h"

#include "core/domain/readyfuture.h"
#include "core/kms/gcpjwt.h"
#include "core/kms/kmshttp.h"
#include "core/kms/tokencache.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QUrl>

namespace kw::kms {

namespace {

Q_LOGGING_CATEGORY(lcAzureKms, "keywarden.kms.azure", QtInfoMsg)

const QString Service = QStringLiteral("Azure Key Vault");
constexpr QByteArrayView VersionPrefix{"azure:v1:"};

// Everything one call needs: as whom, where, which key.
struct Context
{
    QString tenant;
    QString clientId;
    QString clientSecret;
    QString credentialSource; // "the settings" or "AZURE_* environment variables"
    QString tokenUrl;
    QString kmsKeyId; // as the KEK names it
    AzureKmsDriver::KeyId key;
    KmsEndpoint vault;
    bool saveVersion = false;
    std::shared_ptr<KmsHttp> http;

    [[nodiscard]] QString keyLabel() const { return kmsKeyId; }
    [[nodiscard]] QString principal() const
    {
        return QStringLiteral("app %1 (tenant %2)").arg(clientId, tenant);
    }
};

TokenCache &tokenCache()
{
    static TokenCache cache;
    return cache;
}

QString cacheKey(const Context &context)
{
    return TokenCache::keyFor(context.tokenUrl, context.clientId, context.clientSecret.toUtf8());
}

Error notConfigured(const QString &message)
{
    return makeError(QString(ErrorNotConfigured), message);
}

QString base64Url(QByteArrayView bytes)
{
    return QString::fromLatin1(bytes.toByteArray().toBase64(QByteArray::Base64UrlEncoding |
                                                            QByteArray::OmitTrailingEquals));
}

Result<Context> contextFor(const QString &kmsKeyId, const KekRef &kek, const KmsConfig &config)
{
    const std::optional<AzureKmsDriver::KeyId> key = AzureKmsDriver::parseKeyId(kmsKeyId);
    if (!key)
        return makeError(QString(ErrorKeyNotFound),
                         QStringLiteral("KEK %1: \"%2\" is not a Key Vault key id; azure-kms key "
                                        "ids look like https://<vault>.vault.azure.net/keys/"
                                        "<name>[/<version>].")
                             .arg(kek.name, kmsKeyId));
    Context context;
    context.kmsKeyId = kmsKeyId;
    context.key = *key;
    const QString tenant = config.value(QString(AzureKmsDriver::TenantIdKey));
    const QString client = config.value(QString(AzureKmsDriver::ClientIdKey));
    const QString secret = config.value(QString(AzureKmsDriver::ClientSecretKey));
    if (!tenant.isEmpty() || !client.isEmpty() || !secret.isEmpty()) {
        context.tenant = tenant;
        context.clientId = client;
        context.clientSecret = secret;
        context.credentialSource = QStringLiteral("the azure-kms settings");
    } else {
        context.tenant = qEnvironmentVariable("AZURE_TENANT_ID");
        context.clientId = qEnvironmentVariable("AZURE_CLIENT_ID");
        context.clientSecret = qEnvironmentVariable("AZURE_CLIENT_SECRET");
        context.credentialSource =
            QStringLiteral("AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET");
    }
    QStringList missing;
    if (context.tenant.isEmpty())
        missing.append(QStringLiteral("tenant.id"));
    if (context.clientId.isEmpty())
        missing.append(QStringLiteral("client.id"));
    if (context.clientSecret.isEmpty())
        missing.append(QStringLiteral("client.secret"));
    if (!missing.isEmpty())
        return notConfigured(
            QStringLiteral("No Azure credentials for KEK %1: %2 missing from %3. Give "
                           "tenant.id, client.id and client.secret in the azure-kms settings "
                           "(or the KEK's kmsProps), or set AZURE_TENANT_ID, AZURE_CLIENT_ID "
                           "and AZURE_CLIENT_SECRET.")
                .arg(kek.name, missing.join(QStringLiteral(", ")), context.credentialSource));
    const QString authority = config.value(QString(AzureKmsDriver::AuthorityKey),
                                           QString(AzureKmsDriver::DefaultAuthority));
    context.tokenUrl = authority;
    while (context.tokenUrl.endsWith(QLatin1Char('/')))
        context.tokenUrl.chop(1);
    context.tokenUrl += QStringLiteral("/%1/oauth2/v2.0/token")
                            .arg(QString::fromLatin1(QUrl::toPercentEncoding(context.tenant)));
    if (!QUrl(context.tokenUrl).isValid() || QUrl(context.tokenUrl).host().isEmpty())
        return notConfigured(QStringLiteral("azure-kms %1 \"%2\" is not a URL.")
                                 .arg(QString(AzureKmsDriver::AuthorityKey), authority));
    QString vaultUrl = config.value(QString(AzureKmsDriver::VaultUrlKey));
    if (vaultUrl.isEmpty()) {
        context.vault.baseUrl = key->vault;
    } else {
        vaultUrl.replace(QStringLiteral("{vault}"),
                         key->vault.host().section(QLatin1Char('.'), 0, 0));
        context.vault.baseUrl = QUrl(vaultUrl);
        if (!context.vault.baseUrl.isValid() || context.vault.baseUrl.host().isEmpty())
            return notConfigured(QStringLiteral("azure-kms %1 \"%2\" is not a URL.")
                                     .arg(QString(AzureKmsDriver::VaultUrlKey), vaultUrl));
    }
    context.saveVersion = config.value(QString(AzureKmsDriver::VersionSaveKey))
                              .compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
    context.http = KmsHttp::shared();
    return context;
}

registry::RestRequest vaultRequest(QByteArray method, QStringList path)
{
    registry::RestRequest request = registry::RestRequest::make(std::move(method), path);
    request.registryHeaders = false;
    request.service = Service;
    request.answerEveryStatus = true;
    request.addQuery(QStringLiteral("api-version"), QString(AzureKmsDriver::ApiVersion));
    return request;
}

Error transportError(const Error &error, const QString &what)
{
    if (error.code.startsWith(QLatin1String("kms.")))
        return error;
    return makeError(QString(ErrorUnavailable),
                     QStringLiteral("%1 is unreachable: %2").arg(what, error.message));
}

QFuture<Result<QString>> accessToken(const Context &context)
{
    const QString key = cacheKey(context);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (const auto cached = tokenCache().find(key, now, AzureKmsDriver::TokenRenewMarginMs))
        return readyFuture(Result<QString>(*cached));
    qCDebug(lcAzureKms) << "requesting an access token for" << context.principal();
    registry::RestRequest request = registry::RestRequest::make("POST", {});
    request.registryHeaders = false;
    request.answerEveryStatus = true;
    request.service = QStringLiteral("Microsoft identity platform");
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.rawBody = QByteArray("grant_type=client_credentials&client_id=") +
                      QUrl::toPercentEncoding(context.clientId) + QByteArray("&client_secret=") +
                      QUrl::toPercentEncoding(context.clientSecret) + QByteArray("&scope=") +
                      QUrl::toPercentEncoding(QString(AzureKmsDriver::Scope));
    request.retrySafe = true;
    KmsEndpoint endpoint = context.vault;
    endpoint.baseUrl = QUrl(context.tokenUrl);
    const QString principal = context.principal();
    const QString source = context.credentialSource;
    return context.http->send(endpoint, std::move(request))
        .then(
            [key, principal, source, now](const Result<registry::Reply> &reply) -> Result<QString> {
                if (!reply)
                    return transportError(reply.error(),
                                          QStringLiteral("The Microsoft identity platform"));
                const QJsonObject body = reply->json.object();
                if (reply->httpStatus != 200) {
                    const QString description = body.value(QLatin1String("error_description"))
                                                    .toString()
                                                    .section(QLatin1Char('\r'), 0, 0)
                                                    .section(QLatin1Char('\n'), 0, 0);
                    return makeError(
                        QString(reply->httpStatus >= 500 ? ErrorUnavailable : ErrorAccessDenied),
                        QStringLiteral("Azure refused to sign in %1 with the client secret from %2 "
                                       "(%3: %4)")
                            .arg(principal, source, body.value(QLatin1String("error")).toString(),
                                 description));
                }
                const QString token = body.value(QLatin1String("access_token")).toString();
                const qint64 expiresIn =
                    body.value(QLatin1String("expires_in")).toVariant().toLongLong();
                if (token.isEmpty() || expiresIn <= 0)
                    return makeError(QString(ErrorBadReply),
                                     QStringLiteral("Azure's token endpoint answered without an "
                                                    "access token for %1.")
                                         .arg(principal));
                tokenCache().insert(key, token, now + expiresIn * 1000);
                return token;
            });
}

// One Key Vault call with a fresh or cached token.
QFuture<Result<registry::Reply>> vaultCall(const Context &context, QByteArray method,
                                           const QStringList &path,
                                           const std::optional<QJsonObject> &body)
{
    // A versionless key is GET keys/<name> (the transport sends no empty segment).
    QStringList segments = path;
    segments.removeAll(QString());
    registry::RestRequest request = vaultRequest(std::move(method), segments);
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
                               {"Content-Type", "application/json"},
                               {"Accept", "application/json"}};
            qCDebug(lcAzureKms) << request.method << request.path.join(QLatin1Char('/')) << "on"
                                << ctx.vault.baseUrl.host();
            return ctx.http->send(ctx.vault, std::move(request));
        })
        .unwrap();
}

QString vaultMessage(const registry::Reply &reply)
{
    const QString message = reply.json.object()
                                .value(QLatin1String("error"))
                                .toObject()
                                .value(QLatin1String("message"))
                                .toString();
    return message.isEmpty() ? QString::fromUtf8(reply.body.left(200)) : message;
}

QString innerCode(const registry::Reply &reply)
{
    // innererror can nest; the innermost code is the most specific.
    QJsonObject error = reply.json.object().value(QLatin1String("error")).toObject();
    QString code;
    while (error.contains(QLatin1String("innererror"))) {
        error = error.value(QLatin1String("innererror")).toObject();
        code = error.value(QLatin1String("code")).toString();
    }
    return code;
}

QString dateOf(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds).toUTC().toString(Qt::ISODate);
}

// Maps a Key Vault error reply to a KMS error a person can act on. A 404 needs a second look
// (is the key soft-deleted?), so this gives a future.
QFuture<Result<QByteArray>> mapError(const Context &context, const registry::Reply &reply,
                                     const QString &operation)
{
    const QString message = vaultMessage(reply);
    const QString inner = innerCode(reply);
    const QString key = context.keyLabel();
    auto fail = [](QLatin1String code, const QString &text) {
        return readyFuture(Result<QByteArray>(makeError(QString(code), text)));
    };
    switch (reply.httpStatus) {
    case 401:
        tokenCache().remove(cacheKey(context));
        return fail(ErrorAccessDenied,
                    QStringLiteral("Azure Key Vault rejected the access token of %1 to %2 with "
                                   "key %3: %4")
                        .arg(context.principal(), operation, key, message));
    case 403:
        if (inner == QLatin1String("KeyDisabled"))
            return fail(ErrorKeyDisabled,
                        QStringLiteral("Key %1 is disabled in Azure Key Vault, so it cannot %2 "
                                       "(%3) Enable the key (or the version) to use its DEKs.")
                            .arg(key, operation, message));
        if (inner == QLatin1String("KeyExpired") || message.contains(QLatin1String("expired")))
            return fail(ErrorKeyDisabled,
                        QStringLiteral("Key %1 is expired or not yet valid in Azure Key Vault, "
                                       "so it cannot %2 (%3)")
                            .arg(key, operation, message));
        return fail(ErrorAccessDenied,
                    QStringLiteral("%1 may not %2 with key %3: %4 Give it the Key Vault Crypto "
                                   "User role (or an access policy with keys get, encrypt and "
                                   "decrypt) on the vault.")
                        .arg(context.principal(), operation, key, message));
    case 404: {
        // A soft-deleted key answers 404 on /keys: ask /deletedkeys for the purge date.
        const Context ctx = context;
        return vaultCall(context, "GET", {QStringLiteral("deletedkeys"), context.key.name},
                         std::nullopt)
            .then([ctx, operation,
                   message](const Result<registry::Reply> &deleted) -> Result<QByteArray> {
                if (deleted && deleted->httpStatus == 200) {
                    const QJsonObject bundle = deleted->json.object();
                    const qint64 purge =
                        bundle.value(QLatin1String("scheduledPurgeDate")).toVariant().toLongLong();
                    const qint64 when =
                        bundle.value(QLatin1String("deletedDate")).toVariant().toLongLong();
                    return makeError(
                        QString(ErrorKeyPendingDeletion),
                        QStringLiteral("Key %1 was deleted from Azure Key Vault on %2 and will "
                                       "be purged on %3, so it cannot %4. Recover it in the "
                                       "vault before then to keep its DEKs.")
                            .arg(ctx.keyLabel(), dateOf(when), dateOf(purge), operation));
                }
                return makeError(QString(ErrorKeyNotFound),
                                 QStringLiteral("Azure Key Vault has no key %1 (%2)")
                                     .arg(ctx.keyLabel(), message));
            });
    }
    case 429:
        return fail(ErrorThrottled,
                    QStringLiteral("Azure Key Vault kept throttling the request to %1 with key "
                                   "%2 (%3); try again later.")
                        .arg(operation, key, message));
    default:
        break;
    }
    if (reply.httpStatus == 400 && operation == QLatin1String("unwrap"))
        return fail(ErrorBadCiphertext,
                    QStringLiteral("Azure Key Vault could not decrypt the DEK with key %1: %2 "
                                   "The DEK was wrapped by another key or version, or altered.")
                        .arg(key, message));
    if (reply.httpStatus >= 500)
        return fail(ErrorUnavailable, QStringLiteral("Azure Key Vault failed (HTTP %1): %2")
                                          .arg(reply.httpStatus)
                                          .arg(message));
    return fail(ErrorBadReply, QStringLiteral("Azure Key Vault refused to %1 with key %2 (HTTP "
                                              "%3): %4")
                                   .arg(operation, key)
                                   .arg(reply.httpStatus)
                                   .arg(message));
}

QString lastSegment(const QString &kid)
{
    return QUrl(kid).path().section(QLatin1Char('/'), -1);
}

// The version a versionless id stands for now: GET keys/<name>/ and the last segment of kid.
QFuture<Result<QString>> resolveVersion(const Context &context)
{
    if (!context.key.version.isEmpty())
        return readyFuture(Result<QString>(context.key.version));
    const Context ctx = context;
    return vaultCall(context, "GET", {QStringLiteral("keys"), context.key.name, QString()},
                     std::nullopt)
        .then([ctx](const Result<registry::Reply> &reply) -> QFuture<Result<QString>> {
            if (!reply)
                return readyFuture(Result<QString>(transportError(reply.error(), Service)));
            if (reply->httpStatus != 200)
                return mapError(ctx, *reply, QStringLiteral("read the current version of"))
                    .then([](const Result<QByteArray> &r) -> Result<QString> { return r.error(); });
            const QString version = lastSegment(reply->json.object()
                                                    .value(QLatin1String("key"))
                                                    .toObject()
                                                    .value(QLatin1String("kid"))
                                                    .toString());
            if (version.isEmpty())
                return readyFuture(Result<QString>(
                    makeError(QString(ErrorBadReply),
                              QStringLiteral("Azure Key Vault answered for %1 without a key id.")
                                  .arg(ctx.keyLabel()))));
            return readyFuture(Result<QString>(version));
        })
        .unwrap();
}

// encrypt or decrypt with one key version.
QFuture<Result<QByteArray>> keyOperation(const Context &context, const QString &version,
                                         bool encrypt, const QByteArray &input)
{
    const QString operation = encrypt ? QStringLiteral("wrap") : QStringLiteral("unwrap");
    const QJsonObject body{{QStringLiteral("alg"), QStringLiteral("RSA-OAEP-256")},
                           {QStringLiteral("value"), base64Url(input)}};
    const Context ctx = context;
    return vaultCall(context, "POST",
                     {QStringLiteral("keys"), context.key.name, version,
                      encrypt ? QStringLiteral("encrypt") : QStringLiteral("decrypt")},
                     body)
        .then([ctx, operation, version,
               encrypt](const Result<registry::Reply> &reply) -> QFuture<Result<QByteArray>> {
            if (!reply)
                return readyFuture(Result<QByteArray>(transportError(reply.error(), Service)));
            if (reply->httpStatus != 200)
                return mapError(ctx, *reply, operation);
            const QJsonObject out = reply->json.object();
            const std::optional<QByteArray> value =
                decodeAnyBase64(out.value(QLatin1String("value")).toString().toLatin1());
            if (!value || value->isEmpty())
                return readyFuture(Result<QByteArray>(makeError(
                    QString(ErrorBadReply),
                    QStringLiteral("Azure Key Vault answered the %1 with key %2 without a value.")
                        .arg(operation, ctx.keyLabel()))));
            QByteArray result = *value;
            if (encrypt && ctx.saveVersion)
                result = VersionPrefix.toByteArray() +
                         lastSegment(out.value(QLatin1String("kid")).toString()).toLatin1() + ':' +
                         result;
            return readyFuture(Result<QByteArray>(result));
        })
        .unwrap();
}

class AzureKmsAead final : public KmsAead, public std::enable_shared_from_this<AzureKmsAead>
{
public:
    explicit AzureKmsAead(QList<Context> targets)
        : m_targets(std::move(targets))
    {}

    QFuture<Result<QByteArray>> wrap(QByteArray plaintext) override
    {
        return attempt(0, true, plaintext, std::nullopt);
    }
    QFuture<Result<QByteArray>> unwrap(QByteArray ciphertext) override
    {
        return attempt(0, false, ciphertext, std::nullopt);
    }

private:
    static QFuture<Result<QByteArray>> once(const Context &context, bool encrypt,
                                            const QByteArray &input)
    {
        // "azure:v1:<version>:" + raw: the prefix names the version, whatever the id says.
        if (!encrypt && input.startsWith(VersionPrefix)) {
            const qsizetype colon = input.indexOf(':', VersionPrefix.size());
            const QString version =
                QString::fromLatin1(input.mid(VersionPrefix.size(), colon - VersionPrefix.size()));
            static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]{32}$"));
            if (colon < 0 || !hex.match(version).hasMatch())
                return readyFuture(Result<QByteArray>(makeError(
                    QString(ErrorBadCiphertext),
                    QStringLiteral("The DEK's \"azure:v1:\" prefix names no key version; it was "
                                   "not wrapped by key %1 as Confluent stores it.")
                        .arg(context.keyLabel()))));
            return keyOperation(context, version.toLower(), false, input.mid(colon + 1));
        }
        const Context ctx = context;
        return resolveVersion(context)
            .then([ctx, encrypt,
                   input](const Result<QString> &version) -> QFuture<Result<QByteArray>> {
                if (!version)
                    return readyFuture(Result<QByteArray>(version.error()));
                return keyOperation(ctx, *version, encrypt, input);
            })
            .unwrap();
    }

    // Tries m_targets[index..] in order (the KEK's key id, then the alternates), as
    // Confluent's clients do; all failing gives the first failure.
    QFuture<Result<QByteArray>> attempt(int index, bool encrypt, QByteArray input,
                                        std::optional<Error> first)
    {
        std::shared_ptr<AzureKmsAead> self = shared_from_this();
        return once(m_targets.at(index), encrypt, input)
            .then([self, index, encrypt, input,
                   first](Result<QByteArray> result) -> QFuture<Result<QByteArray>> {
                if (result || index + 1 >= self->m_targets.size()) {
                    if (!result && first)
                        return readyFuture(Result<QByteArray>(*first));
                    return readyFuture(std::move(result));
                }
                qCDebug(lcAzureKms)
                    << (encrypt ? "wrap" : "unwrap") << "failed with" << result.error().code
                    << "; trying alternate key id" << index + 1;
                return self->attempt(index + 1, encrypt, input,
                                     first ? first : std::optional<Error>(result.error()));
            })
            .unwrap();
    }

    QList<Context> m_targets;
};

KmsKeyState bundleState(const QJsonObject &bundle, qint64 nowMs)
{
    KmsKeyState state;
    const QString kid =
        bundle.value(QLatin1String("key")).toObject().value(QLatin1String("kid")).toString();
    state.keyName = kid.section(QLatin1Char('/'), 0, -2);
    state.currentVersion = lastSegment(kid);
    const QJsonObject attributes = bundle.value(QLatin1String("attributes")).toObject();
    const bool enabled = attributes.value(QLatin1String("enabled")).toBool(true);
    const qint64 exp = attributes.value(QLatin1String("exp")).toVariant().toLongLong();
    const qint64 nbf = attributes.value(QLatin1String("nbf")).toVariant().toLongLong();
    using Status = KmsKeyState::Status;
    if (!enabled) {
        state.status = Status::Disabled;
        state.providerState = QStringLiteral("Disabled");
    } else if (exp > 0 && exp * 1000 <= nowMs) {
        state.status = Status::Disabled;
        state.providerState = QStringLiteral("Expired");
        state.notes.append(QStringLiteral("The version expired on %1.").arg(dateOf(exp)));
    } else if (nbf > 0 && nbf * 1000 > nowMs) {
        state.status = Status::Disabled;
        state.providerState = QStringLiteral("NotYetValid");
        state.notes.append(QStringLiteral("The version is valid from %1.").arg(dateOf(nbf)));
    } else {
        state.status = Status::Enabled;
        state.providerState = QStringLiteral("Enabled");
        if (exp > 0)
            state.notes.append(QStringLiteral("The version expires on %1.").arg(dateOf(exp)));
    }
    state.lastRotationMs =
        attributes.value(QLatin1String("created")).toVariant().toLongLong() * 1000;
    const QString recovery = attributes.value(QLatin1String("recoveryLevel")).toString();
    if (!recovery.isEmpty())
        state.notes.append(QStringLiteral("Recovery level %1.").arg(recovery));
    return state;
}

void applyPolicy(KmsKeyState &state, const QJsonObject &policy, qint64 expMs)
{
    state.autoRotation = false;
    for (const QJsonValue &value : policy.value(QLatin1String("lifetimeActions")).toArray()) {
        const QJsonObject action = value.toObject();
        if (action.value(QLatin1String("action"))
                .toObject()
                .value(QLatin1String("type"))
                .toString()
                .compare(QLatin1String("rotate"), Qt::CaseInsensitive) != 0)
            continue;
        const QJsonObject trigger = action.value(QLatin1String("trigger")).toObject();
        const int afterCreate = AzureKmsDriver::durationDays(
            trigger.value(QLatin1String("timeAfterCreate")).toString());
        const int beforeExpiry = AzureKmsDriver::durationDays(
            trigger.value(QLatin1String("timeBeforeExpiry")).toString());
        state.autoRotation = true;
        if (afterCreate > 0) {
            state.rotationPeriodDays = afterCreate;
            if (state.lastRotationMs > 0)
                state.nextRotationMs = state.lastRotationMs + qint64(afterCreate) * 86400000;
        } else if (beforeExpiry > 0 && expMs > 0) {
            state.nextRotationMs = expMs - qint64(beforeExpiry) * 86400000;
        }
    }
    const QString expiry = policy.value(QLatin1String("attributes"))
                               .toObject()
                               .value(QLatin1String("expiryTime"))
                               .toString();
    if (!expiry.isEmpty())
        state.notes.append(QStringLiteral("New versions expire %1 after creation.").arg(expiry));
}

} // namespace

QString AzureKmsDriver::kmsType() const
{
    return QStringLiteral("azure-kms");
}

KmsDriverInfo AzureKmsDriver::info() const
{
    auto plain = [](QLatin1String key, const char *label, const char *help) {
        return KmsSetting{QString(key), QString::fromLatin1(label), false,
                          QString::fromLatin1(help)};
    };
    return {kmsType(),
            QStringLiteral("Azure Key Vault"),
            {plain(TenantIdKey, "Tenant id",
                   "Directory (tenant) of the app registration; else AZURE_TENANT_ID."),
             plain(ClientIdKey, "Client id",
                   "Application (client) id of the app registration; else AZURE_CLIENT_ID."),
             KmsSetting{QString(ClientSecretKey), QStringLiteral("Client secret"), true,
                        QStringLiteral("Secret of the app registration; without tenant.id, "
                                       "client.id and it, AZURE_CLIENT_SECRET.")},
             plain(AuthorityKey, "Authority URL (Keywarden)",
                   "Microsoft identity platform authority (default "
                   "https://login.microsoftonline.com); Confluent's clients do not read it."),
             plain(VaultUrlKey, "Vault URL (Keywarden)",
                   "Base URL of the vault instead of the key id's origin; {vault} stands for "
                   "the vault name. Confluent's clients do not read it.")},
            true};
}

std::optional<AzureKmsDriver::KeyId> AzureKmsDriver::parseKeyId(const QString &kmsKeyId)
{
    const QUrl url(kmsKeyId, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
        return std::nullopt;
    const QStringList path = url.path().split(QLatin1Char('/'), Qt::SkipEmptyParts);
    static const QRegularExpression name(QStringLiteral("^[0-9a-zA-Z-]+$"));
    static const QRegularExpression version(QStringLiteral("^[0-9a-zA-Z]+$"));
    if (path.size() < 2 || path.size() > 3 || path[0] != QLatin1String("keys") ||
        !name.match(path[1]).hasMatch() || (path.size() == 3 && !version.match(path[2]).hasMatch()))
        return std::nullopt;
    KeyId id;
    id.vault = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment);
    id.name = path[1];
    id.version = path.value(2);
    return id;
}

int AzureKmsDriver::durationDays(const QString &iso)
{
    static const QRegularExpression pattern(
        QStringLiteral(
            R"(^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$)"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = pattern.match(iso);
    if (!m.hasMatch() || iso.size() < 3)
        return 0;
    const double days = m.captured(1).toDouble() * 365 + m.captured(2).toDouble() * 30 +
                        m.captured(3).toDouble() * 7 + m.captured(4).toDouble() +
                        m.captured(5).toDouble() / 24 + m.captured(6).toDouble() / 1440;
    return int(days + 0.5);
}

void AzureKmsDriver::clearTokenCache()
{
    tokenCache().clear();
}

Result<std::shared_ptr<KmsAead>> AzureKmsDriver::create(const KekRef &kek,
                                                        const KmsConfig &mergedConfig) const
{
    // encrypt.alternate.kms.key.ids is KmsRegistry::aeadFor's, for every type.
    QList<Context> targets;
    const QStringList ids{kek.kmsKeyId};
    for (const QString &id : ids) {
        Result<Context> context = contextFor(id, kek, mergedConfig);
        if (!context)
            return context.error();
        targets.append(*context);
    }
    return std::shared_ptr<KmsAead>(std::make_shared<AzureKmsAead>(std::move(targets)));
}

QFuture<Result<KmsKeyState>> AzureKmsDriver::keyState(const KekRef &kek,
                                                      const KmsConfig &mergedConfig) const
{
    Result<Context> context = contextFor(kek.kmsKeyId, kek, mergedConfig);
    if (!context)
        return readyFuture(Result<KmsKeyState>(context.error()));
    const Context ctx = *context;
    const QString readState = QStringLiteral("read the state of");
    auto toState = [](const Result<QByteArray> &r) -> Result<KmsKeyState> {
        return r.error();
    };
    // The KEK's version (or the current one), then the current version when the KEK names
    // another, then the rotation policy.
    return vaultCall(ctx, "GET", {QStringLiteral("keys"), ctx.key.name, ctx.key.version},
                     std::nullopt)
        .then([ctx, readState,
               toState](const Result<registry::Reply> &reply) -> QFuture<Result<KmsKeyState>> {
            if (!reply)
                return readyFuture(Result<KmsKeyState>(transportError(reply.error(), Service)));
            if (reply->httpStatus == 404) {
                // Soft-deleted: pending deletion with the purge date.
                return vaultCall(ctx, "GET", {QStringLiteral("deletedkeys"), ctx.key.name},
                                 std::nullopt)
                    .then([ctx, message = vaultMessage(*reply)](
                              const Result<registry::Reply> &deleted) -> Result<KmsKeyState> {
                        if (!deleted || deleted->httpStatus != 200)
                            return makeError(QString(ErrorKeyNotFound),
                                             QStringLiteral("Azure Key Vault has no key %1 (%2)")
                                                 .arg(ctx.keyLabel(), message));
                        const QJsonObject bundle = deleted->json.object();
                        KmsKeyState state =
                            bundleState(bundle, QDateTime::currentMSecsSinceEpoch());
                        state.status = KmsKeyState::Status::PendingDeletion;
                        state.providerState = QStringLiteral("Deleted");
                        state.deletionMs = bundle.value(QLatin1String("scheduledPurgeDate"))
                                               .toVariant()
                                               .toLongLong() *
                                           1000;
                        state.notes.prepend(
                            QStringLiteral("Deleted on %1; recoverable until the purge.")
                                .arg(dateOf(bundle.value(QLatin1String("deletedDate"))
                                                .toVariant()
                                                .toLongLong())));
                        return state;
                    });
            }
            if (reply->httpStatus != 200)
                return mapError(ctx, *reply, readState).then(toState);
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            KmsKeyState state = bundleState(reply->json.object(), now);
            state.keyName = ctx.keyLabel();
            const qint64 expMs = reply->json.object()
                                     .value(QLatin1String("attributes"))
                                     .toObject()
                                     .value(QLatin1String("exp"))
                                     .toVariant()
                                     .toLongLong() *
                                 1000;
            auto current = ctx.key.version.isEmpty()
                               ? readyFuture(Result<QString>(state.currentVersion))
                               : resolveVersion([&] {
                                     Context versionless = ctx;
                                     versionless.key.version.clear();
                                     return versionless;
                                 }());
            return current
                .then([ctx, state, expMs](
                          const Result<QString> &version) mutable -> QFuture<Result<KmsKeyState>> {
                    if (version) {
                        if (*version != state.currentVersion)
                            state.notes.append(
                                QStringLiteral("The KEK names version %1; the key's current "
                                               "version is %2.")
                                    .arg(state.currentVersion, *version));
                        state.currentVersion = *version;
                    }
                    return vaultCall(ctx, "GET",
                                     {QStringLiteral("keys"), ctx.key.name,
                                      QStringLiteral("rotationpolicy")},
                                     std::nullopt)
                        .then([ctx, state, expMs](const Result<registry::Reply> &policy) mutable
                              -> Result<KmsKeyState> {
                            // ctx (captured) keeps the shared HTTP layer alive until here.
                            if (policy && policy->httpStatus == 200)
                                applyPolicy(state, policy->json.object(), expMs);
                            else
                                state.notes.append(
                                    QStringLiteral("The rotation policy could not be read (keys "
                                                   "getrotationpolicy permission)."));
                            return state;
                        });
                })
                .unwrap();
        })
        .unwrap();
}

} // namespace kw::kms
