#pragma once
// A census run: reads the chosen topics from where the last run stopped to their current end,
// inspects every record with the engine's inspect-only path (framing, schema and each
// encrypted value's KEK, algorithm and DEK version: no DEK lookup, no KMS call, no key
// material), and commits counts and positions together after every batch (CensusState). One
// partition at a time, one batch in memory: constant memory whatever the topic's size.

#include "core/census/censusstate.h"
#include "core/domain/result.h"
#include "core/engine/recorddecryptor.h"
#include "core/kafka/kafkasettings.h"

#include <QStringList>

#include <atomic>
#include <functional>

namespace kw::census {

struct ScanOptions
{
    // Empty: every topic but Kafka's internal ones ("__…") and those whose name starts with
    // "_" (Keywarden's own census topic, Connect's and Schema Registry's stores).
    QStringList topics;
    bool rescan = false;  // forget what earlier runs counted and start over
    int batchSize = 5000; // records per commit (and in memory at once)
};

struct ScanProgress
{
    QString topic;
    qint64 scanned = 0; // records read so far in this run
    qint64 total = 0;   // records this run will read (from the watermarks when it started)
};

struct ScanSummary
{
    QStringList topics;     // the topics scanned
    qint64 recordsRead = 0; // in this run
    // Records retention deleted before any run counted them, over all runs: the counts of the
    // topics concerned are a lower bound.
    qint64 missed = 0;
    bool cancelled = false;
};

// `topics`, or when empty every topic but Kafka's internal ones and those starting with '_'
// (sorted). Errors: those of kafka::listTopics.
Result<QStringList> chooseTopics(const kafka::KafkaSettings &settings, const QStringList &topics);

// Inspects one record (its value, and its key when a Schema Registry serializer could have
// written it) and counts it into `tally`: the one way every census counts, alone or in a group.
void countRecord(Tally &tally, engine::RecordDecryptor &inspector,
                 engine::RecordDecryptor::KeyMemo &memo, const kafka::KafkaRecord &record);

// Blocking: call from a worker thread, never from the thread of the inspector's registry
// transport. `progress` is called after each batch, on this thread. Errors: those of
// kafka::listTopics / describeTopic / readRecords and of CensusState; counts committed before
// an error stay, and the next run continues after them.
Result<ScanSummary> runScan(const kafka::KafkaSettings &settings,
                            engine::RecordDecryptor &inspector, CensusState &state,
                            const ScanOptions &options,
                            const std::function<void(const ScanProgress &)> &progress,
                            const std::atomic_bool &cancel);

} // namespace kw::census
