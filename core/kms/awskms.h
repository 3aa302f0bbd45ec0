#pragma once
// The aws-kms driver: wraps and unwraps through AWS KMS's JSON 1.1 API (Encrypt/Decrypt with the
// KEK's kmsKeyId and no encryption context, as Confluent's clients do), signed with SigV4, and
// reads the key's state from DescribeKey and GetKeyRotationStatus.

#include "core/kms/kms.h"
#include "core/kms/sigv4.h"

#include <QLatin1String>

namespace kw::kms {

class AwsKmsDriver final : public KmsDriver
{
public:
    // Confluent's names.
    static constexpr QLatin1String AccessKeyIdKey{"access.key.id"};
    static constexpr QLatin1String SecretAccessKeyKey{"secret.access.key"};
    static constexpr QLatin1String DisableDynamicMrkKey{"aws.disable.dynamic.mrk"};
    // Keywarden's own: temporary credentials, the region multi-Region keys are re-pointed to,
    // and a base URL replacing https://kms.<region>.amazonaws.com (sandbox doubles, proxies).
    static constexpr QLatin1String SessionTokenKey{"session.token"};
    static constexpr QLatin1String RegionKey{"region"};
    static constexpr QLatin1String EndpointKey{"endpoint.override"};

    AwsKmsDriver();
    ~AwsKmsDriver() override;

    [[nodiscard]] QString kmsType() const override;
    [[nodiscard]] KmsDriverInfo info() const override;
    [[nodiscard]] kw::Result<std::shared_ptr<KmsAead>>
    create(const KekRef &kek, const KmsConfig &mergedConfig) const override;
    [[nodiscard]] QFuture<kw::Result<KmsKeyState>>
    keyState(const KekRef &kek, const KmsConfig &mergedConfig) const override;

    // Where calls for `kmsKeyId` go: the key id sent (an mrk- key ARN re-pointed to the
    // configured region unless aws.disable.dynamic.mrk is true) and the SigV4 region.
    struct Target
    {
        QString keyId;
        QString region;
    };
    [[nodiscard]] static kw::Result<Target> target(const QString &kmsKeyId,
                                                   const KmsConfig &config);
    // The settings' keys, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
    [[nodiscard]] static kw::Result<sigv4::Credentials> credentials(const KmsConfig &config);
    // "AccessDeniedException" from "com.amazonaws.kms#AccessDeniedException:extra".
    [[nodiscard]] static QString errorCode(const QString &type);
};

} // namespace kw::kms
