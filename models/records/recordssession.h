#pragma once
// The Records view's work for one connection: topic list and watermarks, and record fetches
// (bounded read + decryption on worker threads) with cancel. Owns the registry transport on a
// thread of its own, because the decrypting workers block on its answers.

#include "core/domain/result.h"
#include "core/engine/dekcache.h"
#include "core/kafka/kafkatypes.h"
#include "core/services/connectionprofile.h"
#include "core/services/recordpreview.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <memory>

namespace kw::registry {
class SchemaRegistryClient;
}

namespace kw::records {

struct TransportHost;

class RecordsSession final : public QObject
{
    Q_OBJECT

public:
    explicit RecordsSession(profiles::ConnectionProfile profile, QObject *parent = nullptr);
    ~RecordsSession() override;

    [[nodiscard]] const profiles::ConnectionProfile &profile() const { return m_profile; }

    // Async; topicsLoaded() follows. A newer call makes older answers stale (dropped).
    void loadTopics();
    // Async; topicDescribed() follows, with watermarks.
    void describeTopic(const QString &topic);

    // Starts a fetch, cancelling any running one (its remaining batches are dropped).
    void fetch(const kafka::ReadRequest &request);
    void cancel();
    [[nodiscard]] bool isFetching() const;
    // KMS unwraps and cache hits of this session (DEKs stay cached across fetches).
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
    std::shared_ptr<engine::RecordDecryptor> decryptor();
    void ensureTransport();
    void nameSchemas(const QList<kafka::PreviewRecord> &records);

    profiles::ConnectionProfile m_profile;
    std::shared_ptr<engine::DekCache> m_cache;
    std::shared_ptr<TransportHost> m_host;
    std::shared_ptr<registry::SchemaRegistryClient> m_schemaClient;
    std::shared_ptr<engine::RecordDecryptor> m_decryptor;
    QHash<int, bool> m_schemaRequested;
    QPointer<kafka::PreviewJob> m_job;
    quint64 m_topicsRequest = 0;
    quint64 m_describeRequest = 0;
};

} // namespace kw::records
