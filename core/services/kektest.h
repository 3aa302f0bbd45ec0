#pragma once
// "Test this KEK": wraps a random value through the KEK's KMS, unwraps it and compares, then
// asks the KMS for the key's state, timing each step, so a person sees which step failed
// (no driver or settings, the wrap, the unwrap, a wrong answer, the key's state) and why.

#include "core/domain/registrytypes.h"
#include "core/domain/result.h"
#include "core/kms/kms.h"

#include <QList>
#include <QString>

#include <optional>

namespace kw::services {

struct KekTestStep
{
    enum class Kind
    {
        Driver,   // a driver for the KEK's kmsType, with the settings it needs
        Wrap,     // the KMS wrapped a random 32-byte value
        Unwrap,   // and unwrapped what it wrapped
        Compare,  // into the same bytes
        KeyState, // the KMS said what state the key is in
    };
    Kind kind = Kind::Driver;
    bool passed = false;
    QString detail = {}; // "32 bytes wrapped into 184", "Enabled, rotates every 365 days"
    Error error = {};    // when it failed
    qint64 elapsedMs = 0;
};

struct KekTest
{
    QString kekName;
    QList<KekTestStep> steps; // in order; stops after the first failed one but the key state
    std::optional<kms::KmsKeyState> keyState;

    // Every step passed: Keywarden can wrap and unwrap with this KEK now.
    [[nodiscard]] bool passed() const;
    // The first step that failed, or null.
    [[nodiscard]] const KekTestStep *failedStep() const;
};

// "KMS driver", "Wrap", "Unwrap", "Compare", "Key state".
[[nodiscard]] QString stepName(KekTestStep::Kind kind);

// Runs the steps for `kek` with the connection's KMS `settings` (its kmsProps win, as ever).
// Blocks until every step has answered (each KMS call has its own deadline): call it on a
// worker thread. The key state is asked even when the wrap or unwrap failed: it often says why
// (a disabled key, one pending deletion).
[[nodiscard]] KekTest testKek(const kms::KmsRegistry &drivers, const registry::Kek &kek,
                              const kms::KmsSettings &settings);

} // namespace kw::services
