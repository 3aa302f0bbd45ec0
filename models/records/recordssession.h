#pragma once
// The Records view's work for one connection: topic list and watermarks, and record fetches
// (bounded read + decryption on worker threads, with the connection's record decryptor) with
// cancel.

#include "core/domain/result.h"
#include "core/engine/dekcache.h"
#include "core/kafka/kafkatypes.h"
#include "core/services/recordpreview.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <memory>

namespace kw::services {
class Connection;
}

namespace kw::records {

class RecordsSession final : public QObject
{
    Q_OBJECT

public:
    explicit RecordsSession(std::shared_ptr<services::Connection> connection,
                            QObject *parent = nullptr);
    ~RecordsSession() override;

    [[nodiscard]] const std::shared_ptr<services::Connection> &connection() const
    {
        return m_connection;
    }

    // Async; topicsLoaded() follows. A newer call makes older answers stale (dropped).
    void loadTopics();
    // Async; topicDescribed() follows, with watermarks.
    void describeTopic(const QString &topic);

    // Starts a fetch, cancelling any running one (its remaining batches are dropped).
    void fetch(const kafka::ReadRequest &request);
    void cancel();
    [[nodiscard]] bool isFetching() const;
    // KMS unwraps and cache hits of the connection (DEKs stay cached across fetches).
    [[nodiscard]] engine::DekCache::Stats cacheStats() const;

Q_SIGNALS:
    void topicsLoaded(const kw::Result<QList<kw::kafka::TopicInfo>> &result);
    void topicDescribed(const kw::Result<kw::kafka::TopicInfo> &result);
    void fetchStarted();
    void batchReady(const QList<kw::kafka::PreviewRecord> &records);
    void progress(const kw::kafka::ReadProgress &progress);
    void fetchFinished(const kw::Result<kw::kafka::PreviewSummary> &result);
    // A schema id in the fetched records resolved to a subject and version (the registry's
    // by-id answer carries neither, so the session asks once per id).
    void schemaNamed(int schemaId, const QString &subject, int version);

private:
    void nameSchemas(const QList<kafka::PreviewRecord> &records);

    std::shared_ptr<services::Connection> m_connection;
    QHash<int, bool> m_schemaRequested;
    QPointer<kafka::PreviewJob> m_job;
    quint64 m_topicsRequest = 0;
    quint64 m_describeRequest = 0;
};

} // namespace kw::records
