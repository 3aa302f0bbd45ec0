// keywarden-cli: the console's data and workflows from a terminal or a script. Runs without a
// display (QCoreApplication).

#include "clicommon.h"
#include "commands.h"
#include "common/buildinfo.h"
#include "common/privatefiles.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstdio>

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
    {"audit", "audit verify [--format json|table]",
     "Check the audit log's keyed chain and the keychain's head; name the first broken entry.",
     runAuditCommand},
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
    tuneAllocator();
    QCoreApplication app(argc, argv);
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
    if (arguments.size() > 1) {
        for (const Command &c : Commands) {
            if (arguments.at(1) == QLatin1String(c.name))
                return c.run(arguments.mid(1));
        }
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
    parser.process(app);

    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("%s\n", qPrintable(kw::versionLine(QStringLiteral("keywarden-cli"))));
#ifdef KEYWARDEN_WITH_MIMALLOC
        const int mi = mi_version(); // e.g. 209: 2.0.9
        std::printf("allocator: mimalloc %d.%d.%d, huge pages %s\n", mi / 100, mi / 10 % 10,
                    mi % 10, mi_option_is_enabled(mi_option_large_os_pages) ? "on" : "off");
#else
        std::printf("allocator: glibc malloc\n");
#endif
        return 0;
    }
    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        std::fprintf(stderr, "%s", qPrintable(parser.helpText()));
        return kw::cli::ExitUsage;
    }
    std::fprintf(stderr,
                 "keywarden-cli: unknown command '%s'. Run 'keywarden-cli --help' for the list.\n",
                 qPrintable(args.first()));
    return kw::cli::ExitUsage;
}
