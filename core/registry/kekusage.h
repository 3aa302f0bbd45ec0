#pragma once
// Pure answers the detail panes need about how schemas use keys: which schema versions name a
// KEK, which DEK expiry applies, rotation due dates, key-material fingerprints, tagged fields.

#include "core/domain/registrytypes.h"
#include "core/domain/result.h"
#include "core/serde/fieldvisit.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace kw::registry {

// One encryption rule (ENCRYPT or ENCRYPT_PAYLOAD) of one schema version that names a KEK.
struct KekUsage
{
    QString subject;
    int version = 0;
    QString ruleName;
    QString ruleType; // ENCRYPT or ENCRYPT_PAYLOAD
    QString mode;     // WRITEREAD when the rule leaves it out
    int expiryDays = 0;
    bool disabled = false;
    bool operator==(const KekUsage &) const = default;
};

// Every rule in `schemas` whose resolved encrypt.kek.name (rule params, then the schema's
// metadata.properties) is `kekName`, ordered by subject, version and rule order. Rules whose
// parameters are unusable are left out, as clients would skip them.
QList<KekUsage> kekUsages(const QList<Schema> &schemas, const QString &kekName);

// Where a DEK's rotation period comes from.
struct ExpirySource
{
    int days = 0; // 0: no rule sets encrypt.dek.expiry.days for this KEK
    QString subject;
    int version = 0;
    QString ruleName;
    bool operator==(const ExpirySource &) const = default;
};

// The encrypt.dek.expiry.days that governs DEKs of (`kekName`, `dekSubject`): an enabled rule
// naming the KEK in the latest version of `dekSubject` among `schemas` wins; otherwise the
// first enabled rule naming the KEK with an expiry in the latest version of any subject
// (subjects in order). Days 0 when none sets one.
ExpirySource dekExpiry(const QList<Schema> &schemas, const QString &kekName,
                       const QString &dekSubject);

// created + days (ms since the epoch); 0 when days <= 0 or the creation time is unknown.
qint64 rotationDueMs(qint64 createdMs, int expiryDays);
// Whole days from created to now; 0 when now is before created or created is unknown.
int ageInDays(qint64 createdMs, qint64 nowMs);

// SHA-256 of the wrapped (encrypted) key material as upper-case hex in groups of four
// ("1A2B 3C4D ..."); empty for empty input. Callers must never pass plaintext key material.
QString keyMaterialFingerprint(const QByteArray &encryptedKeyMaterial);

// A tagged field of a schema and the KEKs of the enabled ENCRYPT rules that cover it.
struct TaggedFieldKeys
{
    QString path;     // dotted path inside the record
    QString fullName; // what metadata.tags patterns match (Avro full name, JSON "$.a.b")
    QStringList tags;
    QStringList ruleNames;
    QStringList kekNames; // without duplicates, in rule order
    bool operator==(const TaggedFieldKeys &) const = default;
};

// Parses the schema (AVRO, JSON or PROTOBUF; `references` are its references by name, each
// after the ones it references itself) and lists its tagged fields (confluent:tags,
// (confluent.field_meta).tags, plus metadata.tags patterns) with the ENCRYPT rules whose tags
// include a tag of the field. Other types: error "serde.unsupported".
Result<QList<TaggedFieldKeys>> taggedFieldKeys(const Schema &schema,
                                               const QList<serde::NamedSchema> &references = {});

} // namespace kw::registry
