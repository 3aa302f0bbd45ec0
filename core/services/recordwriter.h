#pragma once
// Writes previewed records out: JSON lines, CSV (RFC 4180, formula cells neutralised) and the
// CLI's fixed-width table. keywarden-cli records renders its output with the append functions
// (on the decrypting worker threads); the GUI's "Export records…" writes a RecordWriter to a
// file. Decrypted values are masked (recordview.h) unless the writer is told to reveal them.

#include "core/domain/result.h"
#include "core/domain/textout.h" // csvCell
#include "core/services/recordpreview.h"

#include <QByteArray>
#include <QList>

class QIODevice;

namespace kw::records {

enum class RecordFormat
{
    JsonLines,
    Csv,
    Table // fixed-width columns for a terminal (the CLI's default)
};

enum class Plaintext
{
    Masked,  // decrypted values as MaskText
    Revealed // decrypted values as they are: only after the user asked and it was audited
};

// One record as a JSON line, '\n' included. A value the decryptor rendered as text
// (DecryptOptions::jsonText) is written as rendered: it was masked there when
// DecryptOptions::mask was set, which the caller keeps in step with `plaintext`.
void appendJsonLine(QByteArray &out, const kafka::PreviewRecord &record, Plaintext plaintext);
// One CSV row, CRLF included, in the columns of csvHeader().
void appendCsvRow(QByteArray &out, const kafka::PreviewRecord &record, Plaintext plaintext);
QByteArray csvHeader();
// One fixed-width table row, '\n' included, and the table's header row.
void appendTableRow(QByteArray &out, const kafka::PreviewRecord &record, Plaintext plaintext);
QByteArray tableHeader();

// Writes records to a device already open for writing, the header (CSV, table) first.
class RecordWriter final
{
public:
    RecordWriter(QIODevice *device, RecordFormat format, Plaintext plaintext);

    // Fails when the device refuses the bytes; what the error says names the device's reason.
    Result<void> write(const kafka::PreviewRecord &record);
    Result<void> write(const QList<kafka::PreviewRecord> &records);
    [[nodiscard]] qint64 recordsWritten() const { return m_records; }

private:
    Result<void> flush(QByteArray &bytes);

    QIODevice *m_device;
    RecordFormat m_format;
    Plaintext m_plaintext;
    bool m_headerWritten = false;
    qint64 m_records = 0;
};

// Writes `records` to the file at `path` whole or not at all (a QSaveFile), readable and
// writable by its owner only from the first byte on. Blocking: the GUI runs it on a worker.
// Answers the records written; the error message is the reason alone (the caller names the
// file).
Result<qint64> writeRecordsFile(const QString &path, RecordFormat format, Plaintext plaintext,
                                const QList<kafka::PreviewRecord> &records);

} // namespace kw::records
