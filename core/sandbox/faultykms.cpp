#include "core/sandbox/faultykms.h"

#include "core/domain/readyfuture.h"

#include <algorithm>
#include <cmath>

namespace kw::sandbox {

namespace {

class FaultyKmsAead final : public kms::KmsAead
{
public:
    FaultyKmsAead(std::shared_ptr<kms::KmsAead> inner,
                  std::shared_ptr<FaultyKmsDriver::State> state, QString kekName, QString kmsType)
        : m_inner(std::move(inner))
        , m_state(std::move(state))
        , m_kekName(std::move(kekName))
        , m_kmsType(std::move(kmsType))
    {}

    QFuture<Result<QByteArray>> wrap(QByteArray plaintext) override
    {
        if (auto fault = injected("wrap"))
            return readyFuture(Result<QByteArray>(*fault));
        return m_inner->wrap(std::move(plaintext));
    }

    QFuture<Result<QByteArray>> unwrap(QByteArray ciphertext) override
    {
        if (auto fault = injected("unwrap"))
            return readyFuture(Result<QByteArray>(*fault));
        return m_inner->unwrap(std::move(ciphertext));
    }

private:
    std::optional<Error> injected(const char *call)
    {
        m_state->calls.fetch_add(1);
        quint64 index = 0;
        if (!m_state->dice.roll(&index))
            return std::nullopt;
        m_state->failures.fetch_add(1);
        qCDebug(lcSandboxFaults).noquote()
            << "Injected KMS fault" << index << ": failed the" << call << "for KEK" << m_kekName;
        return makeError(QString(kms::ErrorUnavailable),
                         QStringLiteral("%1 did not answer the %2 for KEK '%3': the KMS is "
                                        "unavailable (injected fault %4). Try again later.")
                             .arg(m_kmsType, QLatin1String(call), m_kekName)
                             .arg(index));
    }

    const std::shared_ptr<kms::KmsAead> m_inner;
    const std::shared_ptr<FaultyKmsDriver::State> m_state;
    const QString m_kekName;
    const QString m_kmsType;
};

double clampedRate(double rate)
{
    return std::isfinite(rate) ? std::clamp(rate, 0.0, 1.0) : 0.0;
}

} // namespace

FaultyKmsDriver::FaultyKmsDriver(std::shared_ptr<kms::KmsDriver> inner, double rate, quint64 seed)
    : m_inner(std::move(inner))
    , m_state(std::make_shared<State>(clampedRate(rate), seed))
{}

QString FaultyKmsDriver::kmsType() const
{
    return m_inner->kmsType();
}

kms::KmsDriverInfo FaultyKmsDriver::info() const
{
    return m_inner->info();
}

Result<std::shared_ptr<kms::KmsAead>>
FaultyKmsDriver::create(const kms::KekRef &kek, const kms::KmsConfig &mergedConfig) const
{
    auto inner = m_inner->create(kek, mergedConfig);
    if (!inner)
        return inner.error();
    return std::shared_ptr<kms::KmsAead>(
        std::make_shared<FaultyKmsAead>(std::move(*inner), m_state, kek.name, kek.kmsType));
}

quint64 FaultyKmsDriver::calls() const
{
    return m_state->calls.load();
}

quint64 FaultyKmsDriver::failures() const
{
    return m_state->failures.load();
}

} // namespace kw::sandbox
