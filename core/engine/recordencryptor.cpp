#include "core/engine/recordencryptor.h"

#include "core/serde/avroschema.h"
#include "core/serde/framing.h"
#include "core/serde/jsonschema.h"
#include "core/serde/protobufschema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QtEndian>

namespace kw::engine {

namespace {

constexpr qint64 kDayMs = 24LL * 60 * 60 * 1000;

} // namespace

struct RecordEncryptor::ActiveDek
{
    int version = 1;
    qint64 ts = 0;
    std::shared_ptr<const crypto::DekCipher> cipher;
};

RecordEncryptor::RecordEncryptor(std::shared_ptr<KeySource> keys,
                                 std::shared_ptr<const kms::KmsRegistry> kms,
                                 kms::KmsSettings kmsSettings, const Clock &clock)
    : m_keys(std::move(keys))
    , m_kms(std::move(kms))
    , m_kmsSettings(std::move(kmsSettings))
    , m_clock(clock)
{}

RecordEncryptor::~RecordEncryptor() = default;

int RecordEncryptor::createdDeks() const
{
    return m_created;
}

Result<std::shared_ptr<const RecordEncryptor::ActiveDek>>
RecordEncryptor::createDek(const registry::Kek &kek, const EncryptionRule &rule,
                           const QString &subject, int version)
{
    registry::Dek request;
    request.subject = subject;
    request.version = version;
    request.algorithm = crypto::algorithmName(rule.algorithm);
    crypto::SecureBytes keyProto;
    if (!kek.shared) {
        // A non-shared KEK: the producer generates the key and wraps it with the KMS itself.
        keyProto = crypto::generateTinkKey(rule.algorithm);
        auto aead = m_kms->aeadFor(
            kms::KekRef{kek.name, kek.kmsType, kek.kmsKeyId, kek.kmsProps, kek.shared},
            m_kmsSettings);
        if (!aead)
            return aead.error();
        auto wrapped = awaitResult((*aead)->wrap(keyProto.view().toByteArray()));
        if (!wrapped)
            return wrapped.error();
        request.encryptedKeyMaterial = *wrapped;
    }
    auto created = awaitResult(m_keys->createDek(kek.name, request));
    if (!created)
        return created.error();
    ++m_created;
    if (kek.shared) {
        if (created->keyMaterial.isEmpty())
            return makeError(QStringLiteral("engine.dek_not_found"),
                             QStringLiteral("The registry created DEK version %1 of subject '%2' "
                                            "under shared KEK '%3' but returned no key material.")
                                 .arg(version)
                                 .arg(subject, kek.name));
        keyProto = crypto::SecureBytes::fromBytes(created->keyMaterial);
    }
    auto cipher = crypto::DekCipher::fromKeyProto(rule.algorithm, keyProto.view());
    if (!cipher)
        return cipher.error();
    auto active = std::make_shared<ActiveDek>();
    active->version = created->version;
    active->ts = created->ts;
    active->cipher = std::make_shared<const crypto::DekCipher>(std::move(*cipher));
    return std::shared_ptr<const ActiveDek>(active);
}

Result<std::shared_ptr<const RecordEncryptor::ActiveDek>>
RecordEncryptor::dekFor(const EncryptionRule &rule, const QString &subject)
{
    const QString algorithm = crypto::algorithmName(rule.algorithm);
    const QString cacheKey =
        rule.kekName + QLatin1Char('/') + subject + QLatin1Char('/') + algorithm;
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock.nowMs();
    auto isExpired = [&](qint64 ts) {
        return rule.expiryDays > 0 && (now - ts) / kDayMs >= rule.expiryDays;
    };
    if (auto it = m_active.constFind(cacheKey); it != m_active.cend() && !isExpired((*it)->ts))
        return *it;

    auto kek = awaitResult(m_keys->kek(rule.kekName, false));
    if (!kek)
        return makeError(QStringLiteral("engine.kek_not_found"),
                         QStringLiteral("KEK '%1' is not in the DEK Registry (%2).")
                             .arg(rule.kekName, kek.error().message));

    const int wanted = rule.expiryDays > 0 ? -1 : 1;
    auto existing = awaitResult(m_keys->dek(rule.kekName, subject, wanted, algorithm, false));
    std::shared_ptr<const ActiveDek> active;
    if (!existing) {
        if (existing.error().code != QLatin1String("registry.40470"))
            return existing.error();
        auto created = createDek(*kek, rule, subject, 1);
        if (!created)
            return created.error();
        active = *created;
    } else if (isExpired(existing->ts)) {
        auto created = createDek(*kek, rule, subject, existing->version + 1);
        if (!created)
            return created.error();
        active = *created;
    } else {
        QByteArray keyProto = existing->keyMaterial;
        if (keyProto.isEmpty()) {
            auto aead = m_kms->aeadFor(
                kms::KekRef{kek->name, kek->kmsType, kek->kmsKeyId, kek->kmsProps, kek->shared},
                m_kmsSettings);
            if (!aead)
                return aead.error();
            auto unwrapped = awaitResult((*aead)->unwrap(existing->encryptedKeyMaterial));
            if (!unwrapped)
                return unwrapped.error();
            keyProto = *unwrapped;
        }
        auto cipher = crypto::DekCipher::fromKeyProto(rule.algorithm, keyProto);
        keyProto.fill('\0');
        if (!cipher)
            return cipher.error();
        auto a = std::make_shared<ActiveDek>();
        a->version = existing->version;
        a->ts = existing->ts;
        a->cipher = std::make_shared<const crypto::DekCipher>(std::move(*cipher));
        active = a;
    }
    m_active.insert(cacheKey, active);
    return active;
}

Result<QByteArray> RecordEncryptor::encryptValue(const EncryptionRule &rule, const QString &subject,
                                                 const QByteArray &plaintext)
{
    auto dek = dekFor(rule, subject);
    if (!dek)
        return dek.error();
    auto ciphertext = (*dek)->cipher->encrypt(plaintext);
    if (!ciphertext)
        return ciphertext.error();
    if (rule.expiryDays <= 0)
        return ciphertext;
    QByteArray prefixed(5, Qt::Uninitialized);
    prefixed[0] = 0;
    qToBigEndian<qint32>((*dek)->version, prefixed.data() + 1);
    prefixed.append(*ciphertext);
    return prefixed;
}

// A schema parsed for writing: its rules and its walker. Parsing (Avro C reads the schema JSON)
// cost more than encoding and encrypting a record, so each schema is parsed once.
struct RecordEncryptor::ParsedSchema
{
    RuleSet rules;
    QList<EncryptionRule> fieldRules;   // the field rules that run on write
    QList<EncryptionRule> payloadRules; // the payload rules that run on write
    bool visitAll = false;              // a field rule without tags covers every leaf
    std::optional<serde::AvroSchema> avro;
    std::optional<serde::JsonSchemaDoc> json;
    std::optional<serde::ProtobufSchema> protobuf;
};

Result<std::shared_ptr<const RecordEncryptor::ParsedSchema>>
RecordEncryptor::parsed(const registry::Schema &schema, const QList<serde::NamedSchema> &references)
{
    // Everything parsing depends on; the text itself, so a schema without an id is fine too.
    QString referenceKey;
    for (const serde::NamedSchema &r : references)
        referenceKey += r.name + QChar(1) + r.text + QChar(0);
    const QStringList referenceTexts = serde::schemaTexts(references);
    const QString key =
        schema.schemaType + QChar(0) + schema.schema + QChar(0) + referenceKey + QChar(0) +
        QString::fromUtf8(QJsonDocument(schema.metadata).toJson(QJsonDocument::Compact)) +
        QChar(0) + QString::fromUtf8(QJsonDocument(schema.ruleSet).toJson(QJsonDocument::Compact));
    {
        QMutexLocker lock(&m_schemaMutex);
        if (auto it = m_schemas.constFind(key); it != m_schemas.cend())
            return *it;
    }
    auto p = std::make_shared<ParsedSchema>();
    p->rules = parseRuleSet(schema.ruleSet, schema.metadata);
    if (!p->rules.problems.isEmpty())
        return p->rules.problems.first();
    if (p->rules.runsOnClient()) {
        for (const EncryptionRule &r : std::as_const(p->rules.fieldRules))
            if (r.appliesOnWrite()) {
                p->fieldRules.append(r);
                p->visitAll = p->visitAll || r.tags.isEmpty();
            }
        for (const EncryptionRule &r : std::as_const(p->rules.payloadRules))
            if (r.appliesOnWrite())
                p->payloadRules.append(r);
    }
    const serde::MetadataTags tags = metadataTags(schema.metadata);
    if (schema.schemaType == QLatin1String("AVRO")) {
        auto avro = serde::AvroSchema::parse(schema.schema, referenceTexts, tags);
        if (!avro)
            return avro.error();
        p->avro = *avro;
    } else if (schema.schemaType == QLatin1String("JSON")) {
        auto json = serde::JsonSchemaDoc::parse(schema.schema, referenceTexts, tags);
        if (!json)
            return json.error();
        p->json = *json;
    } else if (schema.schemaType == QLatin1String("PROTOBUF")) {
        auto protobuf = serde::ProtobufSchema::parse(schema.schema, references, tags);
        if (!protobuf)
            return protobuf.error();
        p->protobuf = *protobuf;
    } else {
        return makeError(
            QStringLiteral("engine.unsupported_format"),
            QStringLiteral("Keywarden does not write %1 records yet.").arg(schema.schemaType));
    }
    QMutexLocker lock(&m_schemaMutex);
    m_schemas.insert(key, p);
    return std::shared_ptr<const ParsedSchema>(p);
}

Result<QByteArray> RecordEncryptor::encrypt(const registry::Schema &schema,
                                            const QString &dekSubject, const QJsonValue &value,
                                            const QList<serde::NamedSchema> &references,
                                            const QString &messageType)
{
    auto found = parsed(schema, references);
    if (!found)
        return found.error();
    const ParsedSchema &ps = **found;
    const QList<EncryptionRule> &fieldRules = ps.fieldRules;
    const bool visitAll = ps.visitAll;

    std::optional<Error> failure;
    const serde::LeafVisitor visitor = [&](const serde::FieldVisit &field,
                                           const QByteArray &plain) -> std::optional<QByteArray> {
        if (failure)
            return std::nullopt;
        QByteArray current = plain;
        bool touched = false;
        for (const EncryptionRule &rule : std::as_const(fieldRules)) {
            if (!rule.coversTags(field.tags))
                continue;
            if (field.kind == serde::LeafKind::Other) {
                failure = makeError(
                    QStringLiteral("engine.unsupported_type"),
                    QStringLiteral(
                        "Field '%1' is tagged for encryption but is neither a string nor bytes.")
                        .arg(field.path));
                return std::nullopt;
            }
            auto encrypted = encryptValue(rule, dekSubject, current);
            if (!encrypted) {
                failure = encrypted.error();
                return std::nullopt;
            }
            current = field.kind == serde::LeafKind::String ? encrypted->toBase64() : *encrypted;
            touched = true;
        }
        return touched ? std::optional<QByteArray>(current) : std::nullopt;
    };

    QByteArray body;
    QByteArray messageIndexes; // Protobuf: in the clear between the framing and the body
    if (ps.protobuf) {
        auto encoded =
            ps.protobuf->encode(value, messageType, visitor, serde::WalkOptions{visitAll});
        if (failure)
            return *failure;
        if (!encoded)
            return encoded.error();
        body = encoded->body;
        messageIndexes = serde::encodeMessageIndexes(encoded->messageIndexes);
    } else if (ps.avro) {
        auto encoded = ps.avro->fromJson(value);
        if (!encoded)
            return encoded.error();
        body = *encoded;
        if (!fieldRules.isEmpty()) {
            auto transformed = ps.avro->transform(body, visitor, serde::WalkOptions{visitAll});
            if (failure)
                return *failure;
            if (!transformed)
                return transformed.error();
            body = *transformed;
        }
    } else {
        QJsonValue doc = value;
        if (!fieldRules.isEmpty()) {
            auto transformed = ps.json->transform(value, visitor, serde::WalkOptions{visitAll});
            if (failure)
                return *failure;
            if (!transformed)
                return transformed.error();
            doc = *transformed;
        }
        // The JSON serializer writes compact UTF-8 JSON text.
        body = QJsonDocument(QJsonArray{doc}).toJson(QJsonDocument::Compact);
        body = body.mid(1, body.size() - 2);
    }

    for (const EncryptionRule &rule : ps.payloadRules) {
        auto encrypted = encryptValue(rule, dekSubject, body);
        if (!encrypted)
            return encrypted.error();
        body = *encrypted;
    }
    return serde::frameWithId(schema.id, messageIndexes + body);
}

} // namespace kw::engine
