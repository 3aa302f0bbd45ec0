// workflow-crash-driver: one life of a rewrap that tst_workflowcrash kills with SIGKILL at
// random moments. It runs the same core as `keywarden-cli kek rewrap` and `journal resume`
// (planWorkflow, Journal, runWorkflow) with a local-kms driver whose wrap and unwrap calls fail
// at a seeded rate, against a registry that fails its own share of calls. Each life resumes
// the journal's unfinished run, or plans and starts one when there is none.
//
//   workflow-crash-driver REGISTRY KEK JOURNAL AUDIT SECRET KMS_FAULT_RATE SEED
//
// Prints "running" once the run is journalled and about to go on, then the run's end state.
// Exit status: 0 the run is done; 3 it stopped on a failure (resumable); 1 anything else.

#include "core/audit/auditstore.h"
#include "core/crypto/crypto.h"
#include "core/kms/localkms.h"
#include "core/net/resttransport.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/sandbox/faultykms.h"
#include "core/workflows/workflow.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <cstdio>

using namespace kw;

namespace {

int life(registry::DekRegistryClient &keys, registry::SchemaRegistryClient &schemas,
         const QStringList &args)
{
    const QString kek = args.at(2);
    auto journal = workflows::Journal::open(args.at(3));
    if (!journal) {
        std::fprintf(stderr, "%s\n", qPrintable(journal.error().message));
        return 1;
    }
    audit::AuditStore::Options auditOptions;
    auditOptions.path = args.at(4);
    auditOptions.actor = QStringLiteral("crash-test");
    auto store = audit::AuditStore::open(auditOptions);
    if (!store) {
        std::fprintf(stderr, "%s\n", qPrintable(store.error().message));
        return 1;
    }
    workflows::Environment env;
    env.keys = &keys;
    env.schemas = &schemas;
    env.kmsDrivers.add(std::make_shared<sandbox::FaultyKmsDriver>(
        std::make_shared<kms::LocalKmsDriver>(), args.at(6).toDouble(), args.at(7).toULongLong()));
    env.kmsSettings = {{QStringLiteral("local-kms"), {{QStringLiteral("secret"), args.at(5)}}}};
    env.retryBaseMs = 5;
    env.maxAttempts = 8;

    workflows::AuditHooks hooks;
    std::shared_ptr<audit::AuditStore> log = *store;
    hooks.append = [log](audit::AuditEntry entry) -> Result<void> {
        auto written = log->append(std::move(entry));
        return written ? Result<void>{} : Result<void>{written.error()};
    };
    hooks.recorded = [log](qint64 run, int step, qint64 since) -> Result<bool> {
        audit::AuditFilter filter;
        filter.sinceMs = since;
        auto entries = log->entries(filter);
        if (!entries)
            return entries.error();
        for (const audit::AuditEntry &e : std::as_const(*entries))
            if (e.details.value(QStringLiteral("run")).toInteger() == run &&
                e.details.value(QStringLiteral("step")).toInt(-1) == step)
                return true;
        return false;
    };

    auto runs = (*journal)->runs();
    if (!runs) {
        std::fprintf(stderr, "%s\n", qPrintable(runs.error().message));
        return 1;
    }
    qint64 id = 0;
    for (const workflows::RunRecord &r : std::as_const(*runs)) {
        if (r.isUnfinished())
            id = r.id;
        else if (r.state == workflows::RunState::Done) {
            std::printf("done\n");
            return 0;
        }
    }
    if (id == 0) {
        workflows::Request request;
        request.action = workflows::Action::RewrapKek;
        request.kek = kek;
        auto plan = workflows::planWorkflow(request, env);
        if (!plan) {
            std::fprintf(stderr, "plan: %s\n", qPrintable(plan.error().message));
            return 3;
        }
        auto created =
            (*journal)->create(*plan, QStringLiteral("crash-test"), {}, {}, env.clock->nowMs());
        if (!created) {
            std::fprintf(stderr, "%s\n", qPrintable(created.error().message));
            return 1;
        }
        id = *created;
    }
    // The test's cue: from here on the run is journalled and a kill tests resuming it.
    std::printf("running\n");
    std::fflush(stdout);
    auto run = workflows::runWorkflow(**journal, id, env, hooks);
    if (!run) {
        std::fprintf(stderr, "%s\n", qPrintable(run.error().message));
        return 1;
    }
    std::printf("%s: %s\n", qPrintable(workflows::runStateName(run->state)),
                qPrintable(run->message));
    return run->state == workflows::RunState::Done ? 0 : 3;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() != 8) {
        std::fprintf(stderr, "usage: workflow-crash-driver REGISTRY KEK JOURNAL AUDIT SECRET "
                             "KMS_FAULT_RATE SEED\n");
        return 1;
    }
    registry::ConnectionSettings settings;
    settings.baseUrl = QUrl(args.at(1));
    // Quick retries: the registry fails a fifth of its calls on purpose.
    settings.retryBaseMs = 10;
    settings.retryMaxMs = 50;
    registry::RestTransport transport(settings);
    registry::DekRegistryClient keys(&transport);
    registry::SchemaRegistryClient schemas(&transport);
    QFutureWatcher<int> watcher;
    QObject::connect(&watcher, &QFutureWatcher<int>::finished, &app,
                     [&] { QCoreApplication::exit(watcher.result()); });
    watcher.setFuture(QtConcurrent::run([&] {
        const int status = life(keys, schemas, args);
        // A pool thread: OpenSSL's per-thread state (its DRBGs) goes now, not at a process exit
        // where OpenSSL's own cleanup may run before the pool's threads end (LeakSanitizer).
        crypto::releaseThreadState();
        return status;
    }));
    return app.exec();
}
