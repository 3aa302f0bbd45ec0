#include "core/kms/localkms.h"

#include "core/crypto/crypto.h"
#include "core/domain/readyfuture.h"

#include <QFuture>

namespace kw::kms {

namespace {

class LocalKmsAead final : public KmsAead
{
public:
    LocalKmsAead(QString kekName, crypto::SecureBytes key)
        : m_kekName(std::move(kekName))
        , m_key(std::move(key))
    {}

    QFuture<kw::Result<QByteArray>> wrap(QByteArray plaintext) override
    {
        return kw::readyFuture(crypto::aesGcmEncrypt(m_key, plaintext));
    }

    QFuture<kw::Result<QByteArray>> unwrap(QByteArray ciphertext) override
    {
        return kw::readyFuture(doUnwrap(ciphertext));
    }

private:
    kw::Result<QByteArray> doUnwrap(QByteArrayView ciphertext) const
    {
        auto plain = crypto::aesGcmDecrypt(m_key, ciphertext);
        if (plain)
            return plain;
        if (plain.error().code == crypto::ErrorMalformedCiphertext) {
            return kw::makeError(QString(ErrorBadCiphertext),
                                 QStringLiteral("local-kms could not unwrap the DEK for KEK '%1': "
                                                "the wrapped key is only %2 bytes long, too short "
                                                "to be local-kms output.")
                                     .arg(m_kekName)
                                     .arg(ciphertext.size()));
        }
        if (plain.error().code == crypto::ErrorAuthenticationFailed) {
            return kw::makeError(QString(ErrorBadCiphertext),
                                 QStringLiteral("local-kms could not unwrap the DEK for KEK '%1': "
                                                "the secret is wrong or the wrapped key was "
                                                "altered.")
                                     .arg(m_kekName));
        }
        return plain;
    }

    // Immutable after construction, so concurrent wrap/unwrap calls are safe.
    const QString m_kekName;
    const crypto::SecureBytes m_key;
};

} // namespace

QString LocalKmsDriver::kmsType() const
{
    return QStringLiteral("local-kms");
}

KmsDriverInfo LocalKmsDriver::info() const
{
    return {kmsType(),
            QStringLiteral("Local KMS (shared secret)"),
            {{QString(SecretKey), QStringLiteral("Secret"), true,
              QStringLiteral("The shared secret the KEK is derived from (LOCAL_SECRET).")}},
            true};
}

kw::Result<std::shared_ptr<KmsAead>> LocalKmsDriver::create(const KekRef &kek,
                                                            const KmsConfig &mergedConfig) const
{
    QString secret = mergedConfig.value(QString(SecretKey));
    if (secret.isEmpty())
        secret = qEnvironmentVariable(SecretEnvVar);
    if (secret.isEmpty()) {
        return kw::makeError(
            QString(ErrorNotConfigured),
            QStringLiteral("KEK '%1' uses local-kms, but no secret is set. Set the "
                           "local-kms secret in the connection's KMS settings or "
                           "the LOCAL_SECRET environment variable.")
                .arg(kek.name));
    }
    crypto::SecureBytes key = deriveKey(secret);
    if (key.isEmpty()) {
        return kw::makeError(
            QString(crypto::ErrorInternal),
            QStringLiteral("Could not derive the local-kms key for KEK '%1'.").arg(kek.name));
    }
    return std::shared_ptr<KmsAead>(std::make_shared<LocalKmsAead>(kek.name, std::move(key)));
}

crypto::SecureBytes LocalKmsDriver::deriveKey(const QString &secret)
{
    QByteArray utf8 = secret.toUtf8();
    crypto::SecureBytes key = crypto::hkdfSha256(utf8, {}, {}, 16);
    utf8.fill('\0');
    return key;
}

} // namespace kw::kms
