// The preview pipeline: the calling thread reads, N worker threads decrypt chunks of records,
// one delivery thread hands chunks back in read order. Bounded queues keep memory flat.

#include "core/services/recordpreview.h"

#include "core/crypto/crypto.h"
#include "core/kafka/recordreader.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QMutexLocker>
#include <QPointer>
#include <QThread>
#include <QThreadPool>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#ifdef Q_OS_LINUX
#include <pthread.h>
#endif

namespace kw::kafka {

std::shared_ptr<engine::RecordDecryptor>
makeRegistryDecryptor(registry::RestTransport *transport, const kms::KmsSettings &kmsSettings,
                      std::shared_ptr<engine::DekCache> cache)
{
    auto schemas = std::make_shared<registry::SchemaRegistryClient>(transport);
    auto keys = std::make_shared<registry::DekRegistryClient>(transport);
    auto drivers = std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
    return std::make_shared<engine::RecordDecryptor>(
        std::move(schemas), std::move(keys), std::move(drivers), kmsSettings,
        cache ? std::move(cache) : std::make_shared<engine::DekCache>());
}

namespace {

// What PreviewSummary counts, for one chunk: counted where the chunk is decrypted, so the
// records need not travel further when only their rendering is wanted.
struct Counts
{
    qint64 records = 0;
    qint64 failedRecords = 0;
    qint64 decryptedFields = 0;
    qint64 failedFields = 0;
    qint64 recordsWithFailures = 0;
    qint64 recordsDecrypted = 0;

    void add(const PreviewRecord &r)
    {
        ++records;
        if (!r.decrypted)
            return;
        bool anyFailed = !r.value.ok();
        bool anyDecrypted = false;
        failedRecords += anyFailed;
        const auto countField = [&](const engine::FieldOutcome &f) {
            if (f.status == engine::FieldOutcome::Status::Decrypted) {
                ++decryptedFields;
                anyDecrypted = true;
            } else if (f.status == engine::FieldOutcome::Status::Failed) {
                ++failedFields;
                anyFailed = true;
            }
        };
        for (const engine::FieldOutcome &f : r.value.fields)
            countField(f);
        if (r.value.payload)
            countField(*r.value.payload);
        recordsWithFailures += anyFailed;
        recordsDecrypted += anyDecrypted && !anyFailed;
    }

    void addTo(PreviewSummary &s) const
    {
        s.records += records;
        s.failedRecords += failedRecords;
        s.decryptedFields += decryptedFields;
        s.failedFields += failedFields;
        s.recordsWithFailures += recordsWithFailures;
        s.recordsDecrypted += recordsDecrypted;
    }
};

// Names the calling thread for debuggers, top and perf (at most 15 characters).
void nameThisThread(const char *name)
{
#ifdef Q_OS_LINUX
    pthread_setname_np(pthread_self(), name);
#else
    Q_UNUSED(name);
#endif
}

struct Chunk
{
    quint64 seq = 0;
    QList<KafkaRecord> input; // as read; consumed by the worker
    // What the input's bytes point into, for borrowed reads (ReadCallbacks::onBorrowedBatch).
    std::shared_ptr<const void> hold;
    QList<PreviewRecord> records; // the decrypted records, unless the sink only renders
    QByteArray text;              // PreviewSink::render's output for the chunk
    Counts counts;
};

// Work queue, reorder buffer and their bookkeeping, shared by the reader, the workers and the
// delivery thread.
class Pipeline
{
public:
    Pipeline(std::shared_ptr<engine::RecordDecryptor> decryptor, const PreviewSink &sink,
             const std::atomic_bool &cancel, int workers, engine::DecryptOptions decryptOptions)
        : m_decryptor(std::move(decryptor))
        , m_decryptOptions(decryptOptions)
        , m_sink(sink)
        , m_cancel(cancel)
        , m_maxQueued(std::size_t(workers) * 4 + 4)
    {
        for (int i = 0; i < workers; ++i)
            m_workers.emplace_back([this] {
                nameThisThread("kw-decrypt");
                workLoop();
            });
        m_deliverer = std::thread([this] {
            nameThisThread("kw-deliver");
            deliverLoop();
        });
    }

    // Reader side: blocks while the workers are this far behind.
    void push(QList<KafkaRecord> &&records, std::shared_ptr<const void> hold = {})
    {
        std::unique_lock lock(m_mutex);
        m_spaceFree.wait(lock, [&] { return m_queue.size() < m_maxQueued || m_cancel.load(); });
        if (m_cancel.load())
            return;
        Chunk chunk;
        chunk.seq = m_pushed++;
        chunk.input = std::move(records);
        chunk.hold = std::move(hold);
        m_queue.push_back(std::move(chunk));
        m_workAvailable.notify_one();
    }

    // Runs `work` on a thread of its own; the workers decrypt their first record only once it
    // is done (or the read is cancelled).
    void warmUp(std::function<void()> work)
    {
        {
            std::lock_guard lock(m_mutex);
            m_warming = true;
        }
        m_warmUp = std::thread([this, work = std::move(work)] {
            nameThisThread("kw-warmup");
            work();
            {
                std::lock_guard lock(m_mutex);
                m_warming = false;
            }
            m_warmedUp.notify_all();
            // Its HTTP requests may have used OpenSSL on this thread (see crypto.h).
            crypto::releaseThreadState();
        });
    }

    void setExpected(qint64 expected)
    {
        std::lock_guard lock(m_mutex);
        m_expected = expected;
    }

    // Waits for every chunk pushed to be delivered (or dropped when cancelled).
    void closeAndJoin()
    {
        {
            std::lock_guard lock(m_mutex);
            m_closed = true;
        }
        m_workAvailable.notify_all();
        m_doneAvailable.notify_all();
        for (std::thread &t : m_workers)
            t.join();
        m_deliverer.join();
        if (m_warmUp.joinable())
            m_warmUp.join();
    }

    PreviewSummary counts;

private:
    void workLoop()
    {
        // The DEK subject follows the topic (TopicNameStrategy); build it once per topic, not
        // once per record.
        QString topic;
        QString dekSubject;
        // The rendering of the last chunk: the next one is reserved a little more, so its text
        // grows without being copied along the way.
        qsizetype lastTextSize = 0;
        engine::RecordDecryptor::KeyMemo memo;
        memo.usePrivateSchemas();
        engine::RecordInput in;
        PreviewRecord scratch;
        bool warm = !m_decryptor;
        for (;;) {
            Chunk chunk;
            {
                std::unique_lock lock(m_mutex);
                m_workAvailable.wait(lock, [&] { return !m_queue.empty() || m_closed; });
                if (m_queue.empty())
                    break;
                chunk = std::move(m_queue.front());
                m_queue.pop_front();
                m_spaceFree.notify_one();
                if (m_sink.render && !m_spareText.empty()) {
                    chunk.text = std::move(m_spareText.back());
                    m_spareText.pop_back();
                }
            }
            if (m_sink.render)
                chunk.text.reserve(lastTextSize + lastTextSize / 8);
            memo.forgetKey(); // the DEK for this chunk only: the cache's expiry still applies
            if (!warm) {
                waitForWarmUp();
                warm = true;
            }
            const bool keep = !m_sink.renderOnly;
            if (keep)
                chunk.records.reserve(chunk.input.size());
            for (KafkaRecord &k : chunk.input) {
                if (m_cancel.load())
                    break;
                // Render-only: one record at a time in `scratch`, whose outcome keeps its
                // buffers from record to record.
                PreviewRecord &r = keep ? chunk.records.emplaceBack() : scratch;
                r.record = std::move(k);
                r.decrypted = false;
                // One record's failure is a value in its outcome; it never stops the others.
                if (m_decryptor && !r.record.value.isNull()) {
                    // This thread's own copies of the topic and subject: the record's topic is
                    // shared with the reader.
                    if (dekSubject.isEmpty() || r.record.topic != topic) {
                        topic = QString(r.record.topic.constData(), r.record.topic.size());
                        dekSubject = topic + QStringLiteral("-value");
                        in.topic = topic;
                        in.dekSubject = dekSubject;
                    }
                    in.payload = r.record.value;
                    in.headers = r.record.headers;
                    m_decryptor->decrypt(in, m_decryptOptions, memo, r.value);
                    r.decrypted = true;
                } else if (!keep) {
                    r.value = {}; // nothing of the previous record's outcome stays
                }
                if (m_sink.render)
                    m_sink.render(r, chunk.text);
                chunk.counts.add(r);
            }
            lastTextSize = chunk.text.size();
            chunk.input = {};
            scratch.record = {};
            chunk.hold.reset(); // the records are done with the client's buffers
            {
                std::lock_guard lock(m_mutex);
                const quint64 seq = chunk.seq;
                m_done.emplace(seq, std::move(chunk));
            }
            m_doneAvailable.notify_one();
        }
        // OpenSSL's per-thread state, freed before the thread ends (see crypto.h).
        crypto::releaseThreadState();
    }

    // A chunk's text buffer the sink left alone (it only wrote it out) serves a later chunk:
    // memory already touched, where a fresh allocation of that size (~150 KB) may cost a page
    // fault per 4 KiB. On the 2-core benchmark VM a fault costs ~12 us; this saves some 400 of
    // them a 100,000-record read.
    void recycle(QByteArray &&text)
    {
        if (text.capacity() == 0 || !text.isDetached())
            return;
        text.resize(0); // keeps the allocation
        std::lock_guard lock(m_mutex);
        if (m_spareText.size() < m_maxQueued)
            m_spareText.push_back(std::move(text));
    }

    void waitForWarmUp()
    {
        std::unique_lock lock(m_mutex);
        // Cancelling does not wake this wait: look at the flag now and then.
        while (m_warming && !m_cancel.load())
            m_warmedUp.wait_for(lock, std::chrono::milliseconds(50));
    }

    void deliverLoop()
    {
        quint64 next = 0;
        qint64 delivered = 0;
        for (;;) {
            Chunk chunk;
            qint64 expected = 0;
            {
                std::unique_lock lock(m_mutex);
                m_doneAvailable.wait(lock, [&] {
                    return m_done.count(next) || (m_closed && next >= m_pushed && m_queue.empty());
                });
                auto it = m_done.find(next);
                if (it == m_done.end())
                    break; // closed and everything delivered
                chunk = std::move(it->second);
                m_done.erase(it);
                expected = m_expected;
            }
            ++next;
            if (m_cancel.load())
                continue; // drain without delivering: nobody wants these any more
            chunk.counts.addTo(counts);
            delivered += chunk.counts.records;
            if (m_sink.onBatch)
                m_sink.onBatch(std::move(chunk.records), std::move(chunk.text));
            recycle(std::move(chunk.text));
            if (m_sink.onProgress)
                m_sink.onProgress(ReadProgress{delivered, expected});
        }
    }

    std::shared_ptr<engine::RecordDecryptor> m_decryptor;
    const engine::DecryptOptions m_decryptOptions;
    const PreviewSink &m_sink;
    const std::atomic_bool &m_cancel;
    const std::size_t m_maxQueued;
    std::mutex m_mutex;
    std::condition_variable m_workAvailable;
    std::condition_variable m_spaceFree;
    std::condition_variable m_doneAvailable;
    std::condition_variable m_warmedUp;
    std::vector<QByteArray> m_spareText; // see recycle()
    bool m_warming = false;
    std::thread m_warmUp;
    std::deque<Chunk> m_queue;
    std::map<quint64, Chunk> m_done;
    quint64 m_pushed = 0;
    qint64 m_expected = 0;
    bool m_closed = false;
    std::vector<std::thread> m_workers;
    std::thread m_deliverer;
};

} // namespace

Result<PreviewSummary> runPreview(const profiles::ConnectionProfile &profile,
                                  const PreviewOptions &options,
                                  std::shared_ptr<engine::RecordDecryptor> decryptor,
                                  const PreviewSink &sink, const std::atomic_bool &cancel)
{
    QElapsedTimer elapsed;
    elapsed.start();
    const int workers =
        options.workers > 0 ? options.workers : std::max(1, QThread::idealThreadCount());
    const qsizetype chunkSize = std::max(1, options.chunkSize);
    Pipeline pipeline(decryptor, sink, cancel, workers, options.decrypt);
    if (decryptor && options.warmUp)
        pipeline.warmUp([decryptor, subject = options.read.topic + QStringLiteral("-value")] {
            decryptor->warmUp(subject);
        });

    ReadCallbacks callbacks;
    callbacks.onStarted = [&](const QList<PartitionRange> &, qint64 expected) {
        pipeline.setExpected(expected);
    };
    const auto split = [&](QList<KafkaRecord> &&batch, const std::shared_ptr<const void> &hold) {
        if (batch.size() <= chunkSize) {
            pipeline.push(std::move(batch), hold);
            return;
        }
        for (qsizetype from = 0; from < batch.size(); from += chunkSize) {
            QList<KafkaRecord> chunk;
            const qsizetype to = std::min(batch.size(), from + chunkSize);
            chunk.reserve(to - from);
            for (qsizetype i = from; i < to; ++i)
                chunk.append(std::move(batch[i]));
            pipeline.push(std::move(chunk), hold);
        }
    };
    if (sink.renderOnly) {
        // The records never leave the workers: they can point into the Kafka client's buffers
        // instead of copying every key, value and header.
        callbacks.onBorrowedBatch = [&](QList<KafkaRecord> &&batch,
                                        std::shared_ptr<const void> hold) {
            split(std::move(batch), hold);
        };
    } else {
        callbacks.onBatch = [&](QList<KafkaRecord> &&batch) {
            split(std::move(batch), {});
        };
    }
    auto read = readRecords(profile.kafkaSettings(), options.read, callbacks, cancel);
    pipeline.closeAndJoin();
    if (!read)
        return read.error();

    PreviewSummary summary = pipeline.counts;
    summary.read = *read;
    summary.read.cancelled = summary.read.cancelled || cancel.load();
    if (decryptor)
        summary.cache = decryptor->cacheStats();
    summary.elapsedMs = elapsed.elapsed();
    return summary;
}

// ---- PreviewJob ----

PreviewJob::PreviewJob(profiles::ConnectionProfile profile, PreviewOptions options,
                       std::shared_ptr<engine::RecordDecryptor> decryptor, QObject *parent)
    : Job(QObject::tr("Reading %1").arg(options.read.topic), parent)
    , m_profile(std::move(profile))
    , m_options(std::move(options))
    , m_decryptor(std::move(decryptor))
{}

Job::Work PreviewJob::work()
{
    return [profile = m_profile, options = m_options,
            decryptor = m_decryptor](JobContext &ctx) -> Error {
        PreviewSink sink;
        sink.onBatch = [&ctx](QList<PreviewRecord> &&batch, QByteArray &&) {
            ctx.post([records = std::move(batch)](Job &job) {
                Q_EMIT static_cast<PreviewJob &>(job).batchReady(records);
            });
        };
        sink.onProgress = [&ctx](const ReadProgress &p) {
            ctx.setProgress(p.read, p.expected);
            ctx.post([p](Job &job) { Q_EMIT static_cast<PreviewJob &>(job).progress(p); });
        };
        // The read mostly waits (on Kafka, on the registry): let the pool start another thread
        // meanwhile so listTopicsAsync() and QtConcurrent users are not starved.
        QThreadPool::globalInstance()->releaseThread();
        auto result = std::make_shared<Result<PreviewSummary>>(
            runPreview(profile, options, decryptor, sink, ctx.cancelFlag()));
        QThreadPool::globalInstance()->reserveThread();
        Error error = *result ? Error{} : result->error();
        ctx.post([result](Job &job) { static_cast<PreviewJob &>(job).m_result = *result; });
        return error;
    };
}

} // namespace kw::kafka
