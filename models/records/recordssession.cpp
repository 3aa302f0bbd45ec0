#include "models/records/recordssession.h"

#include "core/domain/futurewatch.h"
#include "core/kafka/kafkaclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/services/connection.h"

namespace kw::records {

RecordsSession::RecordsSession(std::shared_ptr<services::Connection> connection, QObject *parent)
    : QObject(parent)
    , m_connection(std::move(connection))
{}

RecordsSession::~RecordsSession()
{
    // Deleting the job cancels its read; its thread ends on its own.
    delete m_job.data();
    // Pending topic listings and by-id lookups finish on other threads; their watchers are
    // children of this object and go with it (see core/domain/futurewatch.h).
}

void RecordsSession::loadTopics()
{
    const quint64 request = ++m_topicsRequest;
    whenFinished(kafka::listTopicsAsync(m_connection->kafkaSettings()), this,
                 [this, request](const Result<QList<kafka::TopicInfo>> &result) {
                     if (request == m_topicsRequest)
                         Q_EMIT topicsLoaded(result);
                 });
}

void RecordsSession::describeTopic(const QString &topic)
{
    const quint64 request = ++m_describeRequest;
    whenFinished(kafka::describeTopicAsync(m_connection->kafkaSettings(), topic, true), this,
                 [this, request](const Result<kafka::TopicInfo> &result) {
                     if (request == m_describeRequest)
                         Q_EMIT topicDescribed(result);
                 });
}

void RecordsSession::nameSchemas(const QList<kafka::PreviewRecord> &records)
{
    if (m_connection->profile().registry.baseUrl.isEmpty())
        return;
    for (const kafka::PreviewRecord &record : records) {
        const int id = record.value.schemaId;
        if (id <= 0 || !record.value.schemaSubject.isEmpty() || m_schemaRequested.contains(id))
            continue;
        m_schemaRequested.insert(id, true);
        // Prefer the subject the record's DEKs are named after (TopicNameStrategy: the same).
        const QString preferred = record.value.dekSubject;
        whenFinished(m_connection->schemaRegistry()->versionsForId(id), this,
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

void RecordsSession::fetch(const kafka::ReadRequest &request)
{
    delete m_job.data();
    kafka::PreviewOptions options;
    options.read = request;
    auto *job = new kafka::PreviewJob(m_connection->profile(), options,
                                      m_connection->recordDecryptor(), this);
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
    return m_connection->decryptorStats();
}

} // namespace kw::records
