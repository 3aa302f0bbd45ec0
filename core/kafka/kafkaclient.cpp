// Topic metadata and watermarks, and the consumer handle every Kafka call here is built on.

#include "core/kafka/kafkaclient.h"

#include "core/domain/secretproperty.h"
#include "core/kafka/kafkaclient_p.h"
#include "core/kafka/kafkaconf_p.h"

#include <QElapsedTimer>
#include <QMutexLocker>
#include <QScopeGuard>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cstring>

Q_LOGGING_CATEGORY(lcKafka, "keywarden.kafka", QtInfoMsg)

namespace kw::kafka {

QString timestampTypeName(KafkaRecord::TimestampType type)
{
    switch (type) {
    case KafkaRecord::TimestampType::CreateTime:
        return QStringLiteral("CreateTime");
    case KafkaRecord::TimestampType::LogAppendTime:
        return QStringLiteral("LogAppendTime");
    case KafkaRecord::TimestampType::NotAvailable:
        break;
    }
    return QStringLiteral("NotAvailable");
}

Result<QList<QPair<QString, QString>>> clientProperties(const KafkaSettings &settings)
{
    const QString bootstrap = settings.bootstrapServers.trimmed();
    if (bootstrap.isEmpty())
        return makeError(QString(ErrorNotConfigured),
                         QStringLiteral("The connection '%1' has no Kafka bootstrap servers: add "
                                        "them (host:port) to read topics.")
                             .arg(settings.connectionName.isEmpty() ? QStringLiteral("(unnamed)")
                                                                    : settings.connectionName));
    QList<QPair<QString, QString>> props{{QStringLiteral("bootstrap.servers"), bootstrap}};
    for (auto it = settings.properties.cbegin(); it != settings.properties.cend(); ++it)
        props.append({it.key().trimmed(), it.value()});
    return props;
}

namespace detail {

Consumer::~Consumer()
{
    if (m_rk) {
        // No group membership and no commits: close only tears down the assignment.
        rd_kafka_consumer_close(m_rk);
        rd_kafka_destroy(m_rk);
    }
}

void Consumer::errorCallback(rd_kafka_t *, int err, const char *reason, void *opaque)
{
    auto *self = static_cast<Consumer *>(opaque);
    const auto code = static_cast<rd_kafka_resp_err_t>(err);
    QMutexLocker lock(&self->m_mutex);
    self->m_lastClientError = err;
    self->m_lastClientReason = QString::fromUtf8(reason);
    if (code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR__SSL ||
        code == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED ||
        code == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
        code == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED)
        self->m_authFailed = true;
}

void Consumer::logCallback(const rd_kafka_t *, int level, const char *fac, const char *buf)
{
    // librdkafka's own stderr logger would interleave with the CLI's output; connection
    // failures reach the user through error_cb and translate() instead.
    qCDebug(lcKafka, "rdkafka %d %s: %s", level, fac, buf);
}

// With `borrow`, the record's bytes point into `m` instead of being copied: `m` must then
// outlive the record's use of them.
KafkaRecord toRecord(const rd_kafka_message_t *m, const QString &topic, bool borrow)
{
    const auto bytes = [borrow](const void *data, size_t size) {
        const auto *chars = static_cast<const char *>(data);
        return borrow ? QByteArray::fromRawData(chars, qsizetype(size))
                      : QByteArray(chars, qsizetype(size));
    };
    KafkaRecord r;
    r.topic = topic;
    r.partition = m->partition;
    r.offset = m->offset;
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    r.timestampMs = rd_kafka_message_timestamp(m, &type);
    r.timestampType =
        type == RD_KAFKA_TIMESTAMP_CREATE_TIME       ? KafkaRecord::TimestampType::CreateTime
        : type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? KafkaRecord::TimestampType::LogAppendTime
                                                     : KafkaRecord::TimestampType::NotAvailable;
    if (m->key)
        r.key = bytes(m->key, m->key_len);
    if (m->payload)
        r.value = bytes(m->payload, m->len);
    // The message's own (const) headers: parsed once, owned by the message.
    rd_kafka_headers_t *headers = nullptr;
    if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers) {
        const char *name = nullptr;
        const void *value = nullptr;
        size_t size = 0;
        for (size_t i = 0; !rd_kafka_header_get_all(headers, i, &name, &value, &size); ++i)
            r.headers.append(
                {bytes(name, std::strlen(name)), value ? bytes(value, size) : QByteArray()});
    }
    return r;
}

Result<std::unique_ptr<Consumer>> Consumer::create(const KafkaSettings &settings)
{
    std::unique_ptr<Consumer> self(new Consumer);
    self->m_bootstrap = settings.bootstrapServers.trimmed();
    // Defaults first, so the profile's properties (passed through verbatim) can override them.
    const QList<QPair<QString, QString>> defaults{
        {QStringLiteral("client.id"), QStringLiteral("keywarden")},
        {QStringLiteral("enable.auto.commit"), QStringLiteral("false")},
        {QStringLiteral("enable.auto.offset.store"), QStringLiteral("false")},
        {QStringLiteral("enable.partition.eof"), QStringLiteral("true")},
        // Records deleted by retention between the watermark query and the fetch: go on.
        {QStringLiteral("auto.offset.reset"), QStringLiteral("earliest")},
        {QStringLiteral("socket.connection.setup.timeout.ms"), QStringLiteral("10000")},
        {QStringLiteral("fetch.wait.max.ms"), QStringLiteral("100")},
        // Keep fetching while records wait to be decrypted: librdkafka 2.0 pauses a partition's
        // fetches for about half a second each time its queue passes this count, which cost a
        // 100,000-record read three such pauses (1.8 s of 3.3 s) at 20,000. The queue's size
        // stays bounded by queued.max.messages.kbytes (64 MB).
        {QStringLiteral("queued.min.messages"), QStringLiteral("1000000")},
    };
    // A group.id nobody shares: assign() needs none, but some brokers want one for fetches;
    // nothing is ever committed under it. Forced, so a profile cannot make us commit.
    const QString group =
        QStringLiteral("keywarden-preview-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    auto built = buildConf(settings, defaults,
                           {{QStringLiteral("group.id"), group},
                            {QStringLiteral("enable.auto.commit"), QStringLiteral("false")}});
    if (!built)
        return built.error();
    rd_kafka_conf_t *conf = *built;
    char errstr[512] = {};
    rd_kafka_conf_set_opaque(conf, self.get());
    rd_kafka_conf_set_error_cb(conf, &Consumer::errorCallback);
    rd_kafka_conf_set_log_cb(conf, &Consumer::logCallback);

    self->m_rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!self->m_rk) {
        rd_kafka_conf_destroy(conf);
        return makeError(QString(ErrorBadProperty),
                         QStringLiteral("The Kafka client settings are not usable: %1. Check the "
                                        "connection's Kafka properties.")
                             .arg(QString::fromUtf8(errstr)));
    }
    // Serve error_cb from rd_kafka_consumer_poll().
    rd_kafka_poll_set_consumer(self->m_rk);
    return self;
}

bool Consumer::fatalClientError(Error &error)
{
    QMutexLocker lock(&m_mutex);
    if (!m_authFailed)
        return false;
    error = makeError(QString(ErrorAuthentication),
                      QStringLiteral("Kafka at %1 refused the client's credentials (%2). Check the "
                                     "security.protocol, sasl.* and ssl.* properties.")
                          .arg(m_bootstrap, m_lastClientReason));
    return true;
}

Error Consumer::translate(rd_kafka_resp_err_t err, const QString &what)
{
    // Error callbacks are queued until served; serve them so the reason is known.
    if (rd_kafka_message_t *m = rd_kafka_consumer_poll(m_rk, 0))
        rd_kafka_message_destroy(m);
    Error fatal;
    if (fatalClientError(fatal))
        return fatal;
    QString clientReason;
    {
        QMutexLocker lock(&m_mutex);
        clientReason = m_lastClientReason;
    }
    const QString reason = QString::fromUtf8(rd_kafka_err2str(err));
    switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
        return makeError(
            QString(ErrorUnreachable),
            QStringLiteral("Could not %1: the Kafka brokers at %2 did not answer (%3). Check the "
                           "bootstrap servers, the network and that the cluster is up.")
                .arg(what, m_bootstrap, clientReason.isEmpty() ? reason : clientReason));
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
        return makeError(QString(ErrorAuthentication),
                         QStringLiteral("Could not %1: Kafka at %2 refused the client (%3). Check "
                                        "the credentials and ACLs (sasl.*, ssl.*).")
                             .arg(what, m_bootstrap, reason));
    default:
        break;
    }
    return makeError(
        QString(ErrorFailed),
        QStringLiteral("Could not %1 on Kafka at %2: %3.").arg(what, m_bootstrap, reason));
}

Result<const rd_kafka_metadata_t *> Consumer::metadata(bool allTopics, int timeoutMs,
                                                       const QString &what)
{
    // Short attempts, so a refused login ends the wait at once instead of after timeoutMs.
    const rd_kafka_metadata_t *md = nullptr;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        const qint64 left = timeoutMs - timer.elapsed();
        err = rd_kafka_metadata(m_rk, allTopics ? 1 : 0, nullptr, &md,
                                int(std::clamp<qint64>(left, 1, 500)));
        if (err != RD_KAFKA_RESP_ERR__TIMED_OUT && err != RD_KAFKA_RESP_ERR__TRANSPORT)
            break;
        if (rd_kafka_message_t *m = rd_kafka_consumer_poll(m_rk, 0)) // serves error_cb
            rd_kafka_message_destroy(m);
        Error fatal;
        if (fatalClientError(fatal))
            return fatal;
        if (timer.elapsed() >= timeoutMs)
            break;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return translate(err, what);
    return md;
}

Result<QList<QPair<QString, quint16>>> Consumer::brokers(int timeoutMs)
{
    auto md = metadata(false, timeoutMs, QStringLiteral("read the broker list"));
    if (!md)
        return md.error();
    QList<QPair<QString, quint16>> out;
    for (int b = 0; b < (*md)->broker_cnt; ++b)
        out.append({QString::fromUtf8((*md)->brokers[b].host), quint16((*md)->brokers[b].port)});
    rd_kafka_metadata_destroy(*md);
    std::sort(out.begin(), out.end());
    return out;
}

Result<QList<TopicInfo>> Consumer::topics(int timeoutMs)
{
    auto fetched = metadata(true, timeoutMs, QStringLiteral("read the topic list"));
    if (!fetched)
        return fetched.error();
    const rd_kafka_metadata_t *md = *fetched;
    QList<TopicInfo> out;
    for (int t = 0; t < md->topic_cnt; ++t) {
        const rd_kafka_metadata_topic_t &mt = md->topics[t];
        if (mt.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            continue;
        TopicInfo info;
        info.name = QString::fromUtf8(mt.topic);
        info.internal = info.name.startsWith(QLatin1String("__"));
        info.partitionCount = mt.partition_cnt;
        for (int p = 0; p < mt.partition_cnt; ++p) {
            PartitionInfo part;
            part.partition = mt.partitions[p].id;
            part.leader = mt.partitions[p].leader;
            info.partitions.append(part);
        }
        std::sort(info.partitions.begin(), info.partitions.end(),
                  [](const PartitionInfo &a, const PartitionInfo &b) {
                      return a.partition < b.partition;
                  });
        out.append(info);
    }
    rd_kafka_metadata_destroy(md);
    Error fatal;
    if (out.isEmpty() && fatalClientError(fatal))
        return fatal;
    std::sort(out.begin(), out.end(),
              [](const TopicInfo &a, const TopicInfo &b) { return a.name < b.name; });
    return out;
}

Result<TopicInfo> Consumer::topic(const QString &name, bool withWatermarks, int timeoutMs)
{
    // All topics rather than just this one: asking for a single missing topic can auto-create
    // it on brokers with auto.create.topics.enable.
    auto all = topics(timeoutMs);
    if (!all)
        return all.error();
    auto it =
        std::find_if(all->begin(), all->end(), [&](const TopicInfo &t) { return t.name == name; });
    if (it == all->end()) {
        Error fatal;
        if (fatalClientError(fatal))
            return fatal;
        return makeError(QString(ErrorUnknownTopic),
                         QStringLiteral("Topic '%1' does not exist on Kafka at %2 (or this client "
                                        "may not describe it). Check the topic name.")
                             .arg(name, m_bootstrap));
    }
    TopicInfo info = *it;
    if (withWatermarks && !info.partitions.isEmpty()) {
        // Both watermarks of every partition in two ListOffsets round trips (timestamps -2 and
        // -1 mean "earliest" and "latest"), not two per partition as
        // rd_kafka_query_watermark_offsets would take.
        const QByteArray topicName = name.toUtf8();
        for (const int64_t which :
             {int64_t(RD_KAFKA_OFFSET_BEGINNING), int64_t(RD_KAFKA_OFFSET_END)}) {
            rd_kafka_topic_partition_list_t *list =
                rd_kafka_topic_partition_list_new(int(info.partitions.size()));
            const auto release =
                qScopeGuard([list] { rd_kafka_topic_partition_list_destroy(list); });
            for (const PartitionInfo &p : std::as_const(info.partitions))
                rd_kafka_topic_partition_list_add(list, topicName.constData(), p.partition)
                    ->offset = which;
            const rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(m_rk, list, timeoutMs);
            if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
                return translate(err, QStringLiteral("read the offsets of %1").arg(name));
            for (PartitionInfo &p : info.partitions) {
                const rd_kafka_topic_partition_t *tp =
                    rd_kafka_topic_partition_list_find(list, topicName.constData(), p.partition);
                if (!tp || tp->err != RD_KAFKA_RESP_ERR_NO_ERROR)
                    return translate(tp ? tp->err : RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
                                     QStringLiteral("read the offsets of %1 partition %2")
                                         .arg(name)
                                         .arg(p.partition));
                (which == RD_KAFKA_OFFSET_BEGINNING ? p.low : p.high) = tp->offset;
            }
        }
    }
    return info;
}

} // namespace detail

Result<QList<TopicInfo>> listTopics(const KafkaSettings &settings, int timeoutMs)
{
    auto consumer = detail::Consumer::create(settings);
    if (!consumer)
        return consumer.error();
    return (*consumer)->topics(timeoutMs);
}

Result<TopicInfo> describeTopic(const KafkaSettings &settings, const QString &topic,
                                bool withWatermarks, int timeoutMs)
{
    auto consumer = detail::Consumer::create(settings);
    if (!consumer)
        return consumer.error();
    return (*consumer)->topic(topic, withWatermarks, timeoutMs);
}

Result<QList<QPair<QString, quint16>>> listBrokers(const KafkaSettings &settings, int timeoutMs)
{
    auto consumer = detail::Consumer::create(settings);
    if (!consumer)
        return consumer.error();
    return (*consumer)->brokers(timeoutMs);
}

QFuture<Result<QList<TopicInfo>>> listTopicsAsync(const KafkaSettings &settings, int timeoutMs)
{
    return QtConcurrent::run([settings, timeoutMs] { return listTopics(settings, timeoutMs); });
}

QFuture<Result<TopicInfo>> describeTopicAsync(const KafkaSettings &settings, const QString &topic,
                                              bool withWatermarks, int timeoutMs)
{
    return QtConcurrent::run([settings, topic, withWatermarks, timeoutMs] {
        return describeTopic(settings, topic, withWatermarks, timeoutMs);
    });
}

} // namespace kw::kafka
