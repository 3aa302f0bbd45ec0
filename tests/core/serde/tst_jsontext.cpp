#include "core/serde/jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <limits>

using namespace kw::serde;

namespace {

QByteArray utf8(QByteArrayView bytes)
{
    QByteArray out;
    appendJsonUtf8(out, bytes);
    return out;
}

// The string a JSON parser reads back from `json` (a JSON string), or a null QString.
QString parsedString(const QByteArray &json)
{
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson('[' + json + ']', &pe);
    if (pe.error != QJsonParseError::NoError)
        return {};
    return doc.array().first().toString();
}

} // namespace

class TestJsonText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void escapes()
    {
        QCOMPARE(utf8("plain"), QByteArray("\"plain\""));
        QCOMPARE(utf8(QByteArray("a\"b\\c\nd\re\tf\x01g\x1fh")),
                 QByteArray("\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001fh\""));
        QCOMPARE(utf8(QByteArray("nul\0x", 5)), QByteArray("\"nul\\u0000x\""));
        QByteArray fromUtf16;
        appendJsonString(fromUtf16, u"a\"\u00e9\n\u20ac");
        QCOMPARE(fromUtf16, QByteArray("\"a\\\"\xc3\xa9\\n\xe2\x82\xac\""));
    }

    void validUtf8IsKept_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("2 bytes") << QByteArray("\xc3\xa9");
        QTest::newRow("3 bytes") << QByteArray("\xe2\x82\xac");
        QTest::newRow("4 bytes") << QByteArray("\xf0\x9f\x98\x80");
        QTest::newRow("U+10FFFF") << QByteArray("\xf4\x8f\xbf\xbf");
        QTest::newRow("U+D7FF") << QByteArray("\xed\x9f\xbf");
        QTest::newRow("mixed") << QByteArray("a\xc3\xa9 \xe2\x82\xac!");
    }

    void validUtf8IsKept()
    {
        QFETCH(QByteArray, text);
        QCOMPARE(utf8(text), '"' + text + '"');
        QCOMPARE(parsedString(utf8(text)), QString::fromUtf8(text));
    }

    void invalidUtf8IsReplaced_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("replacements");
        QTest::newRow("stray continuation") << QByteArray("a\x80z") << 1;
        QTest::newRow("lone lead at end") << QByteArray("a\xc3") << 1;
        QTest::newRow("truncated 3") << QByteArray("\xe2\x82z") << 2;
        QTest::newRow("overlong 2") << QByteArray("\xc0\xaf") << 2;
        QTest::newRow("overlong 3") << QByteArray("\xe0\x80\xaf") << 3;
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << 3;
        QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << 4;
        QTest::newRow("0xff") << QByteArray("\xff") << 1;
    }

    void invalidUtf8IsReplaced()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, replacements);
        const QByteArray json = utf8(text);
        QCOMPARE(json.count("\xef\xbf\xbd"), replacements);
        const QString back = parsedString(json);
        QVERIFY(!back.isNull());
        QCOMPARE(back.count(QChar(0xFFFD)), replacements);
    }

    void base64MatchesQt()
    {
        QRandomGenerator rng(7);
        for (int size = 0; size < 70; ++size) {
            QByteArray bytes(size, '\0');
            for (char &c : bytes)
                c = static_cast<char>(rng.bounded(256));
            QByteArray out("x");
            appendJsonBase64(out, bytes);
            QCOMPARE(out, "x\"" + bytes.toBase64() + '"');
        }
    }

    void numbers()
    {
        const auto integer = [](qint64 v) {
            QByteArray out;
            appendJsonInteger(out, v);
            return out;
        };
        QCOMPARE(integer(0), QByteArray("0"));
        QCOMPARE(integer(-42), QByteArray("-42"));
        QCOMPARE(integer(std::numeric_limits<qint64>::max()), QByteArray("9223372036854775807"));
        QCOMPARE(integer(std::numeric_limits<qint64>::min()), QByteArray("-9223372036854775808"));
        const auto real = [](double v) {
            QByteArray out;
            appendJsonDouble(out, v);
            return out;
        };
        QCOMPARE(real(1.5), QByteArray("1.5"));
        QCOMPARE(real(0.1), QByteArray("0.1"));
        QCOMPARE(real(2.0), QByteArray("2"));
        QCOMPARE(real(-1e300), QByteArray("-1e+300"));
        QCOMPARE(real(std::nan("")), QByteArray("null"));
        QCOMPARE(real(std::numeric_limits<double>::infinity()), QByteArray("null"));
    }

    // appendJsonValue() reads back as the same value, as QJsonDocument's own text does.
    void valuesRoundTrip()
    {
        const QJsonObject value{
            {QStringLiteral("s"), QStringLiteral("a\"\n\u00e9")},
            {QStringLiteral("n"), QJsonValue::Null},
            {QStringLiteral("b"), false},
            {QStringLiteral("i"), qint64(1) << 60},
            {QStringLiteral("d"), 3.25},
            {QStringLiteral("a"), QJsonArray{1, QStringLiteral("x"), QJsonObject{}}},
        };
        QByteArray out;
        appendJsonValue(out, value);
        QCOMPARE(out, QJsonDocument(value).toJson(QJsonDocument::Compact));
    }
};

QTEST_GUILESS_MAIN(TestJsonText)
#include "tst_jsontext.moc"
