// RFC 5297 AES-CMAC-SIV on OpenSSL's AES-CBC (for CMAC, RFC 4493) and AES-ECB (for the CTR
// key stream), with the contexts keyed once per SivContext.

#include "core/crypto/crypto.h"
#include "core/crypto/crypto_p.h"

#include <QVarLengthArray>
#include <QtEndian>

#include <openssl/crypto.h>

#include <algorithm>
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

// AES in CBC (for CMAC) or ECB (for the CTR key stream) for a 16-, 24- or 32-byte key.
const EVP_CIPHER *aesFor(qsizetype keySize, bool cbc)
{
    switch (keySize) {
    case 16:
        return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ecb();
    case 24:
        return cbc ? EVP_aes_192_cbc() : EVP_aes_192_ecb();
    case 32:
        return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ecb();
    default:
        return nullptr;
    }
}

} // namespace

namespace detail {

SivContext::~SivContext()
{
    OPENSSL_cleanse(m_tinkPrefix, sizeof m_tinkPrefix);
    OPENSSL_cleanse(m_subkey1, sizeof m_subkey1);
    OPENSSL_cleanse(m_subkey2, sizeof m_subkey2);
    OPENSSL_cleanse(m_chain, sizeof m_chain);
}

bool SivContext::init(const unsigned char *key, qsizetype keySize)
{
    m_hasTinkPrefix = false;
    const qsizetype half = keySize / 2;
    const EVP_CIPHER *cbc = aesFor(half, true);
    if (keySize % 2 != 0 || !cbc)
        return false;
    m_cbc.reset(EVP_CIPHER_CTX_new());
    m_ecb.reset(EVP_CIPHER_CTX_new());
    const Block zero{};
    WipedBlock l;
    int len = 0;
    if (!m_cbc || !m_ecb || EVP_EncryptInit_ex(m_cbc.get(), cbc, nullptr, key, zero.data()) != 1 ||
        EVP_CIPHER_CTX_set_padding(m_cbc.get(), 0) != 1 ||
        EVP_EncryptInit_ex(m_ecb.get(), aesFor(half, false), nullptr, key + half, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(m_ecb.get(), 0) != 1)
        return false;
    // RFC 4493 §2.3: L = AES(K1, 0), K1' = dbl(L), K2' = dbl(K1') (the same doubling as S2V's).
    if (EVP_EncryptUpdate(m_cbc.get(), l.b.data(), &len, zero.data(), BlockSize) != 1 ||
        len != BlockSize)
        return false;
    std::memcpy(m_chain, l.b.data(), BlockSize); // CBC chains on from its last output block
    dbl(l.b);
    std::memcpy(m_subkey1, l.b.data(), BlockSize);
    dbl(l.b);
    std::memcpy(m_subkey2, l.b.data(), BlockSize);
    return true;
}

// RFC 4493 AES-CMAC(K1, first || second) as a CBC-MAC over the message with its last block
// prepared (XOR with a subkey, padded when incomplete): one cipher call whatever the length.
// The CBC context is never re-initialised: it chains on from the last block it produced
// (m_chain), so XOR-ing that into the first block gives the CBC-MAC with a zero IV.
bool SivContext::cmac(QByteArrayView first, QByteArrayView second, unsigned char *out)
{
    const qsizetype total = first.size() + second.size();
    const bool complete = total > 0 && total % BlockSize == 0;
    const qsizetype blocks = total == 0 ? 1 : (total + BlockSize - 1) / BlockSize;
    const qsizetype size = blocks * BlockSize;
    QVarLengthArray<unsigned char, 256> message(size);
    unsigned char *m = message.data();
    if (!first.isEmpty())
        std::memcpy(m, first.data(), static_cast<size_t>(first.size()));
    if (!second.isEmpty())
        std::memcpy(m + first.size(), second.data(), static_cast<size_t>(second.size()));
    if (!complete) {
        m[total] = 0x80;
        std::memset(m + total + 1, 0, static_cast<size_t>(size - total - 1));
    }
    const unsigned char *subkey = complete ? m_subkey1 : m_subkey2;
    unsigned char *last = m + size - BlockSize;
    for (qsizetype i = 0; i < BlockSize; ++i) {
        last[i] ^= subkey[i];
        m[i] ^= m_chain[i];
    }
    // In place: the CBC output is only read for its last block.
    int len = 0;
    const bool ok =
        EVP_EncryptUpdate(m_cbc.get(), m, &len, m, static_cast<int>(size)) == 1 && len == size;
    if (ok) {
        std::memcpy(out, last, BlockSize);
        std::memcpy(m_chain, last, BlockSize);
    } else {
        // Unknown chaining state: start again from a zero IV.
        const Block zero{};
        EVP_EncryptInit_ex(m_cbc.get(), nullptr, nullptr, nullptr, zero.data());
        std::memset(m_chain, 0, sizeof m_chain);
    }
    OPENSSL_cleanse(m, static_cast<size_t>(size)); // derived from the plaintext
    return ok;
}

// RFC 5297 §2.4 S2V over [associatedData..., plaintext] (always at least one component).
bool SivContext::s2v(std::span<const QByteArrayView> associatedData, QByteArrayView plaintext,
                     unsigned char *out)
{
    WipedBlock d;
    // Tink's single empty associated data item: the state before the plaintext depends on the
    // key alone, so it is worked out once per context (two CMACs saved per value).
    const bool tinkStyle = associatedData.size() == 1 && associatedData.front().isEmpty();
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

// RFC 5297 §2.6/2.7: CTR keyed with K2, counter = SIV with bits 63 and 31 cleared, counting
// up as a 128-bit big-endian number. The key stream is made by encrypting runs of counter
// blocks in ECB, which needs no per-value IV set-up.
bool SivContext::ctr(const unsigned char *siv, QByteArrayView input, unsigned char *output)
{
    constexpr qsizetype SegmentBlocks = 64;
    quint64 high = qFromBigEndian<quint64>(siv);
    quint64 low = qFromBigEndian<quint64>(siv + 8) & ~((quint64(1) << 63) | (quint64(1) << 31));
    unsigned char stream[SegmentBlocks * BlockSize];
    const auto *in = bytes(input);
    bool ok = true;
    qsizetype used = 0; // of `stream`, to wipe: field values are mostly far shorter than it
    for (qsizetype done = 0; ok && done < input.size();) {
        const qsizetype n = std::min(input.size() - done, SegmentBlocks * BlockSize);
        const qsizetype blocks = (n + BlockSize - 1) / BlockSize;
        used = std::max(used, blocks * BlockSize);
        for (qsizetype b = 0; b < blocks; ++b) {
            qToBigEndian(high, stream + b * BlockSize);
            qToBigEndian(low, stream + b * BlockSize + 8);
            if (++low == 0)
                ++high;
        }
        int len = 0;
        ok = EVP_EncryptUpdate(m_ecb.get(), stream, &len, stream,
                               static_cast<int>(blocks * BlockSize)) == 1 &&
             len == blocks * BlockSize;
        for (qsizetype i = 0; ok && i < n; ++i)
            output[done + i] = in[done + i] ^ stream[i];
        done += n;
    }
    OPENSSL_cleanse(stream, static_cast<size_t>(used));
    return ok;
}

kw::Result<QByteArray> SivContext::encrypt(std::span<const QByteArrayView> associatedData,
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

kw::Result<QByteArray> SivContext::decrypt(std::span<const QByteArrayView> associatedData,
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
    return context.encrypt(std::span(associatedData.constData(), associatedData.size()), plaintext);
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
    return context.decrypt(std::span(associatedData.constData(), associatedData.size()),
                           ciphertext);
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
