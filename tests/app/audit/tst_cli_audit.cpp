// keywarden-cli's audit log as a user meets it, against a running keywarden-sandbox: --reveal
// writes keyed entries whose key and head live in the keychain, `audit verify` finds the
// forgeries an attacker with write access to the file can make (and a truncated or deleted
// file), a --reveal on such a log exits 1 and writes nothing, 20 parallel reveals all succeed
// in one chain, and the files are private whatever the umask.
//
// Runs twice (see CMakeLists.txt): KEYWARDEN_TEST_KEYCHAIN=secret-service under a private
// D-Bus session with gnome-keyring (the keyed path, a real Secret Service), and
// KEYWARDEN_TEST_KEYCHAIN=none with no session bus (the unkeyed fallback). Each run checks it
// got the keychain it expects, so neither can pass by silently running the other.

#include "support/auditforgery.h"
#include "support/cliprocess.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <sys/stat.h>

using kw::audit::testing::Forgery;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QString err;
};

int modeOf(const QString &path)
{
    struct stat st
    {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
}

qint64 rowCount(const QString &path)
{
    if (!QFile::exists(path))
        return -1;
    qint64 n = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("n"));
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("SELECT COUNT(*) FROM audit_entries")) && q.next())
                n = q.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("n"));
    return n;
}

} // namespace

class TestCliAudit : public QObject
{
    Q_OBJECT

private:
    kw::testing::SandboxProcess m_sandbox;
    bool m_keyed = false;

    // One installation: its own data and config folders (the keychain is the session's).
    struct Home
    {
        QTemporaryDir dir;
        QString data() const { return dir.filePath(QStringLiteral("data")); }
        QString config() const { return dir.filePath(QStringLiteral("config")); }
        QString log() const { return data() + QStringLiteral("/Keywarden/Keywarden/audit.sqlite"); }
    };

    QProcess *start(const Home &home, QStringList args, int umask = -1)
    {
        auto *p = new QProcess;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.data());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.config());
        env.insert(QStringLiteral("LOCAL_SECRET"), m_sandbox.localSecret());
        p->setProcessEnvironment(env);
        if (umask >= 0) {
            args.prepend(QStringLiteral(KEYWARDEN_CLI));
            args.prepend(
                QStringLiteral("umask %1; exec \"$0\" \"$@\"").arg(umask, 3, 8, QLatin1Char('0')));
            args.prepend(QStringLiteral("-c"));
            p->start(QStringLiteral("/bin/sh"), args);
        } else {
            p->start(QStringLiteral(KEYWARDEN_CLI), args);
        }
        return p;
    }

    static Run finish(QProcess *p)
    {
        std::unique_ptr<QProcess> owned(p);
        const kw::testing::ProcessRun run = kw::testing::finishProcess(*p);
        return Run{run.exitCode, run.out, run.errText()};
    }

    Run cli(const Home &home, const QStringList &args, int umask = -1)
    {
        return finish(start(home, args, umask));
    }

    QStringList revealArgs() const
    {
        return {QStringLiteral("records"),    QStringLiteral("--registry"),
                m_sandbox.registryUrl(),      QStringLiteral("--bootstrap"),
                m_sandbox.bootstrapServers(), QStringLiteral("--topic"),
                QStringLiteral("customers"),  QStringLiteral("--limit"),
                QStringLiteral("3"),          QStringLiteral("--format"),
                QStringLiteral("json"),       QStringLiteral("--reveal")};
    }

    QJsonObject verifyJson(const Home &home, int expectedExit)
    {
        const Run r = cli(home, {QStringLiteral("audit"), QStringLiteral("verify"),
                                 QStringLiteral("--format"), QStringLiteral("json")});
        if (r.exitCode != expectedExit)
            qWarning() << "audit verify exited" << r.exitCode << r.out << r.err;
        return QJsonDocument::fromJson(r.out).object();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QByteArray keychain = qgetenv("KEYWARDEN_TEST_KEYCHAIN");
        QVERIFY2(keychain == "secret-service" || keychain == "none",
                 "set KEYWARDEN_TEST_KEYCHAIN to secret-service or none (see CMakeLists.txt)");
        m_keyed = keychain == "secret-service";
        const QString failed = m_sandbox.start(QStringLiteral(KEYWARDEN_SANDBOX));
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
    }

    void cleanupTestCase() { m_sandbox.stop(); }

    void revealIsAuditedKeyedOrSaysUnkeyed()
    {
        Home home;
        const Run reveal = cli(home, revealArgs());
        QVERIFY2(reveal.exitCode == 0, qPrintable(reveal.err));
        QCOMPARE(reveal.out.count('\n'), 3);
        // Without a keychain the CLI says the log is unkeyed; with one it is quiet about it.
        QCOMPARE(reveal.err.contains(QLatin1String("unkeyed")), !m_keyed);

        const Run table = cli(home, {QStringLiteral("audit"), QStringLiteral("verify")});
        QVERIFY2(table.exitCode == 0, table.out.constData());
        const QString text = QString::fromUtf8(table.out);
        QVERIFY2(text.contains(m_keyed ? QLatin1String("Chain:      keyed (HMAC-SHA-256")
                                       : QLatin1String("Chain:      unkeyed")),
                 qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("Result:     OK")), qPrintable(text));

        const QJsonObject json = verifyJson(home, 0);
        QCOMPARE(json.value(QStringLiteral("ok")).toBool(), true);
        QCOMPARE(json.value(QStringLiteral("keyed")).toBool(), m_keyed);
        QCOMPARE(json.value(QStringLiteral("entries")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("path")).toString(), home.log());
    }

    void forgeriesAreFound_data()
    {
        QTest::addColumn<int>("forgery");
        QTest::addColumn<qint64>("at");
        QTest::addColumn<QString>("named");
        // -1: the whole file deleted.
        QTest::newRow("edited row, SHA-256 recomputed")
            << int(Forgery::EditRow) << qint64(3) << QStringLiteral("BROKEN at entry #3:");
        QTest::newRow("deleted row, links recomputed")
            << int(Forgery::DeleteRow) << qint64(3) << QStringLiteral("BROKEN at entry #4:");
        QTest::newRow("newest rows deleted")
            << int(Forgery::DeleteNewest) << qint64(4) << QStringLiteral("BROKEN at entry #4:");
        QTest::newRow("file deleted") << -1 << qint64(0) << QStringLiteral("was deleted");
    }

    void forgeriesAreFound()
    {
        QFETCH(int, forgery);
        QFETCH(qint64, at);
        QFETCH(QString, named);
        Home home;
        for (int i = 0; i < 5; ++i)
            QCOMPARE(cli(home, revealArgs()).exitCode, 0);
        QCOMPARE(rowCount(home.log()), 5);
        if (forgery < 0) {
            for (const QString &suffix :
                 {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
                QFile::remove(home.log() + suffix);
        } else {
            const QString failure = kw::audit::testing::forge(home.log(), Forgery(forgery), at);
            QVERIFY2(failure.isEmpty(), qPrintable(failure));
        }
        const qint64 rows = rowCount(home.log());

        const Run verify = cli(home, {QStringLiteral("audit"), QStringLiteral("verify")});
        const QString text = QString::fromUtf8(verify.out);
        if (!m_keyed) {
            // What the unkeyed fallback cannot see, and says so.
            QVERIFY2(text.contains(QLatin1String("unkeyed")), qPrintable(text));
            return;
        }
        QVERIFY2(verify.exitCode == 1, qPrintable(text + verify.err));
        QVERIFY2(text.contains(named), qPrintable(text));

        // --reveal on it: exit 1, nothing printed, nothing written.
        const Run reveal = cli(home, revealArgs());
        QCOMPARE(reveal.exitCode, 1);
        QVERIFY(reveal.out.isEmpty());
        QVERIFY2(reveal.err.contains(QLatin1String("--reveal was refused")) &&
                     reveal.err.contains(QLatin1String("does not verify")) &&
                     reveal.err.contains(QLatin1String("audit verify")),
                 qPrintable(reveal.err));
        QCOMPARE(rowCount(home.log()), rows); // -1 for the deleted file: not recreated either
        QCOMPARE(cli(home, {QStringLiteral("audit"), QStringLiteral("verify")}).exitCode, 1);
    }

    // list pages newest first with filters; export writes the entries whole, privately, as
    // CSV or JSON lines; an anchor holds until the newest entry it covered is deleted, which
    // verify --anchor finds with or without a keychain.
    void listExportAndAnchor()
    {
        Home home;
        const QString audit = QStringLiteral("audit");
        const Run none = cli(home, {audit, QStringLiteral("list")});
        QCOMPARE(none.exitCode, 1);
        QVERIFY2(none.err.contains(QLatin1String("there is no audit log")), qPrintable(none.err));
        for (int i = 0; i < 4; ++i)
            QCOMPARE(cli(home, revealArgs()).exitCode, 0);

        const Run json =
            cli(home, {audit, QStringLiteral("list"), QStringLiteral("--limit"),
                       QStringLiteral("3"), QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(json.exitCode == 0, qPrintable(json.err));
        const QList<QByteArray> lines = json.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QList<qint64> ids;
        for (const QByteArray &line : lines) {
            const QJsonObject entry = QJsonDocument::fromJson(line).object();
            QCOMPARE(entry.value(QStringLiteral("action")).toString(),
                     QStringLiteral("record.reveal"));
            QCOMPARE(entry.value(QStringLiteral("topic")).toString(), QStringLiteral("customers"));
            ids << entry.value(QStringLiteral("id")).toInteger();
        }
        QCOMPARE(ids, (QList<qint64>{4, 3, 2}));
        const Run page =
            cli(home, {audit, QStringLiteral("list"), QStringLiteral("--limit"),
                       QStringLiteral("3"), QStringLiteral("--offset"), QStringLiteral("3")});
        QVERIFY2(page.out.contains("1 of 4 matching entries, newest first (4-4)."),
                 page.out.constData());
        const Run nobody = cli(home, {audit, QStringLiteral("list"), QStringLiteral("--actor"),
                                      QStringLiteral("nobody-at-all")});
        QVERIFY2(nobody.out.contains("0 of 0 matching entries"), nobody.out.constData());
        const Run badDate = cli(home, {audit, QStringLiteral("list"), QStringLiteral("--since"),
                                       QStringLiteral("yesterday")});
        QCOMPARE(badDate.exitCode, 64);
        QVERIFY2(badDate.err.contains(QLatin1String("--since 'yesterday' is not a date")),
                 qPrintable(badDate.err));

        const QString csv = home.dir.filePath(QStringLiteral("audit.csv"));
        const Run exported = cli(home, {audit, QStringLiteral("export"), QStringLiteral("--format"),
                                        QStringLiteral("csv"), QStringLiteral("-o"), csv});
        QVERIFY2(exported.exitCode == 0, qPrintable(exported.err));
        QVERIFY2(exported.err.contains(QLatin1String("wrote 4 audit entries")),
                 qPrintable(exported.err));
        QCOMPARE(modeOf(csv), 0600);
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QByteArray csvBytes = csvFile.readAll();
        QVERIFY(csvBytes.startsWith("id,time,actor,action,"));
        QCOMPARE(csvBytes.count("\r\n"), 5);
        const Run toStdout =
            cli(home, {audit, QStringLiteral("export"), QStringLiteral("-o"), QStringLiteral("-"),
                       QStringLiteral("--since"), QStringLiteral("2000-01-01")});
        QVERIFY2(toStdout.exitCode == 0, qPrintable(toStdout.err));
        QCOMPARE(toStdout.out.count('\n'), 4);
        QVERIFY(QJsonDocument::fromJson(toStdout.out.split('\n').first()).isObject());

        const QString anchor = home.dir.filePath(QStringLiteral("anchor.json"));
        const Run anchored =
            cli(home, {audit, QStringLiteral("anchor"), QStringLiteral("-o"), anchor});
        QVERIFY2(anchored.exitCode == 0, qPrintable(anchored.err));
        QVERIFY2(anchored.err.contains(QLatin1String("for 4 entries (up to #4)")),
                 qPrintable(anchored.err));
        const QStringList verifyAnchor = {audit, QStringLiteral("verify"),
                                          QStringLiteral("--anchor"), anchor};
        const Run holds = cli(home, verifyAnchor);
        QVERIFY2(holds.exitCode == 0, holds.out.constData());
        QVERIFY2(holds.out.contains("Anchor:     OK"), holds.out.constData());

        QCOMPARE(kw::audit::testing::forge(home.log(), Forgery::DeleteNewest, 4), QString());
        const Run broken = cli(home, verifyAnchor);
        QCOMPARE(broken.exitCode, 1);
        QVERIFY2(broken.out.contains("Anchor:     BROKEN") &&
                     broken.out.contains("the newest 1 of those the anchor covered were deleted"),
                 broken.out.constData());
        QStringList asJson = verifyAnchor;
        asJson << QStringLiteral("--format") << QStringLiteral("json");
        const QJsonObject brokenJson = QJsonDocument::fromJson(cli(home, asJson).out).object();
        QCOMPARE(brokenJson.value(QStringLiteral("ok")).toBool(), false);
        QCOMPARE(brokenJson.value(QStringLiteral("anchor"))
                     .toObject()
                     .value(QStringLiteral("error"))
                     .toObject()
                     .value(QStringLiteral("code"))
                     .toString(),
                 QStringLiteral("audit.anchor_mismatch"));

        const Run unreadable =
            cli(home, {audit, QStringLiteral("verify"), QStringLiteral("--anchor"), csv});
        QCOMPARE(unreadable.exitCode, 65);
        QVERIFY2(unreadable.err.contains(QLatin1String("holds no audit anchor")),
                 qPrintable(unreadable.err));
    }

    void parallelRevealsAllSucceedInOneChain()
    {
        Home home;
        constexpr int kRuns = 20;
        QList<QProcess *> running;
        for (int i = 0; i < kRuns; ++i)
            running.append(start(home, revealArgs()));
        int succeeded = 0;
        QStringList failures;
        for (QProcess *p : std::as_const(running)) {
            const Run r = finish(p);
            if (r.exitCode == 0 && r.out.count('\n') == 3)
                ++succeeded;
            else
                failures << QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err);
        }
        QVERIFY2(succeeded == kRuns, qPrintable(failures.join(QLatin1Char('\n'))));
        const QJsonObject json = verifyJson(home, 0);
        QCOMPARE(json.value(QStringLiteral("ok")).toBool(), true);
        QCOMPARE(json.value(QStringLiteral("entries")).toInt(), kRuns);
        QCOMPARE(json.value(QStringLiteral("keyedEntries")).toInt(), m_keyed ? kRuns : 0);
        QCOMPARE(rowCount(home.log()), kRuns);
    }

    void foldersAndLogArePrivateUnderUmask000()
    {
        Home home;
        const Run reveal = cli(home, revealArgs(), 0);
        QVERIFY2(reveal.exitCode == 0, qPrintable(reveal.err));
        QCOMPARE(modeOf(home.config() + QStringLiteral("/Keywarden")), 0700);
        QCOMPARE(modeOf(home.data() + QStringLiteral("/Keywarden")), 0700);
        QCOMPARE(modeOf(home.data() + QStringLiteral("/Keywarden/Keywarden")), 0700);
        QCOMPARE(modeOf(home.log()), 0600);
    }
};

QTEST_GUILESS_MAIN(TestCliAudit)
#include "tst_cli_audit.moc"
