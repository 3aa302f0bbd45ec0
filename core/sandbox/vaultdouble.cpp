#include "core/sandbox/vaultdouble.h"

#include "core/crypto/crypto.h"
#include "core/domain/readyfuture.h"
#include "core/kms/hcvault.h"

#include <QJsonDocument>
#include <QJsonValue>
#include <QMap>
#include <QMutexLocker>
#include <QSet>
#include <QUuid>

namespace kw::sandbox {

namespace {

struct VaultKey
{
    QList<crypto::SecureBytes> versions; // version v is versions[v - 1]
    QList<qint64> createdSec;
    int minDecryptionVersion = 1;
    int minEncryptionVersion = 0;
    bool deletionAllowed = false;
    qint64 autoRotatePeriodSec = 0;
};

QString normaliseNamespace(QString ns)
{
    while (ns.startsWith(QLatin1Char('/')))
        ns.remove(0, 1);
    while (ns.endsWith(QLatin1Char('/')))
        ns.chop(1);
    return ns;
}

QString keyPath(const QString &ns, const QString &mount, const QString &name)
{
    return normaliseNamespace(ns) + QLatin1Char('|') + mount + QLatin1Char('|') + name;
}

HttpReply vaultErrors(int status, const QStringList &errors)
{
    QJsonObject body{{QStringLiteral("errors"), QJsonArray::fromStringList(errors)}};
    HttpReply reply;
    reply.status = status;
    reply.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    reply.contentType = "application/json";
    return reply;
}

HttpReply vaultError(int status, const QString &error)
{
    return vaultErrors(status, {error});
}

HttpReply vaultData(const QJsonObject &data, const QJsonValue &auth = QJsonValue::Null)
{
    QJsonObject body{
        {QStringLiteral("request_id"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {QStringLiteral("lease_id"), QString()},
        {QStringLiteral("renewable"), false},
        {QStringLiteral("lease_duration"), 0},
        {QStringLiteral("data"), data.isEmpty() ? QJsonValue(QJsonValue::Null) : data},
        {QStringLiteral("wrap_info"), QJsonValue::Null},
        {QStringLiteral("warnings"), QJsonValue::Null},
        {QStringLiteral("auth"), auth},
    };
    HttpReply reply;
    reply.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    reply.contentType = "application/json";
    return reply;
}

std::optional<QByteArray> strictBase64(const QString &text)
{
    auto decoded =
        QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

} // namespace

struct VaultDouble::State
{
    explicit State(const Clock &c)
        : clock(&c)
    {}

    mutable QMutex mutex;
    const Clock *clock;
    QMap<QString, VaultKey> keys; // keyPath() -> key
    QSet<QString> mounts;         // namespace|mount
    QMap<QString, qint64> tokens; // token -> expiry (epoch ms, 0 = never)
    QString roleId = QString::fromLatin1(VaultDouble::RoleId);
    QString secretId = QString::fromLatin1(VaultDouble::SecretId);
    qint64 appRoleTtlSec = 3600;
    int throttle = 0;
    int logins = 0;
    int transitCalls = 0;
    quint64 issued = 0;

    qint64 nowSec() const { return clock->nowMs() / 1000; }

    void addKeyLocked(const QString &ns, const QString &mount, const QString &name, int versions)
    {
        VaultKey key;
        for (int v = 0; v < std::max(1, versions); ++v) {
            key.versions.append(crypto::randomBytes(32));
            key.createdSec.append(nowSec());
        }
        keys.insert(keyPath(ns, mount, name), key);
        mounts.insert(normaliseNamespace(ns) + QLatin1Char('|') + mount);
    }

    VaultKey *findLocked(const QString &ns, const QString &mount, const QString &name)
    {
        auto it = keys.find(keyPath(ns, mount, name));
        return it == keys.end() ? nullptr : &it.value();
    }

    // version 0: the latest (or min_encryption_version when above it).
    Result<QByteArray> encryptLocked(VaultKey &key, const QByteArray &plaintext, int version)
    {
        const int latest = int(key.versions.size());
        if (version == 0)
            version = latest;
        if (version < 1 || version > latest)
            return makeError(QStringLiteral("vault.400"), QStringLiteral("invalid key version"));
        if (key.minEncryptionVersion > 0 && version < key.minEncryptionVersion)
            return makeError(QStringLiteral("vault.400"),
                             QStringLiteral("requested version for encryption is less than the "
                                            "minimum encryption key version"));
        auto sealed = crypto::aesGcmEncrypt(key.versions.at(version - 1), plaintext);
        if (!sealed)
            return sealed.error();
        return QByteArray(QByteArray("vault:v") + QByteArray::number(version) + ':' + sealed->toBase64());
    }

    Result<QByteArray> decryptLocked(const VaultKey &key, const QString &ciphertext)
    {
        const auto bad = [](const char *text) {
            return makeError(QStringLiteral("vault.400"), QString::fromLatin1(text));
        };
        if (!ciphertext.startsWith(QLatin1String("vault:")))
            return bad("invalid ciphertext: no prefix");
        const QStringList parts = ciphertext.split(QLatin1Char(':'));
        if (parts.size() != 3 || !parts.at(1).startsWith(QLatin1Char('v')))
            return bad("invalid ciphertext: wrong number of fields");
        bool ok = false;
        const int version = parts.at(1).mid(1).toInt(&ok);
        if (!ok || version < 1)
            return bad("invalid ciphertext: version number could not be decoded");
        if (version > key.versions.size())
            return bad("invalid key version");
        if (version < key.minDecryptionVersion)
            return bad("ciphertext or signature version is disallowed by policy (too old)");
        const auto raw = strictBase64(parts.at(2));
        if (!raw)
            return bad("invalid ciphertext: could not decode base64");
        auto plain = crypto::aesGcmDecrypt(key.versions.at(version - 1), *raw);
        if (!plain)
            return bad("cipher: message authentication failed");
        return *plain;
    }
};

namespace {

// The seeding's stand-in: wraps in-process exactly as the double's encrypt route would, with
// key version 1 (the demo's DEKs are older than any later version of their key).
class SeedingAead final : public kms::KmsAead
{
public:
    SeedingAead(std::shared_ptr<VaultDouble::State> state, kms::VaultKeyId id)
        : m_state(std::move(state))
        , m_id(std::move(id))
    {}

    QFuture<Result<QByteArray>> wrap(QByteArray plaintext) override
    {
        QMutexLocker lock(&m_state->mutex);
        VaultKey *key = m_state->findLocked(QString(), m_id.mount, m_id.name);
        if (!key)
            return kw::readyFuture(Result<QByteArray>(
                makeError(QString(kms::ErrorKeyNotFound),
                          QStringLiteral("The sandbox's Vault has no key %1/keys/%2.")
                              .arg(m_id.mount, m_id.name))));
        return kw::readyFuture(m_state->encryptLocked(*key, plaintext, 1));
    }

    QFuture<Result<QByteArray>> unwrap(QByteArray ciphertext) override
    {
        QMutexLocker lock(&m_state->mutex);
        VaultKey *key = m_state->findLocked(QString(), m_id.mount, m_id.name);
        if (!key)
            return kw::readyFuture(Result<QByteArray>(
                makeError(QString(kms::ErrorKeyNotFound), QStringLiteral("No such key."))));
        auto plain = m_state->decryptLocked(*key, QString::fromLatin1(ciphertext));
        if (!plain)
            return kw::readyFuture(Result<QByteArray>(
                makeError(QString(kms::ErrorBadCiphertext), plain.error().message)));
        return kw::readyFuture(Result<QByteArray>(*plain));
    }

private:
    std::shared_ptr<VaultDouble::State> m_state;
    kms::VaultKeyId m_id;
};

class SeedingDriver final : public kms::KmsDriver
{
public:
    explicit SeedingDriver(std::shared_ptr<VaultDouble::State> state)
        : m_state(std::move(state))
    {}
    QString kmsType() const override { return QStringLiteral("hcvault"); }
    kms::KmsDriverInfo info() const override
    {
        return {kmsType(), QStringLiteral("Sandbox Vault (seeding)"), {}, true};
    }
    Result<std::shared_ptr<kms::KmsAead>> create(const kms::KekRef &kek,
                                                 const kms::KmsConfig &) const override
    {
        auto id = kms::parseVaultKeyId(kek.kmsKeyId);
        if (!id)
            return id.error();
        return std::shared_ptr<kms::KmsAead>(std::make_shared<SeedingAead>(m_state, *id));
    }

private:
    std::shared_ptr<VaultDouble::State> m_state;
};

} // namespace

VaultDouble::VaultDouble(const Clock &clock)
    : m_state(std::make_shared<State>(clock))
{
    m_state->tokens.insert(QString::fromLatin1(RootToken), 0);
}

VaultDouble::~VaultDouble() = default;

QString VaultDouble::kmsType() const
{
    return QStringLiteral("hcvault");
}

QString VaultDouble::pathPrefix() const
{
    return QStringLiteral("vault");
}

void VaultDouble::seedDemoKeys(const Clock &clock)
{
    Q_UNUSED(clock); // the double's own clock dates the versions
    QMutexLocker lock(&m_state->mutex);
    const QString transit = QStringLiteral("transit");
    // loans: rotated once, auto-rotated every 90 days, every version decryptable.
    m_state->addKeyLocked(QString(), transit, QString::fromLatin1(DemoKey), 2);
    VaultKey &loans = *m_state->findLocked(QString(), transit, QString::fromLatin1(DemoKey));
    loans.createdSec[0] -= 300 * 86400;
    loans.createdSec[1] -= 30 * 86400;
    loans.autoRotatePeriodSec = 90LL * 86400;
    // loans-archive: three versions, only the latest may decrypt; its DEKs were wrapped with v1.
    m_state->addKeyLocked(QString(), transit, QString::fromLatin1(RetiredDemoKey), 3);
    VaultKey &archive =
        *m_state->findLocked(QString(), transit, QString::fromLatin1(RetiredDemoKey));
    archive.createdSec[0] -= 700 * 86400;
    archive.createdSec[1] -= 400 * 86400;
    archive.createdSec[2] -= 10 * 86400;
    archive.minDecryptionVersion = 3;
}

std::shared_ptr<kms::KmsDriver> VaultDouble::seedingDriver()
{
    return std::make_shared<SeedingDriver>(m_state);
}

kms::KmsConfig VaultDouble::clientSettings(const QString &baseUrl) const
{
    return {
        {QString::fromLatin1(kms::HcVaultDriver::TokenKey), QString::fromLatin1(RootToken)},
        {QString::fromLatin1(kms::HcVaultDriver::AddressKey), baseUrl + QStringLiteral("/vault")}};
}

void VaultDouble::addKey(const QString &ns, const QString &mount, const QString &name, int versions)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->addKeyLocked(ns, mount, name, versions);
}

void VaultDouble::rotateKey(const QString &ns, const QString &mount, const QString &name)
{
    QMutexLocker lock(&m_state->mutex);
    if (VaultKey *key = m_state->findLocked(ns, mount, name)) {
        key->versions.append(crypto::randomBytes(32));
        key->createdSec.append(m_state->nowSec());
    }
}

void VaultDouble::setMinDecryptionVersion(const QString &ns, const QString &mount,
                                          const QString &name, int version)
{
    QMutexLocker lock(&m_state->mutex);
    if (VaultKey *key = m_state->findLocked(ns, mount, name))
        key->minDecryptionVersion = version;
}

void VaultDouble::setAutoRotatePeriod(const QString &ns, const QString &mount, const QString &name,
                                      qint64 seconds)
{
    QMutexLocker lock(&m_state->mutex);
    if (VaultKey *key = m_state->findLocked(ns, mount, name))
        key->autoRotatePeriodSec = seconds;
}

void VaultDouble::setDeletionAllowed(const QString &ns, const QString &mount, const QString &name,
                                     bool allowed)
{
    QMutexLocker lock(&m_state->mutex);
    if (VaultKey *key = m_state->findLocked(ns, mount, name))
        key->deletionAllowed = allowed;
}

void VaultDouble::addToken(const QString &token, qint64 ttlSeconds)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->tokens.insert(token, ttlSeconds > 0 ? m_state->clock->nowMs() + ttlSeconds * 1000 : 0);
}

void VaultDouble::revokeToken(const QString &token)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->tokens.remove(token);
}

void VaultDouble::setAppRole(const QString &roleId, const QString &secretId, qint64 ttlSeconds)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->roleId = roleId;
    m_state->secretId = secretId;
    m_state->appRoleTtlSec = ttlSeconds;
}

void VaultDouble::throttleNext(int count)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->throttle = count;
}

int VaultDouble::logins() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->logins;
}

int VaultDouble::transitCalls() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->transitCalls;
}

HttpReply VaultDouble::route(const HttpRequest &request)
{
    QMutexLocker lock(&m_state->mutex);
    State &s = *m_state;
    const QStringList &seg = request.segments;
    if (seg.size() < 2 || seg.at(0) != pathPrefix() || seg.at(1) != QLatin1String("v1"))
        return vaultErrors(404, {});
    const QStringList path = seg.mid(2);
    const QString joined = path.join(QLatin1Char('/'));
    if (s.throttle > 0) {
        --s.throttle;
        return vaultError(
            429, QStringLiteral("request path \"%1\": rate limit quota exceeded").arg(joined));
    }
    const QString ns = normaliseNamespace(QString::fromUtf8(request.header("X-Vault-Namespace")));
    const bool write = request.method == "POST" || request.method == "PUT";

    QJsonObject body;
    if (!request.body.trimmed().isEmpty()) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            return vaultError(
                400, QStringLiteral("failed to parse JSON input: %1").arg(error.errorString()));
        body = doc.object();
    }

    if (joined == QLatin1String("auth/approle/login")) {
        if (!write)
            return vaultError(405, QStringLiteral("unsupported operation"));
        const QString roleId = body.value(QStringLiteral("role_id")).toString();
        const QString secretId = body.value(QStringLiteral("secret_id")).toString();
        if (roleId.isEmpty())
            return vaultError(400, QStringLiteral("missing role_id"));
        if (roleId != s.roleId)
            return vaultError(400, QStringLiteral("invalid role ID"));
        if (!crypto::constantTimeEquals(secretId.toUtf8(), s.secretId.toUtf8()))
            return vaultError(400, QStringLiteral("invalid secret id"));
        ++s.logins;
        const QString token =
            QStringLiteral("hvs.approle-%1-%2")
                .arg(++s.issued)
                .arg(QString::fromLatin1(crypto::randomBytes(8).view().toByteArray().toHex()));
        s.tokens.insert(token, s.clock->nowMs() + s.appRoleTtlSec * 1000);
        const QJsonArray policies{QStringLiteral("default"), QStringLiteral("csfle")};
        QJsonObject auth{
            {QStringLiteral("client_token"), token},
            {QStringLiteral("accessor"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
            {QStringLiteral("policies"), policies},
            {QStringLiteral("token_policies"), policies},
            {QStringLiteral("metadata"),
             QJsonObject{{QStringLiteral("role_name"), QStringLiteral("keywarden")}}},
            {QStringLiteral("lease_duration"), s.appRoleTtlSec},
            {QStringLiteral("renewable"), true},
            {QStringLiteral("token_type"), QStringLiteral("service")},
            {QStringLiteral("orphan"), true},
        };
        return vaultData({}, auth);
    }

    // Every other route needs a live token.
    QString token = QString::fromUtf8(request.header("X-Vault-Token"));
    if (token.isEmpty()) {
        const QByteArray authorization = request.header("Authorization");
        if (authorization.startsWith("Bearer "))
            token = QString::fromUtf8(authorization.mid(7)).trimmed();
    }
    const auto live = s.tokens.constFind(token);
    if (token.isEmpty() || live == s.tokens.cend() ||
        (live.value() != 0 && live.value() <= s.clock->nowMs()))
        return vaultError(403, QStringLiteral("permission denied"));

    // <mount...>/<op>/<name>: the op is the second-to-last segment, as tink-go reads key ids.
    if (path.size() < 3)
        return vaultError(
            404, QStringLiteral("no handler for route \"%1\". route entry not found.").arg(joined));
    const QString op = path.at(path.size() - 2);
    const QString name = path.last();
    const QString mount = path.mid(0, path.size() - 2).join(QLatin1Char('/'));
    if (!s.mounts.contains(ns + QLatin1Char('|') + mount) ||
        (op != QLatin1String("encrypt") && op != QLatin1String("decrypt") &&
         op != QLatin1String("keys")))
        return vaultError(
            404, QStringLiteral("no handler for route \"%1\". route entry not found.").arg(joined));
    ++s.transitCalls;
    VaultKey *key = s.findLocked(ns, mount, name);

    if (op == QLatin1String("keys")) {
        if (request.method != "GET")
            return vaultError(405, QStringLiteral("unsupported operation"));
        if (!key)
            return vaultErrors(404, {});
        QJsonObject created;
        for (int v = 0; v < key->createdSec.size(); ++v)
            created.insert(QString::number(v + 1), key->createdSec.at(v));
        return vaultData({
            {QStringLiteral("name"), name},
            {QStringLiteral("type"), QStringLiteral("aes256-gcm96")},
            {QStringLiteral("derived"), false},
            {QStringLiteral("deletion_allowed"), key->deletionAllowed},
            {QStringLiteral("exportable"), false},
            {QStringLiteral("allow_plaintext_backup"), false},
            {QStringLiteral("keys"), created},
            {QStringLiteral("latest_version"), int(key->versions.size())},
            {QStringLiteral("min_available_version"), 0},
            {QStringLiteral("min_decryption_version"), key->minDecryptionVersion},
            {QStringLiteral("min_encryption_version"), key->minEncryptionVersion},
            {QStringLiteral("supports_encryption"), true},
            {QStringLiteral("supports_decryption"), true},
            {QStringLiteral("supports_derivation"), true},
            {QStringLiteral("supports_signing"), false},
            {QStringLiteral("auto_rotate_period"), key->autoRotatePeriodSec},
            {QStringLiteral("imported_key"), false},
        });
    }

    if (!write)
        return vaultError(405, QStringLiteral("unsupported operation"));
    // The AAD may come as context (ignored: the key is not derived), associated_data (bound
    // into GCM by Vault; Confluent always sends it empty, and so must callers of the double)
    // or not at all.
    if (!body.value(QStringLiteral("associated_data")).toString().isEmpty())
        return vaultError(400, QStringLiteral("the sandbox's Vault supports only empty "
                                              "associated_data"));
    if (!key)
        return vaultError(400, QStringLiteral("encryption key not found"));
    if (op == QLatin1String("encrypt")) {
        const auto plaintext = strictBase64(body.value(QStringLiteral("plaintext")).toString());
        if (!plaintext)
            return vaultError(400, QStringLiteral("failed to base64-decode plaintext"));
        auto sealed =
            s.encryptLocked(*key, *plaintext, body.value(QStringLiteral("key_version")).toInt());
        if (!sealed)
            return vaultError(400, sealed.error().message);
        const int version = sealed->mid(7, sealed->indexOf(':', 7) - 7).toInt();
        return vaultData({{QStringLiteral("ciphertext"), QString::fromLatin1(*sealed)},
                          {QStringLiteral("key_version"), version}});
    }
    const QString ciphertext = body.value(QStringLiteral("ciphertext")).toString();
    if (ciphertext.isEmpty())
        return vaultError(400, QStringLiteral("missing ciphertext to decrypt"));
    auto plain = s.decryptLocked(*key, ciphertext);
    if (!plain)
        return vaultError(400, plain.error().message);
    return vaultData({{QStringLiteral("plaintext"), QString::fromLatin1(plain->toBase64())}});
}

} // namespace kw::sandbox
