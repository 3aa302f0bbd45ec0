#include "core/services/connectionprofile.h"

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

kafka::KafkaSettings ConnectionProfile::kafkaSettings() const
{
    return {name, bootstrapServers, kafkaProperties};
}

} // namespace kw::profiles
