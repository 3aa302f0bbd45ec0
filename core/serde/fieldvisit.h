#pragma once
// What the schema-aware record walkers (Avro, JSON Schema) report about each leaf they visit,
// and the visitor callback the rule engine uses to read or replace leaf values.

#include "core/domain/rules.h"

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace kw::serde {

enum class LeafKind
{
    String,
    Bytes,
    Other
};

struct FieldVisit
{
    // Dotted field path inside the record, e.g. "customer.addresses.street". Array elements and
    // map values add no segment; they are visited one by one under their field's path.
    QString path;
    // The name metadata.tags patterns are matched against. Avro: "<record full name>.<field>"
    // (e.g. "bank.Customer.ssn"); JSON Schema: "$.<property path>" (e.g. "$.customer.ssn").
    QString fullName;
    // Union of the field's `confluent:tags` and the metadata.tags patterns matching fullName.
    QStringList tags;
    LeafKind kind = LeafKind::Other;
};

// Called for every leaf that carries at least one tag, or for every string/bytes leaf when
// WalkOptions::visitAllLeaves is set (rules with empty tags apply to every leaf). `value` is the
// UTF-8 text for String, the raw bytes for Bytes and empty for Other. Return a replacement (UTF-8
// text for String, raw bytes for Bytes) or std::nullopt to keep the value; ignored for Other.
// `value` may point into the record being walked and is valid only during the call: copy it
// (QByteArray(value.constData(), value.size())) to keep it.
using LeafVisitor =
    std::function<std::optional<QByteArray>(const FieldVisit &, const QByteArray &value)>;

struct WalkOptions
{
    bool visitAllLeaves = false;
};

// Schema metadata.tags: field path pattern -> tags (a domain value: core/domain/rules.h).
using MetadataTags = kw::MetadataTags;

// A schema another one references, as the registry gives it: `name` is the reference's name
// (an Avro full name, a JSON Schema URL, a Protobuf import path) and `text` its schema text.
struct NamedSchema
{
    QString name;
    QString text;
};

// The texts alone, for the formats that resolve references by what they declare (Avro, JSON).
QStringList schemaTexts(const QList<NamedSchema> &schemas);

} // namespace kw::serde
