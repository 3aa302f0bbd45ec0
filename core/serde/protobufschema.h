#pragma once
// A Protobuf writer schema, parsed by libprotobuf from the registry's text (or from a base64
// serialized FileDescriptorProto, the form Confluent's clients register), with its imports
// resolved through the schema's references and Confluent's built-in files (confluent/meta.proto,
// confluent/type/decimal.proto, google/protobuf/*.proto). Records are decoded as dynamic
// messages of the message their indexes name, tagged string/bytes leaves are visited at any
// depth (nested and repeated messages, map entries, the set member of a oneof) and the result
// is rendered with protobuf's canonical JSON mapping.

#include "core/domain/result.h"
#include "core/serde/fieldvisit.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace kw::serde {

// Immutable and cheap to copy; copies share the descriptors, and every const method may be
// called from several threads at once.
class ProtobufSchema
{
public:
    ProtobufSchema(); // an empty schema: every method returns an error or nothing
    ~ProtobufSchema();
    ProtobufSchema(const ProtobufSchema &);
    ProtobufSchema &operator=(const ProtobufSchema &);
    ProtobufSchema(ProtobufSchema &&) noexcept;
    ProtobufSchema &operator=(ProtobufSchema &&) noexcept;

    // `text`: .proto source or base64 of a serialized FileDescriptorProto. `references`: each
    // import's path (the reference name) and text, in either form. Errors: "serde.bad_schema"
    // with the line and column of a syntax error, or the import or type that cannot be
    // resolved.
    static kw::Result<ProtobufSchema> parse(const QString &text,
                                            const QList<NamedSchema> &references = {},
                                            const MetadataTags &metadataTags = {});

    [[nodiscard]] bool isNull() const { return !m_d; }

    // Full names of the file's top-level messages, in declaration order.
    [[nodiscard]] QStringList messageNames() const;
    // The message indexes that name `fullName` (a top-level or nested message of this file).
    // Errors: "serde.unknown_message".
    [[nodiscard]] kw::Result<QList<qint32>> messageIndexesOf(const QString &fullName) const;
    // The full name of the message `indexes` name. Errors: "serde.unknown_message", naming the
    // index that is out of range and how many messages there are at that level.
    [[nodiscard]] kw::Result<QString> messageNameAt(const QList<qint32> &indexes) const;

    struct Decoded
    {
        QByteArray json;       // the message after the visitor's replacements (when rendered)
        QByteArray storedJson; // the message as stored, when asked for and something changed
        bool replaced = false; // the visitor replaced at least one leaf
    };
    // Decodes `body` as the message `indexes` name and visits its leaves (every tagged one, or
    // every string/bytes one with visitAllLeaves). With `render`, renders the result as compact
    // canonical JSON; with `stored` too, the message as it was when a leaf was replaced.
    // Errors: "serde.unknown_message", "serde.bad_record" (a body that is not a valid message of
    // that type: truncated, malformed, missing required fields), "serde.bad_value" (a value
    // that has no JSON form, e.g. a decrypted string that is not UTF-8).
    [[nodiscard]] kw::Result<Decoded> decode(const QList<qint32> &indexes, QByteArrayView body,
                                             const LeafVisitor &visitor,
                                             const WalkOptions &options = {}, bool render = true,
                                             bool stored = false) const;

    struct Encoded
    {
        QList<qint32> messageIndexes;
        QByteArray body;
    };
    // Parses `value` (canonical JSON of the message `messageType`, its full name; empty for the
    // first message of the file), visits its leaves like decode() and serializes it. Errors:
    // "serde.unknown_message", "serde.bad_value".
    [[nodiscard]] kw::Result<Encoded> encode(const QJsonValue &value, const QString &messageType,
                                             const LeafVisitor &visitor,
                                             const WalkOptions &options = {}) const;

    // Every tagged field reachable from the file's top-level messages, depth first in
    // declaration order, with the paths decode() visits them under (a message type that
    // contains itself is followed once per path). No record needed: for the schema pane.
    [[nodiscard]] QList<FieldVisit> taggedFields() const;

    // The schema's own file as a serialized FileDescriptorProto (options such as
    // (confluent.field_meta) resolved), base64: what `?format=serialized` returns.
    [[nodiscard]] QByteArray serializedDescriptor() const;

private:
    struct Data;
    std::shared_ptr<const Data> m_d;
};

} // namespace kw::serde
