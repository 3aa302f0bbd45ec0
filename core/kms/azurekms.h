#pragma once
// The "azure-kms" driver: Azure Key Vault over its REST API (kms-facts.md section 3) the way
// Confluent's clients use it: key ids "https://<vault>.vault.azure.net/keys/<name>[/<version>]",
// RSA-OAEP-256 encrypt/decrypt, the raw RSA ciphertext stored (or, when
// encrypt.azure.key.version.save is true, "azure:v1:<version>:" before it, which unwrap always
// honours). It signs in as an app registration with the client-credentials grant (tenant.id,
// client.id, client.secret, else AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET) and
// caches the access token until shortly before it expires.

#include "core/kms/kms.h"

#include <QUrl>

#include <optional>

namespace kw::kms {

class AzureKmsDriver final : public KmsDriver
{
public:
    static constexpr QLatin1String TenantIdKey{"tenant.id"};
    static constexpr QLatin1String ClientIdKey{"client.id"};
    static constexpr QLatin1String ClientSecretKey{"client.secret"};
    // Keywarden-only settings (Confluent reads neither): the Microsoft identity platform
    // authority (the token URL is <authority>/<tenant>/oauth2/v2.0/token) and the vault's
    // base URL, where "{vault}" stands for the vault name of the key id
    // ("http://127.0.0.1:P/azure-kms/vaults/{vault}"); by default the key id's own origin.
    static constexpr QLatin1String AuthorityKey{"keywarden.authority.host"};
    static constexpr QLatin1String VaultUrlKey{"keywarden.vault.url"};
    static constexpr QLatin1String DefaultAuthority{"https://login.microsoftonline.com"};
    static constexpr QLatin1String Scope{"https://vault.azure.net/.default"};
    static constexpr QLatin1String ApiVersion{"7.4"};
    static constexpr QLatin1String VersionSaveKey{"encrypt.azure.key.version.save"};
    // A cached token is renewed this long before Azure says it expires.
    static constexpr qint64 TokenRenewMarginMs = 5 * 60 * 1000;

    [[nodiscard]] QString kmsType() const override;
    [[nodiscard]] KmsDriverInfo info() const override;
    [[nodiscard]] kw::Result<std::shared_ptr<KmsAead>>
    create(const KekRef &kek, const KmsConfig &mergedConfig) const override;
    [[nodiscard]] QFuture<kw::Result<KmsKeyState>>
    keyState(const KekRef &kek, const KmsConfig &mergedConfig) const override;

    struct KeyId
    {
        QUrl vault;      // "https://<vault>.vault.azure.net"
        QString name;    // [0-9a-zA-Z-]+
        QString version; // 32 lowercase hex, or empty
    };
    // Parses "https://<host>/keys/<name>[/<version>]"; nullopt for anything else.
    [[nodiscard]] static std::optional<KeyId> parseKeyId(const QString &kmsKeyId);
    // Days of an ISO 8601 duration ("P90D", "P3M", "P1Y", "PT48H"); 0 when it does not parse.
    [[nodiscard]] static int durationDays(const QString &iso);
    // Forgets every cached access token (tests).
    static void clearTokenCache();
};

} // namespace kw::kms
