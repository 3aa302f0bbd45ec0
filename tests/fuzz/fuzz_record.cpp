// libFuzzer target: arbitrary bytes through framing, schema lookup, payload and field
// decryption, and Avro/JSON/Protobuf decoding. Must never crash, hang or read out of bounds.
//
// Input layout: byte 0 picks the options, the rest is the record payload.
//   bit 7: the first 17 payload bytes go to a __value_schema_id (or __key_schema_id) header
//   bit 6: the record is a key
//   bit 5: seal: the harness encrypts the body (what follows the framing, and for a Protobuf
//          schema the message indexes, which stay in the clear) with the subject's DEK before
//          the decryptor sees it, so mutations of a payload-encrypted body reach its decoding
//          instead of stopping at the authentication tag
//   bit 4: with bit 5, seal with the AES256_SIV DEK instead of the AES256_GCM one
//
// The schemas (ids 1-10) cover field encryption with AES256_GCM and AES256_SIV (the algorithm
// from the rule's params or from the schema's metadata.properties), DEK rotation prefixes,
// payload encryption (ENCRYPT_PAYLOAD) alone and around encrypted fields, Avro, JSON and
// Protobuf (ids 8-10: nested, repeated, map and oneof fields tagged through
// (confluent.field_meta) and metadata.tags, several top-level messages so the message indexes
// choose). Every input is also inspected (RecordDecryptor::inspect), the key-less path.
// The seeds in corpus/fuzz_record decrypt successfully (tests/fuzz/make_seeds.py).
// KW_FUZZ_VERBOSE=1 prints what the decryptor made of each input (for triage).

#include "core/crypto/crypto.h"
#include "core/engine/memoryregistry.h"
#include "core/engine/recorddecryptor.h"
#include "core/serde/framing.h"
#include "core/serde/jsontext.h"
#include "reach.h"

#include <QCoreApplication>
#include <QDebug>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>
#include <cstdlib>

using namespace kw;

namespace {

// The DEKs of the test vectors in csfle-facts §4.5 (KEK kek1, local-kms secret "mysecret").
constexpr char kGcmDek[] =
    "07V2ndh02DA73p+dTybwZFm7DKQSZN1tEwQh+FoX1DZLk4Yj2LLu4omYjp/84tAg3BYlkfGSz+zZacJHIE4=";
constexpr char kSivDek[] = "YSx3DTlAHrmpoDChquJMifmPntBzxgRVdMzgYL82rgWBKn7aUSnG+WIu9ozBNS3y2vXd+"
                           "+mBtK07w4/W/G6w0da39X9hfOVZsGnkSvry/QRht84V8yz3dqKxGMOK5A==";
// Their unwrapped keys, for sealing (bit 5).
constexpr char kGcmKey[] = "41e5234c24a6a4f85b1d8237e99a12df8722f0c21837556acd0ec7adde5869cf";
constexpr char kSivKey[] = "9b971301e8ef5f0d9ce82e8cb28ef8fb14fa74944f4e5a958f598389958e1e39"
                           "2b76c3e213b4a726c8437e3f0ee4a137bde3f4b8990e07aa8a050c8e7115498f";

const QString kPii = QStringLiteral("PII");
const QString kSiv = QStringLiteral("AES256_SIV");

QJsonObject rule(const QString &type, const QStringList &tags, const QJsonObject &extra = {},
                 bool withKek = true)
{
    QJsonObject params;
    if (withKek)
        params.insert(QStringLiteral("encrypt.kek.name"), QStringLiteral("kek1"));
    for (auto it = extra.begin(); it != extra.end(); ++it)
        params.insert(it.key(), it.value());
    return {{QStringLiteral("type"), type},
            {QStringLiteral("tags"), QJsonArray::fromStringList(tags)},
            {QStringLiteral("params"), params}};
}

QJsonObject fieldRule(const QJsonObject &extra = {})
{
    return rule(QStringLiteral("ENCRYPT"), {kPii}, extra);
}

QJsonObject payloadRule(const QJsonObject &extra = {})
{
    return rule(QStringLiteral("ENCRYPT_PAYLOAD"), {}, extra);
}

QJsonObject sivParams()
{
    return {{QStringLiteral("encrypt.dek.algorithm"), kSiv}};
}

registry::Schema schema(int id, const QString &type, const QString &text,
                        const QJsonObject &ruleSet, const QJsonObject &metadata = {})
{
    registry::Schema s;
    s.id = id;
    // Every schema can also be named by GUID framing or a schema-id header.
    s.guid = QStringLiteral("00000000-0000-4000-8000-%1").arg(id, 12, 10, QLatin1Char('0'));
    s.subject = QStringLiteral("topic1-value");
    s.version = id;
    s.schemaType = type;
    s.schema = text;
    s.ruleSet = ruleSet;
    s.metadata = metadata;
    return s;
}

const QString kF1Schema = QStringLiteral(
    R"({"type":"record","name":"F1Schema","fields":[{"name":"f1","type":"string","confluent:tags":["PII"]}]})");

const QString kCustomerSchema =
    QStringLiteral(R"({"type":"record","name":"Customer","namespace":"bank","fields":[
      {"name":"ssn","type":"string","confluent:tags":["PII"]},
      {"name":"card","type":["null","bytes"],"confluent:tags":["PII"]},
      {"name":"addresses","type":{"type":"array","items":{"type":"record","name":"Address","fields":[
         {"name":"street","type":"string","confluent:tags":["PII"]},{"name":"zip","type":"int"}]}}},
      {"name":"notes","type":{"type":"map","values":"string"}},
      {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]}},
      {"name":"id","type":{"type":"fixed","name":"Id","size":4}},
      {"name":"score","type":"double"}]})");

const QString kJsonSchema = QStringLiteral(
    R"({"type":"object","properties":{"name":{"type":"string","confluent:tags":["PII"]},
    "items":{"type":"array","items":{"type":"object","properties":{"v":{"type":"string","confluent:tags":["PII"]}}}}}})");

// Three top-level messages: the indexes [0], [1], [2] and [1, 0] (bank.Customer.Address) each
// name a different one. Address is declared before the map field, so [1, 0] names it whether
// or not a map's entry type counts among the nested messages (libprotobuf's descriptors hold it
// there, where the field is declared).
const QString kBankProto = QStringLiteral(R"(syntax = "proto3";
package bank;
import "confluent/meta.proto";
message Note { string text = 1 [(confluent.field_meta).tags = "PII"]; }
message Customer {
  message Address {
    string street = 1 [(confluent.field_meta).tags = "PII"];
    sint32 zip = 2;
  }
  enum Kind { A = 0; B = 1; }
  string ssn = 1 [(confluent.field_meta).tags = "PII"];
  bytes card = 2 [(confluent.field_meta) = { tags: ["PII"] }];
  repeated Address addresses = 3;
  map<string, Address> by_label = 4;
  oneof contact {
    string email = 5 [(confluent.field_meta).tags = "PII"];
    int64 phone = 6;
  }
  Kind kind = 7;
  double score = 8;
  fixed32 id = 9;
  repeated string aliases = 10 [(confluent.field_meta).tags = "PII"];
  optional string nickname = 11;
}
message Batch { repeated Customer customers = 1; map<int32, bytes> blobs = 2; }
)");
constexpr int kFirstProtobufId = 8;

enum Counter
{
    GcmFieldDecrypted,
    SivFieldDecrypted,
    RotatedFieldDecrypted,
    GcmPayloadDecoded,
    SivPayloadDecoded,
    PayloadWithFieldsDecoded,
    JsonRecordDecoded,
    ProtobufFieldDecrypted,
    ProtobufNestedFieldDecrypted,
    ProtobufRotatedFieldDecrypted,
    ProtobufPayloadWithFieldsDecoded,
    ProtobufNestedMessageDecoded,
    ProtobufFieldInspected,
};
constexpr const char *kCounterNames[] = {
    "gcm_fields_decrypted",
    "siv_fields_decrypted",
    "rotated_fields_decrypted",
    "gcm_payloads_decoded",
    "siv_payloads_decoded",
    "payloads_with_fields_decoded",
    "json_records_decoded",
    "protobuf_fields_decrypted",
    "protobuf_nested_fields_decrypted",
    "protobuf_rotated_fields_decrypted",
    "protobuf_payloads_with_fields_decoded",
    "protobuf_nested_messages_decoded",
    "protobuf_fields_inspected",
};

struct Harness
{
    std::shared_ptr<engine::MemoryRegistry> registry = std::make_shared<engine::MemoryRegistry>();
    std::unique_ptr<engine::RecordDecryptor> decryptor;
    crypto::SecureBytes gcmKey = crypto::SecureBytes::fromBytes(QByteArray::fromHex(kGcmKey));
    crypto::SecureBytes sivKey = crypto::SecureBytes::fromBytes(QByteArray::fromHex(kSivKey));
    fuzz::Reach reach{kCounterNames};
    const bool verbose = qEnvironmentVariableIsSet("KW_FUZZ_VERBOSE");

    Harness()
    {
        registry::Kek kek;
        kek.name = QStringLiteral("kek1");
        kek.kmsType = QStringLiteral("local-kms");
        kek.kmsKeyId = QStringLiteral("mykey");
        registry->addKek(kek);
        const auto addDek = [&](const QString &alg, const char *b64) {
            registry::Dek d;
            d.kekName = QStringLiteral("kek1");
            d.subject = QStringLiteral("topic1-value");
            d.algorithm = alg;
            d.encryptedKeyMaterial = QByteArray::fromBase64(b64);
            registry->addDek(d);
        };
        addDek(QStringLiteral("AES256_GCM"), kGcmDek);
        addDek(kSiv, kSivDek);

        const auto domain = [](const QJsonArray &rules) {
            return QJsonObject{{QStringLiteral("domainRules"), rules}};
        };
        const QString avro = QStringLiteral("AVRO");
        const QString json = QStringLiteral("JSON");
        // 1: one AES256_GCM field (vector (a)).
        registry->addSchema(schema(1, avro, kF1Schema, domain({fieldRule()})));
        // 2: nested, optional and repeated AES256_GCM fields with the rotation prefix.
        registry->addSchema(schema(2, avro, kCustomerSchema,
                                   domain({fieldRule({{QStringLiteral("encrypt.dek.expiry.days"),
                                                       QStringLiteral("1")}})})));
        // 3: an AES256_GCM encrypted payload around a bare string.
        registry->addSchema(
            schema(3, avro, QStringLiteral(R"("string")"),
                   QJsonObject{{QStringLiteral("encodingRules"), QJsonArray{payloadRule()}}}));
        // 4: JSON Schema with AES256_GCM fields.
        registry->addSchema(schema(4, json, kJsonSchema, domain({fieldRule()})));
        // 5: one AES256_SIV field (vector (b)).
        registry->addSchema(schema(5, avro, kF1Schema, domain({fieldRule(sivParams())})));
        // 6: an AES256_SIV encrypted payload around a record whose fields are encrypted with
        // AES256_GCM: the payload is decrypted first, then its body decoded and its fields
        // decrypted.
        registry->addSchema(schema(
            6, avro, kCustomerSchema,
            QJsonObject{{QStringLiteral("domainRules"), QJsonArray{fieldRule()}},
                        {QStringLiteral("encodingRules"), QJsonArray{payloadRule(sivParams())}}}));
        // 7: JSON Schema, AES256_SIV fields whose KEK and algorithm come from the schema's
        // metadata.properties, inside an encrypted payload whose own params override the
        // algorithm (AES256_GCM).
        registry->addSchema(schema(
            7, json, kJsonSchema,
            QJsonObject{{QStringLiteral("domainRules"),
                         QJsonArray{rule(QStringLiteral("ENCRYPT"), {kPii}, {}, false)}},
                        {QStringLiteral("encodingRules"),
                         QJsonArray{payloadRule({{QStringLiteral("encrypt.dek.algorithm"),
                                                  QStringLiteral("AES256_GCM")}})}}},
            QJsonObject{{QStringLiteral("properties"),
                         QJsonObject{{QStringLiteral("encrypt.kek.name"), QStringLiteral("kek1")},
                                     {QStringLiteral("encrypt.dek.algorithm"), kSiv}}}}));
        // 8: Protobuf, AES256_GCM fields; bank.Customer.nickname tagged by metadata.tags.
        const QString protobuf = QStringLiteral("PROTOBUF");
        registry->addSchema(schema(
            8, protobuf, kBankProto, domain({fieldRule()}),
            QJsonObject{
                {QStringLiteral("tags"),
                 QJsonObject{{QStringLiteral("bank.Customer.nickname"), QJsonArray{kPii}}}}}));
        // 9: Protobuf, AES256_SIV fields with the rotation prefix.
        registry->addSchema(schema(
            9, protobuf, kBankProto,
            domain({fieldRule({{QStringLiteral("encrypt.dek.expiry.days"), QStringLiteral("1")},
                               {QStringLiteral("encrypt.dek.algorithm"), kSiv}})})));
        // 10: Protobuf, an AES256_SIV encrypted payload (after the message indexes) around
        // AES256_GCM fields.
        registry->addSchema(schema(
            10, protobuf, kBankProto,
            QJsonObject{{QStringLiteral("domainRules"), QJsonArray{fieldRule()}},
                        {QStringLiteral("encodingRules"), QJsonArray{payloadRule(sivParams())}}}));
        auto kms = std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
        decryptor = std::make_unique<engine::RecordDecryptor>(
            registry, registry, kms,
            kms::KmsSettings{{QStringLiteral("local-kms"),
                              {{QStringLiteral("secret"), QStringLiteral("mysecret")}}}});
    }

    // Bit 5: replaces the body with its encryption under the chosen DEK (deterministic: a
    // fixed GCM IV, and SIV is deterministic anyway). A Protobuf record's message indexes stay
    // in front, in the clear, as an encrypted payload keeps them.
    void seal(engine::RecordInput &in, bool siv) const
    {
        auto framed = serde::parseFraming(in.payload, in.headers, in.isKey);
        if (!framed)
            return;
        // With header framing, the whole payload follows it.
        qsizetype clear = in.payload.size() - framed->rest.size();
        if (isProtobuf(framed->schema)) {
            auto split = serde::readMessageIndexes(framed->rest);
            if (!split)
                return;
            clear += framed->rest.size() - split->body.size();
        }
        const QByteArrayView body = QByteArrayView(in.payload).sliced(clear);
        auto sealed = siv ? crypto::aesSivEncrypt(sivKey, body)
                          : crypto::aesGcmEncryptWithIv(gcmKey, QByteArray(12, '\x5a'), body);
        if (!sealed)
            abort(); // the harness's own keys: cannot fail
        in.payload = in.payload.left(clear) + *sealed;
    }

    bool isProtobuf(const serde::SchemaRef &ref) const
    {
        // The harness's GUIDs end in the id (schema()).
        const int id = ref.kind == serde::SchemaRef::Kind::Id
                           ? ref.id
                           : ref.guid.toString(QUuid::WithoutBraces).right(12).toInt();
        return id >= kFirstProtobufId;
    }

    void count(const engine::RecordOutcome &out)
    {
        if (!out.ok())
            return;
        bool anyField = false;
        for (const auto &f : out.fields) {
            if (f.status != engine::FieldOutcome::Status::Decrypted)
                continue;
            anyField = true;
            reach.count(f.algorithm == kSiv ? SivFieldDecrypted : GcmFieldDecrypted);
            if (out.schemaId == 2)
                reach.count(RotatedFieldDecrypted);
            if (out.schemaType == QLatin1String("PROTOBUF")) {
                reach.count(ProtobufFieldDecrypted);
                if (f.path.contains(QLatin1Char('.')))
                    reach.count(ProtobufNestedFieldDecrypted);
                if (out.schemaId == 9)
                    reach.count(ProtobufRotatedFieldDecrypted);
                if (out.messageIndexes.size() > 1)
                    reach.count(ProtobufNestedMessageDecoded);
            }
        }
        if (out.payload && out.payload->status == engine::FieldOutcome::Status::Decrypted) {
            reach.count(out.payload->algorithm == kSiv ? SivPayloadDecoded : GcmPayloadDecoded);
            if (anyField)
                reach.count(out.schemaType == QLatin1String("PROTOBUF")
                                ? ProtobufPayloadWithFieldsDecoded
                                : PayloadWithFieldsDecoded);
        }
        if (out.schemaType == QLatin1String("JSON") && anyField)
            reach.count(JsonRecordDecoded);
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
    const bool headerFraming = (control & 0x80) && payload.size() >= 17;
    if (headerFraming) {
        in.headers.append({in.isKey ? QByteArrayLiteral("__key_schema_id")
                                    : QByteArrayLiteral("__value_schema_id"),
                           payload.left(17)});
        payload.remove(0, 17);
    }
    in.payload = payload;
    if (control & 0x20)
        harness.seal(in, control & 0x10);
    const engine::RecordOutcome out = harness.decryptor->decrypt(in);
    // Touch everything the outcome holds, so a bad value is noticed here and not in a UI.
    volatile qsizetype sink = out.error.message.size() + out.fields.size();
    for (const auto &f : out.fields)
        sink = sink + f.path.size() + f.error.message.size();
    (void)sink;
    harness.count(out);

    // The key-less path: framing, schema and each encrypted value's KEK and DEK version.
    const engine::RecordInspection seen = harness.decryptor->inspect(in);
    sink = sink + seen.error.message.size() + seen.values.size();
    for (const auto &v : seen.values) {
        sink = sink + v.path.size() + v.error.message.size();
        if (seen.ok() && v.error.isEmpty() && seen.schemaType == QLatin1String("PROTOBUF"))
            harness.reach.count(ProtobufFieldInspected);
    }
    (void)sink;
    if (harness.verbose) // triage of a seed or a crash input: what the decryptor made of it
        qInfo().noquote() << "record:" << (out.ok() ? QStringLiteral("ok") : out.error.message)
                          << "fields:" << out.fields.size() << "payload:"
                          << (out.payload ? engine::statusName(out.payload->status) : QString());

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
