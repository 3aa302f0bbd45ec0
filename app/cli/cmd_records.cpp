// keywarden-cli records --topic NAME: a bounded read of a topic, each record decoded and its
// encrypted fields decrypted (masked unless --reveal), as JSON lines or a table.
//
// --from earliest (default) | latest | OFFSET | @EPOCH_MS; --partition N; --limit N.
// "--from latest --limit N" is the newest N records of the topic: N is shared evenly between
// the partitions read, and a partition with fewer records leaves the rest to the others (so
// the total is min(N, records stored)). "--from latest" without --limit reads the newest 10.

#include "clicommon.h"
#include "commands.h"
#include "core/audit/auditlog.h"
#include "core/domain/displaytext.h"
#include "core/domain/wholenumber.h"
#include "core/net/resttransport.h"
#include "core/registry/schemaregistryclient.h"
#include "core/serde/jsontext.h"
#include "core/services/recordpreview.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTimeZone>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <mutex>

using namespace kw;
using namespace kw::cli;

namespace {

const QString OptTopic = QStringLiteral("topic");
const QString OptFrom = QStringLiteral("from");
const QString OptPartition = QStringLiteral("partition");
const QString OptLimit = QStringLiteral("limit");
const QString OptReveal = QStringLiteral("reveal");
const QString OptStats = QStringLiteral("stats");

constexpr qint64 kDefaultLatest = 10;
const QString kMask = QStringLiteral("\u2022\u2022\u2022\u2022");

Error usage(const QString &message)
{
    return makeError(QStringLiteral("cli.usage"), message);
}

constexpr qint64 kMaxInt64 = std::numeric_limits<qint64>::max();

Result<kafka::StartPosition> startFromOptions(const QCommandLineParser &parser, qint64 limit)
{
    const QString raw = parser.value(OptFrom);
    const QString from = raw.trimmed().toLower();
    if (from.isEmpty() || from == QLatin1String("earliest"))
        return kafka::StartPosition::earliest();
    if (from == QLatin1String("latest"))
        return kafka::StartPosition::lastTotal(limit >= 0 ? limit : kDefaultLatest);
    if (raw.startsWith(QLatin1Char('@'))) {
        auto ms = parseWholeNumber(QStringLiteral("--from @EPOCH_MS"), raw.mid(1), 0, kMaxInt64);
        if (!ms)
            return usage(ms.error().message);
        return kafka::StartPosition::timestamp(*ms);
    }
    if (!raw.isEmpty() && (raw.front().isDigit() || raw.front() == QLatin1Char('-'))) {
        auto offset = parseWholeNumber(QStringLiteral("--from OFFSET"), raw, 0, kMaxInt64);
        if (!offset)
            return usage(offset.error().message);
        return kafka::StartPosition::offset(*offset);
    }
    return usage(QStringLiteral("--from must be earliest, latest, an offset or @EPOCH_MS, not "
                                "'%1'.")
                     .arg(raw));
}

// An optional numeric option in [min, max]; -1 when it is not given.
Result<qint64> numberOption(const QCommandLineParser &parser, const QString &option, qint64 min,
                            qint64 max)
{
    if (!parser.isSet(option))
        return qint64(-1);
    return parseWholeNumber(QStringLiteral("--") + option, parser.value(option), min, max);
}

// The value to print, as JSON text: the engine has already masked decrypted fields unless
// revealing. A decrypted ENCRYPT_PAYLOAD step means the whole value was ciphertext, so all of
// it is masked.
void appendPrintableValue(QByteArray &out, const kafka::PreviewRecord &r, bool reveal)
{
    const engine::RecordOutcome &outcome = r.value;
    if (!r.decrypted || !outcome.ok() || outcome.valueJson.isEmpty()) {
        out += "null"; // a tombstone, or a record that failed as a whole
    } else if (!reveal && outcome.payload &&
               outcome.payload->status == engine::FieldOutcome::Status::Decrypted) {
        serde::appendJsonString(out, kMask);
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

void appendJsonLine(QByteArray &line, const kafka::PreviewRecord &r, bool reveal)
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
    appendPrintableValue(line, r, reveal);
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

QString tableStatus(const kafka::PreviewRecord &r)
{
    if (!r.decrypted)
        return QStringLiteral("tombstone");
    if (!r.value.ok())
        return QStringLiteral("FAILED");
    int decrypted = 0, failed = 0;
    for (const engine::FieldOutcome &f : r.value.fields) {
        decrypted += f.status == engine::FieldOutcome::Status::Decrypted;
        failed += f.status == engine::FieldOutcome::Status::Failed;
    }
    if (r.value.payload) {
        decrypted += r.value.payload->status == engine::FieldOutcome::Status::Decrypted;
        failed += r.value.payload->status == engine::FieldOutcome::Status::Failed;
    }
    if (failed > 0)
        return QStringLiteral("%1 FAILED").arg(failed);
    if (decrypted > 0)
        return QStringLiteral("%1 decrypted").arg(decrypted);
    return QStringLiteral("plain");
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

QByteArray tableLine(const kafka::PreviewRecord &r, bool reveal)
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
        appendPrintableValue(json, r, reveal);
        value = QString::fromUtf8(json);
    }
    const QString time =
        r.record.timestampMs > 0
            ? QDateTime::fromMSecsSinceEpoch(r.record.timestampMs, QTimeZone::utc())
                  .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
            : QStringLiteral("-");
    const QString key =
        r.record.key.isNull() ? QStringLiteral("-") : clip(QString::fromUtf8(r.record.key), 16);
    return tableRow({QString::number(r.record.partition), QString::number(r.record.offset), time,
                     tableStatus(r), key, clip(value, 160)});
}

// --reveal prints plaintext, so it is audited like the GUI's Reveal, in the same log: one entry
// for the read, written before anything is printed. No entry, no plaintext: a log that does not
// verify (edited, truncated, deleted) is not appended to either.
Result<void> auditReveal(const profiles::ConnectionProfile &profile, const QString &topic,
                         int partition, const QCommandLineParser &parser, qint64 limit)
{
    auto log = openAuditLog(audit::AuditLog::Mode::Append);
    if (!log)
        return log.error();
    if (const auto &problem = (*log)->problem()) {
        return makeError(problem->code,
                         QStringLiteral("it does not verify. %1 Run 'keywarden-cli audit verify' "
                                        "for details.")
                             .arg(problem->message));
    }
    if (!(*log)->isKeyed())
        std::fprintf(stderr, "keywarden-cli: note: the audit log is %s\n",
                     qPrintable((*log)->keyingDescription()));
    audit::AuditEntry entry;
    entry.action = audit::ActionRecordReveal;
    entry.profile = profile.name;
    entry.registryUrl = profile.registry.baseUrl.toString(QUrl::RemoveUserInfo);
    entry.topic = topic;
    entry.partition = partition; // -1: every partition
    entry.details = {{QStringLiteral("client"), QStringLiteral("keywarden-cli records")},
                     // "fields" lists paths (AuditEntry); a bulk read names its scope instead.
                     {QStringLiteral("scope"), QStringLiteral("every encrypted field read")},
                     {QStringLiteral("from"), parser.value(OptFrom).trimmed()},
                     {QStringLiteral("limit"), limit}}; // -1: none
    auto written = await((*log)->append(entry));
    if (!written)
        return written.error();
    return {};
}

} // namespace

int runRecordsCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Read records from a topic (up to the end offsets seen at start) and "
                       "decrypt their encrypted fields. Decrypted values are masked unless "
                       "--reveal is given. '--from latest --limit N' reads the newest N records, "
                       "shared evenly between partitions (10 without --limit)."));
    addConnectionOptions(parser, Needs::RegistryAndKafka);
    addFormatOption(parser);
    parser.addOption({OptTopic, QStringLiteral("The topic to read."), QStringLiteral("name")});
    parser.addOption({OptFrom,
                      QStringLiteral("Where to start: earliest (default), latest, an offset (in "
                                     "every partition read) or @EPOCH_MS."),
                      QStringLiteral("position"), QStringLiteral("earliest")});
    parser.addOption({OptPartition, QStringLiteral("Read only this partition (0 to 2147483647)."),
                      QStringLiteral("n")});
    parser.addOption({OptLimit,
                      QStringLiteral("Read at most this many records in total (at least 1): the "
                                     "first in the read's order (partitions merged by timestamp, "
                                     "then partition number), so a repeated read prints the same."),
                      QStringLiteral("n")});
    parser.addOption(
        {OptReveal, QStringLiteral("Print decrypted values instead of masking them.")});
    parser.addOption(
        {OptStats, QStringLiteral("Print counts, KMS unwraps, cache hits and the rate to "
                                  "stderr.")});
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    if (auto stop = refuseExtraArguments(parser, arguments, 0))
        return *stop;

    auto format = formatFromOptions(parser);
    if (!format) {
        printError(format.error());
        return ExitUsage;
    }
    const QString topic = parser.value(OptTopic).trimmed();
    if (topic.isEmpty()) {
        printError(QStringLiteral("records: --topic NAME is required."));
        return ExitUsage;
    }
    auto limit = numberOption(parser, OptLimit, 1, kMaxInt64);
    auto partition = numberOption(parser, OptPartition, 0, std::numeric_limits<qint32>::max());
    if (!limit || !partition) {
        printError(!limit ? limit.error() : partition.error());
        return ExitUsage;
    }
    auto start = startFromOptions(parser, *limit);
    if (!start) {
        printError(start.error());
        return ExitUsage;
    }
    auto profile = connectionFromOptions(parser);
    if (!profile) {
        printError(profile.error());
        return exitCodeFor(profile.error());
    }
    if (profile->bootstrapServers.isEmpty()) {
        printError(QStringLiteral("records: no Kafka: pass --bootstrap HOST:PORT or a --profile "
                                  "that has bootstrap servers."));
        return ExitUsage;
    }

    // Output is the bottleneck of large reads: one big buffer, no flush per line.
    static char buffer[1 << 20];
    std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer);

    QElapsedTimer elapsed;
    elapsed.start();
    registry::RestTransport transport(profile->registry);

    kafka::PreviewOptions options;
    options.read.topic = topic;
    options.read.partition = int(*partition);
    options.read.start = *start;
    options.read.limit = *limit;
    options.read.batchSize = 1000;
    options.chunkSize = 250;
    const bool reveal = parser.isSet(OptReveal);
    options.decrypt.stored = false; // never printed
    options.decrypt.jsonText = true;
    if (!reveal)
        options.decrypt.mask = kMask;
    auto decryptor = kafka::makeRegistryDecryptor(&transport, profile->kms);

    const bool json = *format == Format::Json;
    kafka::PreviewSink sink;
    sink.renderOnly = true;
    sink.render = [reveal, json](const kafka::PreviewRecord &r, QByteArray &text) {
        if (json)
            appendJsonLine(text, r, reveal);
        else
            text += tableLine(r, reveal);
    };
    // Without a registry nothing can be decoded: that is said once instead of once per record.
    // The registry is checked while Kafka connects; nothing is printed before the check passed.
    enum class Gate
    {
        Pending,
        Open,
        Closed
    };
    std::mutex gateMutex;
    std::condition_variable gateChanged;
    Gate gate = Gate::Pending;
    bool header = !json; // the table's header only once there is something to show
    sink.onBatch = [&](QList<kafka::PreviewRecord> &&, QByteArray &&text) {
        {
            std::unique_lock lock(gateMutex);
            gateChanged.wait(lock, [&] { return gate != Gate::Pending; });
            if (gate == Gate::Closed)
                return;
        }
        if (header && !text.isEmpty()) {
            header = false;
            text.prepend(tableRow({QStringLiteral("PART"), QStringLiteral("OFFSET"),
                                   QStringLiteral("TIMESTAMP (UTC)"), QStringLiteral("STATUS"),
                                   QStringLiteral("KEY"), QStringLiteral("VALUE")}));
        }
        writeStdout(text);
    };

    std::atomic_bool cancel{false};
    const profiles::ConnectionProfile connection = *profile;
    QFuture<Result<kafka::PreviewSummary>> preview = QtConcurrent::run(
        [&] { return kafka::runPreview(connection, options, decryptor, sink, cancel); });
    registry::SchemaRegistryClient schemas(&transport);
    auto typesReply = schemas.schemaTypes();
    const Result<void> audited =
        reveal ? auditReveal(connection, topic, options.read.partition, parser, options.read.limit)
               : Result<void>{};
    const auto types = await(std::move(typesReply));
    {
        std::lock_guard lock(gateMutex);
        gate = types && audited ? Gate::Open : Gate::Closed;
    }
    gateChanged.notify_all();
    if (!audited) {
        cancel = true;
        static_cast<void>(await(preview));
        printError(QStringLiteral("records: --reveal was refused because the audit log could not "
                                  "record it: %1 Nothing was printed; without --reveal the "
                                  "values are masked.")
                       .arg(audited.error().message));
        return ExitFailure;
    }
    if (!types) {
        cancel = true;
        static_cast<void>(await(preview)); // cancelled: nothing of it is shown
        printError(QStringLiteral("records: the Schema Registry at %1 cannot be used: %2")
                       .arg(profile->registry.baseUrl.toString(QUrl::RemoveUserInfo),
                            types.error().message));
        return exitCodeFor(types.error()) == ExitFailure ? ExitUnavailable
                                                         : exitCodeFor(types.error());
    }
    auto result = await(preview);
    std::fflush(stdout);
    if (!result) {
        printError(result.error());
        return exitCodeFor(result.error());
    }

    if (parser.isSet(OptStats)) {
        const qint64 ms = std::max<qint64>(1, elapsed.elapsed());
        const kafka::PreviewSummary &s = *result;
        const auto &cache = s.cache;
        std::fprintf(stderr,
                     "records read: %lld\n"
                     "decrypted: %lld\nfailed: %lld\nplain: %lld\n"
                     "fields decrypted: %lld\nfields failed: %lld\n"
                     "KMS unwraps: %llu\nDEK cache hits: %llu\n"
                     "elapsed: %lld ms\nrecords/s: %.0f\n",
                     static_cast<long long>(s.records), static_cast<long long>(s.recordsDecrypted),
                     static_cast<long long>(s.recordsWithFailures),
                     static_cast<long long>(s.records - s.recordsDecrypted - s.recordsWithFailures),
                     static_cast<long long>(result->decryptedFields),
                     static_cast<long long>(result->failedFields),
                     static_cast<unsigned long long>(cache.kmsUnwraps),
                     static_cast<unsigned long long>(cache.hits), static_cast<long long>(ms),
                     double(s.records) * 1000.0 / double(ms));
    }
    return ExitOk;
}
