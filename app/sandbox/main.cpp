// keywarden-sandbox: the embedded Schema Registry + DEK Registry and Kafka mock cluster,
// headless, for demos, tests and benchmarks.

#include "core/domain/wholenumber.h"
#include "core/sandbox/sandbox.h"
#include "core/services/buildinfo.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <limits>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalPipe[2] = {-1, -1};

extern "C" void onTerminationSignal(int)
{
    const char byte = 1;
    // Only async-signal-safe calls here; the event loop reads the pipe and quits.
    [[maybe_unused]] const ssize_t written = ::write(g_signalPipe[0], &byte, 1);
}

bool installSignalHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        return false;
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGINT, &action, nullptr) == 0 &&
           ::sigaction(SIGTERM, &action, nullptr) == 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer startup;
    startup.start();
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
    parser.addOption({QStringLiteral("local-secret"),
                      QStringLiteral("The server's local-kms secret (default: random)."),
                      QStringLiteral("S")});
    parser.addOption({QStringLiteral("basic-auth"),
                      QStringLiteral("Require HTTP basic auth with USER:SECRET."),
                      QStringLiteral("USER:SECRET")});
    parser.process(app);

    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("%s\n", qPrintable(kw::versionLine(QStringLiteral("keywarden-sandbox"))));
        return 0;
    }

    kw::sandbox::SandboxOptions options;
    options.seed = parser.value(QStringLiteral("seed"));
    const auto port =
        kw::parseWholeNumber(QStringLiteral("--port"), parser.value(QStringLiteral("port")), 0,
                             std::numeric_limits<quint16>::max());
    if (!port) {
        std::fprintf(stderr, "keywarden-sandbox: %s\n", qPrintable(port.error().message));
        return 64; // EX_USAGE
    }
    options.port = static_cast<quint16>(*port);
    options.dataDir = parser.value(QStringLiteral("data"));
    options.localSecret = parser.value(QStringLiteral("local-secret"));
    if (parser.isSet(QStringLiteral("basic-auth"))) {
        const QString auth = parser.value(QStringLiteral("basic-auth"));
        const qsizetype colon = auth.indexOf(QLatin1Char(':'));
        if (colon <= 0) {
            std::fprintf(stderr, "keywarden-sandbox: --basic-auth needs USER:SECRET.\n");
            return 64;
        }
        options.basicAuthUser = auth.left(colon);
        options.basicAuthSecret = auth.mid(colon + 1);
    }

    if (!installSignalHandlers()) {
        std::fprintf(stderr, "keywarden-sandbox: could not install the signal handlers.\n");
        return 71; // EX_OSERR
    }
    QSocketNotifier signalNotifier(g_signalPipe[1], QSocketNotifier::Read);
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &app, [](QSocketDescriptor) {
        char byte = 0;
        [[maybe_unused]] const ssize_t got = ::read(g_signalPipe[1], &byte, 1);
        QCoreApplication::quit();
    });

    kw::sandbox::Sandbox sandbox;
    if (auto started = sandbox.start(options); !started) {
        std::fprintf(stderr, "keywarden-sandbox: %s\n", qPrintable(started.error().message));
        return 69; // EX_UNAVAILABLE
    }

    // Keys in the documented order (QJsonObject would sort them); values JSON-escaped.
    const auto jsonString = [](const QString &value) {
        const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
        return array.mid(1, array.size() - 2);
    };
    const QByteArray line = "{\"registry\":" + jsonString(sandbox.registryUrl()) +
                            ",\"bootstrap\":" + jsonString(sandbox.bootstrapServers()) +
                            ",\"localSecret\":" + jsonString(sandbox.localSecret()) + "}";
    std::fputs(line.constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    std::fprintf(stderr, "keywarden-sandbox: ready in %lld ms (registry %s, Kafka %s)\n",
                 static_cast<long long>(startup.elapsed()), qPrintable(sandbox.registryUrl()),
                 qPrintable(sandbox.bootstrapServers()));

    const int code = QCoreApplication::exec();
    sandbox.stop();
    std::fprintf(stderr, "keywarden-sandbox: stopped\n");
    return code;
}
