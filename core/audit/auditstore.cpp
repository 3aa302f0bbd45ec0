#include "audit/auditstore.h"

#include <QAtomicInteger>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QVariant>

namespace kw::audit {

Q_LOGGING_CATEGORY(lcAudit, "keywarden.audit")

namespace {

const QString ColumnList = QStringLiteral(
    "id, time_ms, actor, action, profile, registry_url, topic, partition_no, offset_no, "
    "object, details, previous_hash, hash");

Error storageError(const QString &what, const QSqlError &error)
{
    // The SQL text never carries values (details only name fields), so it is safe to log.
    qCWarning(lcAudit) << "audit log:" << what << error.text();
    return makeError(QString(ErrorStorage),
                     QStringLiteral("The audit log could not %1 (%2). Check that the data "
                                    "folder is writable and not full.")
                         .arg(what, error.text()));
}

// Keys whose presence suggests a caller put a decrypted value into the details.
bool carriesValue(const QJsonValue &value)
{
    static const QStringList forbidden = {QStringLiteral("value"), QStringLiteral("values"),
                                          QStringLiteral("plaintext"), QStringLiteral("secret")};
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (forbidden.contains(it.key(), Qt::CaseInsensitive) || carriesValue(it.value()))
                return true;
        }
    } else if (value.isArray()) {
        for (const QJsonValue &item : value.toArray()) {
            if (carriesValue(item))
                return true;
        }
    }
    return false;
}

// SQLite stores a null QString as NULL, which the NOT NULL columns refuse.
QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

AuditEntry entryFrom(const QSqlQuery &query)
{
    AuditEntry entry;
    entry.id = query.value(0).toLongLong();
    entry.timeMs = query.value(1).toLongLong();
    entry.actor = query.value(2).toString();
    entry.action = query.value(3).toString();
    entry.profile = query.value(4).toString();
    entry.registryUrl = query.value(5).toString();
    entry.topic = query.value(6).toString();
    entry.partition = query.value(7).toInt();
    entry.offset = query.value(8).toLongLong();
    entry.object = query.value(9).toString();
    entry.details = QJsonDocument::fromJson(query.value(10).toString().toUtf8()).object();
    entry.previousHash = query.value(11).toString();
    entry.hash = query.value(12).toString();
    return entry;
}

} // namespace

QByteArray AuditEntry::canonicalBytes() const
{
    // Versioned so a later format can coexist with entries hashed under this one.
    QJsonObject canonical{
        {QStringLiteral("v"), 1},
        {QStringLiteral("time"), QString::number(timeMs)},
        {QStringLiteral("actor"), actor},
        {QStringLiteral("action"), action},
        {QStringLiteral("profile"), profile},
        {QStringLiteral("registryUrl"), registryUrl},
        {QStringLiteral("topic"), topic},
        {QStringLiteral("partition"), partition},
        {QStringLiteral("offset"), QString::number(offset)},
        {QStringLiteral("object"), object},
        {QStringLiteral("details"), details},
        {QStringLiteral("previousHash"), previousHash},
    };
    return QJsonDocument(canonical).toJson(QJsonDocument::Compact);
}

QString AuditEntry::computeHash() const
{
    return QString::fromLatin1(
        QCryptographicHash::hash(canonicalBytes(), QCryptographicHash::Sha256).toHex());
}

QString AuditStore::genesisHash()
{
    return QString(64, QLatin1Char('0'));
}

QString AuditStore::osUserName()
{
    QString name = qEnvironmentVariable("USER");
    if (name.isEmpty())
        name = qEnvironmentVariable("USERNAME");
    if (name.isEmpty())
        name = qEnvironmentVariable("LOGNAME");
    return name.isEmpty() ? QStringLiteral("unknown") : name;
}

Result<std::shared_ptr<AuditStore>> AuditStore::open(const Options &options)
{
    std::shared_ptr<AuditStore> store(new AuditStore);
    store->m_clock = options.clock ? options.clock : &Clock::system();
    store->m_actor = options.actor.isEmpty() ? osUserName() : options.actor;
    store->m_path = options.path;
    if (store->m_path.isEmpty()) {
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        store->m_path = QDir(dir).filePath(QStringLiteral("audit.sqlite"));
    }
    if (!QDir().mkpath(QFileInfo(store->m_path).absolutePath())) {
        return makeError(QString(ErrorStorage),
                         QStringLiteral("The audit log folder %1 could not be created. Check "
                                        "its permissions.")
                             .arg(QFileInfo(store->m_path).absolutePath()));
    }
    static QAtomicInteger<quint64> counter;
    store->m_connection = QStringLiteral("keywarden-audit-%1").arg(counter.fetchAndAddRelaxed(1));
    if (auto ok = store->init(); !ok)
        return ok.error();
    return store;
}

AuditStore::~AuditStore()
{
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase database = QSqlDatabase::database(m_connection, false);
        if (database.isValid())
            database.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

Result<void> AuditStore::init()
{
    QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    database.setDatabaseName(m_path);
    database.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!database.open())
        return storageError(QStringLiteral("open %1").arg(m_path), database.lastError());
    QSqlQuery query(database);
    const QStringList statements = {
        QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS audit_entries ("
                       "id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, actor TEXT NOT NULL, "
                       "action TEXT NOT NULL, profile TEXT NOT NULL, registry_url TEXT NOT NULL, "
                       "topic TEXT NOT NULL, partition_no INTEGER NOT NULL, "
                       "offset_no INTEGER NOT NULL, object TEXT NOT NULL, details TEXT NOT NULL, "
                       "previous_hash TEXT NOT NULL, hash TEXT NOT NULL)"),
        // Append-only by construction: ordinary SQL cannot edit or drop entries. Someone with
        // the file can still drop the triggers, which is what the hash chain is for.
        QStringLiteral("CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON "
                       "audit_entries BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"),
        QStringLiteral("CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON "
                       "audit_entries BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS audit_by_topic ON audit_entries(topic)"),
    };
    for (const QString &statement : statements) {
        if (!query.exec(statement))
            return storageError(QStringLiteral("create its tables"), query.lastError());
    }
    return {};
}

Result<AuditEntry> AuditStore::append(AuditEntry entry)
{
    if (carriesValue(entry.details)) {
        return makeError(QString(ErrorPlaintextRejected),
                         QStringLiteral("The audit entry for %1 was refused because its details "
                                        "look like they carry a value; audit entries name fields "
                                        "only.")
                             .arg(entry.action));
    }
    QMutexLocker lock(&m_mutex);
    QSqlDatabase database = QSqlDatabase::database(m_connection, false);
    // One transaction, so two appends cannot both link to the same previous entry.
    if (!database.transaction())
        return storageError(QStringLiteral("start a transaction"), database.lastError());
    QSqlQuery last(database);
    if (!last.exec(QStringLiteral("SELECT hash FROM audit_entries ORDER BY id DESC LIMIT 1"))) {
        database.rollback();
        return storageError(QStringLiteral("read the last entry"), last.lastError());
    }
    entry.previousHash = last.next() ? last.value(0).toString() : genesisHash();
    last.finish();
    entry.timeMs = m_clock->nowMs();
    if (entry.actor.isEmpty())
        entry.actor = m_actor;
    entry.hash = entry.computeHash();

    QSqlQuery insert(database);
    insert.prepare(QStringLiteral(
        "INSERT INTO audit_entries (time_ms, actor, action, profile, registry_url, topic, "
        "partition_no, offset_no, object, details, previous_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(entry.timeMs);
    insert.addBindValue(text(entry.actor));
    insert.addBindValue(text(entry.action));
    insert.addBindValue(text(entry.profile));
    insert.addBindValue(text(entry.registryUrl));
    insert.addBindValue(text(entry.topic));
    insert.addBindValue(entry.partition);
    insert.addBindValue(entry.offset);
    insert.addBindValue(text(entry.object));
    insert.addBindValue(
        QString::fromUtf8(QJsonDocument(entry.details).toJson(QJsonDocument::Compact)));
    insert.addBindValue(text(entry.previousHash));
    insert.addBindValue(text(entry.hash));
    if (!insert.exec()) {
        const Error error = storageError(QStringLiteral("write an entry"), insert.lastError());
        database.rollback();
        return error;
    }
    entry.id = insert.lastInsertId().toLongLong();
    if (!database.commit()) {
        const Error error = storageError(QStringLiteral("commit an entry"), database.lastError());
        database.rollback();
        return error;
    }
    return entry;
}

Result<QList<AuditEntry>> AuditStore::entries(const AuditFilter &filter) const
{
    QMutexLocker lock(&m_mutex);
    QStringList where;
    QVariantList binds;
    if (!filter.action.isEmpty()) {
        where << QStringLiteral("action = ?");
        binds << filter.action;
    }
    if (!filter.topic.isEmpty()) {
        where << QStringLiteral("topic = ?");
        binds << filter.topic;
    }
    if (filter.sinceMs > 0) {
        where << QStringLiteral("time_ms >= ?");
        binds << filter.sinceMs;
    }
    if (filter.untilMs > 0) {
        where << QStringLiteral("time_ms <= ?");
        binds << filter.untilMs;
    }
    QString sql = QStringLiteral("SELECT ") + ColumnList + QStringLiteral(" FROM audit_entries");
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY id DESC");
    if (filter.limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(filter.limit);

    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(sql);
    for (const QVariant &bind : std::as_const(binds))
        query.addBindValue(bind);
    if (!query.exec())
        return storageError(QStringLiteral("read entries"), query.lastError());
    QList<AuditEntry> result;
    while (query.next())
        result.prepend(entryFrom(query));
    return result;
}

Result<void> AuditStore::verifyChain() const
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT ") + ColumnList +
                    QStringLiteral(" FROM audit_entries ORDER BY id ASC")))
        return storageError(QStringLiteral("read entries"), query.lastError());
    QString previous = genesisHash();
    while (query.next()) {
        const AuditEntry entry = entryFrom(query);
        if (entry.previousHash != previous) {
            return makeError(QString(ErrorChainBroken),
                             QStringLiteral("Audit entry #%1 does not follow the entry before "
                                            "it: an entry was removed, inserted or reordered. "
                                            "Keep this file as evidence and start a new log.")
                                 .arg(entry.id));
        }
        if (entry.computeHash() != entry.hash) {
            return makeError(QString(ErrorChainBroken),
                             QStringLiteral("Audit entry #%1 was changed after it was written "
                                            "(its hash does not match its content). Keep this "
                                            "file as evidence and start a new log.")
                                 .arg(entry.id));
        }
        previous = entry.hash;
    }
    return {};
}

} // namespace kw::audit
