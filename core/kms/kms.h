#pragma once
// The KMS layer: a KmsAead wraps/unwraps DEKs under one KEK; a KmsDriver builds KmsAeads for one
// kmsType ("local-kms", "aws-kms", ...); the KmsRegistry picks the driver for a KEK.

#include "core/domain/result.h"

#include <QByteArray>
#include <QFuture>
#include <QLatin1String>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <memory>
#include <optional>

namespace kw::kms {

// Error codes of this module (kw::Error::code).
inline constexpr QLatin1String ErrorKeyNotFound{"kms.key_not_found"};
inline constexpr QLatin1String ErrorAccessDenied{"kms.access_denied"};
inline constexpr QLatin1String ErrorUnavailable{"kms.unavailable"};
// Unwrap failed: wrong secret/key, or the wrapped DEK was altered.
inline constexpr QLatin1String ErrorBadCiphertext{"kms.bad_ciphertext"};
// Credentials or secret missing from the settings.
inline constexpr QLatin1String ErrorNotConfigured{"kms.not_configured"};
// No driver for the KEK's kmsType.
inline constexpr QLatin1String ErrorUnsupportedType{"kms.unsupported_type"};
// The KMS key exists but is disabled (AWS Disabled, Azure enabled=false, GCP DISABLED).
inline constexpr QLatin1String ErrorKeyDisabled{"kms.key_disabled"};
// The KMS key is scheduled for deletion or destruction; the message carries the date.
inline constexpr QLatin1String ErrorKeyPendingDeletion{"kms.key_pending_deletion"};
// The KMS kept refusing for rate limits after the bounded retries.
inline constexpr QLatin1String ErrorThrottled{"kms.throttled"};
// The KMS answered something its API does not define (a malformed reply, a bad CRC32C).
inline constexpr QLatin1String ErrorBadReply{"kms.bad_reply"};

// Driver settings ("secret", "access.key.id", ...), as in Confluent's rule-executor params.
using KmsConfig = QMap<QString, QString>;
// A connection's KMS settings per kmsType, e.g. {"local-kms": {"secret": ...}}. Kept apart
// because types share setting names (azure-kms and gcp-kms both read "client.id"): a KEK only
// ever sees its own type's entry.
using KmsSettings = QMap<QString, KmsConfig>;

// The connection's KMS settings overlaid with the KEK's kmsProps; kmsProps win (spec §5, §6).
[[nodiscard]] KmsConfig mergeKmsConfig(const KmsConfig &userSettings,
                                       const QMap<QString, QString> &kekKmsProps);

// One setting a KMS driver reads, under its Confluent property name.
struct KmsSetting
{
    QString key;   // "secret", "client.id", ... (Confluent's name, so configs carry over)
    QString label; // for forms: "Client id"
    // Secret values live in the keychain, are masked in forms and never appear in messages.
    bool secret = false;
    QString help; // one line: what the driver does with it, the environment fallback if any
};

// What Keywarden knows about one kmsType: the settings its driver reads.
struct KmsDriverInfo
{
    QString type;        // "local-kms", "aws-kms", ...
    QString displayName; // "Local KMS (shared secret)", "AWS KMS", ...
    QList<KmsSetting> settings;
    // False for types whose settings are declared but whose driver is not written yet: their
    // KEKs cannot be used, and a form must say so rather than pretend.
    bool hasDriver = false;

    // The declared setting named `key`, or null.
    [[nodiscard]] const KmsSetting *setting(QStringView key) const;
    // The declared keys, in declaration order.
    [[nodiscard]] QStringList keys() const;
};

// Every kmsType Keywarden knows: the built-in drivers (hasDriver) followed by the types whose
// driver is still to come, in a fixed order fit for a form (local-kms first).
[[nodiscard]] const QList<KmsDriverInfo> &knownDrivers();
// The declaration of `type`, or null when Keywarden does not know it.
[[nodiscard]] const KmsDriverInfo *driverInfo(QStringView type);
// Whether setting `key` of `type` is a secret: as declared; a setting nobody declared (an
// unknown type, or a key from an older settings file) falls back to kw::isSecretProperty's
// naming rule, so nothing secret-looking ever lands in the settings file.
[[nodiscard]] bool isSecretSetting(QStringView type, QStringView key);

// What a driver needs to know about a KEK.
struct KekRef
{
    QString name;
    QString kmsType;
    QString kmsKeyId;
    QMap<QString, QString> kmsProps;
    bool shared = false;
};

// Wraps and unwraps DEK key material under one KEK, always with empty associated data.
// Implementations are thread-safe; the futures may finish on any thread.
class KmsAead
{
public:
    virtual ~KmsAead();

    [[nodiscard]] virtual QFuture<kw::Result<QByteArray>> wrap(QByteArray plaintext) = 0;
    [[nodiscard]] virtual QFuture<kw::Result<QByteArray>> unwrap(QByteArray ciphertext) = 0;
};

// The state of a KEK's key as its KMS reports it, normalised across providers
// (kms-facts.md section 5). Times are epoch milliseconds, 0 when unknown.
struct KmsKeyState
{
    enum class Status
    {
        Unknown,         // the KMS does not say (local-kms has no key to ask about)
        Enabled,         // wraps and unwraps
        Disabled,        // exists, refuses to wrap and unwrap until enabled again
        PendingDeletion, // scheduled for deletion or destruction at deletionMs
        Destroyed,       // gone: whatever it wrapped is lost
        Transitional,    // being created, imported, updated; not usable yet
    };

    Status status = Status::Unknown;
    QString providerState;            // the KMS's own word: "Enabled", "DESTROY_SCHEDULED", ...
    qint64 deletionMs = 0;            // PendingDeletion: when the key goes
    QString keyName = {};             // what the KMS calls the key (ARN, resource name, key URL)
    QString currentVersion;           // the version new wraps use, where the KMS has versions
    std::optional<bool> autoRotation; // the KMS rotates the key itself; nullopt: it does not say
    int rotationPeriodDays = 0;
    qint64 lastRotationMs = 0;
    qint64 nextRotationMs = 0;
    QStringList notes = {}; // further facts worth a line ("deletion_allowed is true", ...)

    // Disabled, pending deletion or destroyed: the KEK's DEKs cannot be unwrapped (or soon not).
    [[nodiscard]] bool isRevoked() const;
    // "Enabled", "Disabled", "Pending deletion on 2027-01-04", ...
    [[nodiscard]] QString summary() const;
    [[nodiscard]] static QString statusName(Status status);
};

class KmsDriver
{
public:
    virtual ~KmsDriver();

    [[nodiscard]] virtual QString kmsType() const = 0;
    // The settings this driver reads (the declaration forms, stores and the CLI go by).
    [[nodiscard]] virtual KmsDriverInfo info() const = 0;
    // Builds the AEAD for `kek` from the already merged config (see mergeKmsConfig()).
    [[nodiscard]] virtual kw::Result<std::shared_ptr<KmsAead>>
    create(const KekRef &kek, const KmsConfig &mergedConfig) const = 0;
    // The state of the KEK's key as the KMS reports it. The default answers Status::Unknown
    // with a note that the type has no key state (local-kms); cloud drivers ask the KMS.
    [[nodiscard]] virtual QFuture<kw::Result<KmsKeyState>>
    keyState(const KekRef &kek, const KmsConfig &mergedConfig) const;
};

// The available drivers by kmsType. Adding drivers is not thread-safe; lookups are.
class KmsRegistry
{
public:
    // Replaces any driver registered for the same kmsType.
    void add(std::shared_ptr<KmsDriver> driver);

    // The AEAD for `kek`, from the settings of the KEK's own kmsType in `settings` overlaid
    // with its kmsProps (configFor()). No other type's settings reach the driver.
    [[nodiscard]] kw::Result<std::shared_ptr<KmsAead>> aeadFor(const KekRef &kek,
                                                               const KmsSettings &settings) const;
    // What the driver of `kek` is given: settings[kek.kmsType] overlaid with kek.kmsProps.
    [[nodiscard]] static KmsConfig configFor(const KekRef &kek, const KmsSettings &settings);
    // The state of the KEK's key from its driver (KmsDriver::keyState), same config as aeadFor.
    [[nodiscard]] QFuture<kw::Result<KmsKeyState>> keyStateFor(const KekRef &kek,
                                                               const KmsSettings &settings) const;
    // Sorted kmsType names.
    [[nodiscard]] QStringList types() const;
    // The declarations of the registered drivers, sorted by kmsType.
    [[nodiscard]] QList<KmsDriverInfo> infos() const;

    // A registry with every driver Keywarden ships (currently local-kms).
    [[nodiscard]] static KmsRegistry withBuiltInDrivers();

private:
    QMap<QString, std::shared_ptr<KmsDriver>> m_drivers;
};

} // namespace kw::kms
