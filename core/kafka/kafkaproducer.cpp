// The census group's writer: idempotent, acks=all, and every send waits for its
// acknowledgements, so a record the caller was told is stored really is.

#include "core/kafka/kafkaproducer.h"

#include "core/kafka/kafkaclient_p.h"
#include "core/kafka/kafkaconf_p.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QMutexLocker>
#include <QScopeGuard>

#include <algorithm>
#include <atomic>

namespace kw::kafka {

struct Producer::Private
{
    rd_kafka_t *rk = nullptr;
    QString bootstrap;
    // Delivery reports of the send() in progress.
    std::atomic<qint64> delivered{0};
    std::atomic<qint64> failed{0};
    QMutex mutex;
    rd_kafka_resp_err_t firstError = RD_KAFKA_RESP_ERR_NO_ERROR;
    bool authFailed = false;
    QString clientReason;

    ~Private()
    {
        if (rk) {
            rd_kafka_flush(rk, 5000);
            rd_kafka_destroy(rk);
        }
    }

    static void onDelivery(rd_kafka_t *, const rd_kafka_message_t *m, void *opaque)
    {
        auto *self = static_cast<Private *>(opaque);
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            ++self->delivered;
            return;
        }
        ++self->failed;
        QMutexLocker lock(&self->mutex);
        if (self->firstError == RD_KAFKA_RESP_ERR_NO_ERROR)
            self->firstError = m->err;
    }

    static void onError(rd_kafka_t *, int err, const char *reason, void *opaque)
    {
        auto *self = static_cast<Private *>(opaque);
        const auto code = static_cast<rd_kafka_resp_err_t>(err);
        QMutexLocker lock(&self->mutex);
        self->clientReason = QString::fromUtf8(reason);
        if (code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR__SSL ||
            code == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED ||
            code == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
            code == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED)
            self->authFailed = true;
    }

    Error failure(rd_kafka_resp_err_t err, const QString &what)
    {
        QString reason;
        bool auth = false;
        {
            QMutexLocker lock(&mutex);
            reason = clientReason;
            auth = authFailed;
        }
        const QString text = QString::fromUtf8(rd_kafka_err2str(err));
        if (auth || err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
            err == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
            err == RD_KAFKA_RESP_ERR__AUTHENTICATION)
            return makeError(QString(ErrorAuthentication),
                             QStringLiteral("Could not %1: Kafka at %2 refused the client (%3). "
                                            "Check the credentials and ACLs (sasl.*, ssl.*).")
                                 .arg(what, bootstrap, reason.isEmpty() ? text : reason));
        if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
            err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
            return makeError(QString(ErrorUnreachable),
                             QStringLiteral("Could not %1: the Kafka brokers at %2 did not answer "
                                            "(%3). Check the bootstrap servers, the network and "
                                            "that the cluster is up.")
                                 .arg(what, bootstrap, reason.isEmpty() ? text : reason));
        return makeError(
            QString(ErrorFailed),
            QStringLiteral("Could not %1 on Kafka at %2: %3.").arg(what, bootstrap, text));
    }
};

Producer::Producer(std::unique_ptr<Private> d)
    : d(std::move(d))
{}

Producer::~Producer() = default;

Result<std::unique_ptr<Producer>> Producer::create(const KafkaSettings &settings)
{
    const detail::Properties defaults{
        {QStringLiteral("client.id"), QStringLiteral("keywarden")},
        {QStringLiteral("linger.ms"), QStringLiteral("0")},
        {QStringLiteral("socket.connection.setup.timeout.ms"), QStringLiteral("10000")},
        {QStringLiteral("message.timeout.ms"), QStringLiteral("30000")},
        {QStringLiteral("allow.auto.create.topics"), QStringLiteral("true")},
    };
    // Without these a retried send could be stored twice or out of order, and a record
    // acknowledged by the leader alone could be lost with it.
    const detail::Properties forced{
        {QStringLiteral("enable.idempotence"), QStringLiteral("true")},
        {QStringLiteral("acks"), QStringLiteral("all")},
    };
    auto conf = detail::buildConf(settings, defaults, forced);
    if (!conf)
        return conf.error();
    auto d = std::make_unique<Private>();
    d->bootstrap = settings.bootstrapServers.trimmed();
    rd_kafka_conf_set_opaque(*conf, d.get());
    rd_kafka_conf_set_dr_msg_cb(*conf, &Private::onDelivery);
    rd_kafka_conf_set_error_cb(*conf, &Private::onError);
    detail::logToCategory(*conf);
    char errstr[512] = {};
    d->rk = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, errstr, sizeof errstr);
    if (!d->rk) {
        rd_kafka_conf_destroy(*conf);
        return makeError(QString(ErrorBadProperty),
                         QStringLiteral("The Kafka producer settings are not usable: %1. Check the "
                                        "connection's Kafka properties.")
                             .arg(QString::fromUtf8(errstr)));
    }
    return std::unique_ptr<Producer>(new Producer(std::move(d)));
}

Result<TopicCreation> Producer::ensureCompactedTopic(const QString &topic, int partitions,
                                                     int timeoutMs)
{
    const QByteArray name = topic.toUtf8();
    // Is it there? All topics, so that asking does not auto-create it.
    const auto lookup = [&](bool allowCreate, int &brokers) -> Result<bool> {
        const rd_kafka_metadata_t *md = nullptr;
        rd_kafka_topic_t *only =
            allowCreate ? rd_kafka_topic_new(d->rk, name.constData(), nullptr) : nullptr;
        const auto release = qScopeGuard([&] {
            if (md)
                rd_kafka_metadata_destroy(md);
            if (only)
                rd_kafka_topic_destroy(only);
        });
        const rd_kafka_resp_err_t err =
            rd_kafka_metadata(d->rk, only ? 0 : 1, only, &md, timeoutMs);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
            return d->failure(err, QStringLiteral("read the topic list"));
        brokers = md->broker_cnt;
        for (int t = 0; t < md->topic_cnt; ++t) {
            if (name == md->topics[t].topic && md->topics[t].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                md->topics[t].partition_cnt > 0)
                return true;
        }
        return false;
    };
    int brokers = 1;
    auto exists = lookup(false, brokers);
    if (!exists)
        return exists.error();
    if (*exists)
        return TopicCreation::Existed;

    char errstr[512] = {};
    rd_kafka_NewTopic_t *newTopic =
        rd_kafka_NewTopic_new(name.constData(), std::max(1, partitions), std::clamp(brokers, 1, 3),
                              errstr, sizeof errstr);
    if (!newTopic)
        return makeError(QString(ErrorFailed), QStringLiteral("Could not prepare topic '%1': %2.")
                                                   .arg(topic, QString::fromUtf8(errstr)));
    rd_kafka_NewTopic_set_config(newTopic, "cleanup.policy", "compact");
    // A cluster answers CreateTopics at once; librdkafka's mock cluster names no controller,
    // so the request would wait for one until it times out: a short wait, then the fallback.
    const int createWaitMs = std::min(timeoutMs, 5000);
    rd_kafka_AdminOptions_t *adminOptions =
        rd_kafka_AdminOptions_new(d->rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(adminOptions, createWaitMs, errstr, sizeof errstr);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(d->rk);
    rd_kafka_CreateTopics(d->rk, &newTopic, 1, adminOptions, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, createWaitMs + 1000);
    rd_kafka_AdminOptions_destroy(adminOptions);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    QString reason = QStringLiteral("no answer");
    if (event) {
        err = rd_kafka_event_error(event);
        reason = QString::fromUtf8(rd_kafka_event_error_string(event));
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            size_t count = 0;
            const rd_kafka_topic_result_t **results = rd_kafka_CreateTopics_result_topics(
                rd_kafka_event_CreateTopics_result(event), &count);
            if (count > 0) {
                err = rd_kafka_topic_result_error(results[0]);
                if (const char *s = rd_kafka_topic_result_error_string(results[0]))
                    reason = QString::fromUtf8(s);
            }
        }
        rd_kafka_event_destroy(event);
    }
    rd_kafka_queue_destroy(queue);
    rd_kafka_NewTopic_destroy(newTopic);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return TopicCreation::Created;
    if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) // another member was quicker
        return TopicCreation::Existed;
    if (err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
        err == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED)
        return makeError(QString(ErrorAuthentication),
                         QStringLiteral("Topic '%1' does not exist and Kafka at %2 does not let "
                                        "this client create it (%3). Create it with "
                                        "cleanup.policy=compact, or grant CreateTopics.")
                             .arg(topic, d->bootstrap, reason));
    // A cluster without CreateTopics (librdkafka's mock cluster): let it auto-create the topic.
    auto created = lookup(true, brokers);
    if (created && *created)
        return TopicCreation::AutoCreated;
    return makeError(QString(ErrorFailed),
                     QStringLiteral("Topic '%1' does not exist on Kafka at %2 and could not be "
                                    "created (%3). Create it with cleanup.policy=compact.")
                         .arg(topic, d->bootstrap, reason));
}

Result<void> Producer::send(const QList<OutgoingRecord> &records, int timeoutMs)
{
    if (records.isEmpty())
        return {};
    d->delivered = 0;
    d->failed = 0;
    {
        QMutexLocker lock(&d->mutex);
        d->firstError = RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    QElapsedTimer timer;
    timer.start();
    for (const OutgoingRecord &r : records) {
        const QByteArray topic = r.topic.toUtf8();
        for (;;) {
            rd_kafka_vu_t vus[4] = {};
            vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
            vus[0].u.cstr = topic.constData();
            vus[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
            vus[1].u.i = RD_KAFKA_MSG_F_COPY;
            vus[2].vtype = RD_KAFKA_VTYPE_KEY;
            vus[2].u.mem.ptr = const_cast<char *>(r.key.constData());
            vus[2].u.mem.size = size_t(r.key.size());
            vus[3].vtype = RD_KAFKA_VTYPE_VALUE;
            vus[3].u.mem.ptr = const_cast<char *>(r.value.constData());
            vus[3].u.mem.size = size_t(r.value.size());
            rd_kafka_error_t *produceError = rd_kafka_produceva(d->rk, vus, 4);
            const rd_kafka_resp_err_t err =
                produceError ? rd_kafka_error_code(produceError) : RD_KAFKA_RESP_ERR_NO_ERROR;
            if (produceError)
                rd_kafka_error_destroy(produceError);
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && timer.elapsed() < timeoutMs) {
                rd_kafka_poll(d->rk, 50);
                continue;
            }
            if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                rd_kafka_flush(d->rk, std::max(1, int(timeoutMs - timer.elapsed())));
                return d->failure(err, QStringLiteral("write to topic '%1'").arg(r.topic));
            }
            break;
        }
    }
    const rd_kafka_resp_err_t flushed =
        rd_kafka_flush(d->rk, std::max(1, int(timeoutMs - timer.elapsed())));
    const qint64 missing = records.size() - d->delivered.load();
    if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR || missing > 0) {
        rd_kafka_resp_err_t first = RD_KAFKA_RESP_ERR__TIMED_OUT;
        {
            QMutexLocker lock(&d->mutex);
            if (d->firstError != RD_KAFKA_RESP_ERR_NO_ERROR)
                first = d->firstError;
        }
        return d->failure(first, QStringLiteral("deliver %1 of %2 records to topic '%3'")
                                     .arg(missing)
                                     .arg(records.size())
                                     .arg(records.first().topic));
    }
    return {};
}

} // namespace kw::kafka
