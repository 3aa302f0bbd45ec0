// Bounded reads: watermarks captured at start decide where each partition's read ends, so an
// idle partition never keeps a read waiting.

#include "core/kafka/recordreader.h"

#include "core/kafka/kafkaclient_p.h"

#include <QElapsedTimer>
#include <QHash>
#include <QScopeGuard>

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace kw::kafka {

QList<PartitionRange> planRanges(const StartPosition &start, const QList<PartitionInfo> &partitions,
                                 const QList<qint64> &timestampOffsets)
{
    QList<PartitionRange> ranges;
    ranges.reserve(partitions.size());
    for (qsizetype i = 0; i < partitions.size(); ++i) {
        const PartitionInfo &p = partitions.at(i);
        const qint64 low = std::max<qint64>(0, p.low);
        const qint64 high = std::max(low, p.high);
        PartitionRange r{p.partition, low, high};
        switch (start.kind) {
        case StartPosition::Kind::Earliest:
        case StartPosition::Kind::LastTotal: // decided below, over all partitions
            break;
        case StartPosition::Kind::LatestMinus:
            r.start = std::max(low, high - std::max<qint64>(0, start.value));
            break;
        case StartPosition::Kind::Offset:
            r.start = std::clamp(start.value, low, high);
            break;
        case StartPosition::Kind::Timestamp: {
            const qint64 found = i < timestampOffsets.size() ? timestampOffsets.at(i) : -1;
            r.start = found < 0 ? high : std::clamp(found, low, high);
            break;
        }
        }
        ranges.append(r);
    }
    if (start.kind == StartPosition::Kind::LastTotal) {
        // Water-filling: share what is left evenly among partitions that still have records,
        // until the total is met or every partition is exhausted.
        QList<qint64> take(ranges.size(), 0);
        qint64 remaining = std::max<qint64>(0, start.value);
        while (remaining > 0) {
            QList<qsizetype> open;
            for (qsizetype i = 0; i < ranges.size(); ++i)
                if (take.at(i) < ranges.at(i).count())
                    open.append(i);
            if (open.isEmpty())
                break;
            const qint64 share = std::max<qint64>(1, remaining / open.size());
            for (qsizetype i : std::as_const(open)) {
                const qint64 n = std::min({share, ranges.at(i).count() - take.at(i), remaining});
                take[i] += n;
                remaining -= n;
                if (remaining == 0)
                    break;
            }
        }
        for (qsizetype i = 0; i < ranges.size(); ++i)
            ranges[i].start = ranges.at(i).end - take.at(i);
    }
    return ranges;
}

namespace {

// The messages a borrowed batch points into, and the consumer they came from: librdkafka
// wants every message destroyed before its handle, so the last hold to go takes the consumer
// with it.
class MessageHold
{
public:
    explicit MessageHold(std::shared_ptr<detail::Consumer> consumer)
        : m_consumer(std::move(consumer))
    {}
    ~MessageHold()
    {
        for (rd_kafka_message_t *m : m_messages)
            rd_kafka_message_destroy(m);
    }
    MessageHold(const MessageHold &) = delete;
    MessageHold &operator=(const MessageHold &) = delete;

    void keep(rd_kafka_message_t *m) { m_messages.push_back(m); }

private:
    std::shared_ptr<detail::Consumer> m_consumer;
    std::vector<rd_kafka_message_t *> m_messages;
};

// One partition being read: its queue, the records taken from it and not yet handed on (in
// offset order, all inside the range), and whether more can come.
struct Lane
{
    int partition = 0;
    qint64 end = 0; // the range's end: the high watermark captured at start
    rd_kafka_queue_t *queue = nullptr;
    std::deque<rd_kafka_message_t *> ready;
    bool drained = false; // nothing more is owed from this partition
};

} // namespace

Result<ReadSummary> readRecords(const KafkaSettings &settings, const ReadRequest &request,
                                const ReadCallbacks &callbacks, const std::atomic_bool &cancel)
{
    QElapsedTimer elapsed;
    elapsed.start();
    ReadSummary summary;
    summary.topic = request.topic;
    const auto finish = [&]() -> Result<ReadSummary> {
        summary.elapsedMs = elapsed.elapsed();
        return summary;
    };

    auto created = detail::Consumer::create(settings);
    if (!created)
        return created.error();
    // Shared with the holds of borrowed batches, which may outlive this call.
    const std::shared_ptr<detail::Consumer> owner(std::move(*created));
    detail::Consumer &consumer = *owner;
    rd_kafka_t *rk = consumer.handle();

    auto topic = consumer.topic(request.topic, true, request.metadataTimeoutMs);
    if (!topic)
        return topic.error();
    QList<PartitionInfo> partitions = topic->partitions;
    if (request.partition >= 0) {
        auto it = std::find_if(partitions.cbegin(), partitions.cend(), [&](const PartitionInfo &p) {
            return p.partition == request.partition;
        });
        if (it == partitions.cend())
            return makeError(QString(ErrorUnknownPartition),
                             QStringLiteral("Topic '%1' has no partition %2: it has %3 "
                                            "partition(s), numbered from 0.")
                                 .arg(request.topic)
                                 .arg(request.partition)
                                 .arg(partitions.size()));
        partitions = {*it};
    }
    if (cancel.load()) {
        summary.cancelled = true;
        return finish();
    }

    const QByteArray topicName = request.topic.toUtf8();
    QList<qint64> timestampOffsets;
    if (request.start.kind == StartPosition::Kind::Timestamp) {
        rd_kafka_topic_partition_list_t *list =
            rd_kafka_topic_partition_list_new(int(partitions.size()));
        for (const PartitionInfo &p : std::as_const(partitions))
            rd_kafka_topic_partition_list_add(list, topicName.constData(), p.partition)->offset =
                request.start.value;
        const rd_kafka_resp_err_t err =
            rd_kafka_offsets_for_times(rk, list, request.metadataTimeoutMs);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_topic_partition_list_destroy(list);
            return consumer.translate(
                err,
                QStringLiteral("find the offsets for a time in topic '%1'").arg(request.topic));
        }
        for (const PartitionInfo &p : std::as_const(partitions)) {
            const rd_kafka_topic_partition_t *tp =
                rd_kafka_topic_partition_list_find(list, topicName.constData(), p.partition);
            timestampOffsets.append(tp && !tp->err ? tp->offset : -1);
        }
        rd_kafka_topic_partition_list_destroy(list);
    }

    if (request.partitionStarts.isEmpty()) {
        summary.ranges = planRanges(request.start, partitions, timestampOffsets);
    } else {
        for (auto it = request.partitionStarts.cbegin(); it != request.partitionStarts.cend();
             ++it) {
            const auto found =
                std::find_if(partitions.cbegin(), partitions.cend(),
                             [&](const PartitionInfo &p) { return p.partition == it.key(); });
            if (found == partitions.cend())
                return makeError(QString(ErrorUnknownPartition),
                                 QStringLiteral("Topic '%1' has no partition %2: it has %3 "
                                                "partition(s), numbered from 0.")
                                     .arg(request.topic)
                                     .arg(it.key())
                                     .arg(partitions.size()));
            const qint64 low = std::max<qint64>(0, found->low);
            const qint64 high = std::max(low, found->high);
            summary.ranges.append({it.key(), std::clamp(it.value(), low, high), high});
        }
    }
    qint64 expected = 0;
    for (const PartitionRange &r : std::as_const(summary.ranges))
        expected += r.count();
    if (request.limit >= 0)
        expected = std::min(expected, request.limit);
    if (callbacks.onStarted)
        callbacks.onStarted(summary.ranges, expected);
    if (expected == 0) {
        summary.limitReached = request.limit == 0;
        return finish();
    }

    // Each partition is read from a queue of its own, not forwarded to the consumer's (set
    // before assign() so librdkafka leaves it so): the read, not fetch timing, decides which
    // partition's record comes next.
    std::vector<Lane> lanes;
    const auto releaseLanes = qScopeGuard([&lanes] {
        for (Lane &lane : lanes) {
            for (rd_kafka_message_t *m : lane.ready)
                rd_kafka_message_destroy(m);
            rd_kafka_queue_destroy(lane.queue);
        }
    });
    rd_kafka_topic_partition_list_t *assignment =
        rd_kafka_topic_partition_list_new(int(summary.ranges.size()));
    for (const PartitionRange &r : std::as_const(summary.ranges)) {
        if (r.count() == 0)
            continue;
        rd_kafka_queue_t *queue =
            rd_kafka_queue_get_partition(rk, topicName.constData(), r.partition);
        if (!queue) {
            rd_kafka_topic_partition_list_destroy(assignment);
            return makeError(QString(ErrorFailed),
                             QStringLiteral("The Kafka client could not open partition %1 of "
                                            "topic '%2' for reading.")
                                 .arg(r.partition)
                                 .arg(request.topic));
        }
        rd_kafka_queue_forward(queue, nullptr);
        lanes.push_back(Lane{r.partition, r.end, queue, {}, false});
        rd_kafka_topic_partition_list_add(assignment, topicName.constData(), r.partition)->offset =
            r.start;
    }
    std::sort(lanes.begin(), lanes.end(),
              [](const Lane &a, const Lane &b) { return a.partition < b.partition; });
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return consumer.translate(err, QStringLiteral("read topic '%1'").arg(request.topic));

    const int batchSize = std::max(1, request.batchSize);
    const bool borrow = bool(callbacks.onBorrowedBatch);
    QList<KafkaRecord> batch;
    batch.reserve(batchSize);
    std::shared_ptr<MessageHold> hold;
    if (borrow)
        hold = std::make_shared<MessageHold>(owner);
    const auto flush = [&] {
        if (batch.isEmpty())
            return;
        summary.records += batch.size();
        if (borrow) {
            callbacks.onBorrowedBatch(std::move(batch), std::move(hold));
            hold = std::make_shared<MessageHold>(owner);
        } else if (callbacks.onBatch) {
            callbacks.onBatch(std::move(batch));
        }
        batch = {};
        batch.reserve(batchSize);
        if (callbacks.onProgress)
            callbacks.onProgress(ReadProgress{summary.records, expected});
    };
    std::vector<rd_kafka_message_t *> messages(std::size_t(std::max(1, batchSize)));
    QElapsedTimer sinceLastRecord;
    sinceLastRecord.start();
    std::optional<Error> failure;
    bool gotRecord = false; // since the stall clock was last restarted
    // Files one message of `lane`'s queue: records of the range in offset order; the range's
    // last record, a record past it or the partition's end closes the lane.
    const auto file = [&](Lane &lane, rd_kafka_message_t *m) {
        auto destroy = qScopeGuard([m] { rd_kafka_message_destroy(m); });
        if (lane.drained || failure)
            return;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            // The end of what is there: with the range ending at the high watermark captured
            // at start, nothing more is owed from this partition.
            lane.drained = true;
            return;
        }
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            failure = consumer.translate(m->err, QStringLiteral("read topic '%1' partition %2")
                                                     .arg(request.topic)
                                                     .arg(lane.partition));
            return;
        }
        gotRecord = true;
        if (m->offset >= lane.end) {
            lane.drained = true; // written after the read began: not part of this read
            return;
        }
        destroy.dismiss();
        lane.ready.push_back(m);
        if (m->offset + 1 >= lane.end)
            lane.drained = true;
    };
    // What `lane`'s queue holds already, without waiting (one queue lock per batch).
    const auto pull = [&](Lane &lane) {
        const ssize_t ready =
            rd_kafka_consume_batch_queue(lane.queue, 0, messages.data(), messages.size());
        for (ssize_t i = 0; i < ready; ++i)
            file(lane, messages[std::size_t(i)]);
    };
    qint64 taken = 0;
    while (taken < expected && !failure) {
        if (cancel.load()) {
            summary.cancelled = true;
            break;
        }
        // The merge needs the next record of every partition still being read.
        Lane *waiting = nullptr;
        for (Lane &lane : lanes) {
            if (!lane.ready.empty() || lane.drained)
                continue;
            pull(lane);
            if (lane.ready.empty() && !lane.drained) {
                waiting = &lane;
                break;
            }
        }
        if (failure)
            break;
        if (waiting) {
            if (rd_kafka_message_t *m = rd_kafka_consume_queue(waiting->queue, 100))
                file(*waiting, m);
            if (std::exchange(gotRecord, false)) {
                sinceLastRecord.restart();
                continue;
            }
            if (failure || waiting->drained)
                continue;
            flush(); // idle: hand back what we have rather than sit on it
            // The consumer's own queue carries client-wide errors and serves error_cb.
            while (rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 0)) {
                if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && !failure)
                    failure = consumer.translate(
                        m->err, QStringLiteral("read topic '%1'").arg(request.topic));
                rd_kafka_message_destroy(m);
            }
            Error fatal;
            if (!failure && consumer.fatalClientError(fatal))
                failure = fatal;
            if (!failure && sinceLastRecord.elapsed() > request.stallTimeoutMs) {
                failure = consumer.translate(RD_KAFKA_RESP_ERR__TIMED_OUT,
                                             QStringLiteral("read topic '%1' (no record for %2 s)")
                                                 .arg(request.topic)
                                                 .arg(request.stallTimeoutMs / 1000));
            }
            continue;
        }
        // The oldest next record by timestamp; on equal timestamps the lower partition.
        Lane *next = nullptr;
        qint64 nextTime = 0;
        for (Lane &lane : lanes) {
            if (lane.ready.empty())
                continue;
            const qint64 time = rd_kafka_message_timestamp(lane.ready.front(), nullptr);
            if (!next || time < nextTime) {
                next = &lane;
                nextTime = time;
            }
        }
        if (!next)
            break; // every partition read to its range's end
        rd_kafka_message_t *m = next->ready.front();
        next->ready.pop_front();
        batch.append(detail::toRecord(m, request.topic, borrow));
        if (borrow)
            hold->keep(m);
        else
            rd_kafka_message_destroy(m);
        ++taken;
        if (batch.size() >= batchSize)
            flush();
    }
    flush();
    rd_kafka_assign(rk, nullptr);
    if (failure)
        return *failure;
    summary.limitReached = request.limit >= 0 && summary.records >= request.limit;
    return finish();
}

} // namespace kw::kafka
