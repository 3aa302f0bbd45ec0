#pragma once
// The parsers the registry clients apply to a reply (after the transport has read its JSON),
// one per reply shape. Declared here so the tests and the fuzz targets run exactly what the
// clients run on server bytes.

#include "core/domain/registrytypes.h"
#include "core/registry/clientutil_p.h"
#include "core/registry/schemaregistryclient.h"

namespace kw::registry::detail {

// DEK Registry (dekregistryclient.cpp).
Result<Kek> parseKek(const Reply &reply, const RequestContext &ctx);
Result<Dek> parseDek(const Reply &reply, const RequestContext &ctx);

// Schema Registry (schemaregistryclient.cpp).
Result<Schema> parseSchema(const Reply &reply, const RequestContext &ctx);
Result<QList<Schema>> parseSchemaList(const Reply &reply, const RequestContext &ctx);
Result<QList<SubjectVersion>> parseSubjectVersions(const Reply &reply, const RequestContext &ctx);
// An object's integer member, e.g. the "id" of a register answer.
Result<int> parseIntField(const Reply &reply, const RequestContext &ctx, const QString &field);
// A bare number: DELETE /subjects/{s}/versions/{v} answers with one.
Result<int> parseBareInt(const Reply &reply, const RequestContext &ctx);

} // namespace kw::registry::detail
