// runWorkflow(): carries out a journalled plan. Every step is "check, then send": the registry
// is asked whether the step's change is already there before anything is sent — on the first
// attempt, after a failed attempt (the change may have landed although the answer was lost),
// and on resume — so no step is repeated or skipped however the run was interrupted.

#include "core/crypto/crypto.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/workflows/calls_p.h"

#include <QJsonDocument>

#include <optional>

namespace kw::workflows {

using namespace detail;

namespace {

// What a check found: the step's change is in the registry (done, with a note), or not yet.
struct Checked
{
    bool done = false;
    QString note;
};

class StepRunner
{
public:
    StepRunner(Journal &journal, qint64 runId, Environment &env, const RunCallbacks &callbacks,
               int total)
        : m_journal(journal)
        , m_runId(runId)
        , m_env(env)
        , m_callbacks(callbacks)
        , m_total(total)
    {}

    // Runs one step to done, or returns why it could not.
    Result<void> run(StepRecord &record);

private:
    Result<void> save(StepRecord &record)
    {
        auto saved = m_journal.saveStep(m_runId, record, m_env.clock->nowMs());
        if (saved && m_callbacks.stepChanged)
            m_callbacks.stepChanged(record, m_total);
        return saved;
    }

    // Sends one change: journals "sending" first, then repeats check-send until the check
    // sees the change, a non-transient error stops it, or the attempts run out.
    Result<Checked> sendChecked(StepRecord &record, const std::function<Result<void>()> &send,
                                const std::function<Result<Checked>()> &check);

    Result<std::optional<registry::Dek>> version(const Step &s);
    Result<registry::Kek> kek(const QString &name);

    Result<Checked> checkCreateDek(StepRecord &record);
    Result<void> createDek(StepRecord &record);
    Result<Checked> checkRewrap(StepRecord &record);
    Result<void> rewrap(StepRecord &record);
    Result<Checked> checkDelete(const StepRecord &record);
    Result<Checked> checkUndelete(const StepRecord &record);
    Result<Checked> checkKek(const StepRecord &record);
    Result<Checked> checkSchema(const StepRecord &record);
    Result<void> sendSimple(StepRecord &record);

    Journal &m_journal;
    qint64 m_runId;
    Environment &m_env;
    const RunCallbacks &m_callbacks;
    int m_total;
    QHash<QString, registry::Kek> m_keks;
};

// One attempt of a change, its value dropped: changes are never retried blindly (see
// sendChecked()).
template<typename T>
Result<void> voidOf(QFuture<Result<T>> future)
{
    future.waitForFinished();
    const Result<T> r = future.result();
    return r ? Result<void>{} : Result<void>{r.error()};
}

// Wraps `raw` through the KEK's KMS and unwraps the blob again: the blob, only when it gives
// back the same bytes (the registry stores what it is sent, unchecked).
Result<QByteArray> wrapVerified(const Environment &env, const registry::Kek &kek,
                                const QByteArray &raw, const Step &s)
{
    auto wrapped = kmsWrap(env, kek, raw);
    if (!wrapped)
        return wrapped.error();
    auto back = kmsUnwrap(env, kek, *wrapped);
    if (!back)
        return back.error();
    const bool same = *back == raw;
    back->fill('\0');
    if (!same)
        return makeError(ErrorVerify, QStringLiteral("The KMS (%1) unwrapped the new blob for "
                                                     "version %2 of %3 to different bytes: "
                                                     "nothing was sent.")
                                          .arg(kmsLabel(kek))
                                          .arg(s.version)
                                          .arg(s.subject));
    return wrapped;
}

Result<std::optional<registry::Dek>> StepRunner::version(const Step &s)
{
    auto dek = call<registry::Dek>(m_env, [&] {
        return m_env.keys->getDekVersion(s.kek, s.subject, s.version, s.algorithm, true);
    });
    if (!dek) {
        if (isNotFound(dek.error()))
            return std::optional<registry::Dek>{};
        return dek.error();
    }
    dek->keyMaterial.clear();
    return std::optional<registry::Dek>(*dek);
}

Result<registry::Kek> StepRunner::kek(const QString &name)
{
    if (m_keks.contains(name))
        return m_keks.value(name);
    auto k = call<registry::Kek>(m_env, [&] { return m_env.keys->getKek(name, true); });
    if (k)
        m_keks.insert(name, *k);
    return k;
}

Result<Checked> StepRunner::sendChecked(StepRecord &record,
                                        const std::function<Result<void>()> &send,
                                        const std::function<Result<Checked>()> &check)
{
    for (int attempt = 1;; ++attempt) {
        record.state = StepState::Sending;
        ++record.attempts;
        if (auto saved = save(record); !saved)
            return saved.error();
        const Result<void> sent = send();
        if (sent)
            return Checked{true, {}};
        const Error error = sent.error();
        // The answer was lost or refused — or it is the answer to a retry the transport made
        // after the change had landed (a second DELETE finds nothing to delete): the registry,
        // not the answer, says whether the change is there.
        auto seen = check();
        if (!seen)
            return seen.error();
        if (seen->done)
            return seen;
        if (!isTransient(error) || attempt >= m_env.maxAttempts)
            return error;
        if (m_env.cancel && m_env.cancel->load())
            return cancelled();
        QThread::msleep(ulong(std::min(2000, m_env.retryBaseMs << std::min(attempt - 1, 5))));
    }
}

// ---- rotate ----

Result<Checked> StepRunner::checkCreateDek(StepRecord &record)
{
    const Step &s = record.step;
    auto existing = version(s);
    if (!existing)
        return existing.error();
    if (!*existing)
        return Checked{};
    const registry::Dek &d = **existing;
    if (!record.newBlob.isEmpty() && d.encryptedKeyMaterial == record.newBlob)
        return Checked{true, QStringLiteral("Version %1 is in the registry.").arg(s.version)};
    if (s.shared && record.state == StepState::Sending)
        // The registry generated the key, so there is no blob to recognise: the version exists
        // and was created by this run's request or by a producer at the same moment. Either
        // way the subject has rotated.
        return Checked{true, QStringLiteral("Version %1 is in the registry.").arg(s.version)};
    return makeError(
        ErrorConflict,
        QStringLiteral("Version %1 of DEK subject %2 (%3) under KEK %4 already exists: "
                       "someone else rotated it meanwhile. Nothing was created; plan "
                       "the rotation again if another version is still wanted.")
            .arg(s.version)
            .arg(s.subject, s.algorithm, s.kek));
}

Result<void> StepRunner::createDek(StepRecord &record)
{
    const Step &s = record.step;
    auto seen = checkCreateDek(record);
    if (!seen)
        return seen.error();
    if (seen->done) {
        record.message = seen->note;
        return {};
    }
    registry::Dek request;
    request.subject = s.subject;
    request.version = s.version;
    request.algorithm = s.algorithm;
    QByteArray raw;
    std::optional<registry::Kek> k;
    if (!s.shared) {
        auto kk = kek(s.kek);
        if (!kk)
            return kk.error();
        k = *kk;
        const crypto::SecureBytes fresh = crypto::generateTinkKey(*parseAlgorithm(s.algorithm));
        raw = QByteArray(reinterpret_cast<const char *>(fresh.data()), qsizetype(fresh.size()));
        auto wrapped = wrapVerified(m_env, *k, raw, s);
        if (!wrapped)
            return wrapped.error();
        record.newBlob = *wrapped;
        request.encryptedKeyMaterial = *wrapped;
    }
    auto sent = sendChecked(
        record, [&] { return voidOf(m_env.keys->createDek(s.kek, request, false)); },
        [&] { return checkCreateDek(record); });
    if (!sent)
        return sent.error();
    auto stored = version(s);
    if (!stored)
        return stored.error();
    if (!*stored)
        return makeError(ErrorVerify, QStringLiteral("The registry accepted version %1 of %2 but "
                                                     "does not return it.")
                                          .arg(s.version)
                                          .arg(s.subject));
    if (!s.shared) {
        if ((*stored)->encryptedKeyMaterial != record.newBlob)
            return makeError(ErrorVerify, QStringLiteral("The registry stores a different key for "
                                                         "version %1 of %2 than the one sent.")
                                              .arg(s.version)
                                              .arg(s.subject));
        auto back = kmsUnwrap(m_env, *k, (*stored)->encryptedKeyMaterial);
        if (!back)
            return back.error();
        if (*back != raw)
            return makeError(ErrorVerify, QStringLiteral("The stored key of version %1 of %2 does "
                                                         "not unwrap to the key generated.")
                                              .arg(s.version)
                                              .arg(s.subject));
        raw.fill('\0');
    } else {
        record.newBlob = (*stored)->encryptedKeyMaterial;
    }
    record.message = QStringLiteral("Created version %1.").arg(s.version);
    return {};
}

// ---- rewrap ----

Result<Checked> StepRunner::checkRewrap(StepRecord &record)
{
    const Step &s = record.step;
    auto stored = version(s);
    if (!stored)
        return stored.error();
    if (!*stored)
        return makeError(
            ErrorConflict,
            QStringLiteral("Version %1 of DEK subject %2 (%3) under KEK %4 is gone: it "
                           "was permanently deleted after the plan was made.")
                .arg(s.version)
                .arg(s.subject, s.algorithm, s.kek));
    const QByteArray &now = (*stored)->encryptedKeyMaterial;
    if (!record.newBlob.isEmpty() && now == record.newBlob)
        return Checked{true, QStringLiteral("Rewrapped.")};
    if (now == record.oldBlob)
        return Checked{};
    if (s.shared)
        return Checked{true, QStringLiteral("Already rewrapped by the registry (another run).")};
    // Someone else replaced the blob: done only when it still holds the same key.
    auto k = kek(s.kek);
    if (!k)
        return k.error();
    auto before = kmsUnwrap(m_env, *k, record.oldBlob);
    if (!before)
        return before.error();
    auto after = kmsUnwrap(m_env, *k, now);
    if (after && *after == *before)
        return Checked{true, QStringLiteral("Already rewrapped elsewhere; it holds the same key.")};
    return makeError(ErrorVerify,
                     QStringLiteral("The stored key of version %1 of %2 (%3) no longer holds the "
                                    "key it held when the plan was made: someone replaced it. "
                                    "Nothing was sent. The journal keeps the original wrapped key "
                                    "(run %4, step %5) to restore it.")
                         .arg(s.version)
                         .arg(s.subject, s.algorithm)
                         .arg(m_runId)
                         .arg(record.index));
}

Result<void> StepRunner::rewrap(StepRecord &record)
{
    const Step &s = record.step;
    auto seen = checkRewrap(record);
    if (!seen)
        return seen.error();
    if (seen->done) {
        record.message = seen->note;
        return {};
    }
    // Send back the row's current deleted flag: a rewrap never deletes or undeletes.
    auto current = version(s);
    if (!current)
        return current.error();
    const bool deleted = *current ? (*current)->deleted : s.deleted;
    registry::Dek request;
    request.subject = s.subject;
    request.version = s.version;
    request.algorithm = s.algorithm;
    request.deleted = deleted;
    if (!s.shared) {
        auto k = kek(s.kek);
        if (!k)
            return k.error();
        auto raw = kmsUnwrap(m_env, *k, record.oldBlob);
        if (!raw)
            return raw.error();
        auto wrapped = wrapVerified(m_env, *k, *raw, s);
        raw->fill('\0');
        if (!wrapped)
            return wrapped.error();
        record.newBlob = *wrapped;
        request.encryptedKeyMaterial = *wrapped;
    }
    auto sent = sendChecked(
        record, [&] { return voidOf(m_env.keys->createDek(s.kek, request, true)); },
        [&] { return checkRewrap(record); });
    if (!sent)
        return sent.error();
    auto stored = version(s);
    if (!stored)
        return stored.error();
    if (!*stored)
        return makeError(ErrorVerify, QStringLiteral("Version %1 of %2 is gone after the rewrap.")
                                          .arg(s.version)
                                          .arg(s.subject));
    if (!s.shared && (*stored)->encryptedKeyMaterial != record.newBlob)
        return makeError(ErrorVerify, QStringLiteral("The registry stores a different blob for "
                                                     "version %1 of %2 than the one sent.")
                                          .arg(s.version)
                                          .arg(s.subject));
    if ((*stored)->deleted != deleted)
        return makeError(ErrorVerify, QStringLiteral("The rewrap of version %1 of %2 changed its "
                                                     "deleted flag.")
                                          .arg(s.version)
                                          .arg(s.subject));
    if (s.shared)
        record.newBlob = (*stored)->encryptedKeyMaterial;
    record.message = QStringLiteral("Rewrapped; ts was %1.").arg(record.originalTs);
    return {};
}

// ---- deletes, undeletes, KEKs, schemas: one call each ----

Result<Checked> StepRunner::checkDelete(const StepRecord &record)
{
    const Step &s = record.step;
    if (s.kind == StepKind::DeleteKek) {
        auto k = call<registry::Kek>(m_env, [&] { return m_env.keys->getKek(s.kek, true); });
        if (!k)
            return isNotFound(k.error())
                       ? Result<Checked>(Checked{true, QStringLiteral("KEK gone.")})
                       : Result<Checked>(k.error());
        if (!s.permanent)
            return Checked{k->deleted, QStringLiteral("KEK soft-deleted.")};
        if (!k->deleted)
            return makeError(ErrorConflict, QStringLiteral("KEK %1 was undeleted after the plan "
                                                           "was made: it is not deleted "
                                                           "permanently.")
                                                .arg(s.kek));
        return Checked{};
    }
    QList<registry::Dek> rows;
    if (s.version > 0) {
        auto d = version(s);
        if (!d)
            return d.error();
        if (*d)
            rows.append(**d);
    } else {
        auto versions = call<QList<int>>(m_env, [&] {
            return m_env.keys->listAllDekVersions(s.kek, s.subject, s.algorithm, 1000, true);
        });
        if (!versions && !isNotFound(versions.error()))
            return versions.error();
        for (int v : versions ? *versions : QList<int>{}) {
            Step one = s;
            one.version = v;
            auto d = version(one);
            if (!d)
                return d.error();
            if (*d)
                rows.append(**d);
        }
    }
    if (s.permanent) {
        for (const registry::Dek &d : std::as_const(rows))
            if (!d.deleted)
                return makeError(ErrorConflict,
                                 QStringLiteral("Version %1 of %2 (%3) was undeleted after the "
                                                "plan was made: it is not deleted permanently.")
                                     .arg(d.version)
                                     .arg(d.subject, d.algorithm));
        return Checked{rows.isEmpty(), QStringLiteral("Deleted permanently.")};
    }
    for (const registry::Dek &d : std::as_const(rows))
        if (!d.deleted)
            return Checked{};
    return Checked{true, QStringLiteral("Soft-deleted.")};
}

Result<Checked> StepRunner::checkUndelete(const StepRecord &record)
{
    const Step &s = record.step;
    if (s.kind == StepKind::UndeleteKek) {
        auto k = call<registry::Kek>(m_env, [&] { return m_env.keys->getKek(s.kek, true); });
        if (!k)
            return k.error();
        return Checked{!k->deleted, QStringLiteral("KEK undeleted.")};
    }
    QList<int> versions;
    if (s.version > 0) {
        versions = {s.version};
    } else {
        auto listed = call<QList<int>>(m_env, [&] {
            return m_env.keys->listAllDekVersions(s.kek, s.subject, s.algorithm, 1000, true);
        });
        if (!listed)
            return listed.error();
        versions = *listed;
    }
    for (int v : std::as_const(versions)) {
        Step one = s;
        one.version = v;
        auto d = version(one);
        if (!d)
            return d.error();
        if (!*d)
            return makeError(ErrorConflict, QStringLiteral("Version %1 of %2 (%3) was permanently "
                                                           "deleted after the plan was made.")
                                                .arg(v)
                                                .arg(s.subject, s.algorithm));
        if ((*d)->deleted)
            return Checked{};
    }
    return Checked{true, QStringLiteral("Undeleted.")};
}

Result<Checked> StepRunner::checkKek(const StepRecord &record)
{
    const Step &s = record.step;
    auto k = call<registry::Kek>(m_env, [&] { return m_env.keys->getKek(s.kek, true); });
    if (!k)
        return isNotFound(k.error()) ? Result<Checked>(Checked{}) : Result<Checked>(k.error());
    const QString type = s.payload.value(QStringLiteral("kmsType")).toString();
    const QString id = s.payload.value(QStringLiteral("kmsKeyId")).toString();
    if (k->kmsType != type || k->kmsKeyId != id)
        return makeError(ErrorConflict, QStringLiteral("A KEK named %1 now exists with %2 key %3, "
                                                       "not the %4 key %5 planned.")
                                            .arg(s.kek, k->kmsType, k->kmsKeyId, type, id));
    if (k->deleted)
        return makeError(ErrorConflict, QStringLiteral("KEK %1 exists but is soft-deleted: "
                                                       "undelete it first.")
                                            .arg(s.kek));
    return Checked{true, QStringLiteral("KEK registered.")};
}

Result<Checked> StepRunner::checkSchema(const StepRecord &record)
{
    const Step &s = record.step;
    auto schema = registry::Schema::fromJson(s.payload);
    if (!schema)
        return schema.error();
    auto found =
        call<registry::Schema>(m_env, [&] { return m_env.schemas->lookup(s.subject, *schema); });
    if (!found)
        return isNotFound(found.error()) ? Result<Checked>(Checked{})
                                         : Result<Checked>(found.error());
    if (found->ruleSet != schema->ruleSet || found->metadata != schema->metadata)
        return Checked{};
    return Checked{true, QStringLiteral("Registered as version %1.").arg(found->version)};
}

Result<void> StepRunner::sendSimple(StepRecord &record)
{
    const Step &s = record.step;
    std::function<Result<Checked>()> check;
    std::function<Result<void>()> send;
    switch (s.kind) {
    case StepKind::DeleteDekVersion:
        check = [&] {
            return checkDelete(record);
        };
        send = [&] {
            return voidOf(m_env.keys->deleteDekVersion(s.kek, s.subject, s.version, s.algorithm,
                                                       s.permanent));
        };
        break;
    case StepKind::DeleteDekSubject:
        check = [&] {
            return checkDelete(record);
        };
        send = [&] {
            return voidOf(m_env.keys->deleteDek(s.kek, s.subject, s.algorithm, s.permanent));
        };
        break;
    case StepKind::DeleteKek:
        check = [&] {
            return checkDelete(record);
        };
        send = [&] {
            return voidOf(m_env.keys->deleteKek(s.kek, s.permanent));
        };
        break;
    case StepKind::UndeleteDekVersion:
        check = [&] {
            return checkUndelete(record);
        };
        send = [&] {
            return voidOf(m_env.keys->undeleteDekVersion(s.kek, s.subject, s.version, s.algorithm));
        };
        break;
    case StepKind::UndeleteDekSubject:
        check = [&] {
            return checkUndelete(record);
        };
        send = [&] {
            return voidOf(m_env.keys->undeleteDek(s.kek, s.subject, s.algorithm));
        };
        break;
    case StepKind::UndeleteKek:
        check = [&] {
            return checkUndelete(record);
        };
        send = [&] {
            return voidOf(m_env.keys->undeleteKek(s.kek));
        };
        break;
    case StepKind::CreateKek:
        check = [&] {
            return checkKek(record);
        };
        send = [&]() -> Result<void> {
            auto kek = registry::Kek::fromJson(s.payload);
            if (!kek)
                return kek.error();
            return voidOf(m_env.keys->createKek(*kek));
        };
        break;
    case StepKind::RegisterSchema:
        check = [&] {
            return checkSchema(record);
        };
        send = [&]() -> Result<void> {
            auto schema = registry::Schema::fromJson(s.payload);
            if (!schema)
                return schema.error();
            return voidOf(m_env.schemas->registerSchema(s.subject, *schema));
        };
        break;
    default:
        return makeError(ErrorJournal, QStringLiteral("Unexpected step kind."));
    }
    auto seen = check();
    if (!seen)
        return seen.error();
    if (!seen->done) {
        auto sent = sendChecked(record, send, check);
        if (!sent)
            return sent.error();
        seen = check();
        if (!seen)
            return seen.error();
        if (!seen->done)
            return makeError(ErrorVerify,
                             QStringLiteral("The registry accepted \"%1\" but does not "
                                            "show the change.")
                                 .arg(s.description));
    }
    record.message = seen->note;
    return {};
}

Result<void> StepRunner::run(StepRecord &record)
{
    if (record.startedMs == 0)
        record.startedMs = m_env.clock->nowMs();
    switch (record.step.kind) {
    case StepKind::CreateDekVersion:
        return createDek(record);
    case StepKind::RewrapDekVersion:
        return rewrap(record);
    default:
        return sendSimple(record);
    }
}

audit::AuditEntry auditEntry(const RunRecord &run, const StepRecord &r, const AuditHooks &hooks)
{
    audit::AuditEntry e;
    e.action = auditAction(r.step.kind);
    e.profile = hooks.profile;
    e.registryUrl = hooks.registryUrl;
    e.object = r.step.objectName();
    QJsonObject d{{QStringLiteral("run"), run.id},
                  {QStringLiteral("step"), r.index},
                  {QStringLiteral("workflow"), actionName(run.plan.action)},
                  {QStringLiteral("outcome"), r.message}};
    if (r.step.permanent)
        d.insert(QStringLiteral("permanent"), true);
    if (!r.oldBlob.isEmpty())
        d.insert(QStringLiteral("oldSha256"), blobDigest(r.oldBlob));
    if (!r.newBlob.isEmpty())
        d.insert(QStringLiteral("newSha256"), blobDigest(r.newBlob));
    if (r.originalTs > 0)
        d.insert(QStringLiteral("originalTs"), r.originalTs);
    if (run.plan.graceOverridden)
        d.insert(QStringLiteral("graceOverridden"), true);
    e.details = d;
    return e;
}

} // namespace

QString auditAction(StepKind kind)
{
    return QStringLiteral("workflow.") + stepKindName(kind);
}

Result<RunRecord> runWorkflow(Journal &journal, qint64 runId, Environment &env,
                              const AuditHooks &audit, const RunCallbacks &callbacks)
{
    auto run = journal.run(runId);
    if (!run)
        return run.error();
    if (!run->isUnfinished())
        return run;
    auto records = journal.steps(runId);
    if (!records)
        return records.error();
    if (auto ok = journal.setRunState(runId, RunState::Running, {}, env.clock->nowMs()); !ok)
        return ok.error();
    StepRunner runner(journal, runId, env, callbacks, int(records->size()));

    const auto stop = [&](RunState state, const QString &message) -> Result<RunRecord> {
        if (auto ok = journal.setRunState(runId, state, message, env.clock->nowMs()); !ok)
            return ok.error();
        return journal.run(runId);
    };
    // `mayBeWritten`: the step was done before this run started, so a process killed between
    // its audit entry and the journal's note of it may have written the entry already. Only
    // then is the log searched (on the log's thread, which may be the GUI's).
    const auto ensureAudited = [&](StepRecord &r, bool mayBeWritten) -> Result<void> {
        if (r.audited || !audit.append)
            return {};
        bool already = false;
        if (mayBeWritten && audit.recorded) {
            auto seen = audit.recorded(runId, r.index, run->createdMs);
            if (!seen)
                return seen.error();
            already = *seen;
        }
        if (!already) {
            if (auto written = audit.append(auditEntry(*run, r, audit)); !written)
                return written.error();
        }
        r.audited = true;
        return journal.saveStep(runId, r, env.clock->nowMs());
    };

    for (StepRecord &r : *records) {
        if (r.state == StepState::Done) {
            if (auto ok = ensureAudited(r, true); !ok)
                return stop(RunState::Failed, QStringLiteral("Step %1 is done but could not be "
                                                             "written to the audit log: %2")
                                                  .arg(r.index + 1)
                                                  .arg(ok.error().message));
            continue;
        }
        if (env.cancel && env.cancel->load())
            return stop(RunState::Stopped,
                        QStringLiteral("Cancelled before step %1 of %2; resume it to go on.")
                            .arg(r.index + 1)
                            .arg(records->size()));
        Result<void> done = runner.run(r);
        if (!done) {
            r.state = StepState::Failed;
            r.message = done.error().message;
            if (auto saved = journal.saveStep(runId, r, env.clock->nowMs()); !saved)
                return saved.error();
            if (callbacks.stepChanged)
                callbacks.stepChanged(r, int(records->size()));
            return stop(done.error().code == ErrorCancelled ? RunState::Stopped : RunState::Failed,
                        QStringLiteral("Step %1 of %2 (%3) failed: %4")
                            .arg(r.index + 1)
                            .arg(records->size())
                            .arg(r.step.description, done.error().message));
        }
        r.state = StepState::Done;
        r.finishedMs = env.clock->nowMs();
        if (auto saved = journal.saveStep(runId, r, env.clock->nowMs()); !saved)
            return saved.error();
        if (callbacks.stepChanged)
            callbacks.stepChanged(r, int(records->size()));
        if (auto ok = ensureAudited(r, false); !ok)
            return stop(RunState::Failed, QStringLiteral("Step %1 is done but could not be written "
                                                         "to the audit log: %2")
                                              .arg(r.index + 1)
                                              .arg(ok.error().message));
    }
    return stop(RunState::Done, run->plan.doneSentence(int(records->size())));
}

} // namespace kw::workflows
