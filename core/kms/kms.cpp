#include "core/kms/kms.h"

#include "core/kms/localkms.h"

namespace kw::kms {

KmsConfig mergeKmsConfig(const KmsConfig &userSettings, const QMap<QString, QString> &kekKmsProps)
{
    KmsConfig merged = userSettings;
    for (auto it = kekKmsProps.cbegin(); it != kekKmsProps.cend(); ++it)
        merged.insert(it.key(), it.value());
    return merged;
}

KmsAead::~KmsAead() = default;

KmsDriver::~KmsDriver() = default;

void KmsRegistry::add(std::shared_ptr<KmsDriver> driver)
{
    if (!driver)
        return;
    const QString type = driver->kmsType();
    m_drivers.insert(type, std::move(driver));
}

kw::Result<std::shared_ptr<KmsAead>> KmsRegistry::aeadFor(const KekRef &kek,
                                                          const KmsConfig &userSettings) const
{
    const auto it = m_drivers.constFind(kek.kmsType);
    if (it == m_drivers.cend()) {
        const QString known =
            m_drivers.isEmpty() ? QStringLiteral("none") : types().join(QStringLiteral(", "));
        return kw::makeError(QString(ErrorUnsupportedType),
                             QStringLiteral("KEK '%1' uses KMS type '%2', which Keywarden does not "
                                            "support (supported: %3).")
                                 .arg(kek.name, kek.kmsType, known));
    }
    return it.value()->create(kek, mergeKmsConfig(userSettings, kek.kmsProps));
}

QStringList KmsRegistry::types() const
{
    return m_drivers.keys(); // QMap keys are sorted
}

KmsRegistry KmsRegistry::withBuiltInDrivers()
{
    KmsRegistry registry;
    registry.add(std::make_shared<LocalKmsDriver>());
    return registry;
}

} // namespace kw::kms
