#include "core/engine/dekcache.h"

#include <QFuture>
#include <QTest>
#include <QtConcurrent>

#include <atomic>

using namespace kw;
using namespace kw::engine;

namespace {
DekCache::Cipher makeCipher()
{
    auto c = crypto::DekCipher::fromKeyProto(
        crypto::DekAlgorithm::Aes256Gcm,
        crypto::generateTinkKey(crypto::DekAlgorithm::Aes256Gcm).view());
    return std::make_shared<const crypto::DekCipher>(std::move(*c));
}
DekKey key(int version)
{
    return DekKey{QStringLiteral("kek"), QStringLiteral("s-value"), version,
                  crypto::DekAlgorithm::Aes256Gcm};
}
} // namespace

class TestDekCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadsOncePerKey()
    {
        DekCache cache;
        int loads = 0;
        auto loader = [&]() -> Result<DekCache::Cipher> {
            ++loads;
            return makeCipher();
        };
        auto a = cache.get(key(1), loader);
        auto b = cache.get(key(1), loader);
        QVERIFY(a && b);
        QCOMPARE(a->get(), b->get());
        QCOMPARE(loads, 1);
        (void)cache.get(key(2), loader);
        QCOMPARE(loads, 2);
        QCOMPARE(cache.stats().hits, quint64(1));
        QCOMPARE(cache.stats().size, 2);
    }

    void concurrentRequestsShareOneLoad()
    {
        DekCache cache;
        std::atomic<int> loads{0};
        auto loader = [&]() -> Result<DekCache::Cipher> {
            ++loads;
            QThread::msleep(50);
            return makeCipher();
        };
        // A pool of the test's own, and each job frees OpenSSL's per-thread state itself (see
        // crypto::releaseThreadState), so LeakSanitizer never sees it half-way at exit.
        QThreadPool pool;
        QList<QFuture<void>> futures;
        for (int i = 0; i < 8; ++i)
            futures.append(QtConcurrent::run(&pool, [&] {
                const bool ok = bool(cache.get(key(1), loader));
                kw::crypto::releaseThreadState();
                QVERIFY(ok);
            }));
        for (auto &f : futures)
            f.waitForFinished();
        pool.waitForDone();
        QCOMPARE(loads.load(), 1);
    }

    void boundedLeastRecentlyUsedGoesFirst()
    {
        DekCache cache(DekCache::Options{.capacity = 2});
        int loads = 0;
        auto loader = [&]() -> Result<DekCache::Cipher> {
            ++loads;
            return makeCipher();
        };
        (void)cache.get(key(1), loader);
        (void)cache.get(key(2), loader);
        (void)cache.get(key(1), loader); // 1 is now the most recent
        (void)cache.get(key(3), loader); // evicts 2
        QCOMPARE(cache.stats().size, 2);
        QCOMPARE(loads, 3);
        (void)cache.get(key(1), loader);
        QCOMPARE(loads, 3);
        (void)cache.get(key(2), loader);
        QCOMPARE(loads, 4);
        QVERIFY(cache.stats().evictions >= 2);
    }

    void entriesExpire()
    {
        ManualClock clock(1000);
        DekCache cache(DekCache::Options{.capacity = 10, .ttlMs = 5000, .failureTtlMs = 100},
                       clock);
        int loads = 0;
        auto loader = [&]() -> Result<DekCache::Cipher> {
            ++loads;
            return makeCipher();
        };
        (void)cache.get(key(1), loader);
        clock.advanceMs(4999);
        (void)cache.get(key(1), loader);
        QCOMPARE(loads, 1);
        clock.advanceMs(2);
        (void)cache.get(key(1), loader);
        QCOMPARE(loads, 2);
    }

    void failuresAreRememberedBriefly()
    {
        ManualClock clock(0);
        DekCache cache(DekCache::Options{.capacity = 10, .ttlMs = 5000, .failureTtlMs = 100},
                       clock);
        int loads = 0;
        auto failing = [&]() -> Result<DekCache::Cipher> {
            ++loads;
            return makeError(QStringLiteral("kms.bad_ciphertext"), QStringLiteral("wrong secret"));
        };
        for (int i = 0; i < 10; ++i) {
            auto r = cache.get(key(1), failing);
            QVERIFY(!r);
            QCOMPARE(r.error().code, QStringLiteral("kms.bad_ciphertext"));
        }
        QCOMPARE(loads, 1);
        clock.advanceMs(101);
        (void)cache.get(key(1), failing);
        QCOMPARE(loads, 2);
    }

    void countsKmsUnwraps()
    {
        DekCache cache;
        cache.countKmsUnwrap();
        cache.countKmsUnwrap();
        QCOMPARE(cache.stats().kmsUnwraps, quint64(2));
    }
};

QTEST_GUILESS_MAIN(TestDekCache)
#include "tst_dekcache.moc"
