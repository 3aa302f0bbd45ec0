#pragma once
// Extension point for the "demo" seed: fills a fresh sandbox with KEKs, DEKs, schemas and
// encrypted records. Written separately (demoseed.cpp); the sandbox only calls seedDemo().

#include "core/domain/clock.h"
#include "core/domain/result.h"

#include <QList>
#include <QString>

#include <memory>

namespace kw::sandbox {

class KmsDouble;
class SandboxStore;
class MockKafkaCluster;

// Seeds `store` and `cluster`. `localSecret` is the server's local-kms secret (the KEKs it
// creates should be local-kms so the sandbox can unwrap them). `clock` is the sandbox's clock
// ("now"); to backdate rows, switch the store to a ManualClock with store.setClock() and set
// it back to `clock` before returning.
// `kmsDoubles` wrap the DEKs of their kmsType's KEKs (seedingDriver()) so the sandbox's
// doubles unwrap them later; a cloud type without a double gets DEKs nobody can unwrap.
kw::Result<void> seedDemo(SandboxStore &store, MockKafkaCluster &cluster,
                          const QString &localSecret, const Clock &clock,
                          const QList<std::shared_ptr<KmsDouble>> &kmsDoubles = {});

} // namespace kw::sandbox
