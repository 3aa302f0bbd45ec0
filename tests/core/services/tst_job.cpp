// Job: work off the owner's thread, progress, cancel, exactly one finish, and stale or orphaned
// results dropped.

#include "core/services/job.h"

#include <QScopeGuard>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QThreadPool>

#include <atomic>
#include <memory>

using namespace kw;

class TestJob : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Jobs block (registry calls, Kafka reads): however many run, Qt's global pool — which
    // the raster paint engine waits on while painting — keeps its threads, so the GUI thread
    // never waits for a job that waits for the GUI thread.
    void blockingJobsLeaveTheGlobalPoolFree()
    {
        const int n = std::max(2, QThreadPool::globalInstance()->maxThreadCount()) + 1;
        auto release = std::make_shared<QSemaphore>();
        auto running = std::make_shared<std::atomic_int>(0);
        std::vector<std::unique_ptr<ValueJob<int>>> jobs;
        for (int i = 0; i < n; ++i) {
            jobs.push_back(std::make_unique<ValueJob<int>>(
                QStringLiteral("blocking"), [release, running](JobContext &) -> Result<int> {
                    ++*running;
                    release->acquire();
                    return 1;
                }));
            jobs.back()->start();
        }
        // Whatever happens below, the workers are let go.
        auto letGo = qScopeGuard([release, n] { release->release(n); });
        QTRY_COMPARE(running->load(), n);
        std::atomic_bool ran{false};
        QThreadPool::globalInstance()->start([&ran] { ran = true; });
        QTRY_VERIFY(ran.load());
        letGo.dismiss();
        release->release(n);
        for (auto &job : jobs)
            QTRY_VERIFY(job->state() == Job::State::Finished);
    }

    void deliversResultAndProgressInTheOwnersThread()
    {
        auto workerThread = std::make_shared<std::atomic<QThread *>>(nullptr);
        ValueJob<int> job(QStringLiteral("Count"), [workerThread](JobContext &ctx) -> Result<int> {
            workerThread->store(QThread::currentThread());
            int sum = 0;
            for (int i = 1; i <= 100; ++i) {
                sum += i;
                ctx.setProgress(i, 100, QStringLiteral("step %1").arg(i));
            }
            return sum;
        });
        QList<QThread *> signalThreads;
        QList<JobProgress> seen;
        connect(&job, &Job::progressChanged, this, [&](const JobProgress &p) {
            signalThreads << QThread::currentThread();
            seen << p;
        });
        QSignalSpy finished(&job, &Job::finished);
        QCOMPARE(job.state(), Job::State::Ready);
        job.start();
        QCOMPARE(job.state(), Job::State::Running);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.size(), 1);
        QVERIFY(job.succeeded());
        QVERIFY(job.error().isEmpty());
        QVERIFY(job.result().has_value());
        QCOMPARE(**job.result(), 5050);
        QVERIFY(workerThread->load() != nullptr);
        QVERIFY(workerThread->load() != QThread::currentThread());
        // Coalesced, in order, ending on the last figures, all in this thread.
        QVERIFY(!seen.isEmpty());
        QVERIFY(seen.size() <= 100);
        QCOMPARE(seen.last(), (JobProgress{100, 100, QStringLiteral("step 100")}));
        for (int i = 1; i < seen.size(); ++i)
            QVERIFY(seen[i].done > seen[i - 1].done);
        for (QThread *t : std::as_const(signalThreads))
            QCOMPARE(t, QThread::currentThread());
        QCOMPARE(job.progress().done, 100);

        // Finished exactly once, and a second start() does nothing.
        job.start();
        QTest::qWait(50);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(job.state(), Job::State::Finished);
    }

    void aFailureIsTheJobsError()
    {
        ValueJob<QString> job(QStringLiteral("Fail"), [](JobContext &) -> Result<QString> {
            return makeError(QStringLiteral("test.broken"), QStringLiteral("It broke."));
        });
        QSignalSpy finished(&job, &Job::finished);
        job.start();
        QVERIFY(finished.wait(10000));
        QVERIFY(!job.succeeded());
        QCOMPARE(job.error().code, QStringLiteral("test.broken"));
        QVERIFY(job.result().has_value());
        QVERIFY(!*job.result());
    }

    void cancelStopsTheWork()
    {
        auto began = std::make_shared<QSemaphore>();
        auto iterations = std::make_shared<std::atomic<int>>(0);
        ValueJob<int> job(QStringLiteral("Endless scan"),
                          [began, iterations](JobContext &ctx) -> Result<int> {
                              began->release();
                              // Bounded so that a broken cancel fails the test instead of hanging
                              // it.
                              while (!ctx.isCancelled() && iterations->load() < 100000000)
                                  iterations->fetch_add(1);
                              if (ctx.isCancelled())
                                  return Job::cancelledError(QStringLiteral("Endless scan"));
                              return iterations->load();
                          });
        QSignalSpy finished(&job, &Job::finished);
        job.start();
        QVERIFY(began->tryAcquire(1, 10000));
        QVERIFY(!job.isCancelRequested());
        job.cancel();
        QVERIFY(job.isCancelRequested());
        QVERIFY(finished.wait(10000));
        QCOMPARE(job.error().code, QStringLiteral("job.cancelled"));
        QCOMPARE(job.error().message, QStringLiteral("Endless scan was cancelled."));
        QVERIFY(iterations->load() < 100000000);
    }

    void aDeletedJobsLateOutcomeIsDropped()
    {
        auto gate = std::make_shared<QSemaphore>();
        auto done = std::make_shared<std::atomic_bool>(false);
        auto sawCancel = std::make_shared<std::atomic_bool>(false);
        int signals = 0;
        auto *job = new ValueJob<int>(QStringLiteral("Slow"), [=](JobContext &ctx) -> Result<int> {
            gate->acquire();
            ctx.setProgress(1, 1);
            ctx.post([](Job &) { QFAIL("a posted call reached a deleted job"); });
            sawCancel->store(ctx.isCancelled());
            done->store(true);
            return 7;
        });
        connect(job, &Job::progressChanged, this, [&] { ++signals; });
        connect(job, &Job::finished, this, [&] { ++signals; });
        job->start();
        delete job; // while the work is blocked
        gate->release();
        QTRY_VERIFY_WITH_TIMEOUT(done->load(), 10000);
        QTest::qWait(50); // let anything the worker posted be delivered, if it were
        QCoreApplication::processEvents();
        QCOMPARE(signals, 0);
        QVERIFY(sawCancel->load()); // deleting the job cancelled it
    }

    void aSlotDiscardsTheJobItReplaces()
    {
        JobSlot slot(this);
        auto gate = std::make_shared<QSemaphore>();
        auto *first =
            new ValueJob<int>(QStringLiteral("First"), [gate](JobContext &) -> Result<int> {
                gate->acquire();
                return 1;
            });
        int firstFinished = 0;
        connect(first, &Job::finished, this, [&] { ++firstFinished; });
        QPointer<Job> firstPtr(first);
        slot.start(first);
        QCOMPARE(slot.current(), first);
        QCOMPARE(first->parent(), this);
        QVERIFY(slot.isBusy());

        auto *second = new ValueJob<int>(QStringLiteral("Second"),
                                         [](JobContext &) -> Result<int> { return 2; });
        QSignalSpy secondFinished(second, &Job::finished);
        slot.start(second);
        QCOMPARE(slot.current(), second);
        QVERIFY(firstPtr->isCancelRequested());
        QVERIFY(secondFinished.wait(10000));
        QCOMPARE(**second->result(), 2);
        QTRY_VERIFY(firstPtr.isNull()); // deleted (later), so its outcome cannot land
        gate->release();
        QTest::qWait(50);
        QCoreApplication::processEvents();
        QCOMPARE(firstFinished, 0);

        slot.reset();
        QVERIFY(!slot.current());
        QVERIFY(!slot.isBusy());
    }
};

QTEST_GUILESS_MAIN(TestJob)
#include "tst_job.moc"
