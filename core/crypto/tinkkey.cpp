// Tink key protos (AesGcmKey, AesSivKey) and DekCipher.

#include "core/crypto/crypto.h"
#include "core/crypto/crypto_p.h"

#include <cstring>
#include <mutex>
#include <type_traits>
#include <vector>

namespace kw::crypto {

using namespace detail;

namespace {

enum WireType : quint64
{
    WireVarint = 0,
    WireFixed64 = 1,
    WireLengthDelimited = 2,
    WireFixed32 = 5,
};

constexpr quint64 FieldVersion = 1;

quint64 keyValueField(DekAlgorithm algorithm)
{
    // AesGcmKey: 2 = params (unused), 3 = key_value. AesSivKey: 2 = key_value.
    return algorithm == DekAlgorithm::Aes256Siv ? 2 : 3;
}

QString protoName(DekAlgorithm algorithm)
{
    return algorithm == DekAlgorithm::Aes256Siv ? QStringLiteral("AesSivKey")
                                                : QStringLiteral("AesGcmKey");
}

kw::Error badKey(DekAlgorithm algorithm, const QString &problem)
{
    return kw::makeError(QString(ErrorBadKeyFormat),
                         QStringLiteral("The %1 key material is not a valid Tink %2: %3.")
                             .arg(algorithmName(algorithm), protoName(algorithm), problem));
}

// A bounds-checked reader of protobuf wire format.
class WireReader
{
public:
    explicit WireReader(QByteArrayView data)
        : m_data(data)
    {}

    [[nodiscard]] bool atEnd() const { return m_pos >= m_data.size(); }

    bool readVarint(quint64 &value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (atEnd())
                return false;
            const auto byte = static_cast<quint8>(m_data[m_pos++]);
            value |= quint64(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0)
                return true;
        }
        return false; // more than 10 bytes
    }

    bool skip(quint64 count)
    {
        if (count > quint64(m_data.size() - m_pos))
            return false;
        m_pos += static_cast<qsizetype>(count);
        return true;
    }

    bool readLengthDelimited(QByteArrayView &out)
    {
        quint64 length = 0;
        if (!readVarint(length) || length > quint64(m_data.size() - m_pos))
            return false;
        out = m_data.sliced(m_pos, static_cast<qsizetype>(length));
        m_pos += static_cast<qsizetype>(length);
        return true;
    }

private:
    QByteArrayView m_data;
    qsizetype m_pos = 0;
};

} // namespace

kw::Result<SecureBytes> parseTinkKey(DekAlgorithm algorithm, QByteArrayView serializedProto)
{
    const quint64 keyField = keyValueField(algorithm);
    WireReader reader(serializedProto);
    quint64 version = 0;
    std::optional<QByteArrayView> keyValue;

    while (!reader.atEnd()) {
        quint64 tag = 0;
        if (!reader.readVarint(tag))
            return badKey(algorithm, QStringLiteral("a field tag is truncated or malformed"));
        const quint64 field = tag >> 3;
        const quint64 wireType = tag & 7;
        if (field == 0)
            return badKey(algorithm, QStringLiteral("it contains field number 0"));
        if ((field == FieldVersion && wireType != WireVarint) ||
            (field == keyField && wireType != WireLengthDelimited)) {
            return badKey(algorithm, QStringLiteral("field %1 has the wrong wire type").arg(field));
        }

        bool ok = false;
        switch (wireType) {
        case WireVarint: {
            quint64 value = 0;
            ok = reader.readVarint(value);
            if (field == FieldVersion)
                version = value;
            break;
        }
        case WireFixed64:
            ok = reader.skip(8);
            break;
        case WireLengthDelimited: {
            QByteArrayView value;
            ok = reader.readLengthDelimited(value);
            if (ok && field == keyField)
                keyValue = value; // protobuf: the last occurrence wins
            break;
        }
        case WireFixed32:
            ok = reader.skip(4);
            break;
        default:
            return badKey(
                algorithm,
                QStringLiteral("field %1 uses unsupported wire type %2").arg(field).arg(wireType));
        }
        if (!ok)
            return badKey(algorithm,
                          QStringLiteral("field %1 is truncated or malformed").arg(field));
    }

    if (version != 0) {
        return badKey(algorithm,
                      QStringLiteral("key version %1 is not supported (only 0 is)").arg(version));
    }
    if (!keyValue)
        return badKey(algorithm, QStringLiteral("it has no key value"));
    if (keyValue->size() != keySize(algorithm)) {
        return badKey(algorithm, QStringLiteral("the key is %1 bytes long, but %2 are needed")
                                     .arg(keyValue->size())
                                     .arg(keySize(algorithm)));
    }
    return SecureBytes::fromBytes(*keyValue);
}

SecureBytes serializeTinkKey(DekAlgorithm algorithm, const SecureBytes &rawKey)
{
    const quint64 tag = (keyValueField(algorithm) << 3) | WireLengthDelimited;
    unsigned char header[1 + 10];
    qsizetype headerSize = 0;
    header[headerSize++] = static_cast<unsigned char>(tag);
    for (auto length = quint64(rawKey.size());; length >>= 7) {
        const auto low = static_cast<unsigned char>(length & 0x7f);
        if (length < 0x80) {
            header[headerSize++] = low;
            break;
        }
        header[headerSize++] = static_cast<unsigned char>(low | 0x80);
    }

    SecureBytes out(headerSize + rawKey.size());
    std::memcpy(out.data(), header, static_cast<size_t>(headerSize));
    if (!rawKey.isEmpty())
        std::memcpy(out.data() + headerSize, rawKey.data(), static_cast<size_t>(rawKey.size()));
    return out;
}

SecureBytes generateTinkKey(DekAlgorithm algorithm)
{
    return serializeTinkKey(algorithm, randomBytes(keySize(algorithm)));
}

// The key and a pool of contexts keyed with it. A call takes a context from the pool (or keys a
// new one), uses it alone and puts it back; at most kMaxIdle stay for later calls.
struct DekCipher::State
{
    static constexpr std::size_t kMaxIdle = 16;

    explicit State(SecureBytes k)
        : key(std::move(k))
    {}

    template<typename Context>
    std::unique_ptr<Context> take(std::vector<std::unique_ptr<Context>> &idle)
    {
        {
            std::lock_guard lock(mutex);
            if (!idle.empty()) {
                std::unique_ptr<Context> context = std::move(idle.back());
                idle.pop_back();
                return context;
            }
        }
        auto context = std::make_unique<Context>();
        if (!context->init(key.data(), key.size()))
            return nullptr;
        return context;
    }

    template<typename Context>
    void giveBack(std::vector<std::unique_ptr<Context>> &idle, std::unique_ptr<Context> context)
    {
        std::lock_guard lock(mutex);
        if (idle.size() < kMaxIdle)
            idle.push_back(std::move(context));
    }

    // Runs `op` with a keyed context of the algorithm's kind.
    template<typename Op>
    kw::Result<QByteArray> with(DekAlgorithm algorithm, Op &&op)
    {
        if (algorithm == DekAlgorithm::Aes256Siv)
            return withIdle(idleSiv, "AES-SIV init", op);
        return withIdle(idleGcm, "AES-GCM init", op);
    }

    template<typename Context, typename Op>
    kw::Result<QByteArray> withIdle(std::vector<std::unique_ptr<Context>> &idle, const char *what,
                                    Op &op)
    {
        std::unique_ptr<Context> context = take(idle);
        if (!context)
            return internalError(what);
        auto result = op(*context);
        giveBack(idle, std::move(context));
        return result;
    }

    const SecureBytes key;
    std::mutex mutex;
    std::vector<std::unique_ptr<SivContext>> idleSiv;
    std::vector<std::unique_ptr<GcmContext>> idleGcm;
};

DekCipher::DekCipher(DekAlgorithm algorithm, SecureBytes key)
    : m_algorithm(algorithm)
    , m_state(std::make_shared<State>(std::move(key)))
{}

kw::Result<DekCipher> DekCipher::fromKeyProto(DekAlgorithm algorithm,
                                              QByteArrayView serializedProto)
{
    auto key = parseTinkKey(algorithm, serializedProto);
    if (!key)
        return key.error();
    return DekCipher(algorithm, std::move(key).value());
}

kw::Result<DekCipher> DekCipher::fromRawKey(DekAlgorithm algorithm, const SecureBytes &rawKey)
{
    if (rawKey.size() != keySize(algorithm)) {
        return kw::makeError(QString(ErrorBadKeyFormat),
                             QStringLiteral("An %1 key must be %2 bytes long, not %3.")
                                 .arg(algorithmName(algorithm))
                                 .arg(keySize(algorithm))
                                 .arg(rawKey.size()));
    }
    return DekCipher(algorithm, rawKey);
}

// Tink passes one (empty) associated data item to AES-SIV; it is a real S2V component.
constexpr QByteArrayView kTinkAssociatedData[1] = {QByteArrayView()};

kw::Result<QByteArray> DekCipher::encrypt(QByteArrayView plaintext) const
{
    return m_state->with(m_algorithm, [&](auto &context) -> kw::Result<QByteArray> {
        if constexpr (std::is_same_v<std::decay_t<decltype(context)>, SivContext>) {
            return context.encrypt(kTinkAssociatedData, plaintext);
        } else {
            const SecureBytes iv = randomBytes(GcmIvSize);
            return context.encrypt(iv.view(), plaintext);
        }
    });
}

kw::Result<QByteArray> DekCipher::decrypt(QByteArrayView ciphertext) const
{
    return m_state->with(m_algorithm, [&](auto &context) -> kw::Result<QByteArray> {
        if constexpr (std::is_same_v<std::decay_t<decltype(context)>, SivContext>)
            return context.decrypt(kTinkAssociatedData, ciphertext);
        else
            return context.decrypt(ciphertext);
    });
}

} // namespace kw::crypto
