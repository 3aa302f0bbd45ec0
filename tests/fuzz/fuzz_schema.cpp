// libFuzzer target: arbitrary schema texts through Avro and JSON Schema parsing (with
// referenced schemas and metadata.tags) and tag discovery, as the engine does for every schema
// the registry sends. Must never crash, hang or read out of bounds; a parsed Avro schema's
// resolved text must parse again to the same tagged fields.
//
// Input layout: byte 0 bit 0 set: JSON Schema, else Avro. The rest is split at NUL bytes into
// [schema text, metadata.tags as a JSON object, referenced schema texts...].

#include "core/domain/rules.h"
#include "core/serde/avroschema.h"
#include "core/serde/jsonschema.h"
#include "reach.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>
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
};
constexpr const char *kCounterNames[] = {"avro_parsed", "avro_tagged", "avro_with_references",
                                         "json_parsed", "json_tagged", "json_with_references"};

fuzz::Reach &reach()
{
    static fuzz::Reach r{kCounterNames};
    return r;
}

void check(bool condition)
{
    if (!condition)
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
