// libFuzzer target: arbitrary schema texts through Avro, JSON Schema and Protobuf parsing (with
// referenced schemas and metadata.tags) and tag discovery, as the engine does for every schema
// the registry sends. Must never crash, hang or read out of bounds; a parsed Avro schema's
// resolved text must parse again to the same tagged fields. A parsed Protobuf schema names its
// messages by indexes both ways, decodes a few fixed bodies as each of its first messages
// (tagged leaves replaced), re-encodes what it decoded, and its serialized descriptor parses
// again to the same messages.
//
// Input layout: byte 0 bit 1 set: Protobuf; else bit 0 set: JSON Schema; else Avro. The rest is
// split at NUL bytes into [schema text, metadata.tags as a JSON object, referenced schema
// texts...]; a Protobuf reference is its import name, a newline, then its text.

#include "core/domain/rules.h"
#include "core/serde/avroschema.h"
#include "core/serde/jsonschema.h"
#include "core/serde/protobufschema.h"
#include "reach.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace kw;

namespace {

enum Counter
{
    AvroParsed,
    AvroTagged,
    AvroReferenced,
    JsonParsed,
    JsonTagged,
    JsonReferenced,
    ProtobufParsed,
    ProtobufFromDescriptor,
    ProtobufReferenced,
    ProtobufTaggedLeafReplaced,
    ProtobufNestedMessageDecoded,
};
constexpr const char *kCounterNames[] = {"avro_parsed",
                                         "avro_tagged",
                                         "avro_with_references",
                                         "json_parsed",
                                         "json_tagged",
                                         "json_with_references",
                                         "protobuf_parsed",
                                         "protobuf_from_descriptor",
                                         "protobuf_with_references",
                                         "protobuf_tagged_leaves_replaced",
                                         "protobuf_nested_messages_decoded"};

fuzz::Reach &reach()
{
    static fuzz::Reach r{kCounterNames};
    return r;
}

void check(bool condition, int line = __builtin_LINE())
{
    if (condition)
        return;
    std::fprintf(stderr, "check failed: fuzz_schema.cpp:%d\n", line);
    abort();
}

void checkFields(const QList<serde::FieldVisit> &fields)
{
    // The path may be empty: a JSON Schema property may be named "" (regress_empty_property).
    for (const serde::FieldVisit &f : fields)
        check(!f.fullName.isEmpty() && !f.tags.isEmpty());
}

bool sameFields(const QList<serde::FieldVisit> &a, const QList<serde::FieldVisit> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (a[i].path != b[i].path || a[i].fullName != b[i].fullName || a[i].tags != b[i].tags ||
            a[i].kind != b[i].kind)
            return false;
    return true;
}

// Bodies every message is decoded from: empty, a string/bytes field 1, a nested message in
// field 2 holding a varint and a string, varints, fixed-width and a map-like entry in field 3,
// and a repeated field 1.
const QByteArray kBodies[] = {
    QByteArray(),
    QByteArrayLiteral("\x0a\x03"
                      "abc"),
    QByteArrayLiteral("\x12\x06\x08\x96\x01\x12\x01x"),
    QByteArrayLiteral("\x08\x01\x10\xff\xff\xff\xff\x0f\x1d\x00\x00\x80\x3f"
                      "\x1a\x06\x0a\x01k\x12\x01v"),
    QByteArrayLiteral("\x0a\x01"
                      "a\x0a\x00\x0a\x02\xc3\xa9"),
};

void protobuf(const QString &text, const QList<serde::NamedSchema> &references,
              const serde::MetadataTags &tags)
{
    auto schema = serde::ProtobufSchema::parse(text, references, tags);
    if (!schema) {
        check(!schema.error().code.isEmpty() && !schema.error().message.isEmpty());
        return;
    }
    check(!schema->isNull());
    reach().count(ProtobufParsed);
    if (!references.isEmpty())
        reach().count(ProtobufReferenced);
    if (!text.contains(QLatin1Char(';')))
        reach().count(ProtobufFromDescriptor);
    const QStringList names = schema->messageNames();
    check(!names.isEmpty());
    for (const QString &name : names) {
        auto indexes = schema->messageIndexesOf(name);
        check(indexes.hasValue() && indexes->size() == 1);
        auto again = schema->messageNameAt(*indexes);
        check(again.hasValue() && *again == name);
    }

    bool replaced = false;
    const serde::LeafVisitor visitor =
        [&replaced](const serde::FieldVisit &field,
                    const QByteArray &) -> std::optional<QByteArray> {
        check(!field.path.isEmpty() && !field.fullName.isEmpty());
        if (field.tags.isEmpty() || field.kind == serde::LeafKind::Other)
            return std::nullopt;
        replaced = true;
        // What a decryption may give back: for a string, valid UTF-8; for bytes, anything.
        return field.kind == serde::LeafKind::String ? QByteArray("d") : QByteArray("\xff\x00", 2);
    };
    QList<QList<qint32>> choices;
    for (qint32 i = 0; i < qint32(std::min<qsizetype>(names.size(), 3)); ++i)
        choices.append({i});
    choices.append({0, 0});
    for (const QList<qint32> &indexes : std::as_const(choices)) {
        auto name = schema->messageNameAt(indexes);
        if (!name) {
            check(indexes.size() > 1 &&
                  name.error().code == QLatin1String("serde.unknown_message"));
            continue;
        }
        for (const QByteArray &body : kBodies) {
            for (const bool all : {false, true}) {
                replaced = false;
                auto decoded = schema->decode(indexes, body, visitor, {all}, true, true);
                if (!decoded) {
                    check(!decoded.error().code.isEmpty());
                    continue;
                }
                check(decoded->replaced == replaced);
                QJsonParseError pe{};
                const QJsonDocument doc = QJsonDocument::fromJson(decoded->json, &pe);
                check(pe.error == QJsonParseError::NoError && doc.isObject());
                if (replaced) {
                    reach().count(ProtobufTaggedLeafReplaced);
                    check(QJsonDocument::fromJson(decoded->storedJson).isObject());
                }
                if (indexes.size() > 1)
                    reach().count(ProtobufNestedMessageDecoded);
                // What was decoded is written again (the encryptor's path). It may fail cleanly:
                // a serialized descriptor may give a field a json_name that is not UTF-8, which
                // libprotobuf's printer writes without the bad bytes and its parser then misses.
                auto encoded = schema->encode(doc.object(), *name, visitor, {all});
                check(encoded ? encoded->messageIndexes == indexes
                              : encoded.error().code == QLatin1String("serde.bad_value"));
                // The key-less path decodes without rendering.
                const serde::LeafVisitor none = [](const serde::FieldVisit &, const QByteArray &) {
                    return std::optional<QByteArray>();
                };
                check(schema->decode(indexes, body, none, {}, false).hasValue());
            }
        }
    }

    // The schema's own file, as the registry's serialized format, stands for it.
    auto serialized = serde::ProtobufSchema::parse(
        QString::fromLatin1(schema->serializedDescriptor()), references, tags);
    check(serialized.hasValue() && serialized->messageNames() == names);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int argc = 1;
    static char name[] = "fuzz_schema";
    static char *argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv);
    (void)reach();
    if (size < 1)
        return 0;
    const bool jsonSchema = data[0] & 1;
    const bool protobufSchema = data[0] & 2;
    const QList<QByteArray> parts =
        QByteArray(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1)).split('\0');
    const QString text = QString::fromUtf8(parts.value(0));
    // metadata.tags as the engine reads it from a schema's metadata.
    const QJsonObject metadata{
        {QStringLiteral("tags"), QJsonDocument::fromJson(parts.value(1)).object()}};
    const serde::MetadataTags tags = metadataTags(metadata);
    QStringList references;
    for (qsizetype i = 2; i < parts.size(); ++i)
        references.append(QString::fromUtf8(parts.at(i)));

    if (protobufSchema) {
        QList<serde::NamedSchema> named;
        for (qsizetype i = 2; i < parts.size(); ++i) {
            const qsizetype newline = parts.at(i).indexOf('\n');
            named.append(
                {QString::fromUtf8(parts.at(i).left(std::max<qsizetype>(newline, 0))),
                 QString::fromUtf8(newline < 0 ? QByteArray() : parts.at(i).mid(newline + 1))});
        }
        protobuf(text, named, tags);
        return 0;
    }
    if (jsonSchema) {
        auto doc = serde::JsonSchemaDoc::parse(text, references, tags);
        if (!doc) {
            check(!doc.error().code.isEmpty() && !doc.error().message.isEmpty());
            return 0;
        }
        const QList<serde::FieldVisit> fields = doc->taggedFields();
        checkFields(fields);
        reach().count(JsonParsed);
        if (!fields.isEmpty())
            reach().count(references.isEmpty() ? JsonTagged : JsonReferenced);
        return 0;
    }
    auto avro = serde::AvroSchema::parse(text, references, tags);
    if (!avro) {
        check(!avro.error().code.isEmpty() && !avro.error().message.isEmpty());
        return 0;
    }
    const QList<serde::FieldVisit> fields = avro->taggedFields();
    checkFields(fields);
    // References are inlined into the resolved text: it stands on its own.
    auto again = serde::AvroSchema::parse(avro->resolvedJson(), {}, tags);
    check(again.hasValue() && sameFields(again->taggedFields(), fields));
    reach().count(AvroParsed);
    if (!fields.isEmpty())
        reach().count(references.isEmpty() ? AvroTagged : AvroReferenced);
    return 0;
}
