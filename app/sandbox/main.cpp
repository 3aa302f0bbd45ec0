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
#include <QJsonObject>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <limits>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// {"aws-kms": {"setting": "value", ...}, ...}: the settings that reach the KMS doubles.
QByteArray kmsJson(const kw::kms::KmsSettings &settings)
{
    QJsonObject all;
    for (auto type = settings.cbegin(); type != settings.cend(); ++type) {
        QJsonObject config;
        for (auto it = type->cbegin(); it != type->cend(); ++it)
            config.insert(it.key(), it.value());
        all.insert(type.key(), config);
    }
    return QJsonDocument(all).toJson(QJsonDocument::Compact);
}

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
    parser.addOption({QStringLiteral("seed"),
                      QStringLiteral("Data to start with: demo, keys (the KMS doubles' demo keys, "
                                     "nothing in the registry) or empty."),
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
    parser.addOption({QStringLiteral("fault-rate"),
                      QStringLiteral("Fail this share (0..1) of the DEK Registry requests with "
                                     "HTTP 500 (error_code 50001), and of the server-side KMS "
                                     "calls with 50070. A failing POST, PUT or DELETE is applied "
                                     "first in half the cases. Default 0: no faults."),
                      QStringLiteral("R"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("fault-seed"),
                      QStringLiteral("Seed of the faults: the same seed and the same calls fail "
                                     "the same calls (default 0)."),
                      QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("fault-delay-ms"),
                      QStringLiteral("Delay every DEK Registry request by M ms before handling "
                                     "it (default 0)."),
                      QStringLiteral("M"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("fault-schema-routes"),
                      QStringLiteral("Fail and delay the Schema Registry requests as well.")});
    parser.addOption(
        {QStringLiteral("fault-no-kms"), QStringLiteral("Never fail the server-side KMS calls.")});
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

    {
        bool rateOk = false;
        options.faults.rate = parser.value(QStringLiteral("fault-rate")).toDouble(&rateOk);
        if (!rateOk) {
            std::fprintf(stderr,
                         "keywarden-sandbox: --fault-rate must be a number from 0 to 1 "
                         "(got '%s').\n",
                         qPrintable(parser.value(QStringLiteral("fault-rate"))));
            return 64;
        }
        const auto seed = kw::parseWholeNumber(QStringLiteral("--fault-seed"),
                                               parser.value(QStringLiteral("fault-seed")), 0,
                                               std::numeric_limits<qint64>::max());
        const auto delay = kw::parseWholeNumber(QStringLiteral("--fault-delay-ms"),
                                                parser.value(QStringLiteral("fault-delay-ms")), 0,
                                                kw::sandbox::MaxFaultDelayMs);
        for (const auto *parsed : {&seed, &delay}) {
            if (!*parsed) {
                std::fprintf(stderr, "keywarden-sandbox: %s\n",
                             qPrintable(parsed->error().message));
                return 64;
            }
        }
        options.faults.seed = static_cast<quint64>(*seed);
        options.faults.delayMs = static_cast<int>(*delay);
        options.faults.schemaRoutes = parser.isSet(QStringLiteral("fault-schema-routes"));
        options.faults.kms = !parser.isSet(QStringLiteral("fault-no-kms"));
        if (auto valid = kw::sandbox::validateFaultOptions(options.faults); !valid) {
            std::fprintf(stderr, "keywarden-sandbox: %s\n", qPrintable(valid.error().message));
            return 64;
        }
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
                            ",\"localSecret\":" + jsonString(sandbox.localSecret()) +
                            ",\"kms\":" + kmsJson(sandbox.kmsSettings()) + "}";
    std::fputs(line.constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    std::fprintf(stderr, "keywarden-sandbox: ready in %lld ms (registry %s, Kafka %s)\n",
                 static_cast<long long>(startup.elapsed()), qPrintable(sandbox.registryUrl()),
                 qPrintable(sandbox.bootstrapServers()));

    if (options.faults.enabled())
        std::fprintf(stderr,
                     "keywarden-sandbox: injecting faults: rate %g, seed %llu, delay %d ms%s%s\n",
                     options.faults.rate, static_cast<unsigned long long>(options.faults.seed),
                     options.faults.delayMs,
                     options.faults.schemaRoutes ? ", Schema Registry routes too" : "",
                     options.faults.kms ? ", server-side KMS calls too" : "");

    const int code = QCoreApplication::exec();
    if (const auto faults = sandbox.faultInjector()) {
        const kw::sandbox::FaultInjector::Counts counts = faults->counts();
        std::fprintf(
            stderr,
            "keywarden-sandbox: faults injected: %llu of %llu requests failed (%llu of "
            "them after applying), %llu of %llu KMS calls failed\n",
            static_cast<unsigned long long>(counts.failedBefore + counts.failedAfterApplying),
            static_cast<unsigned long long>(counts.requests),
            static_cast<unsigned long long>(counts.failedAfterApplying),
            static_cast<unsigned long long>(counts.kmsFailed),
            static_cast<unsigned long long>(counts.kmsCalls));
    }
    sandbox.stop();
    std::fprintf(stderr, "keywarden-sandbox: stopped\n");
    return code;
}
