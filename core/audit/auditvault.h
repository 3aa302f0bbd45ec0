#pragma once
// Where the audit log keeps what must not live beside it: the per-installation key its entries
// are MACed with and the head (last id, last MAC, count) that catches truncation and deletion.
// The applications wire it to the OS keychain; tests use MemoryAuditVault. Kept here, not in
// profiles/, so the audit module depends on nothing above it.

#include "core/domain/result.h"

#include <QByteArray>
#include <QFuture>
#include <QHash>
#include <QLatin1String>
#include <QMutex>
#include <QString>

#include <optional>

namespace kw::audit {

// The vault has no such entry.
inline constexpr QLatin1String ErrorVaultNotFound{"audit.vault_not_found"};
// There is no vault at all (no keychain service): the log falls back to an unkeyed chain.
inline constexpr QLatin1String ErrorVaultUnavailable{"audit.vault_unavailable"};

class AuditVault
{
public:
    virtual ~AuditVault();
    // Missing: ErrorVaultNotFound; no backend: ErrorVaultUnavailable; anything else is an error
    // the log reports as is (e.g. the keychain refused access).
    [[nodiscard]] virtual QFuture<Result<QByteArray>> read(const QString &name) = 0;
    [[nodiscard]] virtual QFuture<Result<void>> write(const QString &name,
                                                      const QByteArray &value) = 0;
    // For messages: "the system keychain", "memory (tests)".
    [[nodiscard]] virtual QString description() const = 0;
};

// The newest entry the log has written, as the vault remembers it.
struct AuditHead
{
    qint64 lastId = 0;
    QString lastMac; // hex
    qint64 count = 0;

    [[nodiscard]] QByteArray toJson() const;
    static std::optional<AuditHead> fromJson(const QByteArray &json);
    bool operator==(const AuditHead &) const = default;
};

// Entries in memory; answers at once. setAvailable(false) makes it behave like a machine
// without a keychain.
class MemoryAuditVault final : public AuditVault
{
public:
    QFuture<Result<QByteArray>> read(const QString &name) override;
    QFuture<Result<void>> write(const QString &name, const QByteArray &value) override;
    QString description() const override;

    void setAvailable(bool available);
    void remove(const QString &name);
    [[nodiscard]] QStringList names() const;
    [[nodiscard]] QByteArray value(const QString &name) const;

private:
    mutable QMutex m_mutex;
    QHash<QString, QByteArray> m_values;
    bool m_available = true;
};

} // namespace kw::audit
