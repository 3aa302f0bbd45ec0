// The write path: byte-exact with Confluent where the output is deterministic (AES-SIV), DEK
// creation like a producer, and clear errors instead of half-written records.

#include "core/engine/recorddecryptor.h"
#include "core/engine/recordencryptor.h"
#include "enginefixture.h"

#include <QTest>

using namespace kw;
using namespace kw::engine;
using namespace kwtest;

namespace {
const QByteArray kSivKek = "YSx3DTlAHrmpoDChquJMifmPntBzxgRVdMzgYL82rgWBKn7aUSnG+WIu9ozBNS3y2vXd++"
                           "mBtK07w4/W/G6w0da39X9hfOVZsGnkSvry/QRht84V8yz3dqKxGMOK5A==";
const QJsonObject kHello{{QStringLiteral("f1"), QStringLiteral("hello world")}};
} // namespace

class TestRecordEncryptor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sivIsByteExactWithConfluent()
    {
        auto registry = std::make_shared<MemoryRegistry>();
        registry->addKek(localKek(QStringLiteral("kek1")));
        registry->addDek(dek(QStringLiteral("kek1"), QStringLiteral("topic1-value"), 1,
                             QStringLiteral("AES256_SIV"), kSivKek));
        const registry::Schema schema =
            f1Schema({{QStringLiteral("encrypt.dek.algorithm"), QStringLiteral("AES256_SIV")}});
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("mysecret")));
        auto bytes = enc.encrypt(schema, QStringLiteral("topic1-value"), kHello);
        QVERIFY2(bytes, qPrintable(bytes.error().message));
        // The record of the official vector (b), byte for byte.
        QCOMPARE(*bytes, bytesFromDecimal({0,   0,   0,   0,   1,   72, 68,  54,  89, 116, 120,
                                           114, 108, 66,  110, 107, 84, 87,  87,  57, 78,  54,
                                           86,  98,  107, 51,  73,  73, 110, 106, 87, 72,  56,
                                           49,  120, 109, 89,  104, 51, 107, 52,  100}));
        QCOMPARE(enc.createdDeks(), 0);
    }

    void gcmIsRandomisedButReadable()
    {
        auto registry = std::make_shared<MemoryRegistry>();
        registry->addKek(localKek(QStringLiteral("kek1")));
        const registry::Schema schema = f1Schema();
        registry->addSchema(schema);
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s")));
        auto a = enc.encrypt(schema, QStringLiteral("topic1-value"), kHello);
        auto b = enc.encrypt(schema, QStringLiteral("topic1-value"), kHello);
        QVERIFY(a && b);
        QVERIFY(*a != *b);
        QCOMPARE(enc.createdDeks(), 1);
        const QList<registry::Dek> deks = registry->deks();
        QCOMPARE(deks.size(), 1);
        QCOMPARE(deks.first().version, 1);
        QCOMPARE(deks.first().algorithm, QStringLiteral("AES256_GCM"));
        // local-kms wraps a 34-byte AES256_GCM key proto: 12 + 34 + 16 bytes.
        QCOMPARE(deks.first().encryptedKeyMaterial.size(), 62);
        RecordDecryptor dec(registry, registry, builtInKms(), secret(QStringLiteral("s")));
        RecordInput in;
        in.topic = QStringLiteral("topic1");
        in.payload = *b;
        QCOMPARE(dec.decrypt(in).value.toObject(), kHello);
    }

    // Parsed schemas are reused, but only for the same schema: a schema with the same id and
    // text but other rules (or none) must be written by its own rules.
    void eachSchemaIsWrittenByItsOwnRules()
    {
        auto registry = std::make_shared<MemoryRegistry>();
        registry->addKek(localKek(QStringLiteral("kek1")));
        registry->addDek(dek(QStringLiteral("kek1"), QStringLiteral("topic1-value"), 1,
                             QStringLiteral("AES256_SIV"), kSivKek));
        const registry::Schema siv =
            f1Schema({{QStringLiteral("encrypt.dek.algorithm"), QStringLiteral("AES256_SIV")}});
        registry::Schema plain = siv;
        plain.ruleSet = {};
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("mysecret")));
        for (int round = 0; round < 2; ++round) {
            auto encrypted = enc.encrypt(siv, QStringLiteral("topic1-value"), kHello);
            auto clear = enc.encrypt(plain, QStringLiteral("topic1-value"), kHello);
            QVERIFY(encrypted && clear);
            QVERIFY(!encrypted->contains("hello world"));
            QVERIFY(clear->contains("hello world"));
            // Deterministic AES-SIV: the same bytes every time, cached or not.
            QCOMPARE(*encrypted, *enc.encrypt(siv, QStringLiteral("topic1-value"), kHello));
        }
    }

    void missingKekIsAnError()
    {
        auto registry = std::make_shared<MemoryRegistry>();
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s")));
        auto bytes = enc.encrypt(f1Schema(), QStringLiteral("topic1-value"), kHello);
        QVERIFY(!bytes);
        QCOMPARE(bytes.error().code, QStringLiteral("engine.kek_not_found"));
    }

    void missingSecretIsAnError()
    {
        auto registry = std::make_shared<MemoryRegistry>();
        registry->addKek(localKek(QStringLiteral("kek1")));
        qunsetenv("LOCAL_SECRET");
        RecordEncryptor enc(registry, builtInKms(), {});
        auto bytes = enc.encrypt(f1Schema(), QStringLiteral("topic1-value"), kHello);
        QVERIFY(!bytes);
        QCOMPARE(bytes.error().code, QStringLiteral("kms.not_configured"));
        QVERIFY(registry->deks().isEmpty());
    }

    void taggedNonStringFieldIsRefused()
    {
        auto registry = std::make_shared<MemoryRegistry>();
        registry->addKek(localKek(QStringLiteral("kek1")));
        registry::Schema schema = f1Schema();
        schema.schema = QStringLiteral(
            R"({"type":"record","name":"R","fields":[{"name":"n","type":"int","confluent:tags":["PII"]}]})");
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s")));
        auto bytes = enc.encrypt(schema, QStringLiteral("topic1-value"),
                                 QJsonObject{{QStringLiteral("n"), 4}});
        QVERIFY(!bytes);
        QCOMPARE(bytes.error().code, QStringLiteral("engine.unsupported_type"));
    }

    void badRuleParametersAreReported()
    {
        auto registry = std::make_shared<MemoryRegistry>();
        registry->addKek(localKek(QStringLiteral("kek1")));
        RecordEncryptor enc(registry, builtInKms(), secret(QStringLiteral("s")));
        auto bytes = enc.encrypt(
            f1Schema({{QStringLiteral("encrypt.dek.algorithm"), QStringLiteral("ROT13")}}),
            QStringLiteral("topic1-value"), kHello);
        QVERIFY(!bytes);
        QCOMPARE(bytes.error().code, QStringLiteral("rules.bad_algorithm"));
    }
};

QTEST_GUILESS_MAIN(TestRecordEncryptor)
#include "tst_recordencryptor.moc"
