// keywarden-cli audit verify: checks the audit log's chain (links, MACs) and the head the
// keychain keeps (last id, last MAC, count), and names the first broken entry. Exit 0 when it
// verifies, 1 when it does not. It changes nothing: no file, key or migration is created.

#include "clicommon.h"
#include "commands.h"
#include "core/audit/auditlog.h"
#include "core/services/keychainauditvault.h"

#include <QJsonObject>

#include <cstdio>

using namespace kw;
using namespace kw::cli;

namespace {

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
    const bool ok = r.ok();
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
        if (!ok) {
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
        if (ok)
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
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Check the audit log: 'audit verify' walks the chain of entries (each "
                       "one's HMAC-SHA-256 under the installation key kept in the keychain, and "
                       "its link to the one before) and compares the end with the head the "
                       "keychain keeps, so edited, inserted, removed or truncated entries and a "
                       "deleted file are found. Exit 0 when it verifies, 1 when not."));
    addFormatOption(parser);
    parser.addPositionalArgument(QStringLiteral("verify"), QStringLiteral("The action: verify."));
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    const QStringList actions = parser.positionalArguments();
    if (actions.size() != 1 || actions.first() != QLatin1String("verify")) {
        printError(QStringLiteral("audit: the action must be 'verify' (keywarden-cli audit verify "
                                  "[--format json|table]), not '%1'.")
                       .arg(actions.join(QLatin1Char(' '))));
        return ExitUsage;
    }
    return verifyCommand(parser);
}
