// The read path end to end on the official Confluent test vectors (spec §4.5), then every
// failure a record or field can have: each with its precise reason, and the rest still shown.

#include "core/engine/recorddecryptor.h"
#include "core/engine/recordencryptor.h"
#include "enginefixture.h"

#include <QTest>
#include <QtEndian>

#include <atomic>

using namespace kw;
using namespace kw::engine;
using namespace kwtest;

namespace {

const QByteArray kGcmKek =
    "07V2ndh02DA73p+dTybwZFm7DKQSZN1tEwQh+FoX1DZLk4Yj2LLu4omYjp/84tAg3BYlkfGSz+zZacJHIE4=";
const QByteArray kSivKek = "YSx3DTlAHrmpoDChquJMifmPntBzxgRVdMzgYL82rgWBKn7aUSnG+WIu9ozBNS3y2vXd++"
                           "mBtK07w4/W/G6w0da39X9hfOVZsGnkSvry/QRht84V8yz3dqKxGMOK5A==";
const QByteArray kRotKek =
    "W/v6hOQYq1idVAcs1pPWz9UUONMVZW4IrglTnG88TsWjeCjxmtRQ4VaNe/I5dCfm2zyY9Cu0nqdvqImtUk4=";

QByteArray gcmRecord()
{
    return bytesFromDecimal({0,   0,   0,   0,   1,   104, 122, 103, 121, 47, 106, 70,
                             78,  77,  86,  47,  101, 70,  105, 108, 97,  72, 114, 77,
                             121, 101, 66,  103, 100, 97,  86,  122, 114, 82, 48,  117,
                             100, 71,  101, 111, 116, 87,  56,  99,  65,  47, 74,  97,
                             108, 55,  117, 107, 114, 43,  77,  47,  121, 122});
}

QByteArray sivRecord()
{
    return bytesFromDecimal({0,   0,   0,  0,  1,  72, 68,  54,  89, 116, 120, 114, 108, 66,
                             110, 107, 84, 87, 87, 57, 78,  54,  86, 98,  107, 51,  73,  73,
                             110, 106, 87, 72, 56, 49, 120, 109, 89, 104, 51,  107, 52,  100});
}

QByteArray rotationRecord()
{
    return bytesFromDecimal({0,   0,   0,   0,   1,   120, 65, 65, 65,  65,  65,  65,  71, 52,
                             72,  73,  54,  98,  49,  110, 88, 80, 88,  113, 76,  121, 71, 56,
                             99,  73,  73,  51,  53,  78,  72, 81, 115, 101, 113, 113, 85, 67,
                             100, 43,  73,  101, 76,  101, 70, 86, 65,  101, 78,  112, 83, 83,
                             51,  102, 120, 80,  110, 74,  51, 50, 65,  61});
}

struct Setup
{
    std::shared_ptr<MemoryRegistry> registry = std::make_shared<MemoryRegistry>();
    std::shared_ptr<DekCache> cache = std::make_shared<DekCache>();

    RecordDecryptor decryptor(const QString &secretValue = QStringLiteral("mysecret"))
    {
        return RecordDecryptor(registry, registry, builtInKms(), secret(secretValue), cache);
    }
};

Setup vectorSetup(const QString &algorithm, const QByteArray &kekMaterial,
                  const QJsonObject &params)
{
    Setup s;
    s.registry->addKek(localKek(QStringLiteral("kek1")));
    s.registry->addDek(
        dek(QStringLiteral("kek1"), QStringLiteral("topic1-value"), 1, algorithm, kekMaterial));
    s.registry->addSchema(f1Schema(params));
    return s;
}

RecordInput input(const QByteArray &payload, const QString &topic = QStringLiteral("topic1"))
{
    RecordInput in;
    in.topic = topic;
    in.payload = payload;
    return in;
}

} // namespace

class TestRecordDecryptor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void officialVectors_data()
    {
        QTest::addColumn<QString>("algorithm");
        QTest::addColumn<QByteArray>("kekMaterial");
        QTest::addColumn<QJsonObject>("params");
        QTest::addColumn<QByteArray>("record");
        QTest::newRow("AES256_GCM")
            << QStringLiteral("AES256_GCM") << kGcmKek << QJsonObject{} << gcmRecord();
        QTest::newRow("AES256_SIV")
            << QStringLiteral("AES256_SIV") << kSivKek
            << QJsonObject{{QStringLiteral("encrypt.dek.algorithm"), QStringLiteral("AES256_SIV")}}
            << sivRecord();
        QTest::newRow("AES256_GCM with rotation")
            << QStringLiteral("AES256_GCM") << kRotKek
            << QJsonObject{{QStringLiteral("encrypt.dek.expiry.days"), QStringLiteral("1")}}
            << rotationRecord();
    }

    void officialVectors()
    {
        QFETCH(QString, algorithm);
        QFETCH(QByteArray, kekMaterial);
        QFETCH(QJsonObject, params);
        QFETCH(QByteArray, record);
        Setup s = vectorSetup(algorithm, kekMaterial, params);
        RecordDecryptor d = s.decryptor();
        const RecordOutcome out = d.decrypt(input(record));
        QVERIFY2(out.ok(), qPrintable(out.error.message));
        QCOMPARE(out.schemaId, 1);
        QCOMPARE(out.dekSubject, QStringLiteral("topic1-value"));
        QCOMPARE(out.value.toObject().value(QStringLiteral("f1")).toString(),
                 QStringLiteral("hello world"));
        // As stored, the field is the base64 ciphertext from the record.
        QVERIFY(out.stored.toObject().value(QStringLiteral("f1")).toString() !=
                QStringLiteral("hello world"));
        QCOMPARE(out.fields.size(), 1);
        const FieldOutcome &f = out.fields.first();
        QCOMPARE(f.path, QStringLiteral("f1"));
        QCOMPARE(f.status, FieldOutcome::Status::Decrypted);
        QCOMPARE(f.kekName, QStringLiteral("kek1"));
        QCOMPARE(f.dekVersion, 1);
        QCOMPARE(f.algorithm, algorithm);
    }

    void oneUnwrapPerKey()
    {
        Setup s = vectorSetup(QStringLiteral("AES256_GCM"), kGcmKek, {});
        RecordDecryptor d = s.decryptor();
        for (int i = 0; i < 50; ++i)
            QVERIFY(d.decrypt(input(gcmRecord())).ok());
        QCOMPARE(d.cacheStats().kmsUnwraps, quint64(1));
        QCOMPARE(d.cacheStats().hits, quint64(49));
    }

    void wrongSecretFailsTheFieldNotTheRecord()
    {
        Setup s = vectorSetup(QStringLiteral("AES256_GCM"), kGcmKek, {});
        RecordDecryptor d = s.decryptor(QStringLiteral("not-the-secret"));
        const RecordOutcome out = d.decrypt(input(gcmRecord()));
        QVERIFY(out.ok());
        QCOMPARE(out.fields.size(), 1);
        QCOMPARE(out.fields.first().status, FieldOutcome::Status::Failed);
        QCOMPARE(out.fields.first().error.code, QStringLiteral("kms.bad_ciphertext"));
        // The value stays as stored.
        QCOMPARE(out.value, out.stored);
    }

    void tamperedCiphertext()
    {
        Setup s = vectorSetup(QStringLiteral("AES256_GCM"), kGcmKek, {});
        RecordDecryptor d = s.decryptor();
        QByteArray record = gcmRecord();
        record[20] = record.at(20) == 'A' ? 'B' : 'A'; // one base64 character of the field
        const RecordOutcome out = d.decrypt(input(record));
        QVERIFY(out.ok());
        QCOMPARE(out.fields.first().status, FieldOutcome::Status::Failed);
        QCOMPARE(out.fields.first().error.code, QStringLiteral("crypto.authentication_failed"));
        QVERIFY(out.fields.first().error.message.contains(QStringLiteral("kek1")));
    }

    void fieldNotBase64()
    {
        Setup s = vectorSetup(QStringLiteral("AES256_GCM"), kGcmKek, {});
        RecordDecryptor d = s.decryptor();
        QByteArray record = gcmRecord();
        record[10] = '*';
        const RecordOutcome out = d.decrypt(input(record));
        QVERIFY(out.ok());
        QCOMPARE(out.fields.first().error.code, QStringLiteral("engine.malformed_ciphertext"));
    }

    void truncatedRecordFailsAsRecord()
    {
        Setup s = vectorSetup(QStringLiteral("AES256_GCM"), kGcmKek, {});
        RecordDecryptor d = s.decryptor();
        const QByteArray full = gcmRecord();
        for (int n = 0; n < full.size(); ++n) {
            const RecordOutcome out = d.decrypt(input(full.left(n)));
            QVERIFY2(!out.ok(), qPrintable(QString::number(n)));
            QVERIFY(!out.error.message.isEmpty());
        }
    }

    void unknownSchemaId()
    {
        Setup s = vectorSetup(QStringLiteral("AES256_GCM"), kGcmKek, {});
        RecordDecryptor d = s.decryptor();
        QByteArray record = gcmRecord();
        record[4] = 9;
        const RecordOutcome out = d.decrypt(input(record));
        QVERIFY(!out.ok());
        QCOMPARE(out.error.code, QStringLiteral("engine.unknown_schema"));
        QVERIFY(out.error.message.contains(QStringLiteral("id 9")));
    }

    void missingSchemaIsAskedForOnceInABurst()
    {
        // A run of records naming a schema the registry does not have costs one request;
        // each record still fails with the registry's answer.
        Setup s = vectorSetup(QStringLiteral("AES256_GCM"), kGcmKek, {});
        auto counting = std::make_shared<CountingRegistry>(s.registry);
        RecordDecryptor d(counting, counting, builtInKms(), secret(QStringLiteral("mysecret")));
        QByteArray record = gcmRecord();
        record[4] = 9;
        for (int i = 0; i < 5; ++i) {
            const RecordOutcome out = d.decrypt(input(record));
            QVERIFY(!out.ok());
            QCOMPARE(out.error.code, QStringLiteral("engine.unknown_schema"));
            QVERIFY(out.error.message.contains(QStringLiteral("not found")));
        }
        QCOMPARE(counting->schemaLookups.load(), 1);
        // The good schema is still looked up (once) and decrypts.
        const RecordOutcome good = d.decrypt(input(gcmRecord()));
        QVERIFY2(good.ok(), qPrintable(good.error.message));
        QCOMPARE(counting->schemaLookups.load(), 2);
    }

    void missingSchemasAreRememberedBoundedly()
    {
        // A damaged topic names a different missing schema in nearly every record. What the
        // decryptor remembers of them is bounded (1024 entries): past that it forgets the
        // burst, so a long read does not grow without end; the rest is still remembered.
        Setup s = vectorSetup(QStringLiteral("AES256_GCM"), kGcmKek, {});
        auto counting = std::make_shared<CountingRegistry>(s.registry);
        RecordDecryptor d(counting, counting, builtInKms(), secret(QStringLiteral("mysecret")));
        const auto naming = [](qint32 id) {
            QByteArray record = gcmRecord();
            qToBigEndian(id, record.data() + 1);
            return record;
        };
        constexpr int kIds = 1100;
        for (int i = 0; i < kIds; ++i)
            QCOMPARE(d.decrypt(input(naming(1000 + i))).error.code,
                     QStringLiteral("engine.unknown_schema"));
        QCOMPARE(counting->schemaLookups.load(), kIds);
        // The latest ids are still remembered: no request.
        QCOMPARE(d.decrypt(input(naming(1000 + kIds - 1))).error.code,
                 QStringLiteral("engine.unknown_schema"));
        QCOMPARE(counting->schemaLookups.load(), kIds);
        // The first was forgotten to keep the bound: asked again.
        QCOMPARE(d.decrypt(input(naming(1000))).error.code,
                 QStringLiteral("engine.unknown_schema"));
        QCOMPARE(counting->schemaLookups.load(), kIds + 1);
    }

    void dekVersionsUnderOneKekDescribeItOnce()
    {
        // Loading several DEK versions under one KEK asks for the KEK once, each DEK once.
        auto registry = std::make_shared<MemoryRegistry>();
        const QList<QByteArray> records = monthlyRecords(registry, 3);
        QCOMPARE(records.size(), 3);
        auto counting = std::make_shared<CountingRegistry>(registry);
        RecordDecryptor d(counting, counting, builtInKms(), secret(QStringLiteral("s")));
        QList<int> versions;
        for (const QByteArray &r : std::as_const(records)) {
            const RecordOutcome out = d.decrypt(input(r));
            QVERIFY2(out.ok(), qPrintable(out.error.message));
            versions.append(out.fields.first().dekVersion);
        }
        QCOMPARE(versions, (QList<int>{1, 2, 3}));
        QCOMPARE(counting->dekLookups.load(), 3);
        QCOMPARE(counting->kekLookups.load(), 1);
        QCOMPARE(counting->versionListings.load(), 1);
    }

    void dekVersionsAreFetchedAheadButUnwrappedOnlyWhenUsed()
    {
        // The first DEK of a subject brings the others' registry entries along (one listing,
        // each version fetched once); KMS unwraps stay one per version a record uses.
        auto registry = std::make_shared<MemoryRegistry>();
        const QList<QByteArray> records = monthlyRecords(registry, 4);
        QCOMPARE(records.size(), 4);
        auto counting = std::make_shared<CountingRegistry>(registry);
        RecordDecryptor d(counting, counting, builtInKms(), secret(QStringLiteral("s")));
        // Versions 4, 1 and 4 again: version 2 and 3 are fetched ahead but never unwrapped.
        for (const int i : {3, 0, 3}) {
            const RecordOutcome out = d.decrypt(input(records.at(i)));
            QVERIFY2(out.ok(), qPrintable(out.error.message));
            QCOMPARE(out.fields.first().dekVersion, i + 1);
            QCOMPARE(out.valueJson.isEmpty()
                         ? out.value.toObject().value(QStringLiteral("f1")).toString()
                         : QString(),
                     QString::number(i));
        }
        QCOMPARE(counting->versionListings.load(), 1);
        QCOMPARE(counting->dekLookups.load(), 4); // each version once, none twice
        QCOMPARE(d.cacheStats().kmsUnwraps, quint64(2));
        // A version that was fetched ahead is used from that answer.
        const RecordOutcome two = d.decrypt(input(records.at(1)));
        QVERIFY2(two.ok(), qPrintable(two.error.message));
        QCOMPARE(counting->dekLookups.load(), 4);
        QCOMPARE(d.cacheStats().kmsUnwraps, quint64(3));
    }

    void warmUpAsksAheadButUnwrapsNothing()
    {
        // Before any record: the subject's latest schema, its KEK and the newest DEK versions
        // come from the registry. The records then need no lookup, and a version is unwrapped
        // only when a record uses it.
        auto registry = std::make_shared<MemoryRegistry>();
        const QList<QByteArray> records = monthlyRecords(registry, 3);
        QCOMPARE(records.size(), 3);
        auto counting = std::make_shared<CountingRegistry>(registry);
        RecordDecryptor d(counting, counting, builtInKms(), secret(QStringLiteral("s")));
        d.warmUp(QStringLiteral("topic1-value"));
        QCOMPARE(counting->subjectLookups.load(), 1);
        QCOMPARE(counting->kekLookups.load(), 1);
        QCOMPARE(counting->versionListings.load(), 1);
        QCOMPARE(counting->dekLookups.load(), 3);
        QCOMPARE(d.cacheStats().kmsUnwraps, quint64(0));
        for (const int i : {2, 0}) {
            const RecordOutcome out = d.decrypt(input(records.at(i)));
            QVERIFY2(out.ok(), qPrintable(out.error.message));
            QCOMPARE(out.fields.first().status, FieldOutcome::Status::Decrypted);
            QCOMPARE(out.fields.first().dekVersion, i + 1);
            QCOMPARE(out.schemaSubject, QStringLiteral("topic1-value"));
        }
        QCOMPARE(counting->schemaLookups.load(), 0);
        QCOMPARE(counting->kekLookups.load(), 1);
        QCOMPARE(counting->dekLookups.load(), 3);
        QCOMPARE(counting->versionListings.load(), 1);
        QCOMPARE(d.cacheStats().kmsUnwraps, quint64(2));
        // Again: only the latest schema is asked for; the KEK is recent, the versions listed.
        d.warmUp(QStringLiteral("topic1-value"));
        QCOMPARE(counting->subjectLookups.load(), 2);
        QCOMPARE(counting->kekLookups.load(), 1);
        QCOMPARE(counting->versionListings.load(), 1);
        QCOMPARE(counting->dekLookups.load(), 3);
    }

    void warmUpFailuresAreLeftToTheRecords()
    {
        // A subject the registry does not know asks nothing further and costs the records
        // nothing; a KEK it cannot describe is asked for again by the record that needs it.
        auto registry = std::make_shared<MemoryRegistry>();
        const QList<QByteArray> records = monthlyRecords(registry, 1);
        QCOMPARE(records.size(), 1);
        auto counting = std::make_shared<CountingRegistry>(registry);
        RecordDecryptor d(counting, counting, builtInKms(), secret(QStringLiteral("s")));
        d.warmUp(QStringLiteral("elsewhere-value"));
        QCOMPARE(counting->subjectLookups.load(), 1);
        QCOMPARE(counting->kekLookups.load(), 0);
        QCOMPARE(counting->dekLookups.load(), 0);
        const RecordOutcome out = d.decrypt(input(records.first()));
        QVERIFY2(out.ok(), qPrintable(out.error.message));
        QCOMPARE(out.fields.first().status, FieldOutcome::Status::Decrypted);

        auto noKek = std::make_shared<MemoryRegistry>();
        noKek->addSchema(
            f1Schema({{QStringLiteral("encrypt.dek.expiry.days"), QStringLiteral("30")}}));
        auto countingNoKek = std::make_shared<CountingRegistry>(noKek);
        RecordDecryptor e(countingNoKek, countingNoKek, builtInKms(), secret(QStringLiteral("s")));
        e.warmUp(QStringLiteral("topic1-value"));
        QCOMPARE(countingNoKek->kekLookups.load(), 1);
        const RecordOutcome missing = e.decrypt(input(records.first()));
        QVERIFY2(missing.ok(), qPrintable(missing.error.message));
        QCOMPARE(missing.fields.first().error.code, QStringLiteral("engine.kek_not_found"));
        QCOMPARE(countingNoKek->kekLookups.load(), 2);
    }

    void protobufRoundTripAtAnyDepth()
    {
        // Tags from (confluent.field_meta) and from metadata.tags, on fields of nested and
        // repeated messages, a map's message values, the set member of a oneof, a bytes field,
        // and a second message chosen by its indexes; ENCRYPT_PAYLOAD on top.
        auto registry = std::make_shared<MemoryRegistry>(1'700'000'000'000);
        registry->addKek(localKek(QStringLiteral("kekA")));
        registry::Schema schema;
        schema.id = 9;
        schema.subject = QStringLiteral("people-value");
        schema.version = 1;
        schema.schemaType = QStringLiteral("PROTOBUF");
        schema.schema = QStringLiteral(R"(syntax = "proto3";
package crm;
import "confluent/meta.proto";
message Other { string x = 1; }
message Person {
  string name = 1 [(confluent.field_meta).tags = "PII"];
  int64 id = 2;
  Address home = 3;
  repeated Address previous = 4;
  map<string, Address> byLabel = 5;
  oneof contact {
    string email = 6 [(confluent.field_meta) = { tags: ["PII"] }];
    string phone = 7 [(confluent.field_meta).tags = "PII"];
  }
  bytes card = 8 [(confluent.field_meta).tags = "PCI"];
  string ssn = 9;
  message Address { string street = 1 [(confluent.field_meta).tags = "PII"]; string city = 2; }
}
)");
        schema.metadata = {
            {QStringLiteral("tags"),
             QJsonObject{{QStringLiteral("crm.Person.ssn"), QJsonArray{QStringLiteral("PII")}}}}};
        schema.ruleSet = {{QStringLiteral("domainRules"),
                           QJsonArray{encryptRule(QStringLiteral("kekA"),
                                                  {QStringLiteral("PII"), QStringLiteral("PCI")})}},
                          {QStringLiteral("encodingRules"),
                           QJsonArray{encryptRule(QStringLiteral("kekA"), {}, {},
                                                  QStringLiteral("ENCRYPT_PAYLOAD"))}}};
        registry->addSchema(schema);

        ManualClock clock(1'700'000'000'000);
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s3cret")), clock);
        const QJsonObject value = QJsonDocument::fromJson(R"({
            "name": "Ada", "id": "42",
            "home": {"street": "1 Main St", "city": "Leeds"},
            "previous": [{"street": "2 Elm Rd", "city": "York"}, {"street": "3 Oak Ln"}],
            "byLabel": {"work": {"street": "4 Mill St", "city": "Hull"}},
            "email": "ada@example.org",
            "card": "NDExMTExMTExMTExMTExMQ==",
            "ssn": "123-45-6789"})")
                                      .object();
        auto bytes = enc.encrypt(schema, QStringLiteral("people-value"), value, {},
                                 QStringLiteral("crm.Person"));
        QVERIFY2(bytes, qPrintable(bytes.error().message));
        // Framing, then the message indexes of crm.Person ([1]) in the clear.
        QCOMPARE(bytes->mid(5, 2), serde::encodeMessageIndexes({1}));

        RecordDecryptor dec(registry, registry, builtInKms(), secret(QStringLiteral("s3cret")));
        const RecordOutcome out = dec.decrypt(input(*bytes, QStringLiteral("people")));
        QVERIFY2(out.ok(), qPrintable(out.error.message));
        QCOMPARE(out.messageIndexes, QList<qint32>{1});
        QCOMPARE(out.messageType, QStringLiteral("crm.Person"));
        QCOMPARE(out.value.toObject(), value);
        QVERIFY(out.payload && out.payload->status == FieldOutcome::Status::Decrypted);
        QStringList paths;
        for (const FieldOutcome &f : out.fields) {
            QCOMPARE(f.status, FieldOutcome::Status::Decrypted);
            paths.append(f.path);
        }
        QCOMPARE(paths,
                 (QStringList{QStringLiteral("name"), QStringLiteral("home.street"),
                              QStringLiteral("previous.street"), QStringLiteral("previous.street"),
                              QStringLiteral("byLabel.value.street"), QStringLiteral("email"),
                              QStringLiteral("card"), QStringLiteral("ssn")}));
        // The stored form shows the ciphertexts where the values were.
        const QJsonObject stored = out.stored.toObject();
        QVERIFY(stored.value(QStringLiteral("name")) != value.value(QStringLiteral("name")));
        QCOMPARE(stored.value(QStringLiteral("id")), QJsonValue(QStringLiteral("42")));
        QCOMPARE(stored.value(QStringLiteral("home")).toObject().value(QStringLiteral("city")),
                 QJsonValue(QStringLiteral("Leeds")));

        // The inspect-only path names every encrypted value under the payload: only the payload.
        const RecordInspection seen = dec.inspect(input(*bytes, QStringLiteral("people")));
        QVERIFY2(seen.ok(), qPrintable(seen.error.message));
        QVERIFY(seen.payload && seen.fieldsHidden);

        // Masked text for the CLI: every decrypted leaf, bytes too, reads as the mask.
        DecryptOptions masked;
        masked.jsonText = true;
        masked.mask = QStringLiteral("***");
        const RecordOutcome text = dec.decrypt(input(*bytes, QStringLiteral("people")), masked);
        QVERIFY2(text.ok(), qPrintable(text.error.message));
        QVERIFY(!text.valueJson.contains("Ada"));
        QVERIFY(!text.valueJson.contains("NDExMTEx"));
        QCOMPARE(text.valueJson.count("\"***\""), 8);
        QVERIFY(text.valueJson.contains("\"city\":\"Leeds\""));
    }

    void protobufFieldsAreInspectedWithoutKeys()
    {
        auto registry = std::make_shared<MemoryRegistry>(1'700'000'000'000);
        registry->addKek(localKek(QStringLiteral("kekA")));
        registry::Schema schema;
        schema.id = 4;
        schema.schemaType = QStringLiteral("PROTOBUF");
        schema.schema = QStringLiteral(
            "syntax = \"proto3\"; import \"confluent/meta.proto\";\n"
            "message M { repeated string tags = 1 [(confluent.field_meta).tags = \"PII\"]; }");
        schema.ruleSet = {{QStringLiteral("domainRules"),
                           QJsonArray{encryptRule(QStringLiteral("kekA"), {QStringLiteral("PII")},
                                                  {{QStringLiteral("encrypt.dek.expiry.days"),
                                                    QStringLiteral("30")}})}}};
        registry->addSchema(schema);
        ManualClock clock(1'700'000'000'000);
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s")), clock);
        const QJsonObject value{
            {QStringLiteral("tags"), QJsonArray{QStringLiteral("a"), QStringLiteral("b")}}};
        auto bytes = enc.encrypt(schema, QStringLiteral("t-value"), value);
        QVERIFY2(bytes, qPrintable(bytes.error().message));
        auto counting = std::make_shared<CountingRegistry>(registry);
        RecordDecryptor dec(counting, counting, builtInKms(), secret(QStringLiteral("s")));
        const RecordInspection seen = dec.inspect(input(*bytes, QStringLiteral("t")));
        QVERIFY2(seen.ok(), qPrintable(seen.error.message));
        QCOMPARE(seen.values.size(), 2); // each element of the repeated field
        for (const EncryptedValue &v : seen.values) {
            QCOMPARE(v.path, QStringLiteral("tags"));
            QCOMPARE(v.kekName, QStringLiteral("kekA"));
            QCOMPARE(v.dekVersion, 1);
            QVERIFY(v.versionPrefixed);
        }
        QCOMPARE(counting->dekLookups.load(), 0);
        const RecordOutcome out = dec.decrypt(input(*bytes, QStringLiteral("t")));
        QVERIFY2(out.ok(), qPrintable(out.error.message));
        QCOMPARE(out.value.toObject(), value);
    }

    void protobufBadInputFailsTheRecordPrecisely()
    {
        Setup s;
        registry::Schema proto;
        proto.id = 3;
        proto.schemaType = QStringLiteral("PROTOBUF");
        proto.schema = QStringLiteral(
            "syntax = \"proto3\"; message A { string f = 1; } message B { string f = 1; }");
        s.registry->addSchema(proto);
        registry::Schema broken = proto;
        broken.id = 5;
        broken.schema = QStringLiteral("syntax = \"proto3\";\nmessage A { string f = 1 }");
        s.registry->addSchema(broken);
        RecordDecryptor d = s.decryptor();

        const RecordOutcome good = d.decrypt(input(serde::frameWithId(
            3, serde::encodeMessageIndexes({1}) + QByteArray::fromHex("0a0178"))));
        QVERIFY2(good.ok(), qPrintable(good.error.message));
        QCOMPARE(good.value.toObject(), QJsonObject({{QStringLiteral("f"), QStringLiteral("x")}}));

        const RecordOutcome unknown = d.decrypt(input(serde::frameWithId(
            3, serde::encodeMessageIndexes({2}) + QByteArray::fromHex("0a0178"))));
        QCOMPARE(unknown.error.code, QStringLiteral("serde.unknown_message"));
        QVERIFY2(unknown.error.message.contains(QStringLiteral("index 2 is out of range")),
                 qPrintable(unknown.error.message));
        QCOMPARE(unknown.messageIndexes, QList<qint32>{2});

        const RecordOutcome nested = d.decrypt(input(serde::frameWithId(
            3, serde::encodeMessageIndexes({0, 0}) + QByteArray::fromHex("0a0178"))));
        QCOMPARE(nested.error.code, QStringLiteral("serde.unknown_message"));
        QVERIFY2(nested.error.message.contains(QStringLiteral("message A has 0")),
                 qPrintable(nested.error.message));

        const RecordOutcome truncated = d.decrypt(input(serde::frameWithId(
            3, serde::encodeMessageIndexes({1}) + QByteArray::fromHex("0a0578"))));
        QCOMPARE(truncated.error.code, QStringLiteral("serde.bad_record"));
        QVERIFY2(truncated.error.message.contains(QStringLiteral("truncated")),
                 qPrintable(truncated.error.message));

        const RecordOutcome unparsable = d.decrypt(input(serde::frameWithId(
            5, serde::encodeMessageIndexes({0}) + QByteArray::fromHex("0a0178"))));
        QCOMPARE(unparsable.error.code, QStringLiteral("serde.bad_schema"));
        QVERIFY2(unparsable.error.message.contains(QStringLiteral("line 2")),
                 qPrintable(unparsable.error.message));

        // Broken indexes are a framing error, not a silent [0].
        const RecordOutcome bad =
            d.decrypt(input(serde::frameWithId(3, QByteArray::fromHex("06"))));
        QCOMPARE(bad.error.code, QStringLiteral("serde.malformed_framing"));
        // And one bad record leaves the next good one alone.
        QVERIFY(d.decrypt(input(serde::frameWithId(3, serde::encodeMessageIndexes({0}) +
                                                          QByteArray::fromHex("0a0179"))))
                    .ok());
    }

    void kekNotFound()
    {
        Setup s;
        s.registry->addSchema(f1Schema());
        RecordDecryptor d = s.decryptor();
        const RecordOutcome out = d.decrypt(input(gcmRecord()));
        QVERIFY(out.ok());
        QCOMPARE(out.fields.first().error.code, QStringLiteral("engine.kek_not_found"));
    }

    void dekVersionNotFound()
    {
        // The rotation record names DEK version 1; only version 2 exists.
        Setup s;
        s.registry->addKek(localKek(QStringLiteral("kek1")));
        s.registry->addDek(dek(QStringLiteral("kek1"), QStringLiteral("topic1-value"), 2,
                               QStringLiteral("AES256_GCM"), kRotKek));
        s.registry->addSchema(
            f1Schema({{QStringLiteral("encrypt.dek.expiry.days"), QStringLiteral("1")}}));
        RecordDecryptor d = s.decryptor();
        const RecordOutcome out = d.decrypt(input(rotationRecord()));
        QCOMPARE(out.fields.first().error.code, QStringLiteral("engine.dek_not_found"));
        QVERIFY(out.fields.first().error.message.contains(QStringLiteral("version 1")));
    }

    void deletedKekStillDecryptsButIsFlagged()
    {
        Setup s = vectorSetup(QStringLiteral("AES256_GCM"), kGcmKek, {});
        registry::Kek deleted = localKek(QStringLiteral("kek1"));
        deleted.deleted = true;
        s.registry->addKek(deleted);
        RecordDecryptor d = s.decryptor();
        const RecordOutcome out = d.decrypt(input(gcmRecord()));
        QCOMPARE(out.fields.first().status, FieldOutcome::Status::Decrypted);
        QVERIFY(out.fields.first().kekDeleted);
    }

    void unsupportedKmsType()
    {
        Setup s = vectorSetup(QStringLiteral("AES256_GCM"), kGcmKek, {});
        registry::Kek aws = localKek(QStringLiteral("kek1"));
        aws.kmsType = QStringLiteral("oracle-kms");
        aws.kmsKeyId = QStringLiteral("arn:aws:kms:eu-west-1:123456789012:key/abc");
        s.registry->addKek(aws);
        RecordDecryptor d = s.decryptor();
        const RecordOutcome out = d.decrypt(input(gcmRecord()));
        QCOMPARE(out.fields.first().status, FieldOutcome::Status::Failed);
        QCOMPARE(out.fields.first().error.code, QStringLiteral("kms.unsupported_type"));
    }

    void disabledRuleAndEnableAtLeaveCiphertext()
    {
        for (const QString &variant :
             {QStringLiteral("disabled"), QStringLiteral("NONE"), QStringLiteral("WRITE")}) {
            Setup s = vectorSetup(QStringLiteral("AES256_GCM"), kGcmKek, {});
            registry::Schema schema = f1Schema();
            QJsonObject rule = encryptRule(QStringLiteral("kek1"), {QStringLiteral("PII")});
            if (variant == QLatin1String("disabled"))
                rule.insert(QStringLiteral("disabled"), true);
            if (variant == QLatin1String("WRITE"))
                rule.insert(QStringLiteral("mode"), QStringLiteral("WRITE"));
            schema.ruleSet = {{QStringLiteral("domainRules"), QJsonArray{rule}}};
            if (variant == QLatin1String("NONE"))
                schema.ruleSet.insert(QStringLiteral("enableAt"), QStringLiteral("NONE"));
            s.registry = std::make_shared<MemoryRegistry>();
            s.registry->addKek(localKek(QStringLiteral("kek1")));
            s.registry->addSchema(schema);
            RecordDecryptor d = s.decryptor();
            const RecordOutcome out = d.decrypt(input(gcmRecord()));
            QVERIFY(out.ok());
            QCOMPARE(out.value, out.stored);
            QCOMPARE(out.fields.size(), 1);
            QCOMPARE(out.fields.first().status, FieldOutcome::Status::Plain);
        }
    }

    void paramsFallBackToMetadataProperties()
    {
        Setup s;
        s.registry->addKek(localKek(QStringLiteral("kek1")));
        s.registry->addDek(dek(QStringLiteral("kek1"), QStringLiteral("topic1-value"), 1,
                               QStringLiteral("AES256_SIV"), kSivKek));
        registry::Schema schema = f1Schema();
        QJsonObject rule = encryptRule(QStringLiteral("kek1"), {QStringLiteral("PII")});
        rule.insert(QStringLiteral("params"),
                    QJsonObject{}); // no kek name, no algorithm in the rule
        schema.ruleSet = {{QStringLiteral("domainRules"), QJsonArray{rule}}};
        schema.metadata = {
            {QStringLiteral("properties"),
             QJsonObject{{QStringLiteral("encrypt.kek.name"), QStringLiteral("kek1")},
                         {QStringLiteral("encrypt.dek.algorithm"), QStringLiteral("AES256_SIV")}}}};
        s.registry->addSchema(schema);
        RecordDecryptor d = s.decryptor();
        const RecordOutcome out = d.decrypt(input(sivRecord()));
        QVERIFY(out.ok());
        QCOMPARE(out.value.toObject().value(QStringLiteral("f1")).toString(),
                 QStringLiteral("hello world"));
    }

    void roundTripTwoKeksAndPayload()
    {
        // A schema with two ENCRYPT rules on different KEKs and tags, and ENCRYPT_PAYLOAD on
        // top: what the encryptor writes, the decryptor reads back.
        auto registry = std::make_shared<MemoryRegistry>(1'700'000'000'000);
        registry->addKek(localKek(QStringLiteral("kekA")));
        registry->addKek(localKek(QStringLiteral("kekB")));
        registry::Schema schema;
        schema.id = 7;
        schema.subject = QStringLiteral("payments-value");
        schema.version = 1;
        schema.schema = QStringLiteral(
            R"({"type":"record","name":"Payment","namespace":"bank","fields":[
                {"name":"iban","type":"string","confluent:tags":["PII"]},
                {"name":"card","type":["null","bytes"],"default":null,"confluent:tags":["PCI"]},
                {"name":"amount","type":"long"}]})");
        schema.ruleSet = {{QStringLiteral("domainRules"),
                           QJsonArray{encryptRule(QStringLiteral("kekA"), {QStringLiteral("PII")}),
                                      encryptRule(QStringLiteral("kekB"), {QStringLiteral("PCI")},
                                                  {{QStringLiteral("encrypt.dek.algorithm"),
                                                    QStringLiteral("AES128_GCM")}})}},
                          {QStringLiteral("encodingRules"),
                           QJsonArray{encryptRule(QStringLiteral("kekA"), {}, {},
                                                  QStringLiteral("ENCRYPT_PAYLOAD"))}}};
        registry->addSchema(schema);

        ManualClock clock(1'700'000'000'000);
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s3cret")), clock);
        const QJsonObject value{{QStringLiteral("iban"), QStringLiteral("DE89370400440532013000")},
                                {QStringLiteral("card"),
                                 QString::fromLatin1(QByteArray("4111111111111111").toBase64())},
                                {QStringLiteral("amount"), 1250}};
        auto bytes = enc.encrypt(schema, QStringLiteral("payments-value"), value);
        QVERIFY2(bytes, qPrintable(bytes.error().message));
        QVERIFY(!bytes->contains("DE89370400440532013000"));
        QCOMPARE(registry->deks().size(), 2); // kekA (fields and payload share it) and kekB
        RecordDecryptor dec(registry, registry, builtInKms(), secret(QStringLiteral("s3cret")));
        const RecordOutcome out = dec.decrypt(input(*bytes, QStringLiteral("payments")));
        QVERIFY2(out.ok(), qPrintable(out.error.message));
        QCOMPARE(out.value.toObject(), value);
        QVERIFY(out.payload && out.payload->status == FieldOutcome::Status::Decrypted);
        QCOMPARE(out.fields.size(), 2);
        QCOMPARE(out.fields.at(0).kekName, QStringLiteral("kekA"));
        QCOMPARE(out.fields.at(1).kekName, QStringLiteral("kekB"));
        QCOMPARE(out.fields.at(1).algorithm, QStringLiteral("AES128_GCM"));

        // A tampered payload fails the record as a whole, with the payload step's reason.
        QByteArray tampered = *bytes;
        tampered[tampered.size() - 3] = char(tampered.at(tampered.size() - 3) ^ 0x01);
        const RecordOutcome bad = dec.decrypt(input(tampered, QStringLiteral("payments")));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error.code, QStringLiteral("crypto.authentication_failed"));
        QVERIFY(bad.payload && bad.payload->status == FieldOutcome::Status::Failed);
    }

    void oneMemoFollowsEachRecordsSchemaAndKey()
    {
        // A chunk's records share one KeyMemo; each still decodes with its own schema and key,
        // and a record that fails its lookup leaves the memo good for the next one.
        auto registry = std::make_shared<MemoryRegistry>();
        registry->addKek(localKek(QStringLiteral("kek1")));
        registry->addKek(localKek(QStringLiteral("kek2")));
        registry::Schema one = f1Schema();
        registry::Schema two = f1Schema();
        two.id = 2;
        two.version = 2;
        two.schema = QStringLiteral(
            R"({"type":"record","name":"F2Schema","fields":[{"name":"f2","type":"string","confluent:tags":["PII"]}]})");
        two.ruleSet =
            QJsonObject{{QStringLiteral("domainRules"),
                         QJsonArray{encryptRule(QStringLiteral("kek2"), {QStringLiteral("PII")})}}};
        registry->addSchema(one);
        registry->addSchema(two);
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s")));
        const QString subject = QStringLiteral("topic1-value");
        auto a =
            enc.encrypt(one, subject, QJsonObject{{QStringLiteral("f1"), QStringLiteral("a")}});
        auto b =
            enc.encrypt(two, subject, QJsonObject{{QStringLiteral("f2"), QStringLiteral("b")}});
        QVERIFY(a && b);
        QByteArray unknown = *a;
        unknown[4] = char(99); // schema id 99: not in the registry

        RecordDecryptor dec(registry, registry, builtInKms(), secret(QStringLiteral("s")));
        DecryptOptions options;
        options.jsonText = true;
        const QList<QByteArray> payloads{*a, *b, unknown, *a, *b, *b, *a};
        const QList<int> ids{1, 2, 99, 1, 2, 2, 1};
        // Shared schemas, then the memo's own copies (as pipeline workers use it), forgetting
        // the key between "chunks".
        for (const bool own : {false, true}) {
            RecordDecryptor::KeyMemo memo;
            if (own)
                memo.usePrivateSchemas();
            for (qsizetype i = 0; i < payloads.size(); ++i) {
                if (own && i % 2 == 0)
                    memo.forgetKey();
                const RecordOutcome out = dec.decrypt(input(payloads.at(i)), options, memo);
                if (ids.at(i) == 99) {
                    QVERIFY(!out.ok());
                    QCOMPARE(out.error.code, QStringLiteral("engine.unknown_schema"));
                    continue;
                }
                QVERIFY2(out.ok(), qPrintable(out.error.message));
                QCOMPARE(out.schemaId, ids.at(i));
                QCOMPARE(out.schemaVersion, ids.at(i));
                QCOMPARE(out.fields.size(), 1);
                QCOMPARE(out.fields.first().kekName,
                         ids.at(i) == 1 ? QStringLiteral("kek1") : QStringLiteral("kek2"));
                QCOMPARE(out.valueJson, ids.at(i) == 1 ? QByteArray(R"({"f1":"a"})")
                                                       : QByteArray(R"({"f2":"b"})"));
                QCOMPARE(out.schemaSubject, QStringLiteral("topic1-value"));
            }
        }
    }

    void rotationCreatesNewVersionsOnWrite()
    {
        auto registry = std::make_shared<MemoryRegistry>();
        registry->addKek(localKek(QStringLiteral("kek1")));
        registry::Schema schema =
            f1Schema({{QStringLiteral("encrypt.dek.expiry.days"), QStringLiteral("30")}});
        registry->addSchema(schema);
        const qint64 day = 86'400'000;
        ManualClock clock(1'600'000'000'000);
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s")), clock);
        RecordDecryptor dec(registry, registry, builtInKms(), secret(QStringLiteral("s")));
        QList<int> versions;
        for (int month = 0; month < 4; ++month) {
            registry->setNowMs(clock.nowMs());
            auto bytes =
                enc.encrypt(schema, QStringLiteral("topic1-value"),
                            QJsonObject{{QStringLiteral("f1"), QStringLiteral("v%1").arg(month)}});
            QVERIFY(bytes);
            const RecordOutcome out = dec.decrypt(input(*bytes));
            QVERIFY(out.ok());
            QCOMPARE(out.value.toObject().value(QStringLiteral("f1")).toString(),
                     QStringLiteral("v%1").arg(month));
            versions.append(out.fields.first().dekVersion);
            clock.advanceMs(31 * day);
        }
        QCOMPARE(versions, (QList<int>{1, 2, 3, 4}));
    }
};

QTEST_GUILESS_MAIN(TestRecordDecryptor)
#include "tst_recorddecryptor.moc"
