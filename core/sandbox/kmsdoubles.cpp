#include "core/domain/readyfuture.h"
#include "core/sandbox/awskmsdouble.h"
#include "core/sandbox/azurekmsdouble.h"
#include "core/sandbox/gcpkmsdouble.h"
#include "core/sandbox/kmsdouble.h"
#include "core/sandbox/vaultdouble.h"

namespace kw::sandbox {

namespace {

class DirectAead final : public kms::KmsAead
{
public:
    DirectAead(QString keyId, DirectCall wrap, DirectCall unwrap)
        : m_keyId(std::move(keyId))
        , m_wrap(std::move(wrap))
        , m_unwrap(std::move(unwrap))
    {}
    QFuture<Result<QByteArray>> wrap(QByteArray plaintext) override
    {
        return readyFuture(m_wrap(m_keyId, plaintext));
    }
    QFuture<Result<QByteArray>> unwrap(QByteArray ciphertext) override
    {
        return readyFuture(m_unwrap(m_keyId, ciphertext));
    }

private:
    QString m_keyId;
    DirectCall m_wrap;
    DirectCall m_unwrap;
};

class DirectDriver final : public kms::KmsDriver
{
public:
    DirectDriver(QString kmsType, DirectCall wrap, DirectCall unwrap)
        : m_kmsType(std::move(kmsType))
        , m_wrap(std::move(wrap))
        , m_unwrap(std::move(unwrap))
    {}
    QString kmsType() const override { return m_kmsType; }
    kms::KmsDriverInfo info() const override
    {
        const kms::KmsDriverInfo *known = kms::driverInfo(m_kmsType);
        return known ? *known : kms::KmsDriverInfo{m_kmsType, m_kmsType, {}, true};
    }
    Result<std::shared_ptr<kms::KmsAead>> create(const kms::KekRef &kek,
                                                 const kms::KmsConfig &) const override
    {
        return std::shared_ptr<kms::KmsAead>(
            std::make_shared<DirectAead>(kek.kmsKeyId, m_wrap, m_unwrap));
    }

private:
    QString m_kmsType;
    DirectCall m_wrap;
    DirectCall m_unwrap;
};

} // namespace

KmsDouble::~KmsDouble() = default;

std::shared_ptr<kms::KmsDriver> directSeedingDriver(const QString &kmsType, DirectCall wrap,
                                                    DirectCall unwrap)
{
    return std::make_shared<DirectDriver>(kmsType, std::move(wrap), std::move(unwrap));
}

QList<std::shared_ptr<KmsDouble>> makeKmsDoubles(const Clock &clock)
{
    QList<std::shared_ptr<KmsDouble>> doubles;
    // One line per double, e.g. doubles.append(std::make_shared<AwsKmsDouble>(clock));
    doubles.append(std::make_shared<VaultDouble>(clock));
    doubles.append(std::make_shared<AwsKmsDouble>(clock));
    doubles.append(std::make_shared<GcpKmsDouble>(clock));
    doubles.append(std::make_shared<AzureKmsDouble>(clock));
    return doubles;
}

} // namespace kw::sandbox
