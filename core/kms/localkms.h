#pragma once
// The "local-kms" driver: the KEK is derived from a shared secret (HKDF-SHA256 → AES-128-GCM),
// exactly as Confluent's LocalKmsClient does, so no external service is involved.

#include "core/crypto/securebytes.h"
#include "core/kms/kms.h"

namespace kw::kms {

class LocalKmsDriver final : public KmsDriver
{
public:
    // Config key holding the secret; the LOCAL_SECRET environment variable is the fallback.
    static constexpr QLatin1String SecretKey{"secret"};
    static constexpr const char *SecretEnvVar = "LOCAL_SECRET";

    [[nodiscard]] QString kmsType() const override;
    [[nodiscard]] KmsDriverInfo info() const override;
    [[nodiscard]] kw::Result<std::shared_ptr<KmsAead>>
    create(const KekRef &kek, const KmsConfig &mergedConfig) const override;

    // HKDF-SHA256(ikm = UTF-8 secret, no salt, empty info) → 16-byte AES-128-GCM key.
    // kmsKeyId plays no part, so every local-kms KEK with the same secret has the same key.
    [[nodiscard]] static crypto::SecureBytes deriveKey(const QString &secret);
};

} // namespace kw::kms
