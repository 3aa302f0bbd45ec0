#pragma once
// The sandbox's Google Cloud KMS (kms-facts.md section 4, checklist section 6) under /gcp-kms:
// an OAuth2 token endpoint taking service-account JWT assertions (POST /gcp-kms/token) and the
// Cloud KMS REST API v1 (/gcp-kms/v1/projects/.../cryptoKeys/K:encrypt, :decrypt, GET
// cryptoKeys and cryptoKeyVersions). It checks what Google checks: the assertion's RS256
// signature, aud and lifetime; the bearer token; IAM per key; version states; the CRC32Cs.
// Errors are Google's JSON error bodies.

#include "core/crypto/securebytes.h"
#include "core/domain/clock.h"
#include "core/sandbox/kmsdouble.h"

#include <QMap>
#include <QMutex>
#include <QSet>

namespace kw::sandbox {

class GcpKmsDouble final : public KmsDouble
{
public:
    static constexpr QLatin1String Prefix{"gcp-kms"};
    // The demo keys (demoestate.cpp): enabled with a 90-day rotation, and one whose primary
    // version is DESTROY_SCHEDULED.
    static constexpr QLatin1String EventsKey{
        "projects/northwind-analytics/locations/europe-west1/keyRings/csfle/cryptoKeys/events"};
    static constexpr QLatin1String ArchiveKey{
        "projects/northwind-analytics/locations/europe-west1/keyRings/csfle/cryptoKeys/archive"};
    // For tests: a disabled key, a key the sandbox's service account may not use, a key that
    // always answers 429.
    static constexpr QLatin1String DisabledKey{
        "projects/northwind-analytics/locations/europe-west1/keyRings/csfle/cryptoKeys/paused"};
    static constexpr QLatin1String ForbiddenKey{
        "projects/northwind-analytics/locations/europe-west1/keyRings/csfle/cryptoKeys/finance"};
    static constexpr QLatin1String ThrottledKey{
        "projects/northwind-analytics/locations/europe-west1/keyRings/csfle/cryptoKeys/busy"};
    static constexpr QLatin1String ServiceAccountEmail{
        "keywarden-sandbox@northwind-analytics.iam.gserviceaccount.com"};

    explicit GcpKmsDouble(const Clock &clock);
    ~GcpKmsDouble() override;

    [[nodiscard]] QString kmsType() const override;
    [[nodiscard]] QString pathPrefix() const override;
    [[nodiscard]] HttpReply route(const HttpRequest &request) override;
    void seedDemoKeys(const Clock &clock) override;
    [[nodiscard]] std::shared_ptr<kms::KmsDriver> seedingDriver() override;
    // account.type, client.id, client.email, private.key.id, private.key, plus the endpoint
    // and token URL overrides pointing at `baseUrl` + "/gcp-kms".
    [[nodiscard]] kms::KmsConfig clientSettings(const QString &baseUrl) const override;

    // The sandbox service account's public key (PEM) and private key (PKCS#8 PEM).
    [[nodiscard]] QByteArray publicKeyPem() const;
    [[nodiscard]] crypto::SecureBytes privateKeyPem() const;
    // The next `count` KMS calls answer 429 RESOURCE_EXHAUSTED.
    void throttleNext(int count);
    // How many access tokens the token endpoint has issued (tests check caching).
    [[nodiscard]] int tokensIssued() const;
    // Encrypts as :encrypt does, in process (the seeding's path), errors as the API gives
    // them; a key whose primary version is no longer enabled still wraps here, as it did when
    // the demo's DEKs were made.
    [[nodiscard]] Result<QByteArray> encryptDirect(const QString &keyName,
                                                   const QByteArray &plaintext);
    [[nodiscard]] Result<QByteArray> decryptDirect(const QString &keyName,
                                                   const QByteArray &ciphertext);

    struct Version
    {
        int number = 1;
        QString state = QStringLiteral("ENABLED");
        qint64 createMs = 0;
        qint64 destroyMs = 0; // DESTROY_SCHEDULED: destroyTime; DESTROYED: destroyEventTime
        crypto::SecureBytes material;
    };
    struct Key
    {
        QString name;
        qint64 createMs = 0;
        qint64 rotationPeriodSeconds = 0; // 0: no automatic rotation
        qint64 nextRotationMs = 0;
        QList<Version> versions;
        int primary = 1;
        QSet<QString> deniedPrincipals;
        bool alwaysThrottle = false;
    };
    // Adds or replaces a key (tests make their own states).
    void putKey(const Key &key);

    // "<key>/cryptoKeyVersions/<number>".
    [[nodiscard]] static QString versionNameOf(const QString &key, int number);

private:
    Result<QByteArray> directCall(const QString &keyName, const QString &verb, const QString &field,
                                  const QByteArray &data);
    // The service account of a valid self-signed JWT bearer token, or empty.
    [[nodiscard]] QString selfSignedPrincipal(const QByteArray &token) const;
    HttpReply token(const HttpRequest &request);
    HttpReply kmsCall(const HttpRequest &request);

    const Clock &m_clock;
    mutable QMutex m_mutex;
    crypto::SecureBytes m_privateKeyPem;
    QByteArray m_publicKeyPem;
    QString m_privateKeyId;
    QMap<QString, Key> m_keys;
    QMap<QString, std::pair<QString, qint64>> m_tokens; // token -> (principal, expiry ms)
    int m_throttle = 0;
    int m_tokensIssued = 0;
};

} // namespace kw::sandbox
