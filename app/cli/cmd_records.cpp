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
#include "core/domain/wholenumber.h"
#include "core/registry/schemaregistryclient.h"
#include "core/services/connection.h"
#include "core/services/recordpreview.h"
#include "core/services/recordview.h"
#include "core/services/recordwriter.h"

#include <QElapsedTimer>

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
    records::RevealScope scope;
    scope.client = QStringLiteral("keywarden-cli records");
    scope.scope = QStringLiteral("every encrypted field read");
    scope.profile = profile.name;
    scope.registryUrl = profile.registry.baseUrl;
    scope.topic = topic;
    scope.partition = partition; // -1: every partition
    scope.from = parser.value(OptFrom).trimmed();
    scope.limit = limit; // -1: none
    const audit::AuditEntry entry = records::revealAuditEntry(scope);
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
    // The connection owns the registry clients (here, on the main thread, which waits below)
    // and the record decryptor with its own transport thread (the workers block on it).
    services::Connection connection(*profile);

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
        options.decrypt.mask = records::MaskText.toString();
    auto decryptor = connection.recordDecryptor();

    const bool json = *format == Format::Json;
    kafka::PreviewSink sink;
    sink.renderOnly = true;
    const records::Plaintext plaintext =
        reveal ? records::Plaintext::Revealed : records::Plaintext::Masked;
    sink.render = [plaintext, json](const kafka::PreviewRecord &r, QByteArray &text) {
        if (json)
            records::appendJsonLine(text, r, plaintext);
        else
            records::appendTableRow(text, r, plaintext);
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
            text.prepend(records::tableHeader());
        }
        writeStdout(text);
    };

    std::atomic_bool cancel{false};
    QFuture<Result<kafka::PreviewSummary>> preview = inBackground(
        [&] { return kafka::runPreview(connection.profile(), options, decryptor, sink, cancel); });
    auto typesReply = connection.schemaRegistry()->schemaTypes();
    const Result<void> audited =
        reveal ? auditReveal(connection.profile(), topic, options.read.partition, parser,
                             options.read.limit)
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
