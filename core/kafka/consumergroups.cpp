// Consumer groups reading given topics: ListGroups for the group ids, DescribeGroups for
// states, members and assignments, OffsetFetch for each group's committed offsets.

#include "core/kafka/consumergroups.h"

#include "core/kafka/kafkaclient_p.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QSet>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <limits>
#include <memory>
#include <vector>

namespace kw::kafka {

namespace {

struct EventDeleter
{
    void operator()(rd_kafka_event_t *event) const { rd_kafka_event_destroy(event); }
};
using Event = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

struct QueueDeleter
{
    void operator()(rd_kafka_queue_t *queue) const { rd_kafka_queue_destroy(queue); }
};
using Queue = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;

struct OptionsDeleter
{
    void operator()(rd_kafka_AdminOptions_t *options) const
    {
        rd_kafka_AdminOptions_destroy(options);
    }
};
using Options = std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter>;

// Offsets are fetched this many groups at a time (librdkafka takes one group per call), so a
// cluster with thousands of groups does not get thousands of requests at once.
constexpr int OffsetFetchWindow = 16;

int remainingMs(const QDeadlineTimer &deadline)
{
    return int(std::clamp<qint64>(deadline.remainingTime(), 1, std::numeric_limits<int>::max()));
}

class AdminCalls
{
public:
    AdminCalls(detail::Consumer &client, const QDeadlineTimer &deadline)
        : m_client(client)
        , m_queue(rd_kafka_queue_new(client.handle()))
        , m_deadline(deadline)
    {}

    [[nodiscard]] rd_kafka_queue_t *queue() const { return m_queue.get(); }

    Options options(rd_kafka_admin_op_t op) const
    {
        Options options(rd_kafka_AdminOptions_new(m_client.handle(), op));
        char errstr[256] = {};
        // The request's own time-out, so a dead broker ends it before our deadline.
        rd_kafka_AdminOptions_set_request_timeout(options.get(), remainingMs(m_deadline), errstr,
                                                  sizeof errstr);
        return options;
    }

    // The next result on the queue, or the error that ended the wait. `what` completes
    // "Could not ..." in messages.
    Result<Event> next(const QString &what, const char *api)
    {
        for (;;) {
            // Short slices, so a refused login (error_cb) ends the wait at once.
            const int slice = std::min(remainingMs(m_deadline), 200);
            Event event(rd_kafka_queue_poll(m_queue.get(), slice));
            if (event) {
                const rd_kafka_resp_err_t err = rd_kafka_event_error(event.get());
                if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
                    return event;
                return failure(err, QString::fromUtf8(rd_kafka_event_error_string(event.get())),
                               what, api);
            }
            if (rd_kafka_message_t *m = rd_kafka_consumer_poll(m_client.handle(), 0))
                rd_kafka_message_destroy(m); // serves error_cb
            Error fatal;
            if (m_client.fatalClientError(fatal))
                return fatal;
            if (m_deadline.hasExpired())
                return m_client.translate(RD_KAFKA_RESP_ERR__TIMED_OUT, what);
        }
    }

    // `api` names the Kafka request behind the call, for the message when the cluster lacks it.
    Error failure(rd_kafka_resp_err_t err, const QString &detail, const QString &what,
                  const char *api)
    {
        if (err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE ||
            err == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION)
            return makeError(
                QString(ErrorUnsupported),
                QStringLiteral("Could not %1: the Kafka cluster at %2 did not answer %3 (%4). "
                               "List the groups with the cluster's own tools "
                               "(kafka-consumer-groups --describe --all-groups).")
                    .arg(what, m_client.bootstrap(), QLatin1String(api),
                         detail.isEmpty() ? QString::fromUtf8(rd_kafka_err2str(err)) : detail));
        return m_client.translate(err, what);
    }

private:
    detail::Consumer &m_client;
    Queue m_queue;
    const QDeadlineTimer &m_deadline;
};

struct Listed
{
    QString state;
    bool simple = false;
};

Result<QHash<QString, Listed>> listGroups(AdminCalls &calls, detail::Consumer &client)
{
    const QString what = QStringLiteral("list the consumer groups");
    Options options = calls.options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    rd_kafka_ListConsumerGroups(client.handle(), options.get(), calls.queue());
    Result<Event> event = calls.next(what, "ListGroups");
    if (!event)
        return event.error();
    const rd_kafka_ListConsumerGroups_result_t *result =
        rd_kafka_event_ListConsumerGroups_result(event->get());
    if (!result)
        return makeError(QString(ErrorFailed),
                         QStringLiteral("Could not %1 on Kafka at %2: an unexpected answer.")
                             .arg(what, client.bootstrap()));
    // Each broker answers for the groups it coordinates: one that did not answer means
    // groups are missing, so the whole list is refused rather than handed over partial.
    size_t errorCount = 0;
    const rd_kafka_error_t **errors =
        rd_kafka_ListConsumerGroups_result_errors(result, &errorCount);
    if (errorCount > 0)
        return calls.failure(rd_kafka_error_code(errors[0]),
                             QString::fromUtf8(rd_kafka_error_string(errors[0])), what,
                             "ListGroups");
    size_t count = 0;
    const rd_kafka_ConsumerGroupListing_t **valid =
        rd_kafka_ListConsumerGroups_result_valid(result, &count);
    QHash<QString, Listed> groups;
    for (size_t i = 0; i < count; ++i) {
        Listed listed;
        listed.state = QString::fromUtf8(
            rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(valid[i])));
        listed.simple = rd_kafka_ConsumerGroupListing_is_simple_consumer_group(valid[i]) != 0;
        groups.insert(QString::fromUtf8(rd_kafka_ConsumerGroupListing_group_id(valid[i])), listed);
    }
    return groups;
}

struct Described
{
    QString state;
    int members = -1;
    QSet<QString> assigned; // topics assigned to any member
};

Result<QHash<QString, Described>> describeGroups(AdminCalls &calls, detail::Consumer &client,
                                                 const QStringList &ids)
{
    const QString what = QStringLiteral("describe the consumer groups");
    std::vector<QByteArray> names;
    std::vector<const char *> pointers;
    names.reserve(size_t(ids.size()));
    for (const QString &id : ids) {
        names.push_back(id.toUtf8());
        pointers.push_back(names.back().constData());
    }
    Options options = calls.options(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
    rd_kafka_DescribeConsumerGroups(client.handle(), pointers.data(), pointers.size(),
                                    options.get(), calls.queue());
    Result<Event> event = calls.next(what, "DescribeGroups");
    if (!event)
        return event.error();
    const rd_kafka_DescribeConsumerGroups_result_t *result =
        rd_kafka_event_DescribeConsumerGroups_result(event->get());
    size_t count = 0;
    const rd_kafka_ConsumerGroupDescription_t **groups =
        result ? rd_kafka_DescribeConsumerGroups_result_groups(result, &count) : nullptr;
    QHash<QString, Described> out;
    for (size_t i = 0; i < count; ++i) {
        const rd_kafka_ConsumerGroupDescription_t *group = groups[i];
        const QString id = QString::fromUtf8(rd_kafka_ConsumerGroupDescription_group_id(group));
        if (const rd_kafka_error_t *error = rd_kafka_ConsumerGroupDescription_error(group)) {
            // Deleted since it was listed: it reads nothing any more.
            if (rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
                continue;
            return calls.failure(
                rd_kafka_error_code(error), QString::fromUtf8(rd_kafka_error_string(error)),
                QStringLiteral("describe the consumer group '%1'").arg(id), "DescribeGroups");
        }
        Described described;
        described.state = QString::fromUtf8(
            rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(group)));
        const size_t members = rd_kafka_ConsumerGroupDescription_member_count(group);
        described.members = int(members);
        for (size_t m = 0; m < members; ++m) {
            const rd_kafka_MemberAssignment_t *assignment = rd_kafka_MemberDescription_assignment(
                rd_kafka_ConsumerGroupDescription_member(group, m));
            const rd_kafka_topic_partition_list_t *partitions =
                assignment ? rd_kafka_MemberAssignment_partitions(assignment) : nullptr;
            for (int p = 0; partitions && p < partitions->cnt; ++p)
                described.assigned.insert(QString::fromUtf8(partitions->elems[p].topic));
        }
        out.insert(id, described);
    }
    return out;
}

// The topics each group has a committed offset for. Groups gone since they were listed are
// left out.
Result<QHash<QString, QSet<QString>>> committedTopics(AdminCalls &calls, detail::Consumer &client,
                                                      const QStringList &ids)
{
    QHash<QString, QSet<QString>> out;
    qsizetype sent = 0;
    qsizetype received = 0;
    const auto send = [&](const QString &id) {
        // NULL partitions: every partition the group has an offset for.
        rd_kafka_ListConsumerGroupOffsets_t *request =
            rd_kafka_ListConsumerGroupOffsets_new(id.toUtf8().constData(), nullptr);
        Options options = calls.options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
        rd_kafka_ListConsumerGroupOffsets(client.handle(), &request, 1, options.get(),
                                          calls.queue());
        rd_kafka_ListConsumerGroupOffsets_destroy(request);
    };
    while (sent < ids.size() && sent < OffsetFetchWindow)
        send(ids.at(sent++));
    while (received < sent) {
        Result<Event> event =
            calls.next(QStringLiteral("read the consumer groups' offsets"), "OffsetFetch");
        if (!event)
            return event.error();
        ++received;
        if (sent < ids.size())
            send(ids.at(sent++));
        const rd_kafka_ListConsumerGroupOffsets_result_t *result =
            rd_kafka_event_ListConsumerGroupOffsets_result(event->get());
        size_t count = 0;
        const rd_kafka_group_result_t **groups =
            result ? rd_kafka_ListConsumerGroupOffsets_result_groups(result, &count) : nullptr;
        for (size_t g = 0; g < count; ++g) {
            const QString id = QString::fromUtf8(rd_kafka_group_result_name(groups[g]));
            if (const rd_kafka_error_t *error = rd_kafka_group_result_error(groups[g])) {
                if (rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
                    continue;
                return calls.failure(
                    rd_kafka_error_code(error), QString::fromUtf8(rd_kafka_error_string(error)),
                    QStringLiteral("read the committed offsets of consumer group '%1'").arg(id),
                    "OffsetFetch");
            }
            QSet<QString> &topics = out[id];
            const rd_kafka_topic_partition_list_t *partitions =
                rd_kafka_group_result_partitions(groups[g]);
            for (int p = 0; partitions && p < partitions->cnt; ++p) {
                const rd_kafka_topic_partition_t &tp = partitions->elems[p];
                if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR && tp.offset >= 0)
                    topics.insert(QString::fromUtf8(tp.topic));
            }
        }
    }
    return out;
}

} // namespace

Result<QList<ConsumerGroupInfo>> consumerGroupsReading(const KafkaSettings &settings,
                                                       const QStringList &topics, int timeoutMs)
{
    const QSet<QString> asked(topics.cbegin(), topics.cend());
    if (asked.isEmpty())
        return QList<ConsumerGroupInfo>{};
    auto client = detail::Consumer::create(settings);
    if (!client)
        return client.error();
    const QDeadlineTimer deadline(std::max(timeoutMs, 1));
    AdminCalls calls(**client, deadline);

    auto listed = listGroups(calls, **client);
    if (!listed)
        return listed.error();
    QStringList ids = listed->keys();
    ids.sort();
    if (ids.isEmpty())
        return QList<ConsumerGroupInfo>{};
    auto described = describeGroups(calls, **client, ids);
    if (!described)
        return described.error();
    auto committed = committedTopics(calls, **client, ids);
    if (!committed)
        return committed.error();

    QList<ConsumerGroupInfo> out;
    for (const QString &id : std::as_const(ids)) {
        QSet<QString> reading = committed->value(id) + described->value(id).assigned;
        reading.intersect(asked);
        if (reading.isEmpty())
            continue;
        ConsumerGroupInfo info;
        info.groupId = id;
        const Listed &fromList = (*listed)[id];
        const auto description = described->constFind(id);
        // The description is the newer word on state and members.
        info.state = description != described->cend() ? description->state : fromList.state;
        info.members = description != described->cend() ? description->members : -1;
        info.simple = fromList.simple;
        info.topics = QStringList(reading.cbegin(), reading.cend());
        info.topics.sort();
        out.append(info);
    }
    return out;
}

QFuture<Result<QList<ConsumerGroupInfo>>>
consumerGroupsReadingAsync(const KafkaSettings &settings, const QStringList &topics, int timeoutMs)
{
    return QtConcurrent::run([settings, topics, timeoutMs] {
        return consumerGroupsReading(settings, topics, timeoutMs);
    });
}

} // namespace kw::kafka
