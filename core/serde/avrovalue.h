#pragma once
// Internal to the Avro walker: walks an Avro C generic value in step with the schema tree,
// calling the leaf visitor, optionally writing replacements back and rendering JSON; and fills a
// generic value from JSON.

#include "common/result.h"
#include "serde/avromodel.h"
#include "serde/fieldvisit.h"

#include <QJsonValue>

#include <avro.h>

namespace kw::serde::detail {

struct AvroWalkRequest
{
    const AvroModel *model = nullptr;
    const LeafVisitor *visitor = nullptr; // may be null or empty
    WalkOptions options;
    bool writeBack = false;  // store the visitor's replacements in the value
    bool renderJson = false; // produce the JSON rendering
};

// Walks `value` (of the model's root type). Returns the JSON rendering when asked, else null.
kw::Result<QJsonValue> walkAvroValue(const AvroWalkRequest &request, avro_value_t &value);

// Sets `value` (a fresh generic value of the model's root type) from its JSON rendering.
kw::Result<void> fillAvroValue(const AvroModel &model, const QJsonValue &json, avro_value_t &value);

// Avro C's last error message, for error texts.
QString avroLastError();

} // namespace kw::serde::detail
