#include "core/census/censusstate.h"

#include "core/domain/privatefiles.h"
#include "core/store/database.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

namespace kw::census {

namespace {

const char *const kProtectionColumns[ProtectionKinds] = {
    "csfle_field", "csfle_payload", "sr_plain", "not_sr_framed", "tombstone", "undecodable"};

QList<store::Migration> schema()
{
    return {store::Migration::sql(
        1, QStringLiteral("create the census tables"),
        {QStringLiteral("CREATE TABLE positions (topic TEXT NOT NULL, partition INTEGER NOT NULL, "
                        "next_offset INTEGER NOT NULL, missed INTEGER NOT NULL DEFAULT 0, "
                        "PRIMARY KEY (topic, partition))"),
         QStringLiteral("CREATE TABLE dek_usage (topic TEXT NOT NULL, kek TEXT NOT NULL, "
                        "subject TEXT NOT NULL, algorithm TEXT NOT NULL, version INTEGER NOT NULL, "
                        "encryptions INTEGER NOT NULL, records INTEGER NOT NULL, "
                        "unprefixed INTEGER NOT NULL, first_ts INTEGER, first_partition INTEGER, "
                        "first_offset INTEGER, last_ts INTEGER, last_partition INTEGER, "
                        "last_offset INTEGER, "
                        "PRIMARY KEY (topic, kek, subject, algorithm, version))"),
         QStringLiteral("CREATE TABLE topic_counts (topic TEXT PRIMARY KEY, records INTEGER NOT "
                        "NULL, csfle_field INTEGER NOT NULL, csfle_payload INTEGER NOT NULL, "
                        "sr_plain INTEGER NOT NULL, not_sr_framed INTEGER NOT NULL, tombstone "
                        "INTEGER NOT NULL, undecodable INTEGER NOT NULL)"),
         QStringLiteral("CREATE TABLE problems (topic TEXT NOT NULL, heading TEXT NOT NULL, "
                        "count INTEGER NOT NULL, example_ts INTEGER, example_partition INTEGER, "
                        "example_offset INTEGER, message TEXT, PRIMARY KEY (topic, heading))")})};
}

Sighting sighting(const QString &topic, const QVariant &ts, const QVariant &partition,
                  const QVariant &offset)
{
    if (offset.isNull())
        return {};
    return {ts.toLongLong(), topic, partition.toInt(), offset.toLongLong()};
}

} // namespace

CensusState::CensusState(std::shared_ptr<store::Database> db)
    : m_db(std::move(db))
{}

CensusState::~CensusState() = default;

QString CensusState::pathFor(const QString &folder, const QString &bootstrapServers)
{
    const QByteArray id =
        QCryptographicHash::hash(bootstrapServers.trimmed().toUtf8(), QCryptographicHash::Sha256)
            .toHex()
            .left(16);
    return QDir(folder).filePath(QStringLiteral("census-%1.sqlite").arg(QString::fromLatin1(id)));
}

QString CensusState::defaultFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/census");
}

Result<std::unique_ptr<CensusState>> CensusState::open(const QString &path)
{
    if (!path.isEmpty()) {
        const QString folder = QFileInfo(path).absolutePath();
        if (auto ok = makePrivateFolder(folder); !ok)
            return makeError(QStringLiteral("census.state"),
                             QStringLiteral("The census folder %1 could not be created: %2")
                                 .arg(folder, ok.error().message));
        if (auto ok = makePrivateFile(path); !ok)
            return makeError(QStringLiteral("census.state"),
                             QStringLiteral("The census state %1 could not be created: %2")
                                 .arg(path, ok.error().message));
    }
    auto db = store::Database::open({.path = path,
                                     .purpose = QStringLiteral("census state"),
                                     .synchronousNormal = true, // counts can be redone
                                     .migrations = schema()});
    if (!db)
        return db.error();
    return std::unique_ptr<CensusState>(new CensusState(std::move(*db)));
}

QString CensusState::path() const
{
    return m_db->path();
}

Result<QList<PartitionPosition>> CensusState::positions() const
{
    QSqlQuery q(m_db->connection());
    if (!q.exec(QStringLiteral("SELECT topic, partition, next_offset, missed FROM positions "
                               "ORDER BY topic, partition")))
        return m_db->error(QStringLiteral("census.state"), QStringLiteral("read the positions"),
                           q.lastError());
    QList<PartitionPosition> out;
    while (q.next())
        out.append({q.value(0).toString(), q.value(1).toInt(), q.value(2).toLongLong(),
                    q.value(3).toLongLong()});
    return out;
}

Result<QHash<int, PartitionPosition>> CensusState::positions(const QString &topic) const
{
    auto all = positions();
    if (!all)
        return all.error();
    QHash<int, PartitionPosition> out;
    for (const PartitionPosition &p : std::as_const(*all)) {
        if (p.topic == topic)
            out.insert(p.partition, p);
    }
    return out;
}

Result<void> CensusState::commit(const QString &topic, const Tally &counted,
                                 const QList<PartitionPosition> &moved)
{
    QSqlDatabase db = m_db->connection();
    QSqlQuery q(db);
    const auto fail = [&](const QString &what) {
        const Error e = m_db->error(QStringLiteral("census.state"), what, q.lastError());
        q.exec(QStringLiteral("ROLLBACK"));
        return Result<void>(e);
    };
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return fail(QStringLiteral("take its write lock"));

    const auto &deks = counted.dekVersions();
    for (auto it = deks.cbegin(); it != deks.cend(); ++it) {
        const DekVersionKey &k = it.key();
        Tally merged;
        q.prepare(QStringLiteral(
            "SELECT encryptions, records, unprefixed, first_ts, first_partition, first_offset, "
            "last_ts, last_partition, last_offset FROM dek_usage WHERE topic = ? AND kek = ? AND "
            "subject = ? AND algorithm = ? AND version = ?"));
        q.addBindValue(topic);
        q.addBindValue(k.kek);
        q.addBindValue(k.subject);
        q.addBindValue(k.algorithm);
        q.addBindValue(k.version);
        if (!q.exec())
            return fail(QStringLiteral("read a DEK version's counts"));
        if (q.next()) {
            DekVersionUsage stored;
            stored.encryptions = q.value(0).toLongLong();
            stored.records = q.value(1).toLongLong();
            stored.unprefixed = q.value(2).toLongLong();
            stored.first = sighting(topic, q.value(3), q.value(4), q.value(5));
            stored.last = sighting(topic, q.value(6), q.value(7), q.value(8));
            stored.topics.insert(topic, stored.encryptions);
            merged.addUsage(k, stored);
        }
        merged.addUsage(k, it.value());
        const DekVersionUsage &u = merged.dekVersions().value(k);
        q.prepare(QStringLiteral(
            "INSERT OR REPLACE INTO dek_usage (topic, kek, subject, algorithm, version, "
            "encryptions, records, unprefixed, first_ts, first_partition, first_offset, last_ts, "
            "last_partition, last_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        for (const QVariant &v :
             {QVariant(topic), QVariant(k.kek), QVariant(k.subject), QVariant(k.algorithm),
              QVariant(k.version), QVariant(u.encryptions), QVariant(u.records),
              QVariant(u.unprefixed), QVariant(u.first.timestampMs), QVariant(u.first.partition),
              QVariant(u.first.offset), QVariant(u.last.timestampMs), QVariant(u.last.partition),
              QVariant(u.last.offset)})
            q.addBindValue(v);
        if (!q.exec())
            return fail(QStringLiteral("store a DEK version's counts"));
    }

    if (const auto t = counted.topics().constFind(topic); t != counted.topics().cend()) {
        QString sql = QStringLiteral(
            "INSERT INTO topic_counts (topic, records, csfle_field, csfle_payload, sr_plain, "
            "not_sr_framed, tombstone, undecodable) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (topic) DO UPDATE SET records = records + excluded.records");
        for (const char *column : kProtectionColumns)
            sql += QStringLiteral(", %1 = %1 + excluded.%1").arg(QLatin1String(column));
        q.prepare(sql);
        q.addBindValue(topic);
        q.addBindValue(t->records);
        for (qint64 n : t->protection)
            q.addBindValue(n);
        if (!q.exec())
            return fail(QStringLiteral("store a topic's counts"));
    }

    // On a second sighting of a problem, the example that comes first by partition, then
    // offset, stays (Problem::exampleBefore); every expression sees the row as it was.
    static const QString storeProblem =
        QStringLiteral(
            "INSERT INTO problems (topic, heading, count, example_ts, example_partition, "
            "example_offset, message) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (topic, heading) DO UPDATE SET count = count + excluded.count, "
            "example_ts = CASE WHEN %1 THEN excluded.example_ts ELSE example_ts END, "
            "example_partition = CASE WHEN %1 THEN excluded.example_partition "
            "ELSE example_partition END, "
            "example_offset = CASE WHEN %1 THEN excluded.example_offset ELSE example_offset END, "
            "message = CASE WHEN %1 THEN excluded.message ELSE message END")
            .arg(QLatin1String("(excluded.example_partition < example_partition OR "
                               "(excluded.example_partition = example_partition AND "
                               "excluded.example_offset < example_offset))"));
    const auto problems = counted.problems().value(topic);
    for (auto p = problems.cbegin(); p != problems.cend(); ++p) {
        q.prepare(storeProblem);
        for (const QVariant &v : {QVariant(topic), QVariant(p.key()), QVariant(p->count),
                                  QVariant(p->example.timestampMs), QVariant(p->example.partition),
                                  QVariant(p->example.offset), QVariant(p->message)})
            q.addBindValue(v);
        if (!q.exec())
            return fail(QStringLiteral("store a problem"));
    }

    for (const PartitionPosition &p : moved) {
        q.prepare(QStringLiteral(
            "INSERT INTO positions (topic, partition, next_offset, missed) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset, "
            "missed = excluded.missed"));
        q.addBindValue(topic);
        q.addBindValue(p.partition);
        q.addBindValue(p.nextOffset);
        q.addBindValue(p.missed);
        if (!q.exec())
            return fail(QStringLiteral("store a partition's position"));
    }
    if (!q.exec(QStringLiteral("COMMIT")))
        return fail(QStringLiteral("commit the counts"));
    return {};
}

Result<Tally> CensusState::load(const QStringList &topics) const
{
    QSqlQuery q(m_db->connection());
    const auto wanted = [&topics](const QString &topic) {
        return topics.isEmpty() || topics.contains(topic);
    };
    const auto fail = [&](const QString &what) {
        return Result<Tally>(m_db->error(QStringLiteral("census.state"), what, q.lastError()));
    };
    Tally tally;
    if (!q.exec(QStringLiteral(
            "SELECT topic, kek, subject, algorithm, version, encryptions, records, unprefixed, "
            "first_ts, first_partition, first_offset, last_ts, last_partition, last_offset FROM "
            "dek_usage ORDER BY topic")))
        return fail(QStringLiteral("read the DEK versions' counts"));
    while (q.next()) {
        const QString topic = q.value(0).toString();
        if (!wanted(topic))
            continue;
        DekVersionUsage u;
        u.encryptions = q.value(5).toLongLong();
        u.records = q.value(6).toLongLong();
        u.unprefixed = q.value(7).toLongLong();
        u.first = sighting(topic, q.value(8), q.value(9), q.value(10));
        u.last = sighting(topic, q.value(11), q.value(12), q.value(13));
        u.topics.insert(topic, u.encryptions);
        tally.addUsage({q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                        q.value(4).toInt()},
                       u);
    }
    if (!q.exec(QStringLiteral("SELECT topic, records, csfle_field, csfle_payload, sr_plain, "
                               "not_sr_framed, tombstone, undecodable FROM topic_counts")))
        return fail(QStringLiteral("read the topics' counts"));
    while (q.next()) {
        if (!wanted(q.value(0).toString()))
            continue;
        TopicCensus t;
        t.records = q.value(1).toLongLong();
        for (int i = 0; i < ProtectionKinds; ++i)
            t.protection[size_t(i)] = q.value(2 + i).toLongLong();
        tally.addTopic(q.value(0).toString(), t);
    }
    if (!q.exec(QStringLiteral("SELECT topic, heading, count, example_ts, example_partition, "
                               "example_offset, message FROM problems")))
        return fail(QStringLiteral("read the problems"));
    while (q.next()) {
        const QString topic = q.value(0).toString();
        if (!wanted(topic))
            continue;
        Problem p;
        p.count = q.value(2).toLongLong();
        p.example = sighting(topic, q.value(3), q.value(4), q.value(5));
        p.message = q.value(6).toString();
        tally.addProblem(topic, q.value(1).toString(), p);
    }
    return tally;
}

Result<void> CensusState::clear()
{
    QSqlQuery q(m_db->connection());
    const auto fail = [&] {
        const Error e = m_db->error(QStringLiteral("census.state"),
                                    QStringLiteral("clear the census"), q.lastError());
        q.exec(QStringLiteral("ROLLBACK"));
        return Result<void>(e);
    };
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return fail();
    for (const char *table : {"positions", "dek_usage", "topic_counts", "problems"}) {
        if (!q.exec(QStringLiteral("DELETE FROM %1").arg(QLatin1String(table))))
            return fail();
    }
    if (!q.exec(QStringLiteral("COMMIT")))
        return fail();
    return {};
}

Result<CensusTotals> CensusState::loadFolder(const QString &folder, const QString &bootstrapServers)
{
    CensusTotals totals;
    if (!bootstrapServers.trimmed().isEmpty()) {
        const QString path = pathFor(folder, bootstrapServers);
        if (QFileInfo::exists(path))
            totals.files.append(path);
    } else {
        for (const QFileInfo &f :
             QDir(folder).entryInfoList({QStringLiteral("census-*.sqlite")}, QDir::Files))
            totals.files.append(f.absoluteFilePath());
    }
    for (const QString &file : std::as_const(totals.files)) {
        auto state = open(file);
        if (!state)
            return state.error();
        auto tally = (*state)->load();
        if (!tally)
            return tally.error();
        totals.tally.merge(*tally);
        auto positions = (*state)->positions();
        if (!positions)
            return positions.error();
        for (const PartitionPosition &p : std::as_const(*positions))
            totals.missed[p.topic] += p.missed;
    }
    return totals;
}

} // namespace kw::census
