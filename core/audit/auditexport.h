#pragma once
// The audit log out of Keywarden: entries as JSON objects, CSV rows (RFC 4180) and JSON lines,
// and an export that reads the log a page at a time, so a log of millions of entries is
// written without being held in memory. The Audit view's export, `keywarden-cli audit export`
// and the compliance report use these.

#include "core/audit/auditstore.h"
#include "core/domain/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QLatin1String>
#include <QStringList>

#include <functional>

class QIODevice;

namespace kw::audit {

// The output refused the bytes.
inline constexpr QLatin1String ErrorExportWrite{"audit.export_write"};

enum class ExportFormat
{
    Csv,
    JsonLines
};

// Every stored field; time as ISO 8601 UTC with milliseconds ("time") and as ms ("timeMs").
[[nodiscard]] QJsonObject entryJson(const AuditEntry &entry);
// The CSV header row and one entry's row (details as compact JSON), CRLF included.
[[nodiscard]] QByteArray csvHeader();
void appendCsvRow(QByteArray &out, const AuditEntry &entry);
// One entry as a JSON line, '\n' included.
void appendJsonLine(QByteArray &out, const AuditEntry &entry);
// "2026-12-06T01:02:03.004Z"
[[nodiscard]] QString isoTime(qint64 ms);
// "2026-12-06 01:02:03" (UTC), as the Audit view and `audit list` show it.
[[nodiscard]] QString timeText(qint64 ms);
// What an entry acted on, for people: its object, or for a record "customers/0@42".
[[nodiscard]] QString objectText(const AuditEntry &entry);

// Writes the entries `filter` selects (its limit is ignored), oldest first, to a device open
// for writing; the CSV header first. `progress` hears (written, selected) after each page and
// stops the export with ErrorCancelled when it answers false. Answers how many were written.
using ExportProgress = std::function<bool(qint64 written, qint64 total)>;
Result<qint64> exportEntries(const AuditStore &store, const AuditFilter &filter, QIODevice *device,
                             ExportFormat format, const ExportProgress &progress = {});

} // namespace kw::audit
