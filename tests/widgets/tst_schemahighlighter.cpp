// The schema highlighter colours JSON/Avro text with whichever backend the build has. The
// KSyntaxHighlighting leg of CI compiles KEYWARDEN_EXPECT_KSYNTAXHIGHLIGHTING and so checks
// that the KF6 path is the one in use there.

#include "widgets/highlighting/jsonhighlighter.h"
#include "widgets/highlighting/schemahighlighter.h"

#include <QApplication>
#include <QPlainTextEdit>
#include <QSet>
#include <QSyntaxHighlighter>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>

using namespace kw;

namespace {

const char *kSchema = R"({
  "type": "record",
  "name": "Customer",
  "namespace": "bank.retail",
  "fields": [
    {"name": "ssn", "type": "string", "confluent:tags": ["PII"]},
    {"name": "age", "type": ["null", "int"], "default": null},
    {"name": "score", "type": "double", "default": -1.5e3}
  ]
})";

// Distinct foreground colours the highlighter applied to a line.
QSet<QRgb> coloursOnLine(QTextDocument &doc, int line)
{
    QSet<QRgb> colours;
    const QTextBlock block = doc.findBlockByNumber(line);
    for (const QTextLayout::FormatRange &r : block.layout()->formats())
        colours.insert(r.format.foreground().color().rgb());
    return colours;
}

QTextCharFormat formatAt(QTextDocument &doc, int line, const QString &needle)
{
    const QTextBlock block = doc.findBlockByNumber(line);
    const int pos = int(block.text().indexOf(needle));
    for (const QTextLayout::FormatRange &r : block.layout()->formats())
        if (pos >= r.start && pos < r.start + r.length)
            return r.format;
    return {};
}

} // namespace

class TestSchemaHighlighter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void backendMatchesBuild()
    {
#ifdef KEYWARDEN_EXPECT_KSYNTAXHIGHLIGHTING
        QCOMPARE(SchemaHighlighting::backendName(), QStringLiteral("KSyntaxHighlighting"));
#else
        QCOMPARE(SchemaHighlighting::backendName(), QStringLiteral("built-in"));
#endif
    }

    void attachedHighlighterColoursSchema()
    {
        QTextDocument doc;
        doc.setPlainText(QString::fromUtf8(kSchema));
        QSyntaxHighlighter *h = SchemaHighlighting::attach(&doc, QApplication::palette());
        QVERIFY(h);
        QCOMPARE(h->document(), &doc);
#ifdef KEYWARDEN_EXPECT_KSYNTAXHIGHLIGHTING
        QVERIFY(!qobject_cast<JsonHighlighter *>(h));
        QVERIFY(QByteArray(h->metaObject()->className()).contains("KSyntaxHighlighting"));
#else
        QVERIFY(qobject_cast<JsonHighlighter *>(h));
#endif
        h->rehighlight();
        // The ssn line has a key, string values and punctuation: several colours.
        QVERIFY2(coloursOnLine(doc, 5).size() >= 2, "schema line was not highlighted");
        // A key and a value on the same line are told apart.
        QVERIFY(formatAt(doc, 2, QStringLiteral("\"name\"")).foreground().color() !=
                formatAt(doc, 2, QStringLiteral("\"Customer\"")).foreground().color());
    }

    void builtInHighlighterMarksAvroTypesAndTags()
    {
        QTextDocument doc;
        doc.setPlainText(QString::fromUtf8(kSchema));
        (new JsonHighlighter(&doc, QApplication::palette()))->rehighlight();
        const QColor typeColour =
            formatAt(doc, 1, QStringLiteral("\"record\"")).foreground().color();
        const QColor plainString =
            formatAt(doc, 2, QStringLiteral("\"Customer\"")).foreground().color();
        const QColor tagKey =
            formatAt(doc, 5, QStringLiteral("\"confluent:tags\"")).foreground().color();
        const QColor key = formatAt(doc, 5, QStringLiteral("\"name\"")).foreground().color();
        QVERIFY(typeColour != plainString);
        QVERIFY(tagKey != key);
        QVERIFY(formatAt(doc, 7, QStringLiteral("-1.5e3")).foreground().color() != key);
        QVERIFY(formatAt(doc, 6, QStringLiteral("null}")).fontWeight() == QFont::Bold);
    }

    void builtInColoursFollowDarkPalette()
    {
        QPalette dark;
        dark.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
        QPalette light;
        light.setColor(QPalette::Base, Qt::white);
        QTextDocument a, b;
        a.setPlainText(QString::fromUtf8(kSchema));
        b.setPlainText(QString::fromUtf8(kSchema));
        (new JsonHighlighter(&a, dark))->rehighlight();
        (new JsonHighlighter(&b, light))->rehighlight();
        QVERIFY(formatAt(a, 2, QStringLiteral("\"name\"")).foreground().color() !=
                formatAt(b, 2, QStringLiteral("\"name\"")).foreground().color());
    }
};

QTEST_MAIN(TestSchemaHighlighter)
#include "tst_schemahighlighter.moc"
