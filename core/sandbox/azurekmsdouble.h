#pragma once
// The sandbox's Azure Key Vault (kms-facts.md section 3, checklist section 6) under /azure-kms:
// a Microsoft identity platform token endpoint for the client-credentials grant
// (POST /azure-kms/{tenant}/oauth2/v2.0/token) and the Key Vault REST API of each vault under
// /azure-kms/vaults/{vault} (the vault https://{vault}.vault.azure.net): POST
// keys/{name}/{version?}/encrypt and /decrypt with RSA-OAEP-256 (real RSA-2048 keys), GET
// keys/{name}/{version?}, keys/{name}/rotationpolicy and deletedkeys/{name}. It checks what
// Azure checks: the client secret, the bearer token and its expiry, the caller's permission
// per key, the key's state. Errors are Key Vault's and AAD's JSON error bodies.

#include "core/crypto/securebytes.h"
#include "core/domain/clock.h"
#include "core/sandbox/kmsdouble.h"

#include <QMap>
#include <QMutex>
#include <QSet>

namespace kw::sandbox {

class AzureKmsDouble final : public KmsDouble
{
public:
    static constexpr QLatin1String Prefix{"azure-kms"};
    static constexpr QLatin1String TenantId{"7d1f3c2a-5b6e-4f80-9a1b-2c3d4e5f6071"};
    static constexpr QLatin1String ClientId{"3f9e2d1c-0b4a-4c7d-8e6f-5a4b3c2d1e0f"};
    // The object id of the sandbox app's service principal (what Key Vault names in a 403).
    static constexpr QLatin1String ObjectId{"9c8b7a65-4321-4fed-bcba-0987654321ab"};
    static constexpr QLatin1String Vault{"northwind-risk"};
    // The demo keys (demoestate.cpp): csfle-kek, enabled with a 90-day rotation policy, whose
    // current version is DemoVersion; csfle-kek-2023, disabled.
    static constexpr QLatin1String DemoKey{"csfle-kek"};
    static constexpr QLatin1String DemoVersion{"0a1b2c3d4e5f60718293a4b5c6d7e8f9"};
    static constexpr QLatin1String DisabledKey{"csfle-kek-2023"};
    // For tests: a key the sandbox app may not use, a soft-deleted key (pending purge), a key
    // that always answers 429.
    static constexpr QLatin1String ForbiddenKey{"finance-kek"};
    static constexpr QLatin1String DeletedKey{"retired-kek"};
    static constexpr QLatin1String ThrottledKey{"busy-kek"};

    explicit AzureKmsDouble(const Clock &clock);
    ~AzureKmsDouble() override;

    [[nodiscard]] QString kmsType() const override;
    [[nodiscard]] QString pathPrefix() const override;
    [[nodiscard]] HttpReply route(const HttpRequest &request) override;
    void seedDemoKeys(const Clock &clock) override;
    [[nodiscard]] std::shared_ptr<kms::KmsDriver> seedingDriver() override;
    // tenant.id, client.id, client.secret, plus the authority and vault URL overrides pointing
    // at `baseUrl` + "/azure-kms".
    [[nodiscard]] kms::KmsConfig clientSettings(const QString &baseUrl) const override;

    // The sandbox app's client secret.
    [[nodiscard]] QString clientSecret() const;
    // The next `count` Key Vault calls answer 429 Throttled.
    void throttleNext(int count);
    // How many access tokens the token endpoint has issued (tests check caching).
    [[nodiscard]] int tokensIssued() const;
    // "https://{vault}.vault.azure.net/keys/{name}/{version}" ("" version: versionless).
    [[nodiscard]] static QString keyId(const QString &vault, const QString &name,
                                       const QString &version = {});
    // Encrypts or decrypts as the REST API does, in process (the seeding's path and tests);
    // `kid` is a key id as keyId() makes them.
    [[nodiscard]] Result<QByteArray> encryptDirect(const QString &kid, const QByteArray &plaintext);
    [[nodiscard]] Result<QByteArray> decryptDirect(const QString &kid,
                                                   const QByteArray &ciphertext);
    // The public key (SubjectPublicKeyInfo PEM) of a key version ("" version: the current one).
    [[nodiscard]] QByteArray publicKeyPem(const QString &vault, const QString &name,
                                          const QString &version = {});

    struct Version
    {
        QString id; // 32 lowercase hex
        qint64 createdMs = 0;
        bool enabled = true;
        qint64 expMs = 0; // 0: no expiry
        qint64 nbfMs = 0;
        crypto::SecureBytes privateKeyPem; // made on first use (RSA-2048)
        QByteArray publicKeyPem;
    };
    struct Key
    {
        QString vault;
        QString name;
        QList<Version> versions; // the last one is the current version
        int rotateAfterDays = 0; // the rotation policy's timeAfterCreate; 0: no Rotate action
        int expiryDays = 0;      // the policy's expiryTime; 0: none
        qint64 policyUpdatedMs = 0;
        qint64 deletedMs = 0; // soft-deleted at; 0: not deleted
        qint64 scheduledPurgeMs = 0;
        QSet<QString> deniedObjectIds;
        bool alwaysThrottle = false;
    };
    // Adds or replaces a key (tests make their own states).
    void putKey(const Key &key);

private:
    Result<QByteArray> directCall(const QString &kid, const QString &operation,
                                  const QByteArray &data);
    HttpReply token(const HttpRequest &request);
    HttpReply vaultCall(const HttpRequest &request);
    // Makes the key material of `version` when it has none yet. Call with m_mutex held.
    static bool ensureMaterial(Version &version);

    const Clock &m_clock;
    mutable QMutex m_mutex;
    QString m_clientSecret;
    QMap<QString, Key> m_keys;                          // "vault/name" -> key
    QMap<QString, std::pair<QString, qint64>> m_tokens; // token -> (object id, expiry ms)
    int m_throttle = 0;
    int m_tokensIssued = 0;
};

} // namespace kw::sandbox
