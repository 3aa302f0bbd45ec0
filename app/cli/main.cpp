// keywarden-cli: the console's data and workflows from a terminal or a script. Runs without a
// display (QCoreApplication; a report's charts are drawn offscreen).

#include "clicommon.h"
#include "commands.h"
#include "core/domain/privatefiles.h"
#include "core/domain/processhardening.h"
#include "core/services/buildinfo.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QThreadPool>

#include <cstdio>
#include <cstring>
#include <memory>

#ifdef KEYWARDEN_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace {

struct Command
{
    const char *name;
    const char *synopsis;
    const char *summary;
    int (*run)(const QStringList &arguments);
};

const Command Commands[] = {
    {"keks", "keks [--deleted]", "List the KEKs of the DEK Registry.", runKeksCommand},
    {"deks", "deks KEK [--deleted]", "List the DEK subjects and versions under a KEK.",
     runDeksCommand},
    {"subjects", "subjects [--prefix P] [--deleted]", "List the Schema Registry subjects.",
     runSubjectsCommand},
    {"schema", "schema SUBJECT [VERSION]", "Show a schema version with its rules.",
     runSchemaCommand},
    {"records", "records --topic NAME [--from ...] [--limit N] [--reveal]",
     "Read records from a topic and decrypt them.", runRecordsCommand},
    {"census",
     "census [--topic NAME]... [--rescan] [--state DIR] [--group ID] [--census-topic NAME] "
     "[--from-census-topic]",
     "Count the values each DEK version has encrypted in the topics, without decrypting; "
     "--group ID splits the count over a consumer group, its state in a compacted census "
     "topic; --from-census-topic prints that topic's cluster-wide totals.",
     runCensusCommand},
    {"schedule", "schedule [--policy FILE] [--state DIR] [--bootstrap HOST:PORT]",
     "Show when each DEK is due for rotation and its share of the invocation limit.",
     runScheduleCommand},
    {"dek",
     "dek rotate|delete|undelete --kek K --subject S [--algorithm A] [--version N] "
     "[--permanent] [--dry-run] [--yes]",
     "Rotate a DEK (create its next version), or soft-delete, permanently delete or undelete "
     "DEK versions, with a plan and blast radius first.",
     runDekCommand},
    {"kek",
     "kek test K | rewrap K [--subject S] | switch --subject S --to K2 | delete K "
     "[--permanent] | undelete K",
     "Test a KEK (wrap and unwrap through its KMS, and its key's state), rewrap its DEKs under "
     "its KMS key's current material, switch a subject to another KEK, or delete and undelete "
     "KEKs, with a plan and blast radius first.",
     runKekCommand},
    {"journal", "journal list|show ID|resume ID",
     "The journal of workflow runs: list them, show one step by step, resume one that stopped.",
     runJournalCommand},
    {"audit", "audit verify [--anchor FILE] | list | export --format csv|jsonl -o FILE | anchor",
     "Check the audit log's keyed chain, the keychain's head and an anchor; list and export "
     "entries with filters; write an anchor to keep elsewhere.",
     runAuditCommand},
    {"report",
     "report --format pdf|html|csv|json -o FILE [--state DIR] [--policy FILE] [--since DATE] "
     "[--until DATE] | verify FILE [--public-key FILE] | key [-o FILE]",
     "Write a sealed compliance report of the estate; check a report's seal (SHA-256, Ed25519 "
     "signature, audit head, trusted key); write this installation's report-signing public key.",
     runReportCommand},
};

QString commandList()
{
    QString text = QStringLiteral("Commands:\n");
    for (const Command &c : Commands)
        text += QStringLiteral("  %1\n      %2\n")
                    .arg(QString::fromLatin1(c.synopsis), QString::fromLatin1(c.summary));
    text += QStringLiteral(
        "\nConnection options shared by the commands: --registry URL, --registry-auth KEY:SECRET "
        "(or KEYWARDEN_REGISTRY_AUTH in the environment), --profile NAME; --format json|table.\n"
        "Run 'keywarden-cli COMMAND --help' for a command's options.\n");
    return text;
}

const Command *commandNamed(const QString &name)
{
    for (const Command &c : Commands) {
        if (name == QLatin1String(c.name))
            return &c;
    }
    return nullptr;
}

// A usage error of the command line as a whole: what is wrong, then the usage line, on stderr;
// exit code 64 (EX_USAGE) like every usage error of the commands.
int usageError(const QString &message)
{
    QStringList names;
    for (const Command &c : Commands)
        names.append(QLatin1String(c.name));
    kw::cli::printError(message);
    std::fprintf(stderr,
                 "Usage: keywarden-cli COMMAND [options]   (commands: %s)\n"
                 "Run 'keywarden-cli --help' for what each does.\n",
                 qPrintable(names.join(QStringLiteral(", "))));
    return kw::cli::ExitUsage;
}

// The heap in 2 MiB pages where the kernel offers them (transparent huge pages in "madvise" or
// "always" mode; with "never" this changes nothing). A bulk read touches tens of megabytes of
// fresh memory, librdkafka's fetch buffers and the records in flight, and on virtual machines a
// 4 KiB page fault can cost more than decrypting a record: a 100,000-record read took ~7,000
// faults and ~0.37 s of CPU, in huge pages ~1,300 faults and ~0.27 s (late 2026, 2 vCPUs). The
// price is resident memory: 77 MB instead of 51 MB for that read, 49 instead of 29 MB for 100
// records. mimalloc's own environment variables still win (MIMALLOC_LARGE_OS_PAGES=0: off).
void tuneAllocator()
{
#ifdef KEYWARDEN_WITH_MIMALLOC
    if (qEnvironmentVariableIsEmpty("MIMALLOC_LARGE_OS_PAGES") &&
        qEnvironmentVariableIsEmpty("MIMALLOC_ALLOW_LARGE_OS_PAGES")) {
        mi_option_enable(mi_option_large_os_pages);
        // Huge pages need segments committed whole; by default a thread's first is not.
        if (qEnvironmentVariableIsEmpty("MIMALLOC_EAGER_COMMIT_DELAY"))
            mi_option_set(mi_option_eager_commit_delay, 0);
    }
#endif
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef KEYWARDEN_NO_CORE_DUMPS
    // Unwrapped DEKs and revealed values live in this process: never in a core file.
    if (auto off = kw::disableCoreDumps(); !off)
        std::fprintf(stderr, "keywarden-cli: warning: %s\n", qPrintable(off.error().message));
#endif
    tuneAllocator();
    // A report's PDF and HTML draw the Rotation view's charts with Qt Charts, which needs a
    // QApplication: it draws offscreen, never on a display. Every other command runs without.
    const bool drawsReport =
        argc > 1 && std::strcmp(argv[1], "report") == 0 &&
        !(argc > 2 && (std::strcmp(argv[2], "verify") == 0 || std::strcmp(argv[2], "key") == 0));
    if (drawsReport)
        qputenv("QT_QPA_PLATFORM", "offscreen");
    std::unique_ptr<QCoreApplication> app = drawsReport
                                                ? std::make_unique<QApplication>(argc, argv)
                                                : std::make_unique<QCoreApplication>(argc, argv);
    // The GUI's names: connection profiles (QSettings) and the audit store are shared with it.
    QCoreApplication::setOrganizationName(QStringLiteral("Keywarden"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("keywarden.dev"));
    QCoreApplication::setApplicationName(QStringLiteral("Keywarden"));
    QCoreApplication::setApplicationVersion(kw::applicationVersion());

    // Retries and other progress notes of the clients are for the GUI's log; a command reports
    // its outcome itself. QT_LOGGING_RULES in the environment still turns them back on.
    QLoggingCategory::setFilterRules(QStringLiteral("keywarden.*.info=false\n"
                                                    "keywarden.*.warning=false"));

    // The data and config folders are the owner's alone, whatever the umask.
    if (auto ok = kw::makePrivateAppFolders(); !ok)
        std::fprintf(stderr, "keywarden-cli: warning: %s\n", qPrintable(ok.error().message));

    const QStringList arguments = QCoreApplication::arguments();
    if (const Command *command = commandNamed(arguments.value(1))) {
        const int code = command->run(arguments.mid(1));
        // Let the pool's threads end before the process does: a thread that used OpenSSL frees
        // its per-thread state (its error queue) only when it exits.
        QThreadPool::globalInstance()->waitForDone();
        return code;
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Keywarden on the command line: browse the keys behind Kafka client-side "
                       "field level encryption and preview the records they protect.\n\n") +
        commandList());
    parser.addHelpOption();
    parser.addOption({QStringList{QStringLiteral("v"), QStringLiteral("version")},
                      QStringLiteral("Print the version and the libraries in use, then exit.")});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("The command to run."));
    // The command comes first: whatever else stands there is a usage error (64), including
    // options QCommandLineParser::process() would have rejected with exit code 1.
    if (arguments.size() > 1 && !arguments.at(1).startsWith(QLatin1Char('-')))
        return usageError(QStringLiteral("unknown command '%1'.").arg(arguments.at(1)));
    if (!parser.parse(arguments)) {
        // "--registry X keks": options of a command, given before it.
        for (const QString &argument : arguments.mid(2)) {
            if (const Command *later = commandNamed(argument))
                return usageError(QStringLiteral("the command comes first, then its options: "
                                                 "keywarden-cli %1 [options].")
                                      .arg(QLatin1String(later->name)));
        }
        return usageError(parser.errorText());
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::printf("%s", qPrintable(parser.helpText()));
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("%s\n", qPrintable(kw::versionLine(QStringLiteral("keywarden-cli"))));
#ifdef KEYWARDEN_WITH_MIMALLOC
        const int mi = mi_version(); // e.g. 209: 2.0.9
        std::printf("allocator: mimalloc %d.%d.%d, huge pages %s\n", mi / 100, mi / 10 % 10,
                    mi % 10, mi_option_is_enabled(mi_option_large_os_pages) ? "on" : "off");
#else
        std::printf("allocator: glibc malloc\n");
#endif
        std::printf("core dumps: %s\n", kw::coreDumpsPossible() ? "on" : "off");
        return 0;
    }
    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        std::fprintf(stderr, "%s", qPrintable(parser.helpText()));
        return kw::cli::ExitUsage;
    }
    // Only "-- WORD" gets here.
    if (const Command *later = commandNamed(args.first()))
        return usageError(QStringLiteral("the command comes first, then its options: "
                                         "keywarden-cli %1 [options].")
                              .arg(QLatin1String(later->name)));
    return usageError(QStringLiteral("unknown command '%1'.").arg(args.first()));
}
