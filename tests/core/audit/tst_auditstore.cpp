// Tests for the hash-chained audit log: append/read, chain verification, tamper detection,
// persistence and that no plaintext values reach the file.

#include "core/audit/auditstore.h"

#include <QFile>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace kw;
using namespace kw::audit;

class TestAuditStore : public QObject
{
    Q_OBJECT

private:
    static AuditFilter topicFilter(const QString &topic)
    {
        AuditFilter filter;
        filter.topic = topic;
        return filter;
    }
    static AuditFilter limitFilter(int limit)
    {
        AuditFilter filter;
        filter.limit = limit;
        return filter;
    }
    static AuditFilter sinceFilter(qint64 sinceMs)
    {
        AuditFilter filter;
        filter.sinceMs = sinceMs;
        return filter;
    }

    static AuditEntry reveal(const QString &topic, int partition, qint64 offset,
                             const QStringList &fields)
    {
        AuditEntry entry;
        entry.action = ActionRecordReveal;
        entry.profile = QStringLiteral("demo");
        entry.registryUrl = QStringLiteral("http://127.0.0.1:8081");
        entry.topic = topic;
        entry.partition = partition;
        entry.offset = offset;
        entry.details = {{QStringLiteral("fields"), QJsonArray::fromStringList(fields)}};
        return entry;
    }

    std::shared_ptr<AuditStore> openStore(const QString &path, const Clock *clock = nullptr)
    {
        auto store = AuditStore::open(
            {.path = path, .clock = clock, .actor = QStringLiteral("alice"), .key = {}});
        if (!store) {
            qWarning() << store.error().message;
            return {};
        }
        return *store;
    }

    // Edits the file behind the store's back, as an attacker with file access could.
    static void rawExec(const QString &path, const QStringList &statements)
    {
        {
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery query(db);
            for (const QString &statement : statements)
                QVERIFY2(query.exec(statement), qPrintable(statement));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
    }

private Q_SLOTS:
    void appendAndRead()
    {
        QTemporaryDir dir;
        ManualClock clock(1'700'000'000'000);
        auto store = openStore(dir.filePath(QStringLiteral("a.sqlite")), &clock);
        QVERIFY(store);
        auto first =
            store->append(reveal(QStringLiteral("customers"), 2, 41, {QStringLiteral("ssn")}));
        QVERIFY2(first, qPrintable(first.error().message));
        QCOMPARE(first->id, 1);
        QCOMPARE(first->timeMs, 1'700'000'000'000);
        QCOMPARE(first->actor, QStringLiteral("alice"));
        QCOMPARE(first->previousHash, AuditStore::genesisHash());
        QCOMPARE(first->hash.size(), 64);
        clock.advanceMs(5000);
        auto second = store->append(reveal(QStringLiteral("orders"), 0, 7,
                                           {QStringLiteral("card.number"), QStringLiteral("cvv")}));
        QVERIFY(second);
        QCOMPARE(second->previousHash, first->hash);

        auto all = store->entries();
        QVERIFY(all);
        QCOMPARE(all->size(), 2);
        QCOMPARE(all->at(0).hash, first->hash);
        QCOMPARE(all->at(1).topic, QStringLiteral("orders"));
        QCOMPARE(all->at(1).partition, 0);
        QCOMPARE(all->at(1).offset, 7);
        QCOMPARE(all->at(1).timeMs, 1'700'000'005'000);
        QCOMPARE(all->at(1).details.value(QStringLiteral("fields")).toArray().size(), 2);

        auto byTopic = store->entries(topicFilter(QStringLiteral("customers")));
        QVERIFY(byTopic);
        QCOMPARE(byTopic->size(), 1);
        QCOMPARE(byTopic->first().offset, 41);
        auto newest = store->entries(limitFilter(1));
        QVERIFY(newest);
        QCOMPARE(newest->size(), 1);
        QCOMPARE(newest->first().id, 2);
        auto since = store->entries(sinceFilter(1'700'000'001'000));
        QVERIFY(since);
        QCOMPARE(since->size(), 1);
    }

    void chainVerifies()
    {
        QTemporaryDir dir;
        auto store = openStore(dir.filePath(QStringLiteral("c.sqlite")));
        QVERIFY(store);
        QVERIFY(store->verifyChain()); // empty log
        for (int i = 0; i < 20; ++i)
            QVERIFY(store->append(reveal(QStringLiteral("t"), i % 3, i, {QStringLiteral("f")})));
        const auto ok = store->verifyChain();
        QVERIFY2(ok, qPrintable(ok.error().message));
    }

    void ordinarySqlCannotEdit()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ro.sqlite"));
        auto store = openStore(path);
        QVERIFY(store->append(reveal(QStringLiteral("t"), 0, 1, {QStringLiteral("f")})));
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("ro"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(!query.exec(QStringLiteral("UPDATE audit_entries SET actor = 'mallory'")));
        QVERIFY(!query.exec(QStringLiteral("DELETE FROM audit_entries")));
        query = QSqlQuery();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("ro"));
    }

    void tamperingIsDetected_data()
    {
        QTest::addColumn<QStringList>("statements");
        QTest::addColumn<QString>("brokenId");
        const QString drop = QStringLiteral("DROP TRIGGER audit_no_update");
        const QString dropDelete = QStringLiteral("DROP TRIGGER audit_no_delete");
        QTest::newRow("edited actor")
            << QStringList{drop,
                           QStringLiteral("UPDATE audit_entries SET actor='mallory' WHERE id=3")}
            << QStringLiteral("#3");
        QTest::newRow("edited details")
            << QStringList{drop,
                           QStringLiteral(
                               "UPDATE audit_entries SET details='{\"fields\":[]}' WHERE id=2")}
            << QStringLiteral("#2");
        QTest::newRow("edited offset")
            << QStringList{drop, QStringLiteral("UPDATE audit_entries SET offset_no=99 WHERE id=4")}
            << QStringLiteral("#4");
        QTest::newRow("deleted row")
            << QStringList{dropDelete, QStringLiteral("DELETE FROM audit_entries WHERE id=3")}
            << QStringLiteral("#4");
        QTest::newRow("rehashed row")
            // Recomputing one row's hash is not enough: the next row still links to the old one.
            << QStringList{drop, QStringLiteral("UPDATE audit_entries SET hash='00ff' WHERE id=2")}
            << QStringLiteral("#2");
    }

    void tamperingIsDetected()
    {
        QFETCH(QStringList, statements);
        QFETCH(QString, brokenId);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("t.sqlite"));
        {
            auto store = openStore(path);
            for (int i = 1; i <= 5; ++i)
                QVERIFY(store->append(reveal(QStringLiteral("t"), 0, i, {QStringLiteral("f")})));
            QVERIFY(store->verifyChain());
        }
        rawExec(path, statements);
        auto store = openStore(path);
        const auto verdict = store->verifyChain();
        QVERIFY(!verdict);
        QCOMPARE(verdict.error().code, QString(ErrorChainBroken));
        QVERIFY2(verdict.error().message.contains(QStringLiteral("Audit entry ") + brokenId),
                 qPrintable(verdict.error().message));
    }

    void reopenPersists()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("p.sqlite"));
        QString lastHash;
        {
            auto store = openStore(path);
            QVERIFY(store->append(reveal(QStringLiteral("a"), 0, 1, {QStringLiteral("x")})));
            auto second = store->append(reveal(QStringLiteral("b"), 1, 2, {QStringLiteral("y")}));
            lastHash = second->hash;
        }
        auto store = openStore(path);
        auto all = store->entries();
        QVERIFY(all);
        QCOMPARE(all->size(), 2);
        auto third = store->append(reveal(QStringLiteral("c"), 2, 3, {QStringLiteral("z")}));
        QVERIFY(third);
        QCOMPARE(third->id, 3);
        QCOMPARE(third->previousHash, lastHash);
        QVERIFY(store->verifyChain());
    }

    void defaultPathIsAppData()
    {
        auto store = AuditStore::open({});
        QVERIFY2(store, qPrintable(store.error().message));
        QVERIFY((*store)->path().startsWith(
            QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
        QVERIFY(!(*store)->actor().isEmpty());
    }

    void noPlaintextValuesStored()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("n.sqlite"));
        const QString secret = QStringLiteral("123-45-6789");
        {
            auto store = openStore(path);
            // A caller that tries to log the value is refused...
            AuditEntry bad = reveal(QStringLiteral("customers"), 0, 1, {QStringLiteral("ssn")});
            bad.details.insert(QStringLiteral("value"), secret);
            auto refused = store->append(bad);
            QVERIFY(!refused);
            QCOMPARE(refused.error().code, QString(ErrorPlaintextRejected));
            AuditEntry nested = reveal(QStringLiteral("customers"), 0, 1, {});
            nested.details.insert(QStringLiteral("revealed"),
                                  QJsonObject{{QStringLiteral("Plaintext"), secret}});
            QVERIFY(!store->append(nested));
            // ...and the field-path entry goes in.
            QVERIFY(
                store->append(reveal(QStringLiteral("customers"), 0, 1, {QStringLiteral("ssn")})));
            QCOMPARE(store->entries()->size(), 1);
        }
        QByteArray bytes;
        for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
            QFile file(path + suffix);
            if (file.open(QIODevice::ReadOnly))
                bytes += file.readAll();
        }
        QVERIFY(bytes.contains("ssn"));
        QVERIFY(!bytes.contains(secret.toUtf8()));
    }

    void keyedEntriesAreHmacs()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("k.sqlite"));
        const QByteArray key(32, '\x5a');
        {
            auto store =
                AuditStore::open({.path = path, .clock = nullptr, .actor = {}, .key = key});
            QVERIFY(store);
            QVERIFY((*store)->isKeyed());
            for (int i = 0; i < 3; ++i) {
                auto written = (*store)->append(reveal(QStringLiteral("t"), 0, i, {}));
                QVERIFY(written);
                QCOMPARE(written->version, 2);
                QCOMPARE(written->hash, written->computeMac(key));
            }
            QVERIFY((*store)->verifyChain());
        }
        // Another key, or none, cannot vouch for these entries.
        auto wrongKey = AuditStore::open(
            {.path = path, .clock = nullptr, .actor = {}, .key = QByteArray(32, '\x01')});
        QVERIFY(wrongKey);
        QCOMPARE((*wrongKey)->verifyChain().error().code, QString(ErrorChainBroken));
        auto noKey = AuditStore::open({.path = path, .clock = nullptr, .actor = {}, .key = {}});
        QVERIFY(noKey);
        QCOMPARE((*noKey)->verifyChain().error().code, QString(ErrorKeyMissing));
        // ...and no unkeyed entry is added after keyed ones.
        auto refused = (*noKey)->append(reveal(QStringLiteral("t"), 0, 9, {}));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, QString(ErrorKeyMissing));
    }

    void olderLogsGainTheVersionColumn()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.sqlite"));
        // A log as the previous version wrote it: no version column, format 1 entries.
        AuditEntry entry = reveal(QStringLiteral("t"), 0, 1, {QStringLiteral("f")});
        entry.timeMs = 1000;
        entry.actor = QStringLiteral("bob");
        entry.previousHash = AuditStore::genesisHash();
        entry.hash = entry.computeHash();
        rawExec(path, {QStringLiteral(
                           "CREATE TABLE audit_entries (id INTEGER PRIMARY KEY, time_ms INTEGER "
                           "NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, profile TEXT NOT "
                           "NULL, registry_url TEXT NOT NULL, topic TEXT NOT NULL, partition_no "
                           "INTEGER NOT NULL, offset_no INTEGER NOT NULL, object TEXT NOT NULL, "
                           "details TEXT NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT "
                           "NULL)"),
                       QStringLiteral("INSERT INTO audit_entries VALUES (1, 1000, 'bob', '%1', "
                                      "'demo', 'http://127.0.0.1:8081', 't', 0, 1, '', "
                                      "'{\"fields\":[\"f\"]}', '%2', '%3')")
                           .arg(entry.action, entry.previousHash, entry.hash)});
        auto store = openStore(path);
        QVERIFY(store);
        const auto ok = store->verifyChain();
        QVERIFY2(ok, qPrintable(ok.error().message));
        QCOMPARE(store->entries()->first().version, 1);
    }

    void actorIsTheOsAccountNotTheEnvironment()
    {
        const QByteArray saved = qgetenv("USER");
        qputenv("USER", "mallory-from-env");
        const QString actor = AuditStore::osUserName();
        qputenv("USER", saved);
        const passwd *pw = ::getpwuid(::geteuid());
        QCOMPARE(actor, pw ? QString::fromLocal8Bit(pw->pw_name) : QString::number(::geteuid()));
        QVERIFY(actor != QLatin1String("mallory-from-env"));
    }

    void filesArePrivateWhateverTheUmask_data()
    {
        QTest::addColumn<int>("mask");
        QTest::newRow("umask 000") << 0;
        QTest::newRow("umask 022") << 022;
    }

    void filesArePrivateWhateverTheUmask()
    {
        QFETCH(int, mask);
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("data/Keywarden"));
        const QString path = folder + QStringLiteral("/audit.sqlite");
        const mode_t previous = ::umask(mode_t(mask));
        {
            auto store = openStore(path);
            QVERIFY(store);
            QVERIFY(store->append(reveal(QStringLiteral("t"), 0, 1, {QStringLiteral("f")})));
            const auto modeOf = [](const QString &p) {
                struct stat st
                {};
                return ::stat(QFile::encodeName(p).constData(), &st) == 0 ? int(st.st_mode & 0777)
                                                                          : -1;
            };
            ::umask(previous);
            QCOMPARE(modeOf(folder), 0700);
            QCOMPARE(modeOf(dir.filePath(QStringLiteral("data"))), 0700);
            QCOMPARE(modeOf(path), 0600);
            QCOMPARE(modeOf(path + QStringLiteral("-wal")), 0600); // open while the store is
            QCOMPARE(modeOf(path + QStringLiteral("-shm")), 0600);
        }
        ::umask(previous);
    }
};

QTEST_GUILESS_MAIN(TestAuditStore)
#include "tst_auditstore.moc"
