// keywarden-cli census: counts, for every DEK version, the values it has encrypted in the
// topics (inspecting framing, schema and version prefixes; no KMS call, no key material), and
// how each topic's records are protected. Runs continue where the last one stopped (the state
// is kept per cluster under --state); --rescan starts over. With --group the process is one
// member of a census split over a consumer group, its state in a compacted census topic;
// --from-census-topic prints that topic's cluster-wide totals without counting anything.

#include "clicommon.h"
#include "commands.h"
#include "core/census/censusgroup.h"
#include "core/census/censusscan.h"
#include "core/census/schedule.h"
#include "core/services/connection.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QStandardPaths>

#include <algorithm>
#include <tuple>

using namespace kw;
using namespace kw::cli;

namespace {

const QString OptTopic = QStringLiteral("topic");
const QString OptRescan = QStringLiteral("rescan");
const QString OptState = QStringLiteral("state");
const QString OptGroup = QStringLiteral("group");
const QString OptCensusTopic = QStringLiteral("census-topic");
const QString OptFromCensusTopic = QStringLiteral("from-census-topic");

// For tests only (documented in the README): records per batch, and a pause after each batch
// a group member writes, so that a test can stop a member in the middle of its scan.
int testingKnob(const char *name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok && value > 0 ? value : fallback;
}

QString isoTime(qint64 ms)
{
    return ms < 0 ? QStringLiteral("-")
                  : QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(
                        QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QJsonValue epochOrNull(const census::Sighting &s)
{
    return s.isValid() && s.timestampMs >= 0 ? QJsonValue(double(s.timestampMs)) : QJsonValue();
}

QList<census::DekVersionKey> sortedKeys(const census::Tally &tally)
{
    QList<census::DekVersionKey> keys = tally.dekVersions().keys();
    std::sort(keys.begin(), keys.end(), [](const auto &a, const auto &b) {
        return std::tie(a.kek, a.subject, a.algorithm, a.version) <
               std::tie(b.kek, b.subject, b.algorithm, b.version);
    });
    return keys;
}

void printJson(const census::Tally &tally, const QHash<QString, qint64> &missed)
{
    for (const census::DekVersionKey &k : sortedKeys(tally)) {
        const census::DekVersionUsage &u = tally.dekVersions().value(k);
        QJsonObject topics;
        for (auto it = u.topics.cbegin(); it != u.topics.cend(); ++it)
            topics.insert(it.key(), double(it.value()));
        QJsonObject line{{QStringLiteral("type"), QStringLiteral("dek")},
                         {QStringLiteral("kek"), k.kek},
                         {QStringLiteral("subject"), k.subject},
                         {QStringLiteral("algorithm"), k.algorithm},
                         {QStringLiteral("version"), k.version},
                         {QStringLiteral("encryptions"), double(u.encryptions)},
                         {QStringLiteral("records"), double(u.records)},
                         {QStringLiteral("firstSeen"), epochOrNull(u.first)},
                         {QStringLiteral("lastSeen"), epochOrNull(u.last)},
                         {QStringLiteral("topics"), topics}};
        if (u.unprefixed > 0) // no version prefix: counted against v1
            line.insert(QStringLiteral("unprefixed"), double(u.unprefixed));
        printJsonLine(line);
    }
    for (auto t = tally.topics().cbegin(); t != tally.topics().cend(); ++t) {
        QJsonObject protection;
        for (int i = 0; i < census::ProtectionKinds; ++i)
            protection.insert(census::protectionName(census::Protection(i)),
                              double(t->protection[size_t(i)]));
        QJsonObject line{{QStringLiteral("type"), QStringLiteral("topic")},
                         {QStringLiteral("topic"), t.key()},
                         {QStringLiteral("records"), double(t->records)},
                         {QStringLiteral("protection"), protection}};
        if (missed.value(t.key()) > 0) // retention deleted records first: a lower bound
            line.insert(QStringLiteral("missed"), double(missed.value(t.key())));
        printJsonLine(line);
    }
    for (auto t = tally.problems().cbegin(); t != tally.problems().cend(); ++t) {
        for (auto p = t->cbegin(); p != t->cend(); ++p) {
            printJsonLine(
                QJsonObject{{QStringLiteral("type"), QStringLiteral("problem")},
                            {QStringLiteral("topic"), t.key()},
                            {QStringLiteral("heading"), p.key()},
                            {QStringLiteral("count"), double(p->count)},
                            {QStringLiteral("example"),
                             QJsonObject{{QStringLiteral("partition"), p->example.partition},
                                         {QStringLiteral("offset"), double(p->example.offset)}}},
                            {QStringLiteral("message"), p->message}});
        }
    }
}

void printTables(const census::Tally &tally, const QHash<QString, qint64> &missed)
{
    QList<QStringList> rows;
    bool unprefixed = false;
    for (const census::DekVersionKey &k : sortedKeys(tally)) {
        const census::DekVersionUsage &u = tally.dekVersions().value(k);
        unprefixed = unprefixed || u.unprefixed > 0;
        rows.append(
            {k.kek, k.subject, k.algorithm,
             QString::number(k.version) + (u.unprefixed > 0 ? QStringLiteral("*") : QString()),
             QString::number(u.encryptions), QString::number(u.records),
             isoTime(u.first.timestampMs), isoTime(u.last.timestampMs)});
    }
    printTable({QStringLiteral("KEK"), QStringLiteral("DEK SUBJECT"), QStringLiteral("ALGORITHM"),
                QStringLiteral("VERSION"), QStringLiteral("ENCRYPTIONS"), QStringLiteral("RECORDS"),
                QStringLiteral("FIRST SEEN (UTC)"), QStringLiteral("LAST SEEN (UTC)")},
               rows);
    QString notes;
    if (unprefixed)
        notes += QStringLiteral("* values without a DEK version prefix (their rule does not "
                                "rotate): counted against version 1.\n");
    rows.clear();
    bool notFramed = false;
    for (auto t = tally.topics().cbegin(); t != tally.topics().cend(); ++t) {
        QStringList row{t.key() + (missed.value(t.key()) > 0 ? QStringLiteral("†") : QString()),
                        QString::number(t->records)};
        for (qint64 n : t->protection)
            row.append(QString::number(n));
        notFramed = notFramed || t->count(census::Protection::NotSrFramed) > 0;
        rows.append(row);
    }
    writeStdout("\n");
    printTable({QStringLiteral("TOPIC"), QStringLiteral("RECORDS"), QStringLiteral("CSFLE FIELD"),
                QStringLiteral("CSFLE PAYLOAD"), QStringLiteral("SR PLAIN"),
                QStringLiteral("NOT SR FRAMED"), QStringLiteral("TOMBSTONE"),
                QStringLiteral("UNDECODABLE")},
               rows);
    if (notFramed)
        notes += QStringLiteral("NOT SR FRAMED: %1.\n").arg(census::notSrFramedExplanation());
    for (auto m = missed.cbegin(); m != missed.cend(); ++m) {
        if (m.value() > 0)
            notes += QStringLiteral("† %1: %2 records were deleted by retention before they were "
                                    "counted; its counts are a lower bound.\n")
                         .arg(m.key())
                         .arg(m.value());
    }
    for (auto t = tally.problems().cbegin(); t != tally.problems().cend(); ++t) {
        for (auto p = t->cbegin(); p != t->cend(); ++p)
            notes += QStringLiteral("%1: %2 records not counted fully (%3), e.g. partition %4 "
                                    "offset %5: %6\n")
                         .arg(t.key())
                         .arg(p->count)
                         .arg(p.key())
                         .arg(p->example.partition)
                         .arg(p->example.offset)
                         .arg(p->message);
    }
    if (!notes.isEmpty())
        writeStdout("\n" + notes.toUtf8());
}

} // namespace

namespace {

void printTotals(Format format, const census::Tally &tally, const QHash<QString, qint64> &missed)
{
    if (format == Format::Json)
        printJson(tally, missed);
    else
        printTables(tally, missed);
}

// --group: this process is one member; prints the cluster-wide totals once every partition of
// the topics is counted (by any member) up to where it ended when this member started.
int runGroupMember(services::Connection &connection, const QString &group,
                   const QString &censusTopic, const QStringList &topics, Format format)
{
    auto inspector = connection.recordDecryptor();
    census::GroupOptions options;
    options.groupId = group;
    options.censusTopic = censusTopic;
    options.topics = topics;
    options.batchSize = testingKnob("KEYWARDEN_CENSUS_BATCH_SIZE", options.batchSize);
    options.batchDelayMs = testingKnob("KEYWARDEN_CENSUS_BATCH_DELAY_MS", 0);
    std::atomic_bool cancel{false};
    const auto ran = await(inBackground([&] {
        return census::runGroupMember(connection.kafkaSettings(), *inspector, options, {}, cancel);
    }));
    if (!ran) {
        printError(QStringLiteral("census: %1").arg(ran.error().message));
        return exitCodeFor(ran.error());
    }
    printTotals(format, ran->ledger.totals(ran->topics), ran->ledger.missed(ran->topics));
    std::fprintf(stderr,
                 "keywarden-cli: census: %lld records read by this member of group %s; totals of "
                 "%d partition(s) from census topic %s\n",
                 static_cast<long long>(ran->recordsRead), qPrintable(group),
                 ran->ledger.partitions(), qPrintable(censusTopic));
    return ExitOk;
}

int printCensusTopic(const kafka::KafkaSettings &settings, const QString &censusTopic,
                     const QStringList &topics, Format format)
{
    const auto read =
        await(inBackground([&] { return census::readCensusTopic(settings, censusTopic); }));
    if (!read) {
        printError(QStringLiteral("census: %1").arg(read.error().message));
        return exitCodeFor(read.error());
    }
    printTotals(format, read->totals(topics), read->missed(topics));
    std::fprintf(stderr, "keywarden-cli: census: totals of %d partition(s) from census topic %s\n",
                 read->partitions(), qPrintable(censusTopic));
    if (read->unreadable() > 0)
        std::fprintf(stderr,
                     "keywarden-cli: census: %lld record(s) of %s could not be read and were left "
                     "out (run with QT_LOGGING_RULES=keywarden.census=true for details)\n",
                     static_cast<long long>(read->unreadable()), qPrintable(censusTopic));
    return ExitOk;
}

} // namespace

int runCensusCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Count, for every DEK version, the values it has encrypted in the topics (one per "
        "encrypted value, one per record for a payload rule, keys too), and how each topic's "
        "records are protected. Only framing, schemas and version prefixes are read: no KMS is "
        "called and no key is unwrapped. A run continues where the last one stopped; the "
        "counts are kept per cluster under --state.\n\n"
        "With --group ID the census is split over the members of Kafka consumer group ID (run "
        "the same command on several machines): each partition's counts and position are kept "
        "together in one record of a compacted census topic, so a member that dies or a "
        "rebalance neither loses nor double-counts anything. A member prints the cluster-wide "
        "totals once every partition is counted up to where it ended when the member started. "
        "--from-census-topic prints those totals without counting."));
    addConnectionOptions(parser, Needs::RegistryAndKafka);
    addFormatOption(parser);
    parser.addOption({OptTopic,
                      QStringLiteral("Count this topic (repeat for more). Default: the topics "
                                     "whose subjects (<topic>-value, <topic>-key) carry "
                                     "encryption rules or have DEKs."),
                      QStringLiteral("name")});
    parser.addOption(
        {OptRescan, QStringLiteral("Forget what earlier runs counted and count everything.")});
    parser.addOption({OptState,
                      QStringLiteral("Where the census is kept (default: the census folder in "
                                     "Keywarden's data folder)."),
                      QStringLiteral("dir")});
    parser.addOption({OptGroup,
                      QStringLiteral("Count as a member of consumer group ID, the state in the "
                                     "census topic instead of --state."),
                      QStringLiteral("id")});
    parser.addOption({OptCensusTopic,
                      QStringLiteral("The compacted topic holding a group census (default %1; "
                                     "created when missing).")
                          .arg(census::defaultCensusTopic()),
                      QStringLiteral("name")});
    parser.addOption({OptFromCensusTopic,
                      QStringLiteral("Print the cluster-wide totals kept in the census topic; "
                                     "count nothing, join no group.")});
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    if (auto stop = refuseExtraArguments(parser, arguments, 0))
        return *stop;
    auto format = formatFromOptions(parser);
    if (!format) {
        printError(format.error());
        return ExitUsage;
    }
    const bool group = parser.isSet(OptGroup);
    const bool fromTopic = parser.isSet(OptFromCensusTopic);
    const QString groupId = parser.value(OptGroup).trimmed();
    const QString censusTopic = parser.isSet(OptCensusTopic)
                                    ? parser.value(OptCensusTopic).trimmed()
                                    : census::defaultCensusTopic();
    if (group && groupId.isEmpty()) {
        printError(QStringLiteral("census: --group needs a consumer group id."));
        return ExitUsage;
    }
    if (group && fromTopic) {
        printError(QStringLiteral("census: --from-census-topic reads the totals without joining "
                                  "a group: leave out --group."));
        return ExitUsage;
    }
    if (censusTopic.isEmpty()) {
        printError(QStringLiteral("census: --census-topic needs a topic name."));
        return ExitUsage;
    }
    if (parser.isSet(OptCensusTopic) && !group && !fromTopic) {
        printError(QStringLiteral("census: --census-topic is for a group census: add --group ID "
                                  "to count, or --from-census-topic to read its totals."));
        return ExitUsage;
    }
    if ((group || fromTopic) && parser.isSet(OptRescan)) {
        printError(QStringLiteral(
            "census: --rescan cannot be combined with --group or --from-census-topic: a group's "
            "counts live in the census topic, shared by every member. To count everything "
            "again, give every member a new --census-topic NAME (or delete the topic first)."));
        return ExitUsage;
    }
    if ((group || fromTopic) && parser.isSet(OptState)) {
        printError(QStringLiteral("census: --state keeps a single process's census; with --group "
                                  "or --from-census-topic the counts live in the census topic."));
        return ExitUsage;
    }
    auto profile = connectionFromOptions(parser);
    if (!profile) {
        printError(profile.error());
        return exitCodeFor(profile.error());
    }
    if (profile->bootstrapServers.trimmed().isEmpty() || profile->registry.baseUrl.isEmpty()) {
        printError(QStringLiteral("census: it needs Kafka and the Schema Registry: pass "
                                  "--bootstrap HOST:PORT and --registry URL, or a --profile "
                                  "that has both."));
        return ExitUsage;
    }
    QStringList topics;
    for (const QString &t : parser.values(OptTopic)) {
        if (t.trimmed().isEmpty()) {
            printError(QStringLiteral("census: --topic needs a topic name."));
            return ExitUsage;
        }
        topics.append(t.trimmed());
    }
    services::Connection connection(*profile);
    if (fromTopic)
        return printCensusTopic(connection.kafkaSettings(), censusTopic, topics, *format);
    // The registry's keys: the default topics (those whose subjects encrypt) and, after the
    // count, the DEK versions values name that the registry does not have.
    std::atomic_bool stopLoading{false};
    auto inputs = await(inBackground([&] {
        return census::loadScheduleInputs(*connection.dekRegistry(), *connection.schemaRegistry(),
                                          stopLoading);
    }));
    if (!inputs) {
        printError(QStringLiteral("census: %1").arg(inputs.error().message));
        return exitCodeFor(inputs.error());
    }
    if (topics.isEmpty()) {
        auto chosen = await(inBackground(
            [&] { return census::encryptedTopics(*inputs, connection.kafkaSettings()); }));
        if (!chosen) {
            printError(QStringLiteral("census: %1").arg(chosen.error().message));
            return exitCodeFor(chosen.error());
        }
        topics = *chosen;
        if (topics.isEmpty()) {
            printError(QStringLiteral("census: no topic of this cluster has a subject with "
                                      "encryption rules or DEKs (<topic>-value or <topic>-key); "
                                      "name topics with --topic."));
            return ExitFailure;
        }
    }
    if (group)
        return runGroupMember(connection, groupId, censusTopic, topics, *format);

    const QString folder =
        parser.isSet(OptState) ? parser.value(OptState) : census::CensusState::defaultFolder();
    auto state =
        census::CensusState::open(census::CensusState::pathFor(folder, profile->bootstrapServers));
    if (!state) {
        printError(QStringLiteral("census: %1").arg(state.error().message));
        return ExitFailure;
    }

    auto inspector = connection.recordDecryptor();
    census::ScanOptions options;
    options.topics = topics;
    options.rescan = parser.isSet(OptRescan);
    options.batchSize = testingKnob("KEYWARDEN_CENSUS_BATCH_SIZE", options.batchSize);
    std::atomic_bool cancel{false};
    census::CensusState &kept = **state;
    const auto scanned = await(inBackground([&] {
        return census::runScan(connection.kafkaSettings(), *inspector, kept, options, {}, cancel);
    }));
    if (!scanned) {
        printError(QStringLiteral("census: %1").arg(scanned.error().message));
        return exitCodeFor(scanned.error());
    }
    // What was asked for: the given topics, or every topic counted on this cluster.
    auto tally = kept.load(topics);
    auto positions = kept.positions();
    if (!tally || !positions) {
        printError(QStringLiteral("census: %1")
                       .arg(!tally ? tally.error().message : positions.error().message));
        return ExitFailure;
    }
    QHash<QString, qint64> missed;
    for (const census::PartitionPosition &p : std::as_const(*positions)) {
        if (topics.isEmpty() || topics.contains(p.topic))
            missed[p.topic] += p.missed;
    }
    census::addRegistryProblems(*tally, *inputs);
    printTotals(*format, *tally, missed);
    std::fprintf(stderr, "keywarden-cli: census: %lld records read in this run; state %s\n",
                 static_cast<long long>(scanned->recordsRead), qPrintable(kept.path()));
    return ExitOk;
}
