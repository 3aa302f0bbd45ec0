#pragma once
// A synthetic "scale" estate for benchmarks: many KEKs, each with a few DEK subjects and
// versions, written straight into the store in one transaction (seconds, not minutes).

#include "core/domain/result.h"

namespace kw::sandbox {

class SandboxStore;

struct ScaleSeedOptions
{
    int keks = 10000;
    int deks = 100000; // spread evenly over the KEKs
    int subjectsPerKek = 2;
};

struct ScaleSeedStats
{
    int keks = 0;
    int deks = 0;
    int subjects = 0; // DEK subjects over all KEKs
};

// KEKs are named "kek-00000"..; subjects "kek-00000-topic-0-value"..; each subject gets
// AES256_GCM versions and, for every other subject, one AES256_SIV version. The wrapped key
// material is random bytes: the estate is for browsing, not for decrypting. The store's
// max-keys limit is not applied (raise it for later writes through the REST API).
Result<ScaleSeedStats> seedScale(SandboxStore &store, const ScaleSeedOptions &options = {});

} // namespace kw::sandbox
