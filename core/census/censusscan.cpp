#include "core/census/censusscan.h"

#include "core/engine/recorddecryptor.h"
#include "core/kafka/kafkaclient.h"
#include "core/kafka/recordreader.h"

namespace kw::census {

namespace {

// A key is inspected only when a Schema Registry serializer could have written it: plain
// string keys are the norm and carry nothing to count.
bool looksFramed(const kafka::KafkaRecord &record)
{
    for (const serde::RecordHeader &h : record.headers) {
        if (h.key == "__key_schema_id")
            return true;
    }
    return record.key.size() >= 5 && (record.key.at(0) == 0 || record.key.at(0) == 1);
}

struct PartitionPlan
{
    int partition = 0;
    qint64 start = 0; // first offset to read
    qint64 end = 0;   // the high watermark when the run started
    qint64 missed = 0;
    bool moved = false; // the stored position changes even if nothing is read
};

} // namespace

void countRecord(Tally &tally, engine::RecordDecryptor &inspector,
                 engine::RecordDecryptor::KeyMemo &memo, const kafka::KafkaRecord &record)
{
    engine::RecordInspection value;
    if (!record.value.isNull())
        value = inspector.inspect({record.topic, false, record.value, record.headers, {}}, memo);
    if (looksFramed(record)) {
        const engine::RecordInspection key =
            inspector.inspect({record.topic, true, record.key, record.headers, {}}, memo);
        tally.add(record, value, &key);
    } else {
        tally.add(record, value);
    }
}

Result<QStringList> chooseTopics(const kafka::KafkaSettings &settings, const QStringList &topics)
{
    if (!topics.isEmpty())
        return topics;
    auto listed = kafka::listTopics(settings);
    if (!listed)
        return listed.error();
    QStringList out;
    for (const kafka::TopicInfo &t : std::as_const(*listed)) {
        if (!t.internal && !t.name.startsWith(QLatin1Char('_')))
            out.append(t.name);
    }
    out.sort();
    return out;
}

Result<ScanSummary> runScan(const kafka::KafkaSettings &settings,
                            engine::RecordDecryptor &inspector, CensusState &state,
                            const ScanOptions &options,
                            const std::function<void(const ScanProgress &)> &progress,
                            const std::atomic_bool &cancel)
{
    if (options.rescan) {
        if (auto cleared = state.clear(); !cleared)
            return cleared.error();
    }
    auto chosen = chooseTopics(settings, options.topics);
    if (!chosen)
        return chosen.error();
    const QStringList topics = *chosen;

    // Where each partition starts and ends, before reading anything: the total for progress.
    QList<QPair<QString, QList<PartitionPlan>>> plans;
    ScanSummary summary;
    ScanProgress at;
    for (const QString &topic : std::as_const(topics)) {
        auto described = kafka::describeTopic(settings, topic, true);
        if (!described)
            return described.error();
        auto stored = state.positions(topic);
        if (!stored)
            return stored.error();
        QList<PartitionPlan> partitions;
        for (const kafka::PartitionInfo &p : std::as_const(described->partitions)) {
            PartitionPlan plan;
            plan.partition = p.partition;
            plan.end = std::max<qint64>(p.high, 0);
            const auto known = stored->constFind(p.partition);
            plan.start = known != stored->cend() ? known->nextOffset : std::max<qint64>(p.low, 0);
            plan.missed = known != stored->cend() ? known->missed : 0;
            if (p.low > plan.start) { // retention deleted records no run counted
                plan.missed += p.low - plan.start;
                plan.start = p.low;
                plan.moved = true;
            }
            summary.missed += plan.missed;
            at.total += std::max<qint64>(0, plan.end - plan.start);
            partitions.append(plan);
        }
        plans.append({topic, partitions});
    }
    summary.topics = topics;

    engine::RecordDecryptor::KeyMemo memo;
    for (const auto &planned : std::as_const(plans)) {
        // Named, not a structured binding: lambdas below capture it (clang before 16 cannot
        // capture structured bindings).
        const QString &topic = planned.first;
        const QList<PartitionPlan> &partitions = planned.second;
        at.topic = topic;
        if (cancel) {
            summary.cancelled = true;
            return summary;
        }
        // Positions that move without reading (retention went past them) are stored first;
        // the partitions with records left are read with one consumer, each from its own
        // position: setting a consumer up per partition costs more than counting a small one.
        kafka::ReadRequest request;
        request.topic = topic;
        request.batchSize = options.batchSize;
        QHash<int, qint64> missedOf;
        for (const PartitionPlan &plan : partitions) {
            missedOf.insert(plan.partition, plan.missed);
            if (plan.start < plan.end) {
                request.partitionStarts.insert(plan.partition, plan.start);
            } else if (plan.moved) {
                if (auto ok =
                        state.commit(topic, {}, {{topic, plan.partition, plan.start, plan.missed}});
                    !ok)
                    return ok.error();
            }
        }
        if (request.partitionStarts.isEmpty())
            continue;
        std::optional<Error> failed;
        std::atomic_bool stop{false};
        kafka::ReadCallbacks callbacks;
        callbacks.onBatch = [&](QList<kafka::KafkaRecord> &&batch) {
            if (failed || batch.isEmpty())
                return;
            Tally counted;
            // A batch may hold records of several partitions, each in offset order: each
            // moves to after its last record here, with the counts, in one transaction.
            QMap<int, qint64> next;
            for (const kafka::KafkaRecord &record : std::as_const(batch)) {
                countRecord(counted, inspector, memo, record);
                next.insert(record.partition, record.offset + 1);
            }
            QList<PartitionPosition> moved;
            for (auto it = next.cbegin(); it != next.cend(); ++it)
                moved.append({topic, it.key(), it.value(), missedOf.value(it.key())});
            if (auto ok = state.commit(topic, counted, moved); !ok) {
                failed = ok.error();
                stop = true;
                return;
            }
            summary.recordsRead += batch.size();
            at.scanned += batch.size();
            if (progress)
                progress(at);
            if (cancel)
                stop = true;
        };
        auto read = kafka::readRecords(settings, request, callbacks, stop);
        if (failed)
            return *failed;
        if (!read)
            return read.error();
        if (read->cancelled) {
            summary.cancelled = true;
            return summary;
        }
    }
    return summary;
}

} // namespace kw::census
