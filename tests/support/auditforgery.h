#pragma once
// Rewrites an audit log file the way an attacker with write access to it would: drop the
// append-only triggers, change or delete rows, then recompute every plain SHA-256 hash and link
// from the first change on, so an unkeyed chain would verify again. Shared by the audit tests.

#include "core/audit/auditstore.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <functional>

namespace kw::audit::testing {

enum class Forgery
{
    EditRow,      // row `id`: actor becomes "mallory"
    DeleteRow,    // row `id` removed
    DeleteNewest, // rows from `id` on removed (no rehash needed)
    DowngradeAll, // every row rewritten as format 1 (plain SHA-256)
};

// Returns an empty string on success, else what went wrong (for QVERIFY2).
inline QString forge(const QString &path, Forgery forgery, qint64 id)
{
    QString failure;
    const QString name = QStringLiteral("forgery");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (!db.open())
            return db.lastError().text();
        QSqlQuery q(db);
        const auto exec = [&q, &failure](const QString &sql) {
            if (failure.isEmpty() && !q.exec(sql))
                failure = sql + QStringLiteral(": ") + q.lastError().text();
        };
        exec(QStringLiteral("DROP TRIGGER IF EXISTS audit_no_update"));
        exec(QStringLiteral("DROP TRIGGER IF EXISTS audit_no_delete"));
        if (forgery == Forgery::DeleteNewest) {
            exec(QStringLiteral("DELETE FROM audit_entries WHERE id >= %1").arg(id));
        } else {
            if (forgery == Forgery::DeleteRow)
                exec(QStringLiteral("DELETE FROM audit_entries WHERE id = %1").arg(id));
            if (forgery == Forgery::EditRow)
                exec(QStringLiteral("UPDATE audit_entries SET actor = 'mallory' WHERE id = %1")
                         .arg(id));
            QList<AuditEntry> rows;
            if (failure.isEmpty() &&
                q.exec(QStringLiteral(
                    "SELECT id, time_ms, actor, action, profile, registry_url, topic, "
                    "partition_no, offset_no, object, details, previous_hash, hash, version "
                    "FROM audit_entries ORDER BY id"))) {
                while (q.next()) {
                    AuditEntry e;
                    e.id = q.value(0).toLongLong();
                    e.timeMs = q.value(1).toLongLong();
                    e.actor = q.value(2).toString();
                    e.action = q.value(3).toString();
                    e.profile = q.value(4).toString();
                    e.registryUrl = q.value(5).toString();
                    e.topic = q.value(6).toString();
                    e.partition = q.value(7).toInt();
                    e.offset = q.value(8).toLongLong();
                    e.object = q.value(9).toString();
                    e.details = QJsonDocument::fromJson(q.value(10).toString().toUtf8()).object();
                    e.previousHash = q.value(11).toString();
                    e.hash = q.value(12).toString();
                    e.version = q.value(13).toInt();
                    rows.append(e);
                }
            }
            QString previous = AuditStore::genesisHash();
            for (AuditEntry &e : rows) {
                const bool rewrite = forgery == Forgery::DowngradeAll || e.id >= id;
                if (rewrite) {
                    if (forgery == Forgery::DowngradeAll)
                        e.version = 1;
                    e.previousHash = previous;
                    e.hash = e.computeHash(); // all an attacker without the key can compute
                    QSqlQuery u(db);
                    u.prepare(
                        QStringLiteral("UPDATE audit_entries SET previous_hash = ?, hash = ?, "
                                       "version = ? WHERE id = ?"));
                    u.addBindValue(e.previousHash);
                    u.addBindValue(e.hash);
                    u.addBindValue(e.version);
                    u.addBindValue(e.id);
                    if (!u.exec() && failure.isEmpty())
                        failure = u.lastError().text();
                }
                previous = e.hash;
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return failure;
}

} // namespace kw::audit::testing
