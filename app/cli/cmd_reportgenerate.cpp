// keywarden-cli report --registry URL [--bootstrap HOST:PORT] [--state DIR] [--policy FILE]
//   [--since DATE] [--until DATE] --format pdf|html|csv|json -o FILE
// A compliance report of the estate: its keys, schedule, counts, coverage, workflows, audited
// actions and certificates, sealed with this installation's report key; writing one is an
// audited action. PDF and HTML draw the Rotation view's charts, offscreen.

#include "clicommon.h"
#include "commands.h"
#include "core/audit/auditexport.h"
#include "core/census/censusstate.h"
#include "core/crypto/signing.h"
#include "core/domain/displaytext.h"
#include "core/domain/version.h"
#include "core/report/seal.h"
#include "core/services/connection.h"
#include "core/services/reportkey.h"
#include "core/services/reportrun.h"
#include "core/services/secretstore.h"
#include "widgets/report/reportrender.h"

#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <tuple>
#include <unistd.h>

using namespace kw;
using namespace kw::cli;

namespace {

const QString OptState = QStringLiteral("state");
const QString OptPolicy = QStringLiteral("policy");
const QString OptSince = QStringLiteral("since");
const QString OptUntil = QStringLiteral("until");
const QString OptReportFormat = QStringLiteral("format");
const QString OptOutput = QStringLiteral("output");
const QString OptJournal = QStringLiteral("journal");
const QString OptNoCertificates = QStringLiteral("no-certificates");

Result<report::ComplianceReport> collect(const services::ReportSources &sources,
                                         const services::ReportOptions &options)
{
    ValueJob<report::ComplianceReport> job(
        QStringLiteral("Compliance report"), [sources, options](JobContext &ctx) {
            return services::collectReport(sources, options, ctx);
        });
    QEventLoop loop;
    QObject::connect(&job, &Job::finished, &loop, &QEventLoop::quit);
    if (::isatty(STDERR_FILENO) == 1)
        QObject::connect(&job, &Job::progressChanged, &loop, [](const JobProgress &p) {
            std::fprintf(stderr, "\r\033[K%s",
                         qPrintable(displaySafe(p.text, LineBreaks::Escape).left(160)));
            std::fflush(stderr);
        });
    job.start();
    loop.exec();
    if (::isatty(STDERR_FILENO) == 1)
        std::fprintf(stderr, "\r\033[K");
    if (!job.result())
        return job.error();
    return *job.result();
}

} // namespace

int runReportGenerateCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Writes a compliance report of the estate: cover, policy, KEK and DEK inventory, rotation "
        "schedule, encryption counts (from the census kept under --state), protection coverage, "
        "workflow history (from the journal), audited actions and the audit log's anchor, TLS "
        "certificates, and the PCI DSS, SOC 2 and ISO/IEC 27001 clauses each part evidences. "
        "The report is sealed with this installation's report key (made on first use, kept in "
        "the system keychain): check it with 'keywarden-cli report verify FILE'. A CSV report "
        "is the DEK inventory, one row per DEK version, its seal in FILE.seal.json."));
    addConnectionOptions(parser, Needs::RegistryAndKafka);
    parser.addOption({OptReportFormat,
                      QStringLiteral("pdf, html, csv or json (default: from the "
                                     "file's suffix)."),
                      QStringLiteral("format")});
    parser.addOption({{QStringLiteral("o"), OptOutput},
                      QStringLiteral("The file to write (0600, whole or not at all)."),
                      QStringLiteral("FILE")});
    parser.addOption({OptState,
                      QStringLiteral("Where the census is kept (default: the census folder in "
                                     "Keywarden's data folder)."),
                      QStringLiteral("dir")});
    parser.addOption({OptPolicy, QStringLiteral("A JSON policy, as 'schedule --policy' takes."),
                      QStringLiteral("file")});
    parser.addOption({OptSince,
                      QStringLiteral("The period's first day (UTC), or an ISO 8601 time: workflows "
                                     "and audited actions from then on."),
                      QStringLiteral("date")});
    parser.addOption({OptUntil, QStringLiteral("The period's last day (UTC), or an ISO 8601 time."),
                      QStringLiteral("date")});
    parser.addOption({OptJournal,
                      QStringLiteral("The workflow journal (default: workflows.sqlite in "
                                     "Keywarden's data folder)."),
                      QStringLiteral("file")});
    parser.addOption(
        {OptNoCertificates, QStringLiteral("Do not connect to the registry and the brokers to read "
                                           "their TLS certificates.")});
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    if (auto stop = refuseExtraArguments(parser, arguments, 0))
        return *stop;

    if (!parser.isSet(OptOutput) || parser.value(OptOutput) == QLatin1String("-")) {
        printError(QStringLiteral("report: -o FILE is required: a report is a sealed file (its "
                                  "seal is checked with 'report verify FILE')."));
        return ExitUsage;
    }
    const QString path = parser.value(OptOutput);
    const QString formatName = parser.isSet(OptReportFormat)
                                   ? parser.value(OptReportFormat).toLower()
                                   : QFileInfo(path).suffix().toLower();
    const std::optional<report::SealFormat> format =
        report::sealFormatOf(QStringLiteral("report.") + formatName);
    if (!format) {
        printError(QStringLiteral("report: the format must be pdf, html, csv or json, not '%1'.")
                       .arg(formatName));
        return ExitUsage;
    }
    services::ReportOptions options;
    if (parser.isSet(OptPolicy)) {
        auto loaded = census::Policy::load(parser.value(OptPolicy));
        if (!loaded) {
            printError(loaded.error());
            return ExitDataError;
        }
        options.policy = *loaded;
    }
    for (const auto &[name, out, endOfDay] : {std::tuple{OptSince, &options.sinceMs, false},
                                              std::tuple{OptUntil, &options.untilMs, true}}) {
        if (!parser.isSet(name))
            continue;
        auto ms = timeFromOption(name, parser.value(name), endOfDay);
        if (!ms) {
            printError(ms.error());
            return ExitUsage;
        }
        *out = *ms;
    }
    if (options.untilMs > 0 && options.untilMs < options.sinceMs) {
        printError(QStringLiteral("report: --until is before --since."));
        return ExitUsage;
    }
    auto profile = connectionFromOptions(parser);
    if (!profile) {
        printError(profile.error());
        return exitCodeFor(profile.error());
    }
    if (profile->registry.baseUrl.isEmpty()) {
        printError(QStringLiteral("report: it needs the Schema Registry: pass --registry URL or a "
                                  "--profile that has one."));
        return ExitUsage;
    }

    // The key first: without it there is no report to write.
    auto seed =
        await(report::ReportKey::loadOrCreate(std::make_shared<profiles::KeychainSecretStore>()));
    if (!seed) {
        printError(QStringLiteral("report: the report-signing key lives in the system keychain, "
                                  "which refused: %1")
                       .arg(seed.error().message));
        return exitCodeFor(seed.error());
    }
    auto publicKey = crypto::ed25519PublicKey(*seed);
    if (!publicKey) {
        printError(publicKey.error());
        return ExitFailure;
    }
    // A report that cannot be audited is not written.
    auto log = openAuditLog(audit::AuditLog::Mode::Append);
    if (!log) {
        printError(QStringLiteral("report: the audit log could not be opened, so no report was "
                                  "written: %1")
                       .arg(log.error().message));
        return ExitFailure;
    }
    if ((*log)->fileExists()) {
        options.auditPath = (*log)->path();
        options.chain = (*log)->report();
        options.chainDescription = (*log)->keyingDescription();
    } else {
        options.auditNote =
            QStringLiteral("the audit log %1 has no entries yet").arg((*log)->path());
    }
    options.censusFolder =
        parser.isSet(OptState) ? parser.value(OptState) : census::CensusState::defaultFolder();
    options.journalPath = parser.value(OptJournal);
    options.readCertificates = !parser.isSet(OptNoCertificates);
    options.keywardenVersion = kw::applicationVersion();

    services::Connection connection(*profile);
    auto collected = collect(services::ReportSources::of(connection), options);
    if (!collected) {
        printError(QStringLiteral("report: %1").arg(collected.error().message));
        return exitCodeFor(collected.error());
    }
    report::ComplianceReport &r = *collected;
    r.integrity.publicKeyPem = QString::fromLatin1(report::publicKeyPem(*publicKey));
    r.integrity.publicKeyFingerprint = crypto::keyFingerprint(*publicKey);

    auto content = reportui::renderReport(r, *format);
    if (!content) {
        printError(QStringLiteral("report: %1").arg(content.error().message));
        return ExitFailure;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto sha256 = report::saveSealed(path, *format, *content,
                                     {r.audit.anchor.lastMac, r.audit.anchor.entries}, *seed, now);
    if (!sha256) {
        printError(QStringLiteral("report: %1").arg(sha256.error().message));
        return ExitFailure;
    }

    audit::AuditEntry entry;
    entry.action = QStringLiteral("report.generate");
    entry.profile = profile->name;
    entry.registryUrl = connection.registryUrl();
    entry.object = QStringLiteral("report:%1").arg(QFileInfo(path).absoluteFilePath());
    QJsonArray unavailable;
    for (auto it = r.unavailable.cbegin(); it != r.unavailable.cend(); ++it)
        unavailable.append(report::sectionId(it.key()));
    entry.details = {{QStringLiteral("format"), formatName},
                     {QStringLiteral("sha256"), *sha256},
                     {QStringLiteral("keyFingerprint"), r.integrity.publicKeyFingerprint},
                     {QStringLiteral("since"),
                      options.sinceMs > 0 ? audit::isoTime(options.sinceMs) : QString()},
                     {QStringLiteral("until"),
                      options.untilMs > 0 ? audit::isoTime(options.untilMs) : QString()},
                     {QStringLiteral("unavailable"), unavailable}};
    auto appended = await((*log)->append(entry));
    if (!appended) {
        printError(QStringLiteral("report: %1 was written, but its audit entry could not be: %2")
                       .arg(path, appended.error().message));
        return ExitFailure;
    }
    QString sections;
    for (auto it = r.unavailable.cbegin(); it != r.unavailable.cend(); ++it)
        sections += QStringLiteral("  not available: %1: %2\n")
                        .arg(report::sectionTitle(it.key()), it.value());
    writeStdout(QStringLiteral("Wrote %1 (%2): %3 KEKs, %4 DEK versions, %5 overdue, %6 due soon.\n"
                               "%7SHA-256 %8, signed by report key %9.%10\n")
                    .arg(path, formatName.toUpper())
                    .arg(r.keks.size())
                    .arg(r.deks.size())
                    .arg(r.scheduleSummary.overdue)
                    .arg(r.scheduleSummary.dueSoon)
                    .arg(sections, *sha256, r.integrity.publicKeyFingerprint,
                         *format == report::SealFormat::Csv
                             ? QStringLiteral(" Its seal: %1.").arg(report::sealFileFor(path))
                             : QString())
                    .toUtf8());
    return ExitOk;
}
