#pragma once
// An AuditLog that lives on a thread of its own, so its SQLite work (locking, walking the
// chain, inserting) never runs on the GUI thread. Its vault (keychain) calls are relayed to
// the thread that made the AuditThread, where the keychain's jobs must run. The log's file lock and
// the keychain head keep one chain when this and another AuditLog on the same file (another
// process, or the GUI's own log) append in turn.

#include "core/audit/auditlog.h"

#include <QFuture>
#include <QObject>

#include <memory>

class QThread;

namespace kw::audit {

class AuditThread final
{
public:
    AuditThread();
    // Does not wait. The work already sent (an append whose keychain head write is still
    // out, say) is finished on the worker thread; then the log is closed there and the thread
    // ends, and its objects are deleted in this thread. Threads still busy when the
    // application exits are waited for then (see finishDetached()).
    ~AuditThread();
    AuditThread(const AuditThread &) = delete;
    AuditThread &operator=(const AuditThread &) = delete;

    // Opens (or reopens) the log on the worker thread; appends queued meanwhile wait for it.
    QFuture<Result<void>> open(const AuditLog::Options &options, std::shared_ptr<AuditVault> vault);
    // Appends on the worker thread. Fails when no log was opened or opening failed.
    QFuture<Result<AuditEntry>> append(AuditEntry entry);
    // For tests: the worker thread.
    [[nodiscard]] QThread *thread() const { return m_thread; }

    // Waits, running this thread's events (the keychain's calls run here), until the threads
    // of destroyed AuditThreads have finished their work and ended, or `timeoutMs` passed.
    // True when none is left. Runs by itself when the application exits.
    static bool finishDetached(int timeoutMs);

private:
    struct State;
    std::unique_ptr<QObject> m_home; // lives in the creating thread; vault calls run there
    QThread *m_thread;
    QObject *m_context;             // lives in m_thread; deleted there
    std::shared_ptr<State> m_state; // touched only in m_thread
};

} // namespace kw::audit
