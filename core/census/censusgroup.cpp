#include "core/census/censusgroup.h"

#include "core/census/censusscan.h"
#include "core/kafka/groupconsumer.h"
#include "core/kafka/kafkaclient.h"
#include "core/kafka/kafkaproducer.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QThread>

#include <optional>

Q_LOGGING_CATEGORY(lcCensus, "keywarden.census", QtInfoMsg)

namespace kw::census {

namespace {

Error groupError(const QString &message)
{
    return makeError(QStringLiteral("census.group"), message);
}

// Reads what the census topic gained since the last call into `ledger`.
Result<void> catchUp(kafka::TopicTail &tail, CensusLedger &ledger, const QString &censusTopic)
{
    auto read = tail.catchUp([&](const kafka::KafkaRecord &record) {
        auto census = decodeRecord(record.key, record.value);
        if (!census) {
            ledger.noteUnreadable();
            qCWarning(lcCensus, "%s partition %d offset %lld: %s", qPrintable(censusTopic),
                      record.partition, static_cast<long long>(record.offset),
                      qPrintable(census.error().message));
            return;
        }
        ledger.offer(std::move(*census));
    });
    if (!read)
        return read.error();
    return {};
}

struct Owned
{
    PartitionCensus census;
    bool stored = false; // the census topic has a record of this partition
};

} // namespace

Result<CensusLedger> readCensusTopic(const kafka::KafkaSettings &settings,
                                     const QString &censusTopic)
{
    auto tail = kafka::TopicTail::create(settings, censusTopic);
    if (!tail)
        return tail.error();
    CensusLedger ledger;
    if (auto ok = catchUp(**tail, ledger, censusTopic); !ok)
        return ok.error();
    return ledger;
}

Result<GroupSummary> runGroupMember(const kafka::KafkaSettings &settings,
                                    engine::RecordDecryptor &inspector, const GroupOptions &options,
                                    const std::function<void(const GroupProgress &)> &progress,
                                    const std::atomic_bool &cancel)
{
    const QString group = options.groupId.trimmed();
    const QString censusTopic = options.censusTopic.trimmed();
    if (group.isEmpty())
        return groupError(QStringLiteral("A group census needs a consumer group id."));
    if (censusTopic.isEmpty())
        return groupError(QStringLiteral("A group census needs a census topic name."));
    auto chosen = chooseTopics(settings, options.topics);
    if (!chosen)
        return chosen.error();
    if (chosen->contains(censusTopic))
        return groupError(QStringLiteral("The census topic '%1' cannot also be counted: leave it "
                                         "out of the topics, or choose another --census-topic.")
                              .arg(censusTopic));
    if (chosen->isEmpty())
        return groupError(QStringLiteral("There is no topic to count on this cluster."));

    auto producer = kafka::Producer::create(settings);
    if (!producer)
        return producer.error();
    auto made = (*producer)->ensureCompactedTopic(censusTopic);
    if (!made)
        return made.error();
    if (*made == kafka::TopicCreation::Created)
        qCInfo(lcCensus, "created the census topic %s (cleanup.policy=compact)",
               qPrintable(censusTopic));
    else if (*made == kafka::TopicCreation::AutoCreated)
        qCWarning(lcCensus,
                  "the cluster does not offer CreateTopics: it auto-created the census topic %s "
                  "with its defaults; set cleanup.policy=compact on it to bound its size",
                  qPrintable(censusTopic));
    auto tail = kafka::TopicTail::create(settings, censusTopic);
    if (!tail)
        return tail.error();

    GroupSummary summary;
    summary.topics = *chosen;
    CensusLedger &ledger = summary.ledger;
    if (auto ok = catchUp(**tail, ledger, censusTopic); !ok)
        return ok.error();

    // The goal: every partition of the chosen topics counted up to its end offset of now.
    QList<QPair<kafka::TopicPartition, qint64>> goal;
    for (const QString &topic : std::as_const(*chosen)) {
        auto described = kafka::describeTopic(settings, topic, true);
        if (!described)
            return described.error();
        for (const kafka::PartitionInfo &p : std::as_const(described->partitions))
            goal.append({{topic, p.partition}, std::max<qint64>(p.high, 0)});
    }
    const auto partitionsDone = [&] {
        int n = 0;
        for (const auto &[tp, end] : std::as_const(goal)) {
            if (end <= 0 || ledger.nextOffset(tp.topic, tp.partition) >= end)
                ++n;
        }
        return n;
    };

    QHash<kafka::TopicPartition, Owned> owned;
    const auto store = [&](const QList<kafka::TopicPartition> &which) -> Result<void> {
        QList<kafka::OutgoingRecord> out;
        for (const kafka::TopicPartition &tp : which) {
            const PartitionCensus &c = owned.value(tp).census;
            out.append({censusTopic, encodeKey(c.topic, c.partition), encodeValue(c)});
        }
        if (auto sent = (*producer)->send(out); !sent)
            return sent.error();
        for (const kafka::TopicPartition &tp : which) {
            Owned &o = owned[tp];
            o.stored = true;
            ledger.offer(o.census);
            qCDebug(lcCensus,
                    "committed %s partition %d up to offset %lld (%lld records counted "
                    "by this member)",
                    qPrintable(tp.topic), tp.partition, static_cast<long long>(o.census.nextOffset),
                    static_cast<long long>(summary.recordsRead));
        }
        return {};
    };

    kafka::GroupCallbacks callbacks;
    callbacks.onAssigned = [&](const QList<kafka::TopicPartition> &parts)
        -> Result<QHash<kafka::TopicPartition, qint64>> {
        // The latest records of these partitions: their last owner wrote them before it let
        // them go (or died after its last acknowledged write).
        if (auto ok = catchUp(**tail, ledger, censusTopic); !ok)
            return ok.error();
        QHash<QString, kafka::TopicInfo> described;
        QHash<kafka::TopicPartition, qint64> offsets;
        QList<kafka::TopicPartition> moved;
        for (const kafka::TopicPartition &tp : parts) {
            if (!described.contains(tp.topic)) {
                auto d = kafka::describeTopic(settings, tp.topic, true);
                if (!d)
                    return d.error();
                described.insert(tp.topic, *d);
            }
            qint64 low = 0;
            for (const kafka::PartitionInfo &p : std::as_const(described[tp.topic].partitions)) {
                if (p.partition == tp.partition)
                    low = std::max<qint64>(p.low, 0);
            }
            Owned o;
            if (const PartitionCensus *kept = ledger.find(tp.topic, tp.partition)) {
                o.census = *kept;
                o.stored = true;
                if (low > o.census.nextOffset) { // retention deleted records nobody counted
                    o.census.missed += low - o.census.nextOffset;
                    o.census.nextOffset = low;
                    moved.append(tp);
                }
                if (o.census.nextOffset > 0)
                    qCInfo(lcCensus, "group %s: resuming %s partition %d at offset %lld",
                           qPrintable(group), qPrintable(tp.topic), tp.partition,
                           static_cast<long long>(o.census.nextOffset));
            } else {
                o.census.topic = tp.topic;
                o.census.partition = tp.partition;
                o.census.nextOffset = low;
            }
            offsets.insert(tp, o.census.nextOffset);
            owned.insert(tp, o);
        }
        if (!moved.isEmpty()) {
            if (auto ok = store(moved); !ok)
                return ok.error();
        }
        qCInfo(lcCensus, "group %s: assigned %d partition(s)", qPrintable(group),
               int(parts.size()));
        return offsets;
    };
    callbacks.onRevoked = [&](const QList<kafka::TopicPartition> &parts) {
        // Every batch counted was written before poll() was called again: nothing is pending.
        for (const kafka::TopicPartition &tp : parts)
            owned.remove(tp);
        qCInfo(lcCensus, "group %s: %d partition(s) revoked", qPrintable(group), int(parts.size()));
    };

    auto consumer = kafka::GroupConsumer::create(settings, group, callbacks);
    if (!consumer)
        return consumer.error();
    if (auto ok = (*consumer)->subscribe(*chosen); !ok)
        return ok.error();

    engine::RecordDecryptor::KeyMemo memo;
    GroupProgress at;
    at.partitionsTotal = int(goal.size());
    QElapsedTimer sinceCatchUp;
    sinceCatchUp.start();
    const int batchSize = std::max(1, options.batchSize);
    while (partitionsDone() < goal.size()) {
        if (cancel) {
            summary.cancelled = true;
            break;
        }
        auto polled = (*consumer)->poll(batchSize, 200);
        if (!polled)
            return polled.error();
        QList<kafka::TopicPartition> changed;
        const auto change = [&](const kafka::TopicPartition &tp) {
            if (!changed.contains(tp))
                changed.append(tp);
        };
        for (const kafka::KafkaRecord &record : std::as_const(polled->records)) {
            const kafka::TopicPartition tp{record.topic, record.partition};
            const auto it = owned.find(tp);
            // Not ours (any more), or counted already (a fetch repeated after a rebalance).
            if (it == owned.end() || record.offset < it->census.nextOffset)
                continue;
            countRecord(it->census.counts, inspector, memo, record);
            it->census.nextOffset = record.offset + 1;
            ++summary.recordsRead;
            change(tp);
        }
        for (const kafka::PartitionEnd &end : std::as_const(polled->ends)) {
            const auto it = owned.find(end.at);
            if (it == owned.end())
                continue;
            // The end offset can lie past the last record (transaction markers): the
            // partition is counted up to there.
            if (end.offset > it->census.nextOffset || !it->stored) {
                it->census.nextOffset = std::max(it->census.nextOffset, end.offset);
                change(end.at);
            }
        }
        if (!changed.isEmpty()) {
            if (auto ok = store(changed); !ok)
                return ok.error();
            at.recordsRead = summary.recordsRead;
            at.partitionsOwned = int(owned.size());
            at.partitionsDone = partitionsDone();
            if (progress)
                progress(at);
            if (options.batchDelayMs > 0)
                QThread::msleep(ulong(options.batchDelayMs));
        }
        const bool idle = polled->records.isEmpty() && polled->ends.isEmpty();
        if (idle || sinceCatchUp.elapsed() > 1000) {
            if (auto ok = catchUp(**tail, ledger, censusTopic); !ok)
                return ok.error();
            sinceCatchUp.restart();
        }
    }
    (*consumer)->close();
    if (auto ok = catchUp(**tail, ledger, censusTopic); !ok)
        return ok.error();
    qCInfo(lcCensus, "group %s: %s; %lld records read by this member", qPrintable(group),
           summary.cancelled ? "cancelled" : "every partition counted to its goal",
           static_cast<long long>(summary.recordsRead));
    return summary;
}

} // namespace kw::census
