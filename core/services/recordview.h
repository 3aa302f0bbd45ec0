#pragma once
// What every client (the GUI's Records view, keywarden-cli records) says about one previewed
// record: its status, which of its values are secret and how they are masked, and the audit
// entry a reveal writes. One definition, so the GUI and the CLI cannot drift apart.

#include "core/audit/auditstore.h"
#include "core/services/recordpreview.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace kw::records {

// What stands in place of a decrypted value until it is revealed (GUI, CLI, exports).
inline constexpr QStringView MaskText = u"\u2022\u2022\u2022\u2022";

// One leaf of the decoded value that holds decrypted plaintext.
struct SecretLeaf
{
    QString location; // "customer.addresses[1].street": where it sits in the JSON value
    QString path;     // "customer.addresses.street": the engine's field path (no indexes)
    QJsonValue value; // the plaintext
};

// True when an ENCRYPT_PAYLOAD step decrypted the whole value: then everything in it,
// structure and field names included, was ciphertext and is masked as one.
bool wholeValueSecret(const engine::RecordOutcome &outcome);
// The leaves of outcome.value that were decrypted: those that differ from outcome.stored, or
// every leaf when the whole payload was decrypted.
QList<SecretLeaf> secretLeaves(const engine::RecordOutcome &outcome);
// The masking rule: outcome.value with every decrypted leaf replaced by MaskText, or MaskText
// alone when the whole value was secret (wholeValueSecret()).
QJsonValue maskedValue(const engine::RecordOutcome &outcome);
// The field paths a reveal shows: decrypted fields (and the payload step's path), sorted,
// unique.
QStringList revealableFields(const engine::RecordOutcome &outcome);
// Fields that were encrypted (decrypted or failed); the payload step is not counted.
int encryptedFieldCount(const engine::RecordOutcome &outcome);

enum class RecordStatus
{
    Decrypted,       // every encrypted field decrypted
    NotEncrypted,    // decoded; nothing in it was encrypted
    PartiallyFailed, // decoded; some encrypted fields could not be decrypted
    Failed,          // the record as a whole could not be read (framing, schema, decoding, ...)
    Tombstone,       // null value
    NotDecoded,      // decryption was off for this read
};

// Decryption steps of one record, the payload step included.
struct StepCounts
{
    int decrypted = 0;
    int failed = 0;
};
StepCounts stepCounts(const engine::RecordOutcome &outcome);

RecordStatus recordStatus(const kafka::PreviewRecord &record);
// The long form (GUI table, exports): "decrypted", "1 of 3 fields failed",
// "failed: engine.unknown_schema", "tombstone", ...
QString statusText(const kafka::PreviewRecord &record);
// The short form of a fixed-width row (CLI table): "2 decrypted", "1 FAILED", "FAILED",
// "plain", "tombstone".
QString shortStatusText(const kafka::PreviewRecord &record);

// What a reveal covered; revealAuditEntry() turns it into the one entry layout.
struct RevealScope
{
    QString client; // "keywarden", "keywarden-cli records"
    QString profile;
    QUrl registryUrl; // user info is dropped
    QString topic;
    int partition = -1; // -1: every partition
    qint64 offset = -1; // one record's offset; -1 for a read of many
    // One record: the revealed field paths and where the record's schema and DEKs came from.
    QStringList fields;
    int schemaId = 0;
    QString dekSubject;
    // A read of many (fields unknown until read): where it started and how many at most.
    QString from;
    qint64 limit = -1; // -1: none
    // An export of many: how many records and in which format; the paths go in `fields`.
    qint64 records = -1; // -1: not an export
    QString format;
    // What was revealed: "record", "every encrypted field read", "export".
    QString scope;
};
// The record.reveal entry, the same layout from every client: details always name "client"
// and "scope"; one record adds "fields", "schemaId" and "dekSubject"; a read of many adds
// "from" and "limit"; an export adds "fields", "records" and "format". A "fields" key always
// holds a list of paths, so a read (which cannot know them before it prints) has none.
audit::AuditEntry revealAuditEntry(const RevealScope &scope);

} // namespace kw::records
