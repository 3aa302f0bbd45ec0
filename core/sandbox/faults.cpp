#include "core/sandbox/faults.h"

#include <QMutexLocker>

#include <cmath>

Q_LOGGING_CATEGORY(lcSandboxFaults, "keywarden.sandbox.faults", QtInfoMsg)

namespace kw::sandbox {

namespace {

// Separates the KMS stream from the request stream of the same seed.
constexpr quint64 KmsStreamSalt = 0xD1B54A32D192ED03ULL;

} // namespace

Result<void> validateFaultOptions(const FaultOptions &options)
{
    if (!std::isfinite(options.rate) || options.rate < 0.0 || options.rate > 1.0)
        return makeError(QStringLiteral("sandbox.bad_faults"),
                         QStringLiteral("The fault rate must be a share between 0 and 1 (0.2 "
                                        "fails one call in five), not %1.")
                             .arg(options.rate));
    if (options.delayMs < 0 || options.delayMs > MaxFaultDelayMs)
        return makeError(QStringLiteral("sandbox.bad_faults"),
                         QStringLiteral("The fault delay must be between 0 and %1 ms, not %2.")
                             .arg(MaxFaultDelayMs)
                             .arg(options.delayMs));
    return {};
}

FaultDice::FaultDice(double rate, quint64 seed)
    : m_rate(rate)
    , m_state(seed)
{}

quint64 FaultDice::next()
{
    // SplitMix64 (Steele, Lea, Flood 2014): fully specified, so a seed means the same
    // sequence everywhere.
    quint64 z = (m_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

bool FaultDice::roll(quint64 *index)
{
    QMutexLocker lock(&m_mutex);
    ++m_draws;
    if (index)
        *index = m_draws;
    const double u = double(next() >> 11) * 0x1.0p-53;
    return u < m_rate;
}

double FaultDice::fraction()
{
    QMutexLocker lock(&m_mutex);
    return double(next() >> 11) * 0x1.0p-53;
}

FaultInjector::FaultInjector(const FaultOptions &options)
    : m_options(options)
    , m_requests(options.rate, options.seed)
    , m_kms(options.kms ? options.rate : 0.0, options.seed ^ KmsStreamSalt)
{}

bool FaultInjector::isEligible(const QString &firstSegment) const
{
    return firstSegment == QLatin1String("dek-registry") || m_options.schemaRoutes;
}

FaultKind FaultInjector::nextRequest(bool mutating, quint64 *index)
{
    // Both draws under one lock, so concurrent requests cannot interleave their draws.
    QMutexLocker lock(&m_mutex);
    ++m_counts.requests;
    if (!m_requests.roll(index))
        return FaultKind::None;
    if (mutating && m_requests.fraction() < 0.5) {
        ++m_counts.failedAfterApplying;
        return FaultKind::FailAfterApplying;
    }
    ++m_counts.failedBefore;
    return FaultKind::FailBefore;
}

bool FaultInjector::nextKmsCall(quint64 *index)
{
    QMutexLocker lock(&m_mutex);
    ++m_counts.kmsCalls;
    const bool fails = m_kms.roll(index);
    if (fails)
        ++m_counts.kmsFailed;
    return fails;
}

FaultInjector::Counts FaultInjector::counts() const
{
    QMutexLocker lock(&m_mutex);
    return m_counts;
}

} // namespace kw::sandbox
