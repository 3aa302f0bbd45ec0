#include "core/store/database.h"

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

namespace kw::store {

Q_LOGGING_CATEGORY(lcStore, "keywarden.store", QtInfoMsg)

Migration Migration::sql(int version, QString what, QStringList statements)
{
    return {version, std::move(what), [statements = std::move(statements)](QSqlQuery &query) {
                for (const QString &statement : statements) {
                    if (!query.exec(statement))
                        return Result<void>(
                            Error{QStringLiteral("store.migrate"), query.lastError().text()});
                }
                return Result<void>();
            }};
}

Database::Database(DatabaseOptions options)
    : m_options(std::move(options))
    , m_connectionBase(
          QStringLiteral("kw-%1-%2")
              .arg(m_options.purpose.isEmpty() ? QStringLiteral("db") : m_options.purpose,
                   QUuid::createUuid().toString(QUuid::WithoutBraces)))
{
    // An in-memory database lives as long as one of its connections: each connection of this
    // object shares the same one (a URI with a name only this object knows).
    m_databaseName = isInMemory()
                         ? QStringLiteral("file:%1?mode=memory&cache=shared").arg(m_connectionBase)
                         : m_options.path;
}

Database::~Database()
{
    QMutexLocker lock(&m_mutex);
    const Qt::HANDLE here = QThread::currentThreadId();
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
        // Only this thread's connection may be looked up (Qt refuses another thread's, with a
        // warning); removing the others closes their SQLite handles, which SQLite allows from
        // any thread.
        if (it.key() == here) {
            QSqlDatabase database = QSqlDatabase::database(it.value(), false);
            if (database.isValid())
                database.close();
        }
        QSqlDatabase::removeDatabase(it.value());
    }
}

Result<std::shared_ptr<Database>> Database::open(DatabaseOptions options)
{
    std::shared_ptr<Database> database(new Database(std::move(options)));
    QSqlDatabase connection = database->connection();
    if (!connection.isOpen())
        return database->error(QStringLiteral("store.open"), QStringLiteral("open it"),
                               connection.lastError());
    if (auto migrated = database->migrate(); !migrated)
        return migrated.error();
    return database;
}

QSqlDatabase Database::connection()
{
    QMutexLocker lock(&m_mutex);
    const Qt::HANDLE thread = QThread::currentThreadId();
    if (auto it = m_connections.constFind(thread); it != m_connections.cend()) {
        QSqlDatabase existing = QSqlDatabase::database(*it, false);
        if (existing.isValid() && existing.isOpen())
            return existing;
        // A thread id can be reused once its thread has ended: start over under a new name.
        QSqlDatabase::removeDatabase(*it);
        m_connections.remove(thread);
    }
    const QString name = m_connectionBase + QLatin1Char('-') + QString::number(m_nextConnection++);
    QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    database.setDatabaseName(m_databaseName);
    database.setConnectOptions(
        isInMemory() ? QStringLiteral("QSQLITE_OPEN_URI")
                     : QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(m_options.busyTimeoutMs));
    m_connections.insert(thread, name);
    if (!database.open() || isInMemory())
        return database;
    QSqlQuery query(database);
    // Switching a fresh file to WAL needs it to itself, and SQLite answers "database is locked"
    // at once, without its busy handler, while another process does the same: processes
    // opening a new file together are normal (parallel CLI runs), so wait as the busy timeout
    // would.
    QDeadlineTimer deadline(m_options.busyTimeoutMs);
    bool switched = false;
    while (!(switched = query.exec(QStringLiteral("PRAGMA journal_mode=WAL"))) &&
           !deadline.hasExpired())
        QThread::msleep(10 + QRandomGenerator::global()->bounded(40));
    // SQLite answers with the mode it is in: a file system without shared memory keeps the
    // rollback journal. Still correct (writers and readers then wait for each other within the
    // busy timeout), but slower under load: said, not hidden.
    const QString mode = switched && query.next() ? query.value(0).toString() : QString();
    if (mode.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        qCWarning(lcStore, "%s stays in journal mode '%s' instead of WAL: %s",
                  qUtf8Printable(m_databaseName), qUtf8Printable(mode),
                  qUtf8Printable(switched ? QStringLiteral("the file system does not allow it")
                                          : query.lastError().text()));
    if (m_options.synchronousNormal)
        query.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    return database;
}

Result<void> Database::migrate()
{
    QSqlDatabase database = connection();
    QSqlQuery query(database);
    // Under the write lock: processes opening a fresh or older file at the same time would
    // otherwise race to apply the same step.
    if (!query.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return error(QStringLiteral("store.open"), QStringLiteral("take its write lock"),
                     query.lastError());
    auto rollback = [&query](Error e) {
        query.exec(QStringLiteral("ROLLBACK"));
        return Result<void>(std::move(e));
    };
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return rollback(error(QStringLiteral("store.open"), QStringLiteral("read its version"),
                              query.lastError()));
    const int current = query.value(0).toInt();
    const int known = m_options.migrations.isEmpty() ? 0 : m_options.migrations.last().version;
    if (current > known)
        return rollback(
            {QStringLiteral("store.too_new"),
             QStringLiteral("The %1 %2 has format version %3, newer than the %4 this Keywarden "
                            "knows: it was written by a newer Keywarden. Use that version, or "
                            "move the file aside to start a new one.")
                 .arg(m_options.purpose, location())
                 .arg(current)
                 .arg(known)});
    m_schemaVersion = current;
    for (const Migration &step : std::as_const(m_options.migrations)) {
        if (step.version <= current)
            continue;
        if (auto applied = step.apply(query); !applied)
            return rollback(
                {QStringLiteral("store.migrate"),
                 QStringLiteral("The %1 %2 could not be brought to format version %3: could not "
                                "%4 (%5). Nothing was changed.")
                     .arg(m_options.purpose, location())
                     .arg(step.version)
                     .arg(step.what, applied.error().message)});
        // PRAGMA takes no bound parameters; the version is a number of ours.
        if (!query.exec(QStringLiteral("PRAGMA user_version = %1").arg(step.version)))
            return rollback(error(QStringLiteral("store.migrate"),
                                  QStringLiteral("record format version %1").arg(step.version),
                                  query.lastError()));
        m_schemaVersion = step.version;
    }
    if (!query.exec(QStringLiteral("COMMIT")))
        return rollback(error(QStringLiteral("store.migrate"), QStringLiteral("commit its schema"),
                              query.lastError()));
    return {};
}

QString Database::location() const
{
    return isInMemory() ? QStringLiteral("(in memory)") : m_options.path;
}

Error Database::error(const QString &code, const QString &what, const QSqlError &sqlError) const
{
    return {code, QStringLiteral("The %1 %2: could not %3 (%4).")
                      .arg(m_options.purpose, location(), what, sqlError.text())};
}

} // namespace kw::store
