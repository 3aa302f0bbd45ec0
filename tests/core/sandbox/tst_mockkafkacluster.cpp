// The sandbox's Kafka mock cluster: topics with partitions, a bulk produce of 50,000 records,
// and a real consumer reading them back (topic, partition, offset, timestamp, key, headers).

#include "core/sandbox/mockkafkacluster.h"

#include <QElapsedTimer>
#include <QTest>

#include <librdkafka/rdkafka.h>

using namespace kw::sandbox;

namespace {

constexpr int RecordCount = 50000;
constexpr int Partitions = 3;
constexpr qint64 BaseTs = 1'700'000'000'000;

struct Consumed
{
    int partition = 0;
    qint64 offset = 0;
    qint64 timestamp = 0;
    QByteArray key;
    QByteArray value;
    QByteArray header;
};

QList<Consumed> consumeAll(const QString &bootstrap, const QString &topic, int expected)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.toUtf8().constData(), errstr,
                      sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", "tst_mockkafkacluster", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!consumer)
        return {};
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(Partitions);
    for (int p = 0; p < Partitions; ++p)
        rd_kafka_topic_partition_list_add(parts, topic.toUtf8().constData(), p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);

    QList<Consumed> out;
    QElapsedTimer timer;
    timer.start();
    while (out.size() < expected && timer.elapsed() < 60000) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 200);
        if (!m)
            continue;
        if (!m->err) {
            Consumed c;
            c.partition = m->partition;
            c.offset = m->offset;
            rd_kafka_timestamp_type_t type;
            c.timestamp = rd_kafka_message_timestamp(m, &type);
            c.key = QByteArray(static_cast<const char *>(m->key), static_cast<int>(m->key_len));
            c.value = QByteArray(static_cast<const char *>(m->payload), static_cast<int>(m->len));
            rd_kafka_headers_t *headers = nullptr;
            if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const void *value = nullptr;
                size_t size = 0;
                if (rd_kafka_header_get_last(headers, "trace", &value, &size) ==
                    RD_KAFKA_RESP_ERR_NO_ERROR)
                    c.header = QByteArray(static_cast<const char *>(value), static_cast<int>(size));
            }
            out.append(c);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    return out;
}

} // namespace

class TestMockKafkaCluster : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void produceAndConsume()
    {
        MockKafkaCluster cluster;
        QVERIFY(cluster.bootstrapServers().isEmpty());
        QVERIFY(!cluster.produce({MockRecord{}}));
        QVERIFY(cluster.start());
        QVERIFY(cluster.isRunning());
        QVERIFY(cluster.bootstrapServers().startsWith(QLatin1String("127.0.0.1:")));
        QVERIFY(cluster.createTopic(QStringLiteral("orders"), Partitions));
        QVERIFY(cluster.createTopic(QStringLiteral("payments"), 1));
        QCOMPARE(cluster.topics(),
                 (QStringList{QStringLiteral("orders"), QStringLiteral("payments")}));

        QList<MockRecord> records;
        records.reserve(RecordCount);
        for (int i = 0; i < RecordCount; ++i) {
            MockRecord r;
            r.topic = QStringLiteral("orders");
            r.partition = i % Partitions;
            r.key = "k" + QByteArray::number(i);
            r.value = "value-" + QByteArray::number(i) + QByteArray(100, 'x');
            r.timestampMs = BaseTs + i;
            r.headers = {{QByteArrayLiteral("trace"), "t" + QByteArray::number(i)}};
            records.append(r);
        }
        QElapsedTimer timer;
        timer.start();
        const auto produced = cluster.produce(records);
        QVERIFY2(produced, qPrintable(produced ? QString() : produced.error().message));
        qInfo("produced %d records in %lld ms", RecordCount,
              static_cast<long long>(timer.elapsed()));
        QVERIFY(timer.elapsed() < 30000);
        for (MockRecord &r : records)
            r.topic = QStringLiteral("payments"), r.partition = 0;
        timer.restart();
        QVERIFY(cluster.produce(records));
        qInfo("again %d records in %lld ms", RecordCount, static_cast<long long>(timer.elapsed()));

        const QList<Consumed> consumed =
            consumeAll(cluster.bootstrapServers(), QStringLiteral("orders"), RecordCount);
        QCOMPARE(consumed.size(), RecordCount);
        QList<qint64> nextOffset(Partitions, 0);
        for (const Consumed &c : consumed) {
            QVERIFY(c.partition >= 0 && c.partition < Partitions);
            QCOMPARE(c.offset, nextOffset[c.partition]++);
            // Records of a partition keep their produce order: partition p, offset o is i = o*3+p.
            const qint64 i = c.offset * Partitions + c.partition;
            QCOMPARE(c.key, QByteArray("k" + QByteArray::number(i)));
            QCOMPARE(c.timestamp, BaseTs + i);
            QCOMPARE(c.header, QByteArray("t" + QByteArray::number(i)));
            QVERIFY(c.value.startsWith(QByteArray("value-" + QByteArray::number(i) + "x")));
        }
    }

    void nullKeysAndAutoCreatedTopics()
    {
        MockKafkaCluster cluster;
        QVERIFY(cluster.start(3));
        QCOMPARE(cluster.bootstrapServers().count(QLatin1Char(',')), 2);
        MockRecord r;
        r.topic = QStringLiteral("auto-created");
        r.value = "v";
        QVERIFY(cluster.produce({r}));
        QVERIFY(!cluster.createTopic(QStringLiteral("bad"), 0));
    }
};

QTEST_GUILESS_MAIN(TestMockKafkaCluster)
#include "tst_mockkafkacluster.moc"
