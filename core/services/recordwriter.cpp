#include "core/services/recordwriter.h"

#include "core/domain/displaytext.h"
#include "core/domain/textout.h"
#include "core/serde/jsontext.h"
#include "core/services/recordview.h"

#include <QDateTime>
#include <QIODevice>
#include <QSaveFile>
#include <QTimeZone>

#include <algorithm>
#include <optional>

namespace kw::records {

namespace {

// The value to print, as JSON text. A value the decryptor rendered as text was masked there
// (DecryptOptions::mask) unless revealing, apart from a decrypted ENCRYPT_PAYLOAD step: then
// the whole value was ciphertext and all of it is masked here. A decoded QJsonValue (the GUI's
// records) is masked here by the one masking rule.
void appendPrintableValue(QByteArray &out, const kafka::PreviewRecord &r, Plaintext plaintext)
{
    const bool reveal = plaintext == Plaintext::Revealed;
    const engine::RecordOutcome &outcome = r.value;
    if (!r.decrypted || !outcome.ok()) {
        out += "null"; // a tombstone, or a record that failed as a whole
    } else if (outcome.valueJson.isEmpty()) {
        serde::appendJsonValue(out, reveal ? outcome.value : maskedValue(outcome));
    } else if (!reveal && wholeValueSecret(outcome)) {
        serde::appendJsonString(out, MaskText);
    } else {
        serde::appendJsonRaw(out, outcome.valueJson);
    }
}

// The JSON string of `text`, remembered per thread for the few strings every record repeats
// (topic, subject, field paths, KEK and algorithm names). They are implicitly shared copies of
// one QString each, so a hit is a pointer comparison; the cache keeps its own copy, so a
// remembered string's data cannot change or go away.
void appendCachedJsonString(QByteArray &out, const QString &text)
{
    struct Entry
    {
        QString text;
        QByteArray json;
    };
    thread_local Entry entries[16];
    thread_local int next = 0;
    for (const Entry &e : entries)
        if (e.text.constData() == text.constData() && e.text.size() == text.size() &&
            !e.json.isEmpty()) {
            serde::appendJsonRaw(out, e.json);
            return;
        }
    Entry &e = entries[next];
    next = (next + 1) % 16;
    e.text = text;
    e.json.clear();
    serde::appendJsonString(e.json, text);
    serde::appendJsonRaw(out, e.json);
}

// Writes "name": for the members of one object, commas included.
class ObjectWriter
{
public:
    explicit ObjectWriter(QByteArray &out)
        : m_out(out)
    {
        m_out += '{';
    }
    // `name` is a plain ASCII literal: written as is, in one piece with its punctuation.
    QByteArray &key(const char *name)
    {
        char piece[64];
        qsizetype n = 0;
        if (!m_first)
            piece[n++] = ',';
        m_first = false;
        piece[n++] = '"';
        for (const char *c = name; *c && n < qsizetype(sizeof piece) - 2; ++c)
            piece[n++] = *c;
        piece[n++] = '"';
        piece[n++] = ':';
        serde::appendJsonRaw(m_out, QByteArrayView(piece, n));
        return m_out;
    }
    void string(const char *name, QStringView text) { serde::appendJsonString(key(name), text); }
    // For strings that repeat from record to record.
    void repeated(const char *name, const QString &text)
    {
        appendCachedJsonString(key(name), text);
    }
    void number(const char *name, qint64 n) { serde::appendJsonInteger(key(name), n); }
    void close() { m_out += '}'; }

private:
    QByteArray &m_out;
    bool m_first = true;
};

void appendField(QByteArray &out, const engine::FieldOutcome &f, const QString &path)
{
    ObjectWriter w(out);
    w.repeated("path", path);
    w.repeated("status", engine::statusName(f.status));
    if (!f.kekName.isEmpty())
        w.repeated("kek", f.kekName);
    if (f.dekVersion > 0)
        w.number("dekVersion", f.dekVersion);
    if (!f.algorithm.isEmpty())
        w.repeated("algorithm", f.algorithm);
    if (f.status == engine::FieldOutcome::Status::Failed)
        w.string("error", f.error.message);
    w.close();
}

// The "fields" array: the ENCRYPT_PAYLOAD step first (path ""), then each field.
void appendFields(QByteArray &out, const engine::RecordOutcome &outcome)
{
    out += '[';
    bool first = true;
    const auto add = [&](const engine::FieldOutcome &f, const QString &path) {
        if (!first)
            out += ',';
        first = false;
        appendField(out, f, path);
    };
    if (outcome.payload)
        add(*outcome.payload, QString());
    for (const engine::FieldOutcome &f : outcome.fields)
        add(f, f.path);
    out += ']';
}

// The parts of a JSON line that repeat from record to record, rendered once per worker thread:
// `{"topic":"…","partition":`, `,"schemaId":N,"subject":"…","value":` and the "fields" array
// of a record whose fields all succeeded. Each part is keyed by the identity (data pointer and
// size) of the strings it was made from; the cache keeps those strings, so a pointer it
// remembers cannot be reused for other text while it is cached.
class LineParts
{
public:
    const QByteArray &topicPrefix(const QString &topic)
    {
        if (!same(m_topic, topic) || m_topicPrefix.isEmpty()) {
            m_topic = topic;
            m_topicPrefix.clear();
            ObjectWriter w(m_topicPrefix);
            w.string("topic", topic);
            w.key("partition");
        }
        return m_topicPrefix;
    }

    const QByteArray &schemaPart(int schemaId, const QString &subject)
    {
        if (schemaId != m_schemaId || !same(m_subject, subject) || m_schemaPart.isEmpty()) {
            m_schemaId = schemaId;
            m_subject = subject;
            m_schemaPart = ",\"schemaId\":";
            if (schemaId > 0)
                serde::appendJsonInteger(m_schemaPart, schemaId);
            else
                m_schemaPart += "null";
            m_schemaPart += ",\"subject\":";
            if (subject.isEmpty())
                m_schemaPart += "null";
            else
                serde::appendJsonString(m_schemaPart, subject);
            m_schemaPart += ",\"value\":";
        }
        return m_schemaPart;
    }

    // The "fields" array (from '[' to ']'), or null when a field failed: error texts differ from
    // record to record, so those are written each time.
    const QByteArray *fields(const engine::RecordOutcome &out)
    {
        const auto failed = [](const engine::FieldOutcome &f) {
            return f.status == engine::FieldOutcome::Status::Failed;
        };
        if ((out.payload && failed(*out.payload)) ||
            std::any_of(out.fields.cbegin(), out.fields.cend(), failed))
            return nullptr;
        if (!m_fieldsJson.isEmpty() && sameFields(out))
            return &m_fieldsJson;
        m_payload = out.payload;
        m_fields = out.fields;
        m_fieldsJson.clear();
        appendFields(m_fieldsJson, out);
        return &m_fieldsJson;
    }

private:
    static bool same(const QString &a, const QString &b)
    {
        return a.constData() == b.constData() && a.size() == b.size();
    }
    static bool sameField(const engine::FieldOutcome &a, const engine::FieldOutcome &b)
    {
        return a.status == b.status && a.dekVersion == b.dekVersion && same(a.path, b.path) &&
               same(a.kekName, b.kekName) && same(a.algorithm, b.algorithm);
    }
    bool sameFields(const engine::RecordOutcome &out) const
    {
        if (out.payload.has_value() != m_payload.has_value() ||
            (out.payload && !sameField(*out.payload, *m_payload)) ||
            out.fields.size() != m_fields.size())
            return false;
        for (qsizetype i = 0; i < m_fields.size(); ++i)
            if (!sameField(out.fields.at(i), m_fields.at(i)))
                return false;
        return true;
    }

    QString m_topic;
    QByteArray m_topicPrefix;
    int m_schemaId = -1;
    QString m_subject;
    QByteArray m_schemaPart;
    std::optional<engine::FieldOutcome> m_payload;
    QList<engine::FieldOutcome> m_fields;
    QByteArray m_fieldsJson;
};

} // namespace

void appendJsonLine(QByteArray &line, const kafka::PreviewRecord &r, Plaintext plaintext)
{
    thread_local LineParts parts;
    const engine::RecordOutcome &out = r.value;
    serde::appendJsonRaw(line, parts.topicPrefix(r.record.topic));
    serde::appendJsonInteger(line, r.record.partition);
    serde::appendJsonRaw(line, QByteArrayView(",\"offset\":"));
    serde::appendJsonInteger(line, r.record.offset);
    serde::appendJsonRaw(line, QByteArrayView(",\"timestamp\":"));
    serde::appendJsonInteger(line, r.record.timestampMs);
    // Keys are shown raw: as text when they are UTF-8, else as base64 under keyBase64.
    if (!r.record.key.isNull()) {
        if (QByteArrayView(r.record.key).isValidUtf8()) {
            serde::appendJsonRaw(line, QByteArrayView(",\"key\":"));
            serde::appendJsonUtf8(line, r.record.key);
        } else {
            serde::appendJsonRaw(line, QByteArrayView(",\"keyBase64\":"));
            serde::appendJsonBase64(line, r.record.key);
        }
    }
    const QString &subject = out.schemaSubject.isEmpty() ? out.dekSubject : out.schemaSubject;
    serde::appendJsonRaw(line, parts.schemaPart(out.schemaId, subject));
    appendPrintableValue(line, r, plaintext);
    serde::appendJsonRaw(line, QByteArrayView(",\"fields\":"));
    if (!r.decrypted) {
        serde::appendJsonRaw(line, QByteArrayView("[]"));
    } else if (const QByteArray *cached = parts.fields(out)) {
        serde::appendJsonRaw(line, *cached);
    } else {
        appendFields(line, out);
    }
    if (!out.ok()) {
        serde::appendJsonRaw(line, QByteArrayView(",\"error\":"));
        serde::appendJsonString(line, out.error.message);
    }
    serde::appendJsonRaw(line, QByteArrayView("}\n"));
}

namespace {

// One table cell: line breaks as spaces, other control characters (a record key is whatever
// the producer chose) as visible escapes, then cut to `max`, never inside an escape.
QString clip(QString text, qsizetype max)
{
    text.replace(QLatin1Char('\n'), QLatin1Char(' '));
    text = displaySafe(text);
    if (text.size() <= max)
        return text;
    qsizetype cut = max - 1;
    const qsizetype escape = text.lastIndexOf(QLatin1Char('\\'), cut - 1);
    if (escape >= 0) {
        const QChar kind = text.at(escape + 1);
        const qsizetype length = kind == QLatin1Char('u') ? 6 : kind == QLatin1Char('x') ? 4 : 0;
        if (escape + length > cut)
            cut = escape;
    }
    return text.left(cut) + QChar(0x2026);
}

// Fixed column widths: rows are printed as they arrive, so they cannot be measured first.
QByteArray tableRow(const QStringList &cells)
{
    static const QList<qsizetype> widths{4, 10, 19, 12, 16};
    QString line;
    for (qsizetype i = 0; i < cells.size(); ++i)
        line += i < widths.size() ? cells.at(i).leftJustified(widths.at(i)) + QLatin1Char(' ')
                                  : cells.at(i);
    line += QLatin1Char('\n');
    return line.toUtf8();
}

} // namespace

void appendTableRow(QByteArray &out, const kafka::PreviewRecord &r, Plaintext plaintext)
{
    QString error;
    if (r.decrypted && !r.value.ok()) {
        error = r.value.error.message;
    } else {
        for (const engine::FieldOutcome &f : r.value.fields)
            if (f.status == engine::FieldOutcome::Status::Failed) {
                error = QStringLiteral("%1: %2").arg(f.path, f.error.message);
                break;
            }
        if (r.value.payload && r.value.payload->status == engine::FieldOutcome::Status::Failed)
            error = r.value.payload->error.message;
    }
    QString value;
    if (!r.decrypted)
        value = QStringLiteral("(null)");
    else if (!error.isEmpty())
        value = error;
    else {
        QByteArray json;
        appendPrintableValue(json, r, plaintext);
        value = QString::fromUtf8(json);
    }
    const QString time =
        r.record.timestampMs > 0
            ? QDateTime::fromMSecsSinceEpoch(r.record.timestampMs, QTimeZone::utc())
                  .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
            : QStringLiteral("-");
    const QString key =
        r.record.key.isNull() ? QStringLiteral("-") : clip(QString::fromUtf8(r.record.key), 16);
    out += tableRow({QString::number(r.record.partition), QString::number(r.record.offset), time,
                     shortStatusText(r), key, clip(value, 160)});
}

QByteArray tableHeader()
{
    return tableRow({QStringLiteral("PART"), QStringLiteral("OFFSET"),
                     QStringLiteral("TIMESTAMP (UTC)"), QStringLiteral("STATUS"),
                     QStringLiteral("KEY"), QStringLiteral("VALUE")});
}

namespace {

// Every reason the record or one of its steps failed, in one cell.
QString failureSummary(const kafka::PreviewRecord &r)
{
    if (!r.decrypted)
        return {};
    if (!r.value.ok())
        return r.value.error.message;
    QStringList reasons;
    const auto add = [&reasons](const engine::FieldOutcome &f, const QString &path) {
        if (f.status == engine::FieldOutcome::Status::Failed)
            reasons << (path.isEmpty() ? f.error.message
                                       : QStringLiteral("%1: %2").arg(path, f.error.message));
    };
    if (r.value.payload)
        add(*r.value.payload, QString());
    for (const engine::FieldOutcome &f : r.value.fields)
        add(f, f.path);
    return reasons.join(QStringLiteral("; "));
}

} // namespace

QByteArray csvHeader()
{
    QByteArray out;
    kw::appendCsvRow(
        out, {QStringLiteral("topic"), QStringLiteral("partition"), QStringLiteral("offset"),
              QStringLiteral("timestamp"), QStringLiteral("key"), QStringLiteral("keyBase64"),
              QStringLiteral("schemaId"), QStringLiteral("subject"), QStringLiteral("status"),
              QStringLiteral("value"), QStringLiteral("error")});
    return out;
}

void appendCsvRow(QByteArray &out, const kafka::PreviewRecord &r, Plaintext plaintext)
{
    const kafka::KafkaRecord &record = r.record;
    const engine::RecordOutcome &outcome = r.value;
    // Keys as in the JSON lines: text when they are UTF-8, else base64 in their own column.
    const bool textKey = !record.key.isNull() && QByteArrayView(record.key).isValidUtf8();
    const bool binaryKey = !record.key.isNull() && !textKey;
    QString value;
    if (r.decrypted && outcome.ok()) {
        QByteArray json;
        appendPrintableValue(json, r, plaintext);
        value = QString::fromUtf8(json);
    }
    const QString &subject =
        outcome.schemaSubject.isEmpty() ? outcome.dekSubject : outcome.schemaSubject;
    kw::appendCsvRow(out, {record.topic, QString::number(record.partition),
                           QString::number(record.offset), QString::number(record.timestampMs),
                           textKey ? QString::fromUtf8(record.key) : QString(),
                           binaryKey ? QString::fromLatin1(record.key.toBase64()) : QString(),
                           outcome.schemaId > 0 ? QString::number(outcome.schemaId) : QString(),
                           subject, statusText(r), value, failureSummary(r)});
}

RecordWriter::RecordWriter(QIODevice *device, RecordFormat format, Plaintext plaintext)
    : m_device(device)
    , m_format(format)
    , m_plaintext(plaintext)
{}

Result<void> RecordWriter::write(const kafka::PreviewRecord &record)
{
    return write(QList<kafka::PreviewRecord>{record});
}

Result<void> RecordWriter::write(const QList<kafka::PreviewRecord> &records)
{
    QByteArray bytes;
    if (!m_headerWritten) {
        if (m_format == RecordFormat::Csv)
            bytes += csvHeader();
        else if (m_format == RecordFormat::Table)
            bytes += tableHeader();
    }
    for (const kafka::PreviewRecord &record : records) {
        switch (m_format) {
        case RecordFormat::JsonLines:
            appendJsonLine(bytes, record, m_plaintext);
            break;
        case RecordFormat::Csv:
            appendCsvRow(bytes, record, m_plaintext);
            break;
        case RecordFormat::Table:
            appendTableRow(bytes, record, m_plaintext);
            break;
        }
    }
    if (auto flushed = flush(bytes); !flushed)
        return flushed;
    m_headerWritten = true;
    m_records += records.size();
    return {};
}

Result<void> RecordWriter::flush(QByteArray &bytes)
{
    return writeAll(m_device, bytes, QStringLiteral("records.export_write"),
                    QStringLiteral("The records"));
}

Result<qint64> writeRecordsFile(const QString &path, RecordFormat format, Plaintext plaintext,
                                const QList<kafka::PreviewRecord> &records)
{
    const auto fail = [](const QString &reason) {
        return Result<qint64>(makeError(QStringLiteral("export.write"), reason));
    };
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return fail(QStringLiteral("its permissions could not be limited to the owner (%1).")
                        .arg(file.errorString()));
    RecordWriter writer(&file, format, plaintext);
    if (auto written = writer.write(records); !written)
        return fail(written.error().message);
    if (!file.commit())
        return fail(file.errorString());
    return writer.recordsWritten();
}

} // namespace kw::records
