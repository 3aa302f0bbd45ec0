// keywarden-sandbox as a process: one JSON line on stdout, a working registry, a clean exit 0
// on SIGTERM and SIGINT.

#include "httptestclient.h"

#include <QJsonDocument>
#include <QProcess>
#include <QTest>

#include <csignal>

class TestSandboxProcess : public QObject
{
    Q_OBJECT

private:
    static QJsonObject startSandbox(QProcess &process, const QStringList &arguments)
    {
        process.setProgram(QStringLiteral(KEYWARDEN_SANDBOX_EXE));
        process.setArguments(arguments);
        process.start();
        if (!process.waitForStarted(10000))
            return {};
        QByteArray line;
        while (!line.contains('\n') && process.waitForReadyRead(20000))
            line += process.readAllStandardOutput();
        return QJsonDocument::fromJson(line.trimmed()).object();
    }

private Q_SLOTS:
    void serveAndTerminate_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }

    void serveAndTerminate()
    {
        QFETCH(int, signal);
        QProcess process;
        const QJsonObject info =
            startSandbox(process, {QStringLiteral("--port"), QStringLiteral("0"),
                                   QStringLiteral("--local-secret"), QStringLiteral("abc")});
        const QString registry = info.value(QStringLiteral("registry")).toString();
        QVERIFY(registry.startsWith(QLatin1String("http://127.0.0.1:")));
        QVERIFY(info.value(QStringLiteral("bootstrap"))
                    .toString()
                    .startsWith(QLatin1String("127.0.0.1:")));
        QCOMPARE(info.value(QStringLiteral("localSecret")).toString(), QStringLiteral("abc"));

        HttpTestClient http(registry);
        const TestReply keks = http.get(QStringLiteral("/dek-registry/v1/keks?deleted=true"));
        QCOMPARE(keks.status, 200);
        QCOMPARE(keks.array(), QJsonArray());
        const TestReply subjects = http.get(QStringLiteral("/subjects"));
        QCOMPARE(subjects.status, 200);
        QCOMPARE(subjects.array(), QJsonArray());

        ::kill(static_cast<pid_t>(process.processId()), signal);
        QVERIFY(process.waitForFinished(15000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
        QVERIFY(process.readAllStandardError().contains("ready in"));
    }

    void randomSecretAndBadArguments()
    {
        QProcess process;
        const QJsonObject info = startSandbox(process, {});
        QVERIFY(info.value(QStringLiteral("localSecret")).toString().size() >= 24);
        process.terminate();
        QVERIFY(process.waitForFinished(15000));
        QCOMPARE(process.exitCode(), 0);

        QProcess bad;
        bad.start(QStringLiteral(KEYWARDEN_SANDBOX_EXE),
                  {QStringLiteral("--port"), QStringLiteral("x")});
        QVERIFY(bad.waitForFinished(15000));
        QCOMPARE(bad.exitCode(), 64);
        QVERIFY(bad.readAllStandardOutput().isEmpty());

        QProcess seed;
        seed.start(QStringLiteral(KEYWARDEN_SANDBOX_EXE),
                   {QStringLiteral("--seed"), QStringLiteral("nope")});
        QVERIFY(seed.waitForFinished(15000));
        QCOMPARE(seed.exitCode(), 69);
        QVERIFY(seed.readAllStandardError().contains("Unknown seed"));
    }
};

QTEST_GUILESS_MAIN(TestSandboxProcess)
#include "tst_sandboxprocess.moc"
