// Tests for AuditLog: the keyed chain with its key and head in a vault (MemoryAuditVault here;
// the CLI tests use the real Secret Service), verification on open, forgeries an attacker with
// write access to the file can make, the one-time migration of unkeyed logs, acknowledgement,
// and the unkeyed fallback without a keychain.

#include "core/audit/auditlog.h"
#include "support/auditentries.h"
#include "support/auditforgery.h"

#include <QFile>
#include <QJsonArray>
#include <QMutex>
#include <QPair>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace kw;
using namespace kw::audit;
using kw::audit::testing::await;
using kw::audit::testing::Forgery;
using kw::audit::testing::reveal;

namespace {

// Rows in the file, read without the store (which might refuse).
qint64 rowCount(const QString &path)
{
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

class TestAuditLog : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<AuditLog> open(const QString &path, std::shared_ptr<AuditVault> vault,
                                   AuditLog::Mode mode = AuditLog::Mode::Append)
    {
        AuditLog::Options options;
        options.path = path;
        options.actor = QStringLiteral("alice");
        options.mode = mode;
        auto log = await(AuditLog::open(options, std::move(vault)));
        if (!log) {
            qWarning() << log.error().message;
            return {};
        }
        return *log;
    }

    // A keyed log with `n` reveals in it.
    std::shared_ptr<AuditLog> filled(const QString &path,
                                     const std::shared_ptr<MemoryAuditVault> &vault, int n)
    {
        auto log = open(path, vault);
        if (!log)
            return {};
        for (int i = 1; i <= n; ++i) {
            auto written = await(log->append(reveal(i)));
            if (!written) {
                qWarning() << written.error().message;
                return {};
            }
        }
        return log;
    }

private Q_SLOTS:
    void firstUseCreatesKeyAndHead()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.sqlite"));
        auto vault = std::make_shared<MemoryAuditVault>();
        auto log = filled(path, vault, 2);
        QVERIFY(log);
        QVERIFY(log->isKeyed());
        QVERIFY(log->keyingDescription().startsWith(QLatin1String("keyed")));
        const QByteArray key = vault->value(AuditLog::keyName());
        QCOMPARE(key.size(), 32);
        auto entries = log->store()->entries();
        QCOMPARE(entries->size(), 2);
        const AuditEntry &second = entries->at(1);
        QCOMPARE(second.version, 2);
        QCOMPARE(second.hash, second.computeMac(key));
        QVERIFY(second.hash != second.computeHash()); // not plain SHA-256
        const auto head = AuditHead::fromJson(vault->value(AuditLog::headName(path)));
        QVERIFY(head);
        QCOMPARE(*head, (AuditHead{second.id, second.hash, 2}));
        // Reopening verifies and appends to the same chain.
        log.reset();
        auto again = open(path, vault);
        QVERIFY(again && !again->problem());
        auto third = await(again->append(reveal(3)));
        QVERIFY2(third, qPrintable(third.error().message));
        QCOMPARE(third->previousHash, second.hash);
    }

    void forgeriesAreFoundAndNothingIsAppended_data()
    {
        QTest::addColumn<int>("forgery");
        QTest::addColumn<qint64>("at");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("named");
        QTest::newRow("edited row, every later SHA-256 recomputed")
            << int(Forgery::EditRow) << qint64(3) << QString(ErrorChainBroken)
            << QStringLiteral("#3 ");
        QTest::newRow("deleted row, links recomputed")
            << int(Forgery::DeleteRow) << qint64(3) << QString(ErrorChainBroken)
            << QStringLiteral("#4 ");
        QTest::newRow("newest rows deleted")
            << int(Forgery::DeleteNewest) << qint64(4) << QString(ErrorHeadMismatch)
            << QStringLiteral("from #4 on");
        QTest::newRow("whole chain rewritten unkeyed")
            << int(Forgery::DowngradeAll) << qint64(1) << QString(ErrorHeadMismatch)
            << QStringLiteral("#5 ");
    }

    void forgeriesAreFoundAndNothingIsAppended()
    {
        QFETCH(int, forgery);
        QFETCH(qint64, at);
        QFETCH(QString, code);
        QFETCH(QString, named);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("f.sqlite"));
        auto vault = std::make_shared<MemoryAuditVault>();
        QVERIFY(filled(path, vault, 5));
        const QString failure = testing::forge(path, Forgery(forgery), at);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        // The forged file is still a chain of correct SHA-256 links...
        const qint64 rows = rowCount(path);
        auto log = open(path, vault);
        QVERIFY(log);
        const auto &problem = log->problem();
        QVERIFY(problem);
        QCOMPARE(problem->code, code);
        QVERIFY2(problem->message.contains(named), qPrintable(problem->message));
        QVERIFY2(problem->message.contains(QLatin1String("acknowledge")),
                 qPrintable(problem->message));
        // ...and nothing is appended to it.
        auto refused = await(log->append(reveal(99)));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, QString(ErrorNotVerified));
        QCOMPARE(rowCount(path), rows);
        // verify() sees the same.
        auto verdict = await(log->verify());
        QVERIFY(verdict);
        QVERIFY(!verdict->ok());
    }

    void deletedFileIsFoundAndNotRecreated()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("d.sqlite"));
        auto vault = std::make_shared<MemoryAuditVault>();
        QVERIFY(filled(path, vault, 3));
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
            QFile::remove(path + suffix);
        auto log = open(path, vault);
        QVERIFY(log);
        QVERIFY(log->problem());
        QCOMPARE(log->problem()->code, QString(ErrorLogDeleted));
        QVERIFY(!await(log->append(reveal(1))));
        QVERIFY(!QFile::exists(path)); // no new, silent log

        // The admin acknowledges: a new file whose first entry links to the lost head.
        const auto lostHead = AuditHead::fromJson(vault->value(AuditLog::headName(path)));
        auto ack = await(log->acknowledge());
        QVERIFY2(ack, qPrintable(ack.error().message));
        QCOMPARE(ack->action, QString(ActionAuditAcknowledge));
        QCOMPARE(ack->previousHash, lostHead->lastMac);
        QCOMPARE(ack->details.value(QStringLiteral("problem")).toString(),
                 QString(ErrorLogDeleted));
        QVERIFY(!log->problem());
        QVERIFY(await(log->append(reveal(2))));
        log.reset();
        auto reopened = open(path, vault);
        QVERIFY(reopened && !reopened->problem());
        QCOMPARE(reopened->report().entries, 2);
        QCOMPARE(reopened->report().acknowledgements, 1);
    }

    void acknowledgementStartsALinkedSegment()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("k.sqlite"));
        auto vault = std::make_shared<MemoryAuditVault>();
        QVERIFY(filled(path, vault, 5));
        QVERIFY(testing::forge(path, Forgery::EditRow, 2).isEmpty());
        auto log = open(path, vault);
        QVERIFY(log && log->problem());
        auto ack = await(log->acknowledge());
        QVERIFY2(ack, qPrintable(ack.error().message));
        QCOMPARE(ack->id, 6);
        QCOMPARE(ack->details.value(QStringLiteral("brokenEntry")).toInteger(), 2);
        QCOMPARE(ack->details.value(QStringLiteral("entriesBefore")).toInteger(), 5);
        QCOMPARE(ack->version, 2);
        QVERIFY(!log->problem());
        QVERIFY(await(log->append(reveal(7))));
        auto report = await(log->verify());
        QVERIFY(report && report->ok());
        // Nothing to acknowledge now.
        QVERIFY(!await(log->acknowledge()));
        log.reset();

        // The acknowledged part cannot be changed afterwards: the acknowledgement's digest
        // covers it.
        QVERIFY(testing::forge(path, Forgery::EditRow, 4).isEmpty());
        auto later = open(path, vault);
        QVERIFY(later && later->problem());
    }

    void unkeyedLogIsMigratedOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.sqlite"));
        {
            auto old = AuditStore::open({.path = path, .clock = nullptr, .actor = {}, .key = {}});
            QVERIFY(old);
            for (int i = 0; i < 3; ++i)
                QVERIFY((*old)->append(reveal(i)));
        }
        auto vault = std::make_shared<MemoryAuditVault>();
        auto log = open(path, vault);
        QVERIFY(log);
        QVERIFY2(!log->problem(), qPrintable(log->problem().value_or(Error{}).message));
        auto entries = log->store()->entries();
        QCOMPARE(entries->size(), 4);
        const AuditEntry &migration = entries->last();
        QCOMPARE(migration.action, QString(ActionAuditMigrate));
        QCOMPARE(migration.version, 2);
        QCOMPARE(migration.details.value(QStringLiteral("entriesBefore")).toInteger(), 3);
        QCOMPARE(entries->at(0).version, 1); // old entries verify as before
        log.reset();
        auto again = open(path, vault);
        QVERIFY(again && !again->problem());
        QCOMPARE(again->store()->entries()->size(), 4); // once
        QCOMPARE(again->report().legacyEntries, 3);
        QCOMPARE(again->report().keyedEntries, 1);
    }

    void noKeychainFallsBackUnkeyed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("u.sqlite"));
        auto vault = std::make_shared<MemoryAuditVault>();
        vault->setAvailable(false);
        auto log = open(path, vault);
        QVERIFY(log);
        QVERIFY(!log->isKeyed());
        QVERIFY(!log->problem());
        QVERIFY(log->keyingDescription().startsWith(QLatin1String("unkeyed")));
        auto written = await(log->append(reveal(1)));
        QVERIFY(written);
        QCOMPARE(written->version, 1);
        QCOMPARE(written->hash, written->computeHash());
        log.reset();

        // Once keyed, a log is not written unkeyed when the keychain is away.
        QTemporaryDir keyedDir;
        const QString keyedPath = keyedDir.filePath(QStringLiteral("k.sqlite"));
        auto keyedVault = std::make_shared<MemoryAuditVault>();
        QVERIFY(filled(keyedPath, keyedVault, 2));
        keyedVault->setAvailable(false);
        auto away = open(keyedPath, keyedVault);
        QVERIFY(away);
        QVERIFY(away->problem());
        QCOMPARE(away->problem()->code, QString(ErrorKeyMissing));
        QVERIFY(!await(away->append(reveal(3))));
        QCOMPARE(rowCount(keyedPath), 2);
    }

    void verifyWithProgressWalksOffThisThread()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.sqlite"));
        auto vault = std::make_shared<MemoryAuditVault>();
        auto log = filled(path, vault, 5);
        QVERIFY(log);
        struct Seen
        {
            QMutex mutex;
            QList<QPair<qint64, qint64>> calls;
            bool onThisThread = false;
        };
        auto seen = std::make_shared<Seen>();
        QThread *const here = QThread::currentThread();
        const auto listen = [seen, here](qint64 done, qint64 total) {
            QMutexLocker lock(&seen->mutex);
            seen->calls.append({done, total});
            seen->onThisThread = seen->onThisThread || QThread::currentThread() == here;
            return true;
        };
        auto verdict = await(log->verify(listen));
        QVERIFY2(verdict, qPrintable(verdict ? QString() : verdict.error().message));
        QVERIFY(verdict->ok());
        QCOMPARE(verdict->entries, 5);
        QVERIFY(!log->problem());
        {
            QMutexLocker lock(&seen->mutex);
            QVERIFY(!seen->onThisThread);
            QVERIFY(!seen->calls.isEmpty());
            QCOMPARE(seen->calls.last(), (QPair<qint64, qint64>(5, 5)));
        }

        // A broken row is found and becomes the log's problem, as with verify().
        const QString failure = testing::forge(path, Forgery::EditRow, 3);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        auto broken = await(log->verify(listen));
        QVERIFY(broken);
        QVERIFY(!broken->ok());
        QCOMPARE(broken->brokenId, 3);
        QVERIFY(log->problem());
        QCOMPARE(log->problem()->code, QString(ErrorChainBroken));

        // Cancelled: an error, and the last verdict stands.
        auto stopped = await(log->verify([](qint64, qint64) { return false; }));
        QVERIFY(!stopped);
        QCOMPARE(stopped.error().code, QString(ErrorCancelled));
        QVERIFY(log->problem());
        QCOMPARE(log->report().brokenId, 3);
        // Nothing is appended to the broken log meanwhile; the queue still works.
        auto refused = await(log->append(reveal(99)));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, QString(ErrorNotVerified));
    }

    void verifyOnlyChangesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v.sqlite"));
        auto vault = std::make_shared<MemoryAuditVault>();
        auto log = open(path, vault, AuditLog::Mode::VerifyOnly);
        QVERIFY(log);
        QVERIFY(!log->problem());
        QVERIFY(!log->fileExists());
        QVERIFY(!QFile::exists(path));
        QVERIFY(vault->names().isEmpty());
        QVERIFY(log->keyingDescription().startsWith(QLatin1String("unkeyed")));
    }

    void headMovedByAnotherWriterIsNotABreak()
    {
        // Two logs on one file, as two processes: each sees the other's entries through the
        // shared head.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("two.sqlite"));
        auto vault = std::make_shared<MemoryAuditVault>();
        auto first = open(path, vault);
        auto second = open(path, vault);
        QVERIFY(first && second);
        for (int i = 0; i < 5; ++i) {
            QVERIFY(await(first->append(reveal(i))));
            QVERIFY(await(second->append(reveal(i))));
        }
        auto report = await(first->verify());
        QVERIFY(report && report->ok());
        QCOMPARE(report->entries, 10);
    }
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
