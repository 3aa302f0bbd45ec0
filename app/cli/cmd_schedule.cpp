// keywarden-cli schedule: for each (KEK, DEK subject, algorithm), when its latest DEK version
// becomes due for rotation, and how much it has encrypted (from the census) against the
// invocation limit of its algorithm, under the organisation's policy.

#include "clicommon.h"
#include "commands.h"
#include "core/census/censusstate.h"
#include "core/census/schedule.h"
#include "core/services/connection.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QStandardPaths>

using namespace kw;
using namespace kw::cli;

namespace {

const QString OptState = QStringLiteral("state");
const QString OptPolicy = QStringLiteral("policy");

QString isoDay(qint64 ms)
{
    return ms < 0
               ? QStringLiteral("-")
               : QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(QStringLiteral("yyyy-MM-dd"));
}

QJsonValue epochOrNull(qint64 ms)
{
    return ms >= 0 ? QJsonValue(double(ms)) : QJsonValue();
}

void printJson(const QList<census::ScheduleRow> &rows)
{
    for (const census::ScheduleRow &r : rows) {
        QJsonObject line{{QStringLiteral("kek"), r.kek},
                         {QStringLiteral("subject"), r.subject},
                         {QStringLiteral("algorithm"), r.algorithm},
                         {QStringLiteral("latestVersion"), r.latestVersion},
                         {QStringLiteral("ts"), double(r.ts)},
                         {QStringLiteral("expiryDays"),
                          r.expiryDays > 0 ? QJsonValue(r.expiryDays) : QJsonValue()},
                         {QStringLiteral("dueAt"), epochOrNull(r.dueAt)},
                         {QStringLiteral("status"), census::dueStatusName(r.status)},
                         {QStringLiteral("encryptions"), double(r.encryptions)},
                         {QStringLiteral("limit"), r.limit},
                         {QStringLiteral("limitShare"), r.limitShare},
                         {QStringLiteral("projectedLimitAt"), epochOrNull(r.projectedLimitAt)},
                         {QStringLiteral("limitOutOfReach"), r.limitOutOfReach},
                         {QStringLiteral("tsReset"), r.tsReset},
                         {QStringLiteral("warnings"), QJsonArray::fromStringList(r.warnings)}};
        printJsonLine(line);
    }
}

void printTables(const QList<census::ScheduleRow> &rows, const census::ScheduleSummary &summary)
{
    QList<QStringList> table;
    for (const census::ScheduleRow &r : rows) {
        table.append({census::dueStatusName(r.status), r.kek, r.subject, r.algorithm,
                      QString::number(r.latestVersion), isoDay(r.ts),
                      r.expiryDays > 0 ? QString::number(r.expiryDays) : QStringLiteral("-"),
                      isoDay(r.dueAt), QString::number(r.encryptions),
                      QStringLiteral("%1%").arg(r.limitShare * 100, 0, 'g', 3),
                      r.limitOutOfReach ? QStringLiteral("after 9999") : isoDay(r.projectedLimitAt),
                      r.warnings.join(QLatin1Char(','))});
    }
    printTable({QStringLiteral("STATUS"), QStringLiteral("KEK"), QStringLiteral("DEK SUBJECT"),
                QStringLiteral("ALGORITHM"), QStringLiteral("LATEST"), QStringLiteral("TS (UTC)"),
                QStringLiteral("EXPIRY DAYS"), QStringLiteral("DUE (UTC)"),
                QStringLiteral("ENCRYPTIONS"), QStringLiteral("OF LIMIT"),
                QStringLiteral("LIMIT AT"), QStringLiteral("WARNINGS")},
               table);
    writeStdout(QStringLiteral("\n%1 DEKs: %2 overdue, %3 due soon, %4 without rotation, %5 near "
                               "the invocation limit, %6 with a reset ts.\n"
                               "Due means eligible: the next produce after that date creates the "
                               "next version.\n")
                    .arg(summary.rows)
                    .arg(summary.overdue)
                    .arg(summary.dueSoon)
                    .arg(summary.noRotation)
                    .arg(summary.nearLimit)
                    .arg(summary.tsReset)
                    .toUtf8());
}

} // namespace

int runScheduleCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Show when each DEK is due for rotation (its latest version's ts plus the "
        "encrypt.dek.expiry.days of the rule that names its KEK) and how much it has encrypted, "
        "from the census, against its algorithm's invocation limit, most urgent first. Without "
        "--bootstrap the counts of every census kept under --state are added up."));
    addConnectionOptions(parser, Needs::RegistryAndKafka);
    addFormatOption(parser);
    parser.addOption({OptState,
                      QStringLiteral("Where the census is kept (default: the census folder in "
                                     "Keywarden's data folder)."),
                      QStringLiteral("dir")});
    parser.addOption({OptPolicy,
                      QStringLiteral("A JSON policy: dekCryptoperiodDays (365), dekMaxAgeDays "
                                     "(730), dueSoonDays (30), limitWarnShare (0.5), limits "
                                     "{algorithm: invocations}."),
                      QStringLiteral("file")});
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    if (auto stop = refuseExtraArguments(parser, arguments, 0))
        return *stop;
    auto format = formatFromOptions(parser);
    if (!format) {
        printError(format.error());
        return ExitUsage;
    }
    census::Policy policy;
    if (parser.isSet(OptPolicy)) {
        auto loaded = census::Policy::load(parser.value(OptPolicy));
        if (!loaded) {
            printError(loaded.error());
            return ExitDataError;
        }
        policy = *loaded;
    }
    auto profile = connectionFromOptions(parser);
    if (!profile) {
        printError(profile.error());
        return exitCodeFor(profile.error());
    }
    if (profile->registry.baseUrl.isEmpty()) {
        printError(QStringLiteral("schedule: it needs the Schema Registry: pass --registry URL "
                                  "or a --profile that has one."));
        return ExitUsage;
    }
    const QString folder =
        parser.isSet(OptState) ? parser.value(OptState) : census::CensusState::defaultFolder();
    // The cluster's census when Kafka is named, otherwise every census in the folder.
    auto totals = census::CensusState::loadFolder(folder, profile->bootstrapServers);
    if (!totals) {
        printError(QStringLiteral("schedule: %1").arg(totals.error().message));
        return ExitFailure;
    }
    const census::Tally *counted = &totals->tally;

    services::Connection connection(*profile);
    std::atomic_bool cancel{false};
    auto inputs = await(inBackground([&] {
        return census::loadScheduleInputs(*connection.dekRegistry(), *connection.schemaRegistry(),
                                          cancel);
    }));
    if (!inputs) {
        printError(QStringLiteral("schedule: %1").arg(inputs.error().message));
        return exitCodeFor(inputs.error());
    }
    const QList<census::ScheduleRow> rows =
        census::buildSchedule(*inputs, *counted, policy, QDateTime::currentMSecsSinceEpoch());
    if (*format == Format::Json)
        printJson(rows);
    else
        printTables(rows, census::summarize(rows));
    if (counted->isEmpty())
        std::fprintf(stderr,
                     "keywarden-cli: schedule: no census under %s yet: encryptions are 0 "
                     "until 'keywarden-cli census' has counted the topics.\n",
                     qPrintable(QDir::toNativeSeparators(folder)));
    return ExitOk;
}
