// keywarden-cli census as a user runs it, against keywarden-sandbox with the demo estate: its
// counts per DEK version equal what `records` finds by decrypting the same topics, a second
// run reads nothing new, the state stays in the folder given, and the table says the same.

#include "support/cliprocess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using kw::testing::jsonLines;
using kw::testing::ProcessRun;

class TestCliCensus : public QObject
{
    Q_OBJECT

    kw::testing::SandboxProcess m_sandbox;
    QTemporaryDir m_state;

    ProcessRun cli(const QStringList &command, const QStringList &more = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOCAL_SECRET"), m_sandbox.localSecret());
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_state.filePath(QStringLiteral("data")));
        return kw::testing::runProcess(
            QStringLiteral(KEYWARDEN_CLI),
            command +
                QStringList{QStringLiteral("--registry"), m_sandbox.registryUrl(),
                            QStringLiteral("--bootstrap"), m_sandbox.bootstrapServers()} +
                more,
            env);
    }

    QStringList census(const QStringList &more = {}) const
    {
        return QStringList{QStringLiteral("census"),
                           QStringLiteral("--state"),
                           m_state.filePath(QStringLiteral("census")),
                           QStringLiteral("--topic"),
                           QStringLiteral("employees"),
                           QStringLiteral("--topic"),
                           QStringLiteral("payroll")} +
               more;
    }

    // "kek/algorithm/version" -> encryptions.
    using Counts = QMap<QString, qint64>;

    static QString keyOf(const QJsonObject &o, const char *versionKey)
    {
        return QStringLiteral("%1/%2/%3")
            .arg(o.value(QStringLiteral("kek")).toString(),
                 o.value(QStringLiteral("algorithm")).toString())
            .arg(o.value(QLatin1String(versionKey)).toInt());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_state.isValid());
        const QString failed = m_sandbox.start(QStringLiteral(KEYWARDEN_SANDBOX));
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase() { m_sandbox.stop(); }

    void countsWhatDecryptingFinds()
    {
        const ProcessRun run = cli(census(), {QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        Counts counted;
        QMap<QString, qint64> topicRecords;
        for (const QJsonObject &line : jsonLines(run.out)) {
            const QString type = line.value(QStringLiteral("type")).toString();
            if (type == QLatin1String("dek")) {
                QVERIFY(line.value(QStringLiteral("subject"))
                            .toString()
                            .endsWith(QLatin1String("-value")));
                QVERIFY(line.value(QStringLiteral("firstSeen")).toDouble() > 0);
                QVERIFY(line.value(QStringLiteral("lastSeen")).toDouble() >=
                        line.value(QStringLiteral("firstSeen")).toDouble());
                counted[keyOf(line, "version")] +=
                    qint64(line.value(QStringLiteral("encryptions")).toDouble());
            } else if (type == QLatin1String("topic")) {
                topicRecords[line.value(QStringLiteral("topic")).toString()] =
                    qint64(line.value(QStringLiteral("records")).toDouble());
                const QJsonObject protection = line.value(QStringLiteral("protection")).toObject();
                QCOMPARE(protection.keys().size(), 6);
                QVERIFY(protection.contains(QStringLiteral("notSrFramed")));
            } else {
                QFAIL(qPrintable(QStringLiteral("unexpected line type '%1'").arg(type)));
            }
        }
        QCOMPARE(topicRecords.value(QStringLiteral("employees")), 600);
        QCOMPARE(topicRecords.value(QStringLiteral("payroll")), 2400);

        // The same topics decrypted by `records`: one encryption per decrypted field.
        Counts decrypted;
        for (const QString &topic : {QStringLiteral("employees"), QStringLiteral("payroll")}) {
            const ProcessRun records =
                cli({QStringLiteral("records"), QStringLiteral("--topic"), topic,
                     QStringLiteral("--format"), QStringLiteral("json")});
            QVERIFY2(records.exitCode == 0, records.err.constData());
            for (const QJsonObject &line : jsonLines(records.out)) {
                for (const QJsonValue &f : line.value(QStringLiteral("fields")).toArray()) {
                    const QJsonObject field = f.toObject();
                    if (field.value(QStringLiteral("status")).toString() ==
                        QLatin1String("decrypted"))
                        ++decrypted[keyOf(field, "dekVersion")];
                }
            }
        }
        QVERIFY(!decrypted.isEmpty());
        QCOMPARE(counted, decrypted);
    }

    void aSecondRunReadsNothingNew()
    {
        const ProcessRun first =
            cli(census(), {QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(first.exitCode, 0);
        QVERIFY2(first.err.contains("0 records read in this run"), first.err.constData());
        // --rescan counts everything again, to the same figures.
        const ProcessRun again = cli(census({QStringLiteral("--rescan")}),
                                     {QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.err.contains("3000 records read in this run"), again.err.constData());
        QCOMPARE(again.out, first.out);
    }

    void theTableSaysTheSame()
    {
        const ProcessRun table = cli(census());
        QCOMPARE(table.exitCode, 0);
        const QString text = QString::fromUtf8(table.out);
        QVERIFY(text.startsWith(QLatin1String("KEK")));
        QVERIFY(text.contains(QLatin1String("hr-confidential")));
        QVERIFY(text.contains(QLatin1String("\nTOPIC")));
        QVERIFY(text.contains(QRegularExpression(QStringLiteral("\nemployees +600 "))));
    }

    void badOptionsAreUsageErrors()
    {
        const ProcessRun noKafka = kw::testing::runProcess(
            QStringLiteral(KEYWARDEN_CLI),
            {QStringLiteral("census"), QStringLiteral("--registry"), m_sandbox.registryUrl()});
        QCOMPARE(noKafka.exitCode, 64);
        QVERIFY(noKafka.err.contains("--bootstrap"));
        const ProcessRun extra = cli({QStringLiteral("census"), QStringLiteral("extra")});
        QCOMPARE(extra.exitCode, 64);
    }
};

QTEST_GUILESS_MAIN(TestCliCensus)
#include "tst_cli_census.moc"
