#pragma once
// Reading as a member of a Kafka consumer group: Kafka splits the subscribed topics' partitions
// among the members and moves them when a member joins, leaves or dies. The caller decides
// where each assigned partition starts (its own stored positions: nothing is committed to
// Kafka's offsets) and is told before partitions are taken away. Blocking calls, for worker
// threads; one thread at a time. Also TopicTail, which follows a whole topic from the start.

#include "core/domain/result.h"
#include "core/kafka/kafkasettings.h"
#include "core/kafka/kafkatypes.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace kw::kafka {

struct TopicPartition
{
    QString topic;
    int partition = 0;

    friend bool operator==(const TopicPartition &, const TopicPartition &) = default;
    friend bool operator<(const TopicPartition &a, const TopicPartition &b)
    {
        return a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition;
    }
};

inline size_t qHash(const TopicPartition &tp, size_t seed = 0)
{
    return qHashMulti(seed, tp.topic, tp.partition);
}

struct GroupCallbacks
{
    // Partitions given to this member: the offset to start each at. Called inside poll().
    // An error stops the member: poll() returns it.
    std::function<Result<QHash<TopicPartition, qint64>>(const QList<TopicPartition> &)> onAssigned;
    // Partitions taken away (a rebalance, or close()); nothing more of them is read after
    // this returns. Called inside poll() and close().
    std::function<void(const QList<TopicPartition> &)> onRevoked;
};

// The end of what a partition holds was reached at `offset` (its high watermark then).
struct PartitionEnd
{
    TopicPartition at;
    qint64 offset = 0;
};

struct GroupPoll
{
    QList<KafkaRecord> records; // each partition's in offset order
    QList<PartitionEnd> ends;
    bool rebalanced = false; // the assignment changed during this poll
};

class GroupConsumer
{
public:
    // A member of group `groupId`. Eager rebalancing (the round-robin assignor): every
    // partition is revoked before any is assigned again. Fails with ErrorNotConfigured or
    // ErrorBadProperty before any network I/O.
    static Result<std::unique_ptr<GroupConsumer>>
    create(const KafkaSettings &settings, const QString &groupId, GroupCallbacks callbacks);
    ~GroupConsumer();
    GroupConsumer(const GroupConsumer &) = delete;
    GroupConsumer &operator=(const GroupConsumer &) = delete;

    Result<void> subscribe(const QStringList &topics);
    // Up to `maxRecords` records, waiting at most `timeoutMs` for the first; returns early
    // when the assignment changes. Errors: those of the callbacks, ErrorAuthentication,
    // ErrorUnknownTopic, ErrorFailed (transient connection trouble is retried, not reported).
    Result<GroupPoll> poll(int maxRecords, int timeoutMs);
    // Leaves the group (revoking what it has); the destructor does it too.
    void close();

private:
    struct Private;
    explicit GroupConsumer(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

// Follows one topic: each catchUp() hands over every record added since the last one, up to
// the end offsets of that moment, partition by partition in offset order.
class TopicTail
{
public:
    static Result<std::unique_ptr<TopicTail>> create(const KafkaSettings &settings,
                                                     const QString &topic);
    ~TopicTail();
    TopicTail(const TopicTail &) = delete;
    TopicTail &operator=(const TopicTail &) = delete;

    // Errors: ErrorUnknownTopic, ErrorUnreachable (nothing came for `timeoutMs`), and those of
    // describeTopic.
    Result<qint64> catchUp(const std::function<void(const KafkaRecord &)> &onRecord,
                           int timeoutMs = 30000);

private:
    struct Private;
    explicit TopicTail(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace kw::kafka
