#pragma once
// Writing records whose delivery matters (a census group's state): an idempotent producer with
// acks=all, whose send() returns only once the brokers acknowledged every record, or failed.
// Blocking calls, for worker threads; one thread at a time.

#include "core/domain/result.h"
#include "core/kafka/kafkasettings.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>

namespace kw::kafka {

struct OutgoingRecord
{
    QString topic;
    QByteArray key;
    QByteArray value;
};

// What ensureCompactedTopic() did.
enum class TopicCreation
{
    Existed,
    Created,     // through CreateTopics, with cleanup.policy=compact
    AutoCreated, // the cluster refused CreateTopics; it auto-created the topic with its defaults
};

class Producer
{
public:
    // Fails with ErrorNotConfigured or ErrorBadProperty before any network I/O.
    static Result<std::unique_ptr<Producer>> create(const KafkaSettings &settings);
    ~Producer();
    Producer(const Producer &) = delete;
    Producer &operator=(const Producer &) = delete;

    // Makes sure `topic` exists: when missing it is created with `partitions` partitions,
    // cleanup.policy=compact and the cluster's replication (up to 3 copies). A cluster that
    // does not offer CreateTopics (librdkafka's mock cluster) gets the topic auto-created, as
    // the answer says. Errors: ErrorUnreachable, ErrorAuthentication, ErrorFailed.
    Result<TopicCreation> ensureCompactedTopic(const QString &topic, int partitions = 1,
                                               int timeoutMs = 15000);

    // Sends `records` and waits until every one is acknowledged by all in-sync replicas.
    // Errors: ErrorUnreachable (not acknowledged in time), ErrorAuthentication, ErrorFailed,
    // each naming the topic and how many records were not delivered.
    Result<void> send(const QList<OutgoingRecord> &records, int timeoutMs = 30000);

private:
    struct Private;
    explicit Producer(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace kw::kafka
