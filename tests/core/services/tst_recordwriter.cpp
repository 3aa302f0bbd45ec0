// The record writer (core/services/recordwriter.h) on a QBuffer: JSON lines and CSV, RFC 4180
// escaping and formula neutralising, masking unless plaintext is asked for, and a failed
// record written in its place among good ones.

#include "core/services/recordview.h"
#include "core/services/recordwriter.h"
#include "support/recordfixtures.h"

#include <QBuffer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace kw;
using namespace kw::records;
using namespace kw::testing;

namespace {

QByteArray written(const QList<kafka::PreviewRecord> &records, RecordFormat format,
                   Plaintext plaintext)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    if (!buffer.open(QIODevice::WriteOnly))
        return {};
    RecordWriter writer(&buffer, format, plaintext);
    if (auto ok = writer.write(records); !ok) {
        qWarning() << ok.error().message;
        return {};
    }
    return bytes;
}

QList<QByteArray> lines(const QByteArray &bytes, const char *end = "\n")
{
    QList<QByteArray> out = bytes.split('\n');
    if (!out.isEmpty() && out.last().isEmpty())
        out.removeLast();
    if (qstrlen(end) == 2)
        for (QByteArray &line : out)
            if (line.endsWith('\r'))
                line.chop(1);
    return out;
}

} // namespace

class TestRecordWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonLineOfADecodedRecord()
    {
        const QByteArray masked =
            written({decrypted(7)}, RecordFormat::JsonLines, Plaintext::Masked);
        QCOMPARE(masked,
                 QByteArray(R"({"topic":"customers","partition":0,"offset":7,)"
                            R"("timestamp":1700000000007,"key":"C-1","schemaId":3,)"
                            R"("subject":"customers-value","value":{"age":40,"id":"C-1",)"
                            R"("ssn":"••••"},"fields":[{"path":"ssn","status":"decrypted",)"
                            R"("kek":"retail-pii","dekVersion":2,"algorithm":"AES256_GCM"}]})"
                            "\n"));
        const QByteArray revealed =
            written({decrypted(7)}, RecordFormat::JsonLines, Plaintext::Revealed);
        QVERIFY(revealed.contains(R"("ssn":"123-45-6789")"));
        QVERIFY(!revealed.contains("••••"));
    }

    void jsonLineOfARecordRenderedAsText()
    {
        // The CLI's reads: the decryptor wrote the value as text, masked when asked to.
        kafka::PreviewRecord r = decrypted(8);
        r.value.value = QJsonValue();
        r.value.stored = QJsonValue();
        r.value.valueJson = R"({"id":"C-1","ssn":"••••"})";
        r.record.key = QByteArray("\xff\x01", 2); // not UTF-8: base64
        const QByteArray line = written({r}, RecordFormat::JsonLines, Plaintext::Masked);
        QVERIFY2(line.contains(R"("keyBase64":"/wE=")"), line.constData());
        QVERIFY(line.contains(R"("value":{"id":"C-1","ssn":"••••"})"));
    }

    void anEncryptedPayloadStaysMaskedWhole()
    {
        for (const RecordFormat format : {RecordFormat::JsonLines, RecordFormat::Csv}) {
            const QByteArray masked = written({payloadEncrypted(1)}, format, Plaintext::Masked);
            QVERIFY(masked.contains("••••"));
            QVERIFY2(!masked.contains("4111") && !masked.contains("card"), masked.constData());
            const QByteArray revealed = written({payloadEncrypted(1)}, format, Plaintext::Revealed);
            QVERIFY(revealed.contains("4111"));
        }
        // Rendered as text by the decryptor (CLI): masked whole here.
        kafka::PreviewRecord r = payloadEncrypted(2);
        r.value.value = QJsonValue();
        r.value.valueJson = R"({"id":"C-3","card":"4111"})";
        const QByteArray line = written({r}, RecordFormat::JsonLines, Plaintext::Masked);
        QVERIFY(line.contains(R"("value":"••••")"));
        QVERIFY(!line.contains("4111"));
    }

    void aBadRecordAmongGoodOnes()
    {
        const QList<kafka::PreviewRecord> records{decrypted(1), failed(2), partiallyFailed(3),
                                                  tombstone(4)};
        const QList<QByteArray> json =
            lines(written(records, RecordFormat::JsonLines, Plaintext::Masked));
        QCOMPARE(json.size(), 4);
        for (const QByteArray &line : json)
            QVERIFY2(QJsonDocument::fromJson(line).isObject(), line.constData());
        const QJsonObject bad = QJsonDocument::fromJson(json.at(1)).object();
        QCOMPARE(bad.value(QStringLiteral("offset")).toInt(), 2);
        QVERIFY(bad.value(QStringLiteral("value")).isNull());
        QCOMPARE(bad.value(QStringLiteral("error")).toString(),
                 QStringLiteral("Schema id 99 is not in the registry."));
        const QJsonObject partial = QJsonDocument::fromJson(json.at(2)).object();
        QCOMPARE(partial.value(QStringLiteral("value"))
                     .toObject()
                     .value(QStringLiteral("ssn"))
                     .toString(),
                 MaskText.toString());
        QVERIFY(
            QJsonDocument::fromJson(json.at(3)).object().value(QStringLiteral("value")).isNull());

        const QByteArray csv = written(records, RecordFormat::Csv, Plaintext::Masked);
        const QList<QByteArray> rows = lines(csv, "\r\n");
        QCOMPARE(rows.size(), 5); // header + 4
        QCOMPARE(rows.at(0), QByteArray("topic,partition,offset,timestamp,key,keyBase64,schemaId,"
                                        "subject,status,value,error"));
        QCOMPARE(rows.at(1), QByteArray("customers,0,1,1700000000001,C-1,,3,customers-value,"
                                        "decrypted,\"{\"\"age\"\":40,\"\"id\"\":\"\"C-1\"\",\"\"ssn"
                                        "\"\":\"\"••••\"\"}\","));
        QCOMPARE(rows.at(2), QByteArray("customers,2,2,1700000000002,C-1,,,,"
                                        "failed: engine.unknown_schema,,"
                                        "Schema id 99 is not in the registry."));
        QVERIFY(rows.at(3).endsWith(",email: Field 'email' failed on purpose."));
        QVERIFY(!csv.contains("123-45-6789") && !csv.contains("999-00-1111"));
        QVERIFY(csv.endsWith("\r\n"));
    }

    void csvCells_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("cell");
        QTest::newRow("plain") << QStringLiteral("C-1") << QByteArray("C-1");
        QTest::newRow("empty") << QString() << QByteArray();
        QTest::newRow("comma") << QStringLiteral("a,b") << QByteArray("\"a,b\"");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
        QTest::newRow("newline") << QStringLiteral("a\nb") << QByteArray("\"a\nb\"");
        QTest::newRow("crlf") << QStringLiteral("a\r\nb") << QByteArray("\"a\r\nb\"");
        QTest::newRow("formula") << QStringLiteral("=SUM(A1:A9)") << QByteArray("'=SUM(A1:A9)");
        QTest::newRow("plus") << QStringLiteral("+1 555") << QByteArray("'+1 555");
        QTest::newRow("minus") << QStringLiteral("-2+3") << QByteArray("'-2+3");
        QTest::newRow("at") << QStringLiteral("@cmd") << QByteArray("'@cmd");
        QTest::newRow("tab") << QStringLiteral("\t=1") << QByteArray("'\t=1");
        QTest::newRow("formula with comma")
            << QStringLiteral("=HYPERLINK(\"http://x\",\"y\")")
            << QByteArray("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        QTest::newRow("inner equals") << QStringLiteral("a=b") << QByteArray("a=b");
        QTest::newRow("utf8") << QStringLiteral("Zürich") << QByteArray("Zürich");
    }

    void csvCells()
    {
        QFETCH(QString, text);
        QFETCH(QByteArray, cell);
        QCOMPARE(csvCell(text), cell);
    }

    void csvNeutralisesARecordKey()
    {
        kafka::PreviewRecord r = decrypted(1);
        r.record.key = QByteArrayLiteral("=cmd|' /C calc'!A0");
        const QList<QByteArray> rows =
            lines(written({r}, RecordFormat::Csv, Plaintext::Masked), "\r\n");
        QCOMPARE(rows.size(), 2);
        QVERIFY2(rows.at(1).startsWith("customers,0,1,1700000000001,'=cmd|' /C calc'!A0,"),
                 rows.at(1).constData());
    }

    void tableRows()
    {
        const QByteArray table =
            written({decrypted(1), failed(2)}, RecordFormat::Table, Plaintext::Masked);
        const QList<QByteArray> rows = lines(table);
        QCOMPARE(rows.size(), 3);
        QVERIFY(rows.at(0).startsWith("PART OFFSET     TIMESTAMP (UTC)     STATUS       KEY"));
        QVERIFY2(rows.at(1).contains("1 decrypted") && rows.at(1).contains("••••"),
                 rows.at(1).constData());
        QVERIFY(rows.at(2).contains("FAILED") &&
                rows.at(2).contains("Schema id 99 is not in the registry."));
    }

    void aDeviceThatRefusesIsAnError()
    {
        QByteArray bytes;
        QBuffer buffer(&bytes);
        QVERIFY(buffer.open(QIODevice::ReadOnly));
        RecordWriter writer(&buffer, RecordFormat::Csv, Plaintext::Masked);
        const auto result = writer.write(decrypted(1));
        QVERIFY(!result);
        QCOMPARE(result.error().code, QStringLiteral("records.export_write"));
        QVERIFY(result.error().message.contains(QLatin1String("not open for writing")));
        QCOMPARE(writer.recordsWritten(), 0);
    }

    void cliRenderingIsUnchanged()
    {
        // keywarden-cli records renders each record with appendJsonLine / appendTableRow. The
        // golden file holds what the CLI printed for these records before its rendering moved
        // here (made with the CLI's own functions at that commit): it must not change a byte.
        QList<kafka::PreviewRecord> corpus;
        // As the CLI reads them: the value rendered as text by the decryptor (masked there
        // when not revealing), value and stored null.
        const auto textual = [](kafka::PreviewRecord r, const QByteArray &json) {
            r.value.value = QJsonValue();
            r.value.stored = QJsonValue();
            r.value.valueJson = r.value.ok() ? json : QByteArray();
            return r;
        };
        corpus << textual(decrypted(1), R"({"id":"C-1","ssn":"••••","age":40})");
        corpus << textual(partiallyFailed(2), R"({"id":"C-2","ssn":"••••","email":"Zm9v"})");
        corpus << textual(failed(3), {});
        corpus << tombstone(4);
        corpus << textual(payloadEncrypted(5), R"({"id":"C-3","card":"4111"})");
        kafka::PreviewRecord binaryKey = textual(decrypted(6), R"({"a":1})");
        binaryKey.record.key = QByteArray("\xff\x00\x01", 3);
        corpus << binaryKey;
        kafka::PreviewRecord controlKey = textual(decrypted(7), R"({"a":"x"})");
        controlKey.record.key = QByteArray("k\x1b[31m\nlong-key-that-goes-on-and-on");
        corpus << controlKey;
        kafka::PreviewRecord longValue =
            textual(decrypted(8), "{\"a\":\"" + QByteArray(300, 'z') + "\"}");
        longValue.record.timestampMs = 0;
        corpus << longValue;
        kafka::PreviewRecord noKey = textual(decrypted(9), R"({"a":2})");
        noKey.record.key = QByteArray();
        noKey.value.schemaId = 0;
        noKey.value.schemaSubject.clear();
        corpus << noKey;
        kafka::PreviewRecord payloadFailed = textual(payloadEncrypted(10), R"({"x":1})");
        payloadFailed.value.payload->status = Status::Failed;
        payloadFailed.value.payload->error =
            makeError(QStringLiteral("x"), QStringLiteral("payload broke"));
        corpus << payloadFailed;
        kafka::PreviewRecord notDecrypted = textual(decrypted(11), R"({"a":3})");
        notDecrypted.decrypted = false;
        corpus << notDecrypted;
        corpus << textual(decrypted(12), QByteArray());
        corpus << textual(payloadEncrypted(13), QByteArray());

        QFile file(
            QStringLiteral(KEYWARDEN_SOURCE_DIR "/tests/core/services/data/cli-records.golden"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray golden = file.readAll();
        for (int pass = 0; pass < 2; ++pass) { // the second pass runs from the per-thread caches
            QByteArray rendered;
            for (const kafka::PreviewRecord &r : corpus)
                for (const Plaintext p : {Plaintext::Masked, Plaintext::Revealed}) {
                    appendJsonLine(rendered, r, p);
                    appendTableRow(rendered, r, p);
                }
            QCOMPARE(rendered, golden);
        }
    }

    void aFileIsWrittenWholeForItsOwnerOnly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("records.csv"));
        const auto written = writeRecordsFile(path, RecordFormat::Csv, Plaintext::Masked,
                                              {decrypted(1), decrypted(2)});
        QVERIFY2(written, qPrintable(written.error().message));
        QCOMPARE(*written, 2);
        QFile file(path);
        QCOMPARE(file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther |
                                       QFileDevice::WriteGroup | QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(bytes.startsWith(csvHeader()));
        QCOMPARE(bytes.count("\r\n"), 3);
        QVERIFY(!bytes.contains("123-45-6789"));

        // A folder that does not exist: an error naming why, and no file.
        const QString nowhere = dir.filePath(QStringLiteral("missing/records.jsonl"));
        const auto failed =
            writeRecordsFile(nowhere, RecordFormat::JsonLines, Plaintext::Masked, {decrypted(1)});
        QVERIFY(!failed);
        QVERIFY(!failed.error().message.isEmpty());
        QVERIFY(!QFile::exists(nowhere));
    }

    void theHeaderIsWrittenOnce()
    {
        QByteArray bytes;
        QBuffer buffer(&bytes);
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        RecordWriter writer(&buffer, RecordFormat::Csv, Plaintext::Masked);
        QVERIFY(writer.write(decrypted(1)));
        QVERIFY(writer.write(decrypted(2)));
        QCOMPARE(bytes.count("topic,partition"), 1);
        QCOMPARE(writer.recordsWritten(), 2);
    }
};

QTEST_GUILESS_MAIN(TestRecordWriter)
#include "tst_recordwriter.moc"
