#include "core/kms/hcvault.h"

#include "core/domain/clock.h"
#include "core/domain/readyfuture.h"
#include "core/kms/kmshttp.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QMutexLocker>

#include <limits>

Q_LOGGING_CATEGORY(lcHcVault, "keywarden.kms.hcvault")

namespace kw::kms {

namespace {

constexpr auto Service = "HashiCorp Vault";

// Everything one call needs: where, as whom, which key.
struct VaultTarget
{
    QString keyId;
    VaultKeyId id;
    QUrl address; // the key id's, or keywarden.vault.address
    QString ns;
    QString token;
    QString roleId;
    QString secretId;
    QString credentialSource; // "token.id", "VAULT_TOKEN", "AppRole role id '...'"

    [[nodiscard]] bool useAppRole() const { return !roleId.isEmpty() && !secretId.isEmpty(); }
    [[nodiscard]] QString keyLabel() const
    {
        QString label = QStringLiteral("'%1/keys/%2' at %3")
                            .arg(id.mount, id.name, address.toString(QUrl::RemoveUserInfo));
        if (!ns.isEmpty())
            label += QStringLiteral(" (namespace '%1')").arg(ns);
        return label;
    }
};

QString settingOrEnv(const KmsConfig &config, const char *key, const char *env, QString *source)
{
    const QString value = config.value(QString::fromLatin1(key));
    if (!value.isEmpty()) {
        if (source)
            *source = QString::fromLatin1(key);
        return value;
    }
    const QString fromEnv = qEnvironmentVariable(env);
    if (!fromEnv.isEmpty() && source)
        *source = QString::fromLatin1(env);
    return fromEnv;
}

Result<VaultTarget> resolveTarget(const QString &keyId, const KmsConfig &config)
{
    auto id = parseVaultKeyId(keyId);
    if (!id)
        return id.error();
    VaultTarget t;
    t.keyId = keyId;
    t.id = *id;
    t.address = id->address;
    const QString override = config.value(QString::fromLatin1(HcVaultDriver::AddressKey)).trimmed();
    if (!override.isEmpty()) {
        const QUrl url(override);
        if (!url.isValid() || url.host().isEmpty() ||
            (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
            return makeError(QString(ErrorNotConfigured),
                             QStringLiteral("%1 '%2' is not an http(s) address.")
                                 .arg(QString::fromLatin1(HcVaultDriver::AddressKey), override));
        t.address = url;
    }
    QString tokenSource, roleSource;
    t.ns = settingOrEnv(config, HcVaultDriver::NamespaceKey, "VAULT_NAMESPACE", nullptr);
    t.token = settingOrEnv(config, HcVaultDriver::TokenKey, "VAULT_TOKEN", &tokenSource);
    t.roleId = settingOrEnv(config, HcVaultDriver::RoleIdKey, "VAULT_APPROLE_ROLE_ID", &roleSource);
    t.secretId =
        settingOrEnv(config, HcVaultDriver::SecretIdKey, "VAULT_APPROLE_SECRET_ID", nullptr);
    if (t.useAppRole())
        t.credentialSource = QStringLiteral("the AppRole login of role id '%1'").arg(t.roleId);
    else if (!t.token.isEmpty())
        t.credentialSource = QStringLiteral("the token from %1").arg(tokenSource);
    else
        return makeError(
            QString(ErrorNotConfigured),
            QStringLiteral("No Vault credentials for key %1: set token.id (or VAULT_TOKEN), or "
                           "approle.role.id and approle.secret.id (or VAULT_APPROLE_ROLE_ID and "
                           "VAULT_APPROLE_SECRET_ID).")
                .arg(t.keyLabel()));
    return t;
}

KmsEndpoint endpointFor(const QUrl &address)
{
    KmsEndpoint e;
    e.baseUrl = address;
    return e;
}

QStringList errorsOf(const registry::Reply &reply)
{
    QStringList out;
    for (const QJsonValue &v : reply.json.object().value(QStringLiteral("errors")).toArray())
        out.append(v.toString());
    return out;
}

// A Vault error reply as a Keywarden error a person can act on. `what`: "encrypt", ...
Error mapError(const registry::Reply &reply, const VaultTarget &t, const QString &what)
{
    const QStringList errors = errorsOf(reply);
    const QString text =
        errors.isEmpty() ? QStringLiteral("no details") : errors.join(QStringLiteral("; "));
    const int status = reply.httpStatus;
    const QString key = t.keyLabel();
    if (status == 401 || status == 403)
        return makeError(QString(ErrorAccessDenied),
                         QStringLiteral("Vault denied %1 with key %2 to %3: %4. The token may be "
                                        "expired or revoked, or its policy lacks 'update' on "
                                        "%5/%1/%6 (and 'read' on %5/keys/%6).")
                             .arg(what, key, t.credentialSource, text, t.id.mount, t.id.name));
    if (status == 429)
        return makeError(QString(ErrorThrottled),
                         QStringLiteral("Vault kept refusing %1 with key %2 for its rate limit "
                                        "(HTTP 429: %3) after the retries; try again later or "
                                        "raise the rate-limit quota.")
                             .arg(what, key, text));
    if (status == 404 || text.contains(QLatin1String("encryption key not found")))
        return makeError(QString(ErrorKeyNotFound),
                         text.contains(QLatin1String("no handler for route"))
                             ? QStringLiteral("Vault has no transit mount '%1' for key %2 (%3). "
                                              "Check the KEK's key id and the namespace.")
                                   .arg(t.id.mount, key, text)
                             : QStringLiteral("Vault has no transit key %1. Check the KEK's key id "
                                              "and the namespace, or create the key.")
                                   .arg(key));
    if (text.contains(QLatin1String("disallowed by policy")))
        return makeError(QString(ErrorKeyDisabled),
                         QStringLiteral("Vault refuses to decrypt with key %1: the DEK was wrapped "
                                        "with a key version below the key's "
                                        "min_decryption_version (%2). Lower it with POST "
                                        "%3/keys/%4/config to unwrap again.")
                             .arg(key, text, t.id.mount, t.id.name));
    if (status == 400 && (text.contains(QLatin1String("authentication failed")) ||
                          text.contains(QLatin1String("invalid ciphertext")) ||
                          text.contains(QLatin1String("invalid key version"))))
        return makeError(QString(ErrorBadCiphertext),
                         QStringLiteral("Vault could not decrypt the wrapped DEK with key %1: %2. "
                                        "It was wrapped by another key or altered.")
                             .arg(key, text));
    if (status >= 500)
        return makeError(
            QString(ErrorUnavailable),
            QStringLiteral("Vault at %1 cannot %2 (HTTP %3: %4)%5.")
                .arg(t.address.toString(QUrl::RemoveUserInfo), what)
                .arg(status)
                .arg(text, status == 503 ? QStringLiteral("; it may be sealed") : QString()));
    return makeError(QString(ErrorBadReply),
                     QStringLiteral("Vault refused %1 with key %2 (HTTP %3: %4).")
                         .arg(what, key)
                         .arg(status)
                         .arg(text));
}

Error transportError(const Error &error, const VaultTarget &t, const QString &what)
{
    // Cancellation, and the driver's own errors (a failed AppRole login), pass as they are.
    if (error.code == QLatin1String("registry.cancelled") ||
        error.code.startsWith(QLatin1String("kms.")))
        return error;
    return makeError(QString(ErrorUnavailable),
                     QStringLiteral("Cannot reach Vault at %1 to %2 with key '%3/keys/%4': %5")
                         .arg(t.address.toString(QUrl::RemoveUserInfo), what, t.id.mount, t.id.name,
                              error.message));
}

QList<QPair<QByteArray, QByteArray>> vaultHeaders(const VaultTarget &t, const QString &token)
{
    QList<QPair<QByteArray, QByteArray>> headers{{"Content-Type", "application/json"}};
    if (!token.isEmpty())
        headers.append({"X-Vault-Token", token.toUtf8()});
    if (!t.ns.isEmpty())
        headers.append({"X-Vault-Namespace", t.ns.toUtf8()});
    return headers;
}

QStringList routePath(const VaultTarget &t, const char *op)
{
    QStringList path{QStringLiteral("v1")};
    path += t.id.mount.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    path << QString::fromLatin1(op) << t.id.name;
    return path;
}

} // namespace

struct HcVaultDriver::Shared : std::enable_shared_from_this<HcVaultDriver::Shared>
{
    const Clock *clock = &Clock::system();
    std::shared_ptr<KmsHttp> httpInstance; // taken on the first call: no thread until then

    std::shared_ptr<KmsHttp> http()
    {
        QMutexLocker lock(&mutex);
        if (!httpInstance)
            httpInstance = KmsHttp::shared();
        return httpInstance;
    }

    struct CachedToken
    {
        QString token;
        qint64 renewAtMs = 0;
    };
    QMutex mutex;
    QHash<QString, CachedToken> tokens; // address|namespace|role id|secret id -> token

    static QString cacheKey(const VaultTarget &t)
    {
        return t.address.toString() + QLatin1Char('\n') + t.ns + QLatin1Char('\n') + t.roleId +
               QLatin1Char('\n') + t.secretId;
    }

    // The token to send: token.id, or a (cached) AppRole login's.
    QFuture<Result<QString>> token(const VaultTarget &t)
    {
        if (!t.useAppRole())
            return kw::readyFuture(Result<QString>(t.token));
        const QString key = cacheKey(t);
        {
            QMutexLocker lock(&mutex);
            const auto it = tokens.constFind(key);
            if (it != tokens.cend() && clock->nowMs() < it->renewAtMs)
                return kw::readyFuture(Result<QString>(it->token));
        }
        registry::RestRequest request = registry::RestRequest::make(
            "POST", {QStringLiteral("v1"), QStringLiteral("auth"), QStringLiteral("approle"),
                     QStringLiteral("login")});
        request.service = QString::fromLatin1(Service);
        request.registryHeaders = false;
        request.answerEveryStatus = true;
        request.retrySafe = true;
        request.headers = vaultHeaders(t, QString());
        request.rawBody = QJsonDocument(QJsonObject{{QStringLiteral("role_id"), t.roleId},
                                                    {QStringLiteral("secret_id"), t.secretId}})
                              .toJson(QJsonDocument::Compact);
        qCDebug(lcHcVault) << "AppRole login at" << t.address.toString(QUrl::RemoveUserInfo)
                           << "role id" << t.roleId;
        return http()
            ->send(endpointFor(t.address), std::move(request))
            .then([self = shared_from_this(), t,
                   key](Result<registry::Reply> reply) -> Result<QString> {
                if (!reply)
                    return transportError(reply.error(), t, QStringLiteral("log in"));
                if (reply->httpStatus != 200) {
                    const QString text = errorsOf(*reply).join(QStringLiteral("; "));
                    return makeError(QString(ErrorAccessDenied),
                                     QStringLiteral("Vault refused the AppRole login of role id "
                                                    "'%1' at %2 (HTTP %3: %4). Check "
                                                    "approle.role.id and approle.secret.id (or "
                                                    "VAULT_APPROLE_*) and the namespace.")
                                         .arg(t.roleId, t.address.toString(QUrl::RemoveUserInfo))
                                         .arg(reply->httpStatus)
                                         .arg(text));
                }
                const QJsonObject auth =
                    reply->json.object().value(QStringLiteral("auth")).toObject();
                const QString token = auth.value(QStringLiteral("client_token")).toString();
                if (token.isEmpty())
                    return makeError(QString(ErrorBadReply),
                                     QStringLiteral("Vault's AppRole login at %1 gave no token.")
                                         .arg(t.address.toString(QUrl::RemoveUserInfo)));
                const qint64 leaseSec =
                    qint64(auth.value(QStringLiteral("lease_duration")).toDouble());
                // Renew a minute (or a tenth of the lease, if shorter) before the lease ends;
                // a lease of 0 never ends.
                const qint64 leaseMs = leaseSec * 1000;
                const qint64 renewAt = leaseSec <= 0 ? std::numeric_limits<qint64>::max()
                                                     : self->clock->nowMs() + leaseMs -
                                                           std::min<qint64>(60000, leaseMs / 10);
                {
                    QMutexLocker lock(&self->mutex);
                    self->tokens.insert(key, {token, renewAt});
                }
                qCDebug(lcHcVault) << "AppRole login done, lease" << leaseSec << "s";
                return token;
            });
    }

    // One transit call: encrypt/decrypt (POST with `body`) or a key read (GET, no body).
    QFuture<Result<registry::Reply>> call(const VaultTarget &t, QByteArray method, const char *op,
                                          std::optional<QJsonObject> body)
    {
        auto self = shared_from_this();
        return token(t)
            .then([self, t, method, op,
                   body](Result<QString> token) -> QFuture<Result<registry::Reply>> {
                if (!token)
                    return kw::readyFuture(Result<registry::Reply>(token.error()));
                registry::RestRequest request =
                    registry::RestRequest::make(method, routePath(t, op));
                request.service = QString::fromLatin1(Service);
                request.registryHeaders = false;
                request.answerEveryStatus = true;
                request.retrySafe = true;
                request.headers = vaultHeaders(t, *token);
                if (body)
                    request.rawBody = QJsonDocument(*body).toJson(QJsonDocument::Compact);
                qCDebug(lcHcVault) << method << op << t.id.mount << t.id.name << "at"
                                   << t.address.toString(QUrl::RemoveUserInfo);
                return self->http()->send(endpointFor(t.address), std::move(request));
            })
            .unwrap();
    }
};

namespace {

class HcVaultAead final : public KmsAead
{
public:
    HcVaultAead(std::shared_ptr<HcVaultDriver::Shared> shared, QList<VaultTarget> targets)
        : m_shared(std::move(shared))
        , m_targets(std::move(targets))
    {}

    QFuture<Result<QByteArray>> wrap(QByteArray plaintext) override
    {
        return attempt(0, true, std::move(plaintext), std::nullopt);
    }

    QFuture<Result<QByteArray>> unwrap(QByteArray ciphertext) override
    {
        return attempt(0, false, std::move(ciphertext), std::nullopt);
    }

private:
    // Tries m_targets[index..] in order (the KEK's key id, then the alternates), as
    // Confluent's clients do; all failing gives the first failure.
    QFuture<Result<QByteArray>> attempt(int index, bool encrypt, QByteArray input,
                                        std::optional<Error> first)
    {
        const VaultTarget &t = m_targets.at(index);
        const QString what = encrypt ? QStringLiteral("encrypt") : QStringLiteral("decrypt");
        QJsonObject body;
        if (encrypt)
            body.insert(QStringLiteral("plaintext"), QString::fromLatin1(input.toBase64()));
        else
            body.insert(QStringLiteral("ciphertext"), QString::fromUtf8(input));
        std::shared_ptr<HcVaultAead> self = m_self.lock();
        return m_shared->call(t, "POST", encrypt ? "encrypt" : "decrypt", body)
            .then([self, index, encrypt, input, first, t,
                   what](Result<registry::Reply> reply) -> QFuture<Result<QByteArray>> {
                Result<QByteArray> result = decode(reply, t, what, encrypt);
                if (result || index + 1 >= self->m_targets.size()) {
                    if (!result && first)
                        return kw::readyFuture(Result<QByteArray>(*first));
                    return kw::readyFuture(std::move(result));
                }
                qCDebug(lcHcVault) << what << "failed with" << result.error().code
                                   << "; trying alternate key id" << index + 1;
                return self->attempt(index + 1, encrypt, input,
                                     first ? first : std::optional<Error>(result.error()));
            })
            .unwrap();
    }

    static Result<QByteArray> decode(const Result<registry::Reply> &reply, const VaultTarget &t,
                                     const QString &what, bool encrypt)
    {
        if (!reply)
            return transportError(reply.error(), t, what);
        if (reply->httpStatus != 200)
            return mapError(*reply, t, what);
        const QJsonObject data = reply->json.object().value(QStringLiteral("data")).toObject();
        if (encrypt) {
            const QString ciphertext = data.value(QStringLiteral("ciphertext")).toString();
            if (!ciphertext.startsWith(QLatin1String("vault:")))
                return makeError(QString(ErrorBadReply),
                                 QStringLiteral("Vault's encrypt with key %1 gave no ciphertext.")
                                     .arg(t.keyLabel()));
            return ciphertext.toUtf8(); // Confluent stores the text's UTF-8 bytes
        }
        auto plain = QByteArray::fromBase64Encoding(
            data.value(QStringLiteral("plaintext")).toString().toLatin1(),
            QByteArray::AbortOnBase64DecodingErrors);
        if (!plain)
            return makeError(QString(ErrorBadReply),
                             QStringLiteral("Vault's decrypt with key %1 gave no base64 plaintext.")
                                 .arg(t.keyLabel()));
        return *plain;
    }

public:
    std::weak_ptr<HcVaultAead> m_self; // set by create(); continuations keep the AEAD alive

private:
    std::shared_ptr<HcVaultDriver::Shared> m_shared;
    QList<VaultTarget> m_targets;
};

} // namespace

Result<VaultKeyId> parseVaultKeyId(const QString &keyId)
{
    QString text = keyId.trimmed();
    if (text.startsWith(QLatin1String("hcvault://")))
        text = text.mid(10);
    if (!text.contains(QLatin1String("://")))
        text.prepend(QLatin1String("https://"));
    const QUrl url(text);
    const QStringList segments = url.path().split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (!url.isValid() || url.host().isEmpty() || segments.size() < 3 ||
        segments.at(segments.size() - 2) != QLatin1String("keys"))
        return makeError(QString(ErrorNotConfigured),
                         QStringLiteral("'%1' is not a Vault transit key id: expected "
                                        "https://host[:port]/<mount>/keys/<name>.")
                             .arg(keyId));
    VaultKeyId id;
    id.address = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment |
                              QUrl::RemoveUserInfo);
    id.mount = segments.mid(0, segments.size() - 2).join(QLatin1Char('/'));
    id.name = segments.last();
    return id;
}

HcVaultDriver::HcVaultDriver(const Clock &clock)
    : m_shared(std::make_shared<Shared>())
{
    m_shared->clock = &clock;
}

HcVaultDriver::~HcVaultDriver() = default;

QString HcVaultDriver::kmsType() const
{
    return QString::fromLatin1(Type);
}

KmsDriverInfo HcVaultDriver::info() const
{
    const auto plain = [](const char *key, const char *label, const char *help) {
        return KmsSetting{QString::fromLatin1(key), QString::fromLatin1(label), false,
                          QString::fromLatin1(help)};
    };
    const auto secret = [](const char *key, const char *label, const char *help) {
        return KmsSetting{QString::fromLatin1(key), QString::fromLatin1(label), true,
                          QString::fromLatin1(help)};
    };
    return {kmsType(),
            QStringLiteral("HashiCorp Vault transit"),
            {secret(TokenKey, "Token", "Vault token (VAULT_TOKEN)."),
             plain(NamespaceKey, "Namespace",
                   "Enterprise namespace, sent as a header (VAULT_NAMESPACE)."),
             plain(RoleIdKey, "AppRole role id",
                   "Role id for an AppRole login (VAULT_APPROLE_ROLE_ID); with the secret id it "
                   "is used instead of the token."),
             secret(SecretIdKey, "AppRole secret id",
                    "Secret id for an AppRole login (VAULT_APPROLE_SECRET_ID)."),
             plain(AddressKey, "Vault address (Keywarden only)",
                   "Replaces the key id's https://host:port, e.g. a proxy or a test Vault; "
                   "Confluent's clients always use the key id's.")},
            true};
}

Result<std::shared_ptr<KmsAead>> HcVaultDriver::create(const KekRef &kek,
                                                       const KmsConfig &mergedConfig) const
{
    // encrypt.alternate.kms.key.ids is KmsRegistry::aeadFor's, for every type.
    const QStringList ids{kek.kmsKeyId};
    QList<VaultTarget> targets;
    for (const QString &id : ids) {
        auto target = resolveTarget(id, mergedConfig);
        if (!target)
            return makeError(target.error().code,
                             QStringLiteral("KEK '%1': %2").arg(kek.name, target.error().message));
        targets.append(*target);
    }
    auto aead = std::make_shared<HcVaultAead>(m_shared, std::move(targets));
    aead->m_self = aead;
    return std::shared_ptr<KmsAead>(aead);
}

QFuture<Result<KmsKeyState>> HcVaultDriver::keyState(const KekRef &kek,
                                                     const KmsConfig &mergedConfig) const
{
    auto target = resolveTarget(kek.kmsKeyId, mergedConfig);
    if (!target)
        return kw::readyFuture(Result<KmsKeyState>(
            makeError(target.error().code,
                      QStringLiteral("KEK '%1': %2").arg(kek.name, target.error().message))));
    const VaultTarget t = *target;
    return m_shared->call(t, "GET", "keys", std::nullopt)
        .then([t](Result<registry::Reply> reply) -> Result<KmsKeyState> {
            const QString what = QStringLiteral("read the key");
            if (!reply)
                return transportError(reply.error(), t, what);
            KmsKeyState state;
            state.keyName = t.keyId;
            if (reply->httpStatus == 404) {
                state.status = KmsKeyState::Status::Destroyed;
                state.providerState = QStringLiteral("not found");
                state.notes.append(
                    QStringLiteral("Vault has no key %1 (deleted, or never made); whatever it "
                                   "wrapped cannot be unwrapped.")
                        .arg(t.keyLabel()));
                return state;
            }
            if (reply->httpStatus != 200)
                return mapError(*reply, t, what);
            const QJsonObject data = reply->json.object().value(QStringLiteral("data")).toObject();
            const int latest = data.value(QStringLiteral("latest_version")).toInt();
            const int minDecrypt = data.value(QStringLiteral("min_decryption_version")).toInt();
            const int minAvailable = data.value(QStringLiteral("min_available_version")).toInt();
            const qint64 period =
                qint64(data.value(QStringLiteral("auto_rotate_period")).toDouble());
            const QJsonObject keys = data.value(QStringLiteral("keys")).toObject();
            state.status = KmsKeyState::Status::Enabled;
            state.providerState = QStringLiteral("readable");
            state.currentVersion = QString::number(latest);
            state.autoRotation = period > 0;
            state.rotationPeriodDays = int((period + 43200) / 86400);
            const qint64 latestSec = qint64(keys.value(QString::number(latest)).toDouble());
            if (latest > 1 && latestSec > 0)
                state.lastRotationMs = latestSec * 1000;
            if (period > 0 && latestSec > 0) {
                state.nextRotationMs = (latestSec + period) * 1000;
                state.notes.append(QStringLiteral("The next rotation is an estimate: the latest "
                                                  "version's creation plus auto_rotate_period."));
            }
            if (minDecrypt > 1) {
                state.providerState = QStringLiteral("min_decryption_version %1").arg(minDecrypt);
                state.notes.append(
                    QStringLiteral("Versions 1 to %1 cannot decrypt (min_decryption_version is "
                                   "%2): DEKs wrapped with them cannot be unwrapped until it is "
                                   "lowered.")
                        .arg(minDecrypt - 1)
                        .arg(minDecrypt));
            }
            if (minAvailable > 1)
                state.notes.append(QStringLiteral("Versions below %1 were trimmed: their key "
                                                  "material is gone.")
                                       .arg(minAvailable));
            if (data.value(QStringLiteral("deletion_allowed")).toBool())
                state.notes.append(QStringLiteral("deletion_allowed is true: anyone with the "
                                                  "policy can delete the key at once."));
            if (t.id.mount.contains(QLatin1Char('/')))
                state.notes.append(QStringLiteral("The mount '%1' has more than one segment: "
                                                  "Confluent's Java and JavaScript clients "
                                                  "cannot use this key id.")
                                       .arg(t.id.mount));
            else if (t.id.mount != QLatin1String("transit"))
                state.notes.append(QStringLiteral("The mount is '%1': Confluent's JavaScript "
                                                  "client always uses 'transit'.")
                                       .arg(t.id.mount));
            return state;
        });
}

} // namespace kw::kms
