// Keywarden's side of the interop tests with Confluent's JavaScript client.
//
//   keywarden-interop decrypt FIXTURE
//       Decrypts every record of a fixture written by the JS serializers (produce.mjs) and
//       compares it with the value they were given. Prints "N passed, M failed".
//   keywarden-interop encrypt FIXTURE OUT
//       Encrypts the same values with the same schemas and KEKs, but DEKs Keywarden generates
//       and wraps itself, and writes OUT in the same format for consume.mjs. A Protobuf record
//       names its message type (`messageType`); references are passed by name (Avro full name
//       or Protobuf import path), each after the schemas it references itself.
//   keywarden-interop produce BOOTSTRAP FILE
//       Produces the records of FILE ({"records": [{"topic","key","value","headers"}]}, bytes
//       as base64, key null for none) to Kafka at BOOTSTRAP, in order, and waits until every
//       one is acknowledged. The JS client has no Kafka client here: this puts its bytes on
//       the sandbox's broker for the census test.
//   keywarden-interop vault-wrap / vault-unwrap ...
//       Keywarden's hcvault driver against the sandbox's Vault double (run-vault-kms.sh).
//   keywarden-interop {aws,gcp}-wrap SETTINGS_JSON KEYID DEK_HEX
//   keywarden-interop {aws,gcp}-unwrap SETTINGS_JSON KEYID WRAPPED_B64 DEK_HEX
//       Keywarden's aws-kms / gcp-kms driver with SETTINGS_JSON (the sandbox's "kms" entry of
//       that type) wraps DEK_HEX and prints the stored bytes as base64, or unwraps WRAPPED_B64
//       and checks it gives DEK_HEX (run-aws-kms.sh, run-gcp-kms.sh, run-sigv4-check.sh).
//
// A fixture's optional "kmsSettings" ({"aws-kms": {...}}) adds settings per KMS type to the
// local-kms secret, for KEKs of a cloud type served by the sandbox's doubles.

#include "core/engine/memoryregistry.h"
#include "core/engine/recorddecryptor.h"
#include "core/engine/recordencryptor.h"
#include "core/kms/azurekms.h"
#include "core/kms/hcvault.h"
#include "core/kms/kms.h"
#include "core/serde/fieldvisit.h"
#include "core/serde/framing.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdio>

using namespace kw;

namespace {

Result<QJsonObject> readFixture(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("interop.io"),
                         QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (!doc.isObject())
        return makeError(
            QStringLiteral("interop.io"),
            QStringLiteral("%1 is not a JSON object: %2").arg(path, error.errorString()));
    return doc.object();
}

QList<serde::RecordHeader> headersOf(const QJsonObject &record)
{
    QList<serde::RecordHeader> headers;
    for (const QJsonValue &h : record.value(QStringLiteral("headers")).toArray())
        headers.append({h.toObject().value(QStringLiteral("key")).toString().toUtf8(),
                        QByteArray::fromBase64(
                            h.toObject().value(QStringLiteral("value")).toString().toLatin1())});
    return headers;
}

// The schemas `references` name and, before each, the ones it references itself (depth
// first), each once: what a parser needs to resolve every import or named type.
Result<void> collectReferences(engine::MemoryRegistry &registry,
                               const QList<registry::SchemaReference> &references,
                               QList<serde::NamedSchema> &out, int depth = 0)
{
    constexpr int MaxDepth = 32;
    if (depth > MaxDepth)
        return makeError(QStringLiteral("interop.references"),
                         QStringLiteral("references nest deeper than %1 levels").arg(MaxDepth));
    for (const registry::SchemaReference &ref : references) {
        if (std::any_of(out.cbegin(), out.cend(),
                        [&](const serde::NamedSchema &s) { return s.name == ref.name; }))
            continue;
        auto referenced = engine::awaitResult(registry.schemaVersion(ref.subject, ref.version));
        if (!referenced)
            return makeError(QStringLiteral("interop.references"),
                             QStringLiteral("reference %1 (subject %2 version %3): %4")
                                 .arg(ref.name, ref.subject)
                                 .arg(ref.version)
                                 .arg(referenced.error().message));
        if (auto nested = collectReferences(registry, referenced->references, out, depth + 1);
            !nested)
            return nested;
        out.append({ref.name, referenced->schema});
    }
    return {};
}

// The fixture's local-kms secret plus its optional "kmsSettings" ({"aws-kms": {...}}): the
// settings a cloud KEK's driver needs to reach the sandbox's double.
kms::KmsSettings kmsSettingsOf(const QJsonObject &fixture)
{
    kms::KmsSettings settings{
        {QStringLiteral("local-kms"),
         {{QStringLiteral("secret"), fixture.value(QStringLiteral("localSecret")).toString()}}}};
    const QJsonObject extra = fixture.value(QStringLiteral("kmsSettings")).toObject();
    for (auto type = extra.constBegin(); type != extra.constEnd(); ++type) {
        const QJsonObject values = type.value().toObject();
        for (auto v = values.constBegin(); v != values.constEnd(); ++v)
            settings[type.key()].insert(v.key(), v.value().toString());
    }
    return settings;
}

int decrypt(const QString &path)
{
    auto fixture = readFixture(path);
    if (!fixture) {
        std::fprintf(stderr, "%s\n", qPrintable(fixture.error().message));
        return 2;
    }
    auto registry = std::make_shared<engine::MemoryRegistry>();
    if (auto loaded = registry->load(*fixture); !loaded) {
        std::fprintf(stderr, "fixture: %s\n", qPrintable(loaded.error().message));
        return 2;
    }
    auto kms = std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
    engine::RecordDecryptor decryptor(registry, registry, kms, kmsSettingsOf(*fixture));
    int passed = 0, failed = 0;
    for (const QJsonValue &v : fixture->value(QStringLiteral("records")).toArray()) {
        const QJsonObject r = v.toObject();
        const QString name = r.value(QStringLiteral("case")).toString();
        engine::RecordInput in;
        in.topic = r.value(QStringLiteral("topic")).toString();
        in.isKey = r.value(QStringLiteral("isKey")).toBool();
        in.dekSubject = r.value(QStringLiteral("subject")).toString();
        in.payload = QByteArray::fromBase64(r.value(QStringLiteral("value")).toString().toLatin1());
        in.headers = headersOf(r);
        const engine::RecordOutcome out = decryptor.decrypt(in);
        QString problem;
        if (!out.ok()) {
            problem = out.error.message;
        } else if (out.value != r.value(QStringLiteral("expected"))) {
            problem =
                QStringLiteral("value differs: got %1, expected %2")
                    .arg(QString::fromUtf8(
                             QJsonDocument(QJsonArray{out.value}).toJson(QJsonDocument::Compact)),
                         QString::fromUtf8(
                             QJsonDocument(QJsonArray{r.value(QStringLiteral("expected"))})
                                 .toJson(QJsonDocument::Compact)));
        } else {
            QStringList decrypted;
            for (const engine::FieldOutcome &f : out.fields) {
                if (f.status == engine::FieldOutcome::Status::Failed)
                    problem = QStringLiteral("field %1 failed: %2").arg(f.path, f.error.message);
                if (f.status == engine::FieldOutcome::Status::Decrypted)
                    decrypted.append(f.path);
            }
            if (out.payload)
                decrypted.append(QStringLiteral("(payload)"));
            for (const QJsonValue &p : r.value(QStringLiteral("encryptedPaths")).toArray())
                if (!decrypted.contains(p.toString()) && problem.isEmpty())
                    problem = QStringLiteral(
                                  "encrypted path %1 was not reported as decrypted (decrypted: %2)")
                                  .arg(p.toString(), decrypted.join(QStringLiteral(", ")));
        }
        if (problem.isEmpty()) {
            ++passed;
            std::printf("ok %s\n", qPrintable(name));
        } else {
            ++failed;
            std::printf("FAIL %s: %s\n", qPrintable(name), qPrintable(problem));
        }
    }
    const auto stats = decryptor.cacheStats();
    std::printf("KMS unwraps: %llu, DEK cache hits: %llu\n",
                static_cast<unsigned long long>(stats.kmsUnwraps),
                static_cast<unsigned long long>(stats.hits));
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

int encrypt(const QString &inPath, const QString &outPath)
{
    auto fixture = readFixture(inPath);
    if (!fixture) {
        std::fprintf(stderr, "%s\n", qPrintable(fixture.error().message));
        return 2;
    }
    // Same KEKs and schemas, no DEKs: Keywarden creates and wraps its own.
    QJsonObject state = *fixture;
    state.insert(QStringLiteral("deks"), QJsonArray{});
    auto registry = std::make_shared<engine::MemoryRegistry>(QDateTime::currentMSecsSinceEpoch());
    if (auto loaded = registry->load(state); !loaded) {
        std::fprintf(stderr, "fixture: %s\n", qPrintable(loaded.error().message));
        return 2;
    }
    QHash<int, registry::Schema> schemas;
    QHash<QUuid, int> idsByGuid;
    for (const QJsonValue &v : fixture->value(QStringLiteral("schemas")).toArray()) {
        auto s = registry::Schema::fromJson(v.toObject());
        if (!s)
            continue;
        schemas.insert(s->id, *s);
        if (!s->guid.isEmpty())
            idsByGuid.insert(QUuid::fromString(s->guid), s->id);
    }
    auto kms = std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
    const QString secret = fixture->value(QStringLiteral("localSecret")).toString();
    engine::RecordEncryptor encryptor(
        registry, kms, {{QStringLiteral("local-kms"), {{QStringLiteral("secret"), secret}}}});

    QJsonArray records;
    int failed = 0;
    for (const QJsonValue &v : fixture->value(QStringLiteral("records")).toArray()) {
        QJsonObject r = v.toObject();
        const QByteArray original =
            QByteArray::fromBase64(r.value(QStringLiteral("value")).toString().toLatin1());
        auto framed =
            serde::parseFraming(original, headersOf(r), r.value(QStringLiteral("isKey")).toBool());
        // Keywarden writes id framing; a JS record framed by GUID names its schema through it.
        const int schemaId = !framed ? 0
                             : framed->schema.kind == serde::SchemaRef::Kind::Id
                                 ? framed->schema.id
                                 : idsByGuid.value(framed->schema.guid);
        if (!schemas.contains(schemaId)) {
            std::printf("FAIL %s: cannot tell the schema of the JS record\n",
                        qPrintable(r.value(QStringLiteral("case")).toString()));
            ++failed;
            continue;
        }
        const registry::Schema &schema = schemas.value(schemaId);
        QList<serde::NamedSchema> references;
        if (auto collected = collectReferences(*registry, schema.references, references);
            !collected) {
            std::printf("FAIL %s: %s\n", qPrintable(r.value(QStringLiteral("case")).toString()),
                        qPrintable(collected.error().message));
            ++failed;
            continue;
        }
        // Empty for Avro and JSON Schema; Protobuf records name their message type.
        const QString messageType = r.value(QStringLiteral("messageType")).toString();
        auto bytes =
            encryptor.encrypt(schema, r.value(QStringLiteral("subject")).toString(),
                              r.value(QStringLiteral("expected")), references, messageType);
        if (!bytes) {
            std::printf("FAIL %s: %s\n", qPrintable(r.value(QStringLiteral("case")).toString()),
                        qPrintable(bytes.error().message));
            ++failed;
            continue;
        }
        r.insert(QStringLiteral("value"), QString::fromLatin1(bytes->toBase64()));
        r.insert(QStringLiteral("headers"), QJsonArray{});
        records.append(r);
    }
    QJsonObject out = registry->save();
    out.insert(QStringLiteral("generator"), QStringLiteral("keywarden"));
    out.insert(QStringLiteral("localSecret"), secret);
    out.insert(QStringLiteral("records"), records);
    QFile f(outPath);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(outPath));
        return 2;
    }
    f.write(QJsonDocument(out).toJson());
    std::printf("wrote %lld records with %d DEKs of Keywarden's own to %s\n",
                static_cast<long long>(records.size()), encryptor.createdDeks(),
                qPrintable(outPath));
    std::printf("%lld passed, %d failed\n", static_cast<long long>(records.size()), failed);
    return failed == 0 && !records.isEmpty() ? 0 : 1;
}

int produce(const QString &bootstrap, const QString &path)
{
    auto file = readFixture(path);
    if (!file) {
        std::fprintf(stderr, "%s\n", qPrintable(file.error().message));
        return 2;
    }
    char err[512] = {};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    // Idempotent: a retried batch cannot be written twice, which would double the counts.
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.toUtf8().constData(), err,
                          sizeof err) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof err) !=
            RD_KAFKA_CONF_OK) {
        std::fprintf(stderr, "produce: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return 2;
    }
    int failures = 0; // counted by the delivery callback, on this thread (in poll and flush)
    rd_kafka_conf_set_opaque(conf, &failures);
    rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t *, const rd_kafka_message_t *m, void *opaque) {
        if (m->err) {
            ++*static_cast<int *>(opaque);
            std::fprintf(stderr, "produce: delivery to %s failed: %s\n",
                         rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
        }
    });
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!producer) {
        std::fprintf(stderr, "produce: cannot create a producer: %s\n", err);
        return 2;
    }
    int queued = 0;
    for (const QJsonValue &v : file->value(QStringLiteral("records")).toArray()) {
        const QJsonObject r = v.toObject();
        const QByteArray topic = r.value(QStringLiteral("topic")).toString().toUtf8();
        const QJsonValue keyText = r.value(QStringLiteral("key"));
        const QByteArray key = keyText.isString()
                                   ? QByteArray::fromBase64(keyText.toString().toLatin1())
                                   : QByteArray();
        const QByteArray value =
            QByteArray::fromBase64(r.value(QStringLiteral("value")).toString().toLatin1());
        rd_kafka_headers_t *headers = nullptr;
        const QList<serde::RecordHeader> given = headersOf(r);
        if (!given.isEmpty()) {
            headers = rd_kafka_headers_new(static_cast<size_t>(given.size()));
            for (const serde::RecordHeader &h : given)
                rd_kafka_header_add(headers, h.key.constData(), h.key.size(), h.value.constData(),
                                    h.value.size());
        }
        // rd_kafka_produceva rather than the producev macros, which cast in C style.
        rd_kafka_vu_t vus[5] = {};
        vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
        vus[0].u.cstr = topic.constData();
        vus[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
        vus[1].u.i = RD_KAFKA_MSG_F_COPY;
        vus[2].vtype = RD_KAFKA_VTYPE_KEY;
        vus[2].u.mem.ptr = keyText.isString() ? const_cast<char *>(key.constData()) : nullptr;
        vus[2].u.mem.size = static_cast<size_t>(key.size());
        vus[3].vtype = RD_KAFKA_VTYPE_VALUE;
        vus[3].u.mem.ptr = const_cast<char *>(value.constData());
        vus[3].u.mem.size = static_cast<size_t>(value.size());
        vus[4].vtype = RD_KAFKA_VTYPE_HEADERS;
        vus[4].u.headers = headers;
        rd_kafka_error_t *queueError = rd_kafka_produceva(producer, vus, headers ? 5 : 4);
        const rd_kafka_resp_err_t e =
            queueError ? rd_kafka_error_code(queueError) : RD_KAFKA_RESP_ERR_NO_ERROR;
        if (queueError)
            rd_kafka_error_destroy(queueError);
        if (e) {
            if (headers)
                rd_kafka_headers_destroy(headers);
            std::fprintf(stderr, "produce: cannot queue a record for %s: %s\n", topic.constData(),
                         rd_kafka_err2str(e));
            rd_kafka_destroy(producer);
            return 1;
        }
        ++queued;
        rd_kafka_poll(producer, 0);
    }
    const rd_kafka_resp_err_t flushed = rd_kafka_flush(producer, 60000);
    rd_kafka_destroy(producer);
    if (flushed || failures > 0 || queued == 0) {
        std::fprintf(stderr, "produce: %d of %d records not delivered%s\n", failures, queued,
                     flushed ? " (flush timed out)" : "");
        return 1;
    }
    std::printf("produced %d records to %s\n", queued, qPrintable(bootstrap));
    return 0;
}

// Keywarden's hcvault driver against a Vault at `address` (the sandbox's double), for
// run-vault-kms.sh. The KEK's key id is `keyId`; keywarden.vault.address points at `address`.
std::shared_ptr<kms::KmsAead> vaultAead(const QString &address, const QString &token,
                                        const QString &keyId)
{
    kms::HcVaultDriver driver; // its AEADs keep what they need
    const kms::KmsConfig config{{QString::fromLatin1(kms::HcVaultDriver::TokenKey), token},
                                {QString::fromLatin1(kms::HcVaultDriver::AddressKey), address}};
    auto aead = driver.create(
        {QStringLiteral("interop-vault"), QStringLiteral("hcvault"), keyId, {}, false}, config);
    if (!aead) {
        std::fprintf(stderr, "%s\n", qPrintable(aead.error().message));
        return nullptr;
    }
    return *aead;
}

template<typename T>
Result<T> await(QFuture<Result<T>> future)
{
    future.waitForFinished(); // the driver's futures finish on the KMS thread
    return future.result();
}

// vault-unwrap ADDRESS TOKEN KEYID WRAPPED_B64 DEK_HEX: unwraps what Confluent's client wrapped.
int vaultUnwrap(const QStringList &a)
{
    auto aead = vaultAead(a.at(2), a.at(3), a.at(4));
    if (!aead)
        return 1;
    auto plain = await(aead->unwrap(QByteArray::fromBase64(a.at(5).toLatin1())));
    if (!plain) {
        std::fprintf(stderr, "unwrap failed: %s\n", qPrintable(plain.error().message));
        return 1;
    }
    if (plain->toHex() != a.at(6).toLatin1()) {
        std::fprintf(stderr, "unwrapped %s, expected %s\n", plain->toHex().constData(),
                     qPrintable(a.at(6)));
        return 1;
    }
    std::printf("keywarden unwrapped the official client's DEK\n");
    return 0;
}

// vault-wrap ADDRESS TOKEN KEYID DEK_HEX: prints the stored bytes (base64) of a Keywarden wrap.
int vaultWrap(const QStringList &a)
{
    auto aead = vaultAead(a.at(2), a.at(3), a.at(4));
    if (!aead)
        return 1;
    auto wrapped = await(aead->wrap(QByteArray::fromHex(a.at(5).toLatin1())));
    if (!wrapped) {
        std::fprintf(stderr, "wrap failed: %s\n", qPrintable(wrapped.error().message));
        return 1;
    }
    std::printf("%s\n", wrapped->toBase64().constData());
    return 0;
}

// aws-wrap / aws-unwrap / gcp-wrap / gcp-unwrap: Keywarden's aws-kms or gcp-kms driver with
// the settings SETTINGS_JSON (the sandbox's "kms" entry of that type) and the KEK's key id.
std::shared_ptr<kms::KmsAead> cloudAead(const QString &kmsType, const QString &settingsJson,
                                        const QString &keyId)
{
    const QJsonDocument doc = QJsonDocument::fromJson(settingsJson.toUtf8());
    if (!doc.isObject()) {
        std::fprintf(stderr, "the settings are not a JSON object\n");
        return nullptr;
    }
    kms::KmsConfig config;
    const QJsonObject o = doc.object();
    for (auto it = o.constBegin(); it != o.constEnd(); ++it)
        config.insert(it.key(), it.value().toString());
    auto aead = kms::KmsRegistry::withBuiltInDrivers().aeadFor(
        {QStringLiteral("interop-") + kmsType, kmsType, keyId, {}, false}, {{kmsType, config}});
    if (!aead) {
        std::fprintf(stderr, "%s\n", qPrintable(aead.error().message));
        return nullptr;
    }
    return *aead;
}

// {aws,gcp}-unwrap SETTINGS KEYID WRAPPED_B64 DEK_HEX: unwraps what the official SDK wrapped.
int cloudUnwrap(const QString &kmsType, const QStringList &a)
{
    auto aead = cloudAead(kmsType, a.at(2), a.at(3));
    if (!aead)
        return 1;
    auto plain = await(aead->unwrap(QByteArray::fromBase64(a.at(4).toLatin1())));
    if (!plain) {
        std::fprintf(stderr, "unwrap failed: %s\n", qPrintable(plain.error().message));
        return 1;
    }
    if (plain->toHex() != a.at(5).toLatin1()) {
        std::fprintf(stderr, "unwrapped %s, expected %s\n", plain->toHex().constData(),
                     qPrintable(a.at(5)));
        return 1;
    }
    std::printf("keywarden's %s driver unwrapped the official SDK's DEK\n", qPrintable(kmsType));
    return 0;
}

// {aws,gcp}-wrap SETTINGS KEYID DEK_HEX: prints the stored bytes (base64) of a Keywarden wrap.
int cloudWrap(const QString &kmsType, const QStringList &a)
{
    auto aead = cloudAead(kmsType, a.at(2), a.at(3));
    if (!aead)
        return 1;
    auto wrapped = await(aead->wrap(QByteArray::fromHex(a.at(4).toLatin1())));
    if (!wrapped) {
        std::fprintf(stderr, "wrap failed: %s\n", qPrintable(wrapped.error().message));
        return 1;
    }
    std::printf("%s\n", wrapped->toBase64().constData());
    return 0;
}

// The azure-kms driver with the credentials of AZURE_TENANT_ID, AZURE_CLIENT_ID and
// AZURE_CLIENT_SECRET (the driver's own environment fallback) and the sandbox's endpoints from
// KEYWARDEN_AZURE_AUTHORITY and KEYWARDEN_AZURE_VAULT_URL.
std::shared_ptr<kms::KmsAead> azureAead(const QString &keyId)
{
    kms::AzureKmsDriver driver; // its AEADs keep what they need
    const kms::KmsConfig config{{QString(kms::AzureKmsDriver::AuthorityKey),
                                 qEnvironmentVariable("KEYWARDEN_AZURE_AUTHORITY")},
                                {QString(kms::AzureKmsDriver::VaultUrlKey),
                                 qEnvironmentVariable("KEYWARDEN_AZURE_VAULT_URL")}};
    auto aead = driver.create(
        {QStringLiteral("interop-azure"), QStringLiteral("azure-kms"), keyId, {}, false}, config);
    if (!aead) {
        std::fprintf(stderr, "%s\n", qPrintable(aead.error().message));
        return nullptr;
    }
    return *aead;
}

// azure-unwrap KEYID WRAPPED_B64 DEK_HEX: unwraps what the Azure SDK wrapped.
int azureUnwrap(const QStringList &a)
{
    auto aead = azureAead(a.at(2));
    if (!aead)
        return 1;
    auto plain = await(aead->unwrap(QByteArray::fromBase64(a.at(3).toLatin1())));
    if (!plain) {
        std::fprintf(stderr, "unwrap failed: %s\n", qPrintable(plain.error().message));
        return 1;
    }
    if (plain->toHex() != a.at(4).toLatin1()) {
        std::fprintf(stderr, "unwrapped %s, expected %s\n", plain->toHex().constData(),
                     qPrintable(a.at(4)));
        return 1;
    }
    std::printf("keywarden unwrapped the Azure SDK's DEK with %s\n", qPrintable(a.at(2)));
    return 0;
}

// azure-wrap KEYID DEK_HEX: prints the stored bytes (base64) of a Keywarden wrap.
int azureWrap(const QStringList &a)
{
    auto aead = azureAead(a.at(2));
    if (!aead)
        return 1;
    auto wrapped = await(aead->wrap(QByteArray::fromHex(a.at(3).toLatin1())));
    if (!wrapped) {
        std::fprintf(stderr, "wrap failed: %s\n", qPrintable(wrapped.error().message));
        return 1;
    }
    std::printf("%s\n", wrapped->toBase64().constData());
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 3 && args.at(1) == QLatin1String("decrypt"))
        return decrypt(args.at(2));
    if (args.size() == 4 && args.at(1) == QLatin1String("encrypt"))
        return encrypt(args.at(2), args.at(3));
    if (args.size() == 4 && args.at(1) == QLatin1String("produce"))
        return produce(args.at(2), args.at(3));
    if (args.size() == 7 && args.at(1) == QLatin1String("vault-unwrap"))
        return vaultUnwrap(args);
    if (args.size() == 6 && args.at(1) == QLatin1String("vault-wrap"))
        return vaultWrap(args);
    for (const QString &type : {QStringLiteral("aws"), QStringLiteral("gcp")}) {
        if (args.size() == 6 && args.at(1) == type + QLatin1String("-unwrap"))
            return cloudUnwrap(type + QLatin1String("-kms"), args);
        if (args.size() == 5 && args.at(1) == type + QLatin1String("-wrap"))
            return cloudWrap(type + QLatin1String("-kms"), args);
    }
    if (args.size() == 5 && args.at(1) == QLatin1String("azure-unwrap"))
        return azureUnwrap(args);
    if (args.size() == 4 && args.at(1) == QLatin1String("azure-wrap"))
        return azureWrap(args);
    std::fprintf(stderr, "usage: keywarden-interop decrypt FIXTURE | encrypt FIXTURE OUT | "
                         "produce BOOTSTRAP FILE | vault-unwrap ADDRESS TOKEN KEYID B64 HEX | "
                         "vault-wrap ADDRESS TOKEN KEYID HEX | {aws,gcp}-unwrap SETTINGS_JSON "
                         "KEYID B64 HEX | {aws,gcp}-wrap SETTINGS_JSON KEYID HEX | "
                         "azure-unwrap KEYID B64 HEX | azure-wrap KEYID HEX\n");
    return 64;
}
