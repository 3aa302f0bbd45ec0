// keywarden-cli dek rotate|delete|undelete, kek rewrap|switch|delete|undelete, journal
// list|show|resume: the key workflows from a terminal or a script. Every change is planned
// from fresh registry reads and shown first; nothing changes without --yes or the answer typed
// at a terminal; without a terminal and without --yes the plan is printed and the command exits
// 64. Runs are journalled, and a run that stopped resumes with 'journal resume ID'.

#include "clicommon.h"
#include "commands.h"
#include "core/census/censusstate.h"
#include "core/domain/displaytext.h"
#include "core/services/connection.h"
#include "core/services/workflowrun.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QTextStream>

#include <cstdio>
#include <unistd.h>

using namespace kw;
using namespace kw::cli;
using workflows::Action;

namespace {

const QString OptKek = QStringLiteral("kek");
const QString OptSubject = QStringLiteral("subject");
const QString OptAlgorithm = QStringLiteral("algorithm");
const QString OptVersion = QStringLiteral("version");
const QString OptPermanent = QStringLiteral("permanent");
const QString OptIgnoreGrace = QStringLiteral("ignore-grace-period");
const QString OptTo = QStringLiteral("to");
const QString OptKmsType = QStringLiteral("kms-type");
const QString OptKmsKeyId = QStringLiteral("kms-key-id");
const QString OptShared = QStringLiteral("shared");
const QString OptDryRun = QStringLiteral("dry-run");
const QString OptYes = QStringLiteral("yes");
const QString OptPolicy = QStringLiteral("policy");
const QString OptJournal = QStringLiteral("journal");
const QString OptState = QStringLiteral("state");

void addWorkflowOptions(QCommandLineParser &parser)
{
    addConnectionOptions(parser, Needs::RegistryAndKafka);
    addFormatOption(parser);
    parser.addOption({OptDryRun, QStringLiteral("Print the plan and its blast radius; change "
                                                "nothing.")});
    parser.addOption({OptYes, QStringLiteral("Go ahead without asking (scripts). Without it, a "
                                             "terminal is asked to type the answer.")});
    parser.addOption({OptPolicy,
                      QStringLiteral("A JSON policy file; its deleteGraceDays (default 7) is how "
                                     "long rows stay soft-deleted before a permanent delete."),
                      QStringLiteral("file")});
    parser.addOption({OptJournal,
                      QStringLiteral("The workflow journal (default: workflows.sqlite in "
                                     "Keywarden's data folder)."),
                      QStringLiteral("file")});
    parser.addOption({OptState,
                      QStringLiteral("Where the census is kept, for the data under the keys "
                                     "(default: the census folder in Keywarden's data folder)."),
                      QStringLiteral("dir")});
}

QString day(qint64 ms)
{
    return ms <= 0 ? QStringLiteral("-")
                   : QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(
                         QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

void out(const QString &text)
{
    writeStdout(text.toUtf8());
}

void printPlan(const workflows::Plan &plan)
{
    const QLocale locale;
    QString t;
    QTextStream s(&t);
    s << plan.title << "\n" << plan.question << "\n\nSteps (" << plan.steps.size() << "):\n";
    for (int i = 0; i < plan.steps.size(); ++i) {
        const workflows::Step &step = plan.steps.at(i);
        s << "  " << i + 1 << ". " << step.description << "\n";
        for (const QString &call : step.calls)
            s << "       " << call << "\n";
    }
    const workflows::BlastRadius &r = plan.radius;
    if (!r.deks.isEmpty()) {
        s << "\nDEK versions (" << r.deks.size() << "):\n";
        for (const workflows::DekRow &d : r.deks)
            s << "  " << d.kek << " / " << d.subject << " / " << d.algorithm << " / v" << d.version
              << (d.deleted ? "  soft-deleted" : "") << (d.latestLive ? "  newest live" : "")
              << "  ts " << day(d.ts) << "\n";
    }
    if (!r.schemas.isEmpty()) {
        s << "\nSchema versions whose rules name the KEK (" << r.schemas.size() << "):\n";
        for (const workflows::SchemaUse &u : r.schemas)
            s << "  " << u.subject << " v" << u.version << " (rule " << u.ruleName << ")"
              << (u.latest ? "  latest" : "") << "\n";
    }
    if (!r.topics.isEmpty()) {
        s << "\nTopics with data under these versions (census):\n";
        for (const workflows::TopicImpact &topic : r.topics)
            s << "  " << topic.topic << ": " << locale.toString(topic.records) << " records, "
              << locale.toString(topic.encryptions) << " encrypted values, last seen "
              << day(topic.lastSeenMs) << "\n";
    }
    if (!r.consumerGroups.isEmpty()) {
        s << "\nConsumer groups reading them:\n";
        for (const workflows::GroupImpact &g : r.consumerGroups)
            s << "  " << g.groupId << " (" << g.state
              << "): " << g.topics.join(QStringLiteral(", ")) << "\n";
    }
    for (const QString &u : r.unknowns)
        s << "\nNot known: " << u << "\n";
    if (!r.consequences.isEmpty()) {
        s << "\nWhat it does:\n";
        for (const QString &c : r.consequences)
            s << "  - " << c << "\n";
    }
    if (!plan.warnings.isEmpty()) {
        s << "\nWarnings:\n";
        for (const QString &w : plan.warnings)
            s << "  ! " << w << "\n";
    }
    if (plan.unrecoverable)
        s << "\nUNRECOVERABLE: " << plan.secondWarning << "\n";
    s.flush();
    out(displaySafe(t, LineBreaks::Keep));
}

bool stdinIsTerminal()
{
    return ::isatty(STDIN_FILENO) == 1;
}

// Asks at the terminal; true only for the exact typed answer.
bool askTyped(const QString &prompt, const QString &expected)
{
    std::fprintf(stderr, "%s", qPrintable(prompt));
    std::fflush(stderr);
    char buffer[1024];
    if (!std::fgets(buffer, sizeof buffer, stdin))
        return false;
    return QString::fromUtf8(buffer).trimmed() == expected;
}

struct Context
{
    std::optional<profiles::ConnectionProfile> profile;
    services::WorkflowOptions options;
    Format format = Format::Table;
};

std::optional<int> readContext(const QCommandLineParser &parser, Context &c)
{
    auto format = formatFromOptions(parser);
    if (!format) {
        printError(format.error());
        return ExitUsage;
    }
    c.format = *format;
    if (parser.isSet(OptPolicy)) {
        auto loaded = census::Policy::load(parser.value(OptPolicy));
        if (!loaded) {
            printError(loaded.error());
            return ExitDataError;
        }
        c.options.policy = *loaded;
    }
    c.options.journalPath = parser.value(OptJournal);
    c.options.censusFolder = parser.value(OptState);
    auto profile = connectionFromOptions(parser);
    if (!profile) {
        printError(profile.error());
        return exitCodeFor(profile.error());
    }
    if (profile->registry.baseUrl.isEmpty()) {
        printError(QStringLiteral("it needs the Schema Registry: pass --registry URL or a "
                                  "--profile that has one."));
        return ExitUsage;
    }
    c.profile = *profile;
    return std::nullopt;
}

int runOutcome(const Result<workflows::RunRecord> &run, Format format)
{
    if (!run) {
        printError(run.error());
        return exitCodeFor(run.error());
    }
    if (format == Format::Json)
        printJsonLine(run->toJson());
    if (run->state == workflows::RunState::Done) {
        if (format != Format::Json)
            out(displaySafe(run->message, LineBreaks::Keep) + QLatin1Char('\n'));
        return ExitOk;
    }
    printError(QStringLiteral("%1 Run %2 is in the journal: resume it with 'keywarden-cli "
                              "journal resume %2' once the cause is fixed.")
                   .arg(run->message)
                   .arg(run->id));
    return ExitFailure;
}

// Runs `job` (a start or resume job) to its end on the main thread's event loop.
Result<workflows::RunRecord> finish(ValueJob<workflows::RunRecord> *job, Format format)
{
    QEventLoop loop;
    QObject::connect(job, &Job::finished, &loop, &QEventLoop::quit);
    if (format != Format::Json && ::isatty(STDERR_FILENO) == 1)
        QObject::connect(job, &Job::progressChanged, &loop, [](const JobProgress &p) {
            std::fprintf(stderr, "\r\033[K%s",
                         qPrintable(displaySafe(p.text, LineBreaks::Escape).left(160)));
            std::fflush(stderr);
        });
    job->start();
    loop.exec();
    if (format != Format::Json && ::isatty(STDERR_FILENO) == 1)
        std::fprintf(stderr, "\r\033[K");
    if (!job->result())
        return job->error();
    return *job->result();
}

// Opens the audit log (a run that cannot be audited does not start), then runs `plan` as a new
// run, or resumes run `id`, to its end.
int runAudited(const services::WorkflowSources &sources, const Context &c,
               const std::optional<workflows::Plan> &plan, qint64 id)
{
    auto log = openAuditLog(audit::AuditLog::Mode::Append);
    if (!log) {
        printError(QStringLiteral("the audit log could not be opened, so nothing was changed: %1")
                       .arg(log.error().message));
        return ExitFailure;
    }
    QObject home;
    workflows::AuditHooks hooks = services::auditHooksFor(*log, &home, sources);
    auto *job = plan ? services::startWorkflowJob(sources, c.options, *plan, hooks, &home)
                     : services::resumeWorkflowJob(sources, c.options, id, hooks, &home);
    return runOutcome(finish(job, c.format), c.format);
}

int plannedWorkflow(const QCommandLineParser &parser, const workflows::Request &request)
{
    Context c;
    if (auto stop = readContext(parser, c))
        return *stop;
    services::Connection connection(*c.profile);
    const services::WorkflowSources sources = services::WorkflowSources::of(connection);
    std::atomic_bool cancel{false};
    auto plan = await(inBackground([&] {
        workflows::Environment env = services::workflowEnvironment(sources, c.options, &cancel);
        return workflows::planWorkflow(request, env);
    }));
    if (!plan) {
        printError(plan.error());
        if (plan.error().code == workflows::ErrorNothingToDo)
            return ExitOk;
        return plan.error().code == workflows::ErrorRefused ||
                       plan.error().code == workflows::ErrorGracePeriod
                   ? ExitFailure
                   : exitCodeFor(plan.error());
    }
    if (c.format == Format::Json && (parser.isSet(OptDryRun) || !parser.isSet(OptYes)))
        printJsonLine(plan->toJson());
    else if (c.format != Format::Json)
        printPlan(*plan);
    if (parser.isSet(OptDryRun))
        return ExitOk;
    if (!parser.isSet(OptYes)) {
        if (!stdinIsTerminal()) {
            printError(QStringLiteral("not changed: without a terminal to ask, pass --yes to go "
                                      "ahead (or --dry-run to only see the plan)."));
            return ExitUsage;
        }
        const QString expected =
            plan->typedName.isEmpty() ? QStringLiteral("yes") : plan->typedName;
        const QString prompt = plan->typedName.isEmpty()
                                   ? QStringLiteral("\n%1? Type yes to go ahead: ").arg(plan->verb)
                                   : QStringLiteral("\n%1? Type the name '%2' to go ahead: ")
                                         .arg(plan->verb, expected);
        if (!askTyped(prompt, expected)) {
            std::fprintf(stderr, "Nothing changed.\n");
            return ExitFailure;
        }
        if (plan->unrecoverable && !askTyped(QStringLiteral("%1\nType '%2' again to confirm: ")
                                                 .arg(plan->secondWarning, expected),
                                             expected)) {
            std::fprintf(stderr, "Nothing changed.\n");
            return ExitFailure;
        }
    }
    return runAudited(sources, c, *plan, 0);
}

std::optional<int> version(const QCommandLineParser &parser, int &versionOut)
{
    versionOut = 0;
    if (!parser.isSet(OptVersion))
        return std::nullopt;
    bool ok = false;
    versionOut = parser.value(OptVersion).toInt(&ok);
    if (!ok || versionOut < 1) {
        printError(QStringLiteral("--version takes a DEK version number (1 or more), not '%1'.")
                       .arg(parser.value(OptVersion)));
        return ExitUsage;
    }
    return std::nullopt;
}

std::optional<int> require(const QCommandLineParser &parser, const QStringList &names,
                           const QString &command)
{
    for (const QString &n : names)
        if (parser.value(n).isEmpty()) {
            printError(QStringLiteral("%1 needs --%2.").arg(command, n));
            return ExitUsage;
        }
    return std::nullopt;
}

void addDekSelectors(QCommandLineParser &parser, bool versions)
{
    parser.addOption({OptKek, QStringLiteral("The KEK."), QStringLiteral("name")});
    parser.addOption({OptSubject, QStringLiteral("The DEK subject."), QStringLiteral("name")});
    parser.addOption({OptAlgorithm,
                      QStringLiteral("AES128_GCM, AES256_GCM or AES256_SIV (default: every "
                                     "algorithm the subject has)."),
                      QStringLiteral("name")});
    if (versions)
        parser.addOption({OptVersion, QStringLiteral("One version (default: every version)."),
                          QStringLiteral("n")});
}

int dekRotate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Create the next version of a DEK (after the highest, soft-deleted ones included). For a "
        "shared KEK the registry generates it; otherwise Keywarden generates it, wraps it with "
        "the KEK's KMS and checks the stored result."));
    addWorkflowOptions(parser);
    addDekSelectors(parser, false);
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    if (auto stop = refuseExtraArguments(parser, arguments, 0))
        return *stop;
    if (auto stop = require(parser, {OptKek, OptSubject}, QStringLiteral("dek rotate")))
        return *stop;
    workflows::Request r;
    r.action = Action::RotateDek;
    r.kek = parser.value(OptKek);
    r.subject = parser.value(OptSubject);
    r.algorithm = parser.value(OptAlgorithm);
    return plannedWorkflow(parser, r);
}

int dekDelete(const QStringList &arguments, bool undelete)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        undelete ? QStringLiteral("Undelete soft-deleted DEK versions (the KEK must be live).")
                 : QStringLiteral("Soft-delete DEK versions, or with --permanent delete "
                                  "soft-deleted ones for good once the grace period is over."));
    addWorkflowOptions(parser);
    addDekSelectors(parser, true);
    if (!undelete) {
        parser.addOption({OptPermanent, QStringLiteral("Delete for good (the rows must be "
                                                       "soft-deleted first).")});
        parser.addOption({OptIgnoreGrace, QStringLiteral("Allow a permanent delete within the "
                                                         "policy's grace period.")});
    }
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    if (auto stop = refuseExtraArguments(parser, arguments, 0))
        return *stop;
    const QString name = undelete ? QStringLiteral("dek undelete") : QStringLiteral("dek delete");
    if (auto stop = require(parser, {OptKek, OptSubject}, name))
        return *stop;
    workflows::Request r;
    r.action = undelete ? Action::UndeleteDek : Action::DeleteDek;
    r.kek = parser.value(OptKek);
    r.subject = parser.value(OptSubject);
    r.algorithm = parser.value(OptAlgorithm);
    if (auto stop = version(parser, r.version))
        return *stop;
    r.permanent = !undelete && parser.isSet(OptPermanent);
    r.overrideGracePeriod = !undelete && parser.isSet(OptIgnoreGrace);
    return plannedWorkflow(parser, r);
}

std::optional<int> kekName(const QCommandLineParser &parser, const QStringList &arguments,
                           const QString &command, QString &name)
{
    if (auto stop = refuseExtraArguments(parser, arguments, 1))
        return stop;
    if (parser.positionalArguments().size() != 1) {
        printError(QStringLiteral("%1 takes one KEK name. Run 'keywarden-cli keks' for the list.")
                       .arg(command));
        return ExitUsage;
    }
    name = parser.positionalArguments().constFirst();
    return std::nullopt;
}

int kekRewrap(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Rewrap every DEK version of a KEK (all subjects or one, every algorithm, soft-deleted "
        "rows too, each keeping its deleted flag) under the KMS key's current material."));
    addWorkflowOptions(parser);
    parser.addOption(
        {OptSubject, QStringLiteral("Only this DEK subject."), QStringLiteral("name")});
    parser.addPositionalArgument(QStringLiteral("KEK"), QStringLiteral("The KEK."));
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    workflows::Request r;
    r.action = Action::RewrapKek;
    if (auto stop = kekName(parser, arguments, QStringLiteral("kek rewrap"), r.kek))
        return *stop;
    r.subject = parser.value(OptSubject);
    return plannedWorkflow(parser, r);
}

int kekSwitch(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Register a new version of a subject whose encryption rules name another KEK (registered "
        "first when --kms-type and --kms-key-id are given). Old records still need the old KEK."));
    addWorkflowOptions(parser);
    parser.addOption({OptSubject, QStringLiteral("The schema subject."), QStringLiteral("name")});
    parser.addOption({OptTo, QStringLiteral("The KEK to switch to."), QStringLiteral("name")});
    parser.addOption(
        {OptKmsType, QStringLiteral("Its KMS type, when it is new."), QStringLiteral("type")});
    parser.addOption(
        {OptKmsKeyId, QStringLiteral("Its KMS key id, when it is new."), QStringLiteral("id")});
    parser.addOption({OptShared, QStringLiteral("Register the new KEK as shared.")});
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    if (auto stop = refuseExtraArguments(parser, arguments, 0))
        return *stop;
    if (auto stop = require(parser, {OptSubject, OptTo}, QStringLiteral("kek switch")))
        return *stop;
    workflows::Request r;
    r.action = Action::SwitchKek;
    r.subject = parser.value(OptSubject);
    r.targetKek = parser.value(OptTo);
    r.kmsType = parser.value(OptKmsType);
    r.kmsKeyId = parser.value(OptKmsKeyId);
    r.targetShared = parser.isSet(OptShared);
    return plannedWorkflow(parser, r);
}

int kekDelete(const QStringList &arguments, bool undelete)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        undelete ? QStringLiteral("Undelete a soft-deleted KEK (its DEKs stay deleted).")
                 : QStringLiteral("Soft-delete a KEK whose DEKs are all soft-deleted, or with "
                                  "--permanent delete a soft-deleted KEK without DEKs for good."));
    addWorkflowOptions(parser);
    if (!undelete) {
        parser.addOption({OptPermanent, QStringLiteral("Delete for good.")});
        parser.addOption({OptIgnoreGrace, QStringLiteral("Allow a permanent delete within the "
                                                         "policy's grace period.")});
    }
    parser.addPositionalArgument(QStringLiteral("KEK"), QStringLiteral("The KEK."));
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    workflows::Request r;
    r.action = undelete ? Action::UndeleteKek : Action::DeleteKek;
    if (auto stop = kekName(
            parser, arguments,
            undelete ? QStringLiteral("kek undelete") : QStringLiteral("kek delete"), r.kek))
        return *stop;
    r.permanent = !undelete && parser.isSet(OptPermanent);
    r.overrideGracePeriod = !undelete && parser.isSet(OptIgnoreGrace);
    return plannedWorkflow(parser, r);
}

using Sub = int (*)(const QStringList &);

int dispatch(const QStringList &arguments, const QString &noun,
             const QList<QPair<QString, std::function<int(const QStringList &)>>> &subs)
{
    const QString verb = arguments.value(1);
    for (const auto &[name, run] : subs)
        if (verb == name) {
            QStringList rest = arguments.mid(1);
            rest[0] = noun + QLatin1Char(' ') + name;
            return run(rest);
        }
    QStringList names;
    for (const auto &s : subs)
        names.append(s.first);
    if (verb.isEmpty() || verb == QLatin1String("--help") || verb == QLatin1String("-h")) {
        std::printf("Usage: keywarden-cli %s %s [options]\nRun 'keywarden-cli %s VERB --help' for "
                    "a verb's options.\n",
                    qPrintable(noun), qPrintable(names.join(QLatin1Char('|'))), qPrintable(noun));
        return verb.isEmpty() ? ExitUsage : ExitOk;
    }
    printError(QStringLiteral("%1: unknown verb '%2' (known: %3).")
                   .arg(noun, verb, names.join(QStringLiteral(", "))));
    return ExitUsage;
}

// ---- journal ----

std::optional<int> openJournal(const QCommandLineParser &parser,
                               std::unique_ptr<workflows::Journal> &journal)
{
    services::WorkflowOptions options;
    options.journalPath = parser.value(OptJournal);
    auto opened = workflows::Journal::open(options.journalFile());
    if (!opened) {
        printError(opened.error());
        return ExitFailure;
    }
    journal = std::move(*opened);
    return std::nullopt;
}

std::optional<int> runId(const QCommandLineParser &parser, const QStringList &arguments,
                         const QString &command, qint64 &id)
{
    if (auto stop = refuseExtraArguments(parser, arguments, 1))
        return stop;
    bool ok = false;
    id = parser.positionalArguments().value(0).toLongLong(&ok);
    if (!ok || id < 1) {
        printError(QStringLiteral("%1 takes a run id; 'keywarden-cli journal list' lists them.")
                       .arg(command));
        return ExitUsage;
    }
    return std::nullopt;
}

int journalList(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("List the journalled workflow runs, newest first."));
    addFormatOption(parser);
    parser.addOption({OptJournal, QStringLiteral("The journal file."), QStringLiteral("file")});
    parser.addOption(
        {QStringLiteral("unfinished"), QStringLiteral("Only runs that can be resumed.")});
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    if (auto stop = refuseExtraArguments(parser, arguments, 0))
        return *stop;
    auto format = formatFromOptions(parser);
    if (!format) {
        printError(format.error());
        return ExitUsage;
    }
    std::unique_ptr<workflows::Journal> journal;
    if (auto stop = openJournal(parser, journal))
        return *stop;
    auto runs = journal->runs(parser.isSet(QStringLiteral("unfinished")));
    if (!runs) {
        printError(runs.error());
        return ExitFailure;
    }
    if (*format == Format::Json) {
        for (const workflows::RunRecord &r : std::as_const(*runs))
            printJsonLine(r.toJson());
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const workflows::RunRecord &r : std::as_const(*runs))
        rows.append({QString::number(r.id), workflows::runStateName(r.state),
                     workflows::actionName(r.plan.action),
                     QStringLiteral("%1/%2").arg(r.stepsDone).arg(r.plan.steps.size()),
                     r.operatorName, day(r.updatedMs), r.plan.title});
    printTable({QStringLiteral("ID"), QStringLiteral("STATE"), QStringLiteral("ACTION"),
                QStringLiteral("STEPS"), QStringLiteral("OPERATOR"), QStringLiteral("UPDATED"),
                QStringLiteral("TITLE")},
               rows);
    return ExitOk;
}

int journalShow(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Show one run: its plan and, per step, its state, attempts, times and the SHA-256 of the "
        "wrapped key before and after."));
    addFormatOption(parser);
    parser.addOption({OptJournal, QStringLiteral("The journal file."), QStringLiteral("file")});
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The run."));
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    qint64 id = 0;
    if (auto stop = runId(parser, arguments, QStringLiteral("journal show"), id))
        return *stop;
    auto format = formatFromOptions(parser);
    if (!format) {
        printError(format.error());
        return ExitUsage;
    }
    std::unique_ptr<workflows::Journal> journal;
    if (auto stop = openJournal(parser, journal))
        return *stop;
    auto run = journal->run(id);
    if (!run) {
        printError(run.error());
        return ExitFailure;
    }
    auto steps = journal->steps(id);
    if (!steps) {
        printError(steps.error());
        return ExitFailure;
    }
    if (*format == Format::Json) {
        QJsonObject o = run->toJson();
        o.insert(QStringLiteral("plan"), run->plan.toJson());
        QJsonArray list;
        for (const workflows::StepRecord &s : std::as_const(*steps))
            list.append(s.toJson());
        o.insert(QStringLiteral("stepRecords"), list);
        printJsonLine(o);
        return ExitOk;
    }
    out(displaySafe(
        QStringLiteral("Run %1: %2\nState: %3%4\nOperator: %5, profile %6, registry "
                       "%7\nCreated %8, updated %9\n\n")
            .arg(run->id)
            .arg(run->plan.title, workflows::runStateName(run->state),
                 run->message.isEmpty() ? QString() : QStringLiteral(" — ") + run->message,
                 run->operatorName, run->profile, run->registryUrl, day(run->createdMs),
                 day(run->updatedMs)),
        LineBreaks::Keep));
    QList<QStringList> rows;
    for (const workflows::StepRecord &s : std::as_const(*steps))
        rows.append({QString::number(s.index + 1), workflows::stepStateName(s.state),
                     QString::number(s.attempts), s.step.description,
                     workflows::blobDigest(s.oldBlob).left(16),
                     workflows::blobDigest(s.newBlob).left(16),
                     s.originalTs > 0 ? day(s.originalTs) : QStringLiteral("-"), s.message});
    printTable({QStringLiteral("#"), QStringLiteral("STATE"), QStringLiteral("TRIES"),
                QStringLiteral("STEP"), QStringLiteral("OLD SHA-256"),
                QStringLiteral("NEW SHA-256"), QStringLiteral("ORIGINAL TS"),
                QStringLiteral("RESULT")},
               rows);
    return ExitOk;
}

int journalResume(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Resume a stopped or failed run: each step left is checked against the registry first, "
        "so nothing is repeated or skipped."));
    addWorkflowOptions(parser);
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The run."));
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    qint64 id = 0;
    if (auto stop = runId(parser, arguments, QStringLiteral("journal resume"), id))
        return *stop;
    Context c;
    if (auto stop = readContext(parser, c))
        return *stop;
    std::unique_ptr<workflows::Journal> journal;
    if (auto stop = openJournal(parser, journal))
        return *stop;
    auto run = journal->run(id);
    if (!run) {
        printError(run.error());
        return ExitFailure;
    }
    journal.reset();
    services::Connection connection(*c.profile);
    const services::WorkflowSources sources = services::WorkflowSources::of(connection);
    if (!run->registryUrl.isEmpty() && run->registryUrl != sources.registryUrl) {
        printError(QStringLiteral("run %1 was planned against %2, not %3: resume it with that "
                                  "registry.")
                       .arg(id)
                       .arg(run->registryUrl, sources.registryUrl));
        return ExitUsage;
    }
    if (!run->isUnfinished()) {
        out(QStringLiteral("Run %1 is %2: nothing to resume.\n")
                .arg(id)
                .arg(workflows::runStateName(run->state)));
        return ExitOk;
    }
    if (c.format != Format::Json)
        out(displaySafe(QStringLiteral("Resuming run %1: %2 (%3 of %4 steps done).\n")
                            .arg(id)
                            .arg(run->plan.title)
                            .arg(run->stepsDone)
                            .arg(run->plan.steps.size()),
                        LineBreaks::Keep));
    if (!parser.isSet(OptYes) && !parser.isSet(OptDryRun)) {
        if (!stdinIsTerminal()) {
            printError(QStringLiteral("not resumed: without a terminal to ask, pass --yes."));
            return ExitUsage;
        }
        if (!askTyped(QStringLiteral("Type yes to resume: "), QStringLiteral("yes"))) {
            std::fprintf(stderr, "Nothing changed.\n");
            return ExitFailure;
        }
    }
    if (parser.isSet(OptDryRun)) {
        printPlan(run->plan);
        return ExitOk;
    }
    return runAudited(sources, c, std::nullopt, id);
}

} // namespace

int runDekCommand(const QStringList &arguments)
{
    return dispatch(arguments, QStringLiteral("dek"),
                    {{QStringLiteral("rotate"), dekRotate},
                     {QStringLiteral("delete"),
                      [](const QStringList &a) {
                          return dekDelete(a, false);
                      }},
                     {QStringLiteral("undelete"), [](const QStringList &a) {
                          return dekDelete(a, true);
                      }}});
}

int runKekCommand(const QStringList &arguments)
{
    return dispatch(arguments, QStringLiteral("kek"),
                    {{QStringLiteral("test"), runKekTestCommand},
                     {QStringLiteral("rewrap"), kekRewrap},
                     {QStringLiteral("switch"), kekSwitch},
                     {QStringLiteral("delete"),
                      [](const QStringList &a) {
                          return kekDelete(a, false);
                      }},
                     {QStringLiteral("undelete"), [](const QStringList &a) {
                          return kekDelete(a, true);
                      }}});
}

int runJournalCommand(const QStringList &arguments)
{
    return dispatch(arguments, QStringLiteral("journal"),
                    {{QStringLiteral("list"), journalList},
                     {QStringLiteral("show"), journalShow},
                     {QStringLiteral("resume"), journalResume}});
}
