#pragma once
// The sandbox's AWS KMS: the JSON 1.1 API of kms-facts.md §2 (TrentService.Encrypt, Decrypt,
// DescribeKey, GetKeyRotationStatus) under /aws-kms, every request's SigV4 signature verified
// against the double's access keys, keys with states, rotation facts and AWS's error bodies.
// STS AssumeRole answers under /aws-kms/sts (form body, XML answers as STS gives them): it
// issues temporary credentials for the demo role that KMS accepts until they expire on the
// sandbox clock.

#include "core/crypto/securebytes.h"
#include "core/sandbox/kmsdouble.h"

#include <QByteArray>
#include <QHash>
#include <QLatin1String>
#include <QMutex>
#include <QSet>
#include <QString>

namespace kw::sandbox {

class AwsKmsDouble final : public KmsDouble
{
public:
    static constexpr QLatin1String Prefix{"aws-kms"};
    static constexpr QLatin1String AccountId{"111122223333"};
    // The access key clientSettings() hands out: allowed on every key.
    static constexpr QLatin1String AccessKeyId{"AKIAKEYWARDENSANDBOX"};
    static constexpr QLatin1String SecretAccessKey{"kwSandboxSecret/K7MDENG+bPxRfiCYSANDBOXKEY"};
    static constexpr QLatin1String PrincipalArn{"arn:aws:iam::111122223333:user/keywarden-demo"};
    // The demo keys (demoestate.cpp): treasury-aws's key, automatic rotation on, and a key
    // pending deletion.
    static constexpr QLatin1String TreasuryKeyArn{
        "arn:aws:kms:eu-west-1:111122223333:key/5f1c2a7e-8d4b-4c39-9b1e-2a6f0d3c7e11"};
    static constexpr QLatin1String RetiredKeyArn{
        "arn:aws:kms:eu-west-1:111122223333:key/0c7d9e4b-3a21-4f6e-8b5d-7e2a1c9f4b60"};
    // A Keywarden-only setting of aws-kms: the base URL the driver sends to instead of
    // https://kms.<region>.amazonaws.com (the SigV4 region still comes from the ARN).
    static constexpr QLatin1String EndpointSetting{"endpoint.override"};
    // The demo role any of the account's principals may assume, and where STS answers.
    static constexpr QLatin1String RoleArn{"arn:aws:iam::111122223333:role/keywarden-csfle"};
    static constexpr QLatin1String StsSegment{"sts"};
    static constexpr QLatin1String StsEndpointSetting{"keywarden.sts.endpoint"};

    struct Key
    {
        QString keyId;  // the UUID
        QString region; // "eu-west-1"
        QString keyState = QStringLiteral("Enabled");
        qint64 creationMs = 0;
        qint64 deletionMs = 0; // PendingDeletion only
        bool rotationEnabled = false;
        int rotationPeriodDays = 365;
        QString description;
        crypto::SecureBytes material; // 32 bytes, AES-256-GCM

        [[nodiscard]] QString arn() const;
    };

    explicit AwsKmsDouble(const Clock &clock);
    ~AwsKmsDouble() override;

    [[nodiscard]] QString kmsType() const override;
    [[nodiscard]] QString pathPrefix() const override;
    [[nodiscard]] HttpReply route(const HttpRequest &request) override;
    void seedDemoKeys(const Clock &clock) override;
    [[nodiscard]] std::shared_ptr<kms::KmsDriver> seedingDriver() override;
    [[nodiscard]] kms::KmsConfig clientSettings(const QString &baseUrl) const override;

    // Test hooks. A key from its ARN (random material, Enabled); replaces one of the same ARN.
    void addKey(const QString &keyArn, bool rotationEnabled = false);
    void setKeyState(const QString &keyArn, const QString &keyState, qint64 deletionMs = 0);
    void addAlias(const QString &aliasName, const QString &keyArn);
    // Another access key; `sessionToken` non-empty makes it temporary (the token must be sent).
    void addAccessKey(const QString &accessKeyId, const QString &secret,
                      const QString &principalArn, const QString &sessionToken = {});
    // The principal of `accessKeyId` gets AccessDeniedException on `keyArn`.
    void denyAccess(const QString &accessKeyId, const QString &keyArn);
    // Another assumable role (or the demo role again); a non-empty `externalId` must be sent.
    void addRole(const QString &roleArn, const QString &externalId = {});
    // Every temporary credential issued so far expires now (as if the sandbox clock had
    // passed their Expiration).
    void expireTemporaryCredentials();
    // How many AssumeRole requests passed the signature check.
    [[nodiscard]] int assumeRoleCalls() const;
    // The next `calls` signed requests answer ThrottlingException.
    void throttleNextCalls(int calls);
    // How many requests passed the signature check (tests count retries with it).
    [[nodiscard]] int acceptedRequests() const;

    // Encrypt/Decrypt in-process, as the API would (the seeding driver's path). The seeding
    // writes history: encryptLocally wraps under a key whatever its state now, as its DEKs
    // were wrapped while the key was still enabled.
    [[nodiscard]] Result<QByteArray> encryptLocally(const QString &keyId, const QByteArray &plain);
    [[nodiscard]] Result<QByteArray> decryptLocally(const QByteArray &blob);

private:
    struct AccessKey
    {
        QString secret;
        QString sessionToken;
        QString principalArn;
        QSet<QString> deniedKeyArns;
        qint64 expiresMs = 0; // temporary credentials from AssumeRole only
    };
    struct Call;

    // The access key id of a correctly signed request for `service`, else an Error whose
    // code is a sigv4 code or "expired" (temporary credentials past their expiry).
    [[nodiscard]] Result<QByteArray> verifySignature(const HttpRequest &request,
                                                     const QByteArray &region,
                                                     QByteArrayView service) const;
    [[nodiscard]] HttpReply assumeRole(const HttpRequest &request);
    [[nodiscard]] HttpReply encrypt(const Call &call);
    [[nodiscard]] HttpReply decrypt(const Call &call);
    [[nodiscard]] HttpReply describeKey(const Call &call);
    [[nodiscard]] HttpReply rotationStatus(const Call &call);
    // The key `keyId` names (id, key ARN, alias name or alias ARN) in `region`, or null.
    [[nodiscard]] const Key *resolve(const QString &keyId, const QString &region) const;

    const Clock &m_clock;
    mutable QMutex m_mutex;
    QHash<QString, Key> m_keys;        // by ARN
    QHash<QString, QString> m_aliases; // alias ARN -> key ARN
    QHash<QString, AccessKey> m_accessKeys;
    QHash<QString, QString> m_roles; // role ARN -> required ExternalId (empty: none)
    int m_assumeRoleCalls = 0;
    int m_throttleCalls = 0;
    int m_accepted = 0;
};

} // namespace kw::sandbox
