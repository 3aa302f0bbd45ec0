#include "core/services/kektest.h"

#include "core/crypto/crypto.h"
#include "core/crypto/securebytes.h"

#include <QElapsedTimer>

namespace kw::services {

namespace {

constexpr qsizetype ProbeBytes = 32; // the size of an AES-256 DEK: what the KEK really wraps

kms::KekRef refOf(const registry::Kek &kek)
{
    return {kek.name, kek.kmsType, kek.kmsKeyId, kek.kmsProps, kek.shared};
}

QString rotationText(const kms::KmsKeyState &state)
{
    if (!state.autoRotation)
        return {};
    if (!*state.autoRotation)
        return QStringLiteral("automatic rotation off");
    if (state.rotationPeriodDays > 0)
        return QStringLiteral("rotates every %1 days").arg(state.rotationPeriodDays);
    return QStringLiteral("automatic rotation on");
}

} // namespace

bool KekTest::passed() const
{
    return !steps.isEmpty() && failedStep() == nullptr;
}

const KekTestStep *KekTest::failedStep() const
{
    for (const KekTestStep &step : steps) {
        if (!step.passed)
            return &step;
    }
    return nullptr;
}

QString stepName(KekTestStep::Kind kind)
{
    switch (kind) {
    case KekTestStep::Kind::Driver:
        return QStringLiteral("KMS driver");
    case KekTestStep::Kind::Wrap:
        return QStringLiteral("Wrap");
    case KekTestStep::Kind::Unwrap:
        return QStringLiteral("Unwrap");
    case KekTestStep::Kind::Compare:
        return QStringLiteral("Compare");
    case KekTestStep::Kind::KeyState:
        return QStringLiteral("Key state");
    }
    return {};
}

KekTest testKek(const kms::KmsRegistry &drivers, const registry::Kek &kek,
                const kms::KmsSettings &settings)
{
    KekTest test;
    test.kekName = kek.name;
    test.steps.reserve(5); // the references below stay valid while steps are appended
    const kms::KekRef ref = refOf(kek);
    QElapsedTimer timer;

    const auto step = [&](KekTestStep::Kind kind) -> KekTestStep & {
        test.steps.append(KekTestStep{kind});
        return test.steps.last();
    };
    const auto askState = [&] {
        KekTestStep &s = step(KekTestStep::Kind::KeyState);
        timer.restart();
        QFuture<Result<kms::KmsKeyState>> future = drivers.keyStateFor(ref, settings);
        future.waitForFinished();
        const Result<kms::KmsKeyState> state = future.result();
        s.elapsedMs = timer.elapsed();
        if (!state) {
            s.error = state.error();
            return;
        }
        test.keyState = *state;
        s.passed = true;
        QStringList parts{state->summary()};
        if (const QString rotation = rotationText(*state); !rotation.isEmpty())
            parts.append(rotation);
        if (!state->currentVersion.isEmpty())
            parts.append(QStringLiteral("current version %1").arg(state->currentVersion));
        parts.append(state->notes);
        s.detail = parts.join(QStringLiteral("; "));
        // A key the KMS disabled or is about to delete fails the test even when this wrap
        // still worked: the KEK's DEKs are (or will soon be) lost to every client.
        if (state->isRevoked()) {
            s.passed = false;
            s.error = makeError(QString(state->status == kms::KmsKeyState::Status::Disabled
                                            ? kms::ErrorKeyDisabled
                                            : kms::ErrorKeyPendingDeletion),
                                QStringLiteral("KEK '%1': its KMS key is %2.")
                                    .arg(kek.name, state->summary().toLower()));
        }
    };

    KekTestStep &driver = step(KekTestStep::Kind::Driver);
    timer.start();
    auto aead = drivers.aeadFor(ref, settings);
    driver.elapsedMs = timer.elapsed();
    if (!aead) {
        driver.error = aead.error();
        return test; // without a driver there is no key state to ask for either
    }
    driver.passed = true;
    driver.detail = kek.kmsType;

    const crypto::SecureBytes probe = crypto::randomBytes(ProbeBytes);
    QByteArray plain(reinterpret_cast<const char *>(probe.data()), probe.size());

    KekTestStep &wrap = step(KekTestStep::Kind::Wrap);
    timer.restart();
    QFuture<Result<QByteArray>> wrapped = (*aead)->wrap(plain);
    wrapped.waitForFinished();
    wrap.elapsedMs = timer.elapsed();
    const Result<QByteArray> blob = wrapped.result();
    if (!blob) {
        wrap.error = blob.error();
        plain.fill('\0');
        askState();
        return test;
    }
    wrap.passed = true;
    wrap.detail =
        QStringLiteral("%1 random bytes wrapped into %2").arg(ProbeBytes).arg(blob->size());

    KekTestStep &unwrap = step(KekTestStep::Kind::Unwrap);
    timer.restart();
    QFuture<Result<QByteArray>> unwrapped = (*aead)->unwrap(*blob);
    unwrapped.waitForFinished();
    unwrap.elapsedMs = timer.elapsed();
    Result<QByteArray> back = unwrapped.result();
    if (!back) {
        unwrap.error = back.error();
        plain.fill('\0');
        askState();
        return test;
    }
    unwrap.passed = true;
    unwrap.detail = QStringLiteral("%1 bytes back").arg(back->size());

    KekTestStep &compare = step(KekTestStep::Kind::Compare);
    compare.passed = crypto::constantTimeEquals(*back, plain);
    back->fill('\0');
    plain.fill('\0');
    if (compare.passed) {
        compare.detail = QStringLiteral("the same bytes");
    } else {
        compare.error = makeError(QString(kms::ErrorBadCiphertext),
                                  QStringLiteral("KEK '%1': the KMS unwrapped different bytes "
                                                 "from those it wrapped.")
                                      .arg(kek.name));
    }
    askState();
    return test;
}

} // namespace kw::services
