// RecordDecryptor::inspect: each encrypted value's path, KEK, algorithm and DEK version read
// from the record's bytes, asking the registry for schemas only. No DEK lookup, no KMS call,
// no key material: a wrong local-kms secret changes nothing.

#include "core/engine/recorddecryptor.h"
#include "core/engine/recordencryptor.h"
#include "enginefixture.h"

#include <QTest>

using namespace kw;
using namespace kw::engine;
using namespace kwtest;

namespace {

RecordInput input(const QByteArray &payload, const QString &topic = QStringLiteral("topic1"))
{
    RecordInput in;
    in.topic = topic;
    in.payload = payload;
    return in;
}

// A decryptor that could not unwrap anything even if it tried: the secret is wrong.
RecordDecryptor blindDecryptor(const std::shared_ptr<CountingRegistry> &counting,
                               const std::shared_ptr<DekCache> &cache)
{
    return RecordDecryptor(counting, counting, builtInKms(), secret(QStringLiteral("wrong")),
                           cache);
}

registry::Schema paymentsSchema(bool withPayloadRule)
{
    registry::Schema schema;
    schema.id = 7;
    schema.subject = QStringLiteral("payments-value");
    schema.version = 3;
    schema.schema = QStringLiteral(
        R"({"type":"record","name":"Payment","namespace":"bank","fields":[
            {"name":"iban","type":"string","confluent:tags":["PII"]},
            {"name":"card","type":["null","bytes"],"default":null,"confluent:tags":["PCI"]},
            {"name":"amount","type":"long"}]})");
    QJsonObject rules{{QStringLiteral("domainRules"),
                       QJsonArray{encryptRule(QStringLiteral("kekA"), {QStringLiteral("PII")},
                                              {{QStringLiteral("encrypt.dek.expiry.days"),
                                                QStringLiteral("30")}}),
                                  encryptRule(QStringLiteral("kekB"), {QStringLiteral("PCI")},
                                              {{QStringLiteral("encrypt.dek.algorithm"),
                                                QStringLiteral("AES256_SIV")}})}}};
    if (withPayloadRule)
        rules.insert(QStringLiteral("encodingRules"),
                     QJsonArray{encryptRule(QStringLiteral("kekA"), {}, {},
                                            QStringLiteral("ENCRYPT_PAYLOAD"))});
    schema.ruleSet = rules;
    return schema;
}

const QJsonObject kPayment{
    {QStringLiteral("iban"), QStringLiteral("DE89370400440532013000")},
    {QStringLiteral("card"), QString::fromLatin1(QByteArray("4111111111111111").toBase64())},
    {QStringLiteral("amount"), 1250}};

} // namespace

class TestRecordInspection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesKeyAndVersionOfEveryFieldWithoutKeys()
    {
        auto registry = std::make_shared<MemoryRegistry>(1'600'000'000'000);
        registry->addKek(localKek(QStringLiteral("kekA")));
        registry->addKek(localKek(QStringLiteral("kekB")));
        const registry::Schema schema = paymentsSchema(false);
        registry->addSchema(schema);
        ManualClock clock(1'600'000'000'000);
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s")), clock);
        // Two months apart: kekA's 30-day DEK rotates to version 2, kekB's does not rotate.
        QList<QByteArray> records;
        for (int month = 0; month < 2; ++month) {
            registry->setNowMs(clock.nowMs());
            auto bytes = enc.encrypt(schema, QStringLiteral("payments-value"), kPayment);
            QVERIFY2(bytes, qPrintable(bytes.error().message));
            records.append(*bytes);
            clock.advanceMs(40 * 86'400'000LL);
        }

        auto counting = std::make_shared<CountingRegistry>(registry);
        auto cache = std::make_shared<DekCache>();
        RecordDecryptor dec = blindDecryptor(counting, cache);
        RecordDecryptor::KeyMemo memo;
        for (int i = 0; i < records.size(); ++i) {
            const RecordInspection seen =
                dec.inspect(input(records.at(i), QStringLiteral("p")), memo);
            QVERIFY2(seen.ok(), qPrintable(seen.error.message));
            QCOMPARE(seen.schemaId, 7);
            QCOMPARE(seen.schemaSubject, QStringLiteral("payments-value"));
            QCOMPARE(seen.schemaVersion, 3);
            QCOMPARE(seen.schemaType, QStringLiteral("AVRO"));
            QCOMPARE(seen.dekSubject, QStringLiteral("p-value"));
            QVERIFY(!seen.payload);
            QCOMPARE(seen.values.size(), 2);
            QCOMPARE(seen.values.at(0).path, QStringLiteral("iban"));
            QCOMPARE(seen.values.at(0).kekName, QStringLiteral("kekA"));
            QCOMPARE(seen.values.at(0).algorithm, QStringLiteral("AES256_GCM"));
            QCOMPARE(seen.values.at(0).dekVersion, i + 1);
            QCOMPARE(seen.values.at(1).path, QStringLiteral("card"));
            QCOMPARE(seen.values.at(1).kekName, QStringLiteral("kekB"));
            QCOMPARE(seen.values.at(1).algorithm, QStringLiteral("AES256_SIV"));
            QCOMPARE(seen.values.at(1).dekVersion, 1);
            QVERIFY(seen.values.at(0).error.isEmpty() && seen.values.at(1).error.isEmpty());
        }
        // One schema lookup, and nothing else: no KEK, no DEK, no KMS unwrap, no cached key.
        QCOMPARE(counting->schemaLookups.load(), 1);
        QCOMPARE(counting->kekLookups.load(), 0);
        QCOMPARE(counting->dekLookups.load(), 0);
        QCOMPARE(counting->versionListings.load(), 0);
        QCOMPARE(dec.cacheStats().kmsUnwraps, quint64(0));
        QCOMPARE(dec.cacheStats().size, qsizetype(0));
    }

    void agreesWithDecryptionOnVersions()
    {
        // The version inspect() reads is the one decryption uses, record by record.
        auto registry = std::make_shared<MemoryRegistry>();
        const QList<QByteArray> records = monthlyRecords(registry, 4);
        QCOMPARE(records.size(), 4);
        RecordDecryptor dec(registry, registry, builtInKms(), secret(QStringLiteral("s")));
        for (const QByteArray &record : records) {
            const RecordInspection seen = dec.inspect(input(record));
            const RecordOutcome read = dec.decrypt(input(record));
            QVERIFY(seen.ok() && read.ok());
            QCOMPARE(seen.values.size(), 1);
            QCOMPARE(seen.values.first().dekVersion, read.fields.first().dekVersion);
            QCOMPARE(seen.values.first().kekName, read.fields.first().kekName);
        }
    }

    void anEncryptedPayloadHidesItsFields()
    {
        auto registry = std::make_shared<MemoryRegistry>(1'700'000'000'000);
        registry->addKek(localKek(QStringLiteral("kekA")));
        registry->addKek(localKek(QStringLiteral("kekB")));
        const registry::Schema schema = paymentsSchema(true);
        registry->addSchema(schema);
        ManualClock clock(1'700'000'000'000);
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s")), clock);
        auto bytes = enc.encrypt(schema, QStringLiteral("payments-value"), kPayment);
        QVERIFY(bytes);
        auto counting = std::make_shared<CountingRegistry>(registry);
        RecordDecryptor dec = blindDecryptor(counting, std::make_shared<DekCache>());
        const RecordInspection seen = dec.inspect(input(*bytes, QStringLiteral("payments")));
        QVERIFY2(seen.ok(), qPrintable(seen.error.message));
        QVERIFY(seen.payload);
        QCOMPARE(seen.payload->path, QStringLiteral("(payload)"));
        QCOMPARE(seen.payload->kekName, QStringLiteral("kekA"));
        QCOMPARE(seen.payload->dekVersion, 1);
        QVERIFY(seen.fieldsHidden);
        QVERIFY(seen.values.isEmpty());
        QCOMPARE(counting->dekLookups.load(), 0);
        QCOMPARE(dec.cacheStats().kmsUnwraps, quint64(0));
    }

    void damagedValuesAreNamedAndTheRestStillCounted()
    {
        auto registry = std::make_shared<MemoryRegistry>();
        QList<QByteArray> records = monthlyRecords(registry, 1);
        QCOMPARE(records.size(), 1);
        RecordDecryptor dec(registry, registry, builtInKms(), secret(QStringLiteral("s")));

        // Not base64 any more: the field is named with its error.
        registry::Schema plainText =
            f1Schema({{QStringLiteral("encrypt.dek.expiry.days"), QStringLiteral("30")}});
        plainText.id = 2;
        registry->addSchema(plainText);
        QByteArray notBase64 =
            QByteArray::fromHex("0000000002") + QByteArray::fromHex("0a") + QByteArray("%%%%%");
        const RecordInspection bad = dec.inspect(input(notBase64));
        QVERIFY2(bad.ok(), qPrintable(bad.error.message));
        QCOMPARE(bad.values.size(), 1);
        QCOMPARE(bad.values.first().error.code, QStringLiteral("engine.malformed_ciphertext"));
        QCOMPARE(bad.values.first().kekName, QStringLiteral("kek1"));

        // Base64 of bytes without the version prefix's magic byte.
        const QByteArray noPrefix = QByteArray("\x05zzzzzzzzzzzz").toBase64();
        QByteArray avroString;
        avroString.append(char(noPrefix.size() * 2)); // zig-zag length, short enough for 1 byte
        avroString.append(noPrefix);
        const RecordInspection badPrefix =
            dec.inspect(input(QByteArray::fromHex("0000000002") + avroString));
        QVERIFY(badPrefix.ok());
        QCOMPARE(badPrefix.values.first().error.code,
                 QStringLiteral("engine.malformed_ciphertext"));
        QVERIFY(badPrefix.values.first().error.message.contains(QStringLiteral("magic byte")));

        // A truncated record fails as a whole and lists nothing.
        const RecordInspection truncated = dec.inspect(input(records.first().left(7)));
        QVERIFY(!truncated.ok());
        QVERIFY(truncated.values.isEmpty());
        // The good record still reads after the bad ones.
        const RecordInspection good = dec.inspect(input(records.first()));
        QVERIFY(good.ok());
        QCOMPARE(good.values.first().dekVersion, 1);
    }

    void unknownSchemaIsARecordError()
    {
        auto registry = std::make_shared<MemoryRegistry>();
        RecordDecryptor dec(registry, registry, builtInKms(), secret(QStringLiteral("s")));
        const RecordInspection seen = dec.inspect(input(QByteArray::fromHex("00000000630a")));
        QVERIFY(!seen.ok());
        QCOMPARE(seen.error.code, QStringLiteral("engine.unknown_schema"));
    }
};

QTEST_GUILESS_MAIN(TestRecordInspection)
#include "tst_recordinspection.moc"
