#include "core/audit/auditthread.h"

#include "core/domain/futurewatch.h"

#include <QPromise>
#include <QThread>

#include <deque>
#include <functional>

namespace kw::audit {

struct AuditThread::State
{
    std::shared_ptr<AuditLog> log;
    std::optional<Error> openError;
    bool opening = false;
    std::deque<std::function<void()>> waiting; // appends that came while the log was opening
};

AuditThread::AuditThread()
    : m_thread(new QThread)
    , m_context(new QObject)
    , m_state(std::make_shared<State>())
{
    m_thread->setObjectName(QStringLiteral("keywarden-audit"));
    m_context->moveToThread(m_thread);
    m_thread->start();
}

AuditThread::~AuditThread()
{
    // The log's SQLite connection belongs to the worker thread: it is closed there.
    QMetaObject::invokeMethod(m_context, [context = m_context, state = m_state] {
        state->log.reset();
        state->waiting.clear();
        // Not deleted here, inside its own event: a deferred delete runs when the thread ends.
        context->deleteLater();
        QThread::currentThread()->quit();
    });
    m_thread->wait();
    delete m_thread;
}

QFuture<Result<void>> AuditThread::open(const AuditLog::Options &options,
                                        std::shared_ptr<AuditVault> vault)
{
    auto promise = std::make_shared<QPromise<Result<void>>>();
    promise->start();
    QFuture<Result<void>> future = promise->future();
    QMetaObject::invokeMethod(m_context, [context = m_context, state = m_state, options,
                                          vault = std::move(vault), promise]() mutable {
        state->opening = true;
        state->log.reset();
        whenFinished(AuditLog::open(options, std::move(vault)), context,
                     [state, promise](const Result<std::shared_ptr<AuditLog>> &opened) {
                         state->opening = false;
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
        auto write = [context, state, entry = std::move(entry), promise]() mutable {
            if (!state->log) {
                promise->addResult(Result<AuditEntry>(
                    state->openError
                        ? *state->openError
                        : makeError(QStringLiteral("audit.not_open"),
                                    QStringLiteral("The audit log is not open yet."))));
                promise->finish();
                return;
            }
            const auto append = [context, state, promise](AuditEntry entry) {
                whenFinished(state->log->append(std::move(entry)), context,
                             [promise](const Result<AuditEntry> &written) {
                                 promise->addResult(written);
                                 promise->finish();
                             });
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
