#pragma once
// Confluent record framing: which schema a Kafka key or value was written with (magic 0 +
// int32 id, magic 1 + GUID, or the __value_schema_id / __key_schema_id header), and the
// Protobuf message indexes that follow it.

#include "core/domain/result.h"

#include <QByteArray>
#include <QList>
#include <QUuid>

namespace kw::serde {

struct RecordHeader
{
    QByteArray key;
    QByteArray value;
};

struct SchemaRef
{
    enum class Kind
    {
        Id,
        Guid
    };
    Kind kind = Kind::Id;
    qint32 id = 0;
    QUuid guid;

    [[nodiscard]] QString toString() const;
};

struct FramedRecord
{
    enum class Source
    {
        PayloadPrefix,
        Header
    };
    SchemaRef schema;
    Source source = Source::PayloadPrefix;
    // What follows the framing: for Avro and JSON the body itself; for Protobuf the message
    // indexes, then the body (split them with readMessageIndexes()).
    QByteArray rest;
};

// Reads the framing of a key (isKey) or value. The last schema-id header of the matching kind
// wins over the payload prefix, as in Confluent's deserializers.
Result<FramedRecord> parseFraming(const QByteArray &payload, const QList<RecordHeader> &headers,
                                  bool isKey);

struct ProtobufPayload
{
    QList<qint32> messageIndexes; // [0] when the single 0x00 shortcut is used
    QByteArray body;
};

// Splits Protobuf message indexes (zig-zag varint count, then zig-zag varints) off a body.
Result<ProtobufPayload> readMessageIndexes(const QByteArray &rest);

// The inverse operations, for the write path and tests.
QByteArray frameWithId(qint32 schemaId, const QByteArray &body);
QByteArray frameWithGuid(const QUuid &guid, const QByteArray &body);
QByteArray encodeMessageIndexes(const QList<qint32> &indexes);

} // namespace kw::serde
