#pragma once
// Internal helpers shared by the crypto/*.cpp files: OpenSSL handle owners and error values.

#include "common/result.h"
#include "crypto/crypto.h"

#include <QByteArrayView>
#include <QString>

#include <openssl/evp.h>

#include <climits>
#include <memory>

namespace kw::crypto::detail {

struct CipherCtxFree
{
    void operator()(EVP_CIPHER_CTX *ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

inline const unsigned char *bytes(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

inline unsigned char *bytes(QByteArray &array)
{
    return reinterpret_cast<unsigned char *>(array.data());
}

// OpenSSL's one-shot EVP calls take int lengths.
inline bool fitsInt(qsizetype size)
{
    return size >= 0 && size <= INT_MAX - 64;
}

inline kw::Error internalError(const char *what)
{
    return kw::makeError(
        QString(ErrorInternal),
        QStringLiteral("The cryptographic library failed (%1).").arg(QLatin1String(what)));
}

inline kw::Error tooLargeError()
{
    return kw::makeError(QString(ErrorInternal),
                         QStringLiteral("The data is too large to encrypt or decrypt in one go."));
}

inline kw::Error authenticationError()
{
    return kw::makeError(QString(ErrorAuthenticationFailed),
                         QStringLiteral("Decryption failed: the key is wrong or the ciphertext "
                                        "was altered."));
}

} // namespace kw::crypto::detail
