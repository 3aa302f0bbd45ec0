#include "core/engine/recorddecryptor.h"

#include "core/domain/base64.h"
#include "core/serde/avroschema.h"
#include "core/serde/jsonschema.h"
#include "core/serde/jsontext.h"
#include "core/serde/protobufschema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QMutexLocker>
#include <QVarLengthArray>
#include <QtEndian>

#include <algorithm>
#include <optional>

namespace kw::engine {

namespace {

constexpr int kMaxReferenceDepth = 16;

Error fieldError(const QString &code, const QString &message)
{
    return makeError(code, message);
}

struct VersionedCiphertext
{
    int version = 1;
    QByteArrayView ciphertext;
};

// The DEK version a value names and the ciphertext after it. Rules that rotate
// (encrypt.dek.expiry.days > 0) prefix 0x00 and a big-endian int32 version; others always use
// version 1 and have no prefix.
Result<VersionedCiphertext> splitVersionPrefix(const EncryptionRule &rule,
                                               QByteArrayView ciphertext)
{
    if (rule.expiryDays <= 0)
        return VersionedCiphertext{1, ciphertext};
    if (ciphertext.size() < 5 || ciphertext.at(0) != 0)
        return makeError(
            QStringLiteral("engine.malformed_ciphertext"),
            ciphertext.size() < 5
                ? QStringLiteral("The ciphertext is too short for the DEK version prefix that "
                                 "rotation adds.")
                : QStringLiteral("Unknown magic byte in the DEK version prefix (expected 0x00)."));
    const int version = qFromBigEndian<qint32>(ciphertext.data() + 1);
    if (version < 1)
        return makeError(QStringLiteral("engine.malformed_ciphertext"),
                         QStringLiteral("The ciphertext names DEK version %1, which cannot exist.")
                             .arg(version));
    return VersionedCiphertext{version, ciphertext.sliced(5)};
}

QString dekSubjectOf(const RecordInput &input)
{
    if (!input.dekSubject.isEmpty())
        return input.dekSubject;
    return input.topic + (input.isKey ? QStringLiteral("-key") : QStringLiteral("-value"));
}

// A JSON Schema record's body as a value; QJsonDocument only takes objects and arrays at the
// top, so the body is wrapped to accept any value.
Result<QJsonValue> parseJsonBody(const QByteArray &body)
{
    QJsonParseError parseError{};
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray("[") + body + QByteArray("]"), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1) {
        return makeError(
            QStringLiteral("serde.malformed_record"),
            QStringLiteral("The record body is not valid JSON: %1").arg(parseError.errorString()));
    }
    return doc.array().first();
}

// What a masked Protobuf bytes field holds until rendered: base64 "/0tX/01BU0v/////" in JSON,
// then replaced by the mask.
constexpr char kMaskedBytesToken[] = "\xffKW\xffMASK\xff\xff\xff\xff";
constexpr char kMaskedBytesJson[] = "\"/0tX/01BU0v/////\"";

// A Protobuf message rendered by protobuf's JSON printer, as a value.
Result<QJsonValue> parseMessageJson(const QByteArray &json)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(QStringLiteral("serde.bad_value"),
                         QStringLiteral("The decoded message has no valid JSON form (%1); a "
                                        "string field may hold bytes that are not UTF-8.")
                             .arg(parseError.errorString()));
    return QJsonValue(doc.object());
}

} // namespace

struct RecordDecryptor::ParsedSchema
{
    registry::Schema schema;
    RuleSet rules;
    std::optional<serde::AvroSchema> avro;
    std::optional<serde::JsonSchemaDoc> json;
    std::optional<serde::ProtobufSchema> protobuf;
    // The rules that run on read, in the order they run (the reverse of the declared order);
    // empty when the rule set does not run on clients.
    QList<EncryptionRule> fieldRulesOnRead;
    QList<EncryptionRule> payloadRulesOnRead;
    bool visitAllLeaves = false; // a field rule without tags covers every leaf
};

QString statusName(FieldOutcome::Status status)
{
    switch (status) {
    case FieldOutcome::Status::Decrypted:
        return QStringLiteral("decrypted");
    case FieldOutcome::Status::Plain:
        return QStringLiteral("plain");
    case FieldOutcome::Status::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

RecordDecryptor::RecordDecryptor(std::shared_ptr<SchemaSource> schemas,
                                 std::shared_ptr<KeySource> keys,
                                 std::shared_ptr<const kms::KmsRegistry> kms,
                                 kms::KmsSettings kmsSettings, std::shared_ptr<DekCache> cache)
    : m_schemas(std::move(schemas))
    , m_keys(std::move(keys))
    , m_kms(std::move(kms))
    , m_kmsSettings(std::move(kmsSettings))
    , m_cache(std::move(cache))
{}

RecordDecryptor::~RecordDecryptor() = default;

namespace {
// How long a schema the registry does not have is taken as missing before asking again: long
// enough for a burst of damaged records, short enough that a schema registered meanwhile is
// soon seen.
constexpr qint64 kMissingRetryMs = 5'000;
// At most this many schemas are remembered as missing. A damaged topic names a different one in
// nearly every record (random bytes where the id is), and an entry otherwise stays until its id
// is seen again: a long read would grow without end.
constexpr qsizetype kMaxMissingSchemas = 1024;
// How long a KEK's description is reused for loading further DEKs under it (its deleted flag
// is then at most this old, like the DEKs the cache keeps).
constexpr qint64 kRecentKekMs = 5'000;
// DEK versions of one subject fetched ahead (newest first) when its first DEK is loaded.
constexpr qsizetype kPrefetchDekVersions = 64;
// How long such an answer stands in for asking again.
constexpr qint64 kPrefetchedDekMs = 60'000;
} // namespace

DekCache::Stats RecordDecryptor::cacheStats() const
{
    return m_cache->stats();
}

Result<std::shared_ptr<const RecordDecryptor::ParsedSchema>>
RecordDecryptor::schemaFor(const serde::SchemaRef &ref)
{
    const bool byId = ref.kind == serde::SchemaRef::Kind::Id;
    {
        QMutexLocker lock(&m_mutex);
        if (byId) {
            if (auto it = m_schemasById.constFind(ref.id); it != m_schemasById.cend())
                return *it;
        } else if (auto it = m_schemasByGuid.constFind(ref.guid); it != m_schemasByGuid.cend()) {
            return *it;
        }
    }
    const QString refName = ref.toString();
    {
        QMutexLocker lock(&m_mutex);
        if (auto it = m_missingSchemas.constFind(refName); it != m_missingSchemas.cend()) {
            if (!it->retry.hasExpired())
                return it->error;
            m_missingSchemas.erase(it);
        }
    }
    Result<registry::Schema> schema = ref.kind == serde::SchemaRef::Kind::Id
                                          ? awaitResult(m_schemas->schemaById(ref.id))
                                          : awaitResult(m_schemas->schemaByGuid(ref.guid));
    if (!schema) {
        Error error = makeError(
            QStringLiteral("engine.unknown_schema"),
            QStringLiteral(
                "The record names schema %1, which the Schema Registry could not provide: %2")
                .arg(refName, schema.error().message));
        // Only "not found" is remembered: an unreachable registry may answer the next record.
        if (schema.error().code == QLatin1String("registry.40403")) {
            QMutexLocker lock(&m_mutex);
            if (m_missingSchemas.size() >= kMaxMissingSchemas) {
                m_missingSchemas.removeIf(
                    [](QHash<QString, Missing>::iterator it) { return it->retry.hasExpired(); });
                // Still full: a burst of different ids. Forgetting them costs one request
                // each if they come again.
                if (m_missingSchemas.size() >= kMaxMissingSchemas)
                    m_missingSchemas.clear();
            }
            m_missingSchemas.insert(refName, Missing{error, QDeadlineTimer(kMissingRetryMs)});
        }
        return error;
    }
    auto parsed = parseSchema(*schema);
    if (parsed) {
        QMutexLocker lock(&m_mutex);
        if (byId)
            m_schemasById.insert(ref.id, *parsed);
        else
            m_schemasByGuid.insert(ref.guid, *parsed);
    }
    return parsed;
}

Result<std::shared_ptr<const RecordDecryptor::ParsedSchema>>
RecordDecryptor::parseSchema(const registry::Schema &schema)
{
    auto parsed = std::make_shared<ParsedSchema>();
    parsed->schema = schema;
    parsed->rules = parseRuleSet(schema.ruleSet, schema.metadata);
    if (parsed->rules.runsOnClient()) {
        const RuleSet &rules = parsed->rules;
        for (auto it = rules.fieldRules.crbegin(); it != rules.fieldRules.crend(); ++it)
            if (it->appliesOnRead()) {
                parsed->fieldRulesOnRead.append(*it);
                parsed->visitAllLeaves = parsed->visitAllLeaves || it->tags.isEmpty();
            }
        for (auto it = rules.payloadRules.crbegin(); it != rules.payloadRules.crend(); ++it)
            if (it->appliesOnRead())
                parsed->payloadRulesOnRead.append(*it);
    }

    // References, depth first so each text comes after the ones it depends on.
    QList<serde::NamedSchema> references;
    QSet<QString> seen;
    std::function<Result<void>(const QList<registry::SchemaReference> &, int)> resolve =
        [&](const QList<registry::SchemaReference> &refs, int depth) -> Result<void> {
        if (depth > kMaxReferenceDepth)
            return makeError(QStringLiteral("engine.bad_references"),
                             QStringLiteral("Schema references nest deeper than %1 levels.")
                                 .arg(kMaxReferenceDepth));
        for (const registry::SchemaReference &r : refs) {
            const QString id = r.subject + QLatin1Char('/') + QString::number(r.version);
            if (seen.contains(id))
                continue;
            seen.insert(id);
            auto referenced = awaitResult(m_schemas->schemaVersion(r.subject, r.version));
            if (!referenced)
                return makeError(
                    QStringLiteral("engine.bad_references"),
                    QStringLiteral(
                        "Reference '%1' (subject '%2' version %3) could not be resolved: %4")
                        .arg(r.name, r.subject)
                        .arg(r.version)
                        .arg(referenced.error().message));
            if (auto nested = resolve(referenced->references, depth + 1); !nested)
                return nested;
            references.append({r.name, referenced->schema});
        }
        return {};
    };
    if (auto r = resolve(schema.references, 0); !r)
        return r.error();

    const serde::MetadataTags tags = metadataTags(schema.metadata);
    const QStringList referenceTexts = serde::schemaTexts(references);
    if (schema.schemaType == QLatin1String("AVRO")) {
        auto avro = serde::AvroSchema::parse(schema.schema, referenceTexts, tags);
        if (!avro)
            return makeError(avro.error().code,
                             QStringLiteral("Schema %1 is not a usable Avro schema: %2")
                                 .arg(schema.id)
                                 .arg(avro.error().message));
        parsed->avro = *avro;
    } else if (schema.schemaType == QLatin1String("JSON")) {
        auto json = serde::JsonSchemaDoc::parse(schema.schema, referenceTexts, tags);
        if (!json)
            return makeError(json.error().code,
                             QStringLiteral("Schema %1 is not a usable JSON Schema: %2")
                                 .arg(schema.id)
                                 .arg(json.error().message));
        parsed->json = *json;
    } else if (schema.schemaType == QLatin1String("PROTOBUF")) {
        auto protobuf = serde::ProtobufSchema::parse(schema.schema, references, tags);
        if (!protobuf)
            return makeError(protobuf.error().code,
                             QStringLiteral("Schema %1 is not a usable Protobuf schema: %2")
                                 .arg(schema.id)
                                 .arg(protobuf.error().message));
        parsed->protobuf = *protobuf;
    }
    return std::shared_ptr<const ParsedSchema>(parsed);
}

std::shared_ptr<const RecordDecryptor::ParsedSchema>
RecordDecryptor::ownCopy(const std::shared_ptr<const ParsedSchema> &shared)
{
    // Parsing again makes new strings for everything taken from the schema's JSON; the subject
    // and type come from the registry's answer and are copied explicitly.
    registry::Schema schema = shared->schema;
    schema.subject = QString(schema.subject.constData(), schema.subject.size());
    schema.schemaType = QString(schema.schemaType.constData(), schema.schemaType.size());
    auto parsed = parseSchema(schema);
    return parsed ? *parsed : shared;
}

QFuture<Result<registry::Dek>> RecordDecryptor::pendingDek(const DekKey &key)
{
    {
        QMutexLocker lock(&m_mutex);
        if (auto it = m_pendingDeks.find(key); it != m_pendingDeks.end()) {
            PendingDek pending = *it;
            m_pendingDeks.erase(it); // each answer fetched ahead is used once
            if (!pending.fresh.hasExpired())
                return pending.reply;
        }
    }
    QFuture<Result<registry::Dek>> mine = m_keys->dek(key.kekName, key.subject, key.version,
                                                      crypto::algorithmName(key.algorithm), true);
    // The first DEK of a subject under a KEK: a topic written over months holds records under
    // many versions, met one after another. Ask for the newest of them all at once instead of
    // one round trip per version as records need them.
    fetchDeksAhead(key.kekName, key.subject, key.algorithm, key.version);
    return mine;
}

void RecordDecryptor::fetchDeksAhead(const QString &kekName, const QString &subject,
                                     crypto::DekAlgorithm algorithm, int except)
{
    const QString algorithmName = crypto::algorithmName(algorithm);
    const QString family =
        kekName + QLatin1Char('\n') + subject + QLatin1Char('\n') + algorithmName;
    {
        QMutexLocker lock(&m_mutex);
        if (m_listedDekFamilies.contains(family))
            return;
        m_listedDekFamilies.insert(family);
    }
    // Only the registry entries are fetched; KMS unwraps happen only for versions a record
    // uses.
    auto versions = awaitResult(m_keys->dekVersions(kekName, subject, algorithmName, true));
    if (!versions)
        return;
    QList<int> wanted = *versions;
    std::sort(wanted.begin(), wanted.end(), std::greater<>());
    if (wanted.size() > kPrefetchDekVersions)
        wanted.resize(kPrefetchDekVersions);
    QMutexLocker lock(&m_mutex);
    for (const int version : std::as_const(wanted)) {
        DekKey key{kekName, subject, version, algorithm};
        if (version == except || m_pendingDeks.contains(key) || m_cache->contains(key))
            continue;
        m_pendingDeks.insert(key,
                             PendingDek{m_keys->dek(kekName, subject, version, algorithmName, true),
                                        QDeadlineTimer(kPrefetchedDekMs)});
    }
}

void RecordDecryptor::warmUp(const QString &subject)
{
    auto latest = awaitResult(m_schemas->schemaVersion(subject, -1));
    if (!latest || latest->id <= 0)
        return; // not an error of any record: the reads that need a schema will say so
    std::shared_ptr<const ParsedSchema> parsed;
    {
        QMutexLocker lock(&m_mutex);
        parsed = m_schemasById.value(latest->id);
    }
    if (!parsed) {
        auto fresh = parseSchema(*latest);
        if (!fresh)
            return;
        QMutexLocker lock(&m_mutex);
        auto it = m_schemasById.constFind(latest->id);
        if (it == m_schemasById.cend()) // a record may have brought it meanwhile
            it = m_schemasById.insert(latest->id, *fresh);
        parsed = *it;
    }
    // The keys its rules name: the KEK descriptions and the newest DEK versions, each asked
    // for once; both requests of a KEK are on their way together.
    QSet<QString> asked;
    const auto prepare = [&](const EncryptionRule &rule) {
        if (rule.kekName.isEmpty() || asked.contains(rule.kekName))
            return;
        asked.insert(rule.kekName);
        std::optional<QFuture<Result<registry::Kek>>> kekReply;
        if (!recentKek(rule.kekName))
            kekReply = m_keys->kek(rule.kekName, true);
        fetchDeksAhead(rule.kekName, subject, rule.algorithm, 0);
        if (!kekReply)
            return;
        if (auto kek = awaitResult(*kekReply))
            rememberKek(rule.kekName, *kek);
    };
    for (const EncryptionRule &rule : parsed->payloadRulesOnRead)
        prepare(rule);
    for (const EncryptionRule &rule : parsed->fieldRulesOnRead)
        prepare(rule);
}

std::optional<registry::Kek> RecordDecryptor::recentKek(const QString &name)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_recentKeks.constFind(name);
        it != m_recentKeks.cend() && !it->fresh.hasExpired())
        return it->kek;
    return std::nullopt;
}

void RecordDecryptor::rememberKek(const QString &name, const registry::Kek &kek)
{
    QMutexLocker lock(&m_mutex);
    m_recentKeks.insert(name, RecentKek{kek, QDeadlineTimer(kRecentKekMs)});
}

Result<registry::Kek> RecordDecryptor::kekFor(const QString &name)
{
    if (auto recent = recentKek(name))
        return *recent;
    auto kek = awaitResult(m_keys->kek(name, true));
    if (kek)
        rememberKek(name, *kek);
    return kek;
}

Result<DekCache::Cipher> RecordDecryptor::dekFor(const DekKey &key, bool &kekDeleted)
{
    // The loader learns whether the KEK is soft-deleted; remember it per KEK so cache hits
    // report it too. The loader runs (if at all) inside get(), on this thread.
    bool loadedDeleted = false;
    auto result = m_cache->get(key, [this, &key, &loadedDeleted]() -> Result<DekCache::Cipher> {
        // The DEK is asked for before the KEK is described, so both are on their way at once.
        auto dekReply = pendingDek(key);
        auto kek = kekFor(key.kekName);
        if (!kek)
            return fieldError(QStringLiteral("engine.kek_not_found"),
                              QStringLiteral("KEK '%1' is not in the DEK Registry (%2).")
                                  .arg(key.kekName, kek.error().message));
        loadedDeleted = kek->deleted;
        const QString algorithm = crypto::algorithmName(key.algorithm);
        auto dek = awaitResult(dekReply);
        if (!dek || (dek->encryptedKeyMaterial.isEmpty() && dek->keyMaterial.isEmpty())) {
            if (kek->deleted)
                return fieldError(QStringLiteral("engine.kek_deleted"),
                                  QStringLiteral("KEK '%1' is deleted and DEK version %2 of "
                                                 "subject '%3' (%4) is not available.")
                                      .arg(key.kekName)
                                      .arg(key.version)
                                      .arg(key.subject, algorithm));
            return fieldError(QStringLiteral("engine.dek_not_found"),
                              QStringLiteral("DEK version %1 of subject '%2' (%3) under KEK '%4' "
                                             "is not in the DEK Registry.")
                                  .arg(key.version)
                                  .arg(key.subject, algorithm, key.kekName));
        }
        QByteArray keyProto = dek->keyMaterial;
        if (keyProto.isEmpty()) {
            kms::KekRef ref{kek->name, kek->kmsType, kek->kmsKeyId, kek->kmsProps, kek->shared};
            auto aead = m_kms->aeadFor(ref, m_kmsSettings);
            if (!aead)
                return aead.error();
            m_cache->countKmsUnwrap();
            auto unwrapped = awaitResult((*aead)->unwrap(dek->encryptedKeyMaterial));
            if (!unwrapped)
                return unwrapped.error();
            keyProto = *unwrapped;
        }
        auto cipher = crypto::DekCipher::fromKeyProto(key.algorithm, keyProto);
        keyProto.fill('\0');
        if (!cipher)
            return fieldError(
                cipher.error().code,
                QStringLiteral(
                    "DEK version %1 of subject '%2' under KEK '%3' is not a valid %4 key: %5")
                    .arg(key.version)
                    .arg(key.subject, key.kekName, algorithm, cipher.error().message));
        return DekCache::Cipher(std::make_shared<const crypto::DekCipher>(std::move(*cipher)));
    });
    if (loadedDeleted || m_anyDeletedKek.load(std::memory_order_acquire)) {
        QMutexLocker lock(&m_mutex);
        if (loadedDeleted) {
            m_deletedKeks.insert(key.kekName);
            m_anyDeletedKek.store(true, std::memory_order_release);
        }
        kekDeleted = m_deletedKeks.contains(key.kekName);
    } else {
        kekDeleted = false;
    }
    return result;
}

Result<QByteArray> RecordDecryptor::decryptValue(const EncryptionRule &rule,
                                                 const QString &dekSubject,
                                                 QByteArrayView ciphertext, FieldOutcome &outcome,
                                                 KeyMemo &memo)
{
    auto split = splitVersionPrefix(rule, ciphertext);
    if (!split)
        return split.error();
    const int version = split->version;
    ciphertext = split->ciphertext;
    outcome.kekName = rule.kekName;
    outcome.dekVersion = version;
    outcome.algorithm = crypto::algorithmName(rule.algorithm);
    // Compared field by field: building a DekKey per field would copy two shared strings.
    if (!memo.cipher || memo.key.version != version || memo.key.algorithm != rule.algorithm ||
        memo.key.kekName != rule.kekName || memo.key.subject != dekSubject) {
        DekKey key{rule.kekName, dekSubject, version, rule.algorithm};
        bool kekDeleted = false;
        auto cipher = dekFor(key, kekDeleted);
        if (!cipher) {
            outcome.kekDeleted = kekDeleted;
            return cipher.error();
        }
        memo.key = std::move(key);
        memo.cipher = std::move(*cipher);
        memo.kekDeleted = kekDeleted;
    }
    outcome.kekDeleted = memo.kekDeleted;
    auto plain = memo.cipher->decrypt(ciphertext);
    if (!plain)
        return makeError(
            plain.error().code,
            QStringLiteral(
                "Decryption with DEK version %1 of subject '%2' under KEK '%3' failed: %4")
                .arg(version)
                .arg(dekSubject, rule.kekName, plain.error().message));
    return plain;
}

RecordOutcome RecordDecryptor::decrypt(const RecordInput &input,
                                       const DecryptOptions &decryptOptions)
{
    KeyMemo memo;
    return decrypt(input, decryptOptions, memo);
}

RecordOutcome RecordDecryptor::decrypt(const RecordInput &input,
                                       const DecryptOptions &decryptOptions, KeyMemo &memo)
{
    RecordOutcome out;
    decrypt(input, decryptOptions, memo, out);
    return out;
}

void RecordDecryptor::decrypt(const RecordInput &input, const DecryptOptions &decryptOptions,
                              KeyMemo &memo, RecordOutcome &out)
{
    // A fresh outcome that keeps the two buffers' allocations: every other member is reset by
    // construction, including any added later.
    QByteArray text = std::move(out.valueJson);
    QList<FieldOutcome> kept = std::move(out.fields);
    text.resize(0);
    kept.clear();
    out = RecordOutcome();
    out.valueJson = std::move(text);
    out.fields = std::move(kept);
    out.dekSubject = dekSubjectOf(input);

    auto framed = serde::parseFraming(input.payload, input.headers, input.isKey);
    if (!framed) {
        out.error = framed.error();
        return;
    }
    out.schemaRef = framed->schema;
    if (auto used = useSchema(framed->schema, memo); !used) {
        out.error = used.error();
        return;
    }
    const ParsedSchema &ps = *memo.schema;
    out.schemaId = ps.schema.id;
    out.schemaSubject = ps.schema.subject;
    out.schemaVersion = ps.schema.version;
    out.schemaType = ps.schema.schemaType;
    if (!ps.avro && !ps.json && !ps.protobuf) {
        out.error = makeError(
            QStringLiteral("engine.unsupported_format"),
            QStringLiteral("Schema %1 is a %2 schema; Keywarden does not decode %2 records.")
                .arg(ps.schema.id)
                .arg(ps.schema.schemaType));
        return;
    }

    const QList<EncryptionRule> &fieldRules = ps.fieldRulesOnRead;
    QByteArray body = framed->rest;
    if (ps.protobuf) {
        // The message indexes sit between the schema id and the body, in the clear even when
        // the payload is encrypted.
        auto split = serde::readMessageIndexes(framed->rest);
        if (!split) {
            out.error = split.error();
            return;
        }
        out.messageIndexes = split->messageIndexes;
        body = split->body;
    }
    for (const EncryptionRule &rule : ps.payloadRulesOnRead) {
        FieldOutcome payload;
        payload.path = QStringLiteral("(payload)");
        auto plain = decryptValue(rule, out.dekSubject, body, payload, memo);
        if (!plain) {
            payload.status = FieldOutcome::Status::Failed;
            payload.error = plain.error();
            out.payload = payload;
            out.error = makeError(plain.error().code,
                                  QStringLiteral("The record payload could not be decrypted: %1")
                                      .arg(plain.error().message));
            return;
        }
        payload.status = FieldOutcome::Status::Decrypted;
        out.payload = payload;
        body = *plain;
    }

    const serde::WalkOptions options{ps.visitAllLeaves};
    const bool masked = decryptOptions.jsonText && !decryptOptions.mask.isEmpty();
    const QByteArray mask = masked ? decryptOptions.mask.toUtf8() : QByteArray();

    QList<FieldOutcome> &fields = out.fields;
    fields.reserve(memo.fieldCount);
    // What the visitor needs, behind one pointer: a lambda capturing it and `this` fits in
    // std::function without a heap allocation per record.
    struct Visit
    {
        const QList<EncryptionRule> &fieldRules;
        QList<FieldOutcome> &fields;
        RecordOutcome &out;
        KeyMemo &memo;
        const ParsedSchema &ps;
        const bool masked;
        const QByteArray &mask;
    } const visit{fieldRules, fields, out, memo, ps, masked, mask};
    const serde::LeafVisitor visitor =
        [this, &visit](const serde::FieldVisit &field,
                       const QByteArray &value) -> std::optional<QByteArray> {
        const auto &[fieldRules, fields, out, memo, ps, masked, mask] = visit;
        FieldOutcome f;
        f.path = field.path;
        f.tags = field.tags;
        QVarLengthArray<const EncryptionRule *, 4> applicable;
        for (const EncryptionRule &r : fieldRules)
            if (r.coversTags(field.tags))
                applicable.append(&r);
        if (applicable.isEmpty()) {
            if (!field.tags.isEmpty())
                fields.append(std::move(f));
            return std::nullopt;
        }
        if (field.kind == serde::LeafKind::Other) {
            f.status = FieldOutcome::Status::Failed;
            f.kekName = applicable.first()->kekName;
            f.error = makeError(QStringLiteral("engine.unsupported_type"),
                                QStringLiteral("Field '%1' is tagged for encryption but is neither "
                                               "a string nor bytes; only those can be encrypted.")
                                    .arg(field.path));
            fields.append(std::move(f));
            return std::nullopt;
        }
        QByteArray current = value;
        for (const EncryptionRule *rule : applicable) {
            QByteArray ciphertext = current;
            if (field.kind == serde::LeafKind::String) {
                auto decoded = decodeBase64(current);
                if (!decoded) {
                    f.status = FieldOutcome::Status::Failed;
                    f.kekName = rule->kekName;
                    f.algorithm = crypto::algorithmName(rule->algorithm);
                    f.error = makeError(
                        QStringLiteral("engine.malformed_ciphertext"),
                        QStringLiteral("Field '%1' should hold base64 ciphertext but does not.")
                            .arg(field.path));
                    fields.append(std::move(f));
                    return std::nullopt;
                }
                ciphertext = std::move(*decoded);
            }
            auto plain = decryptValue(*rule, out.dekSubject, ciphertext, f, memo);
            if (!plain) {
                f.status = FieldOutcome::Status::Failed;
                f.error = plain.error();
                fields.append(std::move(f));
                return std::nullopt;
            }
            current = std::move(*plain);
        }
        f.status = FieldOutcome::Status::Decrypted;
        fields.append(std::move(f));
        // JSON records take the replacement into their value; the mask goes in directly.
        // Protobuf strings too; a bytes field cannot hold text, so it gets a token that its
        // rendering turns into the mask.
        if (masked && (ps.json || (ps.protobuf && field.kind == serde::LeafKind::String)))
            return mask;
        if (masked && ps.protobuf)
            return QByteArray(kMaskedBytesToken);
        return current;
    };

    // A record that fails as a whole after its fields were visited shows no field outcomes
    // and no partial rendering.
    const auto failAfterFields = [&out](Error error) {
        out.error = std::move(error);
        out.fields.clear();
        out.valueJson.resize(0);
    };

    if (ps.protobuf) {
        if (auto name = ps.protobuf->messageNameAt(out.messageIndexes))
            out.messageType = *name;
        auto decoded = ps.protobuf->decode(out.messageIndexes, body, visitor, options, true,
                                           decryptOptions.stored && !decryptOptions.jsonText);
        if (!decoded) {
            failAfterFields(decoded.error());
            return;
        }
        memo.fieldCount = fields.size();
        if (decryptOptions.jsonText) {
            out.valueJson = std::move(decoded->json);
            if (masked) {
                QByteArray quoted;
                serde::appendJsonString(quoted, decryptOptions.mask);
                out.valueJson.replace(QByteArrayView(kMaskedBytesJson), quoted);
            }
            return;
        }
        auto value = parseMessageJson(decoded->json);
        if (!value) {
            failAfterFields(value.error());
            return;
        }
        QJsonValue stored = *value;
        if (decoded->replaced && !decoded->storedJson.isEmpty()) {
            auto before = parseMessageJson(decoded->storedJson);
            if (!before) {
                failAfterFields(before.error());
                return;
            }
            stored = *before;
        }
        out.value = *value;
        if (decryptOptions.stored)
            out.stored = stored;
        return;
    }
    if (ps.avro && decryptOptions.jsonText) {
        out.valueJson.reserve(body.size() * 2 + 64);
        auto rendered =
            ps.avro->appendJson(body, out.valueJson, visitor, options, masked ? &mask : nullptr);
        if (!rendered) {
            failAfterFields(rendered.error());
            return;
        }
        memo.fieldCount = fields.size();
        return;
    }
    // One decoding pass with the visitor gives the value; a second, plain one gives the
    // stored form only when something was actually decrypted.
    const auto anyDecrypted = [&] {
        return std::any_of(fields.cbegin(), fields.cend(), [](const FieldOutcome &f) {
            return f.status == FieldOutcome::Status::Decrypted;
        });
    };
    if (ps.avro) {
        auto value = ps.avro->toJson(body, visitor, options);
        if (!value) {
            failAfterFields(value.error());
            return;
        }
        out.value = *value;
        if (!decryptOptions.stored) {
            // Left empty on request.
        } else if (anyDecrypted()) {
            auto stored = ps.avro->toJson(body);
            if (!stored) {
                failAfterFields(stored.error());
                return;
            }
            out.stored = *stored;
        } else {
            out.stored = out.value;
        }
    } else {
        auto parsedBody = parseJsonBody(body);
        if (!parsedBody) {
            out.error = parsedBody.error();
            return;
        }
        out.stored = *parsedBody;
        auto value = ps.json->transform(out.stored, visitor, options);
        if (!value) {
            failAfterFields(value.error());
            return;
        }
        out.value = *value;
        if (decryptOptions.jsonText) {
            serde::appendJsonValue(out.valueJson, out.value);
            out.value = QJsonValue();
            out.stored = QJsonValue();
        }
    }
}

Result<void> RecordDecryptor::useSchema(const serde::SchemaRef &ref, KeyMemo &memo)
{
    const serde::SchemaRef &last = memo.schemaRef;
    if (memo.schema && ref.kind == last.kind &&
        (ref.kind == serde::SchemaRef::Kind::Id ? ref.id == last.id : ref.guid == last.guid))
        return {};
    auto schema = schemaFor(ref);
    if (!schema)
        return schema.error();
    memo.schemaRef = ref;
    memo.schema = memo.privateSchemas ? ownCopy(*schema) : std::move(*schema);
    return {};
}

RecordInspection RecordDecryptor::inspect(const RecordInput &input)
{
    KeyMemo memo;
    return inspect(input, memo);
}

RecordInspection RecordDecryptor::inspect(const RecordInput &input, KeyMemo &memo)
{
    RecordInspection out;
    out.dekSubject = dekSubjectOf(input);
    auto framed = serde::parseFraming(input.payload, input.headers, input.isKey);
    if (!framed) {
        out.error = framed.error();
        return out;
    }
    out.schemaRef = framed->schema;
    if (auto used = useSchema(framed->schema, memo); !used) {
        out.error = used.error();
        return out;
    }
    const ParsedSchema &ps = *memo.schema;
    out.schemaId = ps.schema.id;
    out.schemaSubject = ps.schema.subject;
    out.schemaVersion = ps.schema.version;
    out.schemaType = ps.schema.schemaType;
    if (!ps.avro && !ps.json && !ps.protobuf) {
        out.error = makeError(
            QStringLiteral("engine.unsupported_format"),
            QStringLiteral("Schema %1 is a %2 schema; Keywarden does not decode %2 records.")
                .arg(ps.schema.id)
                .arg(ps.schema.schemaType));
        return out;
    }
    QByteArray body = framed->rest;
    QList<qint32> messageIndexes;
    if (ps.protobuf) {
        auto split = serde::readMessageIndexes(framed->rest);
        if (!split) {
            out.error = split.error();
            return out;
        }
        messageIndexes = split->messageIndexes;
        body = split->body;
    }

    // Describes the outermost layer of a stored value: the rule that runs first on read.
    const auto describe = [](const EncryptionRule &rule, const QString &path,
                             QByteArrayView stored) {
        EncryptedValue value;
        value.path = path;
        value.kekName = rule.kekName;
        value.algorithm = crypto::algorithmName(rule.algorithm);
        value.versionPrefixed = rule.expiryDays > 0;
        if (auto split = splitVersionPrefix(rule, stored))
            value.dekVersion = split->version;
        else
            value.error = split.error();
        return value;
    };

    if (!ps.payloadRulesOnRead.isEmpty()) {
        // The fields are inside the ciphertext: only the payload's own key can be named.
        out.payload = describe(ps.payloadRulesOnRead.first(), QStringLiteral("(payload)"), body);
        out.fieldsHidden = !ps.fieldRulesOnRead.isEmpty();
        return out;
    }
    if (ps.fieldRulesOnRead.isEmpty())
        return out;

    const serde::LeafVisitor visitor = [&](const serde::FieldVisit &field,
                                           const QByteArray &stored) -> std::optional<QByteArray> {
        const auto rule =
            std::find_if(ps.fieldRulesOnRead.cbegin(), ps.fieldRulesOnRead.cend(),
                         [&field](const EncryptionRule &r) { return r.coversTags(field.tags); });
        if (rule == ps.fieldRulesOnRead.cend())
            return std::nullopt;
        if (field.kind == serde::LeafKind::Other) {
            EncryptedValue value = describe(*rule, field.path, {});
            value.dekVersion = 0;
            value.error = makeError(QStringLiteral("engine.unsupported_type"),
                                    QStringLiteral("Field '%1' is tagged for encryption but is "
                                                   "neither a string nor bytes.")
                                        .arg(field.path));
            out.values.append(std::move(value));
            return std::nullopt;
        }
        if (field.kind == serde::LeafKind::String) {
            auto decoded = decodeBase64(stored);
            if (!decoded) {
                EncryptedValue value = describe(*rule, field.path, {});
                value.dekVersion = 0;
                value.error = makeError(
                    QStringLiteral("engine.malformed_ciphertext"),
                    QStringLiteral("Field '%1' should hold base64 ciphertext but does not.")
                        .arg(field.path));
                out.values.append(std::move(value));
                return std::nullopt;
            }
            out.values.append(describe(*rule, field.path, *decoded));
            return std::nullopt;
        }
        out.values.append(describe(*rule, field.path, stored));
        return std::nullopt;
    };

    const serde::WalkOptions options{ps.visitAllLeaves};
    Result<void> walked;
    if (ps.protobuf) {
        if (auto decoded = ps.protobuf->decode(messageIndexes, body, visitor, options, false);
            !decoded)
            walked = decoded.error();
    } else if (ps.avro) {
        QByteArray scratch;
        scratch.reserve(body.size() * 2 + 64);
        walked = ps.avro->appendJson(body, scratch, visitor, options);
    } else if (auto document = parseJsonBody(body); !document) {
        walked = document.error();
    } else if (auto transformed = ps.json->transform(*document, visitor, options); !transformed) {
        walked = transformed.error();
    }
    if (!walked) {
        out.error = walked.error();
        out.values.clear();
    }
    return out;
}

} // namespace kw::engine
