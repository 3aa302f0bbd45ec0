#include "core/audit/auditthread.h"

#include "core/domain/futurewatch.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QMutex>
#include <QPointer>
#include <QPromise>
#include <QThread>

#include <deque>
#include <functional>

namespace kw::audit {

namespace {

// The vault as the worker's log sees it: every call runs on the thread that made the
// AuditThread (the GUI thread), where the keychain's jobs must live (QtKeychain is not
// thread-safe); the answer comes back as a future. Only SQLite work stays on the worker.
class HomeThreadVault final : public AuditVault
{
public:
    HomeThreadVault(std::shared_ptr<AuditVault> inner, QObject *home)
        : m_inner(std::move(inner))
        , m_home(home)
    {}

    QFuture<Result<QByteArray>> read(const QString &name) override
    {
        return relay<QByteArray>([inner = m_inner, name] { return inner->read(name); });
    }
    QFuture<Result<void>> write(const QString &name, const QByteArray &value) override
    {
        return relay<void>([inner = m_inner, name, value] { return inner->write(name, value); });
    }
    QString description() const override { return m_inner->description(); }

private:
    template<typename T, typename Call>
    QFuture<Result<T>> relay(Call call)
    {
        auto promise = std::make_shared<QPromise<Result<T>>>();
        promise->start();
        QFuture<Result<T>> future = promise->future();
        // When the home object is gone (the AuditThread is ending) the promise is dropped
        // unfinished: the future is cancelled and nothing more happens.
        QMetaObject::invokeMethod(m_home.data(), [home = m_home, call, promise] {
            whenFinished(call(), home.data(), [promise](const Result<T> &answer) {
                promise->addResult(answer);
                promise->finish();
            });
        });
        return future;
    }

    std::shared_ptr<AuditVault> m_inner;
    QPointer<QObject> m_home;
};

// The threads of destroyed AuditThreads still finishing their work, with their home
// objects: deleted in the home thread once the worker ended, or at application exit.
struct Detached
{
    QThread *thread;
    QObject *home;
};

QMutex &detachedMutex()
{
    static QMutex mutex;
    return mutex;
}

QList<Detached> &detached()
{
    static QList<Detached> list;
    return list;
}

void forget(QThread *thread)
{
    QMutexLocker lock(&detachedMutex());
    detached().removeIf([thread](const Detached &d) { return d.thread == thread; });
}

void finishDetachedAtExit()
{
    if (!AuditThread::finishDetached(5000))
        qWarning("keywarden: an audit write was still waiting for the keychain at exit");
}

} // namespace

struct AuditThread::State
{
    std::shared_ptr<AuditLog> log;
    std::optional<Error> openError;
    bool opening = false;
    std::deque<std::function<void()>> waiting; // appends that came while the log was opening
    int busy = 0;                              // opens and appends sent and not answered yet
    bool closing = false;                      // the AuditThread is gone: end once nothing is busy
    bool closeQueued = false;

    // In the worker thread: closes the log there and ends the thread. Queued, never run
    // inside the callback of the last answer: the log's own continuations of that answer are
    // still being unwound (their watchers hold the log until they are deleted), and the log
    // must not be destroyed under them.
    static void closeIfIdle(const std::shared_ptr<State> &state, QObject *context)
    {
        if (!state->closing || state->busy > 0 || state->closeQueued)
            return;
        state->closeQueued = true;
        QMetaObject::invokeMethod(
            context,
            [state, context] {
                if (state->busy > 0) { // work came in meanwhile: wait for it
                    state->closeQueued = false;
                    return;
                }
                state->log.reset();
                state->waiting.clear();
                // Not deleted here, inside its own event: a deferred delete runs when the
                // thread ends.
                context->deleteLater();
                QThread::currentThread()->quit();
            },
            Qt::QueuedConnection);
    }
};

AuditThread::AuditThread()
    : m_home(std::make_unique<QObject>())
    , m_thread(new QThread)
    , m_context(new QObject)
    , m_state(std::make_shared<State>())
{
    m_thread->setObjectName(QStringLiteral("keywarden-audit"));
    m_context->moveToThread(m_thread);
    m_thread->start();
}

AuditThread::~AuditThread()
{
    // The home object stays until the worker ended: the keychain calls of the work still in
    // flight are relayed to it. Both are deleted here, in the creating thread, after that.
    QObject *home = m_home.release();
    QThread *thread = m_thread;
    {
        QMutexLocker lock(&detachedMutex());
        static const bool atExit = [] {
            qAddPostRoutine(finishDetachedAtExit);
            return true;
        }();
        Q_UNUSED(atExit);
        detached().append({thread, home});
    }
    QObject::connect(thread, &QThread::finished, home, [thread, home] {
        forget(thread);
        thread->wait(); // returns at once: finished() is the thread's last act
        delete thread;
        home->deleteLater();
    });
    // The log's SQLite connection belongs to the worker thread: it is closed there, once the
    // work sent before this point is done.
    QMetaObject::invokeMethod(m_context, [context = m_context, state = m_state] {
        state->closing = true;
        State::closeIfIdle(state, context);
    });
}

bool AuditThread::finishDetached(int timeoutMs)
{
    const auto snapshot = [] {
        QMutexLocker lock(&detachedMutex());
        return detached();
    };
    QDeadlineTimer deadline(timeoutMs);
    while (!snapshot().isEmpty()) {
        if (deadline.hasExpired())
            return false;
        // The workers' keychain calls and their finished() notices are events of this thread
        // (which may delete some of them: look again afterwards).
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        for (const Detached &d : snapshot()) {
            if (!d.thread->wait(QDeadlineTimer(5)))
                continue;
            forget(d.thread);
            QObject::disconnect(d.thread, nullptr, d.home, nullptr);
            delete d.thread;
            delete d.home;
        }
    }
    return true;
}

QFuture<Result<void>> AuditThread::open(const AuditLog::Options &options,
                                        std::shared_ptr<AuditVault> vault)
{
    auto promise = std::make_shared<QPromise<Result<void>>>();
    promise->start();
    QFuture<Result<void>> future = promise->future();
    if (vault)
        vault = std::make_shared<HomeThreadVault>(std::move(vault), m_home.get());
    QMetaObject::invokeMethod(m_context, [context = m_context, state = m_state, options,
                                          vault = std::move(vault), promise]() mutable {
        state->opening = true;
        state->log.reset();
        ++state->busy;
        whenFinished(AuditLog::open(options, std::move(vault)), context,
                     [state, context, promise](const Result<std::shared_ptr<AuditLog>> &opened) {
                         state->opening = false;
                         --state->busy;
                         if (opened) {
                             state->log = *opened;
                             state->openError.reset();
                             promise->addResult(Result<void>{});
                         } else {
                             state->openError = opened.error();
                             promise->addResult(Result<void>(opened.error()));
                         }
                         promise->finish();
                         auto waiting = std::move(state->waiting);
                         for (auto &append : waiting)
                             append();
                         State::closeIfIdle(state, context);
                     });
    });
    return future;
}

QFuture<Result<AuditEntry>> AuditThread::append(AuditEntry entry)
{
    auto promise = std::make_shared<QPromise<Result<AuditEntry>>>();
    promise->start();
    QFuture<Result<AuditEntry>> future = promise->future();
    QMetaObject::invokeMethod(m_context, [context = m_context, state = m_state,
                                          entry = std::move(entry), promise]() mutable {
        ++state->busy; // until answered, even when the AuditThread goes meanwhile
        const auto answer = [context, state, promise](const Result<AuditEntry> &written) {
            promise->addResult(written);
            promise->finish();
            --state->busy;
            State::closeIfIdle(state, context);
        };
        auto write = [context, state, entry = std::move(entry), answer]() mutable {
            if (!state->log) {
                answer(Result<AuditEntry>(
                    state->openError
                        ? *state->openError
                        : makeError(QStringLiteral("audit.not_open"),
                                    QStringLiteral("The audit log is not open yet."))));
                return;
            }
            const auto append = [context, state, answer](AuditEntry entry) {
                whenFinished(state->log->append(std::move(entry)), context, answer);
            };
            if (!state->log->problem()) {
                append(std::move(entry));
                return;
            }
            // The problem may have been acknowledged through another AuditLog on this file
            // (the main window's): look again before refusing.
            whenFinished(state->log->verify(), context,
                         [append, entry = std::move(entry)](const Result<ChainReport> &) mutable {
                             append(std::move(entry));
                         });
        };
        if (state->opening)
            state->waiting.push_back(std::move(write));
        else
            write();
    });
    return future;
}

} // namespace kw::audit
