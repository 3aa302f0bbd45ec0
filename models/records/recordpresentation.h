#pragma once
// How one previewed record is shown in the GUI: the stored form, a hex dump, and short texts
// for the table's columns. Pure functions, no widgets. Status, masking and the reveal's audit
// entry are shared with the CLI (core/services/recordview.h).

#include "core/services/recordpreview.h"
#include "core/services/recordview.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace kw::records {

// Indented JSON of any value (objects, arrays and scalars).
QString jsonText(const QJsonValue &value);
// Offset, hex and printable bytes, 16 per line; "(null)" for a null array.
QString hexDump(const QByteArray &bytes);

// Every reason this record or one of its fields failed, one per line; empty when none.
QString failureText(const kafka::PreviewRecord &record);
// "12 → customers-value v2", "id 12" or "".
QString schemaText(const engine::RecordOutcome &outcome);
// "retail-pii v2, retail-pii v3": each KEK and DEK version this record used, sorted.
QString dekVersionsText(const engine::RecordOutcome &outcome);
// The key as text when it is printable UTF-8, else hex; "(null)" for a null key.
QString keyText(const QByteArray &key);

} // namespace kw::records
