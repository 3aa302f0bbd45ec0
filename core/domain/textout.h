#pragma once
// What every export shares: RFC 4180 CSV cells and rows with formula cells neutralised, and
// writing bytes whole to a QIODevice with the device's reason when it refuses. The records
// export, the audit export and the compliance report's CSV use them.

#include "core/domain/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>

class QIODevice;

namespace kw {

// One RFC 4180 cell: quoted when it holds a quote, comma or line break; a cell that a
// spreadsheet would run as a formula (= + - @, tab, CR) is prefixed with an apostrophe
// (OWASP's CSV injection advice): exported data is whatever someone else wrote.
QByteArray csvCell(const QString &text);
// Cells joined by commas, CRLF included.
void appendCsvRow(QByteArray &out, const QStringList &cells);

// Writes all of `bytes` to `device`, which must be open for writing. The error has `code`
// and says "`what` could not be written: <the device's reason>".
Result<void> writeAll(QIODevice *device, const QByteArray &bytes, const QString &code,
                      const QString &what);

// Writes a file whole or not at all (QSaveFile), readable and writable by its owner only from
// the first byte on: `write` fills the device; the file replaces `path` only when it
// succeeds. Failures carry `write`'s error, or `code` and the file's reason.
Result<void> savePrivateFile(const QString &path, const QString &code,
                             const std::function<Result<void>(QIODevice *)> &write);

} // namespace kw
