#pragma once
// The consumer groups that read given topics, from the cluster's admin API (ListGroups,
// DescribeGroups, OffsetFetch): what a key workflow's blast radius names as the readers that
// lose access when a key goes. Blocking, for worker threads; the *Async variant runs it on the
// global thread pool.

#include "core/domain/result.h"
#include "core/kafka/kafkasettings.h"

#include <QFuture>
#include <QLatin1String>
#include <QList>
#include <QString>
#include <QStringList>

namespace kw::kafka {

// The cluster does not offer an admin call this needs (e.g. librdkafka's mock cluster, which
// has no ListGroups). Nothing can be said about its consumer groups.
inline constexpr QLatin1String ErrorUnsupported{"kafka.unsupported"};

struct ConsumerGroupInfo
{
    QString groupId;
    // As Kafka names it: "Stable", "Empty", "PreparingRebalance", "CompletingRebalance",
    // "Dead" or "Unknown".
    QString state;
    // Of the topics asked about, those the group has a committed offset for or that are
    // assigned to one of its members; sorted.
    QStringList topics;
    // Members at the time of the call; -1 when the cluster did not say.
    int members = -1;
    // Offsets committed without group membership (an empty protocol type).
    bool simple = false;

    friend bool operator==(const ConsumerGroupInfo &, const ConsumerGroupInfo &) = default;
};

// Every consumer group that reads any of `topics`, sorted by group id; an empty list asks
// nothing of the cluster and answers an empty list. `timeoutMs` bounds the whole call.
// Errors: ErrorNotConfigured / ErrorBadProperty (before any network I/O), ErrorUnsupported
// (the cluster has no ListGroups or DescribeGroups), ErrorUnreachable, ErrorAuthentication,
// ErrorFailed (naming the group when one group could not be read). Never a partial list: if
// any broker or group could not be read, the call fails.
Result<QList<ConsumerGroupInfo>> consumerGroupsReading(const KafkaSettings &settings,
                                                       const QStringList &topics,
                                                       int timeoutMs = 15000);

QFuture<Result<QList<ConsumerGroupInfo>>> consumerGroupsReadingAsync(const KafkaSettings &settings,
                                                                     const QStringList &topics,
                                                                     int timeoutMs = 15000);

} // namespace kw::kafka
