// A group census's record of one partition (counts and position together) and the ledger that
// merges them: every count survives the round trip through the census topic's bytes, the
// record that went furthest wins whatever the order records arrive in, and the merged totals
// are those a single process gets from the same partitions.

#include "core/census/censusrecord.h"

#include <QTest>

using namespace kw;
using namespace kw::census;

namespace {

const QString kTopic = QStringLiteral("orders");

kafka::KafkaRecord record(int partition, qint64 offset, qint64 ts, bool tombstone = false)
{
    kafka::KafkaRecord r;
    r.topic = kTopic;
    r.partition = partition;
    r.offset = offset;
    r.timestampMs = ts;
    if (!tombstone)
        r.value = QByteArrayLiteral("\0\0\0\0\x01x");
    return r;
}

engine::RecordInspection fields(QList<std::pair<int, bool>> versions)
{
    engine::RecordInspection i;
    i.dekSubject = QStringLiteral("orders-value");
    for (const auto &[version, prefixed] : versions) {
        engine::EncryptedValue v;
        v.path = QStringLiteral("card");
        v.kekName = QStringLiteral("kek-a");
        v.algorithm = QStringLiteral("AES256_GCM");
        v.dekVersion = version;
        v.versionPrefixed = prefixed;
        i.values.append(v);
    }
    return i;
}

engine::RecordInspection failed(const QString &code)
{
    engine::RecordInspection i;
    i.error = makeError(code, QStringLiteral("failed on purpose at %1").arg(code));
    return i;
}

// A partition's census as a member counts it: records from offset 0 up to `end`.
PartitionCensus counted(int partition, qint64 end, qint64 missed = 0)
{
    PartitionCensus c;
    c.topic = kTopic;
    c.partition = partition;
    c.nextOffset = end;
    c.missed = missed;
    for (qint64 offset = 0; offset < end; ++offset) {
        const qint64 ts = 1'700'000'000'000 + partition * 7 + offset * 1000;
        const kafka::KafkaRecord r = record(partition, offset, ts, offset % 5 == 4);
        if (offset % 7 == 3)
            c.counts.add(r, failed(QStringLiteral("registry.40403")));
        else if (offset % 11 == 6)
            c.counts.add(r, failed(QStringLiteral("serde.malformed_framing")));
        else
            c.counts.add(r, fields({{1 + int(offset / 4), true}, {1, offset % 3 == 0}}));
    }
    return c;
}

void compareTallies(const Tally &actual, const Tally &expected)
{
    QCOMPARE(actual.dekVersions().keys().size(), expected.dekVersions().size());
    for (auto it = expected.dekVersions().cbegin(); it != expected.dekVersions().cend(); ++it) {
        QVERIFY(actual.dekVersions().contains(it.key()));
        const DekVersionUsage &a = actual.dekVersions().value(it.key());
        const DekVersionUsage &e = it.value();
        QCOMPARE(a.encryptions, e.encryptions);
        QCOMPARE(a.records, e.records);
        QCOMPARE(a.unprefixed, e.unprefixed);
        QCOMPARE(a.topics, e.topics);
        for (const auto &[as, es] : {std::pair{a.first, e.first}, std::pair{a.last, e.last}}) {
            QCOMPARE(as.timestampMs, es.timestampMs);
            QCOMPARE(as.topic, es.topic);
            QCOMPARE(as.partition, es.partition);
            QCOMPARE(as.offset, es.offset);
        }
    }
    QCOMPARE(actual.topics().keys(), expected.topics().keys());
    for (auto it = expected.topics().cbegin(); it != expected.topics().cend(); ++it) {
        QCOMPARE(actual.topics().value(it.key()).records, it->records);
        QCOMPARE(actual.topics().value(it.key()).protection, it->protection);
    }
    QCOMPARE(actual.problems().keys(), expected.problems().keys());
    for (auto t = expected.problems().cbegin(); t != expected.problems().cend(); ++t) {
        const auto mine = actual.problems().value(t.key());
        QCOMPARE(mine.keys(), t->keys());
        for (auto p = t->cbegin(); p != t->cend(); ++p) {
            QCOMPARE(mine.value(p.key()).count, p->count);
            QCOMPARE(mine.value(p.key()).message, p->message);
            QCOMPARE(mine.value(p.key()).example.partition, p->example.partition);
            QCOMPARE(mine.value(p.key()).example.offset, p->example.offset);
            QCOMPARE(mine.value(p.key()).example.timestampMs, p->example.timestampMs);
        }
    }
}

PartitionCensus roundTrip(const PartitionCensus &c)
{
    auto decoded = decodeRecord(encodeKey(c.topic, c.partition), encodeValue(c));
    if (!decoded)
        qFatal("%s", qPrintable(decoded.error().message));
    return *decoded;
}

} // namespace

class TestCensusRecord : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aRecordKeepsEveryCount()
    {
        const PartitionCensus c = counted(2, 60, 17);
        QVERIFY(!c.counts.problems().isEmpty());
        QVERIFY(c.counts.topics().value(kTopic).count(Protection::Tombstone) > 0);
        const PartitionCensus back = roundTrip(c);
        QCOMPARE(back.topic, c.topic);
        QCOMPARE(back.partition, 2);
        QCOMPARE(back.nextOffset, 60);
        QCOMPARE(back.missed, 17);
        compareTallies(back.counts, c.counts);
        // The same partition always has the same key, so compaction keeps one record of it.
        QCOMPARE(encodeKey(kTopic, 2), encodeKey(kTopic, 2));
        QVERIFY(encodeKey(kTopic, 2) != encodeKey(kTopic, 3));
        QCOMPARE(encodeValue(back), encodeValue(c));
    }

    void aPartitionNotCountedYetHasNoTopicLine()
    {
        PartitionCensus empty;
        empty.topic = kTopic;
        empty.partition = 0;
        empty.nextOffset = 0;
        const PartitionCensus back = roundTrip(empty);
        QVERIFY(back.counts.isEmpty());
        QVERIFY(back.counts.dekVersions().isEmpty());
    }

    void recordsNotOursAreRefused_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("says");
        const QByteArray key = encodeKey(kTopic, 1);
        QByteArray newer = encodeValue(counted(1, 3));
        newer.replace("\"format\":1", "\"format\":2");
        QTest::newRow("newer format") << key << newer << QStringLiteral("format is 2");
        QTest::newRow("tombstone") << key << QByteArray() << QStringLiteral("tombstone");
        QTest::newRow("not JSON") << key << QByteArray("{nope") << QStringLiteral("not a JSON");
        QTest::newRow("key of another partition")
            << encodeKey(kTopic, 9) << encodeValue(counted(1, 3))
            << QStringLiteral("another partition");
        QTest::newRow("no position") << key
                                     << QByteArray("{\"format\":1,\"topic\":\"orders\","
                                                   "\"partition\":1}")
                                     << QStringLiteral("no topic, partition or position");
    }

    void recordsNotOursAreRefused()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, value);
        QFETCH(QString, says);
        const auto decoded = decodeRecord(key, value);
        QVERIFY(!decoded);
        QCOMPARE(decoded.error().code, QStringLiteral("census.bad_record"));
        QVERIFY2(decoded.error().message.contains(says), qPrintable(decoded.error().message));
    }

    void theRecordThatWentFurthestWins()
    {
        CensusLedger ledger;
        QVERIFY(ledger.offer(roundTrip(counted(0, 40))));
        // A member that lost the partition and writes late ("zombie"): never a step back.
        QVERIFY(!ledger.offer(roundTrip(counted(0, 25))));
        QCOMPARE(ledger.nextOffset(kTopic, 0), 40);
        QCOMPARE(ledger.totals().records(), 40);
        QVERIFY(ledger.offer(roundTrip(counted(0, 55))));
        QCOMPARE(ledger.nextOffset(kTopic, 0), 55);
        // Equal positions carry equal counts; the later record brings the fresher `missed`.
        QVERIFY(ledger.offer(roundTrip(counted(0, 55, 4))));
        QCOMPARE(ledger.missed().value(kTopic), 4);
        QCOMPARE(ledger.nextOffset(kTopic, 1), -1);
        QCOMPARE(ledger.partitions(), 1);
    }

    void mergedTotalsAreASingleProcessCount()
    {
        // One process counting partitions 0, 1 and 2 in order, as runScan does...
        Tally single;
        const QList<PartitionCensus> partitions{counted(0, 30), counted(1, 45), counted(2, 12)};
        for (const PartitionCensus &p : partitions)
            single.merge(p.counts);
        // ...equals the ledger's totals whatever the order the records arrive in, stale ones
        // included.
        CensusLedger ledger;
        ledger.offer(roundTrip(counted(2, 12)));
        ledger.offer(roundTrip(counted(1, 20)));
        ledger.offer(roundTrip(counted(0, 30)));
        ledger.offer(roundTrip(counted(1, 45)));
        ledger.offer(roundTrip(counted(1, 33)));
        compareTallies(ledger.totals(), single);
        // The first example of a problem is the lowest partition's, as in a single process.
        const Problem unknown =
            ledger.totals().problems().value(kTopic).value(QStringLiteral("registry.40403"));
        QCOMPARE(unknown.example.partition, 0);
        QCOMPARE(unknown.example.offset, 3);
        QCOMPARE(ledger.partitions(), 3);
        QVERIFY(ledger.totals({QStringLiteral("other")}).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCensusRecord)
#include "tst_censusrecord.moc"
