#pragma once
// Internal: one librdkafka consumer handle built from KafkaSettings, with the client errors it
// reported (error_cb) kept for translating failures into specific kw::Error values.

#include "core/domain/result.h"
#include "core/kafka/kafkasettings.h"
#include "core/kafka/kafkatypes.h"

#include <QLoggingCategory>
#include <QMutex>

#include <librdkafka/rdkafka.h>

#include <memory>

Q_DECLARE_LOGGING_CATEGORY(lcKafka)

namespace kw::kafka::detail {

class Consumer
{
public:
    ~Consumer();
    Consumer(const Consumer &) = delete;
    Consumer &operator=(const Consumer &) = delete;

    // A consumer for `settings` with a unique throw-away group.id and no commits. Fails with
    // ErrorNotConfigured or ErrorBadProperty (naming the property) before any network I/O.
    static Result<std::unique_ptr<Consumer>> create(const KafkaSettings &settings);

    [[nodiscard]] rd_kafka_t *handle() const { return m_rk; }
    [[nodiscard]] const QString &bootstrap() const { return m_bootstrap; }

    // A user-facing error for a failed call `what` (e.g. "read the metadata"), preferring what
    // the brokers reported through error_cb (authentication, all brokers down).
    Error translate(rd_kafka_resp_err_t err, const QString &what);
    // True once error_cb reported an authentication or SSL failure; `error` then holds it.
    bool fatalClientError(Error &error);

    // Topic metadata; withWatermarks adds low/high per partition (one request per partition).
    Result<TopicInfo> topic(const QString &name, bool withWatermarks, int timeoutMs);
    Result<QList<TopicInfo>> topics(int timeoutMs);
    // The brokers the cluster advertises (host, port), sorted.
    Result<QList<QPair<QString, quint16>>> brokers(int timeoutMs);

private:
    // Metadata of every topic or of none (brokers only), retried in short attempts; the caller
    // destroys it. `what` names the request in errors ("read the topic list").
    Result<const rd_kafka_metadata_t *> metadata(bool allTopics, int timeoutMs,
                                                 const QString &what);
    Consumer() = default;
    static void errorCallback(rd_kafka_t *rk, int err, const char *reason, void *opaque);
    static void logCallback(const rd_kafka_t *rk, int level, const char *fac, const char *buf);

    rd_kafka_t *m_rk = nullptr;
    QString m_bootstrap;
    QMutex m_mutex;
    int m_lastClientError = 0;
    QString m_lastClientReason;
    bool m_authFailed = false;
};

// The record a message holds. With `borrow`, its bytes point into `m` instead of being
// copied: `m` must then outlive the record's use of them.
KafkaRecord toRecord(const rd_kafka_message_t *m, const QString &topic, bool borrow);

} // namespace kw::kafka::detail
