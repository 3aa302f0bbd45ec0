// displaySafe: every character a terminal or a table acts on becomes a visible escape; all
// other text, including non-Latin scripts and emoji, passes through unchanged.

#include "core/domain/displaytext.h"

#include <QTest>

using kw::LineBreaks;

class TestDisplayText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void escapes_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("oneLine");
        QTest::addColumn<QString>("block");

        const auto row = [](const char *name, const QString &in, const QString &line,
                            const QString &block) {
            QTest::newRow(name) << in << line << block;
        };
        row("empty", QString(), QString(), QString());
        row("plain", QStringLiteral("retail-pii"), QStringLiteral("retail-pii"),
            QStringLiteral("retail-pii"));
        row("backslash stays", QStringLiteral("a\\x1b"), QStringLiteral("a\\x1b"),
            QStringLiteral("a\\x1b"));
        row("unicode stays", QStringLiteral("Zoë 東京 \U0001F511 \u00a0"),
            QStringLiteral("Zoë 東京 \U0001F511 \u00a0"),
            QStringLiteral("Zoë 東京 \U0001F511 \u00a0"));
        row("clear screen", QStringLiteral("k\x1b[2J\x1b[H"), QStringLiteral("k\\x1b[2J\\x1b[H"),
            QStringLiteral("k\\x1b[2J\\x1b[H"));
        row("retitle", QStringLiteral("\x1b]0;pwned\x07"), QStringLiteral("\\x1b]0;pwned\\x07"),
            QStringLiteral("\\x1b]0;pwned\\x07"));
        row("nul", QString(QChar(0)) + QLatin1Char('a'), QStringLiteral("\\x00a"),
            QStringLiteral("\\x00a"));
        row("tab and newline", QStringLiteral("a\tb\nc"), QStringLiteral("a\\x09b\\x0ac"),
            QStringLiteral("a\tb\nc"));
        row("carriage return", QStringLiteral("ok\rEVIL"), QStringLiteral("ok\\x0dEVIL"),
            QStringLiteral("ok\\x0dEVIL"));
        row("unit separator", QStringLiteral("a\x1f"), QStringLiteral("a\\x1f"),
            QStringLiteral("a\\x1f"));
        row("space is fine", QStringLiteral(" "), QStringLiteral(" "), QStringLiteral(" "));
        row("tilde is fine", QStringLiteral("~"), QStringLiteral("~"), QStringLiteral("~"));
        row("del", QStringLiteral("a\x7f"), QStringLiteral("a\\x7f"), QStringLiteral("a\\x7f"));
        row("c1 csi", QStringLiteral("a\u009b2J"), QStringLiteral("a\\x9b2J"),
            QStringLiteral("a\\x9b2J"));
        row("c1 first", QStringLiteral("\u0080"), QStringLiteral("\\x80"), QStringLiteral("\\x80"));
        row("c1 last", QStringLiteral("\u009f"), QStringLiteral("\\x9f"), QStringLiteral("\\x9f"));
        row("nbsp after c1", QStringLiteral("\u00a0"), QStringLiteral("\u00a0"),
            QStringLiteral("\u00a0"));
        row("rlo", QStringLiteral("invoice\u202egpj.exe"), QStringLiteral("invoice\\u202egpj.exe"),
            QStringLiteral("invoice\\u202egpj.exe"));
        row("lre", QStringLiteral("\u202a"), QStringLiteral("\\u202a"), QStringLiteral("\\u202a"));
        row("pdf", QStringLiteral("\u202c"), QStringLiteral("\\u202c"), QStringLiteral("\\u202c"));
        row("zwj stays", QStringLiteral("\u200d"), QStringLiteral("\u200d"),
            QStringLiteral("\u200d"));
        row("before embeddings", QStringLiteral("\u2029"), QStringLiteral("\u2029"),
            QStringLiteral("\u2029"));
        row("after overrides", QStringLiteral("\u202f"), QStringLiteral("\u202f"),
            QStringLiteral("\u202f"));
        row("lri", QStringLiteral("\u2066x\u2069"), QStringLiteral("\\u2066x\\u2069"),
            QStringLiteral("\\u2066x\\u2069"));
        row("fsi rli", QStringLiteral("\u2068\u2067"), QStringLiteral("\\u2068\\u2067"),
            QStringLiteral("\\u2068\\u2067"));
        row("after isolates", QStringLiteral("\u206a"), QStringLiteral("\u206a"),
            QStringLiteral("\u206a"));
    }

    void escapes()
    {
        QFETCH(QString, input);
        QFETCH(QString, oneLine);
        QFETCH(QString, block);
        QCOMPARE(kw::displaySafe(input), oneLine);
        QCOMPARE(kw::displaySafe(input, LineBreaks::Keep), block);
    }

    // Nothing unsafe survives, whatever the input: every UTF-16 code unit is tried.
    void everyCodeUnit()
    {
        for (uint c = 0; c <= 0xffff; ++c) {
            const QString in = QStringLiteral("<") + QChar(char16_t(c)) + QStringLiteral(">");
            const QString out = kw::displaySafe(in);
            const bool unsafe = c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
                                (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
            QCOMPARE(kw::isUnsafeForDisplay(char16_t(c)), unsafe);
            if (!unsafe) {
                QCOMPARE(out, in);
                continue;
            }
            for (QChar o : out)
                QVERIFY2(!kw::isUnsafeForDisplay(o.unicode()), qPrintable(QString::number(c, 16)));
            const QString expected = c < 0x100
                                         ? QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'))
                                         : QStringLiteral("\\u%1").arg(c, 4, 16, QLatin1Char('0'));
            QCOMPARE(out, QStringLiteral("<") + expected + QStringLiteral(">"));
        }
    }

    // Clean text is returned without a copy.
    void cleanTextIsShared()
    {
        const QString clean = QStringLiteral("customers-value");
        QCOMPARE(kw::displaySafe(clean).constData(), clean.constData());
    }
};

QTEST_GUILESS_MAIN(TestDisplayText)
#include "tst_displaytext.moc"
