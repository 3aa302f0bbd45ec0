#include "core/audit/auditstore.h"

#include "core/domain/privatefiles.h"
#include "core/store/database.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMessageAuthenticationCode>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QVariant>

#include <algorithm>
#include <pwd.h>
#include <unistd.h>
#include <utility>

namespace kw::audit {

Q_LOGGING_CATEGORY(lcAudit, "keywarden.audit")

namespace {

// How long a writer waits for the file's write lock. A keyed append holds it across two
// keychain round trips (read the head, store the new one), so 20 processes revealing at once
// queue for a few seconds on a loaded machine; 10 s leaves room, and ends a wait on a
// process that hangs while holding it.
constexpr int kBusyTimeoutMs = 10000;

const QString ColumnList = QStringLiteral(
    "id, time_ms, actor, action, profile, registry_url, topic, partition_no, offset_no, "
    "object, details, previous_hash, hash, version");

const QString Evidence = QStringLiteral("Keep this file as evidence; an administrator can "
                                        "acknowledge the break in the Keywarden window, which "
                                        "starts a new segment linked to this one.");

Error storageError(const QString &what, const QSqlError &error)
{
    // The SQL text never carries values (details only name fields), so it is safe to log.
    qCWarning(lcAudit) << "audit log:" << what << error.text();
    return makeError(QString(ErrorStorage),
                     QStringLiteral("The audit log could not %1 (%2). Check that the data "
                                    "folder is writable and not full.")
                         .arg(what, error.text()));
}

// How often a walk tells its caller how far it got.
constexpr qint64 ProgressEvery = 2000;

Error cancelled()
{
    return makeError(QString(ErrorCancelled),
                     QStringLiteral("The check of the audit log was cancelled."));
}

Error broken(const QString &message)
{
    return makeError(QString(ErrorChainBroken), message + QLatin1Char(' ') + Evidence);
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
    entry.version = query.value(13).toInt();
    return entry;
}

bool authentic(const AuditEntry &entry, const QByteArray &key)
{
    if (entry.version == 1)
        return entry.computeHash() == entry.hash;
    if (entry.version == 2)
        return !key.isEmpty() && entry.computeMac(key) == entry.hash;
    return false;
}

// The digest over every entry before an acknowledgement, which the acknowledgement records:
// the part of the log it accepted cannot be changed afterwards either.
QByteArray nextDigest(const QByteArray &digest, const AuditEntry &entry)
{
    return nextEntryDigest(digest, entry);
}

// The WHERE clause (with its leading " WHERE ", or empty) and its values for `filter`.
std::pair<QString, QVariantList> whereOf(const AuditFilter &filter)
{
    QStringList where;
    QVariantList binds;
    const auto add = [&](const QString &clause, const QVariant &value) {
        where << clause;
        binds << value;
    };
    if (!filter.action.isEmpty())
        add(QStringLiteral("action = ?"), filter.action);
    if (!filter.topic.isEmpty())
        add(QStringLiteral("topic = ?"), filter.topic);
    if (!filter.actor.isEmpty())
        add(QStringLiteral("actor = ?"), filter.actor);
    if (!filter.object.isEmpty()) // instr(): no LIKE wildcards to escape
        add(QStringLiteral("instr(lower(object), ?) > 0"), filter.object.toLower());
    if (filter.sinceMs > 0)
        add(QStringLiteral("time_ms >= ?"), filter.sinceMs);
    if (filter.untilMs > 0)
        add(QStringLiteral("time_ms <= ?"), filter.untilMs);
    if (where.isEmpty())
        return {};
    return {QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND ")), binds};
}

// An acknowledgement that holds: authentic, and its record of what came before matches.
bool acknowledgementHolds(const AuditEntry &entry, const QByteArray &key, qint64 index,
                          const QByteArray &digest, const QString &previous, bool keyedSeen)
{
    // Once the log is keyed, only a keyed acknowledgement counts: anyone can write an unkeyed one.
    if (entry.action != ActionAuditAcknowledge || (keyedSeen && entry.version != 2) ||
        !authentic(entry, key))
        return false;
    const QJsonObject &d = entry.details;
    if (d.value(QStringLiteral("entriesBefore")).toInteger(-1) != index ||
        d.value(QStringLiteral("digestBefore")).toString() != QString::fromLatin1(digest.toHex()))
        return false;
    // The first entry of a new file links to the head of the file that was lost.
    const QString lostHead = d.value(QStringLiteral("previousHead"))
                                 .toObject()
                                 .value(QStringLiteral("lastMac"))
                                 .toString();
    return entry.previousHash == previous || (index == 0 && entry.previousHash == lostHead);
}

} // namespace

QByteArray AuditEntry::canonicalBytes() const
{
    // Versioned so a later format can coexist with entries MACed under this one.
    QJsonObject canonical{
        {QStringLiteral("v"), version},
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

QString AuditEntry::computeMac(const QByteArray &key) const
{
    return QString::fromLatin1(
        QMessageAuthenticationCode::hash(canonicalBytes(), key, QCryptographicHash::Sha256)
            .toHex());
}

QString AuditStore::genesisHash()
{
    return QString(64, QLatin1Char('0'));
}

QString AuditStore::osUserName()
{
    const uid_t uid = ::geteuid();
    // getpwuid_r: the CLI and the GUI's worker threads may ask at the same time.
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    QByteArray buffer(size > 0 ? int(size) : 16384, Qt::Uninitialized);
    passwd entry{};
    passwd *found = nullptr;
    if (::getpwuid_r(uid, &entry, buffer.data(), size_t(buffer.size()), &found) == 0 && found &&
        found->pw_name && *found->pw_name)
        return QString::fromLocal8Bit(found->pw_name);
    return QString::number(uid); // an account without a passwd entry (containers)
}

QString AuditStore::defaultPath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir).filePath(QStringLiteral("audit.sqlite"));
}

Result<std::shared_ptr<AuditStore>> AuditStore::open(const Options &options)
{
    std::shared_ptr<AuditStore> store(new AuditStore);
    store->m_clock = options.clock ? options.clock : &Clock::system();
    store->m_actor = options.actor.isEmpty() ? osUserName() : options.actor;
    store->m_key = options.key;
    store->m_path = options.path.isEmpty() ? defaultPath() : options.path;
    const QString folder = QFileInfo(store->m_path).absolutePath();
    if (auto ok = makePrivateFolder(folder); !ok) {
        return makeError(QString(ErrorStorage),
                         QStringLiteral("The audit log folder %1 could not be created: %2")
                             .arg(folder, ok.error().message));
    }
    // The file exists 0600 before SQLite opens it, and SQLite gives -wal and -shm its mode;
    // files of older versions are tightened too.
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        const QString file = store->m_path + suffix;
        if (!suffix.isEmpty() && !QFileInfo::exists(file))
            continue;
        if (auto ok = makePrivateFile(file); !ok) {
            return makeError(QString(ErrorStorage),
                             QStringLiteral("The audit log %1 could not be opened: %2")
                                 .arg(file, ok.error().message));
        }
    }
    if (auto ok = store->init(); !ok)
        return ok.error();
    return store;
}

AuditStore::~AuditStore() = default;

Result<void> AuditStore::init()
{
    // Format 1 (no version column) and 2 logs were created before the store kept a
    // user_version: step 1 only creates what is missing, step 2 adds the column if needed.
    const store::Migration tables = store::Migration::sql(
        1, QStringLiteral("create its tables"),
        {
            QStringLiteral("CREATE TABLE IF NOT EXISTS audit_entries ("
                           "id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, actor TEXT NOT NULL, "
                           "action TEXT NOT NULL, profile TEXT NOT NULL, "
                           "registry_url TEXT NOT NULL, topic TEXT NOT NULL, "
                           "partition_no INTEGER NOT NULL, offset_no INTEGER NOT NULL, "
                           "object TEXT NOT NULL, details TEXT NOT NULL, "
                           "previous_hash TEXT NOT NULL, hash TEXT NOT NULL, "
                           "version INTEGER NOT NULL DEFAULT 1)"),
            // Append-only by construction: ordinary SQL cannot edit or drop entries. Someone
            // with the file can still drop the triggers, which is what the keyed chain is for.
            QStringLiteral("CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON "
                           "audit_entries BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); "
                           "END"),
            QStringLiteral("CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON "
                           "audit_entries BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); "
                           "END"),
            QStringLiteral("CREATE INDEX IF NOT EXISTS audit_by_topic ON audit_entries(topic)"),
        });
    const store::Migration versionColumn{
        2, QStringLiteral("add the version column"), [](QSqlQuery &query) -> Result<void> {
            // Logs of format 1 only have no version column: their entries are all format 1.
            bool hasVersion = false;
            if (!query.exec(QStringLiteral("PRAGMA table_info(audit_entries)")))
                return Error{QString(ErrorStorage), query.lastError().text()};
            while (query.next())
                hasVersion = hasVersion || query.value(1).toString() == QLatin1String("version");
            if (!hasVersion &&
                !query.exec(QStringLiteral("ALTER TABLE audit_entries ADD COLUMN version "
                                           "INTEGER NOT NULL DEFAULT 1")))
                return Error{QString(ErrorStorage), query.lastError().text()};
            return {};
        }};
    auto opened = store::Database::open({.path = m_path,
                                         .purpose = QStringLiteral("audit log"),
                                         .busyTimeoutMs = kBusyTimeoutMs,
                                         .migrations = {tables, versionColumn}});
    if (!opened) {
        qCWarning(lcAudit) << "audit log:" << opened.error().message;
        return makeError(
            QString(ErrorStorage),
            opened.error().message +
                QStringLiteral(" Check that the data folder is writable and not full."));
    }
    m_db = *opened;
    return {};
}

Result<AuditEntry> AuditStore::append(AuditEntry entry)
{
    if (auto locked = lockForWrite(); !locked)
        return locked.error();
    auto written = insertLocked(std::move(entry));
    if (!written) {
        rollbackWrite();
        return written.error();
    }
    if (auto committed = commitWrite(); !committed)
        return committed.error();
    return written;
}

Result<void> AuditStore::lockForWrite()
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery query(m_db->connection());
    // IMMEDIATE: the write lock is taken now, waiting up to the busy timeout. A deferred
    // transaction that reads and then writes fails at once ("database is locked") when another
    // process wrote in between, whatever the timeout.
    if (!query.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return storageError(QStringLiteral("take the write lock on %1").arg(m_path),
                            query.lastError());
    return {};
}

Result<AuditEntry> AuditStore::insertLocked(AuditEntry entry, const QString &linkTo)
{
    if (carriesValue(entry.details)) {
        return makeError(QString(ErrorPlaintextRejected),
                         QStringLiteral("The audit entry for %1 was refused because its details "
                                        "look like they carry a value; audit entries name fields "
                                        "only.")
                             .arg(entry.action));
    }
    QMutexLocker lock(&m_mutex);
    QSqlDatabase database = m_db->connection();
    QString previous = genesisHash();
    int previousVersion = 0;
    {
        QSqlQuery last(database);
        if (!last.exec(
                QStringLiteral("SELECT hash, version FROM audit_entries ORDER BY id DESC LIMIT 1")))
            return storageError(QStringLiteral("read the last entry"), last.lastError());
        if (last.next()) {
            previous = last.value(0).toString();
            previousVersion = last.value(1).toInt();
        }
    }
    if (m_key.isEmpty() && previousVersion == 2) {
        return makeError(QString(ErrorKeyMissing),
                         QStringLiteral("The audit log %1 is keyed, but its key is not available "
                                        "(no keychain): an unkeyed entry would break its chain. "
                                        "Start the keychain service and try again.")
                             .arg(m_path));
    }
    entry.previousHash = linkTo.isEmpty() ? previous : linkTo;
    entry.version = m_key.isEmpty() ? 1 : 2;
    entry.timeMs = m_clock->nowMs();
    if (entry.actor.isEmpty())
        entry.actor = m_actor;
    entry.hash = m_key.isEmpty() ? entry.computeHash() : entry.computeMac(m_key);

    QSqlQuery insert(database);
    insert.prepare(QStringLiteral(
        "INSERT INTO audit_entries (time_ms, actor, action, profile, registry_url, topic, "
        "partition_no, offset_no, object, details, previous_hash, hash, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
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
    insert.addBindValue(entry.version);
    if (!insert.exec())
        return storageError(QStringLiteral("write an entry"), insert.lastError());
    entry.id = insert.lastInsertId().toLongLong();
    return entry;
}

Result<void> AuditStore::commitWrite()
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery query(m_db->connection());
    if (!query.exec(QStringLiteral("COMMIT"))) {
        const Error error = storageError(QStringLiteral("commit an entry"), query.lastError());
        query.exec(QStringLiteral("ROLLBACK"));
        return error;
    }
    return {};
}

void AuditStore::rollbackWrite()
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery query(m_db->connection());
    query.exec(QStringLiteral("ROLLBACK"));
}

Result<QList<AuditEntry>> AuditStore::entries(const AuditFilter &filter) const
{
    // The newest `limit`, returned oldest first.
    auto newest = page(filter, 0, filter.limit, AuditOrder::NewestFirst);
    if (newest)
        std::reverse(newest->begin(), newest->end());
    return newest;
}

Result<QList<AuditEntry>> AuditStore::page(const AuditFilter &filter, qint64 offset, int limit,
                                           AuditOrder order) const
{
    QMutexLocker lock(&m_mutex);
    const auto [where, binds] = whereOf(filter);
    QString sql = QStringLiteral("SELECT ") + ColumnList + QStringLiteral(" FROM audit_entries") +
                  where +
                  (order == AuditOrder::NewestFirst ? QStringLiteral(" ORDER BY id DESC")
                                                    : QStringLiteral(" ORDER BY id ASC"));
    if (limit > 0 || offset > 0)
        sql += QStringLiteral(" LIMIT %1 OFFSET %2")
                   .arg(limit > 0 ? qint64(limit) : -1)
                   .arg(std::max<qint64>(offset, 0));

    QSqlQuery query(m_db->connection());
    query.setForwardOnly(true);
    query.prepare(sql);
    for (const QVariant &bind : binds)
        query.addBindValue(bind);
    if (!query.exec())
        return storageError(QStringLiteral("read entries"), query.lastError());
    QList<AuditEntry> result;
    while (query.next())
        result.append(entryFrom(query));
    return result;
}

Result<qint64> AuditStore::count(const AuditFilter &filter) const
{
    QMutexLocker lock(&m_mutex);
    const auto [where, binds] = whereOf(filter);
    QSqlQuery query(m_db->connection());
    query.prepare(QStringLiteral("SELECT COUNT(*) FROM audit_entries") + where);
    for (const QVariant &bind : binds)
        query.addBindValue(bind);
    if (!query.exec() || !query.next())
        return storageError(QStringLiteral("count entries"), query.lastError());
    return query.value(0).toLongLong();
}

namespace {
Result<QStringList> distinct(const std::shared_ptr<store::Database> &db, const QString &column)
{
    QSqlQuery query(db->connection());
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT DISTINCT %1 FROM audit_entries WHERE %1 <> '' ORDER "
                                   "BY %1")
                        .arg(column)))
        return storageError(QStringLiteral("read the %1s").arg(column), query.lastError());
    QStringList values;
    while (query.next())
        values << query.value(0).toString();
    return values;
}
} // namespace

Result<QStringList> AuditStore::actions() const
{
    QMutexLocker lock(&m_mutex);
    return distinct(m_db, QStringLiteral("action"));
}

Result<QStringList> AuditStore::actors() const
{
    QMutexLocker lock(&m_mutex);
    return distinct(m_db, QStringLiteral("actor"));
}

Result<ChainReport> AuditStore::inspect(const std::optional<AuditHead> &head) const
{
    return inspect(head, {});
}

Result<ChainReport> AuditStore::inspect(const std::optional<AuditHead> &head,
                                        const Progress &progress) const
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery query(m_db->connection());
    qint64 total = 0;
    if (progress) {
        if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM audit_entries")) || !query.next())
            return storageError(QStringLiteral("count entries"), query.lastError());
        total = query.value(0).toLongLong();
        if (!progress(0, total))
            return cancelled();
    }
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT ") + ColumnList +
                    QStringLiteral(" FROM audit_entries ORDER BY id ASC")))
        return storageError(QStringLiteral("read entries"), query.lastError());
    ChainReport report;
    const auto fail = [&report](qint64 id, Error error) {
        if (report.problem)
            return;
        report.problem = std::move(error);
        report.brokenId = id;
    };
    QString previous = genesisHash();
    QByteArray digest(32, '\0');
    bool keyedSeen = false;
    std::optional<QString> headEntryMac; // the MAC of the entry the head names, when present
    while (query.next()) {
        const AuditEntry entry = entryFrom(query);
        if (acknowledgementHolds(entry, m_key, report.entries, digest, previous, keyedSeen)) {
            // An admin accepted the log as it was up to here: its earlier break is on record.
            report.problem.reset();
            report.brokenId = 0;
            ++report.acknowledgements;
        } else if (entry.previousHash != previous) {
            fail(entry.id, broken(QStringLiteral("Audit entry #%1 does not follow the entry "
                                                 "before it: an entry was removed, inserted or "
                                                 "reordered.")
                                      .arg(entry.id)));
        } else if (entry.version == 2 && m_key.isEmpty()) {
            fail(entry.id,
                 makeError(QString(ErrorKeyMissing),
                           QStringLiteral("Audit entry #%1 is keyed (HMAC-SHA-256) but the "
                                          "log's key is not available, so it cannot be checked. "
                                          "Make the keychain (Secret Service) available and try "
                                          "again.")
                               .arg(entry.id)));
        } else if (entry.version == 1 && keyedSeen) {
            fail(entry.id, broken(QStringLiteral("Audit entry #%1 is unkeyed (plain SHA-256) but "
                                                 "follows keyed entries: it was written or "
                                                 "rewritten without the log's key.")
                                      .arg(entry.id)));
        } else if (!authentic(entry, m_key)) {
            fail(entry.id,
                 broken(QStringLiteral("Audit entry #%1 was changed after it was written (its %2 "
                                       "does not match its content).")
                            .arg(entry.id)
                            .arg(entry.version == 2 ? QStringLiteral("HMAC")
                                                    : QStringLiteral("hash"))));
        }
        ++report.entries;
        report.keyedEntries += entry.version == 2;
        report.legacyEntries += entry.version == 1;
        keyedSeen = keyedSeen || entry.version == 2;
        report.lastId = entry.id;
        report.lastMac = entry.hash;
        report.lastVersion = entry.version;
        if (head && entry.id == head->lastId)
            headEntryMac = entry.hash;
        digest = nextDigest(digest, entry);
        previous = entry.hash;
        if (progress && report.entries % ProgressEvery == 0 &&
            !progress(report.entries, std::max(total, report.entries)))
            return cancelled();
    }
    if (progress && !progress(report.entries, std::max(total, report.entries)))
        return cancelled();
    if (!head)
        return report;
    if (!headEntryMac || report.entries < head->count) {
        fail(report.lastId + 1,
             makeError(QString(ErrorHeadMismatch),
                       QStringLiteral("The audit log %1 ends at entry #%2 (%3 entries), but the "
                                      "keychain's head says it reached entry #%4 (%5 entries): "
                                      "the newest entries, from #%6 on, were deleted. %7")
                           .arg(m_path)
                           .arg(report.lastId)
                           .arg(report.entries)
                           .arg(head->lastId)
                           .arg(head->count)
                           .arg(report.lastId + 1)
                           .arg(Evidence)));
    } else if (*headEntryMac != head->lastMac) {
        fail(head->lastId,
             makeError(QString(ErrorHeadMismatch),
                       QStringLiteral("Audit entry #%1 is not the entry the keychain's head "
                                      "recorded: the log was rewritten. %2")
                           .arg(head->lastId)
                           .arg(Evidence)));
    }
    return report;
}

Result<void> AuditStore::verifyChain() const
{
    auto report = inspect();
    if (!report)
        return report.error();
    if (report->problem)
        return *report->problem;
    return {};
}

Result<ChainReport> AuditStore::tail() const
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery query(m_db->connection());
    if (!query.exec(QStringLiteral("SELECT id, hash, version, (SELECT COUNT(*) FROM "
                                   "audit_entries) FROM audit_entries ORDER BY id DESC LIMIT 1")))
        return storageError(QStringLiteral("read the last entry"), query.lastError());
    ChainReport report;
    if (query.next()) {
        report.lastId = query.value(0).toLongLong();
        report.lastMac = query.value(1).toString();
        report.lastVersion = query.value(2).toInt();
        report.entries = query.value(3).toLongLong();
    }
    return report;
}

bool AuditStore::authenticates(const AuditEntry &entry) const
{
    QMutexLocker lock(&m_mutex);
    return authentic(entry, m_key);
}

void AuditStore::useKey(const QByteArray &key)
{
    QMutexLocker lock(&m_mutex);
    m_key = key;
}

Result<QString> AuditStore::segmentDigest(qint64 count) const
{
    QMutexLocker lock(&m_mutex);
    QSqlQuery query(m_db->connection());
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT ") + ColumnList +
                    QStringLiteral(" FROM audit_entries ORDER BY id ASC LIMIT %1").arg(count)))
        return storageError(QStringLiteral("read entries"), query.lastError());
    QByteArray digest(32, '\0');
    while (query.next())
        digest = nextDigest(digest, entryFrom(query));
    return QString::fromLatin1(digest.toHex());
}

QByteArray nextEntryDigest(const QByteArray &digest, const AuditEntry &entry)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(digest);
    hash.addData(entry.canonicalBytes());
    hash.addData(entry.hash.toLatin1());
    return hash.result();
}

} // namespace kw::audit
