// What the GUI and the CLI both say about a record (core/services/recordview.h): the long and
// short status texts, the one masking rule and the one layout of a reveal's audit entry.

#include "core/services/recordview.h"
#include "support/recordfixtures.h"

#include <QJsonArray>
#include <QTest>

using namespace kw;
using namespace kw::records;
using namespace kw::testing;

class TestRecordView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statusTexts_data()
    {
        QTest::addColumn<kafka::PreviewRecord>("record");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("longText");
        QTest::addColumn<QString>("shortText");
        QTest::newRow("decrypted") << decrypted(1) << int(RecordStatus::Decrypted)
                                   << QStringLiteral("decrypted") << QStringLiteral("1 decrypted");
        QTest::newRow("partial") << partiallyFailed(2) << int(RecordStatus::PartiallyFailed)
                                 << QStringLiteral("1 of 2 fields failed")
                                 << QStringLiteral("1 FAILED");
        QTest::newRow("failed") << failed(3) << int(RecordStatus::Failed)
                                << QStringLiteral("failed: engine.unknown_schema")
                                << QStringLiteral("FAILED");
        QTest::newRow("tombstone") << tombstone(4) << int(RecordStatus::Tombstone)
                                   << QStringLiteral("tombstone") << QStringLiteral("tombstone");
        QTest::newRow("payload") << payloadEncrypted(5) << int(RecordStatus::Decrypted)
                                 << QStringLiteral("decrypted") << QStringLiteral("1 decrypted");
        kafka::PreviewRecord plain = decrypted(6);
        plain.value.fields.clear();
        plain.value.stored = plain.value.value;
        QTest::newRow("plain") << plain << int(RecordStatus::NotEncrypted)
                               << QStringLiteral("not encrypted") << QStringLiteral("plain");
    }

    void statusTexts()
    {
        QFETCH(kafka::PreviewRecord, record);
        QFETCH(int, status);
        QFETCH(QString, longText);
        QFETCH(QString, shortText);
        QCOMPARE(int(recordStatus(record)), status);
        QCOMPARE(statusText(record), longText);
        QCOMPARE(shortStatusText(record), shortText);
    }

    void maskingHidesDecryptedLeavesOnly()
    {
        const QJsonObject masked = maskedValue(decrypted(1).value).toObject();
        QCOMPARE(masked.value(QStringLiteral("ssn")).toString(), MaskText.toString());
        QCOMPARE(masked.value(QStringLiteral("id")).toString(), QStringLiteral("C-1"));
        QCOMPARE(masked.value(QStringLiteral("age")).toInt(), 40);
    }

    void anEncryptedPayloadIsMaskedWhole()
    {
        // Field names of an encrypted payload were ciphertext too: nothing of it shows.
        const kafka::PreviewRecord r = payloadEncrypted(1);
        QVERIFY(wholeValueSecret(r.value));
        QCOMPARE(maskedValue(r.value), QJsonValue(MaskText.toString()));
        QCOMPARE(revealableFields(r.value), QStringList{QStringLiteral("(payload)")});
        QCOMPARE(secretLeaves(r.value).size(), 2);
    }

    void revealOfOneRecord()
    {
        RevealScope scope;
        scope.client = QStringLiteral("keywarden");
        scope.scope = QStringLiteral("record");
        scope.profile = QStringLiteral("dev");
        scope.registryUrl = QUrl(QStringLiteral("https://key:secret@registry.example:8081"));
        scope.topic = QStringLiteral("customers");
        scope.partition = 2;
        scope.offset = 41;
        scope.fields = {QStringLiteral("ssn")};
        scope.schemaId = 3;
        scope.dekSubject = QStringLiteral("customers-value");
        const audit::AuditEntry e = revealAuditEntry(scope);
        QCOMPARE(e.action, QString(audit::ActionRecordReveal));
        QCOMPARE(e.profile, QStringLiteral("dev"));
        QCOMPARE(e.registryUrl, QStringLiteral("https://registry.example:8081"));
        QCOMPARE(e.topic, QStringLiteral("customers"));
        QCOMPARE(e.partition, 2);
        QCOMPARE(e.offset, 41);
        const QJsonObject expected{
            {QStringLiteral("client"), QStringLiteral("keywarden")},
            {QStringLiteral("scope"), QStringLiteral("record")},
            {QStringLiteral("fields"), QJsonArray{QStringLiteral("ssn")}},
            {QStringLiteral("schemaId"), 3},
            {QStringLiteral("dekSubject"), QStringLiteral("customers-value")}};
        QCOMPARE(e.details, expected);
    }

    void revealOfARead()
    {
        RevealScope scope;
        scope.client = QStringLiteral("keywarden-cli records");
        scope.scope = QStringLiteral("every encrypted field read");
        scope.topic = QStringLiteral("customers");
        scope.from = QStringLiteral("earliest");
        scope.limit = 20;
        const audit::AuditEntry e = revealAuditEntry(scope);
        QCOMPARE(e.partition, -1);
        QCOMPARE(e.offset, -1);
        const QJsonObject expected{
            {QStringLiteral("client"), QStringLiteral("keywarden-cli records")},
            {QStringLiteral("scope"), QStringLiteral("every encrypted field read")},
            {QStringLiteral("from"), QStringLiteral("earliest")},
            {QStringLiteral("limit"), 20}};
        QCOMPARE(e.details, expected);
    }

    void revealOfAnExport()
    {
        RevealScope scope;
        scope.client = QStringLiteral("keywarden");
        scope.scope = QStringLiteral("export");
        scope.topic = QStringLiteral("customers");
        scope.fields = {QStringLiteral("email"), QStringLiteral("ssn")};
        scope.records = 7;
        scope.format = QStringLiteral("csv");
        const QJsonObject expected{
            {QStringLiteral("client"), QStringLiteral("keywarden")},
            {QStringLiteral("scope"), QStringLiteral("export")},
            {QStringLiteral("fields"), QJsonArray{QStringLiteral("email"), QStringLiteral("ssn")}},
            {QStringLiteral("records"), 7},
            {QStringLiteral("format"), QStringLiteral("csv")}};
        QCOMPARE(revealAuditEntry(scope).details, expected);
    }
};

QTEST_GUILESS_MAIN(TestRecordView)
#include "tst_recordview.moc"
