// libFuzzer target: arbitrary bytes through framing, schema lookup, payload and field
// decryption, and Avro/JSON decoding. Must never crash, hang or read out of bounds.
//
// Input layout: byte 0 picks the schema and options, the rest is the record payload; when
// bit 7 of byte 0 is set, the first 17 payload bytes go to a __value_schema_id header.

#include "engine/memoryregistry.h"
#include "engine/recorddecryptor.h"
#include "serde/jsontext.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>
#include <cstdlib>

using namespace kw;

namespace {

QJsonObject rule(const QString &type, const QStringList &tags, const QJsonObject &extra = {})
{
    QJsonObject params{{QStringLiteral("encrypt.kek.name"), QStringLiteral("kek1")}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        params.insert(it.key(), it.value());
    return {{QStringLiteral("type"), type},
            {QStringLiteral("tags"), QJsonArray::fromStringList(tags)},
            {QStringLiteral("params"), params}};
}

registry::Schema schema(int id, const QString &type, const QString &text,
                        const QJsonObject &ruleSet)
{
    registry::Schema s;
    s.id = id;
    s.subject = QStringLiteral("topic1-value");
    s.version = id;
    s.schemaType = type;
    s.schema = text;
    s.ruleSet = ruleSet;
    return s;
}

struct Harness
{
    std::shared_ptr<engine::MemoryRegistry> registry = std::make_shared<engine::MemoryRegistry>();
    std::unique_ptr<engine::RecordDecryptor> decryptor;

    Harness()
    {
        registry::Kek kek;
        kek.name = QStringLiteral("kek1");
        kek.kmsType = QStringLiteral("local-kms");
        kek.kmsKeyId = QStringLiteral("mykey");
        registry->addKek(kek);
        const auto addDek = [&](const char *alg, const char *b64) {
            registry::Dek d;
            d.kekName = QStringLiteral("kek1");
            d.subject = QStringLiteral("topic1-value");
            d.algorithm = QLatin1String(alg);
            d.encryptedKeyMaterial = QByteArray::fromBase64(b64);
            registry->addDek(d);
        };
        addDek(
            "AES256_GCM",
            "07V2ndh02DA73p+dTybwZFm7DKQSZN1tEwQh+FoX1DZLk4Yj2LLu4omYjp/84tAg3BYlkfGSz+zZacJHIE4=");
        addDek("AES256_SIV", "YSx3DTlAHrmpoDChquJMifmPntBzxgRVdMzgYL82rgWBKn7aUSnG+WIu9ozBNS3y2vXd+"
                             "+mBtK07w4/W/G6w0da39X9hfOVZsGnkSvry/QRht84V8yz3dqKxGMOK5A==");
        const QJsonObject pii{
            {QStringLiteral("domainRules"),
             QJsonArray{rule(QStringLiteral("ENCRYPT"), {QStringLiteral("PII")})}}};
        registry->addSchema(schema(
            1, QStringLiteral("AVRO"),
            QStringLiteral(
                R"({"type":"record","name":"F1Schema","fields":[{"name":"f1","type":"string","confluent:tags":["PII"]}]})"),
            pii));
        registry->addSchema(schema(
            2, QStringLiteral("AVRO"),
            QStringLiteral(R"({"type":"record","name":"Customer","namespace":"bank","fields":[
              {"name":"ssn","type":"string","confluent:tags":["PII"]},
              {"name":"card","type":["null","bytes"],"confluent:tags":["PII"]},
              {"name":"addresses","type":{"type":"array","items":{"type":"record","name":"Address","fields":[
                 {"name":"street","type":"string","confluent:tags":["PII"]},{"name":"zip","type":"int"}]}}},
              {"name":"notes","type":{"type":"map","values":"string"}},
              {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]}},
              {"name":"id","type":{"type":"fixed","name":"Id","size":4}},
              {"name":"score","type":"double"}]})"),
            QJsonObject{{QStringLiteral("domainRules"),
                         QJsonArray{rule(QStringLiteral("ENCRYPT"), {QStringLiteral("PII")},
                                         {{QStringLiteral("encrypt.dek.expiry.days"),
                                           QStringLiteral("1")}})}}}));
        registry->addSchema(
            schema(3, QStringLiteral("AVRO"), QStringLiteral(R"("string")"),
                   QJsonObject{{QStringLiteral("encodingRules"),
                                QJsonArray{rule(QStringLiteral("ENCRYPT_PAYLOAD"), {})}}}));
        registry->addSchema(schema(
            4, QStringLiteral("JSON"),
            QStringLiteral(
                R"({"type":"object","properties":{"name":{"type":"string","confluent:tags":["PII"]},
                "items":{"type":"array","items":{"type":"object","properties":{"v":{"type":"string","confluent:tags":["PII"]}}}}}})"),
            pii));
        auto kms = std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
        decryptor = std::make_unique<engine::RecordDecryptor>(
            registry, registry, kms,
            kms::KmsConfig{{QStringLiteral("secret"), QStringLiteral("mysecret")}});
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int argc = 1;
    static char name[] = "fuzz_record";
    static char *argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv);
    static Harness harness;
    if (size < 1)
        return 0;
    const uint8_t control = data[0];
    QByteArray payload(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    engine::RecordInput in;
    in.topic = QStringLiteral("topic1");
    in.isKey = control & 0x40;
    if ((control & 0x80) && payload.size() >= 17) {
        in.headers.append({in.isKey ? QByteArrayLiteral("__key_schema_id")
                                    : QByteArrayLiteral("__value_schema_id"),
                           payload.left(17)});
        payload.remove(0, 17);
    }
    in.payload = payload;
    const engine::RecordOutcome out = harness.decryptor->decrypt(in);
    // Touch everything the outcome holds, so a bad value is noticed here and not in a UI.
    volatile qsizetype sink = out.error.message.size() + out.fields.size();
    for (const auto &f : out.fields)
        sink = sink + f.path.size() + f.error.message.size();
    (void)sink;

    // The JSON-text path must agree with the QJsonValue path: same success, same error, same
    // value and the same field outcomes; its text must be valid JSON.
    engine::DecryptOptions textOptions;
    textOptions.jsonText = true;
    const engine::RecordOutcome text = harness.decryptor->decrypt(in, textOptions);
    if (text.ok() != out.ok() || text.error.message != out.error.message ||
        text.fields.size() != out.fields.size())
        abort();
    for (qsizetype i = 0; i < out.fields.size(); ++i)
        if (text.fields.at(i).path != out.fields.at(i).path ||
            text.fields.at(i).status != out.fields.at(i).status)
            abort();
    if (out.ok()) {
        // Through text on both sides, so NaN and infinities compare (both become null).
        QByteArray expected;
        serde::appendJsonValue(expected, out.value);
        QJsonParseError pe{};
        const QJsonDocument doc = QJsonDocument::fromJson('[' + text.valueJson + ']', &pe);
        if (pe.error != QJsonParseError::NoError ||
            doc != QJsonDocument::fromJson('[' + expected + ']'))
            abort();
    }
    return 0;
}
