#include "core/serde/framing.h"

#include <QtEndian>

namespace kw::serde {

namespace {

constexpr char kMagicId = 0;
constexpr char kMagicGuid = 1;
constexpr qsizetype kGuidSize = 16;
// More indexes than this is not a real message path; it is garbage that would otherwise make
// us allocate on the strength of one varint.
constexpr qint64 kMaxMessageIndexes = 1024;

Error malformed(const QString &what)
{
    return makeError(QStringLiteral("serde.malformed_framing"), what);
}

// Reads a zig-zag encoded varint of at most 64 bits; false when truncated or too long.
bool readZigZag(const QByteArray &data, qsizetype &pos, qint64 &out)
{
    quint64 raw = 0;
    int shift = 0;
    while (true) {
        if (pos >= data.size() || shift > 63)
            return false;
        const auto byte = quint8(data.at(pos++));
        raw |= quint64(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            break;
        shift += 7;
    }
    out = qint64(raw >> 1) ^ -qint64(raw & 1);
    return true;
}

void writeZigZag(QByteArray &out, qint64 value)
{
    quint64 raw = (quint64(value) << 1) ^ quint64(value >> 63);
    do {
        quint8 byte = raw & 0x7f;
        raw >>= 7;
        if (raw)
            byte |= 0x80;
        out.append(char(byte));
    } while (raw);
}

QUuid guidFromBytes(const char *p)
{
    return QUuid::fromRfc4122(QByteArrayView(p, kGuidSize));
}

} // namespace

QString SchemaRef::toString() const
{
    return kind == Kind::Id ? QStringLiteral("id %1").arg(id)
                            : QStringLiteral("guid %1").arg(guid.toString(QUuid::WithoutBraces));
}

Result<FramedRecord> parseFraming(const QByteArray &payload, const QList<RecordHeader> &headers,
                                  bool isKey)
{
    const QByteArray headerKey =
        isKey ? QByteArrayLiteral("__key_schema_id") : QByteArrayLiteral("__value_schema_id");
    const RecordHeader *idHeader = nullptr;
    for (const RecordHeader &h : headers)
        if (h.key == headerKey)
            idHeader = &h;

    FramedRecord record;
    if (idHeader) {
        const QByteArray &v = idHeader->value;
        if (v.size() < 1 + kGuidSize || v.at(0) != kMagicGuid)
            return malformed(QStringLiteral("The %1 header is not a GUID schema id (expected 17 "
                                            "bytes starting with 0x01, got %2 bytes).")
                                 .arg(QString::fromLatin1(headerKey))
                                 .arg(v.size()));
        record.source = FramedRecord::Source::Header;
        record.schema.kind = SchemaRef::Kind::Guid;
        record.schema.guid = guidFromBytes(v.constData() + 1);
        // Protobuf message indexes travel in the header after the GUID; keep them in front
        // of the body so readMessageIndexes() sees the same layout as with a prefix.
        record.rest = v.mid(1 + kGuidSize) + payload;
        return record;
    }

    if (payload.isEmpty())
        return malformed(QStringLiteral("The record is empty: there is no schema id framing."));
    const char magic = payload.at(0);
    if (magic == kMagicId) {
        if (payload.size() < 5)
            return malformed(QStringLiteral("The record is %1 bytes long, too short for magic byte "
                                            "0 and a 4-byte schema id.")
                                 .arg(payload.size()));
        record.schema.kind = SchemaRef::Kind::Id;
        record.schema.id = qFromBigEndian<qint32>(payload.constData() + 1);
        record.rest = payload.mid(5);
        return record;
    }
    if (magic == kMagicGuid) {
        if (payload.size() < 1 + kGuidSize)
            return malformed(QStringLiteral("The record is %1 bytes long, too short for magic byte "
                                            "1 and a 16-byte schema GUID.")
                                 .arg(payload.size()));
        record.schema.kind = SchemaRef::Kind::Guid;
        record.schema.guid = guidFromBytes(payload.constData() + 1);
        record.rest = payload.mid(1 + kGuidSize);
        return record;
    }
    return malformed(
        QStringLiteral(
            "Unknown magic byte 0x%1: the record was not written by a Schema Registry serializer.")
            .arg(quint8(magic), 2, 16, QLatin1Char('0')));
}

Result<ProtobufPayload> readMessageIndexes(const QByteArray &rest)
{
    qsizetype pos = 0;
    qint64 count = 0;
    if (!readZigZag(rest, pos, count))
        return malformed(QStringLiteral("The Protobuf message index count is truncated."));
    ProtobufPayload out;
    if (count == 0) {
        out.messageIndexes = {0};
    } else {
        if (count < 0 || count > kMaxMessageIndexes || count > rest.size())
            return malformed(
                QStringLiteral("The Protobuf message index count %1 is not plausible.").arg(count));
        for (qint64 i = 0; i < count; ++i) {
            qint64 index = 0;
            if (!readZigZag(rest, pos, index))
                return malformed(QStringLiteral("The Protobuf message indexes are truncated."));
            if (index < 0 || index > std::numeric_limits<qint32>::max())
                return malformed(
                    QStringLiteral("The Protobuf message index %1 is out of range.").arg(index));
            out.messageIndexes.append(qint32(index));
        }
    }
    out.body = rest.mid(pos);
    return out;
}

QByteArray frameWithId(qint32 schemaId, const QByteArray &body)
{
    QByteArray out(5, Qt::Uninitialized);
    out[0] = kMagicId;
    qToBigEndian(schemaId, out.data() + 1);
    return out + body;
}

QByteArray frameWithGuid(const QUuid &guid, const QByteArray &body)
{
    return QByteArray(1, kMagicGuid) + guid.toRfc4122() + body;
}

QByteArray encodeMessageIndexes(const QList<qint32> &indexes)
{
    QByteArray out;
    if (indexes == QList<qint32>{0}) {
        out.append('\0');
        return out;
    }
    writeZigZag(out, indexes.size());
    for (qint32 i : indexes)
        writeZigZag(out, i);
    return out;
}

} // namespace kw::serde
