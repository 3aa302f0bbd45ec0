#pragma once
// Where profile secrets live: the OS keychain through QtKeychain (Secret Service, KWallet,
// macOS Keychain, Windows Credential Manager), never QSettings. An in-memory store stands in
// for a session when there is no keychain backend, and in tests.

#include "core/domain/result.h"

#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QString>

namespace kw::profiles {

// Error codes of this module (kw::Error::code).
inline constexpr QLatin1String ErrorNoKeychain{"profiles.no_keychain"};
inline constexpr QLatin1String ErrorKeychain{"profiles.keychain"};
inline constexpr QLatin1String ErrorSecretNotFound{"profiles.secret_not_found"};

class SecretStore
{
public:
    virtual ~SecretStore();
    // A missing entry is ErrorSecretNotFound; no backend at all is ErrorNoKeychain.
    [[nodiscard]] virtual QFuture<Result<QByteArray>> read(const QString &key) = 0;
    [[nodiscard]] virtual QFuture<Result<void>> write(const QString &key,
                                                      const QByteArray &secret) = 0;
    // Removing an entry that does not exist succeeds.
    [[nodiscard]] virtual QFuture<Result<void>> remove(const QString &key) = 0;
    // For the UI: "the system keychain (Secret Service)", "this session only", ...
    [[nodiscard]] virtual QString description() const = 0;
};

// QtKeychain. Jobs run in the calling thread's event loop; the futures finish there. Insecure
// (plain-file) fallback is off: with no backend every call fails with ErrorNoKeychain.
class KeychainSecretStore final : public SecretStore
{
public:
    explicit KeychainSecretStore(QString service = QStringLiteral("dev.keywarden.Keywarden"));
    QFuture<Result<QByteArray>> read(const QString &key) override;
    QFuture<Result<void>> write(const QString &key, const QByteArray &secret) override;
    QFuture<Result<void>> remove(const QString &key) override;
    QString description() const override;

private:
    QString m_service;
};

// Secrets kept in memory for the life of the process (wiped on destruction).
class MemorySecretStore final : public SecretStore
{
public:
    ~MemorySecretStore() override;
    QFuture<Result<QByteArray>> read(const QString &key) override;
    QFuture<Result<void>> write(const QString &key, const QByteArray &secret) override;
    QFuture<Result<void>> remove(const QString &key) override;
    QString description() const override;
    [[nodiscard]] QStringList keys() const;

private:
    mutable QMutex m_mutex;
    QHash<QString, QByteArray> m_secrets;
};

} // namespace kw::profiles
