#include "core/services/connectionprofile.h"

namespace kw::profiles {

kafka::KafkaSettings ConnectionProfile::kafkaSettings() const
{
    return {name, bootstrapServers, kafkaProperties};
}

} // namespace kw::profiles
