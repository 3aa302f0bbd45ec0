// Bounded reads and metadata against librdkafka's mock cluster: each start position, the
// partition filter, the limit, cancelling, and the specific errors for bad input.

#include "core/kafka/kafkaclient.h"
#include "core/kafka/recordreader.h"
#include "core/sandbox/mockkafkacluster.h"

#include <QSet>
#include <QTest>

#include <memory>

using namespace kw;
using namespace kw::kafka;

namespace {

constexpr int kPartitions = 3;
constexpr int kPerPartition = 30;
constexpr qint64 kBaseTime = 1'700'000'000'000;

struct Collected
{
    QList<KafkaRecord> records;
    int batches = 0;
    Result<ReadSummary> summary = makeError(QString(), QString());
};

} // namespace

class TestRecordReader : public QObject
{
    Q_OBJECT

private:
    sandbox::MockKafkaCluster m_cluster;
    KafkaSettings m_settings;

    Collected read(ReadRequest request, std::function<void(Collected &)> afterBatch = {})
    {
        Collected c;
        std::atomic_bool cancel{false};
        ReadCallbacks callbacks;
        callbacks.onBatch = [&](QList<KafkaRecord> &&batch) {
            ++c.batches;
            c.records.append(batch);
            if (afterBatch)
                afterBatch(c);
        };
        c.summary = readRecords(m_settings, request, callbacks, cancel);
        return c;
    }

    static ReadRequest request(StartPosition start, int partition = -1, qint64 limit = -1)
    {
        ReadRequest r;
        r.topic = QStringLiteral("orders");
        r.start = start;
        r.partition = partition;
        r.limit = limit;
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto started = m_cluster.start();
        QVERIFY2(started, qPrintable(started.error().message));
        QVERIFY(m_cluster.createTopic(QStringLiteral("orders"), kPartitions));
        QVERIFY(m_cluster.createTopic(QStringLiteral("empty"), 2));
        QList<sandbox::MockRecord> records;
        for (int p = 0; p < kPartitions; ++p)
            for (int i = 0; i < kPerPartition; ++i) {
                sandbox::MockRecord r;
                r.topic = QStringLiteral("orders");
                r.partition = p;
                r.key = QByteArray::number(i);
                r.value = QStringLiteral("p%1-%2").arg(p).arg(i).toUtf8();
                r.headers.append({QByteArrayLiteral("h"), QByteArray::number(p)});
                r.timestampMs = kBaseTime + i * 1000;
                records.append(r);
            }
        // "interleaved": partition 2's record i is the oldest of the three i-th records and
        // partition 0's the newest, so the time order runs 2, 1, 0, 2, 1, 0, ...
        QVERIFY(m_cluster.createTopic(QStringLiteral("interleaved"), kPartitions));
        for (int p = 0; p < kPartitions; ++p)
            for (int i = 0; i < 10; ++i) {
                sandbox::MockRecord r;
                r.topic = QStringLiteral("interleaved");
                r.partition = p;
                r.value = QStringLiteral("p%1-%2").arg(p).arg(i).toUtf8();
                r.timestampMs = kBaseTime + (i * kPartitions + (kPartitions - 1 - p)) * 10;
                records.append(r);
            }
        auto produced = m_cluster.produce(records);
        QVERIFY2(produced, qPrintable(produced.error().message));
        m_settings.connectionName = QStringLiteral("mock");
        m_settings.bootstrapServers = m_cluster.bootstrapServers();
    }

    void metadata()
    {
        auto topics = listTopics(m_settings);
        QVERIFY2(topics, qPrintable(topics.error().message));
        bool found = false;
        for (const TopicInfo &t : *topics)
            if (t.name == QLatin1String("orders")) {
                found = true;
                QCOMPARE(t.partitionCount, kPartitions);
            }
        QVERIFY(found);

        auto orders = describeTopic(m_settings, QStringLiteral("orders"));
        QVERIFY2(orders, qPrintable(orders.error().message));
        QCOMPARE(orders->partitions.size(), kPartitions);
        for (int p = 0; p < kPartitions; ++p) {
            QCOMPARE(orders->partitions.at(p).partition, p);
            QCOMPARE(orders->partitions.at(p).low, 0);
            QCOMPARE(orders->partitions.at(p).high, kPerPartition);
        }
    }

    void earliestReadsEverythingInOffsetOrder()
    {
        const Collected c = read(request(StartPosition::earliest()));
        QVERIFY2(c.summary, qPrintable(c.summary.error().message));
        QCOMPARE(c.records.size(), kPartitions * kPerPartition);
        QCOMPARE(c.summary->records, kPartitions * kPerPartition);
        QHash<int, qint64> last;
        for (const KafkaRecord &r : c.records) {
            QCOMPARE(r.topic, QStringLiteral("orders"));
            QCOMPARE(r.offset, last.value(r.partition, -1) + 1);
            last[r.partition] = r.offset;
            QCOMPARE(r.value, QStringLiteral("p%1-%2").arg(r.partition).arg(r.offset).toUtf8());
            QCOMPARE(r.key, QByteArray::number(r.offset));
            QCOMPARE(r.timestampMs, kBaseTime + r.offset * 1000);
            QCOMPARE(r.timestampType, KafkaRecord::TimestampType::CreateTime);
            QCOMPARE(r.headers.size(), 1);
            QCOMPARE(r.headers.first().value, QByteArray::number(r.partition));
        }
        QVERIFY(!c.summary->limitReached);
    }

    void borrowedBatchesStayValidWhileHeld()
    {
        // Borrowed records point into the client's buffers: kept with their holds past the
        // end of the read (and the consumer's), they still read back exactly like copies.
        QList<QList<KafkaRecord>> batches;
        QList<std::shared_ptr<const void>> holds;
        std::atomic_bool cancel{false};
        ReadCallbacks callbacks;
        callbacks.onBorrowedBatch = [&](QList<KafkaRecord> &&batch,
                                        std::shared_ptr<const void> hold) {
            QVERIFY(hold);
            batches.append(std::move(batch));
            holds.append(std::move(hold));
        };
        ReadRequest r = request(StartPosition::earliest());
        r.batchSize = 7;
        auto summary = readRecords(m_settings, r, callbacks, cancel);
        QVERIFY2(summary, qPrintable(summary.error().message));

        const Collected copied = read(request(StartPosition::earliest()));
        QVERIFY2(copied.summary, qPrintable(copied.summary.error().message));
        QList<KafkaRecord> borrowed;
        for (const QList<KafkaRecord> &b : std::as_const(batches)) {
            QVERIFY(b.size() <= 7);
            borrowed.append(b);
        }
        QCOMPARE(borrowed.size(), kPartitions * kPerPartition);
        QCOMPARE(borrowed.size(), copied.records.size());
        const auto key = [](const KafkaRecord &k) {
            return qint64(k.partition) << 32 | k.offset;
        };
        QHash<qint64, KafkaRecord> byPosition;
        for (const KafkaRecord &k : copied.records)
            byPosition.insert(key(k), k);
        for (const KafkaRecord &k : std::as_const(borrowed)) {
            const KafkaRecord c = byPosition.value(key(k));
            QCOMPARE(k.value, c.value);
            QCOMPARE(k.key, c.key);
            QCOMPARE(k.headers.size(), 1);
            QCOMPARE(k.headers.first().key, QByteArrayLiteral("h"));
            QCOMPARE(k.headers.first().value, c.headers.first().value);
        }
        batches.clear();
        holds.clear(); // the last hold takes the consumer with it
    }

    void latestMinusPerPartition()
    {
        const Collected c = read(request(StartPosition::latestMinus(5)));
        QVERIFY2(c.summary, qPrintable(c.summary.error().message));
        QCOMPARE(c.records.size(), kPartitions * 5);
        for (const KafkaRecord &r : c.records)
            QVERIFY(r.offset >= kPerPartition - 5);
    }

    void lastTotalSpreadsOverPartitions()
    {
        const Collected c = read(request(StartPosition::lastTotal(10)));
        QVERIFY2(c.summary, qPrintable(c.summary.error().message));
        QCOMPARE(c.records.size(), 10);
        QHash<int, int> perPartition;
        for (const KafkaRecord &r : c.records)
            ++perPartition[r.partition];
        QCOMPARE(perPartition.size(), kPartitions);
        for (int n : std::as_const(perPartition))
            QVERIFY(n == 3 || n == 4);

        const Collected all = read(request(StartPosition::lastTotal(1000)));
        QVERIFY(all.summary);
        QCOMPARE(all.records.size(), kPartitions * kPerPartition);
    }

    void planRangesWaterFills()
    {
        const QList<PartitionInfo> parts{{0, 1, 0, 2}, {1, 1, 0, 100}, {2, 1, 10, 10}};
        const QList<PartitionRange> r = planRanges(StartPosition::lastTotal(20), parts);
        QCOMPARE(r.size(), 3);
        QCOMPARE(r.at(0).count(), 2);
        QCOMPARE(r.at(1).count(), 18);
        QCOMPARE(r.at(1).start, 82);
        QCOMPARE(r.at(2).count(), 0);
        const QList<PartitionRange> o = planRanges(StartPosition::offset(5), parts);
        QCOMPARE(o.at(0).start, 2); // clamped to the high watermark: nothing to read
        QCOMPARE(o.at(1).start, 5);
        QCOMPARE(o.at(2).start, 10);
    }

    void fromAnOffset()
    {
        const Collected c = read(request(StartPosition::offset(20)));
        QVERIFY(c.summary);
        QCOMPARE(c.records.size(), kPartitions * 10);
        for (const KafkaRecord &r : c.records)
            QVERIFY(r.offset >= 20);
    }

    void fromATimestamp()
    {
        // librdkafka's mock cluster does not implement ListOffsets by timestamp
        // (confluentinc/librdkafka#4755), so the mapping from broker answers to ranges is
        // checked here, and the live read only for being well-formed.
        const QList<PartitionInfo> parts{{0, 1, 0, 30}, {1, 1, 0, 30}, {2, 1, 5, 30}};
        const QList<PartitionRange> r =
            planRanges(StartPosition::timestamp(kBaseTime), parts, {25, -1, 2});
        QCOMPARE(r.at(0).start, 25);
        QCOMPARE(r.at(0).count(), 5);
        QCOMPARE(r.at(1).count(), 0); // -1: no record at or after the time
        QCOMPARE(r.at(2).start, 5);   // clamped to the low watermark

        const Collected c = read(request(StartPosition::timestamp(kBaseTime + 25 * 1000 - 1)));
        QVERIFY2(c.summary, qPrintable(c.summary.error().message));
        QVERIFY(c.records.size() <= kPartitions * kPerPartition);
    }

    void onePartition()
    {
        const Collected c = read(request(StartPosition::earliest(), 1));
        QVERIFY(c.summary);
        QCOMPARE(c.records.size(), kPerPartition);
        for (const KafkaRecord &r : c.records)
            QCOMPARE(r.partition, 1);
        QCOMPARE(c.summary->ranges.size(), 1);
    }

    void limitStopsEarly()
    {
        const Collected c = read(request(StartPosition::earliest(), -1, 7));
        QVERIFY(c.summary);
        QCOMPARE(c.records.size(), 7);
        QVERIFY(c.summary->limitReached);
    }

    // The order a read defines (recordreader.h): each partition by offset, partitions merged by
    // timestamp, the lower partition first on equal timestamps; a limit keeps the first N.
    void limitKeepsTheFirstRecordsOfTheMerge_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::addColumn<int>("kind"); // StartPosition::Kind
        QTest::addColumn<qint64>("from");
        QTest::addColumn<qint64>("limit");
        QTest::addColumn<QString>("expected"); // partition:offset, in order
        QTest::newRow("equal times: partition order")
            << QStringLiteral("orders") << int(StartPosition::Kind::Earliest) << qint64(0)
            << qint64(7) << QStringLiteral("0:0 1:0 2:0 0:1 1:1 2:1 0:2");
        QTest::newRow("older first across partitions")
            << QStringLiteral("interleaved") << int(StartPosition::Kind::Earliest) << qint64(0)
            << qint64(7) << QStringLiteral("2:0 1:0 0:0 2:1 1:1 0:1 2:2");
        QTest::newRow("from an offset")
            << QStringLiteral("orders") << int(StartPosition::Kind::Offset) << qint64(28)
            << qint64(5) << QStringLiteral("0:28 1:28 2:28 0:29 1:29");
        QTest::newRow("latest N in time order")
            << QStringLiteral("interleaved") << int(StartPosition::Kind::LastTotal) << qint64(6)
            << qint64(6) << QStringLiteral("2:8 1:8 0:8 2:9 1:9 0:9");
        QTest::newRow("latest minus, limited")
            << QStringLiteral("interleaved") << int(StartPosition::Kind::LatestMinus) << qint64(2)
            << qint64(4) << QStringLiteral("2:8 1:8 0:8 2:9");
    }

    void limitKeepsTheFirstRecordsOfTheMerge()
    {
        QFETCH(QString, topic);
        QFETCH(int, kind);
        QFETCH(qint64, from);
        const StartPosition start{StartPosition::Kind(kind), from};
        QFETCH(qint64, limit);
        QFETCH(QString, expected);
        ReadRequest r = request(start, -1, limit);
        r.topic = topic;
        r.batchSize = 3;
        const Collected c = read(r);
        QVERIFY2(c.summary, qPrintable(c.summary.error().message));
        QStringList got;
        for (const KafkaRecord &k : c.records)
            got.append(QStringLiteral("%1:%2").arg(k.partition).arg(k.offset));
        QCOMPARE(got.join(QLatin1Char(' ')), expected);
        QVERIFY(c.summary->limitReached);
    }

    // The same request on an unchanged topic, read five times: the same records in the same
    // order each time, whatever the fetches did.
    void repeatedReadsAreIdentical_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::addColumn<int>("kind"); // StartPosition::Kind
        QTest::addColumn<qint64>("from");
        QTest::addColumn<qint64>("limit");
        QTest::newRow("earliest, limited")
            << QStringLiteral("orders") << int(StartPosition::Kind::Earliest) << qint64(0)
            << qint64(40);
        QTest::newRow("earliest, all")
            << QStringLiteral("interleaved") << int(StartPosition::Kind::Earliest) << qint64(0)
            << qint64(-1);
        QTest::newRow("latest N") << QStringLiteral("orders") << int(StartPosition::Kind::LastTotal)
                                  << qint64(20) << qint64(20);
    }

    void repeatedReadsAreIdentical()
    {
        QFETCH(QString, topic);
        QFETCH(int, kind);
        QFETCH(qint64, from);
        const StartPosition start{StartPosition::Kind(kind), from};
        QFETCH(qint64, limit);
        ReadRequest r = request(start, -1, limit);
        r.topic = topic;
        r.batchSize = 4;
        const Collected first = read(r);
        QVERIFY2(first.summary, qPrintable(first.summary.error().message));
        QVERIFY(first.records.size() >= 20);
        // Each partition by offset; across them, by timestamp, then partition.
        for (qsizetype i = 1; i < first.records.size(); ++i) {
            const KafkaRecord &a = first.records.at(i - 1);
            const KafkaRecord &b = first.records.at(i);
            QVERIFY(a.timestampMs < b.timestampMs ||
                    (a.timestampMs == b.timestampMs && a.partition < b.partition));
        }
        for (int run = 2; run <= 5; ++run) {
            const Collected again = read(r);
            QVERIFY2(again.summary, qPrintable(again.summary.error().message));
            QCOMPARE(again.records.size(), first.records.size());
            for (qsizetype i = 0; i < first.records.size(); ++i) {
                QCOMPARE(again.records.at(i).partition, first.records.at(i).partition);
                QCOMPARE(again.records.at(i).offset, first.records.at(i).offset);
                QCOMPARE(again.records.at(i).value, first.records.at(i).value);
            }
        }
    }

    void emptyTopicEndsAtOnce()
    {
        ReadRequest r = request(StartPosition::earliest());
        r.topic = QStringLiteral("empty");
        const Collected c = read(r);
        QVERIFY2(c.summary, qPrintable(c.summary.error().message));
        QCOMPARE(c.records.size(), 0);
    }

    void cancelStopsTheRead()
    {
        std::atomic_bool cancel{false};
        ReadRequest r = request(StartPosition::earliest());
        r.batchSize = 5;
        qint64 seen = 0;
        ReadCallbacks callbacks;
        callbacks.onBatch = [&](QList<KafkaRecord> &&batch) {
            seen += batch.size();
            cancel = true;
        };
        auto summary = readRecords(m_settings, r, callbacks, cancel);
        QVERIFY(summary);
        QVERIFY(summary->cancelled);
        QVERIFY(seen < kPartitions * kPerPartition);
    }

    void unknownTopic()
    {
        ReadRequest r = request(StartPosition::earliest());
        r.topic = QStringLiteral("no-such-topic");
        const Collected c = read(r);
        QVERIFY(!c.summary);
        QCOMPARE(c.summary.error().code, QString(ErrorUnknownTopic));
        QVERIFY(c.summary.error().message.contains(QLatin1String("no-such-topic")));
    }

    void unknownPartition()
    {
        const Collected c = read(request(StartPosition::earliest(), 9));
        QVERIFY(!c.summary);
        QCOMPARE(c.summary.error().code, QString(ErrorUnknownPartition));
        QVERIFY(c.summary.error().message.contains(QLatin1String("partition 9")));
    }

    void badPropertyIsNamed()
    {
        KafkaSettings p = m_settings;
        p.properties.insert(QStringLiteral("no.such.property"), QStringLiteral("1"));
        auto topics = listTopics(p);
        QVERIFY(!topics);
        QCOMPARE(topics.error().code, QString(ErrorBadProperty));
        QVERIFY(topics.error().message.contains(QLatin1String("'no.such.property'")));

        KafkaSettings v = m_settings;
        v.properties.insert(QStringLiteral("security.protocol"), QStringLiteral("carrier-pigeon"));
        auto bad = listTopics(v);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, QString(ErrorBadProperty));
        QVERIFY(bad.error().message.contains(QLatin1String("'security.protocol'")));

        KafkaSettings none;
        QCOMPARE(listTopics(none).error().code, QString(ErrorNotConfigured));
    }

    void refusedLoginIsAnAuthenticationError()
    {
        // The mock brokers speak no SASL: the login fails, and says so without the secret.
        KafkaSettings p = m_settings;
        p.properties.insert(QStringLiteral("security.protocol"), QStringLiteral("SASL_PLAINTEXT"));
        p.properties.insert(QStringLiteral("sasl.mechanism"), QStringLiteral("PLAIN"));
        p.properties.insert(QStringLiteral("sasl.username"), QStringLiteral("alice"));
        p.properties.insert(QStringLiteral("sasl.password"), QStringLiteral("hunter2-secret"));
        auto topics = listTopics(p, 8000);
        QVERIFY(!topics);
        QCOMPARE(topics.error().code, QString(ErrorAuthentication));
        QVERIFY(!topics.error().message.contains(QLatin1String("hunter2-secret")));
        QVERIFY(topics.error().message.contains(QLatin1String("sasl")));
    }

    void unreachableBrokersTimeOut()
    {
        KafkaSettings p;
        p.bootstrapServers = QStringLiteral("127.0.0.1:1");
        auto topics = listTopics(p, 2000);
        QVERIFY(!topics);
        QCOMPARE(topics.error().code, QString(ErrorUnreachable));
        QVERIFY(topics.error().message.contains(QLatin1String("127.0.0.1:1")));
    }
};

QTEST_GUILESS_MAIN(TestRecordReader)
#include "tst_recordreader.moc"
