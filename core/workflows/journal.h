#pragma once
// The workflow journal: every run of a key workflow in SQLite — the plan as confirmed, who ran
// it against which registry, and per step its state, attempts, the old and new wrapped key
// (with their SHA-256) and the `ts` it replaced, and its times. A step is marked "sending"
// before its change goes out and "done" once the registry shows it, so a run killed at any
// point resumes from here: the runner checks a "sending" step against the registry before
// doing anything again. The registry keeps no history of rewraps or deletions (workflow-facts
// §1.3): this is where it lives. The file is the user's alone (0600, in a 0700 folder).

#include "core/domain/result.h"
#include "core/workflows/plan.h"

#include <QList>
#include <QString>

#include <memory>

namespace kw::store {
class Database;
}

namespace kw::workflows {

enum class RunState
{
    Running,   // started (or resumed) and not finished: resumable
    Stopped,   // cancelled between steps: resumable
    Failed,    // a step failed: resumable once the cause is fixed
    Done,      // every step done
    Abandoned, // the admin gave it up; the journal keeps it
};
QString runStateName(RunState state);

enum class StepState
{
    Pending,
    Sending, // the change may have reached the registry: check before doing it again
    Done,
    Failed,
};
QString stepStateName(StepState state);

struct StepRecord
{
    int index = 0;
    Step step;
    StepState state = StepState::Pending;
    int attempts = 0;
    QByteArray oldBlob; // the wrapped key before the step (rewrap)
    QByteArray newBlob; // the wrapped key it sent (rewrap, rotate of a non-shared KEK)
    qint64 originalTs = 0;
    qint64 startedMs = 0;
    qint64 finishedMs = 0;
    QString message; // the outcome or the error, for people
    bool audited = false;

    [[nodiscard]] QJsonObject toJson() const;
};

struct RunRecord
{
    qint64 id = 0;
    Plan plan;
    RunState state = RunState::Running;
    QString operatorName;
    QString profile;
    QString registryUrl;
    qint64 createdMs = 0;
    qint64 updatedMs = 0;
    qint64 finishedMs = 0;
    QString message;
    int stepsDone = 0;

    [[nodiscard]] bool isUnfinished() const
    {
        return state == RunState::Running || state == RunState::Stopped ||
               state == RunState::Failed;
    }
    [[nodiscard]] QJsonObject toJson() const;
};

class Journal
{
public:
    // Opens or creates the journal at `path` (its folder made private); empty: in memory.
    static Result<std::unique_ptr<Journal>> open(const QString &path);
    // "workflows.sqlite" in the data folder.
    static QString defaultPath();
    ~Journal();

    // Records a new run of `plan` with every step pending; returns its id.
    Result<qint64> create(const Plan &plan, const QString &operatorName, const QString &profile,
                          const QString &registryUrl, qint64 nowMs);
    Result<RunRecord> run(qint64 id) const;
    Result<QList<StepRecord>> steps(qint64 runId) const;
    // Newest first; only unfinished ones when asked.
    Result<QList<RunRecord>> runs(bool unfinishedOnly = false) const;

    Result<void> setRunState(qint64 runId, RunState state, const QString &message, qint64 nowMs);
    // Writes the step's state and details in one statement.
    Result<void> saveStep(qint64 runId, const StepRecord &record, qint64 nowMs);

    [[nodiscard]] QString path() const;

private:
    explicit Journal(std::shared_ptr<store::Database> db);
    std::shared_ptr<store::Database> m_db;
};

} // namespace kw::workflows
