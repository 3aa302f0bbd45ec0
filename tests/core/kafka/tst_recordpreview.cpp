// The preview pipeline against the demo estate over the real protocols (REST registry in this
// thread, Kafka mock cluster): good records decrypt, damaged ones carry errors, order is kept,
// and each DEK version costs exactly one KMS unwrap.

#include "core/net/resttransport.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/sandbox/mockkafkacluster.h"
#include "core/sandbox/sandbox.h"
#include "core/services/recordpreview.h"

#include <QMutex>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

using namespace kw;
using namespace kw::kafka;

namespace {

// The registry client, with a note of every subject version asked for (records ask for their
// schema by id; only the warm-up asks for a subject's latest version).
class SubjectCountingSchemas : public engine::SchemaSource
{
public:
    explicit SubjectCountingSchemas(registry::RestTransport *transport)
        : m_inner(transport)
    {}
    QFuture<Result<registry::Schema>> schemaById(int id) override { return m_inner.schemaById(id); }
    QFuture<Result<registry::Schema>> schemaByGuid(const QUuid &guid) override
    {
        return m_inner.schemaByGuid(guid);
    }
    QFuture<Result<registry::Schema>> schemaVersion(const QString &subject, int version) override
    {
        {
            QMutexLocker lock(&m_mutex);
            m_asked.append(subject + QLatin1Char('@') + QString::number(version));
        }
        return m_inner.schemaVersion(subject, version);
    }
    QStringList asked() const
    {
        QMutexLocker lock(&m_mutex);
        return m_asked;
    }

private:
    registry::SchemaRegistryClient m_inner;
    mutable QMutex m_mutex;
    QStringList m_asked;
};

} // namespace

class TestRecordPreview : public QObject
{
    Q_OBJECT

private:
    sandbox::Sandbox m_sandbox;
    profiles::ConnectionProfile m_profile;
    std::unique_ptr<registry::RestTransport> m_transport;

    static bool damaged(const KafkaRecord &r)
    {
        return std::any_of(r.headers.cbegin(), r.headers.cend(),
                           [](const serde::RecordHeader &h) { return h.key == "demo-note"; });
    }

    static bool anyFailure(const PreviewRecord &r)
    {
        if (!r.value.ok())
            return true;
        return std::any_of(r.value.fields.cbegin(), r.value.fields.cend(),
                           [](const engine::FieldOutcome &f) {
                               return f.status == engine::FieldOutcome::Status::Failed;
                           });
    }

    // runPreview as the CLI runs it: on a worker thread, with the transport's loop here.
    Result<PreviewSummary> runBlocking(const PreviewOptions &options,
                                       std::shared_ptr<engine::RecordDecryptor> decryptor,
                                       PreviewSink &sink)
    {
        std::atomic_bool cancel{false};
        QFuture<Result<PreviewSummary>> future = QtConcurrent::run(
            [&] { return runPreview(m_profile, options, decryptor, sink, cancel); });
        if (!QTest::qWaitFor([&] { return future.isFinished(); }, 120000)) {
            cancel = true; // the result says it was cancelled
            future.waitForFinished();
        }
        return future.result();
    }

private Q_SLOTS:
    void initTestCase()
    {
        sandbox::SandboxOptions options;
        options.seed = QStringLiteral("demo");
        auto started = m_sandbox.start(options);
        QVERIFY2(started, qPrintable(started.error().message));
        m_profile.name = QStringLiteral("demo");
        m_profile.registry.baseUrl = QUrl(m_sandbox.registryUrl());
        m_profile.bootstrapServers = m_sandbox.bootstrapServers();
        m_profile.kms.insert(QStringLiteral("local-kms"),
                             {{QStringLiteral("secret"), m_sandbox.localSecret()}});
        m_transport = std::make_unique<registry::RestTransport>(m_profile.registry);
    }

    void cleanupTestCase() { m_transport.reset(); }

    void jobDecryptsInOrderAndCountsUnwraps()
    {
        PreviewOptions options;
        options.read.topic = QStringLiteral("customers");
        options.workers = 3;
        options.chunkSize = 100;
        auto decryptor = makeRegistryDecryptor(m_transport.get(), m_profile.kms);
        PreviewJob job(m_profile, options, decryptor);
        QList<PreviewRecord> records;
        std::optional<Result<PreviewSummary>> result;
        int progressCalls = 0;
        connect(&job, &PreviewJob::batchReady, this,
                [&](const QList<PreviewRecord> &batch) { records.append(batch); });
        connect(&job, &PreviewJob::progress, this, [&](const ReadProgress &) { ++progressCalls; });
        connect(&job, &Job::finished, this, [&] { result = job.result(); });
        job.start();
        QVERIFY(job.isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 120000);
        QVERIFY(!job.isRunning());
        QVERIFY2(result->hasValue(), qPrintable(result->error().message));
        const PreviewSummary &s = result->value();
        QCOMPARE(records.size(), 9000);
        QCOMPARE(s.records, 9000);
        QVERIFY(progressCalls > 0);

        // Read order: per partition, offsets one after another.
        QHash<int, qint64> last;
        for (const PreviewRecord &r : std::as_const(records)) {
            QCOMPARE(r.record.offset, last.value(r.record.partition, -1) + 1);
            last[r.record.partition] = r.record.offset;
        }

        int damagedSeen = 0, damagedFailed = 0, goodDecrypted = 0;
        QSet<QString> versions;
        for (const PreviewRecord &r : std::as_const(records)) {
            QVERIFY(r.decrypted);
            if (damaged(r.record)) {
                ++damagedSeen;
                damagedFailed += anyFailure(r);
                if (anyFailure(r) && r.value.ok()) {
                    for (const engine::FieldOutcome &f : r.value.fields)
                        if (f.status == engine::FieldOutcome::Status::Failed)
                            QVERIFY2(!f.error.message.isEmpty(), "a failed field says why");
                }
                if (!r.value.ok())
                    QVERIFY(!r.value.error.message.isEmpty());
                continue;
            }
            QVERIFY2(!anyFailure(r), qPrintable(r.value.error.message));
            bool decryptedField = false;
            for (const engine::FieldOutcome &f : r.value.fields)
                if (f.status == engine::FieldOutcome::Status::Decrypted) {
                    decryptedField = true;
                    versions.insert(QStringLiteral("%1|%2|%3|%4")
                                        .arg(f.kekName, r.value.dekSubject)
                                        .arg(f.dekVersion)
                                        .arg(f.algorithm));
                }
            goodDecrypted += decryptedField;
        }
        QVERIFY(damagedSeen >= 5);
        QVERIFY2(damagedFailed >= damagedSeen - 1, "damaged records carry errors");
        QCOMPARE(goodDecrypted, 9000 - damagedSeen);
        QCOMPARE(s.recordsWithFailures, damagedFailed);
        qInfo("customers: %d damaged (%d failed), %lld distinct DEK versions, %llu KMS unwraps, "
              "%llu cache hits",
              damagedSeen, damagedFailed, static_cast<long long>(versions.size()),
              static_cast<unsigned long long>(s.cache.kmsUnwraps),
              static_cast<unsigned long long>(s.cache.hits));
        QCOMPARE(s.cache.kmsUnwraps, quint64(versions.size()));
    }

    void blockingPipelineWithRenderHook_data()
    {
        QTest::addColumn<bool>("renderOnly");
        QTest::newRow("records and text") << false;
        QTest::newRow("text only") << true;
    }

    void blockingPipelineWithRenderHook()
    {
        QFETCH(bool, renderOnly);
        // The CLI's shape: runPreview on a worker thread, the transport's loop here.
        PreviewOptions options;
        options.read.topic = QStringLiteral("card-payments");
        options.read.start = StartPosition::lastTotal(1000);
        auto decryptor = makeRegistryDecryptor(m_transport.get(), m_profile.kms);
        QList<QByteArray> rendered;
        qint64 delivered = 0;
        PreviewSink sink;
        sink.renderOnly = renderOnly;
        sink.render = [](const PreviewRecord &r, QByteArray &text) {
            text += QByteArray::number(r.record.partition) + ':' +
                    QByteArray::number(r.record.offset) + '\n';
        };
        sink.onBatch = [&](QList<PreviewRecord> &&batch, QByteArray &&text) {
            delivered += batch.size();
            rendered.append(text.split('\n'));
            rendered.removeLast(); // after the last newline
        };
        auto result = runBlocking(options, decryptor, sink);
        QVERIFY2(result, qPrintable(result.error().message));
        QCOMPARE(result->records, 1000);
        QCOMPARE(delivered, renderOnly ? 0 : 1000);
        QCOMPARE(rendered.size(), 1000);
        // In read order within each partition, each record once.
        QHash<QByteArray, qint64> lastOffset;
        for (const QByteArray &line : std::as_const(rendered)) {
            const QList<QByteArray> parts = line.split(':');
            QCOMPARE(parts.size(), 2);
            const qint64 offset = parts.at(1).toLongLong();
            QVERIFY(offset > lastOffset.value(parts.at(0), -1));
            lastOffset.insert(parts.at(0), offset);
        }
        QCOMPARE(result->recordsDecrypted + result->recordsWithFailures, 1000);
        QVERIFY(result->decryptedFields > 0);
        QVERIFY(result->cache.loads > 0); // card-payments uses a shared KEK: no client unwraps
    }

    void warmUpAsksForTheTopicsSchemaAndChangesNoResult()
    {
        // Each run with its own decryptor and DEK cache, so both start cold.
        struct Run
        {
            QList<QByteArray> lines;
            QStringList subjectsAsked;
            quint64 unwraps = 0;
        };
        const auto run = [&](bool warmUp) -> Run {
            PreviewOptions options;
            options.read.topic = QStringLiteral("customers");
            options.read.limit = 600;
            options.warmUp = warmUp;
            auto schemas = std::make_shared<SubjectCountingSchemas>(m_transport.get());
            auto decryptor = std::make_shared<engine::RecordDecryptor>(
                schemas, std::make_shared<registry::DekRegistryClient>(m_transport.get()),
                std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers()),
                m_profile.kms, std::make_shared<engine::DekCache>());
            PreviewSink sink;
            sink.render = [](const PreviewRecord &r, QByteArray &text) {
                text += QByteArray::number(r.record.partition) + ':' +
                        QByteArray::number(r.record.offset) + ' ' + r.value.error.code.toUtf8() +
                        " [";
                for (const engine::FieldOutcome &f : r.value.fields)
                    text += f.path.toUtf8() + '/' + engine::statusName(f.status).toUtf8() + '/' +
                            QByteArray::number(f.dekVersion) + ' ';
                text += "]\n";
            };
            Run out;
            sink.onBatch = [&](QList<PreviewRecord> &&, QByteArray &&text) {
                out.lines.append(text.split('\n'));
                out.lines.removeLast();
            };
            const auto result = runBlocking(options, decryptor, sink);
            if (result)
                out.unwraps = result->cache.kmsUnwraps;
            else
                qWarning("%s", qPrintable(result.error().message));
            out.subjectsAsked = schemas->asked();
            return out;
        };
        const Run cold = run(false);
        const Run warm = run(true);
        QCOMPARE(cold.lines.size(), 600);
        QCOMPARE(warm.lines, cold.lines); // the same records, in the same order
        // The warm-up asked for customers-value's latest schema, once; without it nobody did.
        QCOMPARE(warm.subjectsAsked, QStringList{QStringLiteral("customers-value@-1")});
        QCOMPARE(cold.subjectsAsked, QStringList{});
        // It asks the registry ahead, but unwraps nothing the records did not need.
        QVERIFY(cold.unwraps > 0);
        QCOMPARE(warm.unwraps, cold.unwraps);
    }

    // A limited read over several partitions is repeatable (recordreader.h): five runs of the
    // same request return the same records in the same order, the oldest first.
    void sameRequestSameRecordsInTheSameOrder()
    {
        const auto run = [&] {
            PreviewOptions options;
            options.read.topic = QStringLiteral("customers");
            options.read.limit = 600;
            options.read.batchSize = 50;
            options.chunkSize = 32;
            PreviewSink sink;
            QList<KafkaRecord> records;
            sink.onBatch = [&](QList<PreviewRecord> &&batch, QByteArray &&) {
                for (const PreviewRecord &r : batch)
                    records.append(r.record);
            };
            const auto result = runBlocking(options, nullptr, sink);
            if (!result)
                qWarning("%s", qPrintable(result.error().message));
            return records;
        };
        const QList<KafkaRecord> first = run();
        QCOMPARE(first.size(), 600);
        QSet<int> partitions;
        for (qsizetype i = 0; i < first.size(); ++i) {
            partitions.insert(first.at(i).partition);
            if (i == 0)
                continue;
            // The seed's timestamps grow in every partition: the merge is in time order.
            const KafkaRecord &a = first.at(i - 1);
            const KafkaRecord &b = first.at(i);
            QVERIFY(a.timestampMs < b.timestampMs ||
                    (a.timestampMs == b.timestampMs && a.partition < b.partition));
        }
        QVERIFY(partitions.size() > 1);
        for (int n = 2; n <= 5; ++n) {
            const QList<KafkaRecord> again = run();
            QCOMPARE(again.size(), first.size());
            for (qsizetype i = 0; i < first.size(); ++i) {
                QCOMPARE(again.at(i).partition, first.at(i).partition);
                QCOMPARE(again.at(i).offset, first.at(i).offset);
                QCOMPARE(again.at(i).value, first.at(i).value);
            }
        }
    }

    void renderOnlyRendersWhatKeptRecordsHold()
    {
        // Render-only reuses one record and its outcome on each worker: every record must
        // still render exactly as it does when records are kept, damaged ones included.
        const auto run = [&](bool renderOnly) -> QList<QByteArray> {
            PreviewOptions options;
            options.read.topic = QStringLiteral("card-payments");
            options.read.start = StartPosition::lastTotal(2000);
            options.decrypt.jsonText = true;
            options.decrypt.stored = false;
            auto decryptor = makeRegistryDecryptor(m_transport.get(), m_profile.kms);
            PreviewSink sink;
            sink.renderOnly = renderOnly;
            sink.render = [](const PreviewRecord &r, QByteArray &text) {
                const engine::RecordOutcome &o = r.value;
                text += QByteArray::number(r.record.partition) + ':' +
                        QByteArray::number(r.record.offset) + ' ' + r.record.key + ' ' +
                        QByteArray::number(r.decrypted) + ' ' + QByteArray::number(o.schemaId) +
                        ' ' + o.schemaSubject.toUtf8() + ' ' + o.error.code.toUtf8() + ' ' +
                        o.valueJson + " [";
                for (const engine::FieldOutcome &f : o.fields)
                    text += f.path.toUtf8() + '/' + engine::statusName(f.status).toUtf8() + '/' +
                            QByteArray::number(f.dekVersion) + ' ';
                text += "]\n";
            };
            QList<QByteArray> lines;
            sink.onBatch = [&](QList<PreviewRecord> &&, QByteArray &&text) {
                lines.append(text.split('\n'));
                lines.removeLast();
            };
            const auto result = runBlocking(options, decryptor, sink);
            if (!result)
                qWarning("%s", qPrintable(result.error().message));
            std::sort(lines.begin(), lines.end());
            return lines;
        };
        const QList<QByteArray> kept = run(false);
        const QList<QByteArray> renderedOnly = run(true);
        QCOMPARE(kept.size(), 2000);
        QCOMPARE(renderedOnly, kept);
        // Both kinds of record are in there: decrypted ones and ones that failed as a whole.
        const auto has = [&](const QByteArray &piece) {
            return std::any_of(kept.cbegin(), kept.cend(),
                               [&](const QByteArray &l) { return l.contains(piece); });
        };
        QVERIFY(has("/decrypted/"));
        QVERIFY(has(" engine.unknown_schema "));
    }

    void cancelledJobFinishesCancelled()
    {
        PreviewOptions options;
        options.read.topic = QStringLiteral("card-payments");
        options.read.batchSize = 50;
        options.chunkSize = 50;
        auto decryptor = makeRegistryDecryptor(m_transport.get(), m_profile.kms);
        PreviewJob job(m_profile, options, decryptor);
        std::optional<Result<PreviewSummary>> result;
        qint64 seen = 0;
        connect(&job, &PreviewJob::batchReady, this, [&](const QList<PreviewRecord> &batch) {
            seen += batch.size();
            job.cancel();
        });
        connect(&job, &Job::finished, this, [&] { result = job.result(); });
        job.start();
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 60000);
        QVERIFY(result->hasValue());
        QVERIFY(result->value().read.cancelled);
        QVERIFY(seen < 10000);
    }

    void unknownTopicFailsTheJob()
    {
        PreviewOptions options;
        options.read.topic = QStringLiteral("nope");
        PreviewJob job(m_profile, options, nullptr);
        std::optional<Result<PreviewSummary>> result;
        connect(&job, &Job::finished, this, [&] { result = job.result(); });
        job.start();
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 30000);
        QVERIFY(!result->hasValue());
        QCOMPARE(result->error().code, QString(ErrorUnknownTopic));
    }

    void deletedJobDropsItsResults()
    {
        PreviewOptions options;
        options.read.topic = QStringLiteral("clickstream");
        auto decryptor = makeRegistryDecryptor(m_transport.get(), m_profile.kms);
        auto *job = new PreviewJob(m_profile, options, decryptor);
        int batches = 0;
        connect(job, &PreviewJob::batchReady, this, [&] { ++batches; });
        job->start();
        delete job; // cancels; nothing is delivered to the deleted job
        QTest::qWait(500);
        QCOMPARE(batches, 0);
        // Let the cancelled pipeline wind down before the transport goes.
        QVERIFY(Job::waitForWorkers(30000));
        QThreadPool::globalInstance()->waitForDone(30000);
    }
};

QTEST_GUILESS_MAIN(TestRecordPreview)
#include "tst_recordpreview.moc"
