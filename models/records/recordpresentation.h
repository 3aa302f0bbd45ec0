#pragma once
// How one previewed record is shown: the decrypted value with its secret leaves masked, the
// stored form, a hex dump, and short texts for the table's columns. Pure functions, no widgets.

#include "core/services/recordpreview.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace kw::records {

// What the view shows in place of a decrypted value until it is revealed.
inline constexpr QStringView MaskText = u"••••";

// One leaf of the decoded value that holds decrypted plaintext.
struct SecretLeaf
{
    QString location; // "customer.addresses[1].street": where it sits in the JSON value
    QString path;     // "customer.addresses.street": the engine's field path (no indexes)
    QJsonValue value; // the plaintext
};

// The leaves of outcome.value that were decrypted: those that differ from outcome.stored, or
// every leaf when the whole payload was decrypted (ENCRYPT_PAYLOAD).
QList<SecretLeaf> secretLeaves(const engine::RecordOutcome &outcome);
// outcome.value with every secret leaf replaced by MaskText.
QJsonValue maskedValue(const engine::RecordOutcome &outcome);
// Indented JSON of any value (objects, arrays and scalars).
QString jsonText(const QJsonValue &value);
// Offset, hex and printable bytes, 16 per line; "(null)" for a null array.
QString hexDump(const QByteArray &bytes);

// The field paths a Reveal shows: decrypted fields (and "(payload)"), sorted, unique.
QStringList revealableFields(const engine::RecordOutcome &outcome);

enum class RecordStatus
{
    Decrypted,       // every encrypted field decrypted
    NotEncrypted,    // decoded; nothing in it was encrypted
    PartiallyFailed, // decoded; some encrypted fields could not be decrypted
    Failed,          // the record as a whole could not be read (framing, schema, decoding, ...)
    Tombstone,       // null value
    NotDecoded,      // decryption was off for this read
};

RecordStatus recordStatus(const kafka::PreviewRecord &record);
// "decrypted", "1 of 3 fields failed", "failed: engine.unknown_schema", ...
QString statusText(const kafka::PreviewRecord &record);
// Every reason this record or one of its fields failed, one per line; empty when none.
QString failureText(const kafka::PreviewRecord &record);
// "12 → customers-value v2", "id 12" or "".
QString schemaText(const engine::RecordOutcome &outcome);
// Fields that were encrypted (decrypted or failed).
int encryptedFieldCount(const engine::RecordOutcome &outcome);
// "retail-pii v2, retail-pii v3": each KEK and DEK version this record used, sorted.
QString dekVersionsText(const engine::RecordOutcome &outcome);
// The key as text when it is printable UTF-8, else hex; "(null)" for a null key.
QString keyText(const QByteArray &key);

} // namespace kw::records
