#pragma once
// Long work off the UI thread: a Job runs on the thread pool, reports progress (done, total,
// text), can be cancelled, and finishes exactly once with its outcome — all of it delivered in
// the thread that owns the Job. Deleting a Job cancels it and drops whatever its worker still
// sends (nothing waits for the worker). JobSlot keeps one current job per purpose: starting a
// new one cancels and discards the old one, so a stale result never reaches the screen.
//
//   auto *job = new ValueJob<Summary>(tr("Scan"), [](JobContext &ctx) -> Result<Summary> {
//       for (...) { if (ctx.isCancelled()) ...; ctx.setProgress(i, n, text); }
//       return summary;
//   });
//   connect(job, &Job::finished, this, [job] { use(*job->result()); });
//   m_slot.start(job);

#include "core/domain/result.h"

#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace kw {

class Job;

struct JobProgress
{
    qint64 done = 0;
    qint64 total = -1; // unknown
    QString text;
    bool operator==(const JobProgress &) const = default;
};

namespace detail {
// What a job and its worker share: the worker holds it, so it outlives a deleted job.
struct JobShared
{
    QMutex mutex;
    Job *job = nullptr; // cleared by the job's destructor, under the mutex
    std::atomic_bool cancel{false};
    JobProgress latest;           // under the mutex
    bool progressPending = false; // a progress event is posted and not yet delivered

    // Runs `f(job)` in the job's thread if the job still exists by then. Posting under the
    // mutex means the job cannot go away in between; Qt drops events posted to an object that
    // it then deletes.
    void post(std::function<void(Job &)> f);
};
} // namespace detail

// Handed to the work on its worker thread.
class JobContext
{
public:
    explicit JobContext(std::shared_ptr<detail::JobShared> shared)
        : m_shared(std::move(shared))
    {}

    // Cancel() was called or the job deleted: stop at the next convenient point.
    [[nodiscard]] bool isCancelled() const { return m_shared->cancel.load(); }
    // The flag itself, for APIs that poll one (readRecords, runPreview).
    [[nodiscard]] const std::atomic_bool &cancelFlag() const { return m_shared->cancel; }
    // Reported in the job's thread as progressChanged(); cheap to call often.
    void setProgress(qint64 done, qint64 total, const QString &text = {});
    // Runs `f(job)` in the job's thread (in order with progress and the finish) unless the job
    // is gone by then: how work hands over partial results (batches) as it goes.
    void post(std::function<void(Job &)> f) { m_shared->post(std::move(f)); }

private:
    std::shared_ptr<detail::JobShared> m_shared;
};

class Job : public QObject
{
    Q_OBJECT

public:
    enum class State
    {
        Ready,    // not started
        Running,  // the worker runs
        Finished, // finished() was emitted
    };

    explicit Job(QString title, QObject *parent = nullptr);
    // Cancels the work; its late progress and outcome are dropped. Does not wait for it.
    ~Job() override;

    // Runs the work on the thread pool. Once: a second call does nothing.
    void start();
    // Asks the work to stop. It still finishes (soon): with cancelledError() when it stopped
    // before producing anything, or with what it has, marked as partial, when that is useful.
    void cancel();

    [[nodiscard]] quint64 id() const { return m_id; } // unique in the process
    [[nodiscard]] QString title() const { return m_title; }
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool isRunning() const { return m_state == State::Running; }
    [[nodiscard]] bool isCancelRequested() const;
    [[nodiscard]] JobProgress progress() const { return m_progress; }
    // After finished(): why the job failed or stopped; empty when it succeeded.
    [[nodiscard]] const Error &error() const { return m_error; }
    [[nodiscard]] bool succeeded() const { return m_state == State::Finished && m_error.isEmpty(); }

    // The error a cancelled job finishes with.
    static Error cancelledError(const QString &title);
    // Waits (blocking) until no job's worker runs any more, at most `timeoutMs`: for tests
    // that tear down what cancelled workers may still touch. True when none runs.
    static bool waitForWorkers(int timeoutMs);

Q_SIGNALS:
    void started();
    void progressChanged(const kw::JobProgress &progress);
    // Exactly once after start(), in the job's thread.
    void finished();

protected:
    // Called once, by start(), in the job's thread: the work to run on a worker thread. It
    // must be self-contained (copies, shared pointers): the job may be deleted while it runs,
    // so it never touches the job itself. It returns the failure (empty Error: success); typed
    // results go back through ctx.post() before it returns (see ValueJob).
    using Work = std::function<Error(JobContext &ctx)>;
    virtual Work work() = 0;

private:
    friend class JobContext;
    void reportProgress(const JobProgress &progress);
    void finish(Error error);

    std::shared_ptr<detail::JobShared> m_shared;
    QString m_title;
    quint64 m_id = 0;
    State m_state = State::Ready;
    JobProgress m_progress;
    Error m_error;
};

// A job whose work is a function returning Result<T>; result() holds it after finished().
template<typename T>
class ValueJob final : public Job
{
public:
    using Compute = std::function<Result<T>(JobContext &ctx)>;

    ValueJob(QString title, Compute compute, QObject *parent = nullptr)
        : Job(std::move(title), parent)
        , m_compute(std::move(compute))
    {}

    // Set just before finished(); empty before, and for a job cancelled before it produced one.
    [[nodiscard]] const std::optional<Result<T>> &result() const { return m_result; }

protected:
    Job::Work work() override
    {
        return [compute = m_compute](JobContext &ctx) {
            auto result = std::make_shared<Result<T>>(compute(ctx));
            Error error = *result ? Error{} : result->error();
            ctx.post([result](Job &job) { static_cast<ValueJob &>(job).m_result = *result; });
            return error;
        };
    }

private:
    Compute m_compute;
    std::optional<Result<T>> m_result;
};

// One current job per purpose (the records fetch, the census scan): start() cancels and
// deletes the job running before, so its results never land, and takes ownership of the new
// one. The slot's owner is the parent of the jobs.
class JobSlot
{
public:
    explicit JobSlot(QObject *owner)
        : m_owner(owner)
    {}
    ~JobSlot() { reset(); }
    JobSlot(const JobSlot &) = delete;
    JobSlot &operator=(const JobSlot &) = delete;

    // Starts `job` (taking ownership) after discarding the current one.
    void start(Job *job);
    // Cancels and discards the current job, if any.
    void reset();
    [[nodiscard]] Job *current() const { return m_job.data(); }
    [[nodiscard]] bool isBusy() const { return m_job && m_job->isRunning(); }

private:
    QObject *m_owner;
    QPointer<Job> m_job;
};

} // namespace kw

Q_DECLARE_METATYPE(kw::JobProgress)
