// Planning and running key workflows against the embedded sandbox registry: what each plan
// does, the refusals of workflow-facts §4, the journal, exactly-once audit entries and resume.

#include "core/crypto/crypto.h"
#include "core/domain/rules.h"
#include "core/net/resttransport.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/sandbox/sandbox.h"
#include "core/sandbox/sandboxstore.h"
#include "core/workflows/workflow.h"

#include <QtConcurrent/QtConcurrentRun>
#include <QtTest>

using namespace kw;
using namespace kw::workflows;

namespace {
constexpr qint64 DayMs = 24LL * 3600 * 1000;
const QString Secret = QStringLiteral("workflow-test-secret");
} // namespace

class TestWorkflows : public QObject
{
    Q_OBJECT

    ManualClock m_clock{1'780'000'000'000};
    std::unique_ptr<sandbox::Sandbox> m_sandbox;
    std::unique_ptr<registry::RestTransport> m_transport;
    std::unique_ptr<registry::DekRegistryClient> m_keys;
    std::unique_ptr<registry::SchemaRegistryClient> m_schemas;
    QList<audit::AuditEntry> m_audit;

    template<typename F>
    auto onWorker(F work) -> decltype(work())
    {
        // The workflows draw DEKs with OpenSSL's per-thread generator: release it on the pool
        // thread, which outlives the test, as Job does for the app.
        auto future = QtConcurrent::run([work = std::move(work)]() mutable {
            struct Release
            {
                ~Release() { kw::crypto::releaseThreadState(); }
            } release;
            return work();
        });
        if (!QTest::qWaitFor([&] { return future.isFinished(); }, 120000))
            qFatal("a workflow test's worker did not finish in 120 s");
        return future.result();
    }

    Environment env()
    {
        Environment e;
        e.keys = m_keys.get();
        e.schemas = m_schemas.get();
        e.kmsSettings = {{QStringLiteral("local-kms"), {{QStringLiteral("secret"), Secret}}}};
        e.clock = &m_clock;
        e.retryBaseMs = 1;
        return e;
    }

    AuditHooks hooks()
    {
        AuditHooks h;
        h.append = [this](audit::AuditEntry e) -> Result<void> {
            m_audit.append(e);
            return {};
        };
        h.recorded = [this](qint64 run, int step, qint64) -> Result<bool> {
            for (const audit::AuditEntry &e : std::as_const(m_audit))
                if (e.details.value(QStringLiteral("run")).toInteger() == run &&
                    e.details.value(QStringLiteral("step")).toInt() == step)
                    return true;
            return false;
        };
        return h;
    }

    Result<Plan> plan(const Request &request)
    {
        return onWorker([&] {
            Environment e = env();
            return planWorkflow(request, e);
        });
    }

    // Plans, journals and runs `request`; the run as journalled at the end.
    Result<RunRecord> execute(Journal &journal, const Request &request,
                              const RunCallbacks &callbacks = {})
    {
        auto p = plan(request);
        if (!p)
            return p.error();
        auto id = journal.create(*p, QStringLiteral("tester"), QStringLiteral("test"),
                                 m_sandbox->registryUrl(), m_clock.nowMs());
        if (!id)
            return id.error();
        return resume(journal, *id, callbacks);
    }

    Result<RunRecord> resume(Journal &journal, qint64 id, const RunCallbacks &callbacks = {},
                             const std::atomic_bool *cancel = nullptr)
    {
        const AuditHooks h = hooks();
        return onWorker([&] {
            Environment e = env();
            e.cancel = cancel;
            return runWorkflow(journal, id, e, h, callbacks);
        });
    }

    registry::Kek makeKek(const QString &name, bool shared)
    {
        registry::Kek kek;
        kek.name = name;
        kek.kmsType = QStringLiteral("local-kms");
        kek.kmsKeyId = QStringLiteral("key-") + name;
        kek.shared = shared;
        auto made = m_sandbox->store()->createKek(kek);
        if (!made)
            qFatal("%s", qPrintable(made.error().message));
        return *made;
    }

    // A DEK version wrapped client-side (non-shared) or by the registry (shared).
    registry::Dek makeDek(const QString &kek, const QString &subject, int version,
                          const QString &algorithm = QStringLiteral("AES256_GCM"))
    {
        registry::Dek dek;
        dek.subject = subject;
        dek.version = version;
        dek.algorithm = algorithm;
        auto k = m_sandbox->store()->getKek(kek, true);
        if (!k->shared)
            dek.encryptedKeyMaterial = wrap(crypto::generateTinkKey(*parseAlgorithm(algorithm)));
        auto made = m_sandbox->store()->registerDek(kek, dek);
        if (!made)
            qFatal("%s", qPrintable(made.error().message));
        return *made;
    }

    QByteArray wrap(const crypto::SecureBytes &key)
    {
        auto aead = kms::KmsRegistry::withBuiltInDrivers().aeadFor(
            {QStringLiteral("k"), QStringLiteral("local-kms"), QStringLiteral("id"), {}, false},
            {{QStringLiteral("local-kms"), {{QStringLiteral("secret"), Secret}}}});
        auto f = (*aead)->wrap(
            QByteArray(reinterpret_cast<const char *>(key.data()), qsizetype(key.size())));
        f.waitForFinished();
        return *f.result();
    }

    QByteArray unwrap(const QByteArray &blob)
    {
        auto aead = kms::KmsRegistry::withBuiltInDrivers().aeadFor(
            {QStringLiteral("k"), QStringLiteral("local-kms"), QStringLiteral("id"), {}, false},
            {{QStringLiteral("local-kms"), {{QStringLiteral("secret"), Secret}}}});
        auto f = (*aead)->unwrap(blob);
        f.waitForFinished();
        return f.result() ? *f.result() : QByteArray();
    }

    registry::Dek row(const QString &kek, const QString &subject, int version,
                      const QString &algorithm = QStringLiteral("AES256_GCM"))
    {
        auto d = m_sandbox->store()->getDek(kek, subject, version, algorithm, true);
        if (!d)
            qFatal("%s", qPrintable(d.error().message));
        return *d;
    }

    static QList<StepRecord> stepsOf(Journal &journal, qint64 id)
    {
        auto steps = journal.steps(id);
        if (!steps)
            qFatal("%s", qPrintable(steps.error().message));
        return steps.value();
    }

    static Request req(Action action, const QString &kek, const QString &subject = {},
                       const QString &algorithm = {}, int version = 0, bool permanent = false)
    {
        Request r;
        r.action = action;
        r.kek = kek;
        r.subject = subject;
        r.algorithm = algorithm;
        r.version = version;
        r.permanent = permanent;
        return r;
    }

    static void expectRefusal(const Result<Plan> &plan, const QStringList &mentions,
                              QLatin1String code = ErrorRefused)
    {
        QVERIFY(!plan);
        QVERIFY2(plan.error().code == code, qPrintable(plan.error().message));
        for (const QString &m : mentions)
            QVERIFY2(plan.error().message.contains(m),
                     qPrintable(QStringLiteral("'%1' not in: %2").arg(m, plan.error().message)));
    }

private Q_SLOTS:
    void init()
    {
        m_sandbox = std::make_unique<sandbox::Sandbox>(m_clock);
        sandbox::SandboxOptions options;
        options.localSecret = Secret;
        auto started = m_sandbox->start(options);
        QVERIFY2(started, qPrintable(started.error().message));
        registry::ConnectionSettings settings;
        settings.baseUrl = QUrl(m_sandbox->registryUrl());
        m_transport = std::make_unique<registry::RestTransport>(settings);
        m_keys = std::make_unique<registry::DekRegistryClient>(m_transport.get());
        m_schemas = std::make_unique<registry::SchemaRegistryClient>(m_transport.get());
        m_audit.clear();
    }

    void cleanup()
    {
        m_keys.reset();
        m_schemas.reset();
        m_transport.reset();
        m_sandbox.reset();
    }

    void rotateCreatesTheVersionAfterTheHighestIncludingDeletedOnes()
    {
        makeKek(QStringLiteral("pay"), false);
        makeDek(QStringLiteral("pay"), QStringLiteral("orders-value"), 1);
        makeDek(QStringLiteral("pay"), QStringLiteral("orders-value"), 2);
        QVERIFY(m_sandbox->store()->deleteDekVersion(QStringLiteral("pay"),
                                                     QStringLiteral("orders-value"), 2,
                                                     QStringLiteral("AES256_GCM"), false));
        auto journal = Journal::open({});
        QVERIFY(journal);
        Request r = req(Action::RotateDek, QStringLiteral("pay"), QStringLiteral("orders-value"));
        auto p = plan(r);
        QVERIFY2(p, qPrintable(p.error().message));
        QCOMPARE(p->steps.size(), 1);
        QCOMPARE(p->steps[0].version, 3); // v2 is soft-deleted but still holds its number
        QCOMPARE(p->algorithm, QStringLiteral("AES256_GCM"));
        QVERIFY(p->steps[0].calls.join(QLatin1Char('\n')).contains(QStringLiteral("KMS wrap")));
        // No rule names the KEK with an expiry: the plan says the version would go unused.
        QVERIFY(p->warnings.join(QLatin1Char('\n'))
                    .contains(QStringLiteral("encrypt.dek.expiry.days")));

        auto run = execute(**journal, r);
        QVERIFY2(run, qPrintable(run.error().message));
        QCOMPARE(run->state, RunState::Done);
        QCOMPARE(run->message, QStringLiteral("Rotated DEK subject orders-value under KEK pay "
                                              "(AES256_GCM): version 3 created."));
        const registry::Dek v3 = row(QStringLiteral("pay"), QStringLiteral("orders-value"), 3);
        QVERIFY(!v3.deleted);
        const QByteArray raw = unwrap(v3.encryptedKeyMaterial);
        QVERIFY(crypto::parseTinkKey(DekAlgorithm::Aes256Gcm, raw));
        auto steps = (*journal)->steps(run->id);
        QCOMPARE(steps->at(0).newBlob, v3.encryptedKeyMaterial);
        QCOMPARE(m_audit.size(), 1);
        QCOMPARE(m_audit[0].action, QStringLiteral("workflow.dek.create"));
        QCOMPARE(m_audit[0].details.value(QStringLiteral("newSha256")).toString(),
                 blobDigest(v3.encryptedKeyMaterial));
    }

    void rotateOfASharedKekLetsTheRegistryGenerateTheKey()
    {
        makeKek(QStringLiteral("shared"), true);
        makeDek(QStringLiteral("shared"), QStringLiteral("s-value"), 1,
                QStringLiteral("AES128_GCM"));
        auto journal = Journal::open({});
        auto run = execute(
            **journal, req(Action::RotateDek, QStringLiteral("shared"), QStringLiteral("s-value")));
        QVERIFY2(run && run->state == RunState::Done,
                 qPrintable(run ? run->message : run.error().message));
        const registry::Dek v2 = row(QStringLiteral("shared"), QStringLiteral("s-value"), 2,
                                     QStringLiteral("AES128_GCM"));
        QVERIFY(crypto::parseTinkKey(DekAlgorithm::Aes128Gcm, v2.keyMaterial));
    }

    void rotateSeesSomeoneElsesRotationAsAConflict()
    {
        makeKek(QStringLiteral("pay"), false);
        makeDek(QStringLiteral("pay"), QStringLiteral("o-value"), 1);
        auto p = plan(req(Action::RotateDek, QStringLiteral("pay"), QStringLiteral("o-value")));
        QVERIFY(p);
        makeDek(QStringLiteral("pay"), QStringLiteral("o-value"),
                2); // a producer rotated meanwhile
        const QByteArray theirs =
            row(QStringLiteral("pay"), QStringLiteral("o-value"), 2).encryptedKeyMaterial;
        auto journal = Journal::open({});
        auto id = (*journal)->create(*p, {}, {}, {}, m_clock.nowMs());
        auto run = resume(**journal, *id);
        QVERIFY(run);
        QCOMPARE(run->state, RunState::Failed);
        QVERIFY2(run->message.contains(QStringLiteral("someone else rotated")),
                 qPrintable(run->message));
        QCOMPARE(row(QStringLiteral("pay"), QStringLiteral("o-value"), 2).encryptedKeyMaterial,
                 theirs);
        QVERIFY(m_audit.isEmpty());
    }

    void rewrapKeepsEveryKeyAndDeletedFlagAndJournalsTheOriginalTs()
    {
        makeKek(QStringLiteral("pay"), false);
        for (int v = 1; v <= 3; ++v)
            makeDek(QStringLiteral("pay"), QStringLiteral("a-value"), v);
        makeDek(QStringLiteral("pay"), QStringLiteral("b-value"), 1, QStringLiteral("AES256_SIV"));
        QVERIFY(m_sandbox->store()->deleteDekVersion(QStringLiteral("pay"),
                                                     QStringLiteral("a-value"), 1,
                                                     QStringLiteral("AES256_GCM"), false));
        struct Before
        {
            QString subject;
            QString algorithm;
            int version;
            registry::Dek dek;
            QByteArray raw;
        };
        QList<Before> before;
        for (int v = 1; v <= 3; ++v) {
            auto d = row(QStringLiteral("pay"), QStringLiteral("a-value"), v);
            before.append({QStringLiteral("a-value"), QStringLiteral("AES256_GCM"), v, d,
                           unwrap(d.encryptedKeyMaterial)});
        }
        auto b =
            row(QStringLiteral("pay"), QStringLiteral("b-value"), 1, QStringLiteral("AES256_SIV"));
        before.append({QStringLiteral("b-value"), QStringLiteral("AES256_SIV"), 1, b,
                       unwrap(b.encryptedKeyMaterial)});
        m_clock.advanceMs(DayMs);

        auto journal = Journal::open({});
        Request r = req(Action::RewrapKek, QStringLiteral("pay"));
        auto p = plan(r);
        QVERIFY2(p, qPrintable(p.error().message));
        QCOMPARE(p->steps.size(), 4);
        QCOMPARE(p->verb, QStringLiteral("Rewrap 4 DEK versions"));
        QVERIFY(p->warnings.join(QLatin1Char('\n'))
                    .contains(QStringLiteral("resets each version's ts")));
        auto run = execute(**journal, r);
        QVERIFY2(run && run->state == RunState::Done,
                 qPrintable(run ? run->message : run.error().message));
        QCOMPARE(run->message, QStringLiteral("Rewrapped 4 DEK versions of KEK pay."));
        auto steps = (*journal)->steps(run->id);
        for (const Before &x : std::as_const(before)) {
            const registry::Dek now = row(QStringLiteral("pay"), x.subject, x.version, x.algorithm);
            QVERIFY(now.encryptedKeyMaterial != x.dek.encryptedKeyMaterial);
            QCOMPARE(unwrap(now.encryptedKeyMaterial), x.raw);
            QCOMPARE(now.deleted, x.dek.deleted);
            QCOMPARE(now.ts, m_clock.nowMs()); // the registry reset it...
            bool journalled = false;
            for (const StepRecord &s : std::as_const(*steps)) {
                if (s.step.subject == x.subject && s.step.version == x.version &&
                    s.step.algorithm == x.algorithm) {
                    QCOMPARE(s.originalTs, x.dek.ts); // ...and the journal kept the original
                    QCOMPARE(s.oldBlob, x.dek.encryptedKeyMaterial);
                    QCOMPARE(s.newBlob, now.encryptedKeyMaterial);
                    journalled = true;
                }
            }
            QVERIFY(journalled);
        }
        QCOMPARE(m_audit.size(), 4);
    }

    void rewrapOfASharedKekLeavesTheCryptoToTheRegistry()
    {
        makeKek(QStringLiteral("sh"), true);
        makeDek(QStringLiteral("sh"), QStringLiteral("x-value"), 1);
        const registry::Dek old = row(QStringLiteral("sh"), QStringLiteral("x-value"), 1);
        auto journal = Journal::open({});
        auto run = execute(**journal, req(Action::RewrapKek, QStringLiteral("sh")));
        QVERIFY2(run && run->state == RunState::Done,
                 qPrintable(run ? run->message : run.error().message));
        const registry::Dek now = row(QStringLiteral("sh"), QStringLiteral("x-value"), 1);
        QVERIFY(now.encryptedKeyMaterial != old.encryptedKeyMaterial);
        QCOMPARE(now.keyMaterial, old.keyMaterial);
    }

    void refusesWhatTheRegistryOrderRulesForbid()
    {
        makeKek(QStringLiteral("pay"), false);
        makeDek(QStringLiteral("pay"), QStringLiteral("p-value"), 1);
        // Permanent before soft.
        expectRefusal(
            plan(req(Action::DeleteDek, QStringLiteral("pay"), QStringLiteral("p-value"), {}, 1,
                     true)),
            {QStringLiteral("version 1 of DEK subject p-value"), QStringLiteral("not soft-deleted"),
             QStringLiteral("keywarden-cli dek delete --kek pay --subject p-value --version 1")});
        // A KEK with live DEKs.
        expectRefusal(plan(req(Action::DeleteKek, QStringLiteral("pay"))),
                      {QStringLiteral("KEK pay"), QStringLiteral("p-value"),
                       QStringLiteral("keywarden-cli dek delete --kek pay --subject p-value")});
        // Permanent KEK delete before soft.
        expectRefusal(plan(req(Action::DeleteKek, QStringLiteral("pay"), {}, {}, 0, true)),
                      {QStringLiteral("KEK pay is not soft-deleted"),
                       QStringLiteral("keywarden-cli kek delete pay")});
        // Soft-delete the DEK and the KEK; then an undelete of the DEK needs the KEK first.
        QVERIFY(m_sandbox->store()->deleteDekVersions(QStringLiteral("pay"),
                                                      QStringLiteral("p-value"), {}, false));
        QVERIFY(m_sandbox->store()->deleteKek(QStringLiteral("pay"), false));
        expectRefusal(
            plan(req(Action::UndeleteDek, QStringLiteral("pay"), QStringLiteral("p-value"))),
            {QStringLiteral("KEK pay is soft-deleted"),
             QStringLiteral("keywarden-cli kek undelete pay")});
        // Permanent KEK delete while it still has (soft-deleted) DEKs.
        expectRefusal(
            plan(req(Action::DeleteKek, QStringLiteral("pay"), {}, {}, 0, true)),
            {QStringLiteral("KEK pay still has DEKs"),
             QStringLiteral("keywarden-cli dek delete --kek pay --subject p-value --permanent")});
        // The grace period: soft-deleted just now.
        expectRefusal(plan(req(Action::DeleteDek, QStringLiteral("pay"), QStringLiteral("p-value"),
                               {}, 0, true)),
                      {QStringLiteral("version 1 of DEK subject p-value"), QStringLiteral("7 days"),
                       QStringLiteral("--ignore-grace-period")},
                      ErrorGracePeriod);
        // ... which an override lifts, with the typed name and a second warning.
        Request forced =
            req(Action::DeleteDek, QStringLiteral("pay"), QStringLiteral("p-value"), {}, 0, true);
        forced.overrideGracePeriod = true;
        auto p = plan(forced);
        QVERIFY2(p, qPrintable(p.error().message));
        QVERIFY(p->graceOverridden && p->unrecoverable);
        QCOMPARE(p->typedName, QStringLiteral("p-value"));
        QVERIFY(!p->secondWarning.isEmpty());
        // The subject's only version goes: uncached producers would start over at version 1.
        QVERIFY(p->radius.consequences.join(QLatin1Char('\n'))
                    .contains(QStringLiteral("brand-new version 1")));
        // After the grace period no override is needed.
        m_clock.advanceMs(8 * DayMs);
        Request late =
            req(Action::DeleteDek, QStringLiteral("pay"), QStringLiteral("p-value"), {}, 0, true);
        auto ok = plan(late);
        QVERIFY2(ok, qPrintable(ok.error().message));
        QVERIFY(!ok->graceOverridden);
        QCOMPARE(ok->steps.size(), 1);
        QCOMPARE(ok->steps[0].kind, StepKind::DeleteDekSubject);
    }

    void deletesAndUndeletesFollowTheOrderEndToEnd()
    {
        makeKek(QStringLiteral("k"), false);
        makeDek(QStringLiteral("k"), QStringLiteral("d-value"), 1);
        makeDek(QStringLiteral("k"), QStringLiteral("d-value"), 2);
        auto journal = Journal::open({});
        // Soft-deleting every version stops production: the plan says so.
        auto soft = plan(req(Action::DeleteDek, QStringLiteral("k"), QStringLiteral("d-value")));
        QVERIFY(soft);
        QVERIFY2(soft->radius.consequences.join(QLatin1Char('\n'))
                     .contains(QStringLiteral("Production on d-value stops")),
                 qPrintable(soft->radius.consequences.join(QLatin1Char('\n'))));
        QVERIFY(soft->typedName.isEmpty());
        auto run = execute(**journal,
                           req(Action::DeleteDek, QStringLiteral("k"), QStringLiteral("d-value")));
        QVERIFY(run && run->state == RunState::Done);
        QVERIFY(row(QStringLiteral("k"), QStringLiteral("d-value"), 1).deleted);
        QVERIFY(row(QStringLiteral("k"), QStringLiteral("d-value"), 2).deleted);
        run = execute(**journal, req(Action::DeleteKek, QStringLiteral("k")));
        QVERIFY2(run && run->state == RunState::Done,
                 qPrintable(run ? run->message : run.error().message));
        QVERIFY(m_sandbox->store()->getKek(QStringLiteral("k"), true)->deleted);
        run = execute(**journal, req(Action::UndeleteKek, QStringLiteral("k")));
        QVERIFY(run && run->state == RunState::Done);
        run = execute(**journal, req(Action::UndeleteDek, QStringLiteral("k"),
                                     QStringLiteral("d-value"), {}, 2));
        QVERIFY(run && run->state == RunState::Done);
        QVERIFY(!row(QStringLiteral("k"), QStringLiteral("d-value"), 2).deleted);
        QVERIFY(row(QStringLiteral("k"), QStringLiteral("d-value"), 1).deleted);
        // Permanent delete of v1 after the grace period: gone, even with deleted=true.
        m_clock.advanceMs(8 * DayMs);
        Request perm =
            req(Action::DeleteDek, QStringLiteral("k"), QStringLiteral("d-value"), {}, 1, true);
        auto pp = plan(perm);
        QVERIFY2(pp, qPrintable(pp.error().message));
        QVERIFY(pp->radius.consequences.join(QLatin1Char('\n'))
                    .contains(QStringLiteral("unreadable forever")));
        // Version 2 stays: producers are not affected and do not start over at version 1.
        const QString said = pp->radius.consequences.join(QLatin1Char('\n'));
        QVERIFY2(said.contains(QStringLiteral("Producers are not affected")), qPrintable(said));
        QVERIFY(!said.contains(QStringLiteral("brand-new version 1")));
        run = execute(**journal, perm);
        QVERIFY2(run && run->state == RunState::Done,
                 qPrintable(run ? run->message : run.error().message));
        QVERIFY(!m_sandbox->store()->getDek(QStringLiteral("k"), QStringLiteral("d-value"), 1,
                                            QStringLiteral("AES256_GCM"), true));
        QCOMPARE(
            run->message,
            QStringLiteral("Permanently deleted 1 DEK version of subject d-value under KEK k."));
        auto runs = (*journal)->runs();
        QCOMPARE(runs->size(), 5);
        QVERIFY((*journal)->runs(true)->isEmpty());
    }

    void aStaleDeletePlanStopsOnAnUndeleteMadeMeanwhile()
    {
        makeKek(QStringLiteral("k"), false);
        makeDek(QStringLiteral("k"), QStringLiteral("s-value"), 1);
        QVERIFY(m_sandbox->store()->deleteDekVersion(QStringLiteral("k"), QStringLiteral("s-value"),
                                                     1, QStringLiteral("AES256_GCM"), false));
        m_clock.advanceMs(8 * DayMs);
        auto p = plan(
            req(Action::DeleteDek, QStringLiteral("k"), QStringLiteral("s-value"), {}, 1, true));
        QVERIFY(p);
        QVERIFY(m_sandbox->store()->undeleteDekVersion(
            QStringLiteral("k"), QStringLiteral("s-value"), 1, QStringLiteral("AES256_GCM")));
        auto journal = Journal::open({});
        auto id = (*journal)->create(*p, {}, {}, {}, m_clock.nowMs());
        auto run = resume(**journal, *id);
        QVERIFY(run);
        QCOMPARE(run->state, RunState::Failed);
        QVERIFY2(run->message.contains(QStringLiteral("was undeleted after the plan was made")),
                 qPrintable(run->message));
        QVERIFY(!row(QStringLiteral("k"), QStringLiteral("s-value"), 1).deleted);
    }

    void aCancelledRunResumesWithoutRepeatingOrSkipping()
    {
        makeKek(QStringLiteral("pay"), false);
        for (int v = 1; v <= 4; ++v)
            makeDek(QStringLiteral("pay"), QStringLiteral("c-value"), v);
        auto journal = Journal::open({});
        auto p = plan(req(Action::RewrapKek, QStringLiteral("pay")));
        QVERIFY(p);
        auto id = (*journal)->create(*p, {}, {}, {}, m_clock.nowMs());
        std::atomic_bool cancel{false};
        RunCallbacks cb;
        cb.stepChanged = [&](const StepRecord &r, int) {
            if (r.index == 1 && r.state == StepState::Done)
                cancel = true;
        };
        auto first = resume(**journal, *id, cb, &cancel);
        QVERIFY(first);
        QCOMPARE(first->state, RunState::Stopped);
        QCOMPARE(first->stepsDone, 2);
        QCOMPARE((*journal)->runs(true)->size(), 1);
        QMap<int, QByteArray> blobs;
        for (const StepRecord &s : stepsOf(**journal, *id))
            if (s.state == StepState::Done)
                blobs.insert(s.index,
                             row(QStringLiteral("pay"), QStringLiteral("c-value"), s.step.version)
                                 .encryptedKeyMaterial);
        auto second = resume(**journal, *id);
        QVERIFY(second && second->state == RunState::Done);
        // The steps done before were not sent again: their blobs did not change.
        for (auto it = blobs.cbegin(); it != blobs.cend(); ++it)
            QCOMPARE(row(QStringLiteral("pay"), QStringLiteral("c-value"),
                         stepsOf(**journal, *id)[it.key()].step.version)
                         .encryptedKeyMaterial,
                     it.value());
        QCOMPARE(m_audit.size(), 4);
        QSet<int> audited;
        for (const audit::AuditEntry &e : std::as_const(m_audit))
            audited.insert(e.details.value(QStringLiteral("step")).toInt());
        QCOMPARE(audited.size(), 4);
    }

    void aStepSentButNotJournalledIsRecognisedNotRepeated()
    {
        makeKek(QStringLiteral("pay"), false);
        makeDek(QStringLiteral("pay"), QStringLiteral("k-value"), 1);
        const registry::Dek old = row(QStringLiteral("pay"), QStringLiteral("k-value"), 1);
        auto journal = Journal::open({});
        auto p = plan(req(Action::RewrapKek, QStringLiteral("pay")));
        auto id = (*journal)->create(*p, {}, {}, {}, m_clock.nowMs());
        // The process died right after the POST: the journal says "sending" with the new blob,
        // and the registry already has it.
        StepRecord r = stepsOf(**journal, *id)[0];
        const QByteArray newBlob =
            wrap(*crypto::parseTinkKey(DekAlgorithm::Aes256Gcm, unwrap(old.encryptedKeyMaterial)));
        r.state = StepState::Sending;
        r.attempts = 1;
        r.newBlob = newBlob;
        QVERIFY((*journal)->saveStep(*id, r, m_clock.nowMs()));
        registry::Dek sent = old;
        sent.encryptedKeyMaterial = newBlob;
        QVERIFY(m_sandbox->store()->registerDek(QStringLiteral("pay"), sent, true));
        auto run = resume(**journal, *id);
        QVERIFY(run && run->state == RunState::Done);
        QCOMPARE(row(QStringLiteral("pay"), QStringLiteral("k-value"), 1).encryptedKeyMaterial,
                 newBlob);
        QCOMPARE(stepsOf(**journal, *id)[0].attempts, 1);
    }

    void anAuditEntryWrittenBeforeAKillIsNotWrittenAgain()
    {
        makeKek(QStringLiteral("pay"), false);
        makeDek(QStringLiteral("pay"), QStringLiteral("e-value"), 1);
        auto journal = Journal::open({});
        auto p =
            plan(req(Action::DeleteDek, QStringLiteral("pay"), QStringLiteral("e-value"), {}, 1));
        auto id = (*journal)->create(*p, {}, {}, {}, m_clock.nowMs());
        auto run = resume(**journal, *id);
        QVERIFY(run && run->state == RunState::Done);
        QCOMPARE(m_audit.size(), 1);
        // As if killed between the audit entry and the journal's note of it.
        StepRecord r = stepsOf(**journal, *id)[0];
        r.audited = false;
        QVERIFY((*journal)->saveStep(*id, r, m_clock.nowMs()));
        QVERIFY((*journal)->setRunState(*id, RunState::Running, {}, m_clock.nowMs()));
        run = resume(**journal, *id);
        QVERIFY(run && run->state == RunState::Done);
        QCOMPARE(m_audit.size(), 1);
        QVERIFY(stepsOf(**journal, *id)[0].audited);
    }

    void switchRegistersTheNewKekAndAVersionWhoseRulesNameIt()
    {
        makeKek(QStringLiteral("old-kek"), false);
        makeDek(QStringLiteral("old-kek"), QStringLiteral("sw-value"), 1);
        registry::Schema schema;
        schema.schema = QStringLiteral(
            R"({"type":"record","name":"Sw","fields":[{"name":"a","type":"string","confluent:tags":["PII"]}]})");
        schema.ruleSet =
            QJsonDocument::fromJson(R"({"domainRules":[{"name":"enc","kind":"TRANSFORM",
            "mode":"WRITEREAD","type":"ENCRYPT","tags":["PII"],"params":{"encrypt.kek.name":"old-kek",
            "encrypt.kms.type":"local-kms","encrypt.kms.key.id":"key-old-kek"}}]})")
                .object();
        QVERIFY(m_sandbox->store()->registerSchema(QStringLiteral("sw-value"), schema));
        Request r = req(Action::SwitchKek, {}, QStringLiteral("sw-value"));
        r.targetKek = QStringLiteral("new-kek");
        // A new KEK needs its KMS settings.
        expectRefusal(plan(r),
                      {QStringLiteral("KEK new-kek does not exist"), QStringLiteral("--kms-type")});
        r.kmsType = QStringLiteral("local-kms");
        r.kmsKeyId = QStringLiteral("key-new");
        auto p = plan(r);
        QVERIFY2(p, qPrintable(p.error().message));
        QCOMPARE(p->steps.size(), 2);
        QCOMPARE(p->steps[0].kind, StepKind::CreateKek);
        QCOMPARE(p->steps[1].kind, StepKind::RegisterSchema);
        QVERIFY(
            p->warnings.join(QLatin1Char('\n')).contains(QStringLiteral("still need KEK old-kek")));
        auto journal = Journal::open({});
        auto run = execute(**journal, r);
        QVERIFY2(run && run->state == RunState::Done,
                 qPrintable(run ? run->message : run.error().message));
        QCOMPARE(run->message, QStringLiteral("Switched subject sw-value to KEK new-kek."));
        auto kek = m_sandbox->store()->getKek(QStringLiteral("new-kek"), false);
        QVERIFY(kek);
        QCOMPARE(kek->kmsKeyId, QStringLiteral("key-new"));
        auto latest = m_sandbox->store()->getSubjectVersion(QStringLiteral("sw-value"), -1, false);
        QVERIFY(latest);
        QCOMPARE(latest->version, 2);
        const RuleSet rules = parseRuleSet(latest->ruleSet, latest->metadata);
        QCOMPARE(rules.fieldRules.size(), 1);
        QCOMPARE(rules.fieldRules[0].kekName, QStringLiteral("new-kek"));
        QCOMPARE(rules.fieldRules[0].kmsKeyId, QStringLiteral("key-new"));
        // Run again from a fresh plan: nothing to do.
        auto again = plan(r);
        QVERIFY(!again);
        QCOMPARE(again.error().code, QString(ErrorNothingToDo));
    }

    void theBlastRadiusCountsTheCensusDataUnderTheTouchedVersions()
    {
        makeKek(QStringLiteral("k"), false);
        makeDek(QStringLiteral("k"), QStringLiteral("t-value"), 1);
        makeDek(QStringLiteral("k"), QStringLiteral("t-value"), 2);
        census::Tally topic;
        census::DekVersionUsage v1;
        v1.encryptions = 30;
        v1.records = 10;
        v1.last = {1'700'000'000'000, QStringLiteral("t"), 0, 9};
        census::DekVersionUsage v2;
        v2.encryptions = 12;
        v2.records = 4;
        v2.last = {1'700'000'500'000, QStringLiteral("t"), 0, 13};
        topic.addUsage(
            {QStringLiteral("k"), QStringLiteral("t-value"), QStringLiteral("AES256_GCM"), 1}, v1);
        topic.addUsage(
            {QStringLiteral("k"), QStringLiteral("t-value"), QStringLiteral("AES256_GCM"), 2}, v2);
        topic.addTopic(QStringLiteral("t"), {});
        const auto planWith = [&](const Request &r) {
            return onWorker([&] {
                Environment e = env();
                e.censusByTopic.insert(QStringLiteral("t"), topic);
                return planWorkflow(r, e);
            });
        };
        // Soft-deleting version 1 touches its 10 records only.
        auto one =
            planWith(req(Action::DeleteDek, QStringLiteral("k"), QStringLiteral("t-value"), {}, 1));
        QVERIFY2(one, qPrintable(one.error().message));
        QCOMPARE(one->radius.topics.size(), 1);
        QCOMPARE(one->radius.topics[0].records, 10);
        QCOMPARE(one->radius.topics[0].encryptions, 30);
        QCOMPARE(one->radius.topics[0].lastSeenMs, 1'700'000'000'000);
        // A rewrap touches both versions.
        auto all = planWith(req(Action::RewrapKek, QStringLiteral("k")));
        QVERIFY(all);
        QCOMPARE(all->radius.topics.size(), 1);
        QCOMPARE(all->radius.topics[0].records, 14);
        QCOMPARE(all->radius.topics[0].lastSeenMs, 1'700'000'500'000);
        // So does the soft delete of the KEK, once its DEKs are soft-deleted.
        QVERIFY(m_sandbox->store()->deleteDekVersions(QStringLiteral("k"),
                                                      QStringLiteral("t-value"), {}, false));
        auto kek = planWith(req(Action::DeleteKek, QStringLiteral("k")));
        QVERIFY2(kek, qPrintable(kek.error().message));
        QCOMPARE(kek->radius.records(), 14);
        QCOMPARE(kek->typedName, QStringLiteral("k"));
        QVERIFY2(
            kek->radius.consequences.join(QLatin1Char('\n')).contains(QStringLiteral("14 records")),
            qPrintable(kek->radius.consequences.join(QLatin1Char('\n'))));
        // Without a census the radius says so instead of inventing numbers.
        auto unknown = plan(req(Action::DeleteKek, QStringLiteral("k")));
        QVERIFY(unknown);
        QVERIFY(unknown->radius.topics.isEmpty());
        QVERIFY(
            unknown->radius.unknowns.join(QLatin1Char('\n')).contains(QStringLiteral("census")));
    }

    void thePlanSurvivesTheJournalByteForByte()
    {
        makeKek(QStringLiteral("pay"), false);
        makeDek(QStringLiteral("pay"), QStringLiteral("j-value"), 1);
        auto p = plan(req(Action::RewrapKek, QStringLiteral("pay")));
        QVERIFY(p);
        auto back = Plan::fromJson(p->toJson());
        QVERIFY(back);
        QCOMPARE(back->toJson(), p->toJson());
        QCOMPARE(back->steps[0].plannedBlob,
                 row(QStringLiteral("pay"), QStringLiteral("j-value"), 1).encryptedKeyMaterial);
        const QJsonObject json = p->toJson();
        for (const char *key : {"action", "steps", "deks", "schemas", "topics", "consumerGroups",
                                "warnings", "unrecoverable"})
            QVERIFY2(json.contains(QLatin1String(key)), key);
    }
};

QTEST_GUILESS_MAIN(TestWorkflows)
#include "tst_workflows.moc"
