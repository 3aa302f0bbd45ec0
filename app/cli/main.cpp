// keywarden-cli: the console's data and workflows from a terminal or a script. Runs without a
// display (QCoreApplication).

#include "common/buildinfo.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Keywarden"));
    QCoreApplication::setApplicationName(QStringLiteral("keywarden-cli"));
    QCoreApplication::setApplicationVersion(kw::applicationVersion());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Keywarden on the command line: browse and manage the keys behind Kafka "
                       "client-side field level encryption.\n\n"
                       "Commands are added as the console gains them; this build has none yet."));
    parser.addHelpOption();
    parser.addOption({QStringList{QStringLiteral("v"), QStringLiteral("version")},
                      QStringLiteral("Print the version and the libraries in use, then exit.")});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("The command to run."));
    parser.process(app);

    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("%s\n", qPrintable(kw::versionLine(QStringLiteral("keywarden-cli"))));
        return 0;
    }
    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        std::fprintf(stderr, "%s", qPrintable(parser.helpText()));
        return 64; // EX_USAGE
    }
    std::fprintf(stderr,
                 "keywarden-cli: unknown command '%s'. Run 'keywarden-cli --help' for the list.\n",
                 qPrintable(args.first()));
    return 64;
}
