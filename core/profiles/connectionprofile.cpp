#include "profiles/connectionprofile.h"

namespace kw::profiles {

kms::KmsConfig ConnectionProfile::kmsConfig() const
{
    kms::KmsConfig merged;
    for (auto type = kms.cbegin(); type != kms.cend(); ++type) {
        for (auto it = type->cbegin(); it != type->cend(); ++it)
            merged.insert(it.key(), it.value());
    }
    return merged;
}

bool ConnectionProfile::isSecretKafkaProperty(const QString &name)
{
    static const QStringList secrets{
        QStringLiteral("sasl.password"),
        QStringLiteral("sasl.oauthbearer.client.secret"),
        QStringLiteral("sasl.oauthbearer.config"),
        QStringLiteral("ssl.key.password"),
        QStringLiteral("ssl.key.pem"),
        QStringLiteral("ssl_key"),
        QStringLiteral("ssl.keystore.password"),
        QStringLiteral("sasl.jaas.config"),
    };
    return secrets.contains(name.trimmed().toLower());
}

} // namespace kw::profiles
