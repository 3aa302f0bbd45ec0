#pragma once
// The sandbox's HashiCorp Vault: the transit secrets engine's HTTP API (kms-facts.md section 1)
// under the path prefix "vault", so a Vault address is http://127.0.0.1:P/vault and the API is
// /vault/v1/... Tokens (X-Vault-Token or a Bearer header) are checked and expire, AppRole
// logins hand out leased tokens, X-Vault-Namespace selects a namespace of its own, transit
// mounts and keys follow the key id (mount = the segments before "/keys/<name>"), and every
// key version is a real AES-256-GCM key, so ciphertexts are "vault:vN:<base64 nonce|ct|tag>".
// Errors carry Vault's statuses and {"errors":[...]} bodies.

#include "core/sandbox/kmsdouble.h"

#include <QMutex>

namespace kw::sandbox {

class VaultDouble final : public KmsDouble
{
public:
    // The credentials clientSettings() hands out (the sandbox's own, never a real Vault's).
    static constexpr char RootToken[] = "hvs.keywarden-sandbox-token";
    static constexpr char RoleId[] = "keywarden-sandbox-role";
    static constexpr char SecretId[] = "keywarden-sandbox-secret-id";
    // The demo estate's keys: loans (enabled) and loans-archive, whose min_decryption_version
    // is above the version its DEK was wrapped with (Vault's nearest thing to "disabled").
    static constexpr char DemoKey[] = "loans";
    static constexpr char RetiredDemoKey[] = "loans-archive";

    explicit VaultDouble(const Clock &clock);
    ~VaultDouble() override;

    [[nodiscard]] QString kmsType() const override;
    [[nodiscard]] QString pathPrefix() const override;
    [[nodiscard]] HttpReply route(const HttpRequest &request) override;
    void seedDemoKeys(const Clock &clock) override;
    [[nodiscard]] std::shared_ptr<kms::KmsDriver> seedingDriver() override;
    // token.id and keywarden.vault.address = baseUrl + "/vault".
    [[nodiscard]] kms::KmsConfig clientSettings(const QString &baseUrl) const override;

    // Test controls. `ns` is a namespace path ("" is the root, "team-a/" and "team-a" are the
    // same), `mount` a transit mount ("transit", "kms/transit").
    // Makes an aes256-gcm96 key with `versions` versions, created now (and mounts its mount).
    void addKey(const QString &ns, const QString &mount, const QString &name, int versions = 1);
    void rotateKey(const QString &ns, const QString &mount, const QString &name);
    void setMinDecryptionVersion(const QString &ns, const QString &mount, const QString &name,
                                 int version);
    void setAutoRotatePeriod(const QString &ns, const QString &mount, const QString &name,
                             qint64 seconds);
    void setDeletionAllowed(const QString &ns, const QString &mount, const QString &name,
                            bool allowed);
    // A token valid until now + ttlSeconds (0: never expires).
    void addToken(const QString &token, qint64 ttlSeconds = 0);
    void revokeToken(const QString &token);
    // The AppRole a login must name; its tokens live `ttlSeconds`.
    void setAppRole(const QString &roleId, const QString &secretId, qint64 ttlSeconds);
    // The next `count` requests (any route) answer 429 as a rate-limit quota would.
    void throttleNext(int count);
    // Successful AppRole logins so far (a driver should cache its token).
    [[nodiscard]] int logins() const;
    // Transit calls (encrypt, decrypt, key reads) answered so far, any status.
    [[nodiscard]] int transitCalls() const;

    struct State;

private:
    std::shared_ptr<State> m_state;
};

} // namespace kw::sandbox
