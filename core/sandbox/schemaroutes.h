#pragma once
// The Schema Registry's REST routes (/subjects, /schemas, /config, /mode) on top of a
// SandboxStore, with the parameters and reply shapes of Confluent's resources.

#include "core/sandbox/httpexchange.h"

#include <optional>

namespace kw::sandbox {

class SandboxStore;

// The reply, or nullopt when the path is not a Schema Registry path (the server answers 404).
[[nodiscard]] std::optional<HttpReply> routeSchemaRegistry(SandboxStore &store,
                                                           const HttpRequest &request);

} // namespace kw::sandbox
