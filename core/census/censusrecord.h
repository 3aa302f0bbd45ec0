#pragma once
// One partition's census as a record of the census topic, and the ledger that merges those
// records into cluster-wide totals.
//
// The record holds a partition's cumulative counts (a Tally of that partition alone) together
// with its position: nextOffset, the first offset not counted. Kafka records never change, so
// any two members that count a partition from the same record up to the same offset reach the
// same counts: every record is a correct census of [log start, nextOffset). The ledger keeps,
// per partition, the record with the greatest nextOffset (not the latest one written), so a
// member that lost a partition and writes late (a "zombie") can never roll it back, and a
// member that died leaves the last record it got acknowledged, from which the next owner
// continues: nothing lost, nothing counted twice.
//
// Key: {"partition":N,"topic":"NAME"} (compact JSON, identical bytes for a partition, so the
// compacted topic keeps one record per partition). Value: JSON, see encodeValue().

#include "core/census/censustally.h"
#include "core/domain/result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace kw::census {

// The default census topic of a group census. Its name starts with '_' so a census of
// "every topic" leaves it out.
QString defaultCensusTopic();

struct PartitionCensus
{
    QString topic;
    int partition = 0;
    qint64 nextOffset = 0; // the first offset not counted
    qint64 missed = 0;     // records retention deleted before they were counted
    Tally counts;          // records [log start, nextOffset) of this partition only
};

QByteArray encodeKey(const QString &topic, int partition);
QByteArray encodeValue(const PartitionCensus &census);
// Errors: "census.bad_record" (not a census record, or one of a newer format), naming what
// is wrong.
Result<PartitionCensus> decodeRecord(const QByteArray &key, const QByteArray &value);

class CensusLedger
{
public:
    // Keeps `census` if it is the first of its partition or goes further than the one kept
    // (greater nextOffset); on equal nextOffset the later offer wins (same counts, fresher
    // `missed`). Returns whether it was kept.
    bool offer(PartitionCensus census);
    // Counts a census-topic record that could not be decoded (reported, never merged).
    void noteUnreadable() { ++m_unreadable; }

    [[nodiscard]] const PartitionCensus *find(const QString &topic, int partition) const;
    [[nodiscard]] qint64 nextOffset(const QString &topic, int partition) const; // -1: none
    [[nodiscard]] QStringList topics() const;
    [[nodiscard]] int partitions() const;
    [[nodiscard]] qint64 unreadable() const { return m_unreadable; }

    // The totals over `topics` (every topic when empty), partitions merged in (topic,
    // partition) order: the order a single-process census counts them in, so the examples of
    // problems are the same records.
    [[nodiscard]] Tally totals(const QStringList &topics = {}) const;
    // Records missed per topic (only topics with some).
    [[nodiscard]] QHash<QString, qint64> missed(const QStringList &topics = {}) const;

private:
    QHash<QString, QHash<int, PartitionCensus>> m_kept;
    qint64 m_unreadable = 0;
};

} // namespace kw::census
