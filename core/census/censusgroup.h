#pragma once
// A census split over the members of a Kafka consumer group, its state on Kafka itself.
//
// Kafka assigns each member some of the chosen topics' partitions. For each partition it
// owns, a member continues from the partition's record in the census topic (CensusRecord: the
// cumulative counts and the next offset, together), counts a batch, writes the new record,
// waits until the brokers acknowledged it (acks=all, idempotent producer), and only then reads
// on. A member that dies loses at most the batch it had not written; whoever gets the
// partition next starts from the last acknowledged record. Readers keep, per partition, the
// record with the greatest nextOffset, so nothing is lost or counted twice whatever the
// rebalances (see censusrecord.h).
//
// When it is done: every member notes at its start the end offset of every partition of the
// chosen topics (its goal) and keeps reading what it is assigned (records written later
// included) until the census topic shows every partition counted up to its goal, by whichever
// member; then it leaves the group. Members stopped or killed along the way leave their
// partitions to the others (after the group's session time-out for a killed one).

#include "core/census/censusrecord.h"
#include "core/domain/result.h"
#include "core/engine/recorddecryptor.h"
#include "core/kafka/kafkasettings.h"

#include <QStringList>

#include <atomic>
#include <functional>

namespace kw::census {

struct GroupOptions
{
    QString groupId;
    QString censusTopic = defaultCensusTopic();
    QStringList topics;   // empty: as chooseTopics()
    int batchSize = 2000; // records read between two writes of the census topic, at most
    // For tests only: a pause after each batch written, so that a test can stop a member in
    // the middle of its scan without racing it.
    int batchDelayMs = 0;
};

struct GroupProgress
{
    qint64 recordsRead = 0;  // by this member
    int partitionsOwned = 0; // assigned to this member now
    int partitionsDone = 0;  // of the chosen topics', counted to their goal by any member
    int partitionsTotal = 0;
};

struct GroupSummary
{
    QStringList topics;
    qint64 recordsRead = 0; // by this member
    CensusLedger ledger;    // the census topic as this member read it last, at the end
    bool cancelled = false;
};

// Blocking: call from a worker thread, never from the thread of the inspector's registry
// transport. `progress` is called after each batch written, on this thread. Errors:
// "census.group" (bad options), those of the Kafka clients (kafka.*) and of the census
// topic's records.
Result<GroupSummary> runGroupMember(const kafka::KafkaSettings &settings,
                                    engine::RecordDecryptor &inspector, const GroupOptions &options,
                                    const std::function<void(const GroupProgress &)> &progress,
                                    const std::atomic_bool &cancel);

// The census topic as it is now, merged (greatest nextOffset per partition): the cluster-wide
// totals, read without joining any group. Errors: kafka.unknown_topic when there is no such
// topic, and those of reading it.
Result<CensusLedger> readCensusTopic(const kafka::KafkaSettings &settings,
                                     const QString &censusTopic);

} // namespace kw::census
