#pragma once
// Internal helpers shared by the crypto/*.cpp files: OpenSSL handle owners and error values.

#include "core/crypto/crypto.h"
#include "core/domain/result.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <span>

namespace kw::crypto::detail {

struct CipherCtxFree
{
    void operator()(EVP_CIPHER_CTX *ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

struct PkeyFree
{
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct PkeyCtxFree
{
    void operator()(EVP_PKEY_CTX *ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

struct MdCtxFree
{
    void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

inline constexpr qsizetype GcmIvSize = 12;
inline constexpr qsizetype GcmTagSize = 16;

// AES-CMAC-SIV (RFC 5297) with its OpenSSL contexts keyed once: the AES key schedules and
// CMAC subkeys are computed by init(), and every later call only restarts the contexts. Not
// thread-safe; DekCipher keeps a small pool of them per key.
class SivContext
{
public:
    SivContext() = default;
    ~SivContext();
    SivContext(const SivContext &) = delete;
    SivContext &operator=(const SivContext &) = delete;

    // `keySize` 32, 48 or 64 (first half S2V/CMAC key, second half CTR key). False when
    // OpenSSL refuses.
    bool init(const unsigned char *key, qsizetype keySize);
    // The associated data items as a span: a DEK's every value passes one (empty) item, which
    // should cost no allocation.
    [[nodiscard]] kw::Result<QByteArray> encrypt(std::span<const QByteArrayView> associatedData,
                                                 QByteArrayView plaintext);
    [[nodiscard]] kw::Result<QByteArray> decrypt(std::span<const QByteArrayView> associatedData,
                                                 QByteArrayView ciphertext);

private:
    bool cmac(QByteArrayView first, QByteArrayView second, unsigned char *out);
    bool s2v(std::span<const QByteArrayView> associatedData, QByteArrayView plaintext,
             unsigned char *out);
    bool ctr(const unsigned char *siv, QByteArrayView input, unsigned char *output);

    CipherCtxPtr m_cbc;               // AES-CBC under the first half of the key, for CMAC
    CipherCtxPtr m_ecb;               // AES-ECB under the second half, for the CTR key stream
    unsigned char m_subkey1[16] = {}; // CMAC's subkeys (RFC 4493 §2.3)
    unsigned char m_subkey2[16] = {};
    unsigned char m_chain[16] = {}; // the CBC context's chaining value (its last output block)
    // S2V's state after [empty associated data], which depends on the key alone (see s2v()).
    unsigned char m_tinkPrefix[16] = {};
    bool m_hasTinkPrefix = false;
};

// AES-GCM (12-byte IV, 16-byte tag, empty AAD) with its context keyed once, as above.
class GcmContext
{
public:
    bool init(const unsigned char *key, qsizetype keySize); // 16 or 32 bytes
    // Output: IV || ciphertext || tag.
    [[nodiscard]] kw::Result<QByteArray> encrypt(QByteArrayView iv, QByteArrayView plaintext);
    [[nodiscard]] kw::Result<QByteArray> decrypt(QByteArrayView ciphertext);

private:
    CipherCtxPtr m_ctx;
};

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
