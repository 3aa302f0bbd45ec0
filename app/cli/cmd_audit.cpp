// keywarden-cli audit: the audit log from the command line. It changes nothing: no file, key or
// migration is created, and only `export` and `anchor -o` write a file of their own.
//   verify [--anchor FILE]  the chain (links, MACs), the keychain's head (last id, last MAC,
//                           count) and, given an anchor or a report, that every entry it covered
//                           is still there unchanged; names the first broken entry. Exit 0 when
//                           it verifies, 1 when not.
//   list                    entries, newest first, a page at a time, with filters.
//   export                  the entries the filters select, oldest first, as CSV or JSON lines.
//   anchor                  an anchor for the log as it is now, to keep elsewhere.

#include "clicommon.h"
#include "commands.h"
#include "core/audit/auditanchor.h"
#include "core/audit/auditexport.h"
#include "core/audit/auditlog.h"
#include "core/domain/textout.h"
#include "core/services/keychainauditvault.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

#include <cstdio>
#include <variant>

using namespace kw;
using namespace kw::cli;

namespace {

const QString OptAnchor = QStringLiteral("anchor");
const QString OptAction = QStringLiteral("action");
const QString OptActor = QStringLiteral("actor");
const QString OptObject = QStringLiteral("object");
const QString OptTopic = QStringLiteral("topic");
const QString OptSince = QStringLiteral("since");
const QString OptUntil = QStringLiteral("until");
const QString OptLimit = QStringLiteral("limit");
const QString OptOffset = QStringLiteral("offset");
const QString OptOutput = QStringLiteral("output");
const QString OptFormat = QStringLiteral("format");

QString entriesSummary(const audit::ChainReport &r)
{
    return QStringLiteral("%1 (%2 keyed, %3 unkeyed; %4 acknowledged break(s))")
        .arg(r.entries)
        .arg(r.keyedEntries)
        .arg(r.legacyEntries)
        .arg(r.acknowledgements);
}

int verifyCommand(const QCommandLineParser &parser)
{
    auto format = formatFromOptions(parser);
    if (!format) {
        printError(format.error());
        return ExitUsage;
    }
    auto opened = openAuditLog(audit::AuditLog::Mode::VerifyOnly);
    if (!opened) {
        printError(QStringLiteral("audit verify: %1").arg(opened.error().message));
        return ExitFailure;
    }
    const std::shared_ptr<audit::AuditLog> log = *opened;
    const audit::ChainReport &r = log->report();
    // The anchor's check, when one was given: std::nullopt when none was.
    std::optional<Result<void>> anchored;
    if (parser.isSet(OptAnchor)) {
        auto anchor = audit::AuditAnchor::fromFile(parser.value(OptAnchor));
        if (!anchor) {
            printError(QStringLiteral("audit verify: %1").arg(anchor.error().message));
            return ExitDataError;
        }
        if (!log->store())
            anchored = Result<void>(makeError(
                QString(audit::ErrorAnchorMismatch),
                QStringLiteral("The audit log %1 does not exist, so none of the %2 entries the "
                               "anchor covered is there.")
                    .arg(log->path())
                    .arg(anchor->entries)));
        else
            anchored = audit::checkAnchor(*log->store(), *anchor);
        if (!*anchored && anchored->error().code == audit::ErrorStorage) {
            printError(QStringLiteral("audit verify: %1").arg(anchored->error().message));
            return ExitFailure;
        }
    }
    const bool ok = r.ok() && (!anchored || bool(*anchored));
    if (*format == Format::Json) {
        QJsonObject out{{QStringLiteral("path"), log->path()},
                        {QStringLiteral("keyed"), log->isKeyed()},
                        {QStringLiteral("chain"), log->keyingDescription()},
                        {QStringLiteral("exists"), log->fileExists()},
                        {QStringLiteral("entries"), r.entries},
                        {QStringLiteral("keyedEntries"), r.keyedEntries},
                        {QStringLiteral("unkeyedEntries"), r.legacyEntries},
                        {QStringLiteral("acknowledgements"), r.acknowledgements},
                        {QStringLiteral("lastId"), r.lastId},
                        {QStringLiteral("ok"), ok}};
        if (anchored) {
            QJsonObject a{{QStringLiteral("ok"), bool(*anchored)}};
            if (!*anchored)
                a.insert(QStringLiteral("error"),
                         QJsonObject{{QStringLiteral("code"), anchored->error().code},
                                     {QStringLiteral("message"), anchored->error().message}});
            out.insert(QStringLiteral("anchor"), a);
        }
        if (!r.ok()) {
            out.insert(QStringLiteral("brokenEntry"), r.brokenId);
            out.insert(QStringLiteral("error"),
                       QJsonObject{{QStringLiteral("code"), r.problem->code},
                                   {QStringLiteral("message"), r.problem->message}});
        }
        printJsonLine(out);
    } else {
        QString text;
        text += QStringLiteral("Audit log:  %1%2\n")
                    .arg(log->path(), log->fileExists() ? QString() : QStringLiteral(" (no file)"));
        text += QStringLiteral("Chain:      %1\n").arg(log->keyingDescription());
        text += QStringLiteral("Entries:    %1\n").arg(entriesSummary(r));
        if (r.entries > 0)
            text += QStringLiteral("Last entry: #%1\n").arg(r.lastId);
        if (anchored)
            text += *anchored
                        ? QStringLiteral("Anchor:     OK: every entry it covered is there, "
                                         "unchanged.\n")
                        : QStringLiteral("Anchor:     BROKEN: %1\n").arg(anchored->error().message);
        if (r.ok())
            text += log->isKeyed()
                        ? QStringLiteral("Result:     OK: every entry's MAC, the links and the "
                                         "keychain's head agree.\n")
                        : QStringLiteral("Result:     OK, unkeyed: the links and hashes agree, "
                                         "which shows accidents but not deliberate edits.\n");
        else if (r.brokenId > 0)
            text += QStringLiteral("Result:     BROKEN at entry #%1: %2\n")
                        .arg(r.brokenId)
                        .arg(r.problem->message);
        else
            text += QStringLiteral("Result:     BROKEN: %1\n").arg(r.problem->message);
        writeStdout(text.toUtf8());
    }
    return ok ? ExitOk : ExitFailure;
}

// The filters list and export share.
void addFilterOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {OptAction,
         QStringLiteral("Only entries of this action (record.reveal, workflow.step, "
                        "...)."),
         QStringLiteral("ACTION")},
        {OptActor, QStringLiteral("Only entries by this OS account."), QStringLiteral("USER")},
        {OptObject, QStringLiteral("Only entries whose object contains TEXT (kek:orders, ...)."),
         QStringLiteral("TEXT")},
        {OptTopic, QStringLiteral("Only entries about records of this topic."),
         QStringLiteral("TOPIC")},
        {OptSince, QStringLiteral("Only entries at or after this date or ISO 8601 time (UTC)."),
         QStringLiteral("DATE")},
        {OptUntil, QStringLiteral("Only entries at or before this date (its whole day) or time."),
         QStringLiteral("DATE")},
    });
}

Result<audit::AuditFilter> filterFromOptions(const QCommandLineParser &parser)
{
    audit::AuditFilter filter;
    filter.action = parser.value(OptAction);
    filter.actor = parser.value(OptActor);
    filter.object = parser.value(OptObject);
    filter.topic = parser.value(OptTopic);
    if (parser.isSet(OptSince)) {
        auto since = timeFromOption(OptSince, parser.value(OptSince), false);
        if (!since)
            return since.error();
        filter.sinceMs = *since;
    }
    if (parser.isSet(OptUntil)) {
        auto until = timeFromOption(OptUntil, parser.value(OptUntil), true);
        if (!until)
            return until.error();
        filter.untilMs = *until;
    }
    return filter;
}

Result<qint64> wholeOption(const QCommandLineParser &parser, const QString &name, qint64 fallback,
                           qint64 minimum)
{
    if (!parser.isSet(name))
        return fallback;
    bool ok = false;
    const qint64 n = parser.value(name).toLongLong(&ok);
    if (!ok || n < minimum)
        return makeError(QStringLiteral("cli.usage"),
                         QStringLiteral("--%1 must be a whole number of at least %2, not '%3'.")
                             .arg(name)
                             .arg(minimum)
                             .arg(parser.value(name)));
    return n;
}

// The log's store for reading, or the exit code after saying why there is none.
std::variant<std::shared_ptr<audit::AuditStore>, int> readableStore(const QString &action)
{
    auto opened = openAuditLog(audit::AuditLog::Mode::VerifyOnly);
    if (!opened) {
        printError(QStringLiteral("audit %1: %2").arg(action, opened.error().message));
        return ExitFailure;
    }
    if (!(*opened)->store()) {
        printError(QStringLiteral("audit %1: there is no audit log at %2 yet: nothing was "
                                  "audited on this account.")
                       .arg(action, (*opened)->path()));
        return ExitFailure;
    }
    if ((*opened)->problem())
        printError(QStringLiteral("audit %1: warning: the log does not verify: %2")
                       .arg(action, (*opened)->problem()->message));
    return (*opened)->store();
}

int listCommand(const QCommandLineParser &parser)
{
    auto format = formatFromOptions(parser);
    auto filter = filterFromOptions(parser);
    auto limit = wholeOption(parser, OptLimit, 50, 1);
    auto offset = wholeOption(parser, OptOffset, 0, 0);
    for (const Error *e : {format ? nullptr : &format.error(), filter ? nullptr : &filter.error(),
                           limit ? nullptr : &limit.error(), offset ? nullptr : &offset.error()}) {
        if (e) {
            printError(*e);
            return ExitUsage;
        }
    }
    auto store = readableStore(QStringLiteral("list"));
    if (const int *code = std::get_if<int>(&store))
        return *code;
    const auto &log = std::get<std::shared_ptr<audit::AuditStore>>(store);
    auto total = log->count(*filter);
    auto page = log->page(*filter, *offset, int(std::min<qint64>(*limit, 1000000)));
    if (!total || !page) {
        printError(QStringLiteral("audit list: %1")
                       .arg(total ? page.error().message : total.error().message));
        return ExitFailure;
    }
    if (*format == Format::Json) {
        for (const audit::AuditEntry &entry : std::as_const(*page))
            printJsonLine(audit::entryJson(entry));
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const audit::AuditEntry &e : std::as_const(*page)) {
        rows.append({QString::number(e.id), audit::timeText(e.timeMs), e.actor, e.action,
                     audit::objectText(e),
                     e.details.isEmpty() ? QString()
                                         : QString::fromUtf8(QJsonDocument(e.details).toJson(
                                               QJsonDocument::Compact))});
    }
    printTable({QStringLiteral("ID"), QStringLiteral("TIME (UTC)"), QStringLiteral("ACTOR"),
                QStringLiteral("ACTION"), QStringLiteral("OBJECT"), QStringLiteral("DETAILS")},
               rows);
    const qint64 shownTo = *offset + page->size();
    writeStdout(QStringLiteral("%1 of %2 matching entries, newest first (%3-%4).%5\n")
                    .arg(page->size())
                    .arg(*total)
                    .arg(page->isEmpty() ? 0 : *offset + 1)
                    .arg(shownTo)
                    .arg(shownTo < *total ? QStringLiteral(" Next page: --offset %1.").arg(shownTo)
                                          : QString())
                    .toUtf8());
    return ExitOk;
}

int exportCommand(const QCommandLineParser &parser)
{
    auto filter = filterFromOptions(parser);
    if (!filter) {
        printError(filter.error());
        return ExitUsage;
    }
    const QString name = parser.value(OptFormat).toLower();
    audit::ExportFormat format = audit::ExportFormat::JsonLines;
    if (name == QLatin1String("csv"))
        format = audit::ExportFormat::Csv;
    else if (!name.isEmpty() && name != QLatin1String("jsonl") && name != QLatin1String("json")) {
        printError(
            QStringLiteral("audit export: --format must be csv or jsonl, not '%1'.").arg(name));
        return ExitUsage;
    }
    if (!parser.isSet(OptOutput)) {
        printError(QStringLiteral("audit export: name the file to write with -o FILE ('-' for "
                                  "standard output)."));
        return ExitUsage;
    }
    auto store = readableStore(QStringLiteral("export"));
    if (const int *code = std::get_if<int>(&store))
        return *code;
    const auto &log = std::get<std::shared_ptr<audit::AuditStore>>(store);
    const QString path = parser.value(OptOutput);
    qint64 written = 0;
    const auto write = [&](QIODevice *device) -> Result<void> {
        auto n = audit::exportEntries(*log, *filter, device, format);
        if (!n)
            return n.error();
        written = *n;
        return {};
    };
    Result<void> done;
    if (path == QLatin1String("-")) {
        QFile out;
        if (!out.open(stdout, QIODevice::WriteOnly))
            done = makeError(QString(audit::ErrorExportWrite), out.errorString());
        else
            done = write(&out);
    } else {
        done = savePrivateFile(path, QString(audit::ErrorExportWrite), write);
    }
    if (!done) {
        printError(QStringLiteral("audit export: %1").arg(done.error().message));
        return ExitFailure;
    }
    if (path != QLatin1String("-"))
        std::fprintf(stderr, "keywarden-cli: wrote %lld audit entries to %s\n",
                     static_cast<long long>(written), qPrintable(path));
    return ExitOk;
}

int anchorCommand(const QCommandLineParser &parser)
{
    auto store = readableStore(QStringLiteral("anchor"));
    if (const int *code = std::get_if<int>(&store))
        return *code;
    const auto &log = std::get<std::shared_ptr<audit::AuditStore>>(store);
    auto anchor = audit::anchorOf(*log, QDateTime::currentMSecsSinceEpoch());
    if (!anchor) {
        printError(QStringLiteral("audit anchor: %1").arg(anchor.error().message));
        return ExitFailure;
    }
    const QByteArray json = QJsonDocument(anchor->toJson()).toJson(QJsonDocument::Indented);
    if (!parser.isSet(OptOutput) || parser.value(OptOutput) == QLatin1String("-")) {
        writeStdout(json);
        return ExitOk;
    }
    const QString path = parser.value(OptOutput);
    auto saved =
        savePrivateFile(path, QStringLiteral("audit.anchor_write"), [&json](QIODevice *device) {
            return writeAll(device, json, QStringLiteral("audit.anchor_write"),
                            QStringLiteral("The anchor"));
        });
    if (!saved) {
        printError(QStringLiteral("audit anchor: %1").arg(saved.error().message));
        return ExitFailure;
    }
    std::fprintf(stderr, "keywarden-cli: wrote an anchor for %lld entries (up to #%lld) to %s\n",
                 static_cast<long long>(anchor->entries), static_cast<long long>(anchor->lastId),
                 qPrintable(path));
    return ExitOk;
}

} // namespace

namespace kw::cli {

Result<std::shared_ptr<audit::AuditLog>> openAuditLog(audit::AuditLog::Mode mode)
{
    audit::AuditLog::Options options;
    options.mode = mode;
    return await(audit::AuditLog::open(options, profiles::SecretStoreAuditVault::systemKeychain()));
}

} // namespace kw::cli

int runAuditCommand(const QStringList &arguments)
{
    const QString action = arguments.value(1);
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("verify, list, export or anchor."));
    if (action == QLatin1String("verify")) {
        parser.setApplicationDescription(QStringLiteral(
            "Check the audit log: walks the chain of entries (each one's HMAC-SHA-256 under the "
            "installation key kept in the keychain, and its link to the one before) and compares "
            "the end with the head the keychain keeps, so edited, inserted, removed or truncated "
            "entries and a deleted file are found. With --anchor, also checks that every entry "
            "an anchor file or an earlier compliance report (JSON or HTML) covered is still "
            "there, unchanged. Exit 0 when it verifies, 1 when not."));
        addFormatOption(parser);
        parser.addOption({OptAnchor,
                          QStringLiteral("An anchor (keywarden-cli audit anchor) or a JSON or "
                                         "HTML compliance report to check the log against."),
                          QStringLiteral("FILE")});
    } else if (action == QLatin1String("list")) {
        parser.setApplicationDescription(QStringLiteral(
            "The audit log's entries, newest first, a page at a time: who did what, when, to "
            "which key or record. Details name fields, never values."));
        addFormatOption(parser);
        addFilterOptions(parser);
        parser.addOptions(
            {{OptLimit, QStringLiteral("Entries per page (default 50)."), QStringLiteral("N")},
             {OptOffset, QStringLiteral("Skip the newest N matching entries."),
              QStringLiteral("N")}});
    } else if (action == QLatin1String("export")) {
        parser.setApplicationDescription(QStringLiteral(
            "Writes the entries the filters select, oldest first, with their MACs, as CSV (RFC "
            "4180) or JSON lines. The file is written whole or not at all, readable by its "
            "owner only."));
        addFilterOptions(parser);
        parser.addOptions(
            {{OptFormat, QStringLiteral("csv or jsonl (default jsonl)."), QStringLiteral("FORMAT")},
             {{QStringLiteral("o"), OptOutput},
              QStringLiteral("The file to write; '-' for standard output."),
              QStringLiteral("FILE")}});
    } else if (action == QLatin1String("anchor")) {
        parser.setApplicationDescription(QStringLiteral(
            "Writes an anchor for the audit log as it is now: the entry count, the last entry "
            "and a digest over every entry. Keep it away from this machine; 'audit verify "
            "--anchor FILE' later proves every entry it covered is still there, unchanged."));
        parser.addOption({{QStringLiteral("o"), OptOutput},
                          QStringLiteral("The file to write (default: standard output)."),
                          QStringLiteral("FILE")});
    }
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    const QStringList actions = parser.positionalArguments();
    static const QStringList known = {QStringLiteral("verify"), QStringLiteral("list"),
                                      QStringLiteral("export"), QStringLiteral("anchor")};
    if (actions.isEmpty() || !known.contains(actions.first())) {
        printError(QStringLiteral("audit: the action must be verify, list, export or anchor, not "
                                  "'%1'. Run 'keywarden-cli audit ACTION --help' for its options.")
                       .arg(actions.join(QLatin1Char(' '))));
        return ExitUsage;
    }
    if (auto extra = refuseExtraArguments(parser, arguments, 1))
        return *extra;
    if (action == QLatin1String("list"))
        return listCommand(parser);
    if (action == QLatin1String("export"))
        return exportCommand(parser);
    if (action == QLatin1String("anchor"))
        return anchorCommand(parser);
    return verifyCommand(parser);
}
