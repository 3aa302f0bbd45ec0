// AuditThread: the audit log's work (SQLite and keychain calls) runs on its own thread, appends
// sent while it opens wait for it, a failed open is every append's answer, and it shares one
// chain with an AuditLog on the caller's thread writing to the same file.

#include "core/audit/auditlog.h"
#include "core/audit/auditthread.h"
#include "support/recordingvault.h"

#include <QFile>
#include <QPointer>
#include <QTemporaryDir>
#include <QTest>

using namespace kw;
using namespace kw::audit;

namespace {

template<typename T>
std::optional<T> wait(QFuture<T> future)
{
    if (!QTest::qWaitFor([&future] { return future.isFinished(); }, 10000) ||
        future.resultCount() == 0)
        return std::nullopt;
    return future.result();
}

AuditEntry reveal(const QString &topic)
{
    AuditEntry entry;
    entry.action = ActionRecordReveal;
    entry.topic = topic;
    entry.partition = 0;
    entry.offset = 1;
    return entry;
}

} // namespace

class TestAuditThread : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_n = 0;

    AuditLog::Options options()
    {
        AuditLog::Options o;
        o.path = m_dir.filePath(QStringLiteral("audit-%1.sqlite").arg(++m_n));
        o.actor = QStringLiteral("tester");
        return o;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void appendsRunOnTheAuditThread()
    {
        auto vault = std::make_shared<RecordingAuditVault>();
        RecordingClock clock;
        AuditThread thread;
        AuditLog::Options o = options();
        o.clock = &clock;
        const auto opened = wait(thread.open(o, vault));
        QVERIFY(opened && *opened);
        vault->resetThreads();
        clock.resetThreads();
        const auto written = wait(thread.append(reveal(QStringLiteral("customers"))));
        QVERIFY(written);
        QVERIFY2(*written, qPrintable(written->error().message));
        QCOMPARE(written->value().topic, QStringLiteral("customers"));
        // The SQLite write (which stamps the entry) ran on the audit thread...
        const QList<QThread *> stamped = clock.threads();
        QVERIFY(!stamped.isEmpty());
        for (QThread *t : stamped) {
            QCOMPARE(t, thread.thread());
            QVERIFY(t != QThread::currentThread());
        }
        // ...and the keychain calls (reading and moving the head) on this one, where keychain
        // jobs must live.
        const QList<QThread *> vaulted = vault->threads();
        QVERIFY(!vaulted.isEmpty());
        for (QThread *t : vaulted)
            QCOMPARE(t, QThread::currentThread());
        // The entry is in the file, and the chain verifies against the head.
        auto log = wait(AuditLog::open(o, vault));
        QVERIFY(log && *log);
        QVERIFY(!(**log)->problem());
        QCOMPARE((**log)->report().entries, 1);
    }

    void appendsSentWhileOpeningWaitForIt()
    {
        auto vault = std::make_shared<RecordingAuditVault>();
        AuditThread thread;
        static_cast<void>(thread.open(options(), vault));
        const auto first = wait(thread.append(reveal(QStringLiteral("a"))));
        const auto second = wait(thread.append(reveal(QStringLiteral("b"))));
        QVERIFY(first && *first && second && *second);
        QCOMPARE(second->value().id, first->value().id + 1);
    }

    void withoutALogAppendsFail()
    {
        AuditThread thread;
        const auto written = wait(thread.append(reveal(QStringLiteral("a"))));
        QVERIFY(written && !*written);
        QCOMPARE(written->error().code, QStringLiteral("audit.not_open"));
    }

    void aFailedOpenIsTheAppendsAnswer()
    {
        // A file stands where the log's folder would be.
        const QString blocker = m_dir.filePath(QStringLiteral("blocker"));
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        AuditLog::Options o = options();
        o.path = blocker + QStringLiteral("/audit.sqlite");
        AuditThread thread;
        const auto opened = wait(thread.open(o, std::make_shared<RecordingAuditVault>()));
        QVERIFY(opened && !*opened);
        const auto written = wait(thread.append(reveal(QStringLiteral("a"))));
        QVERIFY(written && !*written);
        QCOMPARE(written->error().code, opened->error().code);
    }

    void goingAwayFinishesTheAppendInFlight()
    {
        // A reveal's entry whose keychain head write is still out when the view (and its
        // AuditThread) goes: the destructor does not wait, the append still completes, and
        // the log keeps its entry and head in step.
        auto vault = std::make_shared<RecordingAuditVault>();
        const AuditLog::Options o = options();
        auto thread = std::make_unique<AuditThread>();
        const auto opened = wait(thread->open(o, vault));
        QVERIFY(opened && *opened);
        vault->setHolding(true);
        QFuture<Result<AuditEntry>> pending = thread->append(reveal(QStringLiteral("a")));
        QTRY_COMPARE(vault->heldWrites(), 1);
        thread.reset();
        QVERIFY(!pending.isFinished());
        vault->setHolding(false);
        vault->release();
        QVERIFY(AuditThread::finishDetached(10000));
        QVERIFY(pending.isFinished() && pending.resultCount() == 1);
        const Result<AuditEntry> written = pending.result();
        QVERIFY2(written, written ? "" : qPrintable(written.error().message));

        const auto reopened = wait(AuditLog::open(o, vault));
        QVERIFY(reopened && *reopened);
        const std::optional<Error> &problem = (**reopened)->problem();
        QVERIFY2(!problem, problem ? qPrintable(problem->message) : "");
        QCOMPARE((**reopened)->report().entries, 1);
    }

    void goingAwayIdleEndsTheThread()
    {
        auto thread = std::make_unique<AuditThread>();
        const auto opened = wait(thread->open(options(), std::make_shared<RecordingAuditVault>()));
        QVERIFY(opened && *opened);
        QPointer<QThread> worker = thread->thread();
        thread.reset();
        QVERIFY(AuditThread::finishDetached(10000));
        QTRY_VERIFY(worker.isNull()); // ended and deleted
    }

    void oneChainWithALogOnThisThread()
    {
        auto vault = std::make_shared<RecordingAuditVault>();
        const AuditLog::Options o = options();
        auto here = wait(AuditLog::open(o, vault));
        QVERIFY(here && *here);
        AuditThread thread;
        const auto opened = wait(thread.open(o, vault));
        QVERIFY(opened && *opened);
        for (int i = 0; i < 3; ++i) {
            const auto a = wait((**here)->append(reveal(QStringLiteral("here"))));
            QVERIFY2(a && *a, a ? qPrintable(a->error().message) : "no answer");
            const auto b = wait(thread.append(reveal(QStringLiteral("there"))));
            QVERIFY2(b && *b, b ? qPrintable(b->error().message) : "no answer");
        }
        const auto report = wait((**here)->verify());
        QVERIFY(report && *report);
        QVERIFY(!(*report)->problem);
        QCOMPARE((*report)->entries, 6);
    }
};

QTEST_GUILESS_MAIN(TestAuditThread)
#include "tst_auditthread.moc"
