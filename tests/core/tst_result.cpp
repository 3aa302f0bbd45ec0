#include "core/domain/result.h"

#include <QTest>

#include <memory>

using namespace kw;

class TestResult : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valueIsHeld()
    {
        Result<int> r = 42;
        QVERIFY(r.hasValue());
        QVERIFY(bool(r));
        QCOMPARE(*r, 42);
    }

    void errorIsHeld()
    {
        Result<int> r =
            makeError(QStringLiteral("registry.40470"), QStringLiteral("Key 'k' not found"));
        QVERIFY(!r.hasValue());
        QCOMPARE(r.error().code, QStringLiteral("registry.40470"));
        QCOMPARE(r.error().message, QStringLiteral("Key 'k' not found"));
    }

    void moveOnlyValues()
    {
        Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
        std::unique_ptr<int> p = std::move(r).value();
        QCOMPARE(*p, 7);
    }

    void voidResult()
    {
        Result<void> ok;
        QVERIFY(ok.hasValue());
        Result<void> failed = makeError(QStringLiteral("x"), QStringLiteral("y"));
        QVERIFY(!failed.hasValue());
        QCOMPARE(failed.error().code, QStringLiteral("x"));
    }
};

QTEST_GUILESS_MAIN(TestResult)
#include "tst_result.moc"
