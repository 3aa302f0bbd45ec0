#pragma once
// Internal to the Avro walker: reads Avro binary directly, in step with the schema tree, with
// every length, count, index and nesting depth checked against the data. Two uses:
//  - prescanAvroBody(): the check alone, before Avro C decodes a body. Avro C trusts length
//    prefixes and block counts, so a few garbage bytes could make it allocate gigabytes, loop
//    for a long time or recurse too deeply.
//  - renderAvroJson(): decodes, visits leaves and writes compact JSON text in one pass, without
//    Avro C or QJsonValue (the records fast path).

#include "core/domain/result.h"
#include "core/serde/avromodel.h"
#include "core/serde/fieldvisit.h"

#include <QByteArray>
#include <QByteArrayView>

namespace kw::serde::detail {

// Ok when `body` holds exactly one value of the model's root type, with every length, count,
// index and nesting depth in range and no bytes left over.
kw::Result<void> prescanAvroBody(const AvroModel &model, QByteArrayView body);

struct AvroJsonRequest
{
    const AvroModel *model = nullptr;
    const LeafVisitor *visitor = nullptr; // may be null or empty
    WalkOptions options;
    // When not null: written, as a JSON string, in place of every value the visitor replaced.
    const QByteArray *mask = nullptr;
};

// Appends the JSON rendering of `body` (conventions of AvroSchema::toJson, members in schema
// order) to `out`. On error `out` is left as it was. The visitor sees the same leaves, in the
// same order, as with the Avro C walker; a body found malformed after some leaves were visited
// still fails as a whole.
kw::Result<void> renderAvroJson(const AvroJsonRequest &request, QByteArrayView body,
                                QByteArray &out);

} // namespace kw::serde::detail
