// kw::whenFinished: the result reaches the callback in the context's thread; a future that
// ends without a result calls the no-result callback; nothing is called once the context is
// gone, whether it went before or after the future finished.

#include "core/domain/futurewatch.h"
#include "core/domain/readyfuture.h"

#include <QPromise>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QtConcurrent>

#include <memory>

using namespace kw;

class TestFutureWatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resultInTheContextsThread()
    {
        QObject context;
        int got = 0;
        QThread *calledIn = nullptr;
        bool noResult = false;
        whenFinished(
            QtConcurrent::run([] {
                QThread::msleep(20);
                return 42;
            }),
            &context,
            [&](int value) {
                got = value;
                calledIn = QThread::currentThread();
            },
            [&] { noResult = true; });
        QTRY_COMPARE(got, 42);
        QCOMPARE(calledIn, QThread::currentThread());
        QVERIFY(!noResult);
        // The watcher is gone with the call.
        QTRY_COMPARE(context.children().size(), 0);
    }

    void alreadyFinishedFuture()
    {
        QObject context;
        QString got;
        whenFinished(readyFuture(QStringLiteral("ready")), &context,
                     [&](const QString &value) { got = value; });
        QVERIFY(got.isEmpty()); // never called synchronously
        QTRY_COMPARE(got, QStringLiteral("ready"));
    }

    void noResultCallsTheOtherCallback()
    {
        QObject context;
        int results = 0;
        int noResults = 0;
        {
            QPromise<int> promise;
            promise.start();
            whenFinished(
                promise.future(), &context, [&](int) { ++results; }, [&] { ++noResults; });
            promise.future().cancel();
            promise.finish();
        }
        {
            auto promise = std::make_unique<QPromise<int>>();
            promise->start();
            whenFinished(
                promise->future(), &context, [&](int) { ++results; }, [&] { ++noResults; });
            promise.reset(); // a promise given up on ends its future cancelled
        }
        QTRY_COMPARE(noResults, 2);
        QCOMPARE(results, 0);
        // The two-argument form calls nothing for it.
        QPromise<int> promise;
        promise.start();
        whenFinished(promise.future(), &context, [&](int) { ++results; });
        promise.future().cancel();
        promise.finish();
        QTRY_COMPARE(context.children().size(), 0);
        QCOMPARE(results, 0);
    }

    void contextGoneFirst()
    {
        int calls = 0;
        QPromise<int> promise;
        promise.start();
        auto *context = new QObject;
        whenFinished(
            promise.future(), context, [&](int) { ++calls; }, [&] { ++calls; });
        delete context;
        promise.addResult(7);
        promise.finish();
        QTest::qWait(50);
        QCoreApplication::sendPostedEvents();
        QCOMPARE(calls, 0);
    }

    void contextGoneAfterTheFutureFinished()
    {
        // Finished, but the call is still queued for the context's thread.
        int calls = 0;
        auto *context = new QObject;
        QPromise<int> promise;
        promise.start();
        whenFinished(promise.future(), context, [&](int) { ++calls; });
        promise.addResult(7);
        promise.finish();
        delete context;
        QTest::qWait(50);
        QCOMPARE(calls, 0);
    }
};

QTEST_GUILESS_MAIN(TestFutureWatch)
#include "tst_futurewatch.moc"
