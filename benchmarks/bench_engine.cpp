// Engine throughput beside raw OpenSSL, measured in the same run:
//   - raw AES-256-GCM decryptions per second through EVP (the ceiling for field decryption)
//   - fields decrypted per second through DekCipher (Tink key, IV ‖ ct ‖ tag layout)
//   - records decoded and decrypted per second through RecordDecryptor (framing, schema,
//     Avro decode, three encrypted fields, JSON rendering), single thread, as QJsonValue (the
//     GUI's path) and as JSON text (the CLI's)
//   - the same for the same record as a Protobuf message (six fields, the same three of them
//     encrypted, the same values), beside Avro's rates with their ratio
// Usage: bench_engine [records=20000]

#include "core/engine/memoryregistry.h"
#include "core/engine/recorddecryptor.h"
#include "core/engine/recordencryptor.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <optional>

using namespace kw;

namespace {

constexpr int kFieldBytes = 24; // a typical PII value: an IBAN, an email, a card number

double rawOpenSslDecryptsPerSecond(int iterations)
{
    unsigned char key[32], iv[12], tag[16], pt[kFieldBytes], ct[kFieldBytes], out[kFieldBytes];
    RAND_bytes(key, sizeof key);
    RAND_bytes(iv, sizeof iv);
    RAND_bytes(pt, sizeof pt);
    int len = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key, iv);
    EVP_EncryptUpdate(ctx, ct, &len, pt, sizeof pt);
    EVP_EncryptFinal_ex(ctx, ct + len, &len);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, sizeof tag, tag);
    EVP_CIPHER_CTX_free(ctx);

    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < iterations; ++i) {
        // A fresh context per value, as a field decryption needs.
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), nullptr, key, iv);
        EVP_DecryptUpdate(c, out, &len, ct, sizeof ct);
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, sizeof tag, tag);
        if (EVP_DecryptFinal_ex(c, out + len, &len) != 1)
            std::abort();
        EVP_CIPHER_CTX_free(c);
    }
    return iterations / (double(timer.nsecsElapsed()) / 1e9);
}

double rawOpenSslMegabytesPerSecond()
{
    constexpr int kBlock = 1 << 20;
    QByteArray key(32, 'k'), iv(12, 'i'), data(kBlock, 'd'), out(kBlock + 16, '\0');
    int len = 0;
    QElapsedTimer timer;
    timer.start();
    int blocks = 0;
    while (timer.elapsed() < 500) {
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), nullptr,
                           reinterpret_cast<const unsigned char *>(key.constData()),
                           reinterpret_cast<const unsigned char *>(iv.constData()));
        EVP_EncryptUpdate(c, reinterpret_cast<unsigned char *>(out.data()), &len,
                          reinterpret_cast<const unsigned char *>(data.constData()), kBlock);
        EVP_EncryptFinal_ex(c, reinterpret_cast<unsigned char *>(out.data()) + len, &len);
        EVP_CIPHER_CTX_free(c);
        ++blocks;
    }
    return blocks / (double(timer.nsecsElapsed()) / 1e9);
}

double dekCipherDecryptsPerSecond(int iterations,
                                  crypto::DekAlgorithm algorithm = crypto::DekAlgorithm::Aes256Gcm)
{
    auto cipher =
        crypto::DekCipher::fromKeyProto(algorithm, crypto::generateTinkKey(algorithm).view());
    const QByteArray plain(kFieldBytes, 'p');
    const QByteArray ct = *cipher->encrypt(plain);
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < iterations; ++i)
        if (!cipher->decrypt(ct))
            std::abort();
    return iterations / (double(timer.nsecsElapsed()) / 1e9);
}

struct Rates
{
    int records = 0;
    double payloadBytes = 0; // mean encrypted record size
    double seconds = 0;      // QJsonValue path (the GUI's), stored form too
    qsizetype fields = 0;    // decrypted in that pass
    double textSeconds = 0;  // JSON text, masked (the CLI's)
    qsizetype textBytes = 0;
    double revealSeconds = 0; // JSON text, revealed, one KeyMemo per 250 records
    int revealed = 0;
};

// Decrypts `payloads` (records of `topic`'s value) in each of the three ways, single thread.
std::optional<Rates> measure(engine::RecordDecryptor &decryptor, const QString &topic,
                             const QList<QByteArray> &payloads)
{
    Rates rates;
    rates.records = int(payloads.size());
    for (const QByteArray &p : payloads)
        rates.payloadBytes += double(p.size()) / double(payloads.size());
    engine::RecordInput in;
    in.topic = topic;
    const auto failed = [](const engine::RecordOutcome &out) {
        std::fprintf(stderr, "decrypt failed: %s\n", qPrintable(out.error.message));
        return std::nullopt;
    };
    QElapsedTimer timer;
    timer.start();
    for (const QByteArray &p : payloads) {
        in.payload = p;
        const engine::RecordOutcome out = decryptor.decrypt(in);
        if (!out.ok())
            return failed(out);
        rates.fields += out.fields.size();
    }
    rates.seconds = double(timer.nsecsElapsed()) / 1e9;

    // The CLI's path: JSON text straight from the binary, decrypted values masked.
    engine::DecryptOptions textOptions;
    textOptions.jsonText = true;
    textOptions.mask = QStringLiteral("****");
    timer.restart();
    for (const QByteArray &p : payloads) {
        in.payload = p;
        const engine::RecordOutcome out = decryptor.decrypt(in, textOptions);
        if (!out.ok())
            return failed(out);
        rates.textBytes += out.valueJson.size();
    }
    rates.textSeconds = double(timer.nsecsElapsed()) / 1e9;

    // The CLI's workers with --reveal: JSON text, values shown, one KeyMemo per 250 records.
    engine::DecryptOptions revealOptions;
    revealOptions.jsonText = true;
    revealOptions.stored = false;
    const int rounds = std::max(1, 200000 / rates.records);
    timer.restart();
    for (int round = 0; round < rounds; ++round) {
        for (qsizetype from = 0; from < payloads.size(); from += 250) {
            engine::RecordDecryptor::KeyMemo memo;
            const qsizetype to = std::min(payloads.size(), from + 250);
            for (qsizetype i = from; i < to; ++i) {
                in.payload = payloads.at(i);
                const engine::RecordOutcome out = decryptor.decrypt(in, revealOptions, memo);
                if (!out.ok())
                    return failed(out);
            }
        }
    }
    rates.revealSeconds = double(timer.nsecsElapsed()) / 1e9;
    rates.revealed = rates.records * rounds;
    return rates;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int records = argc > 1 ? std::max(1, QByteArray(argv[1]).toInt()) : 20000;

    auto registry = std::make_shared<engine::MemoryRegistry>();
    registry::Kek kek;
    kek.name = QStringLiteral("bench");
    kek.kmsType = QStringLiteral("local-kms");
    kek.kmsKeyId = QStringLiteral("bench");
    registry->addKek(kek);
    registry::Schema schema;
    schema.id = 1;
    schema.subject = QStringLiteral("customers-value");
    schema.version = 1;
    schema.schema =
        QStringLiteral(R"({"type":"record","name":"Customer","namespace":"bank","fields":[
        {"name":"id","type":"long"},
        {"name":"name","type":"string","confluent:tags":["PII"]},
        {"name":"iban","type":"string","confluent:tags":["PII"]},
        {"name":"email","type":["null","string"],"confluent:tags":["PII"]},
        {"name":"segment","type":"string"},
        {"name":"balance","type":"double"}]})");
    schema.ruleSet = QJsonObject{
        {QStringLiteral("domainRules"),
         QJsonArray{QJsonObject{
             {QStringLiteral("type"), QStringLiteral("ENCRYPT")},
             {QStringLiteral("tags"), QJsonArray{QStringLiteral("PII")}},
             {QStringLiteral("params"),
              QJsonObject{{QStringLiteral("encrypt.kek.name"), QStringLiteral("bench")}}}}}}};
    registry->addSchema(schema);
    auto kms = std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
    const kms::KmsSettings settings{{QStringLiteral("local-kms"),
                                     {{QStringLiteral("secret"), QStringLiteral("bench-secret")}}}};

    // The same record as a Protobuf message, on its own topic (and so its own DEK).
    registry::Schema proto;
    proto.id = 2;
    proto.subject = QStringLiteral("customers-pb-value");
    proto.version = 1;
    proto.schemaType = QStringLiteral("PROTOBUF");
    proto.schema = QStringLiteral(R"(syntax = "proto3";
package bank;
import "confluent/meta.proto";
message Customer {
  int64 id = 1;
  string name = 2 [(confluent.field_meta).tags = "PII"];
  string iban = 3 [(confluent.field_meta).tags = "PII"];
  optional string email = 4 [(confluent.field_meta).tags = "PII"];
  string segment = 5;
  double balance = 6;
}
)");
    proto.ruleSet = schema.ruleSet;
    registry->addSchema(proto);

    engine::RecordEncryptor encryptor(registry, kms, settings);
    QList<QByteArray> payloads;
    QList<QByteArray> protoPayloads;
    payloads.reserve(records);
    protoPayloads.reserve(records);
    for (int i = 0; i < records; ++i) {
        const QJsonObject value{
            {QStringLiteral("id"), i},
            {QStringLiteral("name"), QStringLiteral("Customer %1").arg(i)},
            {QStringLiteral("iban"),
             QStringLiteral("DE8937040044053201%1").arg(i, 4, 10, QLatin1Char('0'))},
            {QStringLiteral("email"), QStringLiteral("c%1@example.com").arg(i)},
            {QStringLiteral("segment"), QStringLiteral("retail")},
            {QStringLiteral("balance"), i * 1.5}};
        auto bytes = encryptor.encrypt(schema, schema.subject, value);
        auto protoBytes = encryptor.encrypt(proto, proto.subject, value);
        if (!bytes || !protoBytes) {
            std::fprintf(stderr, "encrypt failed: %s\n",
                         qPrintable((bytes ? protoBytes.error() : bytes.error()).message));
            return 1;
        }
        payloads.append(*bytes);
        protoPayloads.append(*protoBytes);
    }

    engine::RecordDecryptor decryptor(registry, registry, kms, settings);
    const auto avro = measure(decryptor, QStringLiteral("customers"), payloads);
    const auto protobuf = measure(decryptor, QStringLiteral("customers-pb"), protoPayloads);
    if (!avro || !protobuf)
        return 1;

    const int iterations = 200000;
    const double raw = rawOpenSslDecryptsPerSecond(iterations);
    const double fields = dekCipherDecryptsPerSecond(iterations);
    const double sivFields =
        dekCipherDecryptsPerSecond(iterations, crypto::DekAlgorithm::Aes256Siv);
    const double mbps = rawOpenSslMegabytesPerSecond();
    std::printf("OpenSSL %s, %d-byte field values\n", OpenSSL_version(OPENSSL_VERSION_STRING),
                kFieldBytes);
    std::printf("%-52s %14.0f /s\n", "raw OpenSSL AES-256-GCM decryptions (EVP)", raw);
    std::printf("%-52s %14.0f /s  (%.0f%% of raw)\n", "fields decrypted (DekCipher)", fields,
                100.0 * fields / raw);
    std::printf("%-52s %14.0f /s\n", "fields decrypted (DekCipher, AES256_SIV)", sivFields);
    const double avroRate = avro->records / avro->seconds;
    const double avroText = avro->records / avro->textSeconds;
    const double avroReveal = avro->revealed / avro->revealSeconds;
    std::printf("%-52s %14.0f /s  (%d records, %lld fields, %.2f s)\n",
                "records decoded + decrypted (RecordDecryptor)", avroRate, avro->records,
                static_cast<long long>(avro->fields), avro->seconds);
    std::printf("%-52s %14.0f /s\n", "fields decrypted inside records",
                avro->fields / avro->seconds);
    std::printf("%-52s %14.0f /s  (%.0f bytes of JSON per record)\n",
                "records decrypted to JSON text, masked (CLI path)", avroText,
                double(avro->textBytes) / avro->records);
    std::printf("%-52s %14.0f /s  (%d records)\n",
                "records to JSON text, revealed, key memo (CLI workers)", avroReveal,
                avro->revealed);
    // The same record as a Protobuf message, each rate with its ratio to Avro's.
    const double pbRate = protobuf->records / protobuf->seconds;
    const double pbText = protobuf->records / protobuf->textSeconds;
    const double pbReveal = protobuf->revealed / protobuf->revealSeconds;
    std::printf("%-52s %14.0f /s  (%.2fx Avro; %lld fields; %.0f bytes per record, Avro %.0f)\n",
                "Protobuf records decoded + decrypted", pbRate, pbRate / avroRate,
                static_cast<long long>(protobuf->fields), protobuf->payloadBytes,
                avro->payloadBytes);
    std::printf("%-52s %14.0f /s  (%.2fx Avro; %.0f bytes of JSON per record)\n",
                "Protobuf records to JSON text, masked (CLI path)", pbText, pbText / avroText,
                double(protobuf->textBytes) / protobuf->records);
    std::printf("%-52s %14.0f /s  (%.2fx Avro)\n",
                "Protobuf records to JSON text, revealed, key memo", pbReveal,
                pbReveal / avroReveal);
    std::printf("%-52s %14.1f MB/s\n", "raw OpenSSL AES-256-GCM bulk (1 MiB blocks)", mbps);
    std::printf("KMS unwraps: %llu\n",
                static_cast<unsigned long long>(decryptor.cacheStats().kmsUnwraps));
    return 0;
}
