#include "core/kms/kmshttp.h"

#include "core/crypto/crypto.h"
#include "core/domain/readyfuture.h"

#include <QCoreApplication>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QObject>
#include <QSet>
#include <QThread>

#include <mutex>

namespace kw::kms {

struct KmsHttp::Impl
{
    QMutex mutex;
    QThread *thread = nullptr;  // started on first use
    QObject *context = nullptr; // lives in `thread`, parent of the transports
    QHash<QString, registry::RestTransport *> transports;
};

namespace {

QString endpointKey(const KmsEndpoint &e)
{
    return e.baseUrl.toString(QUrl::FullyEncoded) + QLatin1Char('\n') + e.caFile +
           QLatin1Char('\n') + QString::number(int(e.insecureSkipVerify)) + QLatin1Char('\n') +
           QString::number(e.timeoutMs) + QLatin1Char('/') + QString::number(e.maxRetries) +
           QLatin1Char('/') + QString::number(e.retryBaseMs) + QLatin1Char('/') +
           QString::number(e.retryMaxMs);
}

registry::ConnectionSettings settingsFor(const KmsEndpoint &e)
{
    registry::ConnectionSettings s;
    s.baseUrl = e.baseUrl;
    s.tls.caFile = e.caFile;
    s.tls.insecureSkipVerify = e.insecureSkipVerify;
    s.timeoutMs = e.timeoutMs;
    s.maxRetries = e.maxRetries;
    s.retryBaseMs = e.retryBaseMs;
    s.retryMaxMs = e.retryMaxMs;
    s.maxResponseBytes = qint64(4) * 1024 * 1024; // KMS answers are small
    return s;
}

// Every thread a KmsHttp started and nobody has deleted yet. `orphans` are those whose
// KmsHttp was let go in one of their own replies' continuations: they cannot be waited for
// there, and a deleteLater() would wait for an event loop their creator (often a pool thread)
// may never run. The next KmsHttp reaps the finished ones. When the application object ends,
// every thread is stopped and waited for, and the orphans are deleted: a short-lived tool
// whose last reply's continuation lets go after main() returned leaves nothing running.
struct Threads
{
    QMutex deleting; // held while waiting for threads and deleting them (taken before `mutex`)
    QMutex mutex;
    QSet<QThread *> owned; // a live KmsHttp deletes these itself
    QList<QThread *> orphans;
};

Threads &threads()
{
    static Threads t;
    return t;
}

// With t.deleting held.
void reapOrphans(bool all)
{
    Threads &t = threads();
    QList<QThread *> reaped;
    {
        QMutexLocker lock(&t.mutex);
        for (auto it = t.orphans.begin(); it != t.orphans.end();) {
            if (*it != QThread::currentThread() && (all || (*it)->isFinished())) {
                reaped.append(*it);
                it = t.orphans.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (QThread *thread : reaped) {
        thread->wait();
        delete thread;
    }
}

void registerThread(QThread *thread)
{
    static std::once_flag once;
    std::call_once(once, [] { qAddPostRoutine(KmsHttp::stopAllThreads); });
    Threads &t = threads();
    QMutexLocker lock(&t.mutex);
    t.owned.insert(thread);
}

void adoptOrphan(QThread *thread)
{
    Threads &t = threads();
    QMutexLocker lock(&t.mutex);
    t.owned.remove(thread);
    t.orphans.append(thread);
}

bool isKmsThread(QThread *thread)
{
    Threads &t = threads();
    QMutexLocker lock(&t.mutex);
    return t.owned.contains(thread) || t.orphans.contains(thread);
}

void forget(QThread *thread)
{
    Threads &t = threads();
    QMutexLocker lock(&t.mutex);
    t.owned.remove(thread);
}

} // namespace

KmsHttp::KmsHttp()
    : d(std::make_unique<Impl>())
{
    // Opportunistic: never waits for stopAllThreads(), which may be waiting for this thread.
    if (threads().deleting.tryLock()) {
        reapOrphans(false);
        threads().deleting.unlock();
    }
}

KmsHttp::~KmsHttp()
{
    QThread *thread = nullptr;
    {
        QMutexLocker lock(&d->mutex);
        thread = d->thread;
    }
    if (!thread)
        return;
    thread->quit();
    if (isKmsThread(QThread::currentThread())) {
        // The last user let go in a reply's continuation (of this KmsHttp's thread or another
        // one's): the thread ends once this returns, and waiting here could deadlock with
        // stopAllThreads(), which may be waiting for the current thread.
        adoptOrphan(thread);
        return;
    }
    QMutexLocker deleting(&threads().deleting);
    thread->wait();
    forget(thread);
    delete thread;
}

void KmsHttp::stopAllThreads()
{
    Threads &t = threads();
    QMutexLocker deleting(&t.deleting);
    QList<QThread *> running;
    {
        QMutexLocker lock(&t.mutex);
        running = t.owned.values();
        running += t.orphans;
    }
    // Without the lock: a thread letting go of its KmsHttp right now adopts itself first.
    for (QThread *thread : std::as_const(running)) {
        if (thread == QThread::currentThread())
            continue;
        thread->quit();
        thread->wait();
    }
    reapOrphans(true);
}

int KmsHttp::threadCount()
{
    Threads &t = threads();
    QMutexLocker lock(&t.mutex);
    return int(t.owned.size() + t.orphans.size());
}

QFuture<Result<registry::Reply>> KmsHttp::send(const KmsEndpoint &endpoint,
                                               registry::RestRequest request)
{
    const QString key = endpointKey(endpoint);
    QThread *thread = nullptr;
    QObject *context = nullptr;
    registry::RestTransport *transport = nullptr;
    {
        QMutexLocker lock(&d->mutex);
        if (!d->thread) {
            d->thread = new QThread;
            d->thread->setObjectName(QStringLiteral("kw-kms-http"));
            d->context = new QObject;
            d->context->moveToThread(d->thread);
            QObject *ctx = d->context;
            // finished() runs in the ending thread: the transports (and their sockets) go
            // there, then OpenSSL's per-thread state of the TLS handshakes.
            QObject::connect(
                d->thread, &QThread::finished, d->thread,
                [ctx] {
                    delete ctx;
                    crypto::releaseThreadState();
                },
                Qt::DirectConnection);
            registerThread(d->thread);
            d->thread->start();
        }
        thread = d->thread;
        context = d->context;
        transport = d->transports.value(key);
    }
    if (!transport) {
        // Made in the transports' thread, without the lock: that thread may be sending too.
        registry::RestTransport *made = nullptr;
        const auto make = [&] {
            made = new registry::RestTransport(settingsFor(endpoint), context);
        };
        if (QThread::currentThread() == thread)
            make();
        else
            QMetaObject::invokeMethod(context, make, Qt::BlockingQueuedConnection);
        QMutexLocker lock(&d->mutex);
        transport = d->transports.value(key);
        if (transport) {
            made->deleteLater(); // another caller made it meanwhile
        } else {
            d->transports.insert(key, made);
            transport = made;
        }
    }
    return transport->send(std::move(request));
}

std::shared_ptr<KmsHttp> KmsHttp::shared()
{
    static QMutex mutex;
    static std::weak_ptr<KmsHttp> current;
    QMutexLocker lock(&mutex);
    if (auto existing = current.lock())
        return existing;
    auto made = std::make_shared<KmsHttp>();
    current = made;
    return made;
}

} // namespace kw::kms
