// keywarden-cli schedule as a user runs it, against keywarden-sandbox with the demo estate:
// each row's latest version and ts are what `deks` lists, its expiry is the one its subject's
// latest schema sets for the KEK, due date and status follow from them, rows come most urgent
// first, encryptions come from the census of the same cluster, and --policy changes the
// outcome (or is refused, naming the mistake).

#include "support/cliprocess.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using kw::testing::jsonLines;
using kw::testing::ProcessRun;

namespace {
constexpr qint64 Day = 86'400'000;
}

class TestCliSchedule : public QObject
{
    Q_OBJECT

    kw::testing::SandboxProcess m_sandbox;
    QTemporaryDir m_dir;

    ProcessRun cli(const QStringList &command, bool kafka = false)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOCAL_SECRET"), m_sandbox.localSecret());
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        QStringList args =
            command + QStringList{QStringLiteral("--registry"), m_sandbox.registryUrl()};
        if (kafka)
            args << QStringLiteral("--bootstrap") << m_sandbox.bootstrapServers();
        return kw::testing::runProcess(QStringLiteral(KEYWARDEN_CLI), args, env);
    }

    QList<QJsonObject> schedule(const QStringList &more = {}, bool kafka = false)
    {
        const ProcessRun run =
            cli(QStringList{QStringLiteral("schedule"), QStringLiteral("--state"),
                            m_dir.filePath(QStringLiteral("census")), QStringLiteral("--format"),
                            QStringLiteral("json")} +
                    more,
                kafka);
        if (run.exitCode != 0)
            qWarning("schedule failed (%d): %s", run.exitCode, run.err.constData());
        return run.exitCode == 0 ? jsonLines(run.out) : QList<QJsonObject>{};
    }

    static QMap<QString, int> statusCounts(const QList<QJsonObject> &rows)
    {
        QMap<QString, int> counts;
        for (const QJsonObject &r : rows)
            ++counts[r.value(QStringLiteral("status")).toString()];
        return counts;
    }

    static QString rowKey(const QJsonObject &o, const char *kekMember)
    {
        return QStringLiteral("%1/%2/%3")
            .arg(o.value(QLatin1String(kekMember)).toString(),
                 o.value(QStringLiteral("subject")).toString(),
                 o.value(QStringLiteral("algorithm")).toString());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString failed = m_sandbox.start(QStringLiteral(KEYWARDEN_SANDBOX));
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase() { m_sandbox.stop(); }

    void rowsFollowTheRegistry()
    {
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const QList<QJsonObject> rows = schedule();
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(!rows.isEmpty());

        // What `deks` lists for each live KEK: the latest live version and its ts.
        QMap<QString, QPair<int, qint64>> latest;
        QSet<QString> keks;
        for (const QJsonObject &r : rows)
            keks.insert(r.value(QStringLiteral("kek")).toString());
        for (const QString &kek : std::as_const(keks)) {
            const ProcessRun deks = cli(
                {QStringLiteral("deks"), kek, QStringLiteral("--format"), QStringLiteral("json")});
            QVERIFY2(deks.exitCode == 0, deks.err.constData());
            for (const QJsonObject &d : jsonLines(deks.out)) {
                const QString key = rowKey(d, "kekName");
                const int version = d.value(QStringLiteral("version")).toInt();
                if (version > latest.value(key).first)
                    latest.insert(key, {version, qint64(d.value(QStringLiteral("ts")).toDouble())});
            }
        }
        // Each DEK subject that `deks` lists has exactly one row.
        QCOMPARE(rows.size(), latest.size());

        QMap<QString, int> expiryOf; // subject/kek -> days from the latest schema
        const auto expiryFor = [&](const QString &subject, const QString &kek) {
            const QString key = subject + QLatin1Char('/') + kek;
            if (!expiryOf.contains(key)) {
                const ProcessRun s = cli({QStringLiteral("schema"), subject,
                                          QStringLiteral("--format"), QStringLiteral("json")});
                int days = 0;
                const QJsonObject schema = jsonLines(s.out).value(0);
                const QJsonObject ruleSet = schema.value(QStringLiteral("ruleSet")).toObject();
                QJsonArray rules = ruleSet.value(QStringLiteral("domainRules")).toArray();
                for (const QJsonValue &r : ruleSet.value(QStringLiteral("encodingRules")).toArray())
                    rules.append(r);
                // Rule params first, then the schema's metadata.properties (as clients do).
                const QJsonObject properties = schema.value(QStringLiteral("metadata"))
                                                   .toObject()
                                                   .value(QStringLiteral("properties"))
                                                   .toObject();
                const auto param = [&](const QJsonObject &params, const QString &name) {
                    return params.contains(name) ? params.value(name).toString()
                                                 : properties.value(name).toString();
                };
                for (const QJsonValue &rule : rules) {
                    const QJsonObject params =
                        rule.toObject().value(QStringLiteral("params")).toObject();
                    if (param(params, QStringLiteral("encrypt.kek.name")) == kek)
                        days = param(params, QStringLiteral("encrypt.dek.expiry.days")).toInt();
                }
                expiryOf.insert(key, days);
            }
            return expiryOf.value(key);
        };

        const QStringList order{QStringLiteral("overdue"), QStringLiteral("due-soon"),
                                QStringLiteral("ok"), QStringLiteral("no-rotation")};
        int lastRank = 0;
        for (const QJsonObject &r : rows) {
            const QString key = rowKey(r, "kek");
            QVERIFY2(latest.contains(key), qPrintable(key));
            QCOMPARE(r.value(QStringLiteral("latestVersion")).toInt(), latest.value(key).first);
            const qint64 ts = qint64(r.value(QStringLiteral("ts")).toDouble());
            QCOMPARE(ts, latest.value(key).second);
            const int days = expiryFor(r.value(QStringLiteral("subject")).toString(),
                                       r.value(QStringLiteral("kek")).toString());
            const QString status = r.value(QStringLiteral("status")).toString();
            const int rank = int(order.indexOf(status));
            QVERIFY2(rank >= lastRank, qPrintable(key + QStringLiteral(" out of order")));
            lastRank = rank;
            if (days == 0) {
                QCOMPARE(status, QStringLiteral("no-rotation"));
                QVERIFY(r.value(QStringLiteral("dueAt")).isNull());
                continue;
            }
            QCOMPARE(r.value(QStringLiteral("expiryDays")).toInt(), days);
            const qint64 due = qint64(r.value(QStringLiteral("dueAt")).toDouble());
            QCOMPARE(due, ts + days * Day);
            // Statuses that the moment of the run cannot change.
            if (due <= before)
                QCOMPARE(status, QStringLiteral("overdue"));
            else if (due > after && due - after <= 30 * Day)
                QCOMPARE(status, QStringLiteral("due-soon"));
            else if (due - before > 30 * Day)
                QCOMPARE(status, QStringLiteral("ok"));
            const double limit = r.value(QStringLiteral("limit")).toDouble();
            QCOMPARE(limit,
                     r.value(QStringLiteral("algorithm")).toString().endsWith(QLatin1String("SIV"))
                         ? 281474976710656.0
                         : 4294967296.0);
        }
        // The demo estate has traffic that stopped: some DEKs are overdue.
        QVERIFY(statusCounts(rows).value(QStringLiteral("overdue")) > 0);
    }

    void encryptionsComeFromTheCensus()
    {
        const QList<QJsonObject> none = schedule({}, true);
        for (const QJsonObject &r : none)
            QCOMPARE(r.value(QStringLiteral("encryptions")).toDouble(), 0.0);

        const ProcessRun census =
            cli({QStringLiteral("census"), QStringLiteral("--state"),
                 m_dir.filePath(QStringLiteral("census")), QStringLiteral("--topic"),
                 QStringLiteral("payroll"), QStringLiteral("--topic"), QStringLiteral("transfers"),
                 QStringLiteral("--format"), QStringLiteral("json")},
                true);
        QVERIFY2(census.exitCode == 0, census.err.constData());
        QMap<QString, double> counted; // kek/subject/algorithm/version -> encryptions
        for (const QJsonObject &d : jsonLines(census.out)) {
            if (d.value(QStringLiteral("type")) == QLatin1String("dek"))
                counted.insert(rowKey(d, "kek") + QLatin1Char('/') +
                                   QString::number(d.value(QStringLiteral("version")).toInt()),
                               d.value(QStringLiteral("encryptions")).toDouble());
        }
        QVERIFY(!counted.isEmpty());
        int matched = 0;
        for (const QJsonObject &r : schedule({}, true)) {
            const QString key = rowKey(r, "kek") + QLatin1Char('/') +
                                QString::number(r.value(QStringLiteral("latestVersion")).toInt());
            QCOMPARE(r.value(QStringLiteral("encryptions")).toDouble(), counted.value(key));
            if (counted.value(key) > 0) {
                ++matched;
                QCOMPARE(r.value(QStringLiteral("limitShare")).toDouble(),
                         counted.value(key) / r.value(QStringLiteral("limit")).toDouble());
            }
        }
        QVERIFY(matched >= 2); // payroll's and transfers' DEKs
        // Without --bootstrap every census in the folder counts: the same figures here.
        const auto encryptions = [](const QList<QJsonObject> &rows) {
            QMap<QString, double> e;
            for (const QJsonObject &r : rows)
                e.insert(rowKey(r, "kek"), r.value(QStringLiteral("encryptions")).toDouble());
            return e;
        };
        QCOMPARE(encryptions(schedule()), encryptions(schedule({}, true)));
    }

    void policyChangesTheOutcome()
    {
        const QMap<QString, int> usual = statusCounts(schedule());
        const QString path = m_dir.filePath(QStringLiteral("policy.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"dueSoonDays": 400, "limits": {"AES256_GCM": 100}})");
        file.close();
        const QList<QJsonObject> rows = schedule({QStringLiteral("--policy"), path});
        const QMap<QString, int> wide = statusCounts(rows);
        // Every ok row is now due soon (no rule here rotates later than 400 days); rows without
        // rotation stay. (Sums, so a due date passing between the two runs changes nothing.)
        QCOMPARE(wide.value(QStringLiteral("ok")), 0);
        QCOMPARE(wide.value(QStringLiteral("due-soon")) + wide.value(QStringLiteral("overdue")),
                 usual.value(QStringLiteral("due-soon")) + usual.value(QStringLiteral("ok")) +
                     usual.value(QStringLiteral("overdue")));
        QVERIFY(wide.value(QStringLiteral("due-soon")) > usual.value(QStringLiteral("due-soon")));
        QCOMPARE(wide.value(QStringLiteral("no-rotation")),
                 usual.value(QStringLiteral("no-rotation")));
        bool nearLimit = false;
        for (const QJsonObject &r : rows) {
            if (r.value(QStringLiteral("algorithm")) == QLatin1String("AES256_GCM"))
                QCOMPARE(r.value(QStringLiteral("limit")).toDouble(), 100.0);
            nearLimit = nearLimit || r.value(QStringLiteral("warnings"))
                                         .toArray()
                                         .contains(QStringLiteral("near-limit"));
        }
        QVERIFY(nearLimit); // payroll and transfers encrypted far more than 50

        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(R"({"dueSoon": 10})");
        file.close();
        const ProcessRun bad = cli({QStringLiteral("schedule"), QStringLiteral("--policy"), path});
        QCOMPARE(bad.exitCode, 65);
        QVERIFY2(bad.errText().contains(QStringLiteral("'dueSoon'")), bad.err.constData());
        QVERIFY(bad.out.isEmpty());
    }

    void tableSaysTheSame()
    {
        const QMap<QString, int> counts = statusCounts(schedule());
        const ProcessRun run = cli({QStringLiteral("schedule"), QStringLiteral("--state"),
                                    m_dir.filePath(QStringLiteral("census"))});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        // A due date that passed between the runs would change the counts: compare only when
        // the JSON before and after agree (they do, unless a due date falls in that second).
        if (statusCounts(schedule()) != counts)
            QSKIP("a due date passed during the test; the counts moved");
        const QString expected =
            QStringLiteral("%1 DEKs: %2 overdue, %3 due soon, %4 without rotation")
                .arg(counts.value(QStringLiteral("overdue")) +
                     counts.value(QStringLiteral("due-soon")) + counts.value(QStringLiteral("ok")) +
                     counts.value(QStringLiteral("no-rotation")))
                .arg(counts.value(QStringLiteral("overdue")))
                .arg(counts.value(QStringLiteral("due-soon")))
                .arg(counts.value(QStringLiteral("no-rotation")));
        QVERIFY2(run.out.contains(expected.toUtf8()), run.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliSchedule)
#include "tst_cli_schedule.moc"
