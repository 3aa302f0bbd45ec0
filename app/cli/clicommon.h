#pragma once
// What every keywarden-cli command shares: the connection options (--registry,
// --registry-auth, --profile, and for Kafka commands --bootstrap, -X, --kms), turning them
// into a ConnectionProfile, output helpers (tables, JSON lines) and exit codes.

#include "core/crypto/crypto.h"
#include "core/domain/result.h"
#include "core/services/connectionprofile.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFuture>
#include <QFutureWatcher>
#include <QJsonValue>
#include <QList>
#include <QStringList>
#include <QtConcurrent/QtConcurrentRun>

#include <optional>
#include <type_traits>

namespace kw::cli {

enum class Needs
{
    Registry,
    RegistryAndKms,  // --kms as well, for commands that call a KMS themselves
    RegistryAndKafka // --bootstrap, -X and --kms as well
};

enum ExitCode
{
    ExitOk = 0,
    ExitFailure = 1,      // the command ran and failed (e.g. the registry answered an error)
    ExitUsage = 64,       // EX_USAGE: bad arguments
    ExitDataError = 65,   // EX_DATAERR: input that could not be parsed
    ExitUnavailable = 69, // EX_UNAVAILABLE: a server could not be reached or refused us
};

void addConnectionOptions(QCommandLineParser &parser, Needs needs);
// Options win over the profile; KEYWARDEN_REGISTRY_AUTH and LOCAL_SECRET come from the
// environment when the options do not set them. Loading a profile reads the keychain.
Result<profiles::ConnectionProfile> connectionFromOptions(const QCommandLineParser &parser);

// "--format json|table" (default table).
void addFormatOption(QCommandLineParser &parser);
enum class Format
{
    Table,
    Json
};
Result<Format> formatFromOptions(const QCommandLineParser &parser);

// A time given on the command line: a date "2026-12-01" (UTC; its first millisecond, or with
// `endOfDay` its last) or an ISO 8601 date and time ("2026-12-01T08:00:00Z"; without an offset,
// UTC). `option` names the option in the usage error. Answers UTC ms since the epoch.
Result<qint64> timeFromOption(const QString &option, const QString &value, bool endOfDay);

// Parses `arguments` (arguments[0] is the command name); prints usage errors and --help.
// Returns an exit code when the command should stop now (help shown, usage error).
std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments);

// Refuses positional arguments beyond the first `allowed` ones (exit 64, naming the first
// unexpected one); std::nullopt when there are none.
std::optional<int> refuseExtraArguments(const QCommandLineParser &parser,
                                        const QStringList &arguments, qsizetype allowed);

// "keywarden-cli: <message>" on stderr, control characters shown as escapes (messages quote
// names the server chose).
void printError(const Error &error);
void printError(const QString &message);
// The exit code for an error: unreachable servers and refused credentials are 69.
int exitCodeFor(const Error &error);

// Waits for a future while the event loop runs (the CLI's REST transport lives on the main
// thread). Only for the CLI's main thread.
template<typename T>
T await(QFuture<T> future);

// Runs `work` on Qt's global pool. The pool thread frees OpenSSL's per-thread state (see
// crypto::releaseThreadState) before the future finishes: pool threads outlive the command,
// and what they hold at exit is reported as a leak.
template<typename F>
auto inBackground(F work) -> QFuture<std::invoke_result_t<F &>>;

// Aligned columns; long cells are not cut; control characters in cells are shown as escapes
// (kw::displaySafe). Writes to stdout.
void printTable(const QStringList &headers, const QList<QStringList> &rows);
// One compact JSON document per line, UTF-8.
void printJsonLine(const QJsonValue &value);
void writeStdout(const QByteArray &bytes);

template<typename T>
T await(QFuture<T> future)
{
    if (!future.isFinished()) {
        QEventLoop loop;
        QFutureWatcher<T> watcher;
        QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
        watcher.setFuture(future);
        if (!future.isFinished())
            loop.exec();
    }
    return future.result();
}

template<typename F>
auto inBackground(F work) -> QFuture<std::invoke_result_t<F &>>
{
    return QtConcurrent::run([work = std::move(work)]() mutable {
        struct Release
        {
            ~Release() { crypto::releaseThreadState(); }
        } release;
        return work();
    });
}

} // namespace kw::cli
