// The records table as a model (QAbstractItemModelTester through batches and resets) and the
// presentation helpers it relies on: masking, failure texts, hex dumps.

#include "models/records/recordpresentation.h"
#include "models/records/recordsmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace kw;
using namespace kw::records;
using Status = engine::FieldOutcome::Status;

namespace {

engine::FieldOutcome field(const QString &path, Status status, int dekVersion = 0,
                           const QString &errorCode = {})
{
    engine::FieldOutcome f;
    f.path = path;
    f.status = status;
    f.kekName = QStringLiteral("retail-pii");
    f.dekVersion = dekVersion;
    f.tags = {QStringLiteral("PII")};
    if (!errorCode.isEmpty())
        f.error = makeError(errorCode, QStringLiteral("Field '%1' failed on purpose.").arg(path));
    return f;
}

QJsonValue json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

kafka::PreviewRecord base(int partition, qint64 offset)
{
    kafka::PreviewRecord r;
    r.record.topic = QStringLiteral("customers");
    r.record.partition = partition;
    r.record.offset = offset;
    r.record.timestampMs = 1'700'000'000'000 + offset;
    r.record.key = QByteArrayLiteral("C-100001");
    r.record.value = QByteArrayLiteral("\0\0\0\0\x01payload");
    r.decrypted = true;
    r.value.schemaId = 3;
    r.value.schemaSubject = QStringLiteral("customers-value");
    r.value.schemaVersion = 2;
    r.value.dekSubject = QStringLiteral("customers-value");
    return r;
}

kafka::PreviewRecord decrypted(qint64 offset)
{
    kafka::PreviewRecord r = base(0, offset);
    r.value.value =
        json(R"({"id":"C-1","ssn":"123-45-6789","phones":["+1 555","+1 666"],"age":40})");
    r.value.stored = json(R"({"id":"C-1","ssn":"QUJD","phones":["WFla","WFlb"],"age":40})");
    r.value.fields = {field(QStringLiteral("ssn"), Status::Decrypted, 2),
                      field(QStringLiteral("phones"), Status::Decrypted, 3),
                      field(QStringLiteral("phones"), Status::Decrypted, 3)};
    return r;
}

kafka::PreviewRecord partiallyFailed(qint64 offset)
{
    kafka::PreviewRecord r = base(1, offset);
    r.value.value = json(R"({"id":"C-2","ssn":"999-00-1111","email":"Zm9v"})");
    r.value.stored = json(R"({"id":"C-2","ssn":"QUJE","email":"Zm9v"})");
    r.value.fields = {field(QStringLiteral("ssn"), Status::Decrypted, 2),
                      field(QStringLiteral("email"), Status::Failed, 1,
                            QStringLiteral("crypto.authentication_failed"))};
    return r;
}

kafka::PreviewRecord failed(qint64 offset)
{
    kafka::PreviewRecord r = base(2, offset);
    r.value.schemaSubject.clear();
    r.value.schemaVersion = 0;
    r.value.schemaId = 14906;
    r.value.error =
        makeError(QStringLiteral("registry.40403"), QStringLiteral("Schema 14906 not found."));
    return r;
}

kafka::PreviewRecord tombstone(qint64 offset)
{
    kafka::PreviewRecord r = base(0, offset);
    r.record.value = QByteArray();
    r.decrypted = false;
    r.value = {};
    return r;
}

kafka::PreviewRecord plain(qint64 offset)
{
    kafka::PreviewRecord r = base(0, offset);
    r.value.value = json(R"({"id":"C-3"})");
    r.value.stored = r.value.value;
    return r;
}

} // namespace

class TestRecordsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void modelTester()
    {
        RecordsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QCOMPARE(model.columnCount(), int(RecordsModel::ColumnCount));
        model.append({decrypted(10), partiallyFailed(11)});
        model.append({});
        model.append({failed(12), tombstone(13), plain(14)});
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.failedCount(), 2);
        QCOMPARE(model.record(2).record.offset, 12);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.failedCount(), 0);
        model.append({plain(1)});
        QCOMPARE(model.rowCount(), 1);
    }

    void columns()
    {
        RecordsModel model;
        model.append({decrypted(10), partiallyFailed(11), failed(12), tombstone(13), plain(14)});
        const auto text = [&model](int row, int column) {
            return model.index(row, column).data().toString();
        };
        QCOMPARE(text(0, RecordsModel::PartitionColumn), QStringLiteral("0"));
        QCOMPARE(text(0, RecordsModel::OffsetColumn), QStringLiteral("10"));
        QCOMPARE(text(0, RecordsModel::TimestampColumn),
                 QStringLiteral("2023-11-14T22:13:20.010Z"));
        QCOMPARE(text(0, RecordsModel::KeyColumn), QStringLiteral("C-100001"));
        QCOMPARE(text(0, RecordsModel::SchemaColumn), QStringLiteral("3 → customers-value v2"));
        QCOMPARE(text(0, RecordsModel::EncryptedFieldsColumn), QStringLiteral("3"));
        QCOMPARE(text(0, RecordsModel::DekVersionsColumn),
                 QStringLiteral("retail-pii v2, retail-pii v3"));
        QCOMPARE(text(0, RecordsModel::StatusColumn), QStringLiteral("decrypted"));
        QCOMPARE(text(1, RecordsModel::StatusColumn), QStringLiteral("1 of 2 fields failed"));
        QCOMPARE(text(2, RecordsModel::StatusColumn), QStringLiteral("failed: registry.40403"));
        QCOMPARE(text(2, RecordsModel::SchemaColumn), QStringLiteral("id 14906"));
        QCOMPARE(text(3, RecordsModel::StatusColumn), QStringLiteral("tombstone"));
        QCOMPARE(text(4, RecordsModel::StatusColumn), QStringLiteral("not encrypted"));

        // The precise reason is in the tooltip and the failure role.
        const QString tip =
            model.index(1, RecordsModel::StatusColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("email: Field 'email' failed on purpose.")),
                 qPrintable(tip));
        QVERIFY(tip.contains(QStringLiteral("crypto.authentication_failed")));
        QVERIFY(model.index(2, 0)
                    .data(RecordsModel::FailureRole)
                    .toString()
                    .contains(QStringLiteral("Schema 14906 not found.")));
        QCOMPARE(model.index(1, 0).data(RecordsModel::StatusRole).toInt(),
                 int(RecordStatus::PartiallyFailed));
        QVERIFY(model.index(1, RecordsModel::StatusColumn).data(Qt::ForegroundRole).isValid());
        QVERIFY(!model.index(0, RecordsModel::StatusColumn).data(Qt::ForegroundRole).isValid());
        QCOMPARE(
            model.index(0, RecordsModel::OffsetColumn).data(RecordsModel::SortRole).toLongLong(),
            10);
    }

    void schemaNamesArriveLater()
    {
        RecordsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        kafka::PreviewRecord r = failed(1);
        model.append({r, decrypted(2)});
        QCOMPARE(model.index(0, RecordsModel::SchemaColumn).data().toString(),
                 QStringLiteral("id 14906"));
        model.setSchemaName(14906, QStringLiteral("legacy-value"), 4);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.index(0, RecordsModel::SchemaColumn).data().toString(),
                 QStringLiteral("14906 → legacy-value v4"));
        // Records that name their subject keep it.
        QCOMPARE(model.index(1, RecordsModel::SchemaColumn).data().toString(),
                 QStringLiteral("3 → customers-value v2"));
    }

    void maskingHidesEveryPlaintext()
    {
        const kafka::PreviewRecord r = decrypted(1);
        const QJsonValue masked = maskedValue(r.value);
        const QString text = jsonText(masked);
        QVERIFY(!text.contains(QStringLiteral("123-45-6789")));
        QVERIFY(!text.contains(QStringLiteral("+1 555")));
        QVERIFY(text.contains(QStringLiteral("C-1"))); // not encrypted: shown
        QCOMPARE(masked.toObject().value(QStringLiteral("ssn")).toString(), MaskText.toString());
        QCOMPARE(masked.toObject().value(QStringLiteral("age")).toInt(), 40);

        const QList<SecretLeaf> leaves = secretLeaves(r.value);
        QCOMPARE(leaves.size(), 3);
        QCOMPARE(leaves.at(0).location, QStringLiteral("phones[0]"));
        QCOMPARE(leaves.at(0).path, QStringLiteral("phones"));
        QCOMPARE(leaves.at(2).location, QStringLiteral("ssn"));
        QCOMPARE(leaves.at(2).value.toString(), QStringLiteral("123-45-6789"));
        QCOMPARE(revealableFields(r.value),
                 (QStringList{QStringLiteral("phones"), QStringLiteral("ssn")}));

        // A failed field keeps its ciphertext in both forms: nothing to mask, nothing to reveal.
        const kafka::PreviewRecord p = partiallyFailed(2);
        QCOMPARE(secretLeaves(p.value).size(), 1);
        QCOMPARE(revealableFields(p.value), QStringList{QStringLiteral("ssn")});
    }

    void payloadEncryptionMasksEverything()
    {
        kafka::PreviewRecord r = plain(1);
        engine::FieldOutcome payload = field(QStringLiteral("(payload)"), Status::Decrypted, 1);
        r.value.payload = payload;
        QVERIFY(!jsonText(maskedValue(r.value)).contains(QStringLiteral("C-3")));
        QCOMPARE(revealableFields(r.value), QStringList{QStringLiteral("(payload)")});
        QCOMPARE(recordStatus(r), RecordStatus::Decrypted);
    }

    void hexDump()
    {
        QCOMPARE(records::hexDump(QByteArray()), QStringLiteral("(null)"));
        const QString dump = records::hexDump(QByteArrayLiteral("\x00\x01"
                                                                "ABCDEFGHIJKLMNOPQ"));
        const QStringList lines = dump.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines.at(0).startsWith(QStringLiteral("00000000  00 01 41 42")),
                 qPrintable(lines.at(0)));
        QVERIFY(lines.at(0).endsWith(QStringLiteral("|..ABCDEFGHIJKLMN|")));
        QVERIFY(lines.at(1).startsWith(QStringLiteral("00000010  4f 50 51")));
        QCOMPARE(keyText(QByteArrayLiteral("\x01\xff")), QStringLiteral("01 ff"));
        QCOMPARE(keyText(QByteArray()), QStringLiteral("(null)"));
    }
};

QTEST_GUILESS_MAIN(TestRecordsModel)
#include "tst_recordsmodel.moc"
