#pragma once
// The DEK Registry's REST routes (/dek-registry/v1/keks/...) on top of a SandboxStore, with
// the request parsing and defaults of Confluent's DekRegistryResource.

#include "core/sandbox/httpexchange.h"

#include <optional>

namespace kw::sandbox {

class SandboxStore;

// The reply, or nullopt when the path is not a DEK Registry path (the server answers 404).
[[nodiscard]] std::optional<HttpReply> routeDekRegistry(SandboxStore &store,
                                                        const HttpRequest &request);

} // namespace kw::sandbox
