#pragma once
// Saved connection profiles: everything but secrets in QSettings, the secrets of each profile
// as one entry in the OS keychain. With no keychain backend, secrets live for this session
// only and the caller is told why, so it can ask for them again next time.

#include "core/services/connectionprofile.h"
#include "core/services/secretstore.h"

#include <QFuture>
#include <QJsonObject>
#include <QStringList>

#include <memory>

class QSettings;

namespace kw::profiles {

inline constexpr QLatin1String ErrorUnknownProfile{"profiles.unknown"};
inline constexpr QLatin1String ErrorInvalidProfile{"profiles.invalid"};
// The keychain holds no secrets from the profile's last save (it could not be reached then).
inline constexpr QLatin1String ErrorSecretsOutdated{"profiles.secrets_outdated"};

struct LoadedProfile
{
    ConnectionProfile profile;
    // Set when the profile's secrets could not be read (no keychain backend, access refused):
    // the profile is complete except for them, and the UI asks for them for this session.
    Error secretsError;
};

class ProfileStore
{
public:
    // settingsFile: an INI file to use instead of the application's QSettings (tests, --config).
    explicit ProfileStore(std::shared_ptr<SecretStore> secrets, QString settingsFile = {});

    [[nodiscard]] QStringList names() const;
    [[nodiscard]] bool contains(const QString &name) const;
    [[nodiscard]] Result<ConnectionProfile> loadWithoutSecrets(const QString &name) const;
    // The profile with its secrets. Finishes in the calling thread's event loop.
    QFuture<Result<LoadedProfile>> load(const QString &name);
    // Saves (or replaces) the profile; previousName renames. Secrets (isSecretProperty for Kafka
    // properties, kms::isSecretSetting for KMS settings) never
    // reach the settings file. Settings are written even when the keychain fails; the secrets
    // are then kept for this session only, the result says so, and later sessions report them
    // missing rather than take older ones from the keychain.
    QFuture<Result<void>> save(const ConnectionProfile &profile, const QString &previousName = {});
    QFuture<Result<void>> remove(const QString &name);
    // A free name based on `name`: "name (copy)", "name (copy 2)", ...
    [[nodiscard]] QString unusedCopyName(const QString &name) const;

    [[nodiscard]] QString secretsDescription() const;

    // The secret parts of a profile as one JSON object, and the way back.
    static QJsonObject secretsOf(const ConnectionProfile &profile);
    static void applySecrets(ConnectionProfile &profile, const QJsonObject &secrets);
    static ConnectionProfile withoutSecrets(const ConnectionProfile &profile);

private:
    [[nodiscard]] std::unique_ptr<QSettings> settings() const;
    // "none", the revision of the secrets saved with the settings, or empty (older profiles).
    [[nodiscard]] QString secretsRevision(const QString &name) const;
    static QString secretKey(const QString &profileName);

    std::shared_ptr<SecretStore> m_secrets;
    std::shared_ptr<MemorySecretStore> m_session = std::make_shared<MemorySecretStore>();
    QString m_settingsFile;
};

} // namespace kw::profiles
