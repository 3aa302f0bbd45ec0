#pragma once
// Internal: a librdkafka configuration built from KafkaSettings for the long-lived clients of
// a census group (a group member, a producer): the house defaults, then the connection's
// properties verbatim, then what the client cannot work without. Unknown names and bad values
// fail before any network I/O, naming the property and never repeating a secret value.

#include "core/domain/result.h"
#include "core/kafka/kafkasettings.h"

#include <QList>
#include <QPair>
#include <QString>

#include <librdkafka/rdkafka.h>

namespace kw::kafka::detail {

using Properties = QList<QPair<QString, QString>>;

// `defaults` come before the connection's properties (which may override them), `forced`
// after (which they may not). The caller owns the returned configuration.
Result<rd_kafka_conf_t *> buildConf(const KafkaSettings &settings, const Properties &defaults,
                                    const Properties &forced);

// librdkafka's own stderr logger would interleave with the CLI's output: its lines go to the
// keywarden.kafka category at debug level instead.
void logToCategory(rd_kafka_conf_t *conf);

} // namespace kw::kafka::detail
