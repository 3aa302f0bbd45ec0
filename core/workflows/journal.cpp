#include "core/workflows/journal.h"

#include "core/domain/privatefiles.h"
#include "core/store/database.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

namespace kw::workflows {

namespace {

QList<store::Migration> schema()
{
    return {store::Migration::sql(
        1, QStringLiteral("create the workflow journal"),
        {QStringLiteral("CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT "
                        "NULL, plan TEXT NOT NULL, state TEXT NOT NULL, operator TEXT NOT NULL, "
                        "profile TEXT NOT NULL, registry TEXT NOT NULL, created_ms INTEGER NOT "
                        "NULL, updated_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL DEFAULT "
                        "0, message TEXT NOT NULL DEFAULT '')"),
         QStringLiteral("CREATE TABLE steps (run INTEGER NOT NULL REFERENCES runs(id), idx "
                        "INTEGER NOT NULL, step TEXT NOT NULL, state TEXT NOT NULL, attempts "
                        "INTEGER NOT NULL DEFAULT 0, old_blob TEXT NOT NULL DEFAULT '', old_sha "
                        "TEXT NOT NULL DEFAULT '', new_blob TEXT NOT NULL DEFAULT '', new_sha "
                        "TEXT NOT NULL DEFAULT '', original_ts INTEGER NOT NULL DEFAULT 0, "
                        "started_ms INTEGER NOT NULL DEFAULT 0, finished_ms INTEGER NOT NULL "
                        "DEFAULT 0, message TEXT NOT NULL DEFAULT '', audited INTEGER NOT NULL "
                        "DEFAULT 0, PRIMARY KEY (run, idx))")})};
}

const char *const RunStates[] = {"running", "stopped", "failed", "done", "abandoned"};
const char *const StepStates[] = {"pending", "sending", "done", "failed"};

template<typename E, std::size_t N>
E fromName(const char *const (&names)[N], const QString &name, E fallback)
{
    for (std::size_t i = 0; i < N; ++i)
        if (name == QLatin1String(names[i]))
            return E(i);
    return fallback;
}

// SQLite binds a null QString as NULL; the columns hold '' for "none".
QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

QString blob64(const QByteArray &blob)
{
    return text(QString::fromLatin1(blob.toBase64()));
}

} // namespace

QString runStateName(RunState state)
{
    return QString::fromLatin1(RunStates[int(state)]);
}

QString stepStateName(StepState state)
{
    return QString::fromLatin1(StepStates[int(state)]);
}

QJsonObject StepRecord::toJson() const
{
    QJsonObject o{{QStringLiteral("index"), index},
                  {QStringLiteral("step"), step.toJson()},
                  {QStringLiteral("state"), stepStateName(state)},
                  {QStringLiteral("attempts"), attempts},
                  {QStringLiteral("audited"), audited}};
    if (!oldBlob.isEmpty())
        o.insert(QStringLiteral("oldSha256"), blobDigest(oldBlob));
    if (!newBlob.isEmpty())
        o.insert(QStringLiteral("newSha256"), blobDigest(newBlob));
    if (originalTs > 0)
        o.insert(QStringLiteral("originalTs"), originalTs);
    if (startedMs > 0)
        o.insert(QStringLiteral("startedMs"), startedMs);
    if (finishedMs > 0)
        o.insert(QStringLiteral("finishedMs"), finishedMs);
    if (!message.isEmpty())
        o.insert(QStringLiteral("message"), message);
    return o;
}

QJsonObject RunRecord::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("action"), actionName(plan.action)},
                  {QStringLiteral("title"), plan.title},
                  {QStringLiteral("state"), runStateName(state)},
                  {QStringLiteral("operator"), operatorName},
                  {QStringLiteral("profile"), profile},
                  {QStringLiteral("registry"), registryUrl},
                  {QStringLiteral("createdMs"), createdMs},
                  {QStringLiteral("updatedMs"), updatedMs},
                  {QStringLiteral("steps"), int(plan.steps.size())},
                  {QStringLiteral("stepsDone"), stepsDone}};
    if (finishedMs > 0)
        o.insert(QStringLiteral("finishedMs"), finishedMs);
    if (!message.isEmpty())
        o.insert(QStringLiteral("message"), message);
    return o;
}

Journal::Journal(std::shared_ptr<store::Database> db)
    : m_db(std::move(db))
{}

Journal::~Journal() = default;

QString Journal::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/workflows.sqlite");
}

QString Journal::path() const
{
    return m_db->path();
}

Result<std::unique_ptr<Journal>> Journal::open(const QString &path)
{
    if (!path.isEmpty()) {
        const QString folder = QFileInfo(path).absolutePath();
        if (auto ok = makePrivateFolder(folder); !ok)
            return makeError(ErrorJournal,
                             QStringLiteral("The journal folder %1 could not be created: %2")
                                 .arg(folder, ok.error().message));
        if (auto ok = makePrivateFile(path); !ok)
            return makeError(ErrorJournal,
                             QStringLiteral("The workflow journal %1 could not be created: %2")
                                 .arg(path, ok.error().message));
    }
    // Full synchronous commits: a step's "sending" must be on disk before its request leaves.
    auto db = store::Database::open(
        {.path = path, .purpose = QStringLiteral("workflow journal"), .migrations = schema()});
    if (!db)
        return db.error();
    return std::unique_ptr<Journal>(new Journal(std::move(*db)));
}

Result<qint64> Journal::create(const Plan &plan, const QString &operatorName,
                               const QString &profile, const QString &registryUrl, qint64 nowMs)
{
    QSqlDatabase db = m_db->connection();
    if (!db.transaction())
        return m_db->error(ErrorJournal, QStringLiteral("start a run"), db.lastError());
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO runs (action, plan, state, operator, profile, registry, "
                             "created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(actionName(plan.action));
    q.addBindValue(QString::fromUtf8(QJsonDocument(plan.toJson()).toJson(QJsonDocument::Compact)));
    q.addBindValue(runStateName(RunState::Running));
    q.addBindValue(text(operatorName));
    q.addBindValue(text(profile));
    q.addBindValue(text(registryUrl));
    q.addBindValue(nowMs);
    q.addBindValue(nowMs);
    if (!q.exec()) {
        db.rollback();
        return m_db->error(ErrorJournal, QStringLiteral("record a run"), q.lastError());
    }
    const qint64 id = q.lastInsertId().toLongLong();
    for (int i = 0; i < plan.steps.size(); ++i) {
        const Step &step = plan.steps.at(i);
        QSqlQuery s(db);
        s.prepare(QStringLiteral("INSERT INTO steps (run, idx, step, state, old_blob, old_sha, "
                                 "original_ts) VALUES (?, ?, ?, ?, ?, ?, ?)"));
        s.addBindValue(id);
        s.addBindValue(i);
        s.addBindValue(
            QString::fromUtf8(QJsonDocument(step.toJson()).toJson(QJsonDocument::Compact)));
        s.addBindValue(stepStateName(StepState::Pending));
        s.addBindValue(blob64(step.plannedBlob));
        s.addBindValue(text(blobDigest(step.plannedBlob)));
        s.addBindValue(step.plannedTs);
        if (!s.exec()) {
            db.rollback();
            return m_db->error(ErrorJournal, QStringLiteral("record the steps"), s.lastError());
        }
    }
    if (!db.commit())
        return m_db->error(ErrorJournal, QStringLiteral("record a run"), db.lastError());
    return id;
}

Result<QList<RunRecord>> Journal::runs(bool unfinishedOnly) const
{
    QSqlQuery q(m_db->connection());
    QString sql = QStringLiteral(
        "SELECT r.id, r.plan, r.state, r.operator, r.profile, r.registry, r.created_ms, "
        "r.updated_ms, r.finished_ms, r.message, (SELECT COUNT(*) FROM steps s WHERE s.run = r.id "
        "AND s.state = 'done') FROM runs r");
    if (unfinishedOnly)
        sql += QStringLiteral(" WHERE r.state IN ('running', 'stopped', 'failed')");
    sql += QStringLiteral(" ORDER BY r.id DESC");
    if (!q.exec(sql))
        return m_db->error(ErrorJournal, QStringLiteral("read the runs"), q.lastError());
    QList<RunRecord> out;
    while (q.next()) {
        auto plan =
            Plan::fromJson(QJsonDocument::fromJson(q.value(1).toString().toUtf8()).object());
        if (!plan)
            return plan.error();
        RunRecord r;
        r.id = q.value(0).toLongLong();
        r.plan = *plan;
        r.state = fromName(RunStates, q.value(2).toString(), RunState::Failed);
        r.operatorName = q.value(3).toString();
        r.profile = q.value(4).toString();
        r.registryUrl = q.value(5).toString();
        r.createdMs = q.value(6).toLongLong();
        r.updatedMs = q.value(7).toLongLong();
        r.finishedMs = q.value(8).toLongLong();
        r.message = q.value(9).toString();
        r.stepsDone = q.value(10).toInt();
        out.append(r);
    }
    return out;
}

Result<RunRecord> Journal::run(qint64 id) const
{
    auto all = runs();
    if (!all)
        return all.error();
    for (const RunRecord &r : std::as_const(*all))
        if (r.id == id)
            return r;
    return makeError(QStringLiteral("workflow.no_such_run"),
                     QStringLiteral("The journal %1 has no run %2: list the runs with "
                                    "'keywarden-cli journal list'.")
                         .arg(path())
                         .arg(id));
}

Result<QList<StepRecord>> Journal::steps(qint64 runId) const
{
    QSqlQuery q(m_db->connection());
    q.prepare(QStringLiteral("SELECT idx, step, state, attempts, old_blob, new_blob, original_ts, "
                             "started_ms, finished_ms, message, audited FROM steps WHERE run = ? "
                             "ORDER BY idx"));
    q.addBindValue(runId);
    if (!q.exec())
        return m_db->error(ErrorJournal, QStringLiteral("read the steps"), q.lastError());
    QList<StepRecord> out;
    while (q.next()) {
        auto step =
            Step::fromJson(QJsonDocument::fromJson(q.value(1).toString().toUtf8()).object());
        if (!step)
            return step.error();
        StepRecord r;
        r.index = q.value(0).toInt();
        r.step = *step;
        r.state = fromName(StepStates, q.value(2).toString(), StepState::Pending);
        r.attempts = q.value(3).toInt();
        r.oldBlob = QByteArray::fromBase64(q.value(4).toString().toLatin1());
        r.newBlob = QByteArray::fromBase64(q.value(5).toString().toLatin1());
        r.originalTs = q.value(6).toLongLong();
        r.startedMs = q.value(7).toLongLong();
        r.finishedMs = q.value(8).toLongLong();
        r.message = q.value(9).toString();
        r.audited = q.value(10).toBool();
        out.append(r);
    }
    return out;
}

Result<void> Journal::setRunState(qint64 runId, RunState state, const QString &message,
                                  qint64 nowMs)
{
    QSqlQuery q(m_db->connection());
    q.prepare(QStringLiteral("UPDATE runs SET state = ?, message = ?, updated_ms = ?, finished_ms "
                             "= ? WHERE id = ?"));
    q.addBindValue(runStateName(state));
    q.addBindValue(text(message));
    q.addBindValue(nowMs);
    q.addBindValue(state == RunState::Done || state == RunState::Abandoned ? nowMs : qint64(0));
    q.addBindValue(runId);
    if (!q.exec())
        return m_db->error(ErrorJournal, QStringLiteral("update run %1").arg(runId), q.lastError());
    return {};
}

Result<void> Journal::saveStep(qint64 runId, const StepRecord &r, qint64 nowMs)
{
    QSqlDatabase db = m_db->connection();
    if (!db.transaction())
        return m_db->error(ErrorJournal, QStringLiteral("update a step"), db.lastError());
    QSqlQuery q(db);
    q.prepare(
        QStringLiteral("UPDATE steps SET state = ?, attempts = ?, old_blob = ?, old_sha = ?, "
                       "new_blob = ?, new_sha = ?, original_ts = ?, started_ms = ?, "
                       "finished_ms = ?, message = ?, audited = ? WHERE run = ? AND idx = ?"));
    q.addBindValue(stepStateName(r.state));
    q.addBindValue(r.attempts);
    q.addBindValue(blob64(r.oldBlob));
    q.addBindValue(text(blobDigest(r.oldBlob)));
    q.addBindValue(blob64(r.newBlob));
    q.addBindValue(text(blobDigest(r.newBlob)));
    q.addBindValue(r.originalTs);
    q.addBindValue(r.startedMs);
    q.addBindValue(r.finishedMs);
    q.addBindValue(text(r.message));
    q.addBindValue(r.audited ? 1 : 0);
    q.addBindValue(runId);
    q.addBindValue(r.index);
    QSqlQuery u(db);
    u.prepare(QStringLiteral("UPDATE runs SET updated_ms = ? WHERE id = ?"));
    u.addBindValue(nowMs);
    u.addBindValue(runId);
    if (!q.exec() || !u.exec()) {
        const QSqlError e = q.lastError().isValid() ? q.lastError() : u.lastError();
        db.rollback();
        return m_db->error(ErrorJournal,
                           QStringLiteral("update step %1 of run %2").arg(r.index).arg(runId), e);
    }
    if (!db.commit())
        return m_db->error(ErrorJournal, QStringLiteral("update a step"), db.lastError());
    return {};
}

} // namespace kw::workflows
