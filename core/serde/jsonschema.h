#pragma once
// A parsed JSON Schema that knows which properties are tagged, and walks JSON documents of that
// schema so rules can read or replace tagged string leaves.

#include "core/domain/result.h"
#include "core/serde/fieldvisit.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace kw::serde {

namespace detail {
struct JsonSchemaData;
}

// Immutable and cheap to copy; copies share the parsed schema, and every const method may be
// called from several threads at once.
//
// Field names for metadata.tags: "$." followed by the dotted property path from the root
// ("$.customer.ssn"), as Confluent's JavaScript serializer builds them; array items and
// additionalProperties values add no segment. The Java client's naming is not confirmed.
class JsonSchemaDoc
{
public:
    JsonSchemaDoc(); // an empty schema: every method returns an error or nothing
    ~JsonSchemaDoc();
    JsonSchemaDoc(const JsonSchemaDoc &);
    JsonSchemaDoc &operator=(const JsonSchemaDoc &);
    JsonSchemaDoc(JsonSchemaDoc &&) noexcept;
    JsonSchemaDoc &operator=(JsonSchemaDoc &&) noexcept;

    // `references`: texts of referenced schemas; a "$ref" whose URI part is not empty goes to the
    // reference whose "$id" equals it or ends with the same last path segment. Every "$ref" must
    // resolve. Errors: "serde.bad_schema".
    static kw::Result<JsonSchemaDoc> parse(const QString &schemaJson,
                                           const QStringList &references = {},
                                           const MetadataTags &metadataTags = {});

    [[nodiscard]] bool isNull() const { return !m_d; }

    // Every property declaration that has tags (a definition used in several places is listed
    // once). `kind` is String when the property (or its array items) may be a string.
    [[nodiscard]] QList<FieldVisit> taggedFields() const;

    // Walks `document` with the schema and returns it with the visitor's replacements. "$ref",
    // "allOf" (every member), "anyOf"/"oneOf" (the first member whose type fits the value),
    // "properties", "additionalProperties", "items" and "prefixItems" are followed. Properties the
    // schema does not declare are left alone. Strings are String leaves; numbers and booleans are
    // Other leaves (visited only when tagged). Errors: "serde.bad_schema" for $ref loops.
    [[nodiscard]] kw::Result<QJsonValue> transform(const QJsonValue &document,
                                                   const LeafVisitor &visitor,
                                                   WalkOptions options = {}) const;

private:
    std::shared_ptr<const detail::JsonSchemaData> m_d;
};

} // namespace kw::serde
