// RFC 5297 AES-CMAC-SIV on top of OpenSSL's CMAC (EVP_MAC) and AES-CTR (EVP_CIPHER), with the
// contexts keyed once per SivContext.

#include "crypto/crypto.h"
#include "crypto/crypto_p.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <array>
#include <cstring>

namespace kw::crypto {

using namespace detail;

namespace {

constexpr qsizetype BlockSize = 16;
// RFC 5297 §7: S2V takes at most 127 components (126 associated data items + plaintext).
constexpr qsizetype MaxAssociatedData = 126;

using Block = std::array<unsigned char, BlockSize>;

// A stack block that is wiped when it goes out of scope (S2V state depends on the plaintext).
struct WipedBlock
{
    Block b{};
    ~WipedBlock() { OPENSSL_cleanse(b.data(), b.size()); }
};

struct MacFree
{
    void operator()(EVP_MAC *mac) const { EVP_MAC_free(mac); }
};

// Fetched once; EVP_MAC objects are immutable and safe to share between threads.
EVP_MAC *cmacAlgorithm()
{
    static const std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr));
    return mac.get();
}

// RFC 5297 §2.3 dbl(): multiply by x in GF(2^128).
void dbl(Block &block)
{
    const bool carry = (block[0] & 0x80) != 0;
    for (qsizetype i = 0; i < BlockSize - 1; ++i)
        block[i] = static_cast<unsigned char>((block[i] << 1) | (block[i + 1] >> 7));
    block[BlockSize - 1] = static_cast<unsigned char>(block[BlockSize - 1] << 1);
    if (carry)
        block[BlockSize - 1] ^= 0x87;
}

void xorInto(Block &target, const unsigned char *other)
{
    for (qsizetype i = 0; i < BlockSize; ++i)
        target[i] ^= other[i];
}

QByteArrayView view(const Block &block)
{
    return QByteArrayView(block.data(), BlockSize);
}

const char *cbcCipherName(qsizetype keySize)
{
    switch (keySize) {
    case 16:
        return "AES-128-CBC";
    case 24:
        return "AES-192-CBC";
    case 32:
        return "AES-256-CBC";
    default:
        return nullptr;
    }
}

const EVP_CIPHER *ctrCipherFor(qsizetype keySize)
{
    switch (keySize) {
    case 16:
        return EVP_aes_128_ctr();
    case 24:
        return EVP_aes_192_ctr();
    case 32:
        return EVP_aes_256_ctr();
    default:
        return nullptr;
    }
}

} // namespace

namespace detail {

SivContext::~SivContext()
{
    OPENSSL_cleanse(m_tinkPrefix, sizeof m_tinkPrefix);
}

bool SivContext::init(const unsigned char *key, qsizetype keySize)
{
    m_hasTinkPrefix = false;
    const qsizetype half = keySize / 2;
    const char *cipherName = cbcCipherName(half);
    EVP_MAC *mac = cmacAlgorithm();
    if (keySize % 2 != 0 || !cipherName || !mac)
        return false;
    m_cmac.reset(EVP_MAC_CTX_new(mac));
    m_ctr.reset(EVP_CIPHER_CTX_new());
    if (!m_cmac || !m_ctr)
        return false;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, const_cast<char *>(cipherName), 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_init(m_cmac.get(), key, static_cast<size_t>(half), params) == 1 &&
           EVP_EncryptInit_ex(m_ctr.get(), ctrCipherFor(half), nullptr, key + half, nullptr) == 1;
}

// CMAC(K1, first || second). A null key restarts the keyed context (subkeys kept).
bool SivContext::cmac(QByteArrayView first, QByteArrayView second, unsigned char *out)
{
    if (EVP_MAC_init(m_cmac.get(), nullptr, 0, nullptr) != 1)
        return false;
    for (QByteArrayView part : {first, second}) {
        if (!part.isEmpty() &&
            EVP_MAC_update(m_cmac.get(), bytes(part), static_cast<size_t>(part.size())) != 1) {
            return false;
        }
    }
    size_t outLen = 0;
    return EVP_MAC_final(m_cmac.get(), out, &outLen, BlockSize) == 1 &&
           outLen == static_cast<size_t>(BlockSize);
}

// RFC 5297 §2.4 S2V over [associatedData..., plaintext] (always at least one component).
bool SivContext::s2v(const QList<QByteArrayView> &associatedData, QByteArrayView plaintext,
                     unsigned char *out)
{
    WipedBlock d;
    // Tink's single empty associated data item: the state before the plaintext depends on the
    // key alone, so it is worked out once per context (two CMACs saved per value).
    const bool tinkStyle = associatedData.size() == 1 && associatedData.first().isEmpty();
    if (tinkStyle && m_hasTinkPrefix) {
        std::memcpy(d.b.data(), m_tinkPrefix, BlockSize);
    } else {
        const Block zero{};
        WipedBlock mac;
        if (!cmac(view(zero), {}, d.b.data()))
            return false;
        for (QByteArrayView component : associatedData) {
            dbl(d.b);
            if (!cmac(component, {}, mac.b.data()))
                return false;
            xorInto(d.b, mac.b.data());
        }
        if (tinkStyle) {
            std::memcpy(m_tinkPrefix, d.b.data(), BlockSize);
            m_hasTinkPrefix = true;
        }
    }
    if (plaintext.size() >= BlockSize) {
        // T = plaintext xorend D: only the last block changes, so MAC the head unchanged.
        const qsizetype headSize = plaintext.size() - BlockSize;
        WipedBlock tail;
        std::memcpy(tail.b.data(), plaintext.data() + headSize, BlockSize);
        xorInto(tail.b, d.b.data());
        return cmac(plaintext.first(headSize), view(tail.b), out);
    }
    dbl(d.b);
    WipedBlock padded;
    if (!plaintext.isEmpty())
        std::memcpy(padded.b.data(), plaintext.data(), static_cast<size_t>(plaintext.size()));
    padded.b[static_cast<size_t>(plaintext.size())] = 0x80;
    xorInto(padded.b, d.b.data());
    return cmac(view(padded.b), {}, out);
}

// RFC 5297 §2.6/2.7: CTR keyed with K2, counter = SIV with bits 63 and 31 cleared. A null
// cipher and key keep the key schedule and only set the counter.
bool SivContext::ctr(const unsigned char *siv, QByteArrayView input, unsigned char *output)
{
    if (input.isEmpty())
        return true;
    Block q;
    std::memcpy(q.data(), siv, BlockSize);
    q[8] &= 0x7f;
    q[12] &= 0x7f;
    int len = 0;
    int finalLen = 0;
    return EVP_EncryptInit_ex(m_ctr.get(), nullptr, nullptr, nullptr, q.data()) == 1 &&
           EVP_EncryptUpdate(m_ctr.get(), output, &len, bytes(input),
                             static_cast<int>(input.size())) == 1 &&
           EVP_EncryptFinal_ex(m_ctr.get(), output + len, &finalLen) == 1;
}

kw::Result<QByteArray> SivContext::encrypt(const QList<QByteArrayView> &associatedData,
                                           QByteArrayView plaintext)
{
    if (!fitsInt(plaintext.size()))
        return tooLargeError();
    QByteArray out(BlockSize + plaintext.size(), Qt::Uninitialized);
    unsigned char *siv = bytes(out);
    if (!s2v(associatedData, plaintext, siv))
        return internalError("AES-CMAC");
    if (!ctr(siv, plaintext, siv + BlockSize))
        return internalError("AES-CTR");
    return out;
}

kw::Result<QByteArray> SivContext::decrypt(const QList<QByteArrayView> &associatedData,
                                           QByteArrayView ciphertext)
{
    if (ciphertext.size() < BlockSize) {
        return kw::makeError(QString(ErrorMalformedCiphertext),
                             QStringLiteral("The ciphertext is too short for AES-SIV: %1 bytes, "
                                            "but at least %2 are needed.")
                                 .arg(ciphertext.size())
                                 .arg(BlockSize));
    }
    if (!fitsInt(ciphertext.size()))
        return tooLargeError();
    const unsigned char *siv = bytes(ciphertext);
    const QByteArrayView body = ciphertext.sliced(BlockSize);
    QByteArray out(body.size(), Qt::Uninitialized);
    if (!ctr(siv, body, bytes(out)))
        return internalError("AES-CTR");
    Block expected{};
    if (!s2v(associatedData, out, expected.data()))
        return internalError("AES-CMAC");
    if (CRYPTO_memcmp(expected.data(), siv, BlockSize) != 0) {
        if (!out.isEmpty())
            OPENSSL_cleanse(out.data(), static_cast<size_t>(out.size()));
        return authenticationError();
    }
    return out;
}

} // namespace detail

namespace {

kw::Error badSivKey(qsizetype size, const char *expected)
{
    return kw::makeError(QString(ErrorBadKeyFormat),
                         QStringLiteral("AES-SIV needs a %1-byte key, but the key has %2 bytes.")
                             .arg(QLatin1String(expected))
                             .arg(size));
}

std::optional<kw::Error>
checkInputs(const SecureBytes &key, const QList<QByteArrayView> &associatedData, qsizetype dataSize)
{
    if (key.size() != 32 && key.size() != 48 && key.size() != 64)
        return badSivKey(key.size(), "32-, 48- or 64");
    if (associatedData.size() > MaxAssociatedData) {
        return kw::makeError(QString(ErrorInternal),
                             QStringLiteral("AES-SIV takes at most %1 associated data items.")
                                 .arg(MaxAssociatedData));
    }
    if (!fitsInt(dataSize))
        return tooLargeError();
    return std::nullopt;
}

} // namespace

kw::Result<QByteArray> aesSivEncryptWithAd(const SecureBytes &key,
                                           const QList<QByteArrayView> &associatedData,
                                           QByteArrayView plaintext)
{
    if (auto error = checkInputs(key, associatedData, plaintext.size()))
        return *error;
    SivContext context;
    if (!context.init(key.data(), key.size()))
        return internalError("AES-SIV init");
    return context.encrypt(associatedData, plaintext);
}

kw::Result<QByteArray> aesSivDecryptWithAd(const SecureBytes &key,
                                           const QList<QByteArrayView> &associatedData,
                                           QByteArrayView ciphertext)
{
    if (auto error = checkInputs(key, associatedData, ciphertext.size()))
        return *error;
    SivContext context;
    if (!context.init(key.data(), key.size()))
        return internalError("AES-SIV init");
    return context.decrypt(associatedData, ciphertext);
}

kw::Result<QByteArray> aesSivEncrypt(const SecureBytes &key64, QByteArrayView plaintext)
{
    if (key64.size() != 64)
        return badSivKey(key64.size(), "64");
    // Tink passes one (empty) associated data item; it is a real S2V component.
    return aesSivEncryptWithAd(key64, {QByteArrayView()}, plaintext);
}

kw::Result<QByteArray> aesSivDecrypt(const SecureBytes &key64, QByteArrayView ciphertext)
{
    if (key64.size() != 64)
        return badSivKey(key64.size(), "64");
    return aesSivDecryptWithAd(key64, {QByteArrayView()}, ciphertext);
}

} // namespace kw::crypto
