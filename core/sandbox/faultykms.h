#pragma once
// A KMS driver for tests of code that must survive KMS outages: it builds the inner driver's
// KmsAeads and makes their wrap and unwrap calls fail at a seeded rate with
// kms::ErrorUnavailable, as a KMS that times out or answers 503 would. Every other call is the
// inner driver's.

#include "core/kms/kms.h"
#include "core/sandbox/faults.h"

#include <atomic>
#include <memory>

namespace kw::sandbox {

// Thread-safe. All AEADs built by one driver draw from the driver's one seeded stream, so the
// same seed and the same order of wrap/unwrap calls fail the same calls.
class FaultyKmsDriver final : public kms::KmsDriver
{
public:
    // `rate`: the share of wrap/unwrap calls that fail, clamped to 0..1.
    FaultyKmsDriver(std::shared_ptr<kms::KmsDriver> inner, double rate, quint64 seed);

    [[nodiscard]] QString kmsType() const override;
    [[nodiscard]] kms::KmsDriverInfo info() const override;
    // The inner driver's AEAD behind the fault injection; the inner driver's errors as they are.
    [[nodiscard]] Result<std::shared_ptr<kms::KmsAead>>
    create(const kms::KekRef &kek, const kms::KmsConfig &mergedConfig) const override;

    // wrap/unwrap calls made through this driver's AEADs, and how many of them were failed.
    [[nodiscard]] quint64 calls() const;
    [[nodiscard]] quint64 failures() const;

    struct State
    {
        State(double rate, quint64 seed)
            : dice(rate, seed)
        {}
        FaultDice dice;
        std::atomic<quint64> calls{0};
        std::atomic<quint64> failures{0};
    };

private:
    std::shared_ptr<kms::KmsDriver> m_inner;
    // Shared with the AEADs, which may outlive the driver.
    std::shared_ptr<State> m_state;
};

} // namespace kw::sandbox
