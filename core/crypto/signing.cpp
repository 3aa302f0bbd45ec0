#include "core/crypto/signing.h"

#include "core/crypto/crypto.h"
#include "core/crypto/crypto_p.h"

#include <QCryptographicHash>

#include <openssl/evp.h>

#include <memory>

namespace kw::crypto {

using namespace detail;

namespace {

PkeyPtr privateKey(const SecureBytes &seed)
{
    if (seed.size() != Ed25519SeedSize)
        return {};
    return PkeyPtr(
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), size_t(seed.size())));
}

Error badSeed(qsizetype size)
{
    return makeError(
        QString(ErrorBadKeyFormat),
        QStringLiteral("An Ed25519 private key is a 32-byte seed, not %1 bytes.").arg(size));
}

} // namespace

SecureBytes newEd25519Seed()
{
    return randomBytes(Ed25519SeedSize);
}

Result<QByteArray> ed25519PublicKey(const SecureBytes &seed)
{
    const PkeyPtr key = privateKey(seed);
    if (!key)
        return seed.size() == Ed25519SeedSize ? internalError("load an Ed25519 key")
                                              : badSeed(seed.size());
    QByteArray out(Ed25519PublicKeySize, '\0');
    size_t size = size_t(out.size());
    if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char *>(out.data()),
                                    &size) != 1 ||
        size != size_t(Ed25519PublicKeySize))
        return internalError("derive an Ed25519 public key");
    return out;
}

Result<QByteArray> ed25519Sign(const SecureBytes &seed, QByteArrayView message)
{
    const PkeyPtr key = privateKey(seed);
    if (!key)
        return seed.size() == Ed25519SeedSize ? internalError("load an Ed25519 key")
                                              : badSeed(seed.size());
    const MdCtxPtr ctx(EVP_MD_CTX_new());
    QByteArray signature(Ed25519SignatureSize, '\0');
    size_t size = size_t(signature.size());
    // Ed25519 hashes the message itself: no digest, one-shot.
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &size,
                       bytes(message), size_t(message.size())) != 1 ||
        size != size_t(Ed25519SignatureSize))
        return internalError("sign with Ed25519");
    return signature;
}

bool ed25519Verify(QByteArrayView publicKey, QByteArrayView message, QByteArrayView signature)
{
    if (publicKey.size() != Ed25519PublicKeySize || signature.size() != Ed25519SignatureSize)
        return false;
    const PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(publicKey),
                                                  size_t(publicKey.size())));
    const MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
        return false;
    return EVP_DigestVerify(ctx.get(), bytes(signature), size_t(signature.size()), bytes(message),
                            size_t(message.size())) == 1;
}

QString keyFingerprint(QByteArrayView publicKey)
{
    const QByteArray hex =
        QCryptographicHash::hash(publicKey, QCryptographicHash::Sha256).left(16).toHex();
    QString out;
    for (qsizetype i = 0; i < hex.size(); i += 4) {
        if (i > 0)
            out += QLatin1Char(' ');
        out += QString::fromLatin1(hex.mid(i, 4));
    }
    return out;
}

} // namespace kw::crypto
