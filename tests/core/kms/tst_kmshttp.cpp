// KmsHttp's thread when the last user lets go in one of its replies' continuations (the
// thread cannot wait for itself): the next KmsHttp or stopAllThreads() (run when the
// application object ends) reaps it, and stopAllThreads() also stops the threads of KmsHttps
// still alive. The replies come from a real sandbox served in this thread.

#include "core/kms/kmshttp.h"
#include "core/sandbox/sandbox.h"

#include <QTest>

#include <atomic>
#include <memory>

using namespace kw;
using namespace kw::kms;

class TestKmsHttp : public QObject
{
    Q_OBJECT

    sandbox::Sandbox m_sandbox;

    KmsEndpoint endpoint() const
    {
        KmsEndpoint e;
        e.baseUrl = QUrl(m_sandbox.registryUrl());
        e.maxRetries = 0;
        return e;
    }

    static registry::RestRequest subjects()
    {
        auto request = registry::RestRequest::make("GET", {QStringLiteral("subjects")});
        request.setService(QStringLiteral("test"));
        return request;
    }

    // Sends once through a KmsHttp whose only owner is the reply's continuation, which runs in
    // the KmsHttp's thread and drops it there. True once the continuation ran.
    bool letGoInOwnThread()
    {
        auto http = std::make_shared<KmsHttp>();
        auto ran = std::make_shared<std::atomic<int>>(0);
        auto caller = QThread::currentThread();
        (void)http->send(endpoint(), subjects())
            .then(QtFuture::Launch::Sync,
                  [keep = http, ran, caller](const Result<registry::Reply> &reply) mutable {
                      const bool ok =
                          reply && reply->httpStatus == 200 && QThread::currentThread() != caller;
                      keep.reset(); // ~KmsHttp in its own thread
                      ran->store(ok ? 1 : 2);
                  });
        http.reset();
        if (!QTest::qWaitFor([&] { return ran->load() != 0; }, 15000))
            return false;
        return ran->load() == 1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const auto started = m_sandbox.start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    }

    void theNextKmsHttpReapsAThreadLetGoInItsOwnReply()
    {
        const int before = KmsHttp::threadCount();
        QVERIFY(letGoInOwnThread());
        // The orphan is still there: nobody could wait for it.
        QCOMPARE(KmsHttp::threadCount(), before + 1);
        // Once it has ended, the next KmsHttp deletes it.
        QVERIFY(QTest::qWaitFor(
            [&] {
                KmsHttp next;
                return KmsHttp::threadCount() == before;
            },
            10000));
    }

    void stopAllThreadsStopsAndReapsEveryThread()
    {
        const int before = KmsHttp::threadCount();
        // One KmsHttp still alive with its thread running, and one orphan.
        auto alive = std::make_unique<KmsHttp>();
        auto answer = alive->send(endpoint(), subjects());
        QVERIFY(QTest::qWaitFor([&] { return answer.isFinished(); }, 15000));
        QVERIFY(answer.result());
        QVERIFY(letGoInOwnThread());
        QCOMPARE(KmsHttp::threadCount(), before + 2);

        KmsHttp::stopAllThreads();
        // The orphan is deleted; the live KmsHttp's thread is stopped, deleted by its owner.
        QCOMPARE(KmsHttp::threadCount(), before + 1);
        alive.reset();
        QCOMPARE(KmsHttp::threadCount(), before);
    }

    // The driver's usual pattern: many KmsHttps made and dropped in a row, some in their own
    // replies, leave no thread behind.
    void manyInARow()
    {
        const int before = KmsHttp::threadCount();
        for (int i = 0; i < 20; ++i) {
            if (i % 2 == 0) {
                QVERIFY(letGoInOwnThread());
            } else {
                KmsHttp http;
                auto answer = http.send(endpoint(), subjects());
                QVERIFY(QTest::qWaitFor([&] { return answer.isFinished(); }, 15000));
            }
        }
        KmsHttp::stopAllThreads();
        QCOMPARE(KmsHttp::threadCount(), before);
    }
};

QTEST_GUILESS_MAIN(TestKmsHttp)
#include "tst_kmshttp.moc"
