#pragma once
// The "hcvault" KMS type: HashiCorp Vault's transit secrets engine (kms-facts.md section 1).
// The KEK's key id is Confluent's: http(s)://host[:port]/<mount>/keys/<name> (https when it has
// no scheme). Its scheme, host and port are the Vault address, the segments before "keys" the
// mount (as tink-go's getEndpointPaths reads it). A Keywarden-only setting,
// keywarden.vault.address, replaces that address (it may carry a path, as the sandbox's
// http://127.0.0.1:P/vault does), so key ids stay what Confluent's clients use.
// Auth: token.id (VAULT_TOKEN) or an AppRole login (approle.role.id / approle.secret.id,
// VAULT_APPROLE_ROLE_ID / _SECRET_ID), whose token is cached until shortly before its lease
// ends; namespace (VAULT_NAMESPACE) goes in X-Vault-Namespace. Settings win over the
// environment, the KEK's kmsProps over settings.

#include "core/domain/clock.h"
#include "core/kms/kms.h"

#include <QUrl>

namespace kw::kms {

// A key id taken apart.
struct VaultKeyId
{
    QUrl address;  // scheme://host[:port] from the key id
    QString mount; // "transit", "kms/transit"
    QString name;
};

// Parses Confluent's hcvault key id (an "hcvault://" prefix is accepted and dropped). Fails with
// kms.not_configured when there is no ".../keys/<name>" path.
[[nodiscard]] kw::Result<VaultKeyId> parseVaultKeyId(const QString &keyId);

class HcVaultDriver final : public KmsDriver
{
public:
    static constexpr char Type[] = "hcvault";
    static constexpr char TokenKey[] = "token.id";
    static constexpr char NamespaceKey[] = "namespace";
    static constexpr char RoleIdKey[] = "approle.role.id";
    static constexpr char SecretIdKey[] = "approle.secret.id";
    // Keywarden-only: the Vault address to use instead of the key id's scheme://host:port.
    static constexpr char AddressKey[] = "keywarden.vault.address";

    // `clock` times the cached AppRole tokens' leases.
    explicit HcVaultDriver(const Clock &clock = Clock::system());
    ~HcVaultDriver() override;

    [[nodiscard]] QString kmsType() const override;
    [[nodiscard]] KmsDriverInfo info() const override;
    [[nodiscard]] kw::Result<std::shared_ptr<KmsAead>>
    create(const KekRef &kek, const KmsConfig &mergedConfig) const override;
    [[nodiscard]] QFuture<kw::Result<KmsKeyState>>
    keyState(const KekRef &kek, const KmsConfig &mergedConfig) const override;

    struct Shared;

private:
    std::shared_ptr<Shared> m_shared;
};

} // namespace kw::kms
