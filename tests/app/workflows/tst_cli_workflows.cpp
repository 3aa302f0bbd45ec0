// keywarden-cli dek/kek/journal as an admin or a script runs them against keywarden-sandbox
// with the demo estate: the dry run changes nothing, nothing changes without --yes when there
// is no terminal to ask, results are in the past tense, a rewrap keeps every record readable,
// the registry's order rules and the grace period are refused with the next step named, and
// the journal lists and shows every run.

#include "support/cliprocess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using kw::testing::jsonLines;
using kw::testing::ProcessRun;

class TestCliWorkflows : public QObject
{
    Q_OBJECT

    kw::testing::SandboxProcess m_sandbox;
    QTemporaryDir m_dir;

    ProcessRun cli(const QStringList &command, bool registry = true)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOCAL_SECRET"), m_sandbox.localSecret());
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        return kw::testing::runProcess(
            QStringLiteral(KEYWARDEN_CLI),
            registry ? command + QStringList{QStringLiteral("--registry"), m_sandbox.registryUrl()}
                     : command,
            env);
    }

    // kek -> "subject/algorithm/version" -> {deleted, sha}
    QMap<QString, QPair<bool, QString>> rows(const QString &kek)
    {
        const ProcessRun run = cli({QStringLiteral("deks"), kek, QStringLiteral("--deleted"),
                                    QStringLiteral("--format"), QStringLiteral("json")});
        QMap<QString, QPair<bool, QString>> out;
        for (const QJsonObject &o : jsonLines(run.out))
            out.insert(QStringLiteral("%1/%2/%3")
                           .arg(o.value(QStringLiteral("subject")).toString(),
                                o.value(QStringLiteral("algorithm")).toString())
                           .arg(o.value(QStringLiteral("version")).toInt()),
                       {o.value(QStringLiteral("deleted")).toBool(),
                        o.value(QStringLiteral("encryptedKeyMaterialSha256")).toString()});
        return out;
    }

    static void expect(const ProcessRun &run, int code, const QStringList &mentions,
                       bool inOut = false)
    {
        const QString text = QString::fromUtf8(inOut ? run.out : run.err);
        QVERIFY2(run.exitCode == code,
                 qPrintable(QStringLiteral("exit %1, not %2: %3 %4")
                                .arg(run.exitCode)
                                .arg(code)
                                .arg(QString::fromUtf8(run.out), run.errText())));
        for (const QString &m : mentions)
            QVERIFY2(text.contains(m), qPrintable(QStringLiteral("'%1' not in: %2").arg(m, text)));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString failed = m_sandbox.start(QStringLiteral(KEYWARDEN_SANDBOX));
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
        QVERIFY(!rows(QStringLiteral("retail-pii")).isEmpty());
    }

    void cleanupTestCase() { m_sandbox.stop(); }

    void aDryRunPrintsThePlanAndChangesNothing()
    {
        const auto before = rows(QStringLiteral("retail-pii"));
        const ProcessRun run =
            cli({QStringLiteral("dek"), QStringLiteral("rotate"), QStringLiteral("--kek"),
                 QStringLiteral("retail-pii"), QStringLiteral("--subject"),
                 QStringLiteral("customers-value"), QStringLiteral("--dry-run"),
                 QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(run.exitCode, 0);
        const QList<QJsonObject> lines = jsonLines(run.out);
        QCOMPARE(lines.size(), 1);
        const QJsonObject plan = lines.constFirst();
        QCOMPARE(plan.value(QStringLiteral("action")).toString(), QStringLiteral("dek.rotate"));
        for (const char *key :
             {"steps", "deks", "schemas", "topics", "consumerGroups", "warnings", "unrecoverable"})
            QVERIFY2(plan.contains(QLatin1String(key)), key);
        const QJsonArray steps = plan.value(QStringLiteral("steps")).toArray();
        QCOMPARE(steps.size(), 1);
        // Versions 1-6 exist: the next is 7.
        QCOMPARE(steps.at(0).toObject().value(QStringLiteral("version")).toInt(), 7);
        QCOMPARE(rows(QStringLiteral("retail-pii")), before);
    }

    void withoutATerminalAndWithoutYesNothingChanges()
    {
        const auto before = rows(QStringLiteral("retail-pii"));
        const ProcessRun run =
            cli({QStringLiteral("dek"), QStringLiteral("rotate"), QStringLiteral("--kek"),
                 QStringLiteral("retail-pii"), QStringLiteral("--subject"),
                 QStringLiteral("customers-value")});
        expect(run, 64, {QStringLiteral("--yes")});
        QVERIFY(run.out.contains("Create version 7 of DEK subject customers-value"));
        QCOMPARE(rows(QStringLiteral("retail-pii")), before);
    }

    void rotateWithYesCreatesTheNextVersion()
    {
        const ProcessRun run =
            cli({QStringLiteral("dek"), QStringLiteral("rotate"), QStringLiteral("--kek"),
                 QStringLiteral("retail-pii"), QStringLiteral("--subject"),
                 QStringLiteral("customers-value"), QStringLiteral("--yes")});
        expect(run, 0,
               {QStringLiteral("Rotated DEK subject customers-value under KEK retail-pii "
                               "(AES256_GCM): version 7 created.")},
               true);
        const auto after = rows(QStringLiteral("retail-pii"));
        QVERIFY(after.contains(QStringLiteral("customers-value/AES256_GCM/7")));
        QVERIFY(!after.value(QStringLiteral("customers-value/AES256_GCM/7")).first);
    }

    void rewrapChangesEveryBlobAndEveryRecordStillDecrypts()
    {
        const auto before = rows(QStringLiteral("hr-confidential"));
        QVERIFY(before.size() > 1);
        const ProcessRun run = cli({QStringLiteral("kek"), QStringLiteral("rewrap"),
                                    QStringLiteral("hr-confidential"), QStringLiteral("--yes")});
        expect(run, 0,
               {QStringLiteral("Rewrapped %1 DEK versions of KEK hr-confidential.")
                    .arg(before.size())},
               true);
        const auto after = rows(QStringLiteral("hr-confidential"));
        QCOMPARE(after.keys(), before.keys());
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            QVERIFY2(after.value(it.key()).second != it.value().second, qPrintable(it.key()));
            QCOMPARE(after.value(it.key()).first, it.value().first);
        }
        const ProcessRun read =
            cli({QStringLiteral("records"), QStringLiteral("--topic"), QStringLiteral("payroll"),
                 QStringLiteral("--bootstrap"), m_sandbox.bootstrapServers(),
                 QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--limit"),
                 QStringLiteral("1000")});
        QCOMPARE(read.exitCode, 0);
        int decrypted = 0;
        for (const QJsonObject &record : jsonLines(read.out)) {
            for (const QJsonValue &f : record.value(QStringLiteral("fields")).toArray()) {
                QCOMPARE(f.toObject().value(QStringLiteral("status")).toString(),
                         QStringLiteral("decrypted"));
                ++decrypted;
            }
        }
        QVERIFY(decrypted > 10);
    }

    void refusalsNameTheObjectAndTheNextStep()
    {
        const auto before = rows(QStringLiteral("retail-pii"));
        expect(cli({QStringLiteral("dek"), QStringLiteral("delete"), QStringLiteral("--kek"),
                    QStringLiteral("retail-pii"), QStringLiteral("--subject"),
                    QStringLiteral("customers-value"), QStringLiteral("--version"),
                    QStringLiteral("1"), QStringLiteral("--permanent"), QStringLiteral("--yes")}),
               1,
               {QStringLiteral("version 1 of DEK subject customers-value"),
                QStringLiteral("not soft-deleted"),
                QStringLiteral("keywarden-cli dek delete --kek retail-pii --subject "
                               "customers-value --version 1")});
        expect(cli({QStringLiteral("kek"), QStringLiteral("delete"), QStringLiteral("retail-pii"),
                    QStringLiteral("--yes")}),
               1,
               {QStringLiteral("KEK retail-pii still has live DEKs"),
                QStringLiteral("keywarden-cli dek delete --kek retail-pii --subject")});
        expect(cli({QStringLiteral("kek"), QStringLiteral("undelete"), QStringLiteral("retail-pii"),
                    QStringLiteral("--yes")}),
               0, {QStringLiteral("KEK retail-pii is not deleted")});
        expect(cli({QStringLiteral("dek"), QStringLiteral("delete"), QStringLiteral("--kek"),
                    QStringLiteral("retail-pii"), QStringLiteral("--subject"),
                    QStringLiteral("customers-value"), QStringLiteral("--version"),
                    QStringLiteral("zero")}),
               64, {QStringLiteral("--version takes a DEK version number")});
        QCOMPARE(rows(QStringLiteral("retail-pii")), before);
    }

    void aPermanentDeleteWaitsForTheGracePeriodUnlessOverridden()
    {
        // Soft-delete version 1 of accounts-value now: a permanent delete must wait 7 days.
        expect(cli({QStringLiteral("dek"), QStringLiteral("delete"), QStringLiteral("--kek"),
                    QStringLiteral("retail-pii"), QStringLiteral("--subject"),
                    QStringLiteral("accounts-value"), QStringLiteral("--version"),
                    QStringLiteral("1"), QStringLiteral("--yes")}),
               0,
               {QStringLiteral("Deleted 1 DEK version of subject accounts-value under KEK "
                               "retail-pii.")},
               true);
        QVERIFY(rows(QStringLiteral("retail-pii"))
                    .value(QStringLiteral("accounts-value/AES256_GCM/1"))
                    .first);
        const QStringList permanent{QStringLiteral("dek"),         QStringLiteral("delete"),
                                    QStringLiteral("--kek"),       QStringLiteral("retail-pii"),
                                    QStringLiteral("--subject"),   QStringLiteral("accounts-value"),
                                    QStringLiteral("--version"),   QStringLiteral("1"),
                                    QStringLiteral("--permanent"), QStringLiteral("--yes")};
        expect(cli(permanent), 1,
               {QStringLiteral("version 1 of DEK subject accounts-value"),
                QStringLiteral("grace period"), QStringLiteral("--ignore-grace-period")});
        QVERIFY(rows(QStringLiteral("retail-pii"))
                    .contains(QStringLiteral("accounts-value/AES256_GCM/1")));
        // The dry run of the override says it cannot be undone and asks for the name.
        const ProcessRun dry =
            cli(permanent.mid(0, 9) +
                QStringList{QStringLiteral("--ignore-grace-period"), QStringLiteral("--dry-run"),
                            QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(dry.exitCode, 0);
        const QJsonObject plan = jsonLines(dry.out).value(0);
        QVERIFY(plan.value(QStringLiteral("unrecoverable")).toBool());
        QCOMPARE(plan.value(QStringLiteral("typedName")).toString(),
                 QStringLiteral("accounts-value"));
        QVERIFY(plan.value(QStringLiteral("warnings"))
                    .toArray()
                    .first()
                    .toString()
                    .contains(QStringLiteral("grace period is overridden")));
        expect(cli(permanent + QStringList{QStringLiteral("--ignore-grace-period")}), 0,
               {QStringLiteral("Permanently deleted 1 DEK version of subject accounts-value under "
                               "KEK retail-pii.")},
               true);
        QVERIFY(!rows(QStringLiteral("retail-pii"))
                     .contains(QStringLiteral("accounts-value/AES256_GCM/1")));
    }

    void theJournalListsAndShowsEveryRun()
    {
        const ProcessRun list = cli({QStringLiteral("journal"), QStringLiteral("list"),
                                     QStringLiteral("--format"), QStringLiteral("json")},
                                    false);
        QCOMPARE(list.exitCode, 0);
        const QList<QJsonObject> runs = jsonLines(list.out);
        // rotate, rewrap, soft delete, permanent delete
        QCOMPARE(runs.size(), 4);
        for (const QJsonObject &r : runs)
            QCOMPARE(r.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
        const QJsonObject rewrap = runs.at(2);
        QCOMPARE(rewrap.value(QStringLiteral("action")).toString(), QStringLiteral("kek.rewrap"));
        const ProcessRun show =
            cli({QStringLiteral("journal"), QStringLiteral("show"),
                 QString::number(rewrap.value(QStringLiteral("id")).toInteger()),
                 QStringLiteral("--format"), QStringLiteral("json")},
                false);
        QCOMPARE(show.exitCode, 0);
        const QJsonObject shown = jsonLines(show.out).value(0);
        const QJsonArray steps = shown.value(QStringLiteral("stepRecords")).toArray();
        QCOMPARE(steps.size(), rewrap.value(QStringLiteral("steps")).toInt());
        for (const QJsonValue &v : steps) {
            const QJsonObject s = v.toObject();
            QCOMPARE(s.value(QStringLiteral("state")).toString(), QStringLiteral("done"));
            QVERIFY(!s.value(QStringLiteral("oldSha256")).toString().isEmpty());
            QVERIFY(s.value(QStringLiteral("newSha256")).toString() !=
                    s.value(QStringLiteral("oldSha256")).toString());
            QVERIFY(s.value(QStringLiteral("originalTs")).toInteger() > 0);
            QVERIFY(s.value(QStringLiteral("audited")).toBool());
        }
        expect(cli({QStringLiteral("journal"), QStringLiteral("resume"),
                    QString::number(rewrap.value(QStringLiteral("id")).toInteger()),
                    QStringLiteral("--yes")}),
               0, {QStringLiteral("nothing to resume")}, true);
        expect(
            cli({QStringLiteral("journal"), QStringLiteral("show"), QStringLiteral("999")}, false),
            1, {QStringLiteral("has no run 999")});
    }
    void aKilledCliRunResumesFromTheJournal()
    {
        // A registry slowed down, so the rewrap is still running when it is killed.
        kw::testing::SandboxProcess slow;
        const QString failed =
            slow.start(QStringLiteral(KEYWARDEN_SANDBOX), 120000,
                       {QStringLiteral("--fault-delay-ms"), QStringLiteral("20")});
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
        QTemporaryDir data;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOCAL_SECRET"), slow.localSecret());
        env.insert(QStringLiteral("XDG_DATA_HOME"), data.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), data.filePath(QStringLiteral("config")));
        const auto run = [&](const QStringList &args, bool registry = true) {
            return kw::testing::runProcess(
                QStringLiteral(KEYWARDEN_CLI),
                registry ? args + QStringList{QStringLiteral("--registry"), slow.registryUrl()}
                         : args,
                env);
        };
        const auto unfinished = [&] {
            return jsonLines(run({QStringLiteral("journal"), QStringLiteral("list"),
                                  QStringLiteral("--unfinished"), QStringLiteral("--format"),
                                  QStringLiteral("json")},
                                 false)
                                 .out);
        };

        QProcess rewrap;
        rewrap.setProcessEnvironment(env);
        rewrap.start(QStringLiteral(KEYWARDEN_CLI),
                     {QStringLiteral("kek"), QStringLiteral("rewrap"), QStringLiteral("retail-pii"),
                      QStringLiteral("--yes"), QStringLiteral("--registry"), slow.registryUrl()});
        QVERIFY(rewrap.waitForStarted());
        // Killed once two steps are journalled as done.
        bool killed = false;
        while (!rewrap.waitForFinished(100)) {
            const QList<QJsonObject> runs = unfinished();
            if (!runs.isEmpty() &&
                runs.constFirst().value(QStringLiteral("stepsDone")).toInt() >= 2) {
                rewrap.kill();
                rewrap.waitForFinished();
                killed = true;
                break; // waitForFinished() is false for a process that has already ended
            }
        }
        QVERIFY2(killed, "the rewrap ended before it could be killed");
        const QList<QJsonObject> runs = unfinished();
        QCOMPARE(runs.size(), 1);
        const QJsonObject stopped = runs.constFirst();
        QCOMPARE(stopped.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        const int steps = stopped.value(QStringLiteral("steps")).toInt();
        QVERIFY(stopped.value(QStringLiteral("stepsDone")).toInt() < steps);
        const QString id = QString::number(stopped.value(QStringLiteral("id")).toInteger());

        // Without --yes and without a terminal nothing is resumed.
        expect(run({QStringLiteral("journal"), QStringLiteral("resume"), id}), 64,
               {QStringLiteral("--yes")});
        QCOMPARE(unfinished().size(), 1);
        expect(
            run({QStringLiteral("journal"), QStringLiteral("resume"), id, QStringLiteral("--yes")}),
            0, {QStringLiteral("Rewrapped %1 DEK versions of KEK retail-pii.").arg(steps)}, true);
        QVERIFY(unfinished().isEmpty());
        const QJsonObject shown =
            jsonLines(run({QStringLiteral("journal"), QStringLiteral("show"), id,
                           QStringLiteral("--format"), QStringLiteral("json")},
                          false)
                          .out)
                .value(0);
        for (const QJsonValue &v : shown.value(QStringLiteral("stepRecords")).toArray())
            QCOMPARE(v.toObject().value(QStringLiteral("state")).toString(),
                     QStringLiteral("done"));
        // Every record under the KEK still decrypts.
        const ProcessRun read =
            run({QStringLiteral("records"), QStringLiteral("--topic"), QStringLiteral("customers"),
                 QStringLiteral("--bootstrap"), slow.bootstrapServers(), QStringLiteral("--format"),
                 QStringLiteral("json"), QStringLiteral("--limit"), QStringLiteral("200")});
        QCOMPARE(read.exitCode, 0);
        int decrypted = 0;
        for (const QJsonObject &record : jsonLines(read.out))
            for (const QJsonValue &f : record.value(QStringLiteral("fields")).toArray()) {
                QCOMPARE(f.toObject().value(QStringLiteral("status")).toString(),
                         QStringLiteral("decrypted"));
                ++decrypted;
            }
        QVERIFY(decrypted > 100);
    }
};

QTEST_GUILESS_MAIN(TestCliWorkflows)
#include "tst_cli_workflows.moc"
