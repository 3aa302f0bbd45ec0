// TokenCache: a token is handed out only while it is valid beyond the renewal margin, per
// endpoint, principal and secret; a rejected token is forgotten; concurrent use is safe.

#include "core/kms/tokencache.h"

#include <QTest>
#include <QtConcurrent>

#include <atomic>
#include <numeric>

using namespace kw::kms;

class TestTokenCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void expiryAndMargin()
    {
        TokenCache cache;
        const QString key = TokenCache::keyFor(QStringLiteral("https://login/token"),
                                               QStringLiteral("app"), "secret-1");
        QVERIFY(!cache.find(key, 0, 0));
        cache.insert(key, QStringLiteral("tok-1"), 10'000);
        QCOMPARE(cache.find(key, 1'000, 5'000), QStringLiteral("tok-1"));
        QCOMPARE(cache.find(key, 4'999, 5'000), QStringLiteral("tok-1"));
        QVERIFY(!cache.find(key, 5'000, 5'000));            // inside the margin: renew now
        QVERIFY(!cache.find(key, 10'000, 0));               // expired
        cache.insert(key, QStringLiteral("tok-2"), 20'000); // the renewed token replaces it
        QCOMPARE(cache.find(key, 10'000, 5'000), QStringLiteral("tok-2"));
        cache.remove(key);
        QVERIFY(!cache.find(key, 10'000, 5'000));
    }

    void keysSeparateWhoTheTokenIsFor()
    {
        const QString url = QStringLiteral("https://login/token");
        const QString a = TokenCache::keyFor(url, QStringLiteral("app"), "secret-1");
        QCOMPARE(TokenCache::keyFor(url, QStringLiteral("app"), "secret-1"), a);
        QVERIFY(TokenCache::keyFor(url, QStringLiteral("app"), "secret-2") != a);
        QVERIFY(TokenCache::keyFor(url, QStringLiteral("other"), "secret-1") != a);
        QVERIFY(TokenCache::keyFor(QStringLiteral("https://other/token"), QStringLiteral("app"),
                                   "secret-1") != a);
        QVERIFY(!a.contains(QLatin1String("secret-1"))); // only its hash is kept

        TokenCache cache;
        cache.insert(a, QStringLiteral("tok-a"), 10'000);
        QVERIFY(!cache.find(TokenCache::keyFor(url, QStringLiteral("app"), "secret-2"), 0, 0));
        cache.clear();
        QVERIFY(!cache.find(a, 0, 0));
    }

    // Eight threads on one cache, each with its own key: every thread always finds its own
    // latest token, whatever the others insert and remove meanwhile.
    void concurrentUse()
    {
        TokenCache cache;
        QList<int> workers(8);
        std::iota(workers.begin(), workers.end(), 0);
        std::atomic<int> wrong{0};
        QtConcurrent::blockingMap(workers, [&cache, &wrong](int worker) {
            const QString key = QStringLiteral("k%1").arg(worker);
            for (int i = 0; i < 2000; ++i) {
                const QString token = QStringLiteral("t%1-%2").arg(worker).arg(i);
                cache.insert(key, token, 1'000'000);
                if (cache.find(key, 0, 0) != token)
                    ++wrong;
                if (i % 100 == 0) {
                    cache.remove(key);
                    if (cache.find(key, 0, 0))
                        ++wrong;
                }
            }
        });
        QCOMPARE(wrong.load(), 0);
        QCOMPARE(cache.find(QStringLiteral("k7"), 0, 0), QStringLiteral("t7-1999"));
    }
};

QTEST_GUILESS_MAIN(TestTokenCache)
#include "tst_tokencache.moc"
