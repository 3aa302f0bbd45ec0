#pragma once
// Topic metadata and watermarks from a Kafka cluster (librdkafka). The client settings come
// from a ConnectionProfile: bootstrapServers plus kafkaProperties passed through verbatim, so
// SASL and SSL work as configured. Blocking calls, for worker threads; the *Async variants run
// them on the global thread pool.

#include "core/domain/result.h"
#include "core/kafka/kafkasettings.h"
#include "core/kafka/kafkatypes.h"

#include <QFuture>

namespace kw::kafka {

// The client properties of `settings` (bootstrap.servers first, then the others).
// Fails with ErrorNotConfigured when there are no bootstrap servers.
Result<QList<QPair<QString, QString>>> clientProperties(const KafkaSettings &settings);

// Every topic with its partition count (no watermarks). Sorted by name.
Result<QList<TopicInfo>> listTopics(const KafkaSettings &settings, int timeoutMs = 10000);
// The brokers the cluster advertises, as (host, port), sorted. Blocking.
Result<QList<QPair<QString, quint16>>> listBrokers(const KafkaSettings &settings,
                                                   int timeoutMs = 10000);
// One topic, its partitions and (when withWatermarks) their low/high watermarks.
// ErrorUnknownTopic when the cluster does not have it.
Result<TopicInfo> describeTopic(const KafkaSettings &settings, const QString &topic,
                                bool withWatermarks = true, int timeoutMs = 10000);

QFuture<Result<QList<TopicInfo>>> listTopicsAsync(const KafkaSettings &settings,
                                                  int timeoutMs = 10000);
QFuture<Result<TopicInfo>> describeTopicAsync(const KafkaSettings &settings, const QString &topic,
                                              bool withWatermarks = true, int timeoutMs = 10000);

} // namespace kw::kafka
