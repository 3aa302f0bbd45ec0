#pragma once
// Planning and running key workflows. Both block: call them from a worker thread (a Job, or
// the CLI's worker), never from the thread of the registry clients' transport, which must keep
// running its event loop.
//
// planWorkflow() reads the registries afresh, applies the registry's order rules
// (workflow-facts §4: soft before permanent, DEKs before their KEK, undelete under a live KEK)
// and the policy's grace period, and returns the plan with its blast radius — or a refusal
// that names the object and the next step. runWorkflow() carries out a journalled plan step by
// step: each step is checked against the registry before it is sent (so a step that already
// happened is never repeated, and a resumed run neither repeats nor skips one), transient
// failures are retried with backoff, and a conflict (someone else rotated) stops the run
// rather than being retried blindly.

#include "core/audit/auditstore.h"
#include "core/census/censustally.h"
#include "core/census/schedule.h"
#include "core/domain/clock.h"
#include "core/kms/kms.h"
#include "core/workflows/journal.h"
#include "core/workflows/plan.h"

#include <QMap>

#include <atomic>
#include <functional>

namespace kw::registry {
class DekRegistryClient;
class SchemaRegistryClient;
} // namespace kw::registry

namespace kw::workflows {

// What planning and running use: the registries, the KMS, and what is known about the data.
struct Environment
{
    registry::DekRegistryClient *keys = nullptr;
    registry::SchemaRegistryClient *schemas = nullptr;
    kms::KmsRegistry kmsDrivers = kms::KmsRegistry::withBuiltInDrivers();
    kms::KmsSettings kmsSettings;
    census::Policy policy;
    // The census of the cluster per topic (CensusState::load({topic})); empty with
    // `censusUnknown` saying why when there is none.
    QMap<QString, census::Tally> censusByTopic;
    QString censusUnknown;
    // The consumer groups reading any of `topics` (the Kafka admin API); null when the profile
    // has no Kafka cluster, with `groupsUnknown` saying so.
    std::function<Result<QList<GroupImpact>>(const QStringList &topics)> consumerGroups;
    QString groupsUnknown;
    const Clock *clock = &Clock::system();
    const std::atomic_bool *cancel = nullptr;
    // Transient failures (unreachable, timeouts, 5xx, an unavailable KMS) are retried up to
    // this many attempts per call, waiting retryBaseMs, doubling, with jitter.
    int maxAttempts = 6;
    int retryBaseMs = 100;
};

struct Request
{
    Action action = Action::RotateDek;
    QString kek;
    QString subject;   // DEK subject; rewrap: empty for every subject of the KEK
    QString algorithm; // empty: the subject's only algorithm (rotate), every one (delete)
    int version = 0;   // delete/undelete: 0 for every version
    bool permanent = false;
    // Switch: the KEK to move to and, when it does not exist yet, how to register it.
    QString targetKek;
    QString kmsType;
    QString kmsKeyId;
    bool targetShared = false;
    // Permanent delete of rows soft-deleted less than the grace period ago.
    bool overrideGracePeriod = false;
};

Result<Plan> planWorkflow(const Request &request, Environment &env);

// How a run writes the audit log: one entry per step, exactly once even across a kill between
// the entry and the journal's note of it (recorded() is asked first on resume).
struct AuditHooks
{
    std::function<Result<void>(audit::AuditEntry entry)> append;
    // Whether an entry for (run, step) is already in the log, looking at entries since
    // `sinceMs`.
    std::function<Result<bool>(qint64 runId, int step, qint64 sinceMs)> recorded;
    QString profile;
    QString registryUrl;
};
// The audit action of a step ("workflow.dek.rewrap", ...).
QString auditAction(StepKind kind);

struct RunCallbacks
{
    // After each step changes state.
    std::function<void(const StepRecord &record, int total)> stepChanged;
};

// Runs (or resumes) run `runId` of `journal` until it is done, a step fails, or `env.cancel`
// is set (checked between steps). Returns the run as journalled at the end; its state says
// which. Fails only when the journal itself cannot be read or written.
Result<RunRecord> runWorkflow(Journal &journal, qint64 runId, Environment &env,
                              const AuditHooks &audit, const RunCallbacks &callbacks = {});

} // namespace kw::workflows
