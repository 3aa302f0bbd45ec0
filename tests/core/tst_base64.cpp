#include "core/domain/base64.h"

#include <QRandomGenerator>
#include <QTest>

// decodeBase64 must accept and decode exactly what Qt's strict decoder does: the engine used
// Qt's before, and a ciphertext field that decoded then must decode now, byte for byte.
class TestBase64 : public QObject
{
    Q_OBJECT

private:
    static void compareWithQt(const QByteArray &input)
    {
        const auto qt =
            QByteArray::fromBase64Encoding(input, QByteArray::AbortOnBase64DecodingErrors);
        const auto mine = kw::decodeBase64(input);
        QVERIFY2(bool(qt) == mine.has_value(), input.constData());
        if (qt)
            QCOMPARE(*mine, qt.decoded);
    }

private Q_SLOTS:
    void knownCases_data()
    {
        QTest::addColumn<QByteArray>("input");
        for (const char *c : {"",         "Y",       "YQ",    "YQ=",    "YQ==",
                              "YQ===",    "YWI",     "YWI=",  "YWJj",   "Y===",
                              "YQ==YQ==", "YQ==a",   "Y Q==", "YQ\n==", "Y-_=",
                              "=",        "==",      "YR==",  "YWJ=",   "YWJjZA",
                              "YWJjZA==", "YWJjZA=", "a===",  "ab=c",   "aGVsbG8gd29ybGQ=",
                              "AAAA",     "////",    "++++"})
            QTest::newRow(c) << QByteArray(c);
    }

    void knownCases()
    {
        QFETCH(QByteArray, input);
        compareWithQt(input);
    }

    void agreesWithQtOnRandomInput()
    {
        QRandomGenerator rng(424242);
        const QByteArray alphabet(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
        int accepted = 0;
        for (int i = 0; i < 20000; ++i) {
            QByteArray input;
            if (i % 3 == 0) {
                // Well-formed, then perhaps damaged.
                QByteArray raw(rng.bounded(0, 40), '\0');
                for (char &c : raw)
                    c = static_cast<char>(rng.bounded(256));
                input = raw.toBase64(i % 2 ? QByteArray::OmitTrailingEquals
                                           : QByteArray::Base64Encoding);
                if (i % 9 == 0 && !input.isEmpty())
                    input[rng.bounded(int(input.size()))] = static_cast<char>(rng.bounded(256));
            } else {
                input.resize(rng.bounded(0, 12));
                for (char &c : input)
                    c = rng.bounded(8) == 0 ? static_cast<char>(rng.bounded(256))
                                            : alphabet.at(rng.bounded(int(alphabet.size())));
            }
            compareWithQt(input);
            if (QTest::currentTestFailed())
                return;
            accepted += kw::decodeBase64(input).has_value();
        }
        QVERIFY(accepted > 5000);
        QVERIFY(accepted < 20000);
    }
};

QTEST_GUILESS_MAIN(TestBase64)
#include "tst_base64.moc"
