#include "core/crypto/rsasign.h"

#include "core/crypto/crypto.h"
#include "core/crypto/crypto_p.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <memory>

namespace kw::crypto {

using namespace detail;

namespace {

struct BioFree
{
    void operator()(BIO *bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

Error badPrivateKey()
{
    return makeError(QString(ErrorBadKeyFormat),
                     QStringLiteral("The private key is not an RSA key in PEM form "
                                    "(\"-----BEGIN PRIVATE KEY-----\")."));
}

BioPtr memoryBio(QByteArrayView bytes)
{
    return BioPtr(BIO_new_mem_buf(bytes.data(), int(bytes.size())));
}

PkeyPtr loadPrivateKey(const SecureBytes &pem)
{
    // Service-account JSON files carry the PEM with "\n" escapes already decoded; a PEM
    // with no passphrase never prompts (the callback refuses).
    const BioPtr bio = memoryBio(pem.view());
    if (!bio)
        return {};
    PkeyPtr key(PEM_read_bio_PrivateKey(
        bio.get(), nullptr, [](char *, int, int, void *) { return 0; }, nullptr));
    if (key && EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA)
        return {};
    return key;
}

QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, qsizetype(size));
}

constexpr std::array<quint32, 256> crc32cTable()
{
    std::array<quint32, 256> table{};
    for (quint32 i = 0; i < 256; ++i) {
        quint32 crc = i;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 1U) ? (crc >> 1) ^ 0x82F63B78U : crc >> 1;
        table[i] = crc;
    }
    return table;
}

} // namespace

quint32 crc32c(QByteArrayView data)
{
    static constexpr std::array<quint32, 256> table = crc32cTable();
    quint32 crc = 0xFFFFFFFFU;
    for (const char byte : data)
        crc = table[(crc ^ quint8(byte)) & 0xFFU] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFU;
}

Result<SecureBytes> newRsaPrivateKeyPem(int bits)
{
    const PkeyPtr key(EVP_RSA_gen(static_cast<unsigned int>(bits)));
    if (!key)
        return internalError("generate an RSA key");
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                              nullptr) != 1)
        return internalError("write an RSA private key");
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    SecureBytes pem = SecureBytes::fromBytes(QByteArrayView(data, qsizetype(size)));
    OPENSSL_cleanse(data, size_t(size));
    return pem;
}

Result<QByteArray> rsaPublicKeyPem(const SecureBytes &privateKeyPem)
{
    const PkeyPtr key = loadPrivateKey(privateKeyPem);
    if (!key)
        return badPrivateKey();
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1)
        return internalError("write an RSA public key");
    return bioContents(bio.get());
}

Result<QByteArray> rs256Sign(const SecureBytes &privateKeyPem, QByteArrayView message)
{
    const PkeyPtr key = loadPrivateKey(privateKeyPem);
    if (!key)
        return badPrivateKey();
    const MdCtxPtr ctx(EVP_MD_CTX_new());
    size_t size = 0;
    // RSA keys sign with PKCS#1 v1.5 padding by default: exactly RS256.
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, bytes(message), size_t(message.size())) != 1)
        return internalError("sign with RS256");
    QByteArray signature(qsizetype(size), '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &size,
                       bytes(message), size_t(message.size())) != 1)
        return internalError("sign with RS256");
    signature.resize(qsizetype(size));
    return signature;
}

bool rs256Verify(QByteArrayView publicKeyPem, QByteArrayView message, QByteArrayView signature)
{
    const BioPtr bio = memoryBio(publicKeyPem);
    if (!bio)
        return false;
    const PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA)
        return false;
    const MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1)
        return false;
    return EVP_DigestVerify(ctx.get(), bytes(signature), size_t(signature.size()), bytes(message),
                            size_t(message.size())) == 1;
}

namespace {

bool setOaepSha256(EVP_PKEY_CTX *ctx)
{
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) == 1;
}

QByteArray bignumBytes(const BIGNUM *bn)
{
    QByteArray out(qsizetype(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char *>(out.data()));
    return out;
}

} // namespace

Result<QByteArray> rsaOaepSha256Encrypt(QByteArrayView publicKeyPem, QByteArrayView plaintext)
{
    const BioPtr bio = memoryBio(publicKeyPem);
    const PkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA)
        return makeError(QString(ErrorBadKeyFormat),
                         QStringLiteral("The public key is not an RSA key in PEM form."));
    const PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
    size_t size = 0;
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 || !setOaepSha256(ctx.get()) ||
        EVP_PKEY_encrypt(ctx.get(), nullptr, &size, bytes(plaintext), size_t(plaintext.size())) !=
            1)
        return internalError("encrypt with RSA-OAEP-256");
    QByteArray out(qsizetype(size), '\0');
    if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char *>(out.data()), &size,
                         bytes(plaintext), size_t(plaintext.size())) != 1)
        return internalError("encrypt with RSA-OAEP-256 (the plaintext may be too long)");
    out.resize(qsizetype(size));
    return out;
}

Result<SecureBytes> rsaOaepSha256Decrypt(const SecureBytes &privateKeyPem,
                                         QByteArrayView ciphertext)
{
    const PkeyPtr key = loadPrivateKey(privateKeyPem);
    if (!key)
        return badPrivateKey();
    const PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
    size_t size = 0;
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 || !setOaepSha256(ctx.get()) ||
        EVP_PKEY_decrypt(ctx.get(), nullptr, &size, bytes(ciphertext), size_t(ciphertext.size())) !=
            1)
        return internalError("decrypt with RSA-OAEP-256");
    QByteArray out(qsizetype(size), '\0');
    if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char *>(out.data()), &size,
                         bytes(ciphertext), size_t(ciphertext.size())) != 1) {
        OPENSSL_cleanse(out.data(), size_t(out.size()));
        return makeError(QString(ErrorAuthenticationFailed),
                         QStringLiteral("The ciphertext is not RSA-OAEP-256 output of this key."));
    }
    SecureBytes plaintext = SecureBytes::fromBytes(QByteArrayView(out).first(qsizetype(size)));
    OPENSSL_cleanse(out.data(), size_t(out.size()));
    return plaintext;
}

Result<std::pair<QByteArray, QByteArray>> rsaPublicNumbers(const SecureBytes &privateKeyPem)
{
    const PkeyPtr key = loadPrivateKey(privateKeyPem);
    if (!key)
        return badPrivateKey();
    BIGNUM *n = nullptr;
    BIGNUM *e = nullptr;
    if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
        BN_free(n);
        BN_free(e);
        return internalError("read the RSA public numbers");
    }
    std::pair<QByteArray, QByteArray> out{bignumBytes(n), bignumBytes(e)};
    BN_free(n);
    BN_free(e);
    return out;
}

} // namespace kw::crypto
