#include "core/sandbox/mockkafkacluster.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSet>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <atomic>

Q_LOGGING_CATEGORY(lcMockKafka, "keywarden.sandbox.kafka", QtInfoMsg)

namespace kw::sandbox {

namespace {

Error kafkaError(const QString &what, const QString &detail)
{
    return makeError(
        QStringLiteral("sandbox.kafka"),
        QStringLiteral("The sandbox Kafka cluster could not %1: %2").arg(what, detail));
}

struct DeliveryState
{
    std::atomic<qint64> failed{0};
    std::atomic<int> firstError{0};
};

void onDelivery(rd_kafka_t *, const rd_kafka_message_t *message, void *opaque)
{
    auto *state = static_cast<DeliveryState *>(opaque);
    if (message->err) {
        state->failed.fetch_add(1);
        int expected = 0;
        state->firstError.compare_exchange_strong(expected, static_cast<int>(message->err));
    }
}

bool setConf(rd_kafka_conf_t *conf, const char *key, const char *value, QString &error)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        error = QString::fromUtf8(errstr);
        return false;
    }
    return true;
}

} // namespace

struct MockKafkaCluster::Private
{
    // One producer handle owns the mock cluster (test.mock.num.brokers) and produces to it.
    // Created this way the cluster shuts down at once; a cluster made with
    // rd_kafka_mock_cluster_new() takes a second to destroy when it saw no traffic.
    rd_kafka_t *producer = nullptr;
    rd_kafka_mock_cluster_t *cluster = nullptr; // owned by `producer`
    QString bootstraps;
    QStringList topics;
    QSet<QString> knownTopics; // topics whose metadata the producer has
    int brokers = 0;

    // Fetches a topic's metadata up front: otherwise the producer holds the first records of
    // a topic it has not seen for its next metadata refresh (about a second).
    void warmUp(const QString &topic)
    {
        if (knownTopics.contains(topic))
            return;
        rd_kafka_topic_t *handle =
            rd_kafka_topic_new(producer, topic.toUtf8().constData(), nullptr);
        if (!handle)
            return;
        const rd_kafka_metadata_t *metadata = nullptr;
        if (rd_kafka_metadata(producer, 0, handle, &metadata, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_metadata_destroy(metadata);
            knownTopics.insert(topic);
        }
        rd_kafka_topic_destroy(handle);
    }
    DeliveryState delivery;

    ~Private()
    {
        if (producer) {
            rd_kafka_flush(producer, 5000);
            rd_kafka_destroy(producer);
        }
    }
};

MockKafkaCluster::MockKafkaCluster()
    : d(std::make_unique<Private>())
{}

MockKafkaCluster::~MockKafkaCluster() = default;

Result<void> MockKafkaCluster::start(int brokers)
{
    if (d->cluster)
        return {};
    d->brokers = std::max(1, brokers);
    const QByteArray brokerCount = QByteArray::number(d->brokers);
    const std::pair<const char *, const char *> settings[] = {
        {"test.mock.num.brokers", brokerCount.constData()},
        {"linger.ms", "5"},
        {"batch.num.messages", "100000"},
        {"batch.size", "4000000"},
        {"message.max.bytes", "16000000"},
        {"queue.buffering.max.messages", "2000000"},
        {"queue.buffering.max.kbytes", "2097151"},
        {"enable.idempotence", "false"},
        {"acks", "all"},
        {"log_level", "3"},
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    QString error;
    for (const auto &[key, value] : settings) {
        if (!setConf(conf, key, value, error)) {
            rd_kafka_conf_destroy(conf);
            return kafkaError(QStringLiteral("start"), error);
        }
    }
    rd_kafka_conf_set_opaque(conf, &d->delivery);
    rd_kafka_conf_set_dr_msg_cb(conf, onDelivery);
    char errstr[512];
    d->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!d->producer) {
        rd_kafka_conf_destroy(conf);
        return kafkaError(QStringLiteral("start"), QString::fromUtf8(errstr));
    }
    d->cluster = rd_kafka_handle_mock_cluster(d->producer);
    if (!d->cluster)
        return kafkaError(QStringLiteral("start"), QStringLiteral("no mock cluster was created"));
    d->bootstraps = QString::fromUtf8(rd_kafka_mock_cluster_bootstraps(d->cluster));
    qCDebug(lcMockKafka) << "mock cluster on" << d->bootstraps;
    return {};
}

bool MockKafkaCluster::isRunning() const
{
    return d->cluster != nullptr;
}

QString MockKafkaCluster::bootstrapServers() const
{
    return d->bootstraps;
}

Result<void> MockKafkaCluster::createTopic(const QString &topic, int partitions,
                                           int replicationFactor)
{
    if (!d->cluster)
        return kafkaError(QStringLiteral("create topic '%1'").arg(topic),
                          QStringLiteral("the cluster is not running"));
    if (partitions < 1 || replicationFactor < 1 || replicationFactor > d->brokers)
        return kafkaError(QStringLiteral("create topic '%1'").arg(topic),
                          QStringLiteral("it needs at least one partition and a replication factor "
                                         "from 1 to %1")
                              .arg(d->brokers));
    const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
        d->cluster, topic.toUtf8().constData(), partitions, replicationFactor);
    if (err)
        return kafkaError(QStringLiteral("create topic '%1'").arg(topic),
                          QString::fromUtf8(rd_kafka_err2str(err)));
    if (!d->topics.contains(topic))
        d->topics.append(topic);
    return {};
}

QStringList MockKafkaCluster::topics() const
{
    return d->topics;
}

Result<void> MockKafkaCluster::produce(const QList<MockRecord> &records, int timeoutMs)
{
    if (!d->cluster)
        return kafkaError(QStringLiteral("produce"), QStringLiteral("the cluster is not running"));
    d->delivery.failed = 0;
    d->delivery.firstError = 0;
    QElapsedTimer timer;
    timer.start();
    for (const MockRecord &r : records)
        d->warmUp(r.topic);
    for (const MockRecord &r : records) {
        rd_kafka_headers_t *headers = nullptr;
        if (!r.headers.isEmpty()) {
            headers = rd_kafka_headers_new(static_cast<size_t>(r.headers.size()));
            for (const auto &[name, value] : r.headers)
                rd_kafka_header_add(headers, name.constData(), name.size(),
                                    value.isNull() ? nullptr : value.constData(), value.size());
        }
        const QByteArray topic = r.topic.toUtf8();
        rd_kafka_vu_t vus[7] = {};
        vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
        vus[0].u.cstr = topic.constData();
        vus[1].vtype = RD_KAFKA_VTYPE_PARTITION;
        vus[1].u.i32 = r.partition < 0 ? RD_KAFKA_PARTITION_UA : r.partition;
        vus[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
        vus[2].u.i = RD_KAFKA_MSG_F_COPY;
        vus[3].vtype = RD_KAFKA_VTYPE_KEY;
        vus[3].u.mem.ptr = r.key.isNull() ? nullptr : const_cast<char *>(r.key.constData());
        vus[3].u.mem.size = static_cast<size_t>(r.key.size());
        vus[4].vtype = RD_KAFKA_VTYPE_VALUE;
        vus[4].u.mem.ptr = r.value.isNull() ? nullptr : const_cast<char *>(r.value.constData());
        vus[4].u.mem.size = static_cast<size_t>(r.value.size());
        vus[5].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
        vus[5].u.i64 = r.timestampMs;
        vus[6].vtype = RD_KAFKA_VTYPE_HEADERS;
        vus[6].u.headers = headers;
        const size_t count = headers ? 7 : 6;
        for (;;) {
            rd_kafka_error_t *produceError = rd_kafka_produceva(d->producer, vus, count);
            const rd_kafka_resp_err_t err =
                produceError ? rd_kafka_error_code(produceError) : RD_KAFKA_RESP_ERR_NO_ERROR;
            if (produceError)
                rd_kafka_error_destroy(produceError);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && timer.elapsed() < timeoutMs) {
                rd_kafka_poll(d->producer, 50);
                continue;
            }
            if (err) {
                if (headers)
                    rd_kafka_headers_destroy(headers);
                rd_kafka_flush(d->producer, timeoutMs);
                return kafkaError(QStringLiteral("produce to topic '%1'").arg(r.topic),
                                  QString::fromUtf8(rd_kafka_err2str(err)));
            }
            break; // the producer owns the headers now
        }
        rd_kafka_poll(d->producer, 0);
    }
    qCDebug(lcMockKafka) << "queued" << records.size() << "records in" << timer.elapsed() << "ms";
    const qint64 left = std::max<qint64>(1, timeoutMs - timer.elapsed());
    if (rd_kafka_flush(d->producer, static_cast<int>(left)) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return kafkaError(QStringLiteral("deliver the records"),
                          QStringLiteral("%1 records still queued after %2 ms")
                              .arg(rd_kafka_outq_len(d->producer))
                              .arg(timeoutMs));
    if (const qint64 failed = d->delivery.failed.load())
        return kafkaError(
            QStringLiteral("deliver %1 of %2 records").arg(failed).arg(records.size()),
            QString::fromUtf8(
                rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(d->delivery.firstError.load()))));
    return {};
}

} // namespace kw::sandbox
