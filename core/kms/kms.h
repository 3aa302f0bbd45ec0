#pragma once
// The KMS layer: a KmsAead wraps/unwraps DEKs under one KEK; a KmsDriver builds KmsAeads for one
// kmsType ("local-kms", "aws-kms", ...); the KmsRegistry picks the driver for a KEK.

#include "core/domain/result.h"

#include <QByteArray>
#include <QFuture>
#include <QLatin1String>
#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>

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

// Driver settings ("secret", "access.key.id", ...), as in Confluent's rule-executor params.
using KmsConfig = QMap<QString, QString>;

// The connection's KMS settings overlaid with the KEK's kmsProps; kmsProps win (spec §5, §6).
[[nodiscard]] KmsConfig mergeKmsConfig(const KmsConfig &userSettings,
                                       const QMap<QString, QString> &kekKmsProps);

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

class KmsDriver
{
public:
    virtual ~KmsDriver();

    [[nodiscard]] virtual QString kmsType() const = 0;
    // Builds the AEAD for `kek` from the already merged config (see mergeKmsConfig()).
    [[nodiscard]] virtual kw::Result<std::shared_ptr<KmsAead>>
    create(const KekRef &kek, const KmsConfig &mergedConfig) const = 0;
};

// The available drivers by kmsType. Adding drivers is not thread-safe; lookups are.
class KmsRegistry
{
public:
    // Replaces any driver registered for the same kmsType.
    void add(std::shared_ptr<KmsDriver> driver);

    [[nodiscard]] kw::Result<std::shared_ptr<KmsAead>> aeadFor(const KekRef &kek,
                                                               const KmsConfig &userSettings) const;
    // Sorted kmsType names.
    [[nodiscard]] QStringList types() const;

    // A registry with every driver Keywarden ships (currently local-kms).
    [[nodiscard]] static KmsRegistry withBuiltInDrivers();

private:
    QMap<QString, std::shared_ptr<KmsDriver>> m_drivers;
};

} // namespace kw::kms
