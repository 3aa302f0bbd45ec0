#include "core/services/workflowrun.h"

#include "core/audit/auditlog.h"
#include "core/census/censusstate.h"
#include "core/kafka/consumergroups.h"
#include "core/registry/dekregistryclient.h"
#include "core/services/connection.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QMetaObject>
#include <QThread>

#include <optional>

namespace kw::services {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("kw::services::WorkflowRun", text);
}

// Runs `f` in `context`'s thread and waits for it; `f` runs at once when that is this thread.
template<typename T>
T inThreadOf(QObject *context, std::function<T()> f)
{
    if (QThread::currentThread() == context->thread())
        return f();
    std::optional<T> out;
    QMetaObject::invokeMethod(
        context, [&] { out.emplace(f()); }, Qt::BlockingQueuedConnection);
    return std::move(*out);
}

void loadCensus(const WorkflowSources &sources, const WorkflowOptions &options,
                workflows::Environment &env)
{
    if (!sources.hasKafka) {
        env.censusUnknown = tr("The connection has no Kafka cluster: which topics hold data "
                               "under these keys is not known.");
        return;
    }
    const QString path =
        census::CensusState::pathFor(options.censusDirectory(), sources.kafka.bootstrapServers);
    if (!QFileInfo::exists(path)) {
        env.censusUnknown = tr("No census of this cluster yet: which topics hold data under "
                               "these keys is not known (take one in the Rotation view or "
                               "with 'keywarden-cli census').");
        return;
    }
    auto state = census::CensusState::open(path);
    if (!state) {
        env.censusUnknown = tr("The census could not be read: %1").arg(state.error().message);
        return;
    }
    auto positions = (*state)->positions();
    if (!positions) {
        env.censusUnknown = tr("The census could not be read: %1").arg(positions.error().message);
        return;
    }
    QStringList topics;
    for (const census::PartitionPosition &p : std::as_const(*positions))
        if (!topics.contains(p.topic))
            topics.append(p.topic);
    for (const QString &topic : std::as_const(topics)) {
        auto tally = (*state)->load({topic});
        if (tally)
            env.censusByTopic.insert(topic, *tally);
    }
    if (env.censusByTopic.isEmpty())
        env.censusUnknown = tr("The census of this cluster has counted nothing yet.");
}

ValueJob<workflows::RunRecord> *runJob(const WorkflowSources &sources,
                                       const WorkflowOptions &options,
                                       std::optional<workflows::Plan> plan, qint64 runId,
                                       workflows::AuditHooks audit, QObject *parent)
{
    const QString title = plan ? plan->title : tr("Resume workflow run %1").arg(runId);
    return new ValueJob<workflows::RunRecord>(
        title,
        [sources, options, plan, runId, audit](JobContext &ctx) -> Result<workflows::RunRecord> {
            auto journal = workflows::Journal::open(options.journalFile());
            if (!journal)
                return journal.error();
            workflows::Environment env = workflowEnvironment(sources, options, &ctx.cancelFlag());
            qint64 id = runId;
            if (plan) {
                auto created =
                    (*journal)->create(*plan, audit::AuditStore::osUserName(), sources.profile,
                                       sources.registryUrl, env.clock->nowMs());
                if (!created)
                    return created.error();
                id = *created;
            }
            workflows::RunCallbacks callbacks;
            callbacks.stepChanged = [&ctx](const workflows::StepRecord &r, int total) {
                const int done = r.state == workflows::StepState::Done ? r.index + 1 : r.index;
                ctx.setProgress(done, total,
                                tr("Step %1 of %2: %3 — %4")
                                    .arg(r.index + 1)
                                    .arg(total)
                                    .arg(r.step.description, workflows::stepStateName(r.state)));
            };
            return workflows::runWorkflow(**journal, id, env, audit, callbacks);
        },
        parent);
}

} // namespace

WorkflowSources WorkflowSources::of(const Connection &connection)
{
    WorkflowSources s;
    s.keys = connection.dekRegistry();
    s.schemas = connection.schemaRegistry();
    s.kms = connection.profile().kms;
    s.kafka = connection.kafkaSettings();
    s.hasKafka = connection.hasKafka();
    s.profile = connection.displayName();
    s.registryUrl = connection.registryUrl();
    return s;
}

workflows::Environment workflowEnvironment(const WorkflowSources &sources,
                                           const WorkflowOptions &options,
                                           const std::atomic_bool *cancel)
{
    workflows::Environment env;
    env.keys = sources.keys.get();
    env.schemas = sources.schemas.get();
    env.kmsSettings = sources.kms;
    env.policy = options.policy;
    env.cancel = cancel;
    loadCensus(sources, options, env);
    if (!sources.hasKafka) {
        env.groupsUnknown = tr("The connection has no Kafka cluster: its consumer groups are "
                               "not known.");
    } else {
        const kafka::KafkaSettings settings = sources.kafka;
        env.consumerGroups =
            [settings](const QStringList &topics) -> Result<QList<workflows::GroupImpact>> {
            auto groups = kafka::consumerGroupsReading(settings, topics);
            if (!groups)
                return groups.error();
            QList<workflows::GroupImpact> out;
            for (const kafka::ConsumerGroupInfo &g : std::as_const(*groups))
                out.append({g.groupId, g.state, g.topics});
            return out;
        };
    }
    return env;
}

workflows::AuditHooks auditHooksFor(std::shared_ptr<audit::AuditLog> log, QObject *logThread,
                                    const WorkflowSources &sources)
{
    workflows::AuditHooks hooks;
    hooks.profile = sources.profile;
    hooks.registryUrl = sources.registryUrl;
    if (!log || !logThread) {
        hooks.append = [](audit::AuditEntry) -> Result<void> {
            return makeError(QStringLiteral("audit.unavailable"),
                             tr("The audit log is not open: the workflow stops rather than act "
                                "unrecorded. Open the audit log and resume the run."));
        };
        return hooks;
    }
    QPointer<QObject> context(logThread);
    hooks.append = [log, context](audit::AuditEntry entry) -> Result<void> {
        if (!context)
            return makeError(QStringLiteral("audit.unavailable"), tr("The audit log was closed."));
        auto future = inThreadOf<QFuture<Result<audit::AuditEntry>>>(
            context.data(), [&] { return log->append(entry); });
        future.waitForFinished();
        const Result<audit::AuditEntry> written = future.result();
        if (!written)
            return written.error();
        return {};
    };
    hooks.recorded = [log, context](qint64 runId, int step, qint64 sinceMs) -> Result<bool> {
        if (!context)
            return makeError(QStringLiteral("audit.unavailable"), tr("The audit log was closed."));
        return inThreadOf<Result<bool>>(context.data(), [&]() -> Result<bool> {
            const std::shared_ptr<audit::AuditStore> store = log->store();
            if (!store)
                return false;
            audit::AuditFilter filter;
            filter.sinceMs = sinceMs;
            auto entries = store->entries(filter);
            if (!entries)
                return entries.error();
            for (const audit::AuditEntry &e : std::as_const(*entries)) {
                if (e.action.startsWith(QLatin1String("workflow.")) &&
                    e.details.value(QStringLiteral("run")).toInteger() == runId &&
                    e.details.value(QStringLiteral("step")).toInt(-1) == step)
                    return true;
            }
            return false;
        });
    };
    return hooks;
}

ValueJob<workflows::Plan> *planWorkflowJob(const WorkflowSources &sources,
                                           const WorkflowOptions &options,
                                           const workflows::Request &request, QObject *parent)
{
    return new ValueJob<workflows::Plan>(
        tr("Plan"),
        [sources, options, request](JobContext &ctx) -> Result<workflows::Plan> {
            ctx.setProgress(0, -1, tr("Reading the registry…"));
            workflows::Environment env = workflowEnvironment(sources, options, &ctx.cancelFlag());
            return workflows::planWorkflow(request, env);
        },
        parent);
}

ValueJob<workflows::RunRecord> *startWorkflowJob(const WorkflowSources &sources,
                                                 const WorkflowOptions &options,
                                                 const workflows::Plan &plan,
                                                 workflows::AuditHooks audit, QObject *parent)
{
    return runJob(sources, options, plan, 0, std::move(audit), parent);
}

ValueJob<workflows::RunRecord> *resumeWorkflowJob(const WorkflowSources &sources,
                                                  const WorkflowOptions &options, qint64 runId,
                                                  workflows::AuditHooks audit, QObject *parent)
{
    return runJob(sources, options, std::nullopt, runId, std::move(audit), parent);
}

QString WorkflowOptions::journalFile() const
{
    return journalPath.isEmpty() ? workflows::Journal::defaultPath() : journalPath;
}

QString WorkflowOptions::censusDirectory() const
{
    return censusFolder.isEmpty() ? census::CensusState::defaultFolder() : censusFolder;
}

Result<QList<workflows::RunRecord>> unfinishedRuns(const WorkflowOptions &options,
                                                   const QString &registryUrl)
{
    if (!QFileInfo::exists(options.journalFile()))
        return QList<workflows::RunRecord>();
    auto journal = workflows::Journal::open(options.journalFile());
    if (!journal)
        return journal.error();
    auto runs = (*journal)->runs(true);
    if (!runs || registryUrl.isEmpty())
        return runs;
    QList<workflows::RunRecord> here;
    for (const workflows::RunRecord &r : std::as_const(*runs))
        if (r.registryUrl == registryUrl)
            here.append(r);
    return here;
}

} // namespace kw::services
