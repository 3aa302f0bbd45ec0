#pragma once
// A parsed Avro writer schema that knows which fields are tagged, and walks Avro binary records
// of that schema so rules can read or replace tagged string/bytes leaves.

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

// Immutable and cheap to copy; copies share the parsed schema, and every const method may be
// called from several threads at once.
class AvroSchema
{
public:
    AvroSchema(); // an empty schema: every method returns an error or nothing
    ~AvroSchema();
    AvroSchema(const AvroSchema &);
    AvroSchema &operator=(const AvroSchema &);
    AvroSchema(AvroSchema &&) noexcept;
    AvroSchema &operator=(AvroSchema &&) noexcept;

    // `schemaJson`: the schema text. `references`: the texts of referenced schemas (named types
    // the main schema uses), each inlined at the first use of its name. `metadataTags`: the
    // schema's metadata.tags. Errors: "serde.bad_schema".
    static kw::Result<AvroSchema> parse(const QString &schemaJson,
                                        const QStringList &references = {},
                                        const MetadataTags &metadataTags = {});

    [[nodiscard]] bool isNull() const { return !m_d; }

    // The schema after reference inlining, as Avro C parsed it.
    [[nodiscard]] QString resolvedJson() const;

    // Every field declaration that has tags, once per declaration (a record type used in several
    // places is listed once, under the path where it is first used). `kind` looks through
    // unions, arrays and maps for a string or bytes leaf.
    [[nodiscard]] QList<FieldVisit> taggedFields() const;

    // Decodes the Avro binary `body`, lets `visitor` replace leaves and encodes the result (the
    // write path). Errors: "serde.malformed_record" (also for bytes left over after the record).
    [[nodiscard]] kw::Result<QByteArray> transform(QByteArrayView body, const LeafVisitor &visitor,
                                                   WalkOptions options = {}) const;

    // Decodes `body`, lets `visitor` (may be empty) replace leaves and renders JSON: bytes and
    // fixed as standard base64, a union as its plain value, an enum as its symbol, logical types
    // as their base type, maps and records as objects, NaN and infinities as null (JSON has no
    // form for them). A map key given twice keeps its last value.
    [[nodiscard]] kw::Result<QJsonValue>
    toJson(QByteArrayView body, const LeafVisitor &visitor = {}, WalkOptions options = {}) const;

    // As toJson(), written as compact JSON text to the end of `out` in one pass over the binary,
    // with no Avro C value and no QJsonValue (the records fast path). Record fields and map
    // entries come in their order in the schema and the data (toJson()'s objects sort them);
    // a map key given twice is written twice.
    // With `mask` set, every value the visitor replaced is written as that string instead. On
    // error `out` is left as it was.
    [[nodiscard]] kw::Result<void> appendJson(QByteArrayView body, QByteArray &out,
                                              const LeafVisitor &visitor = {},
                                              WalkOptions options = {},
                                              const QByteArray *mask = nullptr) const;

    // Encodes a JSON value in the toJson() conventions to Avro binary. A union takes the first
    // branch that fits the JSON type ({"<type name>": value} is accepted too). Missing fields take
    // their default, or null when nullable. Errors: "serde.json_mismatch".
    [[nodiscard]] kw::Result<QByteArray> fromJson(const QJsonValue &value) const;

private:
    struct Data;
    std::shared_ptr<const Data> m_d;
};

} // namespace kw::serde
