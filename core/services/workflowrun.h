#pragma once
// Key workflows as the console runs them: the environment built from an open connection (its
// registry clients and KMS settings, the census of its cluster, the consumer groups reading
// its topics), audit hooks that write the application's audit log from a worker thread, and
// jobs that plan and run a workflow off the GUI thread.

#include "core/services/job.h"
#include "core/workflows/workflow.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>

namespace kw::audit {
class AuditLog;
}

namespace kw::services {

class Connection;

// What a workflow needs from a connection, copied so the worker never touches the connection
// (a QObject of the GUI thread) itself.
struct WorkflowSources
{
    std::shared_ptr<registry::DekRegistryClient> keys;
    std::shared_ptr<registry::SchemaRegistryClient> schemas;
    kms::KmsSettings kms;
    kafka::KafkaSettings kafka;
    bool hasKafka = false;
    QString profile;
    QString registryUrl;

    static WorkflowSources of(const Connection &connection);
};

struct WorkflowOptions
{
    census::Policy policy;
    QString censusFolder; // empty: CensusState::defaultFolder()
    QString journalPath;  // empty: Journal::defaultPath()

    // journalPath, or the default.
    [[nodiscard]] QString journalFile() const;
    // censusFolder, or the default.
    [[nodiscard]] QString censusDirectory() const;
};

// Blocking (a worker thread): the environment over `sources`, with the census of the
// connection's cluster loaded per topic when one was taken, and the consumer groups read from
// the cluster when there is one. `cancel` may be null.
workflows::Environment workflowEnvironment(const WorkflowSources &sources,
                                           const WorkflowOptions &options,
                                           const std::atomic_bool *cancel);

// Hooks that append to `log` — which lives in `logThread`'s thread, where an event loop runs
// (the GUI thread, the CLI's main thread) — from the worker running the workflow. A null log
// writes nothing and says so in the step's result.
workflows::AuditHooks auditHooksFor(std::shared_ptr<audit::AuditLog> log, QObject *logThread,
                                    const WorkflowSources &sources);

// Plans `request` on a worker.
ValueJob<workflows::Plan> *planWorkflowJob(const WorkflowSources &sources,
                                           const WorkflowOptions &options,
                                           const workflows::Request &request,
                                           QObject *parent = nullptr);

// Journals `plan` as a new run (operator: the OS account) and runs it on a worker; progress
// counts steps, and cancelling stops between steps (the run stays resumable).
ValueJob<workflows::RunRecord> *startWorkflowJob(const WorkflowSources &sources,
                                                 const WorkflowOptions &options,
                                                 const workflows::Plan &plan,
                                                 workflows::AuditHooks audit,
                                                 QObject *parent = nullptr);
// Resumes journalled run `runId` the same way.
ValueJob<workflows::RunRecord> *resumeWorkflowJob(const WorkflowSources &sources,
                                                  const WorkflowOptions &options, qint64 runId,
                                                  workflows::AuditHooks audit,
                                                  QObject *parent = nullptr);
// The unfinished runs of the journal made against `registryUrl` (every registry when empty).
// Without a journal file there are none, and none is created. Blocking, but quick: for a job or
// the CLI.
Result<QList<workflows::RunRecord>> unfinishedRuns(const WorkflowOptions &options,
                                                   const QString &registryUrl = {});

} // namespace kw::services
