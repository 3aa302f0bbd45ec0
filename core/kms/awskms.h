#pragma once
// The aws-kms driver: wraps and unwraps through AWS KMS's JSON 1.1 API (Encrypt/Decrypt with the
// KEK's kmsKeyId and no encryption context, as Confluent's clients do), signed with SigV4, and
// reads the key's state from DescribeKey and GetKeyRotationStatus.

#include "core/kms/kms.h"
#include "core/kms/sigv4.h"

#include <QLatin1String>

#include <memory>

namespace kw::kms {

class AwsKmsDriver final : public KmsDriver
{
public:
    // Confluent's names.
    static constexpr QLatin1String AccessKeyIdKey{"access.key.id"};
    static constexpr QLatin1String SecretAccessKeyKey{"secret.access.key"};
    static constexpr QLatin1String DisableDynamicMrkKey{"aws.disable.dynamic.mrk"};
    static constexpr QLatin1String ProfileKey{"profile"};
    static constexpr QLatin1String RoleArnKey{"role.arn"};
    static constexpr QLatin1String RoleSessionNameKey{"role.session.name"};
    static constexpr QLatin1String RoleExternalIdKey{"role.external.id"};
    static constexpr QLatin1String DefaultRoleSessionName{"confluent-encrypt"};
    // Keywarden's own: temporary credentials, the region multi-Region keys are re-pointed to,
    // and a base URL replacing https://kms.<region>.amazonaws.com (sandbox doubles, proxies).
    static constexpr QLatin1String SessionTokenKey{"session.token"};
    static constexpr QLatin1String RegionKey{"region"};
    static constexpr QLatin1String EndpointKey{"endpoint.override"};
    // The STS endpoint AssumeRole goes to instead of https://sts.<region>.amazonaws.com/.
    static constexpr QLatin1String StsEndpointKey{"keywarden.sts.endpoint"};

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
    // The master credentials, in Confluent's order: the settings' access.key.id and
    // secret.access.key (with session.token); else the `profile` setting's section of the
    // shared credentials/config files; else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
    // AWS_SESSION_TOKEN; else AWS_PROFILE's section; else the [default] profile when it has
    // keys. Errors name files and profile, never a secret.
    [[nodiscard]] static kw::Result<sigv4::Credentials> credentials(const KmsConfig &config);
    // The role to assume with the master credentials: role.arn (else AWS_ROLE_ARN), unless
    // AWS_WEB_IDENTITY_TOKEN_FILE is set (web identity is not supported, as in Confluent's
    // driver). roleArn is empty when there is none.
    struct Role
    {
        QString roleArn;
        QString sessionName;
        QString externalId;
    };
    [[nodiscard]] static Role role(const KmsConfig &config);
    // Where AssumeRole goes for a key in `region`.
    [[nodiscard]] static QString stsEndpoint(const QString &region, const KmsConfig &config);
    // "AccessDeniedException" from "com.amazonaws.kms#AccessDeniedException:extra".
    [[nodiscard]] static QString errorCode(const QString &type);

    struct StsCache; // temporary credentials of assumed roles, until shortly before expiry

private:
    std::shared_ptr<StsCache> m_sts;
};

} // namespace kw::kms
