#include "core/serde/avrobinary.h"

#include "core/serde/jsontext.h"

#include <QtEndian>

#include <cstring>
#include <limits>
#include <type_traits>

namespace kw::serde::detail {

namespace {

// Items that take no bytes (nulls, empty records) are allowed up to this many per body, so a
// block count alone cannot make the decoder spin or allocate without bound.
constexpr qint64 kMaxEmptyItems = 1 << 16;

// Reads one body in step with the model. With `out` null it only checks; otherwise it also
// visits leaves and writes JSON text.
class Decoder
{
public:
    Decoder(const AvroModel &model, QByteArrayView body, const AvroJsonRequest *render = nullptr,
            QByteArray *out = nullptr)
        : m_model(model)
        , m_data(reinterpret_cast<const unsigned char *>(body.data()))
        , m_size(body.size())
        , m_out(out)
        , m_visitor(render && render->visitor && *render->visitor ? render->visitor : nullptr)
        , m_visitAll(render && render->options.visitAllLeaves)
        , m_mask(render ? render->mask : nullptr)
    {}

    kw::Result<void> run()
    {
        if (!value(m_model.root, 0, LeafCtx{}, false)) {
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
    QByteArray *const m_out;
    const LeafVisitor *const m_visitor;
    const bool m_visitAll;
    const QByteArray *const m_mask;

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

    QByteArrayView taken(qsizetype from) const
    {
        return QByteArrayView(m_data + from, m_pos - from);
    }

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

    // A length-prefixed string or bytes value; `content` is where its bytes start.
    bool lengthPrefixed(const QString &what, qsizetype &content)
    {
        qint64 length = 0;
        if (!readLong(length, 10)) {
            return false;
        }
        if (length < 0) {
            return fail(QStringLiteral("%1 has a negative length").arg(what));
        }
        content = m_pos;
        return skip(length, what);
    }

    // Array and map blocks: a count, and for a negative count also a byte size, then the items.
    bool blocks(const AvroNode &node, int depth, const LeafCtx &ctx)
    {
        const bool isMap = node.kind == AvroKind::Map;
        if (m_out) {
            *m_out += isMap ? '{' : '[';
        }
        bool first = true;
        for (;;) {
            qint64 count = 0;
            if (!readLong(count, 10)) {
                return false;
            }
            if (count == 0) {
                break;
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
                if (m_out && !first) {
                    *m_out += ',';
                }
                first = false;
                if (isMap) {
                    qsizetype key = 0;
                    if (!lengthPrefixed(QStringLiteral("a map key"), key)) {
                        return false;
                    }
                    if (m_out) {
                        appendJsonUtf8(*m_out, taken(key));
                        *m_out += ':';
                    }
                }
                if (!value(node.child, depth + 1, ctx, false)) {
                    return false;
                }
                if (m_pos == before && ++m_emptyItems > kMaxEmptyItems) {
                    return fail(QStringLiteral("too many empty items"));
                }
            }
        }
        if (m_out) {
            *m_out += isMap ? '}' : ']';
        }
        return true;
    }

    // A string or bytes leaf: visited when tagged (or when every leaf is), then rendered.
    bool text(const AvroNode &node, const LeafCtx &ctx)
    {
        const bool isString = node.kind == AvroKind::String;
        qsizetype content = 0;
        if (!lengthPrefixed(isString ? QStringLiteral("a string") : QStringLiteral("a bytes value"),
                            content)) {
            return false;
        }
        if (!m_out) {
            return true;
        }
        const QByteArrayView stored = taken(content);
        if (m_visitor && (m_visitAll || !ctx.tags().isEmpty())) {
            const LeafKind kind = isString ? LeafKind::String : LeafKind::Bytes;
            FieldVisit built;
            const FieldVisit *visit = ctx.topLevelVisit(kind);
            if (!visit) {
                built = ctx.visit(kind);
                visit = &built;
            }
            // The value is lent, not copied: it points into the record (see LeafVisitor).
            const QByteArray lent = QByteArray::fromRawData(stored.data(), stored.size());
            if (auto replacement = (*m_visitor)(*visit, lent)) {
                if (m_mask) {
                    appendJsonUtf8(*m_out, *m_mask);
                } else if (isString) {
                    appendJsonUtf8(*m_out, *replacement);
                } else {
                    appendJsonBase64(*m_out, *replacement);
                }
                return true;
            }
        }
        if (isString) {
            appendJsonUtf8(*m_out, stored);
        } else {
            appendJsonBase64(*m_out, stored);
        }
        return true;
    }

    template<typename T>
    T readLittleEndian()
    {
        std::conditional_t<sizeof(T) == 4, quint32, quint64> raw;
        std::memcpy(&raw, m_data + m_pos - sizeof(T), sizeof(T));
        raw = qFromLittleEndian(raw);
        T value;
        std::memcpy(&value, &raw, sizeof(T));
        return value;
    }

    bool value(int index, int depth, const LeafCtx &ctx, bool viaUnion)
    {
        if (depth > kAvroMaxDepth) {
            return fail(
                QStringLiteral("values are nested more than %1 levels deep").arg(kAvroMaxDepth));
        }
        const AvroNode &node = m_model.nodes.at(index);
        switch (node.kind) {
        case AvroKind::Union: {
            qint64 n = 0;
            if (!readLong(n, 10)) {
                return false;
            }
            if (n < 0 || n >= node.branches.size()) {
                return fail(QStringLiteral("union branch %1 does not exist").arg(n));
            }
            return value(node.branches.at(static_cast<qsizetype>(n)), depth + 1, ctx, true);
        }
        case AvroKind::Record:
            if (m_out) {
                *m_out += '{';
            }
            for (qsizetype i = 0; i < node.fields.size(); ++i) {
                const AvroField &field = node.fields.at(i);
                if (m_out) {
                    if (i > 0) {
                        *m_out += ',';
                    }
                    appendJsonRaw(*m_out, field.jsonKey);
                }
                if (!value(field.type, depth + 1, LeafCtx{&ctx, &field}, false)) {
                    return false;
                }
            }
            if (m_out) {
                *m_out += '}';
            }
            return true;
        case AvroKind::Array:
        case AvroKind::Map:
            return blocks(node, depth, ctx);
        case AvroKind::String:
        case AvroKind::Bytes:
            return text(node, ctx);
        default:
            break;
        }
        const qsizetype start = m_pos;
        if (!scalar(node)) {
            return false;
        }
        if (!m_out) {
            return true;
        }
        // Tagged leaves that cannot be encrypted are reported so the engine can refuse them,
        // except inside a union, where Confluent's serializers skip them. A null (an unset
        // optional) is never visited.
        if (node.kind != AvroKind::Null && m_visitor && !viaUnion && !ctx.tags().isEmpty()) {
            if (const FieldVisit *visit = ctx.topLevelVisit(LeafKind::Other)) {
                (*m_visitor)(*visit, QByteArray());
            } else {
                (*m_visitor)(ctx.visit(LeafKind::Other), QByteArray());
            }
        }
        renderScalar(node, start);
        return true;
    }

    // Checks (and steps over) a value of a scalar kind.
    bool scalar(const AvroNode &node)
    {
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
        default:
            return fail(QStringLiteral("unknown type"));
        }
    }

    // Renders the scalar that scalar() just stepped over, from `start`.
    void renderScalar(const AvroNode &node, qsizetype start)
    {
        QByteArray &out = *m_out;
        const auto reread = [&] {
            const qsizetype end = m_pos;
            m_pos = start;
            qint64 n = 0;
            readLong(n, 10);
            m_pos = end;
            return n;
        };
        switch (node.kind) {
        case AvroKind::Null:
            appendJsonRaw(out, "null");
            break;
        case AvroKind::Boolean:
            appendJsonRaw(out, m_data[start] ? QByteArrayView("true") : QByteArrayView("false"));
            break;
        case AvroKind::Int:
        case AvroKind::Long:
            appendJsonInteger(out, reread());
            break;
        case AvroKind::Float:
            appendJsonDouble(out, static_cast<double>(readLittleEndian<float>()));
            break;
        case AvroKind::Double:
            appendJsonDouble(out, readLittleEndian<double>());
            break;
        case AvroKind::Fixed:
            appendJsonBase64(out, taken(start));
            break;
        case AvroKind::Enum:
            appendJsonRaw(out, node.symbolsJson.at(static_cast<qsizetype>(reread())));
            break;
        default:
            break;
        }
    }
};

} // namespace

kw::Result<void> prescanAvroBody(const AvroModel &model, QByteArrayView body)
{
    if (model.root < 0) {
        return kw::makeError(QStringLiteral("serde.bad_schema"), QStringLiteral("No Avro schema."));
    }
    return Decoder(model, body).run();
}

kw::Result<void> renderAvroJson(const AvroJsonRequest &request, QByteArrayView body,
                                QByteArray &out)
{
    if (!request.model || request.model->root < 0) {
        return kw::makeError(QStringLiteral("serde.bad_schema"), QStringLiteral("No Avro schema."));
    }
    const qsizetype before = out.size();
    auto result = Decoder(*request.model, body, &request, &out).run();
    if (!result) {
        out.truncate(before);
    }
    return result;
}

} // namespace kw::serde::detail
