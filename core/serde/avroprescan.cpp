#include "serde/avroprescan.h"

#include <limits>

namespace kw::serde::detail {

namespace {

// Items that take no bytes (nulls, empty records) are allowed up to this many per body, so a
// block count alone cannot make the decoder spin or allocate without bound.
constexpr qint64 kMaxEmptyItems = 1 << 16;

class Scanner
{
public:
    Scanner(const AvroModel &model, QByteArrayView body)
        : m_model(model)
        , m_data(reinterpret_cast<const unsigned char *>(body.data()))
        , m_size(body.size())
    {}

    kw::Result<void> run()
    {
        if (!value(m_model.root, 0)) {
            return error();
        }
        if (m_pos != m_size) {
            m_error = QStringLiteral("%1 unexpected bytes follow the record").arg(m_size - m_pos);
            return error();
        }
        return {};
    }

private:
    const AvroModel &m_model;
    const unsigned char *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
    qint64 m_emptyItems = 0;
    QString m_error;

    kw::Error error() const
    {
        return kw::makeError(QStringLiteral("serde.malformed_record"),
                             QStringLiteral("The Avro record does not match its schema: %1 (at "
                                            "byte %2 of %3).")
                                 .arg(m_error)
                                 .arg(m_pos)
                                 .arg(m_size));
    }

    bool fail(const QString &message)
    {
        if (m_error.isEmpty()) {
            m_error = message;
        }
        return false;
    }

    qsizetype remaining() const { return m_size - m_pos; }

    // Zig-zag varint of at most `maxBytes` bytes.
    bool readLong(qint64 &out, int maxBytes)
    {
        quint64 raw = 0;
        for (int i = 0;; ++i) {
            if (i == maxBytes) {
                return fail(QStringLiteral("a number is longer than %1 bytes").arg(maxBytes));
            }
            if (m_pos >= m_size) {
                return fail(QStringLiteral("the data ends inside a number"));
            }
            const unsigned char b = m_data[m_pos++];
            raw |= static_cast<quint64>(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                break;
            }
        }
        out = static_cast<qint64>((raw >> 1) ^ (~(raw & 1) + 1));
        return true;
    }

    bool readInt(qint64 &out)
    {
        if (!readLong(out, 5)) {
            return false;
        }
        if (out < std::numeric_limits<qint32>::min() || out > std::numeric_limits<qint32>::max()) {
            return fail(QStringLiteral("an int is out of range"));
        }
        return true;
    }

    bool skip(qint64 count, const QString &what)
    {
        if (count < 0 || count > remaining()) {
            return fail(
                QStringLiteral("%1 of %2 bytes does not fit in the data").arg(what).arg(count));
        }
        m_pos += static_cast<qsizetype>(count);
        return true;
    }

    bool lengthPrefixed(const QString &what)
    {
        qint64 length = 0;
        if (!readLong(length, 10)) {
            return false;
        }
        if (length < 0) {
            return fail(QStringLiteral("%1 has a negative length").arg(what));
        }
        return skip(length, what);
    }

    // Array and map blocks: a count, and for a negative count also a byte size, then the items.
    bool blocks(const AvroNode &node, int depth)
    {
        const bool isMap = node.kind == AvroKind::Map;
        for (;;) {
            qint64 count = 0;
            if (!readLong(count, 10)) {
                return false;
            }
            if (count == 0) {
                return true;
            }
            if (count < 0) {
                if (count == std::numeric_limits<qint64>::min()) {
                    return fail(QStringLiteral("a block count is out of range"));
                }
                count = -count;
                qint64 blockSize = 0;
                if (!readLong(blockSize, 10)) {
                    return false;
                }
                if (blockSize < 0 || blockSize > remaining()) {
                    return fail(QStringLiteral("a block size does not fit in the data"));
                }
            }
            for (qint64 i = 0; i < count; ++i) {
                const qsizetype before = m_pos;
                if (isMap && !lengthPrefixed(QStringLiteral("a map key"))) {
                    return false;
                }
                if (!value(node.child, depth + 1)) {
                    return false;
                }
                if (m_pos == before && ++m_emptyItems > kMaxEmptyItems) {
                    return fail(QStringLiteral("too many empty items"));
                }
            }
        }
    }

    bool value(int index, int depth)
    {
        if (depth > kAvroMaxDepth) {
            return fail(
                QStringLiteral("values are nested more than %1 levels deep").arg(kAvroMaxDepth));
        }
        const AvroNode &node = m_model.nodes.at(index);
        qint64 n = 0;
        switch (node.kind) {
        case AvroKind::Null:
            return true;
        case AvroKind::Boolean:
            if (remaining() < 1) {
                return fail(QStringLiteral("the data ends inside a boolean"));
            }
            if (m_data[m_pos] > 1) {
                return fail(QStringLiteral("a boolean is neither 0 nor 1"));
            }
            ++m_pos;
            return true;
        case AvroKind::Int:
            return readInt(n);
        case AvroKind::Long:
            return readLong(n, 10);
        case AvroKind::Float:
            return skip(4, QStringLiteral("a float"));
        case AvroKind::Double:
            return skip(8, QStringLiteral("a double"));
        case AvroKind::Bytes:
            return lengthPrefixed(QStringLiteral("a bytes value"));
        case AvroKind::String:
            return lengthPrefixed(QStringLiteral("a string"));
        case AvroKind::Fixed:
            return skip(node.fixedSize, QStringLiteral("a fixed value"));
        case AvroKind::Enum:
            if (!readInt(n)) {
                return false;
            }
            if (n < 0 || n >= node.symbols.size()) {
                return fail(QStringLiteral("enum index %1 is out of range for %2")
                                .arg(n)
                                .arg(node.fullName));
            }
            return true;
        case AvroKind::Union:
            if (!readLong(n, 10)) {
                return false;
            }
            if (n < 0 || n >= node.branches.size()) {
                return fail(QStringLiteral("union branch %1 does not exist").arg(n));
            }
            return value(node.branches.at(static_cast<qsizetype>(n)), depth + 1);
        case AvroKind::Record:
            for (const AvroField &field : node.fields) {
                if (!value(field.type, depth + 1)) {
                    return false;
                }
            }
            return true;
        case AvroKind::Array:
        case AvroKind::Map:
            return blocks(node, depth);
        }
        return fail(QStringLiteral("unknown type"));
    }
};

} // namespace

kw::Result<void> prescanAvroBody(const AvroModel &model, QByteArrayView body)
{
    if (model.root < 0) {
        return kw::makeError(QStringLiteral("serde.bad_schema"), QStringLiteral("No Avro schema."));
    }
    return Scanner(model, body).run();
}

} // namespace kw::serde::detail
