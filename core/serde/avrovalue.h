#pragma once
// Internal to the Avro walker: walks an Avro C generic value in step with the schema tree,
// calling the leaf visitor and writing its replacements back (the write path); and fills a
// generic value from JSON.

#include "core/domain/result.h"
#include "core/serde/avromodel.h"
#include "core/serde/fieldvisit.h"

#include <QJsonValue>

#include <avro.h>

namespace kw::serde::detail {

struct AvroWalkRequest
{
    const AvroModel *model = nullptr;
    const LeafVisitor *visitor = nullptr; // may be null or empty
    WalkOptions options;
};

// Walks `value` (of the model's root type), calling the visitor on its leaves and storing
// the replacements it returns in the value.
kw::Result<void> walkAvroValue(const AvroWalkRequest &request, avro_value_t &value);

// Sets `value` (a fresh generic value of the model's root type) from its JSON rendering.
kw::Result<void> fillAvroValue(const AvroModel &model, const QJsonValue &json, avro_value_t &value);

// Avro C's last error message, for error texts.
QString avroLastError();

} // namespace kw::serde::detail
