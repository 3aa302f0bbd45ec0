// store::Database: per-thread connections, WAL, numbered migrations applied once and in order,
// a failing step changing nothing, files from a newer version refused, and processes opening a
// new file together.

#include "core/store/database.h"

#include <QProcess>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

using namespace kw;
using namespace kw::store;

namespace {

QList<Migration> notesSchema()
{
    return {
        Migration::sql(1, QStringLiteral("create the notes table"),
                       {QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")}),
        Migration::sql(2, QStringLiteral("add the author column"),
                       {QStringLiteral("ALTER TABLE notes ADD COLUMN author TEXT")}),
    };
}

int userVersion(QSqlDatabase db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return -1;
    return q.value(0).toInt();
}

QStringList columns(QSqlDatabase db, const QString &table)
{
    QSqlQuery q(db);
    QStringList names;
    if (q.exec(QStringLiteral("PRAGMA table_info(%1)").arg(table))) {
        while (q.next())
            names << q.value(1).toString();
    }
    return names;
}

} // namespace

class TestDatabase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void migratesAFreshFileAndUsesWal()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.sqlite"));
        auto db = Database::open(
            {.path = path, .purpose = QStringLiteral("notes"), .migrations = notesSchema()});
        QVERIFY2(db, qPrintable(db ? QString() : db.error().message));
        QCOMPARE((*db)->schemaVersion(), 2);
        QSqlDatabase c = (*db)->connection();
        QCOMPARE(userVersion(c), 2);
        QCOMPARE(
            columns(c, QStringLiteral("notes")),
            (QStringList{QStringLiteral("id"), QStringLiteral("text"), QStringLiteral("author")}));
        QSqlQuery q(c);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
    }

    void aFileKeptOutOfWalIsReported()
    {
        // Another connection holds the fresh file exclusively in rollback-journal mode: the
        // switch to WAL cannot happen, and that is said (the open then fails on the lock).
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("held.sqlite"));
        {
            QSqlDatabase holder =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("holder"));
            holder.setDatabaseName(path);
            QVERIFY(holder.open());
            QSqlQuery q(holder);
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE t (x)")));
            QVERIFY(q.exec(QStringLiteral("BEGIN EXCLUSIVE")));
            QTest::ignoreMessage(QtWarningMsg,
                                 QRegularExpression(QStringLiteral(
                                     "held\\.sqlite stays in journal mode '' instead of WAL")));
            auto db = Database::open({.path = path,
                                      .purpose = QStringLiteral("notes"),
                                      .busyTimeoutMs = 200,
                                      .migrations = notesSchema()});
            QVERIFY(!db);
            QVERIFY2(db.error().message.contains(path), qPrintable(db.error().message));
            q.exec(QStringLiteral("ROLLBACK"));
            holder.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("holder"));
    }

    void appliesOnlyTheMissingSteps()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.sqlite"));
        {
            auto v1 = Database::open({.path = path,
                                      .purpose = QStringLiteral("notes"),
                                      .migrations = {notesSchema().first()}});
            QVERIFY(v1);
            QCOMPARE((*v1)->schemaVersion(), 1);
            QSqlQuery q((*v1)->connection());
            QVERIFY(q.exec(QStringLiteral("INSERT INTO notes(text) VALUES ('kept')")));
        }
        // Reopened by a newer build: step 1 is not run again (it would fail: the table
        // exists), step 2 is, and the data stays.
        auto v2 = Database::open(
            {.path = path, .purpose = QStringLiteral("notes"), .migrations = notesSchema()});
        QVERIFY2(v2, qPrintable(v2 ? QString() : v2.error().message));
        QCOMPARE((*v2)->schemaVersion(), 2);
        QSqlQuery q((*v2)->connection());
        QVERIFY(q.exec(QStringLiteral("SELECT text, author FROM notes")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("kept"));
        QVERIFY(q.value(1).isNull());
        // And once more: nothing left to do.
        auto again = Database::open(
            {.path = path, .purpose = QStringLiteral("notes"), .migrations = notesSchema()});
        QVERIFY(again);
        QCOMPARE((*again)->schemaVersion(), 2);
    }

    void aFailingStepChangesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.sqlite"));
        QList<Migration> broken = notesSchema();
        broken << Migration::sql(3, QStringLiteral("add an index"),
                                 {QStringLiteral("CREATE INDEX by_author ON notes(author)"),
                                  QStringLiteral("CREATE INDEX by_author ON notes(author)")});
        auto db = Database::open(
            {.path = path, .purpose = QStringLiteral("notes"), .migrations = broken});
        QVERIFY(!db);
        QCOMPARE(db.error().code, QStringLiteral("store.migrate"));
        QVERIFY2(db.error().message.contains(QStringLiteral("format version 3")),
                 qPrintable(db.error().message));
        QVERIFY(db.error().message.contains(QStringLiteral("add an index")));
        QVERIFY(db.error().message.contains(path));
        // All steps ran in one transaction: the file has no table and version 0.
        auto reopened = Database::open({.path = path, .purpose = QStringLiteral("notes")});
        QVERIFY(reopened);
        QSqlDatabase c = (*reopened)->connection();
        QCOMPARE(userVersion(c), 0);
        QVERIFY(columns(c, QStringLiteral("notes")).isEmpty());
    }

    void refusesAFileFromANewerVersion()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.sqlite"));
        QVERIFY(Database::open(
            {.path = path, .purpose = QStringLiteral("notes"), .migrations = notesSchema()}));
        auto older = Database::open({.path = path,
                                     .purpose = QStringLiteral("notes"),
                                     .migrations = {notesSchema().first()}});
        QVERIFY(!older);
        QCOMPARE(older.error().code, QStringLiteral("store.too_new"));
        QVERIFY2(older.error().message.contains(QStringLiteral("format version 2, newer than "
                                                               "the 1")),
                 qPrintable(older.error().message));
    }

    void anUnopenableFileSaysWhere()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("missing/folder/notes.sqlite"));
        auto db = Database::open({.path = path, .purpose = QStringLiteral("notes")});
        QVERIFY(!db);
        QCOMPARE(db.error().code, QStringLiteral("store.open"));
        QVERIFY2(db.error().message.startsWith(QStringLiteral("The notes ") + path),
                 qPrintable(db.error().message));
    }

    void eachThreadGetsItsOwnConnection()
    {
        QTemporaryDir dir;
        auto db = Database::open({.path = dir.filePath(QStringLiteral("notes.sqlite")),
                                  .purpose = QStringLiteral("notes"),
                                  .migrations = notesSchema()});
        QVERIFY(db);
        std::shared_ptr<Database> shared = *db;
        const QString here = shared->connection().connectionName();
        QCOMPARE(shared->connection().connectionName(), here); // reused on the same thread
        QStringList names;
        QList<QFuture<QString>> writers;
        for (int i = 0; i < 4; ++i)
            writers << QtConcurrent::run([shared, i] {
                QThread::currentThread()->setObjectName(QStringLiteral("writer"));
                QSqlDatabase c = shared->connection();
                QSqlQuery q(c);
                q.prepare(QStringLiteral("INSERT INTO notes(text) VALUES (?)"));
                q.addBindValue(QString::number(i));
                return q.exec() ? c.connectionName() : QString();
            });
        for (QFuture<QString> &f : writers) {
            f.waitForFinished();
            QVERIFY(!f.result().isEmpty());
            QVERIFY(f.result() != here);
        }
        QSqlQuery count(shared->connection());
        QVERIFY(count.exec(QStringLiteral("SELECT COUNT(*) FROM notes")) && count.next());
        QCOMPARE(count.value(0).toInt(), 4);
        count.finish();
        count = QSqlQuery();
        // Closing from this thread must not reach into the writers' connections (Qt warns
        // that they belong to another thread, and the close would run on the wrong thread).
        QTest::failOnWarning(QRegularExpression(QStringLiteral("does not belong")));
        shared.reset();
        db = Result<std::shared_ptr<Database>>(makeError(QStringLiteral("test"), QString()));
    }

    void inMemoryIsPrivateAndShared()
    {
        auto a = Database::open(
            {.path = {}, .purpose = QStringLiteral("a"), .migrations = notesSchema()});
        auto b = Database::open(
            {.path = {}, .purpose = QStringLiteral("b"), .migrations = notesSchema()});
        QVERIFY(a && b);
        QVERIFY((*a)->isInMemory());
        QSqlQuery insert((*a)->connection());
        QVERIFY(insert.exec(QStringLiteral("INSERT INTO notes(text) VALUES ('a')")));
        // Another thread of the same database sees the row; another database does not.
        std::shared_ptr<Database> sharedA = *a;
        const int seen = QtConcurrent::run([sharedA] {
                             QSqlQuery q(sharedA->connection());
                             return q.exec(QStringLiteral("SELECT COUNT(*) FROM notes")) && q.next()
                                        ? q.value(0).toInt()
                                        : -1;
                         }).result();
        QCOMPARE(seen, 1);
        QSqlQuery other((*b)->connection());
        QVERIFY(other.exec(QStringLiteral("SELECT COUNT(*) FROM notes")) && other.next());
        QCOMPARE(other.value(0).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
