// parseWholeNumber: the whole text is the number, and the number lies in the option's range;
// anything else is refused with a message that names the option, its range and the input.

#include "core/domain/wholenumber.h"

#include <QTest>

#include <limits>

class TestWholeNumber : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("min");
        QTest::addColumn<qint64>("max");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<qint64>("value");

        constexpr qint64 int32Max = std::numeric_limits<qint32>::max();
        constexpr qint64 int64Max = std::numeric_limits<qint64>::max();
        constexpr qint64 int64Min = std::numeric_limits<qint64>::min();
        QTest::newRow("zero") << QStringLiteral("0") << qint64(0) << int32Max << true << qint64(0);
        QTest::newRow("one") << QStringLiteral("1") << qint64(0) << int32Max << true << qint64(1);
        QTest::newRow("leading zeros")
            << QStringLiteral("007") << qint64(0) << int32Max << true << qint64(7);
        QTest::newRow("int32 max")
            << QStringLiteral("2147483647") << qint64(0) << int32Max << true << int32Max;
        QTest::newRow("int32 max + 1")
            << QStringLiteral("2147483648") << qint64(0) << int32Max << false << qint64(0);
        // The value that used to wrap to partition 1 when cut to 32 bits.
        QTest::newRow("2^32 + 1") << QStringLiteral("4294967297") << qint64(0) << int32Max << false
                                  << qint64(0);
        QTest::newRow("int64 max")
            << QStringLiteral("9223372036854775807") << qint64(0) << int64Max << true << int64Max;
        QTest::newRow("int64 max + 1")
            << QStringLiteral("9223372036854775808") << qint64(0) << int64Max << false << qint64(0);
        QTest::newRow("int64 min")
            << QStringLiteral("-9223372036854775808") << int64Min << int64Max << true << int64Min;
        QTest::newRow("int64 min - 1")
            << QStringLiteral("-9223372036854775809") << int64Min << int64Max << false << qint64(0);
        QTest::newRow("2^64 + 1") << QStringLiteral("18446744073709551617") << qint64(0) << int64Max
                                  << false << qint64(0);
        QTest::newRow("huge") << QString(40, QLatin1Char('9')) << qint64(0) << int64Max << false
                              << qint64(0);
        QTest::newRow("negative below min")
            << QStringLiteral("-1") << qint64(0) << int64Max << false << qint64(0);
        QTest::newRow("negative allowed")
            << QStringLiteral("-5") << qint64(-10) << qint64(10) << true << qint64(-5);
        QTest::newRow("minus zero")
            << QStringLiteral("-0") << qint64(0) << qint64(10) << true << qint64(0);
        QTest::newRow("below min")
            << QStringLiteral("0") << qint64(1) << int64Max << false << qint64(0);
        QTest::newRow("above max")
            << QStringLiteral("65536") << qint64(0) << qint64(65535) << false << qint64(0);
        QTest::newRow("at max") << QStringLiteral("65535") << qint64(0) << qint64(65535) << true
                                << qint64(65535);
        QTest::newRow("empty") << QStringLiteral("") << qint64(0) << int64Max << false << qint64(0);
        QTest::newRow("minus only")
            << QStringLiteral("-") << qint64(-1) << int64Max << false << qint64(0);
        QTest::newRow("plus") << QStringLiteral("+5") << qint64(0) << int64Max << false
                              << qint64(0);
        QTest::newRow("leading space")
            << QStringLiteral(" 5") << qint64(0) << int64Max << false << qint64(0);
        QTest::newRow("trailing space")
            << QStringLiteral("5 ") << qint64(0) << int64Max << false << qint64(0);
        QTest::newRow("trailing text")
            << QStringLiteral("5x") << qint64(0) << int64Max << false << qint64(0);
        QTest::newRow("hex") << QStringLiteral("0x10") << qint64(0) << int64Max << false
                             << qint64(0);
        QTest::newRow("decimal point")
            << QStringLiteral("1.0") << qint64(0) << int64Max << false << qint64(0);
        QTest::newRow("exponent") << QStringLiteral("1e3") << qint64(0) << int64Max << false
                                  << qint64(0);
        QTest::newRow("group separator")
            << QStringLiteral("1,000") << qint64(0) << int64Max << false << qint64(0);
        QTest::newRow("arabic-indic digit")
            << QStringLiteral("\u0661") << qint64(0) << int64Max << false << qint64(0);
        QTest::newRow("fullwidth digit")
            << QStringLiteral("\uff11") << qint64(0) << int64Max << false << qint64(0);
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(qint64, min);
        QFETCH(qint64, max);
        QFETCH(bool, ok);
        QFETCH(qint64, value);
        const kw::Result<qint64> parsed =
            kw::parseWholeNumber(QStringLiteral("--n"), text, min, max);
        QCOMPARE(bool(parsed), ok);
        if (ok) {
            QCOMPARE(*parsed, value);
        } else {
            QCOMPARE(parsed.error().code, QStringLiteral("usage.number"));
            QVERIFY(parsed.error().message.startsWith(QLatin1String("--n must be a whole number")));
        }
    }

    void messageNamesOptionRangeAndInput()
    {
        const auto parsed = kw::parseWholeNumber(QStringLiteral("--partition"),
                                                 QStringLiteral("4294967297"), 0, 2147483647);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().message,
                 QStringLiteral("--partition must be a whole number from 0 to 2147483647 (got "
                                "'4294967297')."));
        // What the user typed is quoted safely.
        const auto odd =
            kw::parseWholeNumber(QStringLiteral("VERSION"), QStringLiteral("1\x1b[2J"), 1, 9);
        QCOMPARE(odd.error().message,
                 QStringLiteral("VERSION must be a whole number from 1 to 9 (got '1\\x1b[2J')."));
    }
};

QTEST_GUILESS_MAIN(TestWholeNumber)
#include "tst_wholenumber.moc"
