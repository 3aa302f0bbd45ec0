// keywarden-cli census --group as a user runs it on several machines: three members of one
// consumer group against one keywarden-sandbox (its mock Kafka cluster speaks the real
// protocol, group coordination included). One member is killed with SIGKILL right after it
// wrote its first batch to the census topic; the other two take over its partitions from what
// it had written, and the totals they print, and the totals read back from the census topic,
// equal a single-process census of the same topics byte for byte.

#include "core/census/censusgroup.h"
#include "core/kafka/kafkaproducer.h"
#include "support/cliprocess.h"

#include <QDeadlineTimer>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <memory>

using kw::testing::jsonLines;
using kw::testing::ProcessRun;

namespace {

// The demo estate's largest topics: 23 partitions, 34,000 records.
const QStringList kTopics{QStringLiteral("customers"), QStringLiteral("card-payments"),
                          QStringLiteral("card-authorizations"), QStringLiteral("accounts"),
                          QStringLiteral("transfers")};

QStringList topicOptions()
{
    QStringList out;
    for (const QString &t : kTopics)
        out << QStringLiteral("--topic") << t;
    return out;
}

} // namespace

class TestCliCensusGroup : public QObject
{
    Q_OBJECT

    kw::testing::SandboxProcess m_sandbox;
    QTemporaryDir m_dir;

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOCAL_SECRET"), m_sandbox.localSecret());
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        // Testing knobs (README): small batches with a pause after each one written, so the
        // scan is still under way when the first batch is reported, however fast the machine.
        env.insert(QStringLiteral("KEYWARDEN_CENSUS_BATCH_SIZE"), QStringLiteral("200"));
        env.insert(QStringLiteral("KEYWARDEN_CENSUS_BATCH_DELAY_MS"), QStringLiteral("50"));
        // The members' progress on stderr: assignments, resumptions, batches written.
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("keywarden.census=true"));
        return env;
    }

    QStringList connection() const
    {
        return {QStringLiteral("--registry"), m_sandbox.registryUrl(),
                QStringLiteral("--bootstrap"), m_sandbox.bootstrapServers()};
    }

    ProcessRun cli(const QStringList &arguments) const
    {
        return kw::testing::runProcess(QStringLiteral(KEYWARDEN_CLI), arguments, environment(),
                                       180000);
    }

    QStringList member(const QString &group) const
    {
        // A killed member's partitions move on after the group's session time-out.
        return QStringList{QStringLiteral("census"),
                           QStringLiteral("--group"),
                           group,
                           QStringLiteral("--format"),
                           QStringLiteral("json"),
                           QStringLiteral("-X"),
                           QStringLiteral("session.timeout.ms=6000"),
                           QStringLiteral("-X"),
                           QStringLiteral("heartbeat.interval.ms=500")} +
               topicOptions() + connection();
    }

    // "topic/partition" -> the greatest offset written by the member whose stderr this is.
    static QMap<QString, qint64> committed(const QByteArray &err)
    {
        static const QRegularExpression line(
            QStringLiteral("committed (\\S+) partition (\\d+) up to offset (\\d+)"));
        QMap<QString, qint64> out;
        for (auto m = line.globalMatch(QString::fromUtf8(err)); m.hasNext();) {
            const auto match = m.next();
            const QString at = match.captured(1) + QLatin1Char('/') + match.captured(2);
            out[at] = std::max(out.value(at), match.captured(3).toLongLong());
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString failed = m_sandbox.start(QStringLiteral(KEYWARDEN_SANDBOX));
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase() { m_sandbox.stop(); }

    void aKilledMemberLosesNothingAndCountsNothingTwice()
    {
        const ProcessRun single =
            cli(QStringList{QStringLiteral("census"), QStringLiteral("--state"),
                            m_dir.filePath(QStringLiteral("single")), QStringLiteral("--format"),
                            QStringLiteral("json")} +
                topicOptions() + connection());
        QVERIFY2(single.exitCode == 0, single.err.constData());
        qint64 total = 0;
        for (const QJsonObject &line : jsonLines(single.out)) {
            if (line.value(QStringLiteral("type")).toString() == QLatin1String("topic"))
                total += qint64(line.value(QStringLiteral("records")).toDouble());
        }
        QCOMPARE(total, 34000);

        const QString group = QStringLiteral("census-test");
        std::array<std::unique_ptr<QProcess>, 3> members;
        std::array<QByteArray, 3> err;
        for (auto &m : members) {
            m = std::make_unique<QProcess>();
            m->setProcessEnvironment(environment());
            m->setReadChannel(QProcess::StandardError);
            m->start(QStringLiteral(KEYWARDEN_CLI), member(group));
            QVERIFY(m->waitForStarted());
        }
        // The first member to report a batch written to the census topic is killed at once,
        // before it can finish its partitions (each holds over 1,000 records, read 200 at a
        // time with a pause after each).
        int victim = -1;
        const QDeadlineTimer guard(120000); // a hang fails here instead of at ctest's time-out
        while (victim < 0 && !guard.hasExpired()) {
            for (int i = 0; i < 3 && victim < 0; ++i) {
                members[i]->waitForReadyRead(20);
                err[i] += members[i]->readAllStandardError();
                if (err[i].contains("keywarden.census: committed "))
                    victim = i;
            }
        }
        QVERIFY2(victim >= 0, "no member wrote a batch");
        members[victim]->kill(); // SIGKILL
        QVERIFY(members[victim]->waitForFinished());
        err[victim] += members[victim]->readAllStandardError();
        QCOMPARE(members[victim]->exitStatus(), QProcess::CrashExit);
        QVERIFY2(!err[victim].contains("every partition counted"), err[victim].constData());
        const QMap<QString, qint64> victimWrote = committed(err[victim]);
        QVERIFY(!victimWrote.isEmpty());

        qint64 readBySurvivors = 0;
        QByteArray survivorsErr;
        for (int i = 0; i < 3; ++i) {
            if (i == victim)
                continue;
            const ProcessRun run = kw::testing::finishProcess(*members[i], 180000);
            err[i] += run.err;
            QVERIFY2(run.exitCode == 0, err[i].constData());
            // The cluster-wide totals, exactly a single process's.
            QCOMPARE(run.out, single.out);
            const QRegularExpressionMatch read =
                QRegularExpression(QStringLiteral("(\\d+) records read by this member"))
                    .match(QString::fromUtf8(err[i]));
            QVERIFY2(read.hasMatch(), err[i].constData());
            readBySurvivors += read.captured(1).toLongLong();
            survivorsErr += err[i];
        }
        // The killed member's partitions were taken over where it had stopped, not from the
        // start: what it wrote was kept, and counted once.
        bool tookOver = false;
        static const QRegularExpression resumed(
            QStringLiteral("resuming (\\S+) partition (\\d+) at offset (\\d+)"));
        for (auto m = resumed.globalMatch(QString::fromUtf8(survivorsErr)); m.hasNext();) {
            const auto match = m.next();
            const QString at = match.captured(1) + QLatin1Char('/') + match.captured(2);
            if (victimWrote.contains(at) && match.captured(3).toLongLong() >= victimWrote[at] &&
                victimWrote[at] > 0)
                tookOver = true;
        }
        QVERIFY2(tookOver, survivorsErr.constData());
        QVERIFY2(readBySurvivors < total, survivorsErr.constData());

        // Anyone reads the same totals from the census topic, without counting.
        const ProcessRun totals =
            cli(QStringList{QStringLiteral("census"), QStringLiteral("--from-census-topic"),
                            QStringLiteral("--format"), QStringLiteral("json")} +
                topicOptions() + connection());
        QVERIFY2(totals.exitCode == 0, totals.err.constData());
        QCOMPARE(totals.out, single.out);

        // A member that lost a partition and writes late ("zombie"), with a lower position
        // and fewer counts: readers keep the record that went furthest.
        kw::kafka::KafkaSettings kafka;
        kafka.bootstrapServers = m_sandbox.bootstrapServers();
        const auto before = kw::census::readCensusTopic(kafka, kw::census::defaultCensusTopic());
        QVERIFY(before);
        const kw::census::PartitionCensus *kept = before->find(kTopics.first(), 0);
        QVERIFY(kept && kept->nextOffset > 100);
        kw::census::PartitionCensus zombie;
        zombie.topic = kept->topic;
        zombie.partition = kept->partition;
        zombie.nextOffset = 100;
        auto producer = kw::kafka::Producer::create(kafka);
        QVERIFY(producer);
        QVERIFY((*producer)->send({{kw::census::defaultCensusTopic(),
                                    kw::census::encodeKey(zombie.topic, zombie.partition),
                                    kw::census::encodeValue(zombie)}}));
        const ProcessRun afterZombie =
            cli(QStringList{QStringLiteral("census"), QStringLiteral("--from-census-topic"),
                            QStringLiteral("--format"), QStringLiteral("json")} +
                topicOptions() + connection());
        QVERIFY2(afterZombie.exitCode == 0, afterZombie.err.constData());
        QCOMPARE(afterZombie.out, single.out);

        // A member started once everything is counted reads nothing and prints the same.
        const ProcessRun again = cli(member(group));
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QVERIFY2(again.err.contains("0 records read by this member"), again.err.constData());
        QCOMPARE(again.out, single.out);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("says");
        QTest::newRow("rescan") << QStringList{QStringLiteral("--group"), QStringLiteral("g"),
                                               QStringLiteral("--rescan")}
                                << QStringLiteral("--census-topic NAME");
        QTest::newRow("state") << QStringList{QStringLiteral("--group"), QStringLiteral("g"),
                                              QStringLiteral("--state"), QStringLiteral("/tmp")}
                               << QStringLiteral("census topic");
        QTest::newRow("census topic alone")
            << QStringList{QStringLiteral("--census-topic"), QStringLiteral("x")}
            << QStringLiteral("--group ID");
        QTest::newRow("group and from")
            << QStringList{QStringLiteral("--group"), QStringLiteral("g"),
                           QStringLiteral("--from-census-topic")}
            << QStringLiteral("leave out --group");
        QTest::newRow("empty group") << QStringList{QStringLiteral("--group"), QStringLiteral(" ")}
                                     << QStringLiteral("consumer group id");
    }

    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, says);
        const ProcessRun run =
            cli(QStringList{QStringLiteral("census")} + arguments + connection());
        QCOMPARE(run.exitCode, 64);
        QVERIFY2(run.errText().contains(says), run.err.constData());
    }

    void aMissingCensusTopicIsNamed()
    {
        const ProcessRun run =
            cli(QStringList{QStringLiteral("census"), QStringLiteral("--from-census-topic"),
                            QStringLiteral("--census-topic"), QStringLiteral("_no_such_census")} +
                connection());
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.errText().contains(QLatin1String("_no_such_census")), run.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliCensusGroup)
#include "tst_cli_census_group.moc"
