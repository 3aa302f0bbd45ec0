#pragma once
// Bounded reads of one topic: from a start position to the high watermarks captured when the
// read begins (never waiting on an idle partition), optionally one partition, optionally a total
// limit. Uses assign(), never subscribe(), and commits nothing (a throw-away group.id).
//
// The order, which makes a read repeatable: each partition's records come in offset order, and
// the partitions are merged by timestamp: of the partitions still being read, the one whose next
// record has the smallest timestamp goes next, the lowest partition number on equal timestamps.
// A limit of N stops after the first N records of that merge. So the same request on an
// unchanged topic returns the same records in the same order, whatever the fetch timing, and a
// small limit reads about N records per partition at most, never the whole topic.

#include "core/domain/result.h"
#include "core/kafka/kafkasettings.h"
#include "core/kafka/kafkatypes.h"

#include <atomic>
#include <functional>
#include <memory>

namespace kw::kafka {

struct ReadCallbacks
{
    // Records in the read's order (see above), at most batchSize each.
    // Called on the reading thread; the batch is the callee's to keep.
    std::function<void(QList<KafkaRecord> &&batch)> onBatch;
    // Instead of onBatch, when set: the records' key, value and header bytes are not copied
    // but point into the Kafka client's receive buffers (QByteArray::fromRawData), which
    // `hold` keeps alive, and the client with them. For callers done with each record soon
    // (the CLI's records are printed and dropped): keep `hold` as long as those bytes are
    // used, and deep-copy whatever must outlive it.
    std::function<void(QList<KafkaRecord> &&batch, std::shared_ptr<const void> hold)>
        onBorrowedBatch;
    // After each batch. Optional.
    std::function<void(const ReadProgress &progress)> onProgress;
    // Once the ranges are known, before the first batch. Optional.
    std::function<void(const QList<PartitionRange> &ranges, qint64 expected)> onStarted;
};

// Blocking: call from a worker thread. `cancel` is checked at least once per poll (every
// ~100 ms); a cancelled read answers its summary with cancelled = true (not an error).
// Errors: ErrorNotConfigured, ErrorBadProperty, ErrorUnreachable, ErrorAuthentication,
// ErrorUnknownTopic, ErrorUnknownPartition, ErrorFailed.
Result<ReadSummary> readRecords(const KafkaSettings &settings, const ReadRequest &request,
                                const ReadCallbacks &callbacks, const std::atomic_bool &cancel);

// The ranges a read starts from, from the partitions' watermarks (and, for Timestamp starts,
// the offsets found for that time: -1 meaning "after the last record"). Exposed for tests and
// for previews that want to show "N records will be read".
QList<PartitionRange> planRanges(const StartPosition &start, const QList<PartitionInfo> &partitions,
                                 const QList<qint64> &timestampOffsets = {});

} // namespace kw::kafka
