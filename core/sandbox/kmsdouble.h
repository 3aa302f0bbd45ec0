#pragma once
// A sandbox double of one cloud KMS (or Vault): answers that service's REST API under its own
// first path segment of the sandbox's server, holds its keys and their states, and can wrap
// in-process exactly as its API would, so the demo estate is seeded with DEKs it can unwrap.
// kms-facts.md section 6 is the checklist each double follows.

#include "core/domain/clock.h"
#include "core/kms/kms.h"
#include "core/sandbox/httpexchange.h"

#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace kw::sandbox {

class KmsDouble
{
public:
    virtual ~KmsDouble();

    // The kmsType whose drivers talk to this double: "aws-kms", "hcvault", ...
    [[nodiscard]] virtual QString kmsType() const = 0;
    // The first path segment the double answers under ("aws-kms" answers /aws-kms/...).
    // The server hands it every such request before any registry check (the registry's
    // basic auth does not apply: the double checks its own credentials).
    [[nodiscard]] virtual QString pathPrefix() const = 0;
    // Answers one request (segments still start with the prefix). Called in the server's
    // thread; doubles are thread-safe because seeding and tests call them from others.
    [[nodiscard]] virtual HttpReply route(const HttpRequest &request) = 0;
    // Makes the demo estate's keys of this type (ids as in demoestate.cpp, one of them
    // disabled or pending deletion) before the estate is seeded.
    virtual void seedDemoKeys(const Clock &clock) = 0;
    // A driver that wraps in-process with the double's keys, exactly as its API would: the
    // seeding's stand-in for the real driver (no HTTP while the server is not listening yet).
    [[nodiscard]] virtual std::shared_ptr<kms::KmsDriver> seedingDriver() = 0;
    // The profile settings of kmsType() that point Keywarden's driver at this double served
    // at `baseUrl` ("http://127.0.0.1:P"), credentials included.
    [[nodiscard]] virtual kms::KmsConfig clientSettings(const QString &baseUrl) const = 0;
};

// One of a double's in-process calls for the seeding: (the KEK's kmsKeyId, bytes) -> bytes.
using DirectCall = std::function<Result<QByteArray>(const QString &kmsKeyId, const QByteArray &)>;

// A seedingDriver() for `kmsType` whose AEADs wrap and unwrap with the double's own direct
// calls, answering at once. The calls must outlive the driver (the double owns both).
[[nodiscard]] std::shared_ptr<kms::KmsDriver>
directSeedingDriver(const QString &kmsType, DirectCall wrap, DirectCall unwrap);

// Every double the sandbox serves, made fresh for one sandbox (kmsdoubles.cpp lists them).
[[nodiscard]] QList<std::shared_ptr<KmsDouble>> makeKmsDoubles(const Clock &clock);

} // namespace kw::sandbox
