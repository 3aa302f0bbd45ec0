// keywarden-sandbox: the embedded Schema Registry + DEK Registry and Kafka mock cluster,
// headless, for demos, tests and benchmarks.

#include "common/buildinfo.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Keywarden"));
    QCoreApplication::setApplicationName(QStringLiteral("keywarden-sandbox"));
    QCoreApplication::setApplicationVersion(kw::applicationVersion());

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs a local Schema Registry with a DEK Registry and a Kafka mock cluster on "
        "127.0.0.1, prints one JSON line with their addresses, and serves until "
        "SIGINT or SIGTERM."));
    parser.addHelpOption();
    parser.addOption({QStringList{QStringLiteral("v"), QStringLiteral("version")},
                      QStringLiteral("Print the version and the libraries in use, then exit.")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Data to start with: demo or empty."),
                      QStringLiteral("name"), QStringLiteral("empty")});
    parser.addOption({QStringLiteral("port"),
                      QStringLiteral("Registry port on 127.0.0.1 (0 picks a free port)."),
                      QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("data"),
                      QStringLiteral("Keep the registry state in DIR (default: in memory)."),
                      QStringLiteral("DIR")});
    parser.process(app);

    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("%s\n", qPrintable(kw::versionLine(QStringLiteral("keywarden-sandbox"))));
        return 0;
    }
    std::fprintf(stderr,
                 "keywarden-sandbox: this build does not contain the sandbox server yet.\n");
    return 69; // EX_UNAVAILABLE
}
