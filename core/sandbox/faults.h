#pragma once
// Seeded fault injection for the sandbox registry, so tests of workflows that must survive
// failures (a journal, resume after a crash) meet failing and slow registry and KMS calls in a
// reproducible order: the same seed and the same sequence of calls fail the same calls.

#include "core/domain/result.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QString>

// Each injected fault, at debug level.
Q_DECLARE_LOGGING_CATEGORY(lcSandboxFaults)

namespace kw::sandbox {

struct FaultOptions
{
    // Share of eligible requests (and, with `kms`, of server-side KMS calls) that fail, 0..1.
    double rate = 0.0;
    quint64 seed = 0;
    // Added to every eligible request before it is handled, whether it fails or not. The
    // server handles one request at a time, so a delay also holds up the requests queued
    // behind it, as an overloaded registry would.
    int delayMs = 0;
    // Eligible requests: every DEK Registry request (/dek-registry/...); with this, the
    // Schema Registry routes too.
    bool schemaRoutes = false;
    // Server-side KMS calls (generating and rewrapping a shared KEK's DEKs, unwrapping them for
    // a GET, /test) fail at `rate` as well.
    bool kms = true;

    [[nodiscard]] bool enabled() const { return rate > 0.0 || delayMs > 0; }
};

// The largest delay accepted, so a typo cannot make the sandbox look hung.
inline constexpr int MaxFaultDelayMs = 60000;

// Fails with "sandbox.bad_faults" for a rate outside 0..1 (or NaN) or a delay outside
// 0..MaxFaultDelayMs.
Result<void> validateFaultOptions(const FaultOptions &options);

// A seeded stream of yes/no draws that come up yes at `rate`. The same seed gives the same
// stream on every platform (SplitMix64 and a 53-bit fraction: no standard-library
// distribution, whose output is implementation-defined). Thread-safe.
class FaultDice
{
public:
    FaultDice(double rate, quint64 seed);

    [[nodiscard]] double rate() const { return m_rate; }
    // The next draw: true with probability `rate`. `index` (optional) receives the draw's
    // number, counting from 1, for messages that let a failure be traced back.
    bool roll(quint64 *index = nullptr);
    // The next draw as a fraction in [0, 1), for a choice between kinds of failure.
    double fraction();

private:
    quint64 next(); // m_mutex held

    const double m_rate;
    QMutex m_mutex;
    quint64 m_state;
    quint64 m_draws = 0;
};

enum class FaultKind
{
    None,
    // Answer 500 without touching the store.
    FailBefore,
    // Handle the request, then answer 500: the client sees a failure though the change was
    // made (unless the store refused the request anyway, e.g. with 409).
    FailAfterApplying,
};

// What the server and the store consult. Requests and KMS calls draw from separate streams
// (both from the one seed), so making KMS calls eligible or not leaves the failing requests as
// they were. Thread-safe.
class FaultInjector
{
public:
    explicit FaultInjector(const FaultOptions &options);

    [[nodiscard]] const FaultOptions &options() const { return m_options; }
    // Whether a request to the path whose first segment is `firstSegment` can be delayed or
    // failed.
    [[nodiscard]] bool isEligible(const QString &firstSegment) const;
    // The fate of the next eligible request. A request that fails is, when `mutating` (POST,
    // PUT, DELETE), as likely to be applied first as not; reads always fail before.
    // `index` receives the request's number among the eligible ones.
    FaultKind nextRequest(bool mutating, quint64 *index = nullptr);
    // Whether the next server-side KMS call fails (never when options().kms is false).
    bool nextKmsCall(quint64 *index = nullptr);

    struct Counts
    {
        quint64 requests = 0; // eligible requests seen
        quint64 failedBefore = 0;
        quint64 failedAfterApplying = 0;
        quint64 kmsCalls = 0;
        quint64 kmsFailed = 0;
    };
    [[nodiscard]] Counts counts() const;

private:
    const FaultOptions m_options;
    FaultDice m_requests;
    FaultDice m_kms;
    mutable QMutex m_mutex;
    Counts m_counts;
};

} // namespace kw::sandbox
