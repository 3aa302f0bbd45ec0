#pragma once
// Running Keywarden's programs as a user or a script does: a finished run's exit code and
// output, its JSON lines, and keywarden-sandbox started as a process (the demo estate on a
// registry, a mock Kafka cluster and local-kms, on ports of its own).

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace kw::testing {

struct ProcessRun
{
    int exitCode = -1; // -1: crashed, or killed after the time-out
    QByteArray out;
    QByteArray err;

    [[nodiscard]] QString errText() const { return QString::fromUtf8(err); }
};

// Waits for a started process; one still running after `timeoutMs` is killed.
inline ProcessRun finishProcess(QProcess &process, int timeoutMs = 120000)
{
    ProcessRun run;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

inline ProcessRun
runProcess(const QString &program, const QStringList &args,
           const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
           int timeoutMs = 120000)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(program, args);
    return finishProcess(process, timeoutMs);
}

// One object per non-empty line; a line that is not a JSON object becomes {"unparsed": line}
// (so a test's count of lines still sees it).
inline QList<QJsonObject> jsonLines(const QByteArray &out)
{
    QList<QJsonObject> objects;
    for (const QByteArray &line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject())
            objects.append(doc.object());
        else
            objects.append(QJsonObject{{QStringLiteral("unparsed"), QString::fromUtf8(line)}});
    }
    return objects;
}

// keywarden-sandbox as a process, seeded with the demo estate, stopped when this goes.
class SandboxProcess
{
public:
    SandboxProcess() = default;
    ~SandboxProcess() { stop(); }
    SandboxProcess(const SandboxProcess &) = delete;
    SandboxProcess &operator=(const SandboxProcess &) = delete;

    // Starts `program` (KEYWARDEN_SANDBOX) and waits for its ready line. Empty on success,
    // else what went wrong (with what it printed).
    // `extra` goes after the seed and port options (e.g. --fault-delay-ms 20).
    QString start(const QString &program, int timeoutMs = 120000, const QStringList &extra = {})
    {
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start(program, QStringList{QStringLiteral("--seed"), QStringLiteral("demo"),
                                             QStringLiteral("--port"), QStringLiteral("0")} +
                                     extra);
        if (!m_process.waitForStarted())
            return QStringLiteral("%1 did not start: %2").arg(program, m_process.errorString());
        QByteArray line;
        while (!line.contains('\n') && m_process.waitForReadyRead(timeoutMs))
            line += m_process.readAllStandardOutput();
        const QJsonObject ready = QJsonDocument::fromJson(line.trimmed()).object();
        m_registry = ready.value(QStringLiteral("registry")).toString();
        m_bootstrap = ready.value(QStringLiteral("bootstrap")).toString();
        m_localSecret = ready.value(QStringLiteral("localSecret")).toString();
        if (m_registry.isEmpty() || m_bootstrap.isEmpty())
            return QStringLiteral("no ready line from %1: '%2' %3")
                .arg(program, QString::fromUtf8(line),
                     QString::fromUtf8(m_process.readAllStandardError()));
        return {};
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    [[nodiscard]] const QString &registryUrl() const { return m_registry; }
    [[nodiscard]] const QString &bootstrapServers() const { return m_bootstrap; }
    // local-kms's secret (LOCAL_SECRET) for the demo's KEKs.
    [[nodiscard]] const QString &localSecret() const { return m_localSecret; }

private:
    QProcess m_process;
    QString m_registry;
    QString m_bootstrap;
    QString m_localSecret;
};

} // namespace kw::testing
