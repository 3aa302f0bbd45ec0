#include "models/records/recordssession.h"

#include "core/crypto/crypto.h"
#include "core/domain/futurewatch.h"
#include "core/kafka/kafkaclient.h"
#include "core/net/resttransport.h"
#include "core/registry/schemaregistryclient.h"

#include <QThread>

namespace kw::records {

// A RestTransport running in a thread of its own. Kept alive by every decryptor that uses it
// (see RecordsSession::decryptor()), so a fetch still running after the view went away never
// talks to a deleted transport.
struct TransportHost
{
    explicit TransportHost(const registry::ConnectionSettings &settings)
        : transport(new registry::RestTransport(settings))
    {
        thread.setObjectName(QStringLiteral("kw-records-registry"));
        transport->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, transport, &QObject::deleteLater);
        crypto::releaseThreadStateOnFinish(&thread); // TLS handshakes use OpenSSL here
        thread.start();
    }
    ~TransportHost()
    {
        // The loop is idle or answering short calls; quitting it is quick.
        thread.quit();
        thread.wait();
    }
    TransportHost(const TransportHost &) = delete;
    TransportHost &operator=(const TransportHost &) = delete;

    QThread thread;
    registry::RestTransport *transport;
};

RecordsSession::RecordsSession(profiles::ConnectionProfile profile, QObject *parent)
    : QObject(parent)
    , m_profile(std::move(profile))
    , m_cache(std::make_shared<engine::DekCache>())
{}

RecordsSession::~RecordsSession()
{
    // Deleting the job cancels its read; its thread ends on its own.
    delete m_job.data();
    // Pending topic listings and by-id lookups finish on other threads; their watchers are
    // children of this object and go with it (see common/futurewatch.h).
}

void RecordsSession::loadTopics()
{
    const quint64 request = ++m_topicsRequest;
    whenFinished(kafka::listTopicsAsync(m_profile.kafkaSettings()), this,
                 [this, request](const Result<QList<kafka::TopicInfo>> &result) {
                     if (request == m_topicsRequest)
                         Q_EMIT topicsLoaded(result);
                 });
}

void RecordsSession::describeTopic(const QString &topic)
{
    const quint64 request = ++m_describeRequest;
    whenFinished(kafka::describeTopicAsync(m_profile.kafkaSettings(), topic, true), this,
                 [this, request](const Result<kafka::TopicInfo> &result) {
                     if (request == m_describeRequest)
                         Q_EMIT topicDescribed(result);
                 });
}

void RecordsSession::ensureTransport()
{
    if (m_host || m_profile.registry.baseUrl.isEmpty())
        return;
    m_host = std::make_shared<TransportHost>(m_profile.registry);
    auto client = std::make_shared<registry::SchemaRegistryClient>(m_host->transport);
    // The client must not outlive the transport: hold the host with it.
    m_schemaClient = std::shared_ptr<registry::SchemaRegistryClient>(
        client.get(), [client, host = m_host](registry::SchemaRegistryClient *) mutable {
            client.reset();
            host.reset();
        });
}

void RecordsSession::nameSchemas(const QList<kafka::PreviewRecord> &records)
{
    ensureTransport();
    if (!m_schemaClient)
        return;
    for (const kafka::PreviewRecord &record : records) {
        const int id = record.value.schemaId;
        if (id <= 0 || !record.value.schemaSubject.isEmpty() || m_schemaRequested.contains(id))
            continue;
        m_schemaRequested.insert(id, true);
        // Prefer the subject the record's DEKs are named after (TopicNameStrategy: the same).
        const QString preferred = record.value.dekSubject;
        whenFinished(m_schemaClient->versionsForId(id), this,
                     [this, id, preferred](const Result<QList<registry::SubjectVersion>> &result) {
                         if (!result || result->isEmpty()) {
                             m_schemaRequested.remove(id); // try again with the next fetch
                             return;
                         }
                         registry::SubjectVersion pick = result->first();
                         for (const registry::SubjectVersion &candidate : *result) {
                             if (candidate.subject == preferred)
                                 pick = candidate;
                         }
                         Q_EMIT schemaNamed(id, pick.subject, pick.version);
                     });
    }
}

std::shared_ptr<engine::RecordDecryptor> RecordsSession::decryptor()
{
    ensureTransport();
    if (m_decryptor || !m_host)
        return m_decryptor;
    auto host = m_host;
    auto inner = kafka::makeRegistryDecryptor(host->transport, m_profile.kms, m_cache);
    engine::RecordDecryptor *raw = inner.get();
    // Ties the transport's life to the decryptor's: the decryptor goes first, then the host.
    m_decryptor = std::shared_ptr<engine::RecordDecryptor>(
        raw, [inner = std::move(inner), host = std::move(host)](engine::RecordDecryptor *) mutable {
            inner.reset();
            host.reset();
        });
    return m_decryptor;
}

void RecordsSession::fetch(const kafka::ReadRequest &request)
{
    delete m_job.data();
    kafka::PreviewOptions options;
    options.read = request;
    auto *job = new kafka::PreviewJob(m_profile, options, decryptor(), this);
    m_job = job;
    connect(job, &kafka::PreviewJob::batchReady, this,
            [this](const QList<kafka::PreviewRecord> &records) {
                Q_EMIT batchReady(records);
                nameSchemas(records);
            });
    connect(job, &kafka::PreviewJob::progress, this, &RecordsSession::progress);
    connect(job, &Job::finished, this, [this, job] {
        if (m_job == job)
            m_job.clear();
        job->deleteLater();
        Q_EMIT fetchFinished(job->result().value_or(Job::cancelledError(job->title())));
    });
    Q_EMIT fetchStarted();
    job->start();
}

void RecordsSession::cancel()
{
    if (m_job)
        m_job->cancel();
}

bool RecordsSession::isFetching() const
{
    return m_job && m_job->isRunning();
}

engine::DekCache::Stats RecordsSession::cacheStats() const
{
    return m_cache->stats();
}

} // namespace kw::records
