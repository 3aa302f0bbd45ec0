// keywarden-sandbox as a process: one JSON line on stdout, a working registry, a clean exit 0
// on SIGTERM and SIGINT, and the fault-injection flags.

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

    // --fault-rate 1 fails every DEK Registry request and no Schema Registry request; the
    // counts are printed on exit. Bad fault flags are usage errors.
    void faultFlags()
    {
        QProcess process;
        const QJsonObject info =
            startSandbox(process, {QStringLiteral("--fault-rate"), QStringLiteral("1"),
                                   QStringLiteral("--fault-seed"), QStringLiteral("5"),
                                   QStringLiteral("--fault-delay-ms"), QStringLiteral("1")});
        HttpTestClient http(info.value(QStringLiteral("registry")).toString());
        const TestReply keks = http.get(QStringLiteral("/dek-registry/v1/keks"));
        QCOMPARE(keks.status, 500);
        QCOMPARE(keks.errorCode(), 50001);
        QVERIFY(keks.object()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("seed 5")));
        QCOMPARE(http.get(QStringLiteral("/subjects")).status, 200);
        process.terminate();
        QVERIFY(process.waitForFinished(15000));
        QCOMPARE(process.exitCode(), 0);
        const QByteArray err = process.readAllStandardError();
        QVERIFY2(err.contains("injecting faults: rate 1, seed 5, delay 1 ms") &&
                     err.contains("faults injected: 1 of 1 requests failed"),
                 err.constData());

        for (const QStringList &arguments :
             {QStringList{QStringLiteral("--fault-rate"), QStringLiteral("1.5")},
              QStringList{QStringLiteral("--fault-rate"), QStringLiteral("x")},
              QStringList{QStringLiteral("--fault-seed"), QStringLiteral("-1")},
              QStringList{QStringLiteral("--fault-delay-ms"), QStringLiteral("600001")}}) {
            QProcess bad;
            bad.start(QStringLiteral(KEYWARDEN_SANDBOX_EXE), arguments);
            QVERIFY(bad.waitForFinished(15000));
            QCOMPARE(bad.exitCode(), 64);
            QVERIFY(bad.readAllStandardOutput().isEmpty());
            QVERIFY(bad.readAllStandardError().contains("fault"));
        }
    }
};

QTEST_GUILESS_MAIN(TestSandboxProcess)
#include "tst_sandboxprocess.moc"
