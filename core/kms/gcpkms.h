#pragma once
// The "gcp-kms" driver: Google Cloud KMS over its REST API v1 (kms-facts.md section 4), the
// way Confluent's clients use it: key ids "projects/P/locations/L/keyRings/R/cryptoKeys/K",
// empty additional authenticated data, the raw `ciphertext` stored, CRC32C checked both ways.
// It signs in with a service account (the declared settings, or the JSON key file that
// GOOGLE_APPLICATION_CREDENTIALS names) through the OAuth2 JWT-bearer grant, and caches the
// access token until shortly before it expires.

#include "core/kms/kms.h"

namespace kw::kms {

class GcpKmsDriver final : public KmsDriver
{
public:
    // Keywarden-only settings (Confluent reads neither): the Cloud KMS base URL and the
    // OAuth2 token URL, for private endpoints and the sandbox's double.
    static constexpr QLatin1String EndpointKey{"keywarden.endpoint"};
    static constexpr QLatin1String TokenUriKey{"keywarden.token.uri"};
    static constexpr QLatin1String DefaultEndpoint{"https://cloudkms.googleapis.com"};
    static constexpr const char *CredentialsEnvVar = "GOOGLE_APPLICATION_CREDENTIALS";
    // A cached token is renewed this long before Google says it expires.
    static constexpr qint64 TokenRenewMarginMs = 5 * 60 * 1000;

    [[nodiscard]] QString kmsType() const override;
    [[nodiscard]] KmsDriverInfo info() const override;
    [[nodiscard]] kw::Result<std::shared_ptr<KmsAead>>
    create(const KekRef &kek, const KmsConfig &mergedConfig) const override;
    [[nodiscard]] QFuture<kw::Result<KmsKeyState>>
    keyState(const KekRef &kek, const KmsConfig &mergedConfig) const override;

    // "projects/P/locations/L/keyRings/R/cryptoKeys/K" (no version, no "gcp-kms://" scheme);
    // false for anything else.
    [[nodiscard]] static bool isKeyName(const QString &kmsKeyId);
    // Forgets every cached access token (tests).
    static void clearTokenCache();
};

} // namespace kw::kms
