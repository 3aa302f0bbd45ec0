#pragma once
// Internal to the Avro walker: a plain tree of an Avro schema with each field's tags. It is built
// from the same (reference-inlined) JSON that Avro C parses, so its fields and union branches are
// in the same order as in the avro_schema_t.

#include "core/domain/result.h"
#include "core/serde/fieldvisit.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>

namespace kw::serde::detail {

enum class AvroKind
{
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record,
    Enum,
    Array,
    Map,
    Union,
    Fixed
};

struct AvroField
{
    QString name;
    QString fullName;   // "<record full name>.<name>": what metadata.tags patterns match
    QByteArray jsonKey; // `"<name>":` as JSON text, for the text renderer
    int type = -1;      // node index
    QStringList tags;
    bool hasDefault = false;
    QJsonValue defaultValue;
    // What a leaf of this field is visited as when its record is the top-level one (its path is
    // then the field's name), for String, Bytes and Other leaves: made once per schema rather
    // than once per visited value.
    std::array<FieldVisit, 3> topLevelVisits;
};

struct AvroNode
{
    AvroKind kind = AvroKind::Null;
    QString fullName;              // record, enum, fixed
    QList<AvroField> fields;       // record
    QStringList symbols;           // enum
    QList<QByteArray> symbolsJson; // enum: each symbol as a JSON string
    qint64 fixedSize = 0;          // fixed
    int child = -1;                // array items, map values
    QList<int> branches;           // union
};

struct AvroModel
{
    QList<AvroNode> nodes; // named types appear once; every use refers to the same index
    int root = -1;
};

// Where a value sits while a walker descends: the record field it belongs to and, through
// `parent`, the fields above. Path and full name are only built for the leaves that are
// visited: building them for every field of every record cost more than decoding it.
struct LeafCtx
{
    const LeafCtx *parent = nullptr;
    const AvroField *field = nullptr; // null at the root

    [[nodiscard]] QString path() const;
    [[nodiscard]] QString fullName() const { return field ? field->fullName : QString(); }
    [[nodiscard]] const QStringList &tags() const;
    [[nodiscard]] FieldVisit visit(LeafKind kind) const
    {
        return {path(), fullName(), tags(), kind};
    }
    // The same visit without building it, when the field belongs to the top-level record;
    // null otherwise.
    [[nodiscard]] const FieldVisit *topLevelVisit(LeafKind kind) const
    {
        if (!field || (parent && parent->field))
            return nullptr;
        return &field->topLevelVisits[std::size_t(kind)];
    }
};

// Nested values deeper than this are refused (bounds the recursion of every walker and of
// Avro C's own reader).
inline constexpr int kAvroMaxDepth = 400;

// Replaces the first use of each referenced named type in `schema` by its definition, taken from
// `references` (schema texts). Avro C cannot resolve names across separate schemas.
kw::Result<QJsonValue> inlineAvroReferences(const QJsonValue &schema,
                                            const QStringList &references);

kw::Result<AvroModel> buildAvroModel(const QJsonValue &schema, const MetadataTags &metadataTags);

// The kind of leaf a field of type `node` ends in: a string or bytes reachable through unions,
// arrays and maps, else Other.
LeafKind avroLeafKind(const AvroModel &model, int node);

QString avroTypeName(AvroKind kind);

} // namespace kw::serde::detail
