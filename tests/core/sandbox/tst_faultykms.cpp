// FaultyKmsDriver: wrap/unwrap fail at the seeded rate with kms.unavailable, reproducibly per
// seed, safely from many threads; everything else is the inner driver's.

#include "core/crypto/crypto.h"
#include "core/kms/kms.h"
#include "core/kms/localkms.h"
#include "core/sandbox/faultykms.h"

#include <QFuture>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>

using namespace kw;
using namespace kw::sandbox;

namespace {

const QString Secret = QStringLiteral("faulty-kms-secret");
constexpr int Calls = 2000;

kms::KekRef localKek()
{
    kms::KekRef kek;
    kek.name = QStringLiteral("payments");
    kek.kmsType = QStringLiteral("local-kms");
    kek.kmsKeyId = QStringLiteral("k1");
    return kek;
}

kms::KmsConfig secretConfig()
{
    return {{QString(kms::LocalKmsDriver::SecretKey), Secret}};
}

std::shared_ptr<FaultyKmsDriver> faulty(double rate, quint64 seed)
{
    return std::make_shared<FaultyKmsDriver>(std::make_shared<kms::LocalKmsDriver>(), rate, seed);
}

std::shared_ptr<kms::KmsAead> aeadOf(const kms::KmsDriver &driver)
{
    auto aead = driver.create(localKek(), secretConfig());
    return aead ? *aead : nullptr;
}

// Which of `Calls` wraps failed.
QList<bool> wrapFailures(double rate, quint64 seed)
{
    auto driver = faulty(rate, seed);
    auto aead = aeadOf(*driver);
    QList<bool> out;
    for (int i = 0; i < Calls; ++i)
        out.append(!aead->wrap(QByteArrayLiteral("dek")).result());
    return out;
}

} // namespace

class TestFaultyKms : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qunsetenv(kms::LocalKmsDriver::SecretEnvVar); }

    void delegatesWhatItDoesNotFail()
    {
        auto inner = std::make_shared<kms::LocalKmsDriver>();
        FaultyKmsDriver driver(inner, 0.0, 1);
        QCOMPARE(driver.kmsType(), inner->kmsType());
        QCOMPARE(driver.info().type, inner->info().type);

        auto aead = aeadOf(driver);
        QVERIFY(aead);
        auto plainAead = aeadOf(*inner);
        const QByteArray dek = QByteArrayLiteral("raw dek bytes");
        const auto wrapped = aead->wrap(dek).result();
        QVERIFY2(wrapped, qPrintable(wrapped.error().message));
        // Really the inner driver's wrapping: the plain local driver unwraps it.
        QCOMPARE(plainAead->unwrap(*wrapped).result().value(), dek);
        QCOMPARE(aead->unwrap(*wrapped).result().value(), dek);

        // The inner driver's errors as they are.
        const auto bad = aead->unwrap(QByteArrayLiteral("not a wrapped key at all")).result();
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, QString(kms::ErrorBadCiphertext));
        const auto unconfigured = driver.create(localKek(), {});
        QVERIFY(!unconfigured);
        QCOMPARE(unconfigured.error().code, QString(kms::ErrorNotConfigured));
        QCOMPARE(driver.failures(), quint64(0));
        QCOMPARE(driver.calls(), quint64(3)); // wrap, unwrap, the bad unwrap
    }

    void failsAtTheSeededRate()
    {
        const QList<bool> failures = wrapFailures(0.2, 42);
        const double share = double(failures.count(true)) / Calls;
        QVERIFY2(share >= 0.15 && share <= 0.25, qPrintable(QString::number(share)));
        QCOMPARE(wrapFailures(0.2, 42), failures);
        QVERIFY(wrapFailures(0.2, 43) != failures);
        QCOMPARE(wrapFailures(0.0, 42).count(true), 0);
        QCOMPARE(wrapFailures(1.0, 42).count(true), Calls);
    }

    void failureIsUnavailable()
    {
        auto driver = faulty(1.0, 5);
        auto aead = aeadOf(*driver);
        const auto wrapped = aead->wrap(QByteArrayLiteral("dek")).result();
        QVERIFY(!wrapped);
        QCOMPARE(wrapped.error().code, QString(kms::ErrorUnavailable));
        QVERIFY2(wrapped.error().message.contains(QStringLiteral("'payments'")) &&
                     wrapped.error().message.contains(QStringLiteral("unavailable")),
                 qPrintable(wrapped.error().message));
        const auto unwrapped = aead->unwrap(QByteArrayLiteral("x")).result();
        QCOMPARE(unwrapped.error().code, QString(kms::ErrorUnavailable));
        QCOMPARE(driver->calls(), quint64(2));
        QCOMPARE(driver->failures(), quint64(2));
    }

    // One seeded stream for every AEAD of the driver, drawn from by many threads at once: no
    // call is lost or counted twice, and a successful wrap still round-trips.
    void threadSafe()
    {
        auto driver = faulty(0.3, 77);
        constexpr int Threads = 4;
        constexpr int PerThread = 500;
        std::atomic<int> failed{0};
        std::atomic<int> wrong{0};
        std::atomic<int> wrapped{0};
        QList<QFuture<void>> runs;
        for (int t = 0; t < Threads; ++t) {
            runs.append(QtConcurrent::run([&, t] {
                // Frees OpenSSL's per-thread state as the job ends, after the AEAD is gone: the
                // pool's threads outlive the test, and LeakSanitizer would report it at exit.
                struct Release
                {
                    ~Release() { kw::crypto::releaseThreadState(); }
                } release;
                auto aead = aeadOf(*driver);
                for (int i = 0; i < PerThread; ++i) {
                    const QByteArray dek = QByteArray::number(t * PerThread + i);
                    const auto blob = aead->wrap(dek).result();
                    if (!blob) {
                        failed.fetch_add(1);
                        continue;
                    }
                    wrapped.fetch_add(1);
                    const auto back = aead->unwrap(*blob).result();
                    if (!back)
                        failed.fetch_add(1);
                    else if (*back != dek)
                        wrong.fetch_add(1);
                }
            }));
        }
        for (QFuture<void> &run : runs)
            run.waitForFinished();
        QCOMPARE(wrong.load(), 0);
        QCOMPARE(driver->failures(), quint64(failed.load()));
        // Every wrap, and an unwrap after each successful one.
        QCOMPARE(driver->calls(), quint64(Threads * PerThread + wrapped.load()));
        const double share = double(driver->failures()) / double(driver->calls());
        QVERIFY2(share >= 0.25 && share <= 0.35, qPrintable(QString::number(share)));
    }
};

QTEST_GUILESS_MAIN(TestFaultyKms)
#include "tst_faultykms.moc"
