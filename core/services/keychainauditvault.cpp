#include "core/services/keychainauditvault.h"

namespace kw::profiles {

namespace {

// The keychain's codes in the audit module's terms.
Error translated(const Error &error)
{
    if (error.code == ErrorSecretNotFound)
        return makeError(QString(audit::ErrorVaultNotFound), error.message);
    if (error.code == ErrorNoKeychain) {
        // The profiles' advice (secrets asked for again) does not apply to the audit log.
        QString message = error.message;
        const qsizetype advice = message.indexOf(QLatin1String(" Secrets are kept"));
        if (advice > 0)
            message.truncate(advice);
        return makeError(QString(audit::ErrorVaultUnavailable), message);
    }
    return error;
}

} // namespace

SecretStoreAuditVault::SecretStoreAuditVault(std::shared_ptr<SecretStore> secrets)
    : m_secrets(std::move(secrets))
{}

QFuture<Result<QByteArray>> SecretStoreAuditVault::read(const QString &name)
{
    return m_secrets->read(name).then([](const Result<QByteArray> &value) -> Result<QByteArray> {
        if (!value)
            return translated(value.error());
        return value;
    });
}

QFuture<Result<void>> SecretStoreAuditVault::write(const QString &name, const QByteArray &value)
{
    return m_secrets->write(name, value).then([](const Result<void> &done) -> Result<void> {
        if (!done)
            return translated(done.error());
        return done;
    });
}

QString SecretStoreAuditVault::description() const
{
    return m_secrets->description();
}

std::shared_ptr<audit::AuditVault> SecretStoreAuditVault::systemKeychain()
{
    return std::make_shared<SecretStoreAuditVault>(std::make_shared<KeychainSecretStore>());
}

} // namespace kw::profiles
