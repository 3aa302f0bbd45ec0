// keywarden-cli kek test K: wraps a random value through the KEK's KMS, unwraps it, compares,
// and asks the KMS for the key's state; one line per step, the failed step named with why.

#include "app/cli/clicommon.h"
#include "app/cli/commands.h"
#include "core/kms/kms.h"
#include "core/registry/dekregistryclient.h"
#include "core/services/connection.h"
#include "core/services/kektest.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

using namespace kw;
using namespace kw::cli;

namespace {

QString isoDay(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(Qt::ISODate) : QString();
}

QJsonObject stateJson(const kms::KmsKeyState &state)
{
    QJsonObject o{{QStringLiteral("status"), kms::KmsKeyState::statusName(state.status)},
                  {QStringLiteral("summary"), state.summary()},
                  {QStringLiteral("revoked"), state.isRevoked()}};
    const auto put = [&o](const char *key, const QString &value) {
        if (!value.isEmpty())
            o.insert(QLatin1String(key), value);
    };
    put("providerState", state.providerState);
    put("keyName", state.keyName);
    put("currentVersion", state.currentVersion);
    put("deletionTime", isoDay(state.deletionMs));
    put("lastRotation", isoDay(state.lastRotationMs));
    put("nextRotation", isoDay(state.nextRotationMs));
    if (state.autoRotation)
        o.insert(QStringLiteral("autoRotation"), *state.autoRotation);
    if (state.rotationPeriodDays > 0)
        o.insert(QStringLiteral("rotationPeriodDays"), state.rotationPeriodDays);
    if (!state.notes.isEmpty())
        o.insert(QStringLiteral("notes"), QJsonArray::fromStringList(state.notes));
    return o;
}

} // namespace

int runKekTestCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Wrap a random 32-byte value through the KEK's KMS, unwrap it and compare, then ask the "
        "KMS for the key's state (enabled, disabled, pending deletion, rotation). Says which "
        "step failed and why. Exit 0 when every step passed."));
    addConnectionOptions(parser, Needs::RegistryAndKms);
    addFormatOption(parser);
    parser.addPositionalArgument(QStringLiteral("KEK"), QStringLiteral("The KEK to test."));
    if (auto stop = parseCommandLine(parser, arguments))
        return *stop;
    if (auto stop = refuseExtraArguments(parser, arguments, 1))
        return *stop;
    const QString name = parser.positionalArguments().value(0);
    if (name.isEmpty()) {
        printError(QStringLiteral("kek test: name the KEK to test."));
        return ExitUsage;
    }
    auto format = formatFromOptions(parser);
    if (!format) {
        printError(format.error());
        return ExitUsage;
    }
    auto profile = connectionFromOptions(parser);
    if (!profile) {
        printError(profile.error());
        return exitCodeFor(profile.error());
    }
    services::Connection connection(*profile);
    auto kek = await(connection.dekRegistry()->getKek(name, false));
    if (!kek) {
        printError(kek.error());
        return exitCodeFor(kek.error());
    }
    const kms::KmsSettings settings = profile->kms;
    const registry::Kek target = *kek;
    const services::KekTest test = await(inBackground([target, settings] {
        return services::testKek(kms::KmsRegistry::withBuiltInDrivers(), target, settings);
    }));

    if (*format == Format::Json) {
        QJsonArray steps;
        for (const services::KekTestStep &s : test.steps) {
            QJsonObject o{{QStringLiteral("step"), services::stepName(s.kind)},
                          {QStringLiteral("passed"), s.passed},
                          {QStringLiteral("ms"), s.elapsedMs}};
            if (!s.detail.isEmpty())
                o.insert(QStringLiteral("detail"), s.detail);
            if (!s.passed) {
                o.insert(QStringLiteral("error"), s.error.code);
                o.insert(QStringLiteral("message"), s.error.message);
            }
            steps.append(o);
        }
        QJsonObject out{{QStringLiteral("kek"), test.kekName},
                        {QStringLiteral("kmsType"), target.kmsType},
                        {QStringLiteral("passed"), test.passed()},
                        {QStringLiteral("steps"), steps}};
        if (test.keyState)
            out.insert(QStringLiteral("keyState"), stateJson(*test.keyState));
        printJsonLine(out);
    } else {
        QList<QStringList> rows;
        for (const services::KekTestStep &s : test.steps) {
            rows.append({services::stepName(s.kind),
                         s.passed ? QStringLiteral("passed") : QStringLiteral("FAILED"),
                         QStringLiteral("%1 ms").arg(s.elapsedMs),
                         s.passed ? s.detail : s.error.message});
        }
        printTable({QStringLiteral("STEP"), QStringLiteral("RESULT"), QStringLiteral("TIME"),
                    QStringLiteral("DETAIL")},
                   rows);
    }
    if (const services::KekTestStep *failed = test.failedStep()) {
        printError(QStringLiteral("KEK '%1' failed the %2 step: %3")
                       .arg(test.kekName, services::stepName(failed->kind).toLower(),
                            failed->error.message));
        return exitCodeFor(failed->error);
    }
    return ExitOk;
}
