// keywarden-cli records --topic NAME: a bounded read of a topic, each record decoded and its
// encrypted fields decrypted (masked unless --reveal), as JSON lines or a table.
//
// --from earliest (default) | latest | OFFSET | @EPOCH_MS; --partition N; --limit N.
// "--from latest --limit N" is the newest N records of the topic: N is shared evenly between
// the partitions read, and a partition with fewer records leaves the rest to the others (so
// the total is min(N, records stored)). "--from latest" without --limit reads the newest 10.

#include "clicommon.h"
#include "commands.h"
#include "kafka/recordpreview.h"
#include "registry/resttransport.h"
#include "registry/schemaregistryclient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QStringDecoder>
#include <QTimeZone>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>

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

Result<kafka::StartPosition> startFromOptions(const QCommandLineParser &parser, qint64 limit)
{
    const QString from = parser.value(OptFrom).trimmed().toLower();
    if (from.isEmpty() || from == QLatin1String("earliest"))
        return kafka::StartPosition::earliest();
    if (from == QLatin1String("latest"))
        return kafka::StartPosition::lastTotal(limit >= 0 ? limit : kDefaultLatest);
    bool ok = false;
    if (from.startsWith(QLatin1Char('@'))) {
        const qint64 ms = from.mid(1).toLongLong(&ok);
        if (ok && ms >= 0)
            return kafka::StartPosition::timestamp(ms);
    } else {
        const qint64 offset = from.toLongLong(&ok);
        if (ok && offset >= 0)
            return kafka::StartPosition::offset(offset);
    }
    return usage(QStringLiteral("--from must be earliest, latest, an offset or @EPOCH_MS, not "
                                "'%1'.")
                     .arg(parser.value(OptFrom)));
}

Result<qint64> nonNegative(const QCommandLineParser &parser, const QString &option)
{
    if (!parser.isSet(option))
        return qint64(-1);
    bool ok = false;
    const qint64 n = parser.value(option).toLongLong(&ok);
    if (!ok || n < 0)
        return usage(QStringLiteral("--%1 must be a number >= 0, not '%2'.")
                         .arg(option, parser.value(option)));
    return n;
}

// Replaces the string leaves at a dotted field path with the mask. Arrays and map values add
// no path segment (the engine's path rule), and Avro union branches appear as one-key
// wrapper objects, so a segment not found in an object is looked for in its members.
void maskLeaves(QJsonValue &value)
{
    if (value.isString()) {
        value = kMask;
    } else if (value.isArray()) {
        QJsonArray a = value.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            QJsonValue v = a.at(i);
            maskLeaves(v);
            a.replace(i, v);
        }
        value = a;
    } else if (value.isObject()) {
        QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            QJsonValue v = it.value();
            maskLeaves(v);
            it.value() = v;
        }
        value = o;
    }
}

void maskPath(QJsonValue &value, const QStringList &segments, qsizetype at)
{
    if (at >= segments.size()) {
        maskLeaves(value);
        return;
    }
    if (value.isArray()) {
        QJsonArray a = value.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            QJsonValue v = a.at(i);
            maskPath(v, segments, at);
            a.replace(i, v);
        }
        value = a;
        return;
    }
    if (!value.isObject())
        return;
    QJsonObject o = value.toObject();
    if (o.contains(segments.at(at))) {
        QJsonValue v = o.value(segments.at(at));
        maskPath(v, segments, at + 1);
        o.insert(segments.at(at), v);
    } else {
        for (auto it = o.begin(); it != o.end(); ++it) {
            QJsonValue v = it.value();
            maskPath(v, segments, at);
            it.value() = v;
        }
    }
    value = o;
}

// The value to print: decrypted fields masked unless revealed. A decrypted ENCRYPT_PAYLOAD
// step means the whole value was ciphertext, so all of it is masked.
QJsonValue printableValue(const engine::RecordOutcome &outcome, bool reveal)
{
    if (!outcome.ok())
        return QJsonValue(QJsonValue::Null);
    QJsonValue value = outcome.value;
    if (reveal)
        return value;
    if (outcome.payload && outcome.payload->status == engine::FieldOutcome::Status::Decrypted) {
        maskLeaves(value);
        return value;
    }
    QSet<QString> done;
    for (const engine::FieldOutcome &f : outcome.fields) {
        if (f.status != engine::FieldOutcome::Status::Decrypted || done.contains(f.path))
            continue;
        done.insert(f.path);
        maskPath(value, f.path.split(QLatin1Char('.'), Qt::SkipEmptyParts), 0);
    }
    return value;
}

// JSON text is written directly: QJsonObject/QJsonDocument per line cost more than decrypting
// the record (measured with perf on 100,000 records).
void appendString(QByteArray &out, QStringView text)
{
    out += '"';
    qsizetype plainFrom = 0;
    const auto flush = [&](qsizetype to) {
        if (to > plainFrom)
            out += text.mid(plainFrom, to - plainFrom).toUtf8();
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        if (c >= 0x20 && c != u'"' && c != u'\\')
            continue;
        flush(i);
        plainFrom = i + 1;
        switch (c) {
        case u'"':
            out += "\\\"";
            break;
        case u'\\':
            out += "\\\\";
            break;
        case u'\n':
            out += "\\n";
            break;
        case u'\r':
            out += "\\r";
            break;
        case u'\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out += QByteArray::number(int(c), 16).rightJustified(2, '0');
        }
    }
    flush(text.size());
    out += '"';
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        break;
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        break;
    case QJsonValue::Double: {
        constexpr qint64 notInteger = std::numeric_limits<qint64>::min();
        if (const qint64 i = value.toInteger(notInteger); i != notInteger) {
            out += QByteArray::number(i);
        } else {
            const double d = value.toDouble();
            out += std::isfinite(d) ? QByteArray::number(d, 'g', QLocale::FloatingPointShortest)
                                    : QByteArray("null");
        }
        break;
    }
    case QJsonValue::String:
        appendString(out, value.toString());
        break;
    case QJsonValue::Array: {
        out += '[';
        const QJsonArray a = value.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (i)
                out += ',';
            appendValue(out, a.at(i));
        }
        out += ']';
        break;
    }
    case QJsonValue::Object: {
        out += '{';
        const QJsonObject o = value.toObject();
        bool first = true;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            if (!first)
                out += ',';
            first = false;
            appendString(out, it.key());
            out += ':';
            appendValue(out, it.value());
        }
        out += '}';
        break;
    }
    }
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
    QByteArray &key(const char *name)
    {
        if (!m_first)
            m_out += ',';
        m_first = false;
        m_out += '"';
        m_out += name;
        m_out += "\":";
        return m_out;
    }
    void string(const char *name, QStringView text) { appendString(key(name), text); }
    void number(const char *name, qint64 n) { key(name) += QByteArray::number(n); }
    void close() { m_out += '}'; }

private:
    QByteArray &m_out;
    bool m_first = true;
};

void appendField(QByteArray &out, const engine::FieldOutcome &f, const QString &path)
{
    ObjectWriter w(out);
    w.string("path", path);
    w.string("status", engine::statusName(f.status));
    if (!f.kekName.isEmpty())
        w.string("kek", f.kekName);
    if (f.dekVersion > 0)
        w.number("dekVersion", f.dekVersion);
    if (!f.algorithm.isEmpty())
        w.string("algorithm", f.algorithm);
    if (f.status == engine::FieldOutcome::Status::Failed)
        w.string("error", f.error.message);
    w.close();
}

QByteArray jsonLine(const kafka::PreviewRecord &r, bool reveal)
{
    const engine::RecordOutcome &out = r.value;
    QByteArray line;
    line.reserve(512);
    ObjectWriter w(line);
    w.string("topic", r.record.topic);
    w.number("partition", r.record.partition);
    w.number("offset", r.record.offset);
    w.number("timestamp", r.record.timestampMs);
    // Keys are shown raw: as text when they are UTF-8, else as base64 under keyBase64.
    if (!r.record.key.isNull()) {
        QStringDecoder decoder(QStringDecoder::Utf8);
        const QString text = decoder(r.record.key);
        if (!decoder.hasError())
            w.string("key", text);
        else
            w.string("keyBase64", QString::fromLatin1(r.record.key.toBase64()));
    }
    if (out.schemaId > 0)
        w.number("schemaId", out.schemaId);
    else
        w.key("schemaId") += "null";
    const QString &subject = out.schemaSubject.isEmpty() ? out.dekSubject : out.schemaSubject;
    if (subject.isEmpty())
        w.key("subject") += "null";
    else
        w.string("subject", subject);
    // A tombstone (null value) has nothing to decode.
    appendValue(w.key("value"), r.decrypted ? printableValue(out, reveal) : QJsonValue());
    QByteArray &fields = w.key("fields");
    fields += '[';
    bool first = true;
    const auto add = [&](const engine::FieldOutcome &f, const QString &path) {
        if (!first)
            fields += ',';
        first = false;
        appendField(fields, f, path);
    };
    if (r.decrypted) {
        if (out.payload)
            add(*out.payload, QString());
        for (const engine::FieldOutcome &f : out.fields)
            add(f, f.path);
    }
    fields += ']';
    if (!out.ok())
        w.string("error", out.error.message);
    w.close();
    line += '\n';
    return line;
}

QString clip(QString text, qsizetype max)
{
    text.replace(QLatin1Char('\n'), QLatin1Char(' '));
    if (text.size() > max)
        text = text.left(max - 1) + QChar(0x2026);
    return text;
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
        appendValue(json, printableValue(r.value, reveal));
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

struct Counts
{
    qint64 records = 0;
    qint64 decrypted = 0; // at least one field decrypted, nothing failed
    qint64 failed = 0;    // the record, or one of its fields, failed
    qint64 plain = 0;     // nothing encrypted (or a tombstone)
};

void count(Counts &c, const kafka::PreviewRecord &r)
{
    ++c.records;
    if (!r.decrypted) {
        ++c.plain;
        return;
    }
    const QString status = tableStatus(r);
    if (status.contains(QLatin1String("FAILED")))
        ++c.failed;
    else if (status.endsWith(QLatin1String("decrypted")))
        ++c.decrypted;
    else
        ++c.plain;
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
    parser.addOption(
        {OptPartition, QStringLiteral("Read only this partition."), QStringLiteral("n")});
    parser.addOption({OptLimit, QStringLiteral("Read at most this many records in total."),
                      QStringLiteral("n")});
    parser.addOption(
        {OptReveal, QStringLiteral("Print decrypted values instead of masking them.")});
    parser.addOption(
        {OptStats, QStringLiteral("Print counts, KMS unwraps, cache hits and the rate to "
                                  "stderr.")});
    if (auto stop = parseCommandLine(parser, arguments))
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
    auto limit = nonNegative(parser, OptLimit);
    auto partition = nonNegative(parser, OptPartition);
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
    // Without a registry nothing can be decoded: say so once instead of once per record.
    registry::SchemaRegistryClient schemas(&transport);
    if (auto types = await(schemas.schemaTypes()); !types) {
        printError(QStringLiteral("records: the Schema Registry at %1 cannot be used: %2")
                       .arg(profile->registry.baseUrl.toString(QUrl::RemoveUserInfo),
                            types.error().message));
        return exitCodeFor(types.error()) == ExitFailure ? ExitUnavailable
                                                         : exitCodeFor(types.error());
    }

    kafka::PreviewOptions options;
    options.read.topic = topic;
    options.read.partition = int(*partition);
    options.read.start = *start;
    options.read.limit = *limit;
    options.read.batchSize = 1000;
    options.chunkSize = 250;
    options.decrypt.stored = false; // never printed
    auto decryptor = kafka::makeRegistryDecryptor(&transport, profile->kmsConfig());

    const bool reveal = parser.isSet(OptReveal);
    const bool json = *format == Format::Json;
    Counts counts;
    kafka::PreviewSink sink;
    sink.render = [reveal, json](const kafka::PreviewRecord &r) {
        return json ? jsonLine(r, reveal) : tableLine(r, reveal);
    };
    sink.onBatch = [&counts, json](QList<kafka::PreviewRecord> &&batch) {
        QByteArray out;
        if (!json && counts.records == 0) // the header only once there is something to show
            out = tableRow({QStringLiteral("PART"), QStringLiteral("OFFSET"),
                            QStringLiteral("TIMESTAMP (UTC)"), QStringLiteral("STATUS"),
                            QStringLiteral("KEY"), QStringLiteral("VALUE")});
        for (const kafka::PreviewRecord &r : std::as_const(batch)) {
            out += r.rendered;
            count(counts, r);
        }
        writeStdout(out);
    };

    std::atomic_bool cancel{false};
    const profiles::ConnectionProfile connection = *profile;
    auto result = await(QtConcurrent::run(
        [&] { return kafka::runPreview(connection, options, decryptor, sink, cancel); }));
    std::fflush(stdout);
    if (!result) {
        printError(result.error());
        return exitCodeFor(result.error());
    }

    if (parser.isSet(OptStats)) {
        const qint64 ms = std::max<qint64>(1, elapsed.elapsed());
        const auto &cache = result->cache;
        std::fprintf(stderr,
                     "records read: %lld\n"
                     "decrypted: %lld\nfailed: %lld\nplain: %lld\n"
                     "fields decrypted: %lld\nfields failed: %lld\n"
                     "KMS unwraps: %llu\nDEK cache hits: %llu\n"
                     "elapsed: %lld ms\nrecords/s: %.0f\n",
                     static_cast<long long>(counts.records),
                     static_cast<long long>(counts.decrypted),
                     static_cast<long long>(counts.failed), static_cast<long long>(counts.plain),
                     static_cast<long long>(result->decryptedFields),
                     static_cast<long long>(result->failedFields),
                     static_cast<unsigned long long>(cache.kmsUnwraps),
                     static_cast<unsigned long long>(cache.hits), static_cast<long long>(ms),
                     double(counts.records) * 1000.0 / double(ms));
    }
    return ExitOk;
}
