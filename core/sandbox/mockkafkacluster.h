#pragma once
// The sandbox's Kafka: librdkafka's mock cluster, which speaks the Kafka protocol on local
// ports (kcat and any client can use it), plus a batching producer to fill its topics.

#include "core/domain/result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <memory>

namespace kw::sandbox {

struct MockRecord
{
    QString topic;
    int partition = -1; // -1: the partitioner picks (by key hash)
    QByteArray key;     // a null QByteArray is a null key
    QByteArray value;   // a null QByteArray is a tombstone
    QList<QPair<QByteArray, QByteArray>> headers;
    qint64 timestampMs = 0; // 0: the producer's current time
};

// Not copyable. produce() may be called from any one thread at a time.
class MockKafkaCluster
{
public:
    MockKafkaCluster();
    ~MockKafkaCluster();
    MockKafkaCluster(const MockKafkaCluster &) = delete;
    MockKafkaCluster &operator=(const MockKafkaCluster &) = delete;

    // Starts `brokers` mock brokers on 127.0.0.1 and the producer.
    Result<void> start(int brokers = 1);
    [[nodiscard]] bool isRunning() const;
    // "127.0.0.1:PORT[,...]"; empty before start().
    [[nodiscard]] QString bootstrapServers() const;

    Result<void> createTopic(const QString &topic, int partitions, int replicationFactor = 1);
    // Topics created through createTopic(), in creation order.
    [[nodiscard]] QStringList topics() const;

    // Produces all records and waits until every one is acknowledged (or fails). Records to a
    // topic that was not created are auto-created by the mock cluster.
    Result<void> produce(const QList<MockRecord> &records, int timeoutMs = 120000);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace kw::sandbox
