#pragma once
// Extension point for the "demo" seed: fills a fresh sandbox with KEKs, DEKs, schemas and
// encrypted records. Written separately (demoseed.cpp); the sandbox only calls seedDemo().

#include "core/domain/clock.h"
#include "core/domain/result.h"

#include <QString>

namespace kw::sandbox {

class SandboxStore;
class MockKafkaCluster;

// Seeds `store` and `cluster`. `localSecret` is the server's local-kms secret (the KEKs it
// creates should be local-kms so the sandbox can unwrap them). `clock` is the sandbox's clock
// ("now"); to backdate rows, switch the store to a ManualClock with store.setClock() and set
// it back to `clock` before returning.
kw::Result<void> seedDemo(SandboxStore &store, MockKafkaCluster &cluster,
                          const QString &localSecret, const Clock &clock);

} // namespace kw::sandbox
