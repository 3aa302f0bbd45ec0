#include "core/registry/kekusage.h"

#include "core/domain/rules.h"
#include "core/serde/avroschema.h"
#include "core/serde/jsonschema.h"
#include "core/serde/protobufschema.h"

#include <QCryptographicHash>
#include <QMap>

#include <algorithm>

namespace kw::registry {

namespace {

constexpr qint64 DayMs = 86'400'000;

QList<EncryptionRule> rulesOf(const Schema &schema)
{
    const RuleSet set = parseRuleSet(schema.ruleSet, schema.metadata);
    return set.fieldRules + set.payloadRules;
}

// Schemas ordered by subject, then newest version first: the order "latest wins" lookups want.
QList<Schema> newestFirst(QList<Schema> schemas)
{
    std::stable_sort(schemas.begin(), schemas.end(), [](const Schema &a, const Schema &b) {
        if (a.subject != b.subject)
            return a.subject < b.subject;
        return a.version > b.version;
    });
    return schemas;
}

} // namespace

QList<KekUsage> kekUsages(const QList<Schema> &schemas, const QString &kekName)
{
    QList<Schema> ordered = schemas;
    std::stable_sort(ordered.begin(), ordered.end(), [](const Schema &a, const Schema &b) {
        return a.subject != b.subject ? a.subject < b.subject : a.version < b.version;
    });
    QList<KekUsage> out;
    for (const Schema &schema : std::as_const(ordered)) {
        for (const EncryptionRule &rule : rulesOf(schema)) {
            if (rule.kekName != kekName)
                continue;
            out.append(KekUsage{
                .subject = schema.subject,
                .version = schema.version,
                .ruleName = rule.name,
                .ruleType = rule.type == EncryptionRule::Type::Payload
                                ? QStringLiteral("ENCRYPT_PAYLOAD")
                                : QStringLiteral("ENCRYPT"),
                .mode = rule.mode,
                .expiryDays = rule.expiryDays,
                .disabled = rule.disabled,
            });
        }
    }
    return out;
}

ExpirySource dekExpiry(const QList<Schema> &schemas, const QString &kekName,
                       const QString &dekSubject)
{
    const QList<Schema> ordered = newestFirst(schemas);

    // The subject's own latest version is what its producers encrypt with, so its rule is
    // authoritative even when it sets no expiry.
    for (const Schema &schema : ordered) {
        if (schema.subject != dekSubject)
            continue;
        for (const EncryptionRule &rule : rulesOf(schema)) {
            if (rule.kekName == kekName && !rule.disabled)
                return {rule.expiryDays, schema.subject, schema.version, rule.name};
        }
        break; // only the latest version of the subject counts
    }
    // Older versions no longer drive anyone's rotation; only each subject's latest counts.
    QString previousSubject;
    for (const Schema &schema : ordered) {
        if (!previousSubject.isNull() && schema.subject == previousSubject)
            continue;
        previousSubject = schema.subject;
        for (const EncryptionRule &rule : rulesOf(schema)) {
            if (rule.kekName == kekName && !rule.disabled && rule.expiryDays > 0)
                return {rule.expiryDays, schema.subject, schema.version, rule.name};
        }
    }
    return {};
}

qint64 rotationDueMs(qint64 createdMs, int expiryDays)
{
    if (expiryDays <= 0 || createdMs <= 0)
        return 0;
    return createdMs + qint64(expiryDays) * DayMs;
}

int ageInDays(qint64 createdMs, qint64 nowMs)
{
    if (createdMs <= 0 || nowMs <= createdMs)
        return 0;
    return int((nowMs - createdMs) / DayMs);
}

QString keyMaterialFingerprint(const QByteArray &encryptedKeyMaterial)
{
    if (encryptedKeyMaterial.isEmpty())
        return {};
    const QString hex = QString::fromLatin1(
        QCryptographicHash::hash(encryptedKeyMaterial, QCryptographicHash::Sha256)
            .toHex()
            .toUpper());
    QStringList groups;
    for (qsizetype i = 0; i < hex.size(); i += 4)
        groups.append(hex.mid(i, 4));
    return groups.join(QLatin1Char(' '));
}

Result<QList<TaggedFieldKeys>> taggedFieldKeys(const Schema &schema,
                                               const QList<serde::NamedSchema> &references)
{
    const QStringList referenceTexts = serde::schemaTexts(references);
    const serde::MetadataTags metaTags = metadataTags(schema.metadata);
    QList<serde::FieldVisit> fields;
    if (schema.schemaType == QLatin1String("AVRO") || schema.schemaType.isEmpty()) {
        const Result<serde::AvroSchema> parsed =
            serde::AvroSchema::parse(schema.schema, referenceTexts, metaTags);
        if (!parsed)
            return parsed.error();
        fields = parsed->taggedFields();
    } else if (schema.schemaType == QLatin1String("JSON")) {
        const Result<serde::JsonSchemaDoc> parsed =
            serde::JsonSchemaDoc::parse(schema.schema, referenceTexts, metaTags);
        if (!parsed)
            return parsed.error();
        fields = parsed->taggedFields();
    } else if (schema.schemaType == QLatin1String("PROTOBUF")) {
        const Result<serde::ProtobufSchema> parsed =
            serde::ProtobufSchema::parse(schema.schema, references, metaTags);
        if (!parsed)
            return parsed.error();
        fields = parsed->taggedFields();
    } else {
        return makeError(QStringLiteral("serde.unsupported"),
                         QStringLiteral("Tagged fields of %1 schemas are not shown; only AVRO, "
                                        "JSON and PROTOBUF schemas are walked.")
                             .arg(schema.schemaType));
    }

    const RuleSet rules = parseRuleSet(schema.ruleSet, schema.metadata);
    QList<TaggedFieldKeys> out;
    out.reserve(fields.size());
    for (const serde::FieldVisit &field : std::as_const(fields)) {
        TaggedFieldKeys keys;
        keys.path = field.path;
        keys.fullName = field.fullName;
        keys.tags = field.tags;
        for (const EncryptionRule &rule : rules.fieldRules) {
            // A rule without tags would cover every field; here we want the rules that name
            // one of the field's tags, which is what the pane is asked to explain.
            if (rule.disabled || rule.tags.isEmpty() || !rule.coversTags(field.tags))
                continue;
            keys.ruleNames.append(rule.name);
            if (!keys.kekNames.contains(rule.kekName))
                keys.kekNames.append(rule.kekName);
        }
        out.append(keys);
    }
    return out;
}

} // namespace kw::registry
