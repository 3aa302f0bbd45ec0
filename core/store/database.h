#pragma once
// The one SQLite helper: a database file (or a private in-memory database) opened with the same
// care everywhere — a connection per thread (Qt SQL connections must stay on their thread),
// names that never clash, WAL journaling, a busy timeout, and schema migrations numbered by
// PRAGMA user_version and applied in order under the write lock, so processes opening the same
// file together never race. The audit log and the sandbox use it; the census and the workflow
// journal will.

#include "core/domain/result.h"

#include <QHash>
#include <QMutex>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <memory>

class QSqlError;
class QSqlQuery;

namespace kw::store {

// One step of a schema: applied once, when the file's user_version is below `version`.
struct Migration
{
    int version = 0;
    QString what; // "create the entries table", for errors
    // Runs inside the migration's transaction; returns the failure, if any.
    std::function<Result<void>(QSqlQuery &query)> apply;

    // A step made of plain SQL statements, run in order.
    static Migration sql(int version, QString what, QStringList statements);
};

struct DatabaseOptions
{
    QString path;    // the file; empty: an in-memory database private to this object
    QString purpose; // "audit log", "sandbox": names connections and errors
    int busyTimeoutMs = 5000;
    bool synchronousNormal = false;   // WAL with synchronous=NORMAL: faster, may lose the last
                                      // commits on power loss (never corrupts); not for audit data
    QList<Migration> migrations = {}; // ascending versions
};

class Database
{
public:
    // Opens (creating the file if needed), switches it to WAL and applies the migrations it
    // lacks. Fails with "store.open", "store.migrate" or "store.too_new" (a file written by a
    // newer Keywarden, whose user_version is above every known migration).
    static Result<std::shared_ptr<Database>> open(DatabaseOptions options);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // This thread's connection, opened on first use. Invalid (check isOpen()) when it could
    // not be opened; lastError() says why.
    [[nodiscard]] QSqlDatabase connection();
    [[nodiscard]] const QString &path() const { return m_options.path; }
    [[nodiscard]] bool isInMemory() const { return m_options.path.isEmpty(); }
    // The schema version the file is at (its user_version).
    [[nodiscard]] int schemaVersion() const { return m_schemaVersion; }

    // "<purpose> <path>: could not <what> (<SQLite's message>)." with code `code`.
    [[nodiscard]] Error error(const QString &code, const QString &what,
                              const QSqlError &sqlError) const;

private:
    explicit Database(DatabaseOptions options);
    Result<void> migrate();
    QString location() const;

    DatabaseOptions m_options;
    QString m_connectionBase;
    QString m_databaseName;
    int m_schemaVersion = 0;
    mutable QMutex m_mutex;
    QHash<Qt::HANDLE, QString> m_connections; // thread -> connection name
    quint64 m_nextConnection = 0;
};

} // namespace kw::store
