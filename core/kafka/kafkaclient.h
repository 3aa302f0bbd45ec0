#pragma once
// Topic metadata and watermarks from a Kafka cluster (librdkafka). The client settings come
// from a ConnectionProfile: bootstrapServers plus kafkaProperties passed through verbatim, so
// SASL and SSL work as configured. Blocking calls, for worker threads; the *Async variants run
// them on the global thread pool.

#include "common/result.h"
#include "kafka/kafkatypes.h"
#include "profiles/connectionprofile.h"

#include <QFuture>

namespace kw::kafka {

// The client properties a profile yields (bootstrap.servers first, then kafkaProperties).
// Fails with ErrorNotConfigured when the profile has no bootstrap servers.
Result<QList<QPair<QString, QString>>> clientProperties(const profiles::ConnectionProfile &profile);

// Every topic with its partition count (no watermarks). Sorted by name.
Result<QList<TopicInfo>> listTopics(const profiles::ConnectionProfile &profile,
                                    int timeoutMs = 10000);
// One topic, its partitions and (when withWatermarks) their low/high watermarks.
// ErrorUnknownTopic when the cluster does not have it.
Result<TopicInfo> describeTopic(const profiles::ConnectionProfile &profile, const QString &topic,
                                bool withWatermarks = true, int timeoutMs = 10000);

QFuture<Result<QList<TopicInfo>>> listTopicsAsync(const profiles::ConnectionProfile &profile,
                                                  int timeoutMs = 10000);
QFuture<Result<TopicInfo>> describeTopicAsync(const profiles::ConnectionProfile &profile,
                                              const QString &topic, bool withWatermarks = true,
                                              int timeoutMs = 10000);

} // namespace kw::kafka
