#pragma once
// Internal to the Avro walker: checks that an Avro binary body fits its schema before Avro C
// decodes it. Avro C trusts length prefixes and block counts, so a few garbage bytes could make
// it allocate gigabytes, loop for a long time or recurse too deeply; this scan refuses those.

#include "common/result.h"
#include "serde/avromodel.h"

#include <QByteArrayView>

namespace kw::serde::detail {

// Ok when `body` holds exactly one value of the model's root type, with every length, count,
// index and nesting depth in range and no bytes left over.
kw::Result<void> prescanAvroBody(const AvroModel &model, QByteArrayView body);

} // namespace kw::serde::detail
