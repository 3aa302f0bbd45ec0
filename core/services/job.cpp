#include "core/services/job.h"

#include "core/crypto/crypto.h"

#include <QMutexLocker>
#include <QThread>
#include <QThreadPool>

#include <algorithm>

namespace kw {

namespace {
std::atomic<quint64> g_nextJobId{1};
}

namespace detail {

void JobShared::post(std::function<void(Job &)> f)
{
    QMutexLocker lock(&mutex);
    if (job)
        QMetaObject::invokeMethod(
            job,
            // Qt delivers the event only while the job lives, so `target` is valid when it runs.
            [target = job, f = std::move(f)] { f(*target); }, Qt::QueuedConnection);
}

} // namespace detail

void JobContext::setProgress(qint64 done, qint64 total, const QString &text)
{
    JobProgress progress{done, total, text};
    // Coalesced: at most one progress event in flight; it carries the latest figures.
    bool post = false;
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->latest = std::move(progress);
        post = !std::exchange(m_shared->progressPending, true);
    }
    if (post)
        m_shared->post([shared = m_shared](Job &job) {
            JobProgress latest;
            {
                QMutexLocker lock(&shared->mutex);
                latest = shared->latest;
                shared->progressPending = false;
            }
            job.reportProgress(latest);
        });
}

Job::Job(QString title, QObject *parent)
    : QObject(parent)
    , m_shared(std::make_shared<detail::JobShared>())
    , m_title(std::move(title))
    , m_id(g_nextJobId.fetch_add(1))
{
    m_shared->job = this;
}

Job::~Job()
{
    detail::JobShared *shared = m_shared.get();
    if (!shared) // never null; the check keeps GCC's -Wstringop-overflow from guessing it is
        return;
    QMutexLocker lock(&shared->mutex);
    shared->job = nullptr;
    shared->cancel.store(true);
}

namespace {
// Jobs block on the network, Kafka and files, not on the CPU. They get a pool of their own:
// on Qt's global pool a few of them would starve the raster paint engine, which waits on that
// pool while the GUI thread paints — and a job waiting for a reply the GUI thread delivers
// would then wait forever.
QThreadPool &jobPool()
{
    static QThreadPool *pool = [] {
        auto *p = new QThreadPool;
        p->setObjectName(QStringLiteral("kw-jobs"));
        p->setMaxThreadCount(std::max(16, QThread::idealThreadCount() * 4));
        p->setExpiryTimeout(30000);
        return p;
    }();
    return *pool;
}
} // namespace

void Job::start()
{
    if (m_state != State::Ready)
        return;
    m_state = State::Running;
    Q_EMIT started();
    jobPool().start([shared = m_shared, work = work()] {
        JobContext ctx(shared);
        Error error = work(ctx);
        // Pool threads outlive their jobs; whatever OpenSSL keeps per thread (TLS, keys, KMS
        // calls) is freed now rather than at some exit the pool may never see.
        crypto::releaseThreadState();
        shared->post([error = std::move(error)](Job &job) { job.finish(error); });
    });
}

bool Job::waitForWorkers(int timeoutMs)
{
    return jobPool().waitForDone(timeoutMs);
}

void Job::cancel()
{
    m_shared->cancel.store(true);
}

bool Job::isCancelRequested() const
{
    return m_shared->cancel.load();
}

Error Job::cancelledError(const QString &title)
{
    return {QStringLiteral("job.cancelled"), QStringLiteral("%1 was cancelled.").arg(title)};
}

void Job::reportProgress(const JobProgress &progress)
{
    if (m_state != State::Running || progress == m_progress)
        return;
    m_progress = progress;
    Q_EMIT progressChanged(m_progress);
}

void Job::finish(Error error)
{
    if (m_state != State::Running)
        return;
    m_state = State::Finished;
    m_error = std::move(error);
    Q_EMIT finished();
}

void JobSlot::start(Job *job)
{
    reset();
    if (!job)
        return;
    if (!job->parent())
        job->setParent(m_owner);
    m_job = job;
    job->start();
}

void JobSlot::reset()
{
    if (Job *old = m_job.data()) {
        m_job.clear();
        old->cancel();
        // Deleting it drops whatever its worker still sends; deleteLater so a slot reset from
        // one of the job's own signals does not delete it under its emitter.
        old->disconnect();
        old->deleteLater();
    }
}

} // namespace kw
