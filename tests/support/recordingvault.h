#pragma once
// An AuditVault and a Clock for tests of where and when the audit log works: they remember the
// thread of every call; the vault can hold head writes until released, and can refuse them.

#include "core/audit/auditvault.h"
#include "core/domain/clock.h"
#include "core/domain/readyfuture.h"

#include <QMutex>
#include <QPromise>
#include <QThread>

#include <memory>
#include <vector>

namespace kw::audit {

class RecordingAuditVault final : public AuditVault
{
public:
    QFuture<Result<QByteArray>> read(const QString &name) override
    {
        note();
        return m_inner.read(name);
    }

    QFuture<Result<void>> write(const QString &name, const QByteArray &value) override
    {
        note();
        QMutexLocker lock(&m_mutex);
        if (m_refuse)
            return kw::readyFuture(Result<void>(makeError(
                QStringLiteral("test.refused"), QStringLiteral("The keychain refused (test)."))));
        if (!m_hold)
            return m_inner.write(name, value);
        auto promise = std::make_shared<QPromise<Result<void>>>();
        promise->start();
        m_held.push_back({promise, name, value});
        return promise->future();
    }

    QString description() const override { return QStringLiteral("recording vault (tests)"); }

    // Threads that called the vault since the last reset.
    QList<QThread *> threads() const
    {
        QMutexLocker lock(&m_mutex);
        return m_threads;
    }
    void resetThreads()
    {
        QMutexLocker lock(&m_mutex);
        m_threads.clear();
    }
    // Head writes wait for release() while holding.
    void setHolding(bool hold)
    {
        QMutexLocker lock(&m_mutex);
        m_hold = hold;
    }
    qsizetype heldWrites() const
    {
        QMutexLocker lock(&m_mutex);
        return qsizetype(m_held.size());
    }
    void release()
    {
        std::vector<Held> held;
        {
            QMutexLocker lock(&m_mutex);
            held.swap(m_held);
        }
        for (Held &h : held) {
            const auto stored = m_inner.write(h.name, h.value).result();
            h.promise->addResult(stored);
            h.promise->finish();
        }
    }
    void setRefusing(bool refuse)
    {
        QMutexLocker lock(&m_mutex);
        m_refuse = refuse;
    }

private:
    struct Held
    {
        std::shared_ptr<QPromise<Result<void>>> promise;
        QString name;
        QByteArray value;
    };
    void note()
    {
        QMutexLocker lock(&m_mutex);
        m_threads.append(QThread::currentThread());
    }

    MemoryAuditVault m_inner;
    mutable QMutex m_mutex;
    QList<QThread *> m_threads;
    std::vector<Held> m_held;
    bool m_hold = false;
    bool m_refuse = false;
};

// A clock that remembers which threads asked it the time: the audit store asks when it stamps
// an entry, inside its SQLite write.
class RecordingClock final : public Clock
{
public:
    qint64 nowMs() const override
    {
        QMutexLocker lock(&m_mutex);
        m_threads.append(QThread::currentThread());
        return 1'700'000'000'000;
    }
    QList<QThread *> threads() const
    {
        QMutexLocker lock(&m_mutex);
        return m_threads;
    }
    void resetThreads()
    {
        QMutexLocker lock(&m_mutex);
        m_threads.clear();
    }

private:
    mutable QMutex m_mutex;
    mutable QList<QThread *> m_threads;
};

} // namespace kw::audit
