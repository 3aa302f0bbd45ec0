#pragma once
// The records preview: a bounded read whose records are decrypted by engine::RecordDecryptor
// on worker threads in parallel, handed back in read order, one failure never hiding others.
// runPreview() is the blocking pipeline (CLI, benchmarks); PreviewJob runs it on its own thread
// for a GUI and delivers batches as signals in the job's (the caller's) thread.

#include "core/domain/result.h"
#include "core/engine/dekcache.h"
#include "core/engine/recorddecryptor.h"
#include "core/kafka/kafkatypes.h"
#include "core/services/connectionprofile.h"
#include "core/services/job.h"

#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace kw::registry {
class RestTransport;
}

namespace kw::kafka {

struct PreviewRecord
{
    KafkaRecord record;          // as read: raw key, value and headers
    engine::RecordOutcome value; // the value decoded and decrypted (empty when decryption is off
                                 // or the value is a tombstone: see `decrypted`)
    bool decrypted = false;      // `value` holds the decryptor's outcome
};

struct PreviewSummary
{
    ReadSummary read;
    qint64 records = 0;
    qint64 failedRecords = 0; // the record as a whole failed (framing, schema, decoding)
    qint64 decryptedFields = 0;
    qint64 failedFields = 0;
    qint64 recordsWithFailures = 0; // a record failed, or at least one of its fields
    qint64 recordsDecrypted = 0;    // at least one field decrypted and nothing failed
    engine::DekCache::Stats cache;  // kmsUnwraps: one per DEK version opened this session
    qint64 elapsedMs = 0;
};

// Hooks of the blocking pipeline. All optional.
struct PreviewSink
{
    // On decrypting worker threads, in parallel, once per record right after it is decrypted:
    // per-record CPU work (rendering an output line) that should scale with the workers. It
    // appends to `text`, the rendering of the record's batch.
    std::function<void(const PreviewRecord &record, QByteArray &text)> render;
    // Batches in read order, one call at a time (serialised), on some worker thread, with
    // their rendering (empty without `render`). A sink that only reads `text` (writes it out)
    // leaves it where it is: its buffer then serves the rendering of a later batch.
    std::function<void(QList<PreviewRecord> &&batch, QByteArray &&text)> onBatch;
    std::function<void(const ReadProgress &progress)> onProgress;
    // When only the rendering is wanted: records are freed on the worker right after
    // rendering, and batches reach onBatch empty (the text and the counts still come). Their
    // bytes then point into the Kafka client's buffers (no copies): `render` must not keep
    // references to them.
    bool renderOnly = false;
};

struct PreviewOptions
{
    ReadRequest read;
    // Decrypting threads; 0: QThread::idealThreadCount(). 1 keeps everything on one worker.
    int workers = 0;
    // Records per decrypting work item; smaller items balance better, larger ones cost less.
    int chunkSize = 256;
    // Passed to every RecordDecryptor::decrypt() call (e.g. stored = false when nobody shows
    // the stored form).
    engine::DecryptOptions decrypt;
    // While Kafka connects, ask the registries for the topic's latest value schema and the
    // keys its rules name (RecordDecryptor::warmUp(), subject <topic>-value), so the first
    // records need no round trips. The workers start decrypting once it is done.
    bool warmUp = true;
};

// A decryptor reading schemas and DEKs through the REST clients over `transport`. The
// transport must live (and keep running its event loop) in another thread than the one
// calling decrypt(): the pipeline's workers block on its futures.
std::shared_ptr<engine::RecordDecryptor>
makeRegistryDecryptor(registry::RestTransport *transport, const kms::KmsSettings &kmsSettings,
                      std::shared_ptr<engine::DekCache> cache = {});

// Blocking: call from a worker thread (never the transport's thread). `decryptor` may be null:
// records then come back undecrypted. Fails only when nothing could be read (see readRecords());
// per-record and per-field failures are in the records and counted in the summary.
Result<PreviewSummary> runPreview(const profiles::ConnectionProfile &profile,
                                  const PreviewOptions &options,
                                  std::shared_ptr<engine::RecordDecryptor> decryptor,
                                  const PreviewSink &sink, const std::atomic_bool &cancel);

// A running preview for a GUI: a Job (core/services/job.h) that runs runPreview() on a worker
// and emits batches and read progress in the thread that owns it, then finished() once with
// result() set. Deleting it cancels the read and drops what is still in flight (it does not
// wait; the worker ends on its own). A cancelled job finishes with summary.read.cancelled.
class PreviewJob final : public Job
{
    Q_OBJECT

public:
    PreviewJob(profiles::ConnectionProfile profile, PreviewOptions options,
               std::shared_ptr<engine::RecordDecryptor> decryptor, QObject *parent = nullptr);

    // Set just before finished(). On error nothing (more) could be read; batches emitted before
    // stay valid.
    [[nodiscard]] const std::optional<Result<PreviewSummary>> &result() const { return m_result; }

Q_SIGNALS:
    void batchReady(const QList<kw::kafka::PreviewRecord> &records);
    void progress(const kw::kafka::ReadProgress &progress);

protected:
    Work work() override;

private:
    profiles::ConnectionProfile m_profile;
    PreviewOptions m_options;
    std::shared_ptr<engine::RecordDecryptor> m_decryptor;
    std::optional<Result<PreviewSummary>> m_result;
};

} // namespace kw::kafka
