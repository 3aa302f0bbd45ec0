#include "core/crypto/crypto.h"

#include "core/crypto/crypto_p.h"

#include <QThread>
#include <QtGlobal>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

namespace kw::crypto {

using namespace detail;

namespace {

struct KdfFree
{
    void operator()(EVP_KDF *kdf) const { EVP_KDF_free(kdf); }
};
struct KdfCtxFree
{
    void operator()(EVP_KDF_CTX *ctx) const { EVP_KDF_CTX_free(ctx); }
};

const EVP_CIPHER *gcmCipherFor(qsizetype keySize)
{
    switch (keySize) {
    case 16:
        return EVP_aes_128_gcm();
    case 32:
        return EVP_aes_256_gcm();
    default:
        return nullptr;
    }
}

kw::Error badGcmKey(qsizetype size)
{
    return kw::makeError(QString(ErrorBadKeyFormat),
                         QStringLiteral("AES-GCM needs a 16- or 32-byte key, but the key has %1 "
                                        "bytes.")
                             .arg(size));
}

} // namespace

int keySize(DekAlgorithm algorithm)
{
    switch (algorithm) {
    case DekAlgorithm::Aes128Gcm:
        return 16;
    case DekAlgorithm::Aes256Gcm:
        return 32;
    case DekAlgorithm::Aes256Siv:
        return 64;
    }
    return 0;
}

SecureBytes randomBytes(qsizetype n)
{
    SecureBytes out(n);
    qsizetype done = 0;
    while (done < out.size()) {
        const int chunk = static_cast<int>(std::min<qsizetype>(out.size() - done, 1 << 20));
        if (RAND_bytes(out.data() + done, chunk) != 1) {
            // Predictable keys or IVs would silently break every guarantee; stop instead.
            qFatal("kw::crypto::randomBytes: the OpenSSL random generator failed");
        }
        done += chunk;
    }
    return out;
}

void releaseThreadState()
{
    OPENSSL_thread_stop();
}

void releaseThreadStateOnFinish(QThread *thread)
{
    // finished() is emitted in the ending thread itself; a direct connection runs there too.
    QObject::connect(
        thread, &QThread::finished, thread, [] { OPENSSL_thread_stop(); }, Qt::DirectConnection);
}

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    if (a.isEmpty())
        return true;
    return CRYPTO_memcmp(a.data(), b.data(), static_cast<size_t>(a.size())) == 0;
}

SecureBytes hkdfSha256(QByteArrayView ikm, QByteArrayView salt, QByteArrayView info,
                       qsizetype length)
{
    if (length <= 0 || length > 255 * 32 || ikm.isEmpty() || !fitsInt(ikm.size()))
        return {};
    std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    if (!kdf)
        return {};
    std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
    if (!ctx)
        return {};

    char digest[] = "SHA256";
    OSSL_PARAM params[5];
    OSSL_PARAM *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char *>(ikm.data()),
                                             static_cast<size_t>(ikm.size()));
    // Leaving the salt out makes OpenSSL use HMAC's zero key, which is RFC 5869's default.
    if (!salt.isEmpty()) {
        *p++ = OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_SALT, const_cast<char *>(salt.data()), static_cast<size_t>(salt.size()));
    }
    if (!info.isEmpty()) {
        *p++ = OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_INFO, const_cast<char *>(info.data()), static_cast<size_t>(info.size()));
    }
    *p = OSSL_PARAM_construct_end();

    SecureBytes out(length);
    if (EVP_KDF_derive(ctx.get(), out.data(), static_cast<size_t>(length), params) != 1)
        return {};
    return out;
}

kw::Result<QByteArray> aesGcmEncrypt(const SecureBytes &key, QByteArrayView plaintext)
{
    const SecureBytes iv = randomBytes(GcmIvSize);
    return aesGcmEncryptWithIv(key, iv.view(), plaintext);
}

namespace detail {

bool GcmContext::init(const unsigned char *key, qsizetype keySize)
{
    const EVP_CIPHER *cipher = gcmCipherFor(keySize);
    m_ctx.reset(EVP_CIPHER_CTX_new());
    return cipher && m_ctx && EVP_EncryptInit_ex(m_ctx.get(), cipher, nullptr, key, nullptr) == 1;
}

kw::Result<QByteArray> GcmContext::encrypt(QByteArrayView iv, QByteArrayView plaintext)
{
    if (iv.size() != GcmIvSize) {
        return kw::makeError(
            QString(ErrorInternal),
            QStringLiteral("AES-GCM needs a 12-byte IV, not %1 bytes.").arg(iv.size()));
    }
    if (!fitsInt(plaintext.size()))
        return tooLargeError();
    // A null cipher and key keep the key schedule; only the IV (and direction) change.
    if (EVP_EncryptInit_ex(m_ctx.get(), nullptr, nullptr, nullptr, bytes(iv)) != 1)
        return internalError("AES-GCM init");

    QByteArray out(GcmIvSize + plaintext.size() + GcmTagSize, Qt::Uninitialized);
    unsigned char *outIv = bytes(out);
    unsigned char *outCt = outIv + GcmIvSize;
    std::memcpy(outIv, iv.data(), GcmIvSize);
    int len = 0;
    if (!plaintext.isEmpty() && EVP_EncryptUpdate(m_ctx.get(), outCt, &len, bytes(plaintext),
                                                  static_cast<int>(plaintext.size())) != 1) {
        return internalError("AES-GCM encrypt");
    }
    int finalLen = 0;
    if (EVP_EncryptFinal_ex(m_ctx.get(), outCt + len, &finalLen) != 1 ||
        EVP_CIPHER_CTX_ctrl(m_ctx.get(), EVP_CTRL_GCM_GET_TAG, GcmTagSize,
                            outCt + plaintext.size()) != 1) {
        return internalError("AES-GCM tag");
    }
    return out;
}

kw::Result<QByteArray> GcmContext::decrypt(QByteArrayView ciphertext)
{
    if (ciphertext.size() < GcmIvSize + GcmTagSize) {
        return kw::makeError(QString(ErrorMalformedCiphertext),
                             QStringLiteral("The ciphertext is too short for AES-GCM: %1 bytes, "
                                            "but at least %2 are needed.")
                                 .arg(ciphertext.size())
                                 .arg(GcmIvSize + GcmTagSize));
    }
    if (!fitsInt(ciphertext.size()))
        return tooLargeError();

    const qsizetype ctSize = ciphertext.size() - GcmIvSize - GcmTagSize;
    const unsigned char *iv = bytes(ciphertext);
    const unsigned char *ct = iv + GcmIvSize;
    unsigned char tag[GcmTagSize];
    std::memcpy(tag, ct + ctSize, GcmTagSize);

    if (EVP_DecryptInit_ex(m_ctx.get(), nullptr, nullptr, nullptr, iv) != 1)
        return internalError("AES-GCM init");

    QByteArray out(ctSize, Qt::Uninitialized);
    int len = 0;
    if (ctSize > 0 &&
        EVP_DecryptUpdate(m_ctx.get(), bytes(out), &len, ct, static_cast<int>(ctSize)) != 1) {
        return internalError("AES-GCM decrypt");
    }
    if (EVP_CIPHER_CTX_ctrl(m_ctx.get(), EVP_CTRL_GCM_SET_TAG, GcmTagSize, tag) != 1)
        return internalError("AES-GCM tag");
    int finalLen = 0;
    if (EVP_DecryptFinal_ex(m_ctx.get(), bytes(out) + len, &finalLen) != 1) {
        // Never hand out unauthenticated plaintext, not even in memory we free.
        if (!out.isEmpty())
            OPENSSL_cleanse(out.data(), static_cast<size_t>(out.size()));
        return authenticationError();
    }
    return out;
}

} // namespace detail

kw::Result<QByteArray> aesGcmEncryptWithIv(const SecureBytes &key, QByteArrayView iv,
                                           QByteArrayView plaintext)
{
    GcmContext context;
    if (!gcmCipherFor(key.size()))
        return badGcmKey(key.size());
    if (!context.init(key.data(), key.size()))
        return internalError("AES-GCM init");
    return context.encrypt(iv, plaintext);
}

kw::Result<QByteArray> aesGcmDecrypt(const SecureBytes &key, QByteArrayView ciphertext)
{
    GcmContext context;
    if (!gcmCipherFor(key.size()))
        return badGcmKey(key.size());
    if (!context.init(key.data(), key.size()))
        return internalError("AES-GCM init");
    return context.decrypt(ciphertext);
}

} // namespace kw::crypto
