// A consumer group member whose positions are the caller's, and a tail of a whole topic.

#include "core/kafka/groupconsumer.h"

#include "core/kafka/kafkaclient_p.h"
#include "core/kafka/kafkaconf_p.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QMutexLocker>
#include <QScopeGuard>

#include <cstring>
#include <optional>

namespace kw::kafka {

namespace {

// A deep copy (the records outlive the messages).
KafkaRecord copyRecord(const rd_kafka_message_t *m)
{
    return detail::toRecord(m, QString::fromUtf8(rd_kafka_topic_name(m->rkt)), false);
}

// Errors that waiting will not cure.
bool isHardError(rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR_INVALID_GROUP_ID:
        return true;
    default:
        return false;
    }
}

QList<TopicPartition> toList(const rd_kafka_topic_partition_list_t *parts)
{
    QList<TopicPartition> out;
    for (int i = 0; parts && i < parts->cnt; ++i)
        out.append({QString::fromUtf8(parts->elems[i].topic), parts->elems[i].partition});
    return out;
}

} // namespace

struct GroupConsumer::Private
{
    rd_kafka_t *rk = nullptr;
    QString bootstrap;
    QString groupId;
    GroupCallbacks callbacks;
    std::optional<Error> failure; // from a callback
    bool rebalanced = false;
    bool closed = false;
    QMutex mutex;
    QString clientReason;

    ~Private()
    {
        if (rk)
            rd_kafka_destroy(rk);
    }

    static void onError(rd_kafka_t *, int, const char *reason, void *opaque)
    {
        auto *self = static_cast<Private *>(opaque);
        QMutexLocker lock(&self->mutex);
        self->clientReason = QString::fromUtf8(reason);
    }

    static void onRebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t *parts, void *opaque)
    {
        auto *self = static_cast<Private *>(opaque);
        self->rebalanced = true;
        const QList<TopicPartition> list = toList(parts);
        if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
            if (self->callbacks.onRevoked)
                self->callbacks.onRevoked(list);
            rd_kafka_assign(rk, nullptr);
            return;
        }
        if (self->failure || self->closed) {
            rd_kafka_assign(rk, nullptr);
            return;
        }
        QHash<TopicPartition, qint64> offsets;
        if (self->callbacks.onAssigned) {
            auto decided = self->callbacks.onAssigned(list);
            if (!decided) {
                self->failure = decided.error();
                rd_kafka_assign(rk, nullptr);
                return;
            }
            offsets = *decided;
        }
        for (int i = 0; i < parts->cnt; ++i)
            parts->elems[i].offset = offsets.value(list.at(i), RD_KAFKA_OFFSET_BEGINNING);
        if (const rd_kafka_resp_err_t assigned = rd_kafka_assign(rk, parts); assigned)
            self->failure = error(assigned, QStringLiteral("take the partitions assigned"));
    }

    Error errorFor(rd_kafka_resp_err_t err, const QString &what)
    {
        QString reason;
        {
            QMutexLocker lock(&mutex);
            reason = clientReason;
        }
        const QString text = QString::fromUtf8(rd_kafka_err2str(err));
        return makeError(
            QString(err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                            err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC
                        ? ErrorUnknownTopic
                    : err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                            err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
                            err == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
                            err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
                            err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED ||
                            err == RD_KAFKA_RESP_ERR__SSL
                        ? ErrorAuthentication
                        : ErrorFailed),
            QStringLiteral("Could not %1 as a member of consumer group '%2' on Kafka at %3: %4%5.")
                .arg(what, groupId, bootstrap, text,
                     reason.isEmpty() || reason == text ? QString()
                                                        : QStringLiteral(" (%1)").arg(reason)));
    }

    static Error error(rd_kafka_resp_err_t err, const QString &what)
    {
        return makeError(QString(ErrorFailed),
                         QStringLiteral("Could not %1: %2.")
                             .arg(what, QString::fromUtf8(rd_kafka_err2str(err))));
    }
};

GroupConsumer::GroupConsumer(std::unique_ptr<Private> d)
    : d(std::move(d))
{}

GroupConsumer::~GroupConsumer()
{
    close();
}

Result<std::unique_ptr<GroupConsumer>> GroupConsumer::create(const KafkaSettings &settings,
                                                             const QString &groupId,
                                                             GroupCallbacks callbacks)
{
    const detail::Properties defaults{
        {QStringLiteral("client.id"), QStringLiteral("keywarden")},
        {QStringLiteral("socket.connection.setup.timeout.ms"), QStringLiteral("10000")},
        {QStringLiteral("fetch.wait.max.ms"), QStringLiteral("100")},
        {QStringLiteral("auto.offset.reset"), QStringLiteral("earliest")},
    };
    // The positions are the caller's (kept with its counts), never Kafka's committed offsets;
    // the rebalance handling here is eager, so no cooperative assignor.
    const detail::Properties forced{
        {QStringLiteral("group.id"), groupId},
        {QStringLiteral("enable.auto.commit"), QStringLiteral("false")},
        {QStringLiteral("enable.auto.offset.store"), QStringLiteral("false")},
        {QStringLiteral("enable.partition.eof"), QStringLiteral("true")},
        {QStringLiteral("partition.assignment.strategy"), QStringLiteral("roundrobin")},
    };
    auto conf = detail::buildConf(settings, defaults, forced);
    if (!conf)
        return conf.error();
    auto d = std::make_unique<Private>();
    d->bootstrap = settings.bootstrapServers.trimmed();
    d->groupId = groupId;
    d->callbacks = std::move(callbacks);
    rd_kafka_conf_set_opaque(*conf, d.get());
    rd_kafka_conf_set_error_cb(*conf, &Private::onError);
    rd_kafka_conf_set_rebalance_cb(*conf, &Private::onRebalance);
    detail::logToCategory(*conf);
    char errstr[512] = {};
    d->rk = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, errstr, sizeof errstr);
    if (!d->rk) {
        rd_kafka_conf_destroy(*conf);
        return makeError(QString(ErrorBadProperty),
                         QStringLiteral("The Kafka consumer settings are not usable: %1. Check "
                                        "the connection's Kafka properties.")
                             .arg(QString::fromUtf8(errstr)));
    }
    rd_kafka_poll_set_consumer(d->rk);
    return std::unique_ptr<GroupConsumer>(new GroupConsumer(std::move(d)));
}

Result<void> GroupConsumer::subscribe(const QStringList &topics)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(int(topics.size()));
    const auto release = qScopeGuard([list] { rd_kafka_topic_partition_list_destroy(list); });
    for (const QString &t : topics)
        rd_kafka_topic_partition_list_add(list, t.toUtf8().constData(), RD_KAFKA_PARTITION_UA);
    if (const rd_kafka_resp_err_t err = rd_kafka_subscribe(d->rk, list); err)
        return d->errorFor(
            err, QStringLiteral("subscribe to %1").arg(topics.join(QStringLiteral(", "))));
    return {};
}

Result<GroupPoll> GroupConsumer::poll(int maxRecords, int timeoutMs)
{
    GroupPoll out;
    d->rebalanced = false;
    bool first = true;
    while (out.records.size() < maxRecords) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(d->rk, first ? timeoutMs : 0);
        first = false;
        const auto destroy = qScopeGuard([m] {
            if (m)
                rd_kafka_message_destroy(m);
        });
        if (d->failure)
            return *d->failure;
        if (d->rebalanced)
            out.rebalanced = true;
        if (!m)
            break;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            out.ends.append(
                {{QString::fromUtf8(rd_kafka_topic_name(m->rkt)), m->partition}, m->offset});
        } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            const QString what = m->rkt ? QStringLiteral("read topic '%1' partition %2")
                                              .arg(QString::fromUtf8(rd_kafka_topic_name(m->rkt)))
                                              .arg(m->partition)
                                        : QStringLiteral("read");
            if (isHardError(m->err))
                return d->errorFor(m->err, what);
            // Brokers going away and coming back: librdkafka retries; the member waits.
            qCDebug(lcKafka, "group %s: %s: %s", qPrintable(d->groupId), qPrintable(what),
                    rd_kafka_err2str(m->err));
        } else {
            out.records.append(copyRecord(m));
        }
        if (out.rebalanced)
            break; // hand back what came before the assignment changed
    }
    char reason[512] = {};
    if (const rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(d->rk, reason, sizeof reason); fatal)
        return d->errorFor(fatal,
                           QStringLiteral("stay in the group (%1)").arg(QString::fromUtf8(reason)));
    return out;
}

void GroupConsumer::close()
{
    if (!d || !d->rk || d->closed)
        return;
    d->closed = true;
    rd_kafka_consumer_close(d->rk);
}

struct TopicTail::Private
{
    std::unique_ptr<detail::Consumer> consumer;
    QString topic;
    QHash<int, qint64> next; // per partition, the first offset not handed over yet
};

TopicTail::TopicTail(std::unique_ptr<Private> d)
    : d(std::move(d))
{}

TopicTail::~TopicTail() = default;

Result<std::unique_ptr<TopicTail>> TopicTail::create(const KafkaSettings &settings,
                                                     const QString &topic)
{
    auto consumer = detail::Consumer::create(settings);
    if (!consumer)
        return consumer.error();
    auto d = std::make_unique<Private>();
    d->consumer = std::move(*consumer);
    d->topic = topic;
    return std::unique_ptr<TopicTail>(new TopicTail(std::move(d)));
}

Result<qint64> TopicTail::catchUp(const std::function<void(const KafkaRecord &)> &onRecord,
                                  int timeoutMs)
{
    auto info = d->consumer->topic(d->topic, true, timeoutMs);
    if (!info)
        return info.error();
    rd_kafka_t *rk = d->consumer->handle();
    const QByteArray name = d->topic.toUtf8();
    QHash<int, qint64> ends; // partitions still owed, to their end offsets of now
    rd_kafka_topic_partition_list_t *list =
        rd_kafka_topic_partition_list_new(int(info->partitions.size()));
    const auto release = qScopeGuard([list] { rd_kafka_topic_partition_list_destroy(list); });
    for (const PartitionInfo &p : std::as_const(info->partitions)) {
        const qint64 start = std::max(d->next.value(p.partition, 0), std::max<qint64>(p.low, 0));
        d->next[p.partition] = start;
        if (start < p.high) {
            ends.insert(p.partition, p.high);
            rd_kafka_topic_partition_list_add(list, name.constData(), p.partition)->offset = start;
        }
    }
    if (ends.isEmpty())
        return 0;
    if (const rd_kafka_resp_err_t err = rd_kafka_assign(rk, list); err)
        return d->consumer->translate(err, QStringLiteral("read topic '%1'").arg(d->topic));
    const auto unassign = qScopeGuard([rk] { rd_kafka_assign(rk, nullptr); });
    qint64 handed = 0;
    QElapsedTimer quiet;
    quiet.start();
    while (!ends.isEmpty()) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) {
            Error fatal;
            if (d->consumer->fatalClientError(fatal))
                return fatal;
            if (quiet.elapsed() > timeoutMs)
                return d->consumer->translate(RD_KAFKA_RESP_ERR__TIMED_OUT,
                                              QStringLiteral("read topic '%1' (no record for %2 s)")
                                                  .arg(d->topic)
                                                  .arg(timeoutMs / 1000));
            continue;
        }
        const auto destroy = qScopeGuard([m] { rd_kafka_message_destroy(m); });
        quiet.restart();
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            qint64 &next = d->next[m->partition];
            next = std::max<qint64>(next, m->offset);
        } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (isHardError(m->err))
                return d->consumer->translate(m->err,
                                              QStringLiteral("read topic '%1'").arg(d->topic));
            continue;
        } else {
            qint64 &next = d->next[m->partition];
            if (m->offset < next)
                continue;
            next = m->offset + 1;
            onRecord(copyRecord(m));
            ++handed;
        }
        if (const auto end = ends.constFind(m->partition);
            end != ends.cend() && d->next.value(m->partition) >= *end)
            ends.remove(m->partition);
    }
    return handed;
}

} // namespace kw::kafka
