#pragma once
// Value types of the Kafka layer: topic metadata with watermarks, where a bounded read starts,
// and the records it hands back. Plain, immutable-by-convention values, safe to pass between
// threads; no librdkafka type appears here.

#include "core/serde/framing.h"

#include <QByteArray>
#include <QLatin1String>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

namespace kw::kafka {

// Error codes of this module (kw::Error::code). Messages name the topic, partition, broker
// list or property concerned, never a secret value.
inline constexpr QLatin1String ErrorUnknownTopic{"kafka.unknown_topic"};
inline constexpr QLatin1String ErrorUnknownPartition{"kafka.unknown_partition"};
inline constexpr QLatin1String ErrorUnreachable{"kafka.unreachable"}; // brokers down, time-out
inline constexpr QLatin1String ErrorAuthentication{"kafka.authentication"}; // SASL/SSL refused
inline constexpr QLatin1String ErrorBadProperty{"kafka.bad_property"};     // unknown name/bad value
inline constexpr QLatin1String ErrorNotConfigured{"kafka.not_configured"}; // no bootstrap servers
inline constexpr QLatin1String ErrorCancelled{"kafka.cancelled"};
inline constexpr QLatin1String ErrorFailed{"kafka.failed"}; // anything else librdkafka reports

struct PartitionInfo
{
    int partition = 0;
    int leader = -1;
    // Watermarks: the first offset still stored and the offset the next record will get.
    // -1 when they were not asked for (or could not be read).
    qint64 low = -1;
    qint64 high = -1;

    [[nodiscard]] qint64 count() const { return low >= 0 && high >= low ? high - low : 0; }
};

struct TopicInfo
{
    QString name;
    int partitionCount = 0;
    bool internal = false;           // names starting with "__" (e.g. __consumer_offsets)
    QList<PartitionInfo> partitions; // sorted by partition; watermarks only when asked for
};

// Where a bounded read starts, in each partition it reads.
struct StartPosition
{
    enum class Kind
    {
        Earliest,    // the low watermark
        LatestMinus, // max(low, high - value) in every partition
        LastTotal,   // the newest `value` records of the topic, spread over partitions (see below)
        Offset,      // offset `value` (clamped to [low, high]) in every partition read
        Timestamp    // the first record with timestamp >= `value` ms since the epoch
    };
    Kind kind = Kind::Earliest;
    qint64 value = 0;

    static StartPosition earliest() { return {Kind::Earliest, 0}; }
    static StartPosition latestMinus(qint64 perPartition)
    {
        return {Kind::LatestMinus, perPartition};
    }
    // LastTotal rule ("water-filling"): the total is shared evenly between the partitions read;
    // a partition with fewer records than its share gives the rest to the others, so the read
    // returns min(total, records stored) records, the newest of each partition.
    static StartPosition lastTotal(qint64 total) { return {Kind::LastTotal, total}; }
    static StartPosition offset(qint64 offset) { return {Kind::Offset, offset}; }
    static StartPosition timestamp(qint64 epochMs) { return {Kind::Timestamp, epochMs}; }
};

struct ReadRequest
{
    QString topic;
    int partition = -1; // -1: every partition of the topic
    StartPosition start;
    // When not empty: read exactly these partitions, each from its own offset (clamped to
    // [low, high]), instead of `partition` and `start`. One consumer for a topic whose
    // partitions resume at different places (the census).
    QMap<int, qint64> partitionStarts;
    qint64 limit = -1;             // total records across partitions; -1: up to the high watermarks
    int batchSize = 500;           // records per batch handed back
    int metadataTimeoutMs = 10000; // metadata, watermarks, offsetsForTimes: fail after this
    // A read that gets no record for this long while records are still expected fails with
    // ErrorUnreachable instead of waiting forever.
    int stallTimeoutMs = 30000;
};

struct KafkaRecord
{
    enum class TimestampType
    {
        NotAvailable,
        CreateTime,
        LogAppendTime
    };
    QString topic;
    int partition = 0;
    qint64 offset = 0;
    qint64 timestampMs = -1;
    TimestampType timestampType = TimestampType::NotAvailable;
    QByteArray key;   // null QByteArray: null key
    QByteArray value; // null QByteArray: tombstone
    QList<serde::RecordHeader> headers;
};

// The offsets a read covers in one partition: [start, end), end being the high watermark
// captured when the read began.
struct PartitionRange
{
    int partition = 0;
    qint64 start = 0;
    qint64 end = 0;
    [[nodiscard]] qint64 count() const { return end > start ? end - start : 0; }
};

struct ReadProgress
{
    qint64 read = 0;     // records handed back so far
    qint64 expected = 0; // records the read will return at most (ranges and limit applied)
};

struct ReadSummary
{
    QString topic;
    QList<PartitionRange> ranges;
    qint64 records = 0;
    bool limitReached = false;
    bool cancelled = false;
    qint64 elapsedMs = 0;
};

QString timestampTypeName(KafkaRecord::TimestampType type); // "CreateTime", ...

} // namespace kw::kafka

Q_DECLARE_METATYPE(kw::kafka::ReadProgress)
Q_DECLARE_METATYPE(kw::kafka::ReadSummary)
