#pragma once
// The audit log's vault (its key and head) in a SecretStore: the OS keychain in the
// applications. The audit module knows nothing of profiles; this adapter is the wiring.

#include "core/audit/auditvault.h"
#include "core/services/secretstore.h"

#include <memory>

namespace kw::profiles {

class SecretStoreAuditVault final : public audit::AuditVault
{
public:
    explicit SecretStoreAuditVault(std::shared_ptr<SecretStore> secrets);
    QFuture<Result<QByteArray>> read(const QString &name) override;
    QFuture<Result<void>> write(const QString &name, const QByteArray &value) override;
    QString description() const override;

    // The system keychain (QtKeychain); its futures finish in the calling thread's event loop.
    static std::shared_ptr<audit::AuditVault> systemKeychain();

private:
    std::shared_ptr<SecretStore> m_secrets;
};

} // namespace kw::profiles
