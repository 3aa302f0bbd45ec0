// planWorkflow(): the plan and blast radius of each workflow from fresh registry reads, and the
// refusals of workflow-facts §4 — each naming the object and what to do next.

#include "core/domain/dekalgorithm.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/kekusage.h"
#include "core/registry/schemaregistryclient.h"
#include "core/workflows/calls_p.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLocale>
#include <QSet>

#include <algorithm>

namespace kw::workflows {

using namespace detail;

namespace {

constexpr qint64 DayMs = 24LL * 3600 * 1000;

Error refused(const QString &message)
{
    return makeError(ErrorRefused, message);
}

Error nothingToDo(const QString &message)
{
    return makeError(ErrorNothingToDo, message);
}

QString day(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(
        QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

QString plural(qint64 n, const QString &one, const QString &many)
{
    return n == 1 ? QStringLiteral("1 %1").arg(one)
                  : QStringLiteral("%1 %2").arg(QLocale().toString(n), many);
}

QString cli(const QString &args)
{
    return QStringLiteral("'keywarden-cli %1'").arg(args);
}

// Everything read about one KEK's DEK rows.
struct Rows
{
    registry::Kek kek;
    QList<registry::Dek> deks; // wrapped material only (keyMaterial dropped)
};

Result<registry::Kek> readKek(Environment &env, const QString &name)
{
    auto kek = call<registry::Kek>(env, [&] { return env.keys->getKek(name, true); });
    if (!kek && isNotFound(kek.error()))
        return refused(QStringLiteral("KEK %1 does not exist in this registry, not even "
                                      "soft-deleted: check the name with 'keywarden-cli keks "
                                      "--deleted'.")
                           .arg(name));
    return kek;
}

// Every version of (kek, subject, algorithm), deleted ones included, oldest first.
Result<QList<registry::Dek>> readVersions(Environment &env, const QString &kek,
                                          const QString &subject, const QString &algorithm)
{
    auto versions = call<QList<int>>(
        env, [&] { return env.keys->listAllDekVersions(kek, subject, algorithm, 1000, true); });
    if (!versions) {
        if (isNotFound(versions.error()))
            return QList<registry::Dek>{};
        return versions.error();
    }
    QList<registry::Dek> out;
    for (int v : std::as_const(*versions)) {
        if (env.cancel && env.cancel->load())
            return cancelled();
        auto dek = call<registry::Dek>(
            env, [&] { return env.keys->getDekVersion(kek, subject, v, algorithm, true); });
        if (!dek) {
            if (isNotFound(dek.error()))
                continue; // permanently deleted between the list and the read
            return dek.error();
        }
        dek->keyMaterial.clear();
        out.append(*dek);
    }
    return out;
}

DekRow rowOf(const registry::Dek &dek, const QList<registry::Dek> &series)
{
    DekRow row{dek.kekName, dek.subject, dek.algorithm, dek.version, dek.deleted, dek.ts, false};
    int latestLive = 0;
    for (const registry::Dek &d : series)
        if (!d.deleted)
            latestLive = std::max(latestLive, d.version);
    row.latestLive = !dek.deleted && dek.version == latestLive;
    return row;
}

// The schema versions whose rules name `kek`; only those of `subject` when it is set.
Result<QList<SchemaUse>> schemaUses(Environment &env, const QString &kek, const QString &subject)
{
    registry::SchemaListOptions options;
    auto all = call<QList<registry::Schema>>(env, [&] { return env.schemas->schemas(options); });
    if (!all)
        return all.error();
    QHash<QString, int> latest;
    for (const registry::Schema &s : std::as_const(*all))
        latest[s.subject] = std::max(latest.value(s.subject), s.version);
    QList<SchemaUse> out;
    for (const registry::KekUsage &u : registry::kekUsages(*all, kek)) {
        if (!subject.isEmpty() && u.subject != subject)
            continue;
        out.append({u.subject, u.version, u.ruleName, latest.value(u.subject) == u.version});
    }
    return out;
}

// Topics, records and consumer groups under the versions `touched` selects.
void addData(Environment &env, BlastRadius &radius,
             const std::function<bool(const census::DekVersionKey &)> &touched)
{
    if (env.censusByTopic.isEmpty()) {
        radius.unknowns.append(env.censusUnknown.isEmpty()
                                   ? QStringLiteral("No census of this cluster: which topics hold "
                                                    "data under these keys is not known.")
                                   : env.censusUnknown);
    }
    for (auto it = env.censusByTopic.cbegin(); it != env.censusByTopic.cend(); ++it) {
        TopicImpact impact{it.key(), 0, 0, -1};
        const auto &deks = it->dekVersions();
        for (auto d = deks.cbegin(); d != deks.cend(); ++d) {
            if (!touched(d.key()))
                continue;
            impact.encryptions += d->encryptions;
            impact.records += d->records;
            impact.lastSeenMs = std::max(impact.lastSeenMs, d->last.timestampMs);
        }
        if (impact.encryptions > 0)
            radius.topics.append(impact);
    }
    if (radius.topics.isEmpty())
        return;
    if (!env.consumerGroups) {
        radius.unknowns.append(env.groupsUnknown.isEmpty()
                                   ? QStringLiteral("Which consumer groups read these topics is "
                                                    "not known (no Kafka cluster).")
                                   : env.groupsUnknown);
        return;
    }
    QStringList topics;
    for (const TopicImpact &t : std::as_const(radius.topics))
        topics.append(t.topic);
    auto groups = env.consumerGroups(topics);
    if (groups)
        radius.consumerGroups = *groups;
    else
        radius.unknowns.append(QStringLiteral("The consumer groups could not be listed: %1")
                                   .arg(groups.error().message));
}

// The census keys of `rows`, for addData().
std::function<bool(const census::DekVersionKey &)> rowsOf(const QList<DekRow> &rows)
{
    QSet<QString> keys;
    for (const DekRow &r : rows)
        keys.insert(
            QStringLiteral("%1\n%2\n%3\n%4").arg(r.kek, r.subject, r.algorithm).arg(r.version));
    return [keys](const census::DekVersionKey &k) {
        return keys.contains(
            QStringLiteral("%1\n%2\n%3\n%4").arg(k.kek, k.subject, k.algorithm).arg(k.version));
    };
}

QString dataSentence(const BlastRadius &radius)
{
    if (radius.topics.isEmpty())
        return {};
    return QStringLiteral("%1 (%2) in %3")
        .arg(plural(radius.records(), QStringLiteral("record"), QStringLiteral("records")),
             plural(radius.encryptions(), QStringLiteral("encrypted value"),
                    QStringLiteral("encrypted values")),
             plural(radius.topics.size(), QStringLiteral("topic"), QStringLiteral("topics")));
}

const QString CacheNote = QStringLiteral(
    "Clients cache DEKs with no expiry by default: running producers and consumers keep using "
    "the cached key until they restart.");

// ---------------------------------------------------------------------------------------------

Result<Plan> planRotate(const Request &req, Environment &env)
{
    auto kek = readKek(env, req.kek);
    if (!kek)
        return kek.error();
    if (kek->deleted)
        return refused(QStringLiteral("KEK %1 is soft-deleted: undelete it first (%2) before "
                                      "rotating its DEKs.")
                           .arg(req.kek, cli(QStringLiteral("kek undelete %1").arg(req.kek))));
    QString algorithm = req.algorithm;
    QList<registry::Dek> series;
    if (algorithm.isEmpty()) {
        QStringList present;
        for (const QString &a : dekAlgorithmNames()) {
            auto v = readVersions(env, req.kek, req.subject, a);
            if (!v)
                return v.error();
            if (!v->isEmpty()) {
                present.append(a);
                series = *v;
            }
        }
        if (present.size() > 1)
            return refused(QStringLiteral("DEK subject %1 under KEK %2 has DEKs for %3: name the "
                                          "one to rotate with --algorithm.")
                               .arg(req.subject, req.kek, present.join(QStringLiteral(", "))));
        algorithm = present.value(0);
    } else {
        auto v = readVersions(env, req.kek, req.subject, algorithm);
        if (!v)
            return v.error();
        series = *v;
    }
    if (series.isEmpty())
        return refused(QStringLiteral("DEK subject %1 has no %2DEK under KEK %3 yet: producers "
                                      "create version 1 when they first encrypt, so there is "
                                      "nothing to rotate.")
                           .arg(req.subject,
                                algorithm.isEmpty() ? QString() : algorithm + QLatin1Char(' '),
                                req.kek));
    int highest = 0;
    for (const registry::Dek &d : std::as_const(series))
        highest = std::max(highest, d.version);
    const int next = highest + 1;

    Plan plan;
    plan.action = Action::RotateDek;
    plan.kek = req.kek;
    plan.subject = req.subject;
    plan.algorithm = algorithm;
    plan.title = QStringLiteral("Rotate DEK subject %1").arg(req.subject);
    plan.question = QStringLiteral("Create version %1 of DEK subject %2 (%3) under KEK %4?")
                        .arg(next)
                        .arg(req.subject, algorithm, req.kek);
    plan.verb = QStringLiteral("Rotate DEK");

    Step step;
    step.kind = StepKind::CreateDekVersion;
    step.kek = req.kek;
    step.subject = req.subject;
    step.algorithm = algorithm;
    step.version = next;
    step.shared = kek->shared;
    const QString post = QStringLiteral("POST ") + dekPath(req.kek, req.subject);
    const QString get = QStringLiteral("GET ") + dekPath(req.kek, req.subject, next, algorithm,
                                                         QStringLiteral("deleted=true"));
    if (kek->shared) {
        step.calls = {post + QStringLiteral(" {version %1, %2; no key material: the registry "
                                            "generates the key with the KEK's KMS}")
                                 .arg(next)
                                 .arg(algorithm),
                      get + QStringLiteral(" (check the new version)")};
    } else {
        if (auto aead = env.kmsDrivers.aeadFor(kekRef(*kek), env.kmsSettings); !aead)
            return refused(QStringLiteral("Rotating DEKs of non-shared KEK %1 needs its KMS (%2), "
                                          "which cannot be used: %3")
                               .arg(req.kek, kmsLabel(*kek), aead.error().message));
        step.calls = {
            QStringLiteral("Generate a %1 key (Tink format)").arg(algorithm),
            QStringLiteral("KMS wrap (%1)").arg(kmsLabel(*kek)),
            QStringLiteral("KMS unwrap (%1): the wrapped key must give the same bytes")
                .arg(kmsLabel(*kek)),
            post +
                QStringLiteral(" {version %1, %2, encryptedKeyMaterial}").arg(next).arg(algorithm),
            get + QStringLiteral(", then KMS unwrap: the stored key must be the one sent")};
    }
    step.description =
        QStringLiteral("Create version %1 of %2 (%3)").arg(next).arg(req.subject, algorithm);
    plan.steps = {step};

    for (const registry::Dek &d : std::as_const(series))
        if (!d.deleted && rowOf(d, series).latestLive)
            plan.radius.deks.append(rowOf(d, series));
    plan.radius.deks.append({req.kek, req.subject, algorithm, next, false, 0, true});
    auto uses = schemaUses(env, req.kek, req.subject);
    if (!uses)
        return uses.error();
    plan.radius.schemas = *uses;
    addData(env, plan.radius, rowsOf(plan.radius.deks));

    // A forced rotation only matters when the rule rotates (facts §3.2).
    registry::SchemaListOptions latestOnly;
    latestOnly.latestOnly = true;
    auto latest =
        call<QList<registry::Schema>>(env, [&] { return env.schemas->schemas(latestOnly); });
    if (!latest)
        return latest.error();
    const registry::ExpirySource expiry = registry::dekExpiry(*latest, req.kek, req.subject);
    if (expiry.days <= 0)
        plan.warnings.append(
            QStringLiteral("No rule naming KEK %1 sets encrypt.dek.expiry.days for %2: producers "
                           "then always use version 1 without a version prefix, and version %3 "
                           "would never be used. Set an expiry in the subject's rule instead.")
                .arg(req.kek, req.subject)
                .arg(next));
    if (algorithm == QLatin1String("AES256_SIV"))
        plan.warnings.append(QStringLiteral("AES256_SIV is deterministic: values encrypted under "
                                            "version %1 no longer equal those "
                                            "under older versions, so joins and lookups on these "
                                            "fields break across the change.")
                                 .arg(next));
    plan.radius.consequences
        << QStringLiteral("New producers encrypt with version %1; consumers read old and new "
                          "records, which name their version.")
               .arg(next)
        << QStringLiteral("Running producers keep the version they cached until they restart or "
                          "it expires; then they move to version %1.")
               .arg(next);
    return plan;
}

Result<Plan> planRewrap(const Request &req, Environment &env)
{
    auto kek = readKek(env, req.kek);
    if (!kek)
        return kek.error();
    QStringList subjects;
    if (!req.subject.isEmpty()) {
        subjects = {req.subject};
    } else {
        auto listed = call<QStringList>(
            env, [&] { return env.keys->listAllDekSubjects(req.kek, 1000, true); });
        if (!listed)
            return listed.error();
        subjects = *listed;
    }
    if (!kek->shared) {
        if (auto aead = env.kmsDrivers.aeadFor(kekRef(*kek), env.kmsSettings); !aead)
            return refused(QStringLiteral("Rewrapping the DEKs of non-shared KEK %1 needs its KMS "
                                          "(%2), which cannot be used: %3")
                               .arg(req.kek, kmsLabel(*kek), aead.error().message));
    }
    Plan plan;
    plan.action = Action::RewrapKek;
    plan.kek = req.kek;
    plan.subject = req.subject;
    const QStringList algorithms =
        req.algorithm.isEmpty() ? dekAlgorithmNames() : QStringList{req.algorithm};
    for (const QString &subject : std::as_const(subjects)) {
        for (const QString &algorithm : algorithms) {
            auto series = readVersions(env, req.kek, subject, algorithm);
            if (!series)
                return series.error();
            for (const registry::Dek &d : std::as_const(*series)) {
                Step step;
                step.kind = StepKind::RewrapDekVersion;
                step.kek = req.kek;
                step.subject = subject;
                step.algorithm = algorithm;
                step.version = d.version;
                step.shared = kek->shared;
                step.deleted = d.deleted;
                step.plannedBlob = d.encryptedKeyMaterial;
                step.plannedTs = d.ts;
                const QString post =
                    QStringLiteral("POST ") +
                    dekPath(req.kek, subject, 0, {}, QStringLiteral("rewrap=true"));
                const QString get =
                    QStringLiteral("GET ") +
                    dekPath(req.kek, subject, d.version, algorithm, QStringLiteral("deleted=true"));
                const QString flag = d.deleted ? QStringLiteral("true") : QStringLiteral("false");
                if (kek->shared) {
                    step.calls = {post + QStringLiteral(" {version %1, %2, deleted %3; no key "
                                                        "material: the registry rewraps the same "
                                                        "key}")
                                             .arg(d.version)
                                             .arg(algorithm, flag),
                                  get + QStringLiteral(" (check the stored key changed)")};
                } else {
                    step.calls = {
                        QStringLiteral("KMS unwrap the stored key (%1)").arg(kmsLabel(*kek)),
                        QStringLiteral("KMS wrap it again (%1)").arg(kmsLabel(*kek)),
                        QStringLiteral("KMS unwrap the new blob: it must give the same bytes"),
                        post + QStringLiteral(" {version %1, %2, deleted %3, encryptedKeyMaterial}")
                                   .arg(d.version)
                                   .arg(algorithm, flag),
                        get + QStringLiteral(" (the stored blob must be the one sent)")};
                }
                step.description =
                    QStringLiteral("Rewrap version %1 of %2 (%3%4)")
                        .arg(d.version)
                        .arg(subject, algorithm,
                             d.deleted ? QStringLiteral(", soft-deleted") : QString());
                plan.steps.append(step);
                plan.radius.deks.append(rowOf(d, *series));
            }
        }
    }
    if (plan.steps.isEmpty())
        return nothingToDo(
            QStringLiteral("KEK %1 has no DEKs%2: there is nothing to rewrap.")
                .arg(req.kek, req.subject.isEmpty()
                                  ? QString()
                                  : QStringLiteral(" for subject %1").arg(req.subject)));
    const int n = int(plan.steps.size());
    plan.title =
        req.subject.isEmpty()
            ? QStringLiteral("Rewrap the DEKs of KEK %1").arg(req.kek)
            : QStringLiteral("Rewrap the DEKs of %1 under KEK %2").arg(req.subject, req.kek);
    plan.question =
        QStringLiteral("Rewrap %1 of KEK %2 under its KMS key's current material?")
            .arg(plural(n, QStringLiteral("DEK version"), QStringLiteral("DEK versions")), req.kek);
    plan.verb = QStringLiteral("Rewrap %1")
                    .arg(plural(n, QStringLiteral("DEK version"), QStringLiteral("DEK versions")));
    auto uses = schemaUses(env, req.kek, req.subject);
    if (!uses)
        return uses.error();
    plan.radius.schemas = *uses;
    addData(env, plan.radius, rowsOf(plan.radius.deks));
    plan.warnings
        << QStringLiteral("A rewrap resets each version's ts (its last-modified time) to now, "
                          "which postpones rotations based on encrypt.dek.expiry.days. The "
                          "journal keeps every original ts.")
        << (kek->shared ? QStringLiteral("KEK %1 is shared: the registry unwraps and rewraps each "
                                         "key itself and checks the result.")
                              .arg(req.kek)
                        : QStringLiteral("KEK %1 is not shared: Keywarden unwraps each key, wraps "
                                         "it again and checks that the new blob gives the same "
                                         "key before sending it, because the registry stores it "
                                         "unchecked.")
                              .arg(req.kek));
    plan.radius.consequences
        << QStringLiteral("The keys themselves do not change: every record stays readable.")
        << QStringLiteral("Clients that cached a key keep using it; new clients unwrap the "
                          "rewrapped blob with the KMS key's current material.");
    return plan;
}

Result<Plan> planSwitch(const Request &req, Environment &env)
{
    if (req.targetKek.isEmpty())
        return refused(
            QStringLiteral("Name the KEK to switch subject %1 to (--to).").arg(req.subject));
    auto latest =
        call<registry::Schema>(env, [&] { return env.schemas->schemaVersion(req.subject, -1); });
    if (!latest) {
        if (isNotFound(latest.error()))
            return refused(QStringLiteral("Subject %1 has no schema in this registry: check the "
                                          "name with 'keywarden-cli subjects'.")
                               .arg(req.subject));
        return latest.error();
    }
    const RuleSet rules = parseRuleSet(latest->ruleSet, latest->metadata);
    QStringList oldKeks;
    for (const auto *list : {&rules.fieldRules, &rules.payloadRules})
        for (const EncryptionRule &r : *list)
            if (!oldKeks.contains(r.kekName))
                oldKeks.append(r.kekName);
    if (oldKeks.isEmpty())
        return refused(QStringLiteral("The latest version (%1) of subject %2 has no encryption "
                                      "rule: there is no KEK to switch.")
                           .arg(latest->version)
                           .arg(req.subject));
    if (oldKeks == QStringList{req.targetKek})
        return nothingToDo(
            QStringLiteral("Subject %1 already uses KEK %2.").arg(req.subject, req.targetKek));

    Plan plan;
    plan.action = Action::SwitchKek;
    plan.kek = oldKeks.join(QStringLiteral(", "));
    plan.subject = req.subject;
    plan.targetKek = req.targetKek;
    plan.title = QStringLiteral("Switch subject %1 to KEK %2").arg(req.subject, req.targetKek);
    plan.question = QStringLiteral("Register a new version of subject %1 whose rules name KEK %2 "
                                   "instead of %3?")
                        .arg(req.subject, req.targetKek, plan.kek);
    plan.verb = QStringLiteral("Switch KEK");

    auto target = call<registry::Kek>(env, [&] { return env.keys->getKek(req.targetKek, true); });
    QString kmsType = req.kmsType;
    QString kmsKeyId = req.kmsKeyId;
    if (target) {
        if (target->deleted)
            return refused(
                QStringLiteral("KEK %1 is soft-deleted: undelete it first (%2).")
                    .arg(req.targetKek, cli(QStringLiteral("kek undelete %1").arg(req.targetKek))));
        if ((!kmsType.isEmpty() && kmsType != target->kmsType) ||
            (!kmsKeyId.isEmpty() && kmsKeyId != target->kmsKeyId))
            return refused(QStringLiteral("KEK %1 already exists with %2; a KEK's KMS type and key "
                                          "cannot change: choose another name for a new key.")
                               .arg(req.targetKek, kmsLabel(*target)));
        kmsType = target->kmsType;
        kmsKeyId = target->kmsKeyId;
    } else if (isNotFound(target.error())) {
        if (kmsType.isEmpty() || kmsKeyId.isEmpty())
            return refused(QStringLiteral("KEK %1 does not exist: give --kms-type and --kms-key-id "
                                          "to register it as part of the switch.")
                               .arg(req.targetKek));
        registry::Kek kek;
        kek.name = req.targetKek;
        kek.kmsType = kmsType;
        kek.kmsKeyId = kmsKeyId;
        kek.shared = req.targetShared;
        Step create;
        create.kind = StepKind::CreateKek;
        create.kek = req.targetKek;
        create.shared = req.targetShared;
        create.payload = registry::createKekRequestJson(kek);
        create.calls = {
            QStringLiteral("POST /dek-registry/v1/keks {name %1, kmsType %2, kmsKeyId "
                           "%3, shared %4}")
                .arg(req.targetKek, kmsType, kmsKeyId,
                     req.targetShared ? QStringLiteral("true") : QStringLiteral("false"))};
        create.description =
            QStringLiteral("Register KEK %1 (%2 key %3)").arg(req.targetKek, kmsType, kmsKeyId);
        plan.steps.append(create);
    } else {
        return target.error();
    }

    // The new version: the latest with every encryption rule naming the target KEK.
    QJsonObject ruleSet = latest->ruleSet;
    QJsonObject metadata = latest->metadata;
    QStringList switched;
    for (const QString &key : {QStringLiteral("domainRules"), QStringLiteral("encodingRules")}) {
        QJsonArray list = ruleSet.value(key).toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            QJsonObject rule = list.at(i).toObject();
            const QString type = rule.value(QStringLiteral("type")).toString();
            if (type != QLatin1String("ENCRYPT") && type != QLatin1String("ENCRYPT_PAYLOAD"))
                continue;
            QJsonObject params = rule.value(QStringLiteral("params")).toObject();
            if (params.contains(QStringLiteral("encrypt.kek.name")) ||
                !metadata.value(QStringLiteral("properties"))
                     .toObject()
                     .contains(QStringLiteral("encrypt.kek.name")))
                params.insert(QStringLiteral("encrypt.kek.name"), req.targetKek);
            if (params.contains(QStringLiteral("encrypt.kms.type")) || !req.kmsType.isEmpty())
                params.insert(QStringLiteral("encrypt.kms.type"), kmsType);
            if (params.contains(QStringLiteral("encrypt.kms.key.id")) || !req.kmsKeyId.isEmpty())
                params.insert(QStringLiteral("encrypt.kms.key.id"), kmsKeyId);
            rule.insert(QStringLiteral("params"), params);
            list[i] = rule;
            switched.append(rule.value(QStringLiteral("name")).toString());
        }
        if (ruleSet.contains(key))
            ruleSet.insert(key, list);
    }
    QJsonObject properties = metadata.value(QStringLiteral("properties")).toObject();
    if (properties.contains(QStringLiteral("encrypt.kek.name"))) {
        properties.insert(QStringLiteral("encrypt.kek.name"), req.targetKek);
        if (properties.contains(QStringLiteral("encrypt.kms.type")))
            properties.insert(QStringLiteral("encrypt.kms.type"), kmsType);
        if (properties.contains(QStringLiteral("encrypt.kms.key.id")))
            properties.insert(QStringLiteral("encrypt.kms.key.id"), kmsKeyId);
        metadata.insert(QStringLiteral("properties"), properties);
    }
    registry::Schema next = *latest;
    next.id = 0;
    next.version = 0;
    next.guid.clear();
    next.ts = 0;
    next.ruleSet = ruleSet;
    next.metadata = metadata;
    Step reg;
    reg.kind = StepKind::RegisterSchema;
    reg.kek = req.targetKek;
    reg.subject = req.subject;
    reg.payload = next.toJson();
    reg.calls = {
        QStringLiteral("POST /subjects/%1/versions (version %2 with rules %3 naming KEK %4; "
                       "the registry checks compatibility)")
            .arg(req.subject)
            .arg(latest->version)
            .arg(switched.join(QStringLiteral(", ")), req.targetKek)};
    reg.description = QStringLiteral("Register a new version of %1 whose rules name %2")
                          .arg(req.subject, req.targetKek);
    plan.steps.append(reg);

    for (const QString &old : std::as_const(oldKeks)) {
        auto uses = schemaUses(env, old, req.subject);
        if (!uses)
            return uses.error();
        plan.radius.schemas += *uses;
    }
    plan.warnings << QStringLiteral(
                         "Records already written still need KEK %1, its DEKs and its KMS key: "
                         "readers use the rules of the schema each record was written with. "
                         "Keep them until that data has expired everywhere.")
                         .arg(plan.kek)
                  << QStringLiteral(
                         "Producers move only when they serialize with the new version (e.g. "
                         "use.latest.version=true) and refresh it, usually at a restart.");
    plan.radius.consequences
        << QStringLiteral(
               "Producers that pick up the new version create DEK version 1 under KEK %1 for %2.")
               .arg(req.targetKek, req.subject);
    return plan;
}

// The rows a DEK delete or undelete acts on, grouped per algorithm.
struct DekTargets
{
    QMap<QString, QList<registry::Dek>> series;  // algorithm -> every version
    QMap<QString, QList<registry::Dek>> targets; // algorithm -> the versions acted on
};

Result<DekTargets> dekTargets(const Request &req, Environment &env)
{
    DekTargets t;
    const QStringList algorithms =
        req.algorithm.isEmpty() ? dekAlgorithmNames() : QStringList{req.algorithm};
    for (const QString &a : algorithms) {
        auto series = readVersions(env, req.kek, req.subject, a);
        if (!series)
            return series.error();
        if (series->isEmpty())
            continue;
        t.series.insert(a, *series);
        for (const registry::Dek &d : std::as_const(*series))
            if (req.version <= 0 || d.version == req.version)
                t.targets[a].append(d);
    }
    if (t.targets.isEmpty())
        return refused(
            QStringLiteral("KEK %1 has no %2DEK%3 for subject %4: check with %5.")
                .arg(req.kek,
                     req.algorithm.isEmpty() ? QString() : req.algorithm + QLatin1Char(' '),
                     req.version > 0 ? QStringLiteral(" version %1").arg(req.version) : QString(),
                     req.subject, cli(QStringLiteral("deks %1 --deleted").arg(req.kek))));
    return t;
}

QString rowName(const registry::Dek &d)
{
    return QStringLiteral("version %1 of DEK subject %2 (%3) under KEK %4")
        .arg(d.version)
        .arg(d.subject, d.algorithm, d.kekName);
}

QString deleteArgs(const Request &req, int version, const QString &algorithm)
{
    QString args = QStringLiteral("dek delete --kek %1 --subject %2").arg(req.kek, req.subject);
    if (version > 0)
        args += QStringLiteral(" --version %1").arg(version);
    if (!algorithm.isEmpty())
        args += QStringLiteral(" --algorithm %1").arg(algorithm);
    return args;
}

Result<Plan> planDeleteDek(const Request &req, Environment &env)
{
    auto kek = readKek(env, req.kek);
    if (!kek)
        return kek.error();
    auto t = dekTargets(req, env);
    if (!t)
        return t.error();
    const qint64 now = env.clock->nowMs();
    const qint64 graceMs = qint64(env.policy.deleteGraceDays) * DayMs;
    Plan plan;
    plan.action = Action::DeleteDek;
    plan.kek = req.kek;
    plan.subject = req.subject;
    plan.algorithm = req.algorithm;
    plan.version = req.version;
    plan.permanent = req.permanent;
    bool anyLive = false;
    bool allLiveGo = false;
    bool latestLiveGoes = false;
    bool subjectEmptied = false;
    QStringList tooRecent;
    for (auto it = t->targets.cbegin(); it != t->targets.cend(); ++it) {
        const QList<registry::Dek> &series = t->series.value(it.key());
        QList<registry::Dek> acted;
        for (const registry::Dek &d : *it) {
            if (req.permanent) {
                if (!d.deleted)
                    return refused(
                        QStringLiteral("%1 is not soft-deleted, and the registry deletes "
                                       "permanently only what was soft-deleted first. "
                                       "Soft-delete it (%2), wait the %3-day grace "
                                       "period, then delete it permanently.")
                            .arg(rowName(d), cli(deleteArgs(req, d.version, d.algorithm)))
                            .arg(env.policy.deleteGraceDays));
                if (d.ts + graceMs > now)
                    tooRecent.append(QStringLiteral("%1 was soft-deleted %2 (grace period ends %3)")
                                         .arg(rowName(d), day(d.ts), day(d.ts + graceMs)));
                acted.append(d);
            } else if (!d.deleted) {
                acted.append(d);
            }
            plan.radius.deks.append(rowOf(d, series));
        }
        if (acted.isEmpty())
            continue;
        // Every row of the algorithm goes: nothing is left for producers to find.
        if (req.permanent && acted.size() == series.size())
            subjectEmptied = true;
        int liveLeft = 0;
        int latestLive = 0;
        for (const registry::Dek &d : series) {
            if (d.deleted)
                continue;
            latestLive = std::max(latestLive, d.version);
            const bool goes =
                std::any_of(acted.cbegin(), acted.cend(),
                            [&](const registry::Dek &a) { return a.version == d.version; });
            if (!goes)
                ++liveLeft;
        }
        anyLive = anyLive || !acted.isEmpty();
        if (!req.permanent && liveLeft == 0)
            allLiveGo = true;
        if (!req.permanent &&
            std::any_of(acted.cbegin(), acted.cend(),
                        [&](const registry::Dek &a) { return a.version == latestLive; }))
            latestLiveGoes = true;
        // Whole subject (every version of the algorithm) in one call, or one call per version.
        const bool whole = req.version <= 0;
        const QString verb = req.permanent ? QStringLiteral("permanent=true") : QString();
        if (whole) {
            Step s;
            s.kind = StepKind::DeleteDekSubject;
            s.kek = req.kek;
            s.subject = req.subject;
            s.algorithm = it.key();
            s.permanent = req.permanent;
            s.calls = {QStringLiteral("DELETE ") +
                       dekPath(req.kek, req.subject, 0, it.key(), verb)};
            s.description = QStringLiteral("%1 every version of %2 (%3)")
                                .arg(req.permanent ? QStringLiteral("Permanently delete")
                                                   : QStringLiteral("Soft-delete"),
                                     req.subject, it.key());
            plan.steps.append(s);
        } else {
            for (const registry::Dek &d : std::as_const(acted)) {
                Step s;
                s.kind = StepKind::DeleteDekVersion;
                s.kek = req.kek;
                s.subject = req.subject;
                s.algorithm = it.key();
                s.version = d.version;
                s.permanent = req.permanent;
                s.calls = {QStringLiteral("DELETE ") +
                           dekPath(req.kek, req.subject, d.version, it.key(), verb)};
                s.description = QStringLiteral("%1 version %2 of %3 (%4)")
                                    .arg(req.permanent ? QStringLiteral("Permanently delete")
                                                       : QStringLiteral("Soft-delete"))
                                    .arg(d.version)
                                    .arg(req.subject, it.key());
                plan.steps.append(s);
            }
        }
    }
    if (plan.steps.isEmpty())
        return nothingToDo(
            QStringLiteral("Every targeted version of DEK subject %1 under KEK %2 is "
                           "already soft-deleted. To remove them for good: %3.")
                .arg(req.subject, req.kek,
                     cli(deleteArgs(req, req.version, req.algorithm) +
                         QStringLiteral(" --permanent"))));
    if (!tooRecent.isEmpty() && !req.overrideGracePeriod)
        return makeError(
            ErrorGracePeriod,
            QStringLiteral("%1. The policy keeps soft-deleted DEKs for %2 days before a "
                           "permanent delete, longer than clients typically cache keys, "
                           "so consumers that still need them show up while an undelete "
                           "can help. Try again after the grace period, or override it "
                           "(--ignore-grace-period) and type the subject name.")
                .arg(tooRecent.join(QStringLiteral("; ")))
                .arg(env.policy.deleteGraceDays));
    plan.graceOverridden = !tooRecent.isEmpty();

    // Only the acted-on rows in the radius' DEK list.
    QList<DekRow> acted;
    for (const Step &s : std::as_const(plan.steps))
        for (const DekRow &r : std::as_const(plan.radius.deks))
            if (r.algorithm == s.algorithm && (s.version == 0 || s.version == r.version) &&
                (req.permanent ? r.deleted : !r.deleted))
                acted.append(r);
    plan.radius.deks = acted;
    auto uses = schemaUses(env, req.kek, req.subject);
    if (!uses)
        return uses.error();
    plan.radius.schemas = *uses;
    addData(env, plan.radius, rowsOf(acted));

    const QString n =
        plural(acted.size(), QStringLiteral("DEK version"), QStringLiteral("DEK versions"));
    plan.title =
        QStringLiteral("%1 DEKs of %2")
            .arg(req.permanent ? QStringLiteral("Permanently delete") : QStringLiteral("Delete"),
                 req.subject);
    plan.question = QStringLiteral("%1 %2 of subject %3 under KEK %4?")
                        .arg(req.permanent ? QStringLiteral("Permanently delete")
                                           : QStringLiteral("Soft-delete"),
                             n, req.subject, req.kek);
    plan.verb =
        req.permanent ? QStringLiteral("Delete permanently") : QStringLiteral("Delete %1").arg(n);
    if (req.permanent) {
        plan.unrecoverable = true;
        plan.typedName = req.subject;
        const QString data = dataSentence(plan.radius);
        plan.radius.consequences
            << (data.isEmpty()
                    ? QStringLiteral("Every record encrypted under these versions becomes "
                                     "unreadable forever (how many is not known: %1).")
                          .arg(plan.radius.unknowns.value(0, QStringLiteral("no census")))
                    : QStringLiteral("%1 become unreadable forever.").arg(data))
            << (subjectEmptied
                    ? QStringLiteral("No version of the subject is left: producers that do not "
                                     "have the key cached create a brand-new version 1, and old "
                                     "records that name version 1 (or no version) then fail to "
                                     "decrypt.")
                    : QStringLiteral("Producers are not affected: the newer versions stay."))
            << CacheNote;
        plan.secondWarning =
            QStringLiteral("This cannot be undone. The registry forgets %1 for good; only a "
                           "backup of its _dek_registry_keys topic could bring them back. %2")
                .arg(n, data.isEmpty() ? QString()
                                       : QStringLiteral("%1 become unreadable.").arg(data));
        if (plan.graceOverridden)
            plan.warnings.append(QStringLiteral("The %1-day grace period is overridden: %2.")
                                     .arg(env.policy.deleteGraceDays)
                                     .arg(tooRecent.join(QStringLiteral("; "))));
    } else {
        if (allLiveGo)
            plan.radius.consequences << QStringLiteral("Production on %1 stops: producers find no "
                                                       "DEK and fail (\"No dek found\") until "
                                                       "the DEK is undeleted.")
                                            .arg(req.subject);
        else if (latestLiveGoes)
            plan.radius.consequences
                << QStringLiteral(
                       "Producers on %1 fall back to the newest remaining version; if it has "
                       "expired they "
                       "keep encrypting with it and retry creating a new version on every record.")
                       .arg(req.subject);
        else
            plan.radius.consequences
                << QStringLiteral("Producers are not affected: they use a newer version.");
        plan.radius.consequences
            << QStringLiteral("Consumers keep reading: they look keys up including soft-deleted "
                              "ones. An undelete restores the versions.")
            << CacheNote;
        if (anyLive && latestLiveGoes)
            plan.warnings.append(QStringLiteral("This soft-deletes the newest version producers "
                                                "use. Retire versions only after a newer one "
                                                "exists (rotate first)."));
    }
    return plan;
}

Result<Plan> planUndeleteDek(const Request &req, Environment &env)
{
    auto kek = readKek(env, req.kek);
    if (!kek)
        return kek.error();
    if (kek->deleted)
        return refused(
            QStringLiteral("KEK %1 is soft-deleted, and the registry undeletes DEKs only "
                           "under a live KEK: undelete it first (%2).")
                .arg(req.kek, cli(QStringLiteral("kek undelete %1").arg(req.kek))));
    auto t = dekTargets(req, env);
    if (!t)
        return t.error();
    Plan plan;
    plan.action = Action::UndeleteDek;
    plan.kek = req.kek;
    plan.subject = req.subject;
    plan.algorithm = req.algorithm;
    plan.version = req.version;
    for (auto it = t->targets.cbegin(); it != t->targets.cend(); ++it) {
        QList<registry::Dek> deleted;
        for (const registry::Dek &d : *it)
            if (d.deleted) {
                deleted.append(d);
                plan.radius.deks.append(rowOf(d, t->series.value(it.key())));
            }
        if (deleted.isEmpty())
            continue;
        if (req.version <= 0) {
            Step s;
            s.kind = StepKind::UndeleteDekSubject;
            s.kek = req.kek;
            s.subject = req.subject;
            s.algorithm = it.key();
            s.calls = {QStringLiteral("POST ") + dekPath(req.kek, req.subject, 0, {}, QString()) +
                       QStringLiteral("/undelete?algorithm=") + it.key()};
            s.description =
                QStringLiteral("Undelete every version of %1 (%2)").arg(req.subject, it.key());
            plan.steps.append(s);
        } else {
            for (const registry::Dek &d : std::as_const(deleted)) {
                Step s;
                s.kind = StepKind::UndeleteDekVersion;
                s.kek = req.kek;
                s.subject = req.subject;
                s.algorithm = it.key();
                s.version = d.version;
                s.calls = {QStringLiteral("POST ") + dekPath(req.kek, req.subject, d.version) +
                           QStringLiteral("/undelete?algorithm=") + it.key()};
                s.description = QStringLiteral("Undelete version %1 of %2 (%3)")
                                    .arg(d.version)
                                    .arg(req.subject, it.key());
                plan.steps.append(s);
            }
        }
    }
    if (plan.steps.isEmpty())
        return nothingToDo(QStringLiteral("No targeted version of DEK subject %1 under KEK %2 is "
                                          "soft-deleted: there is nothing to undelete.")
                               .arg(req.subject, req.kek));
    const QString n = plural(plan.radius.deks.size(), QStringLiteral("DEK version"),
                             QStringLiteral("DEK versions"));
    plan.title = QStringLiteral("Undelete DEKs of %1").arg(req.subject);
    plan.question =
        QStringLiteral("Undelete %1 of subject %2 under KEK %3?").arg(n, req.subject, req.kek);
    plan.verb = QStringLiteral("Undelete %1").arg(n);
    plan.warnings << QStringLiteral("An undelete rewrites each row, which resets its ts to now and "
                                    "postpones rotations based on encrypt.dek.expiry.days.");
    plan.radius.consequences << QStringLiteral("Producers use the newest live version again.");
    return plan;
}

Result<Plan> planDeleteKek(const Request &req, Environment &env)
{
    auto kek = readKek(env, req.kek);
    if (!kek)
        return kek.error();
    // A soft-deleted KEK answers 40470 to lists without deleted=true: it has no live DEKs.
    const auto subjects = [&](bool deleted) -> Result<QStringList> {
        auto listed = call<QStringList>(
            env, [&] { return env.keys->listAllDekSubjects(req.kek, 1000, deleted); });
        if (!listed && isNotFound(listed.error()))
            return QStringList{};
        return listed;
    };
    auto live = subjects(false);
    if (!live)
        return live.error();
    auto all = subjects(true);
    if (!all)
        return all.error();
    Plan plan;
    plan.action = Action::DeleteKek;
    plan.kek = req.kek;
    plan.permanent = req.permanent;
    plan.typedName = req.kek;
    if (!req.permanent) {
        if (kek->deleted)
            return nothingToDo(
                QStringLiteral("KEK %1 is already soft-deleted. To remove it for "
                               "good, permanently delete its DEKs first, then %2.")
                    .arg(req.kek, cli(QStringLiteral("kek delete %1 --permanent").arg(req.kek))));
        if (!live->isEmpty())
            return refused(QStringLiteral("KEK %1 still has live DEKs for %2, and the registry "
                                          "deletes a KEK only after its DEKs: soft-delete them "
                                          "first (%3).")
                               .arg(req.kek,
                                    plural(live->size(), QStringLiteral("subject"),
                                           QStringLiteral("subjects")) +
                                        QStringLiteral(" (") +
                                        live->mid(0, 5).join(QStringLiteral(", ")) +
                                        (live->size() > 5 ? QStringLiteral(", …") : QString()) +
                                        QLatin1Char(')'),
                                    cli(QStringLiteral("dek delete --kek %1 --subject %2")
                                            .arg(req.kek, live->constFirst()))));
    } else {
        if (!kek->deleted)
            return refused(QStringLiteral("KEK %1 is not soft-deleted, and the registry deletes "
                                          "permanently only what was soft-deleted first: "
                                          "soft-delete it (%2), wait the %3-day grace period, then "
                                          "delete it permanently.")
                               .arg(req.kek, cli(QStringLiteral("kek delete %1").arg(req.kek)))
                               .arg(env.policy.deleteGraceDays));
        if (!all->isEmpty())
            return refused(
                QStringLiteral("KEK %1 still has DEKs for %2 (soft-deleted), and the "
                               "registry permanently deletes a KEK only after all of "
                               "its DEKs: delete them permanently first (%3).")
                    .arg(req.kek,
                         plural(all->size(), QStringLiteral("subject"), QStringLiteral("subjects")),
                         cli(QStringLiteral("dek delete --kek %1 --subject %2 --permanent")
                                 .arg(req.kek, all->constFirst()))));
        const qint64 graceMs = qint64(env.policy.deleteGraceDays) * DayMs;
        if (kek->ts + graceMs > env.clock->nowMs()) {
            if (!req.overrideGracePeriod)
                return makeError(
                    ErrorGracePeriod,
                    QStringLiteral("KEK %1 was soft-deleted %2; the policy keeps it %3 "
                                   "days (until %4) before a permanent delete. Try again "
                                   "then, or override it (--ignore-grace-period) and "
                                   "type the KEK's name.")
                        .arg(req.kek, day(kek->ts))
                        .arg(env.policy.deleteGraceDays)
                        .arg(day(kek->ts + graceMs)));
            plan.graceOverridden = true;
            plan.warnings.append(QStringLiteral("The %1-day grace period is overridden: KEK %2 was "
                                                "soft-deleted %3.")
                                     .arg(env.policy.deleteGraceDays)
                                     .arg(req.kek, day(kek->ts)));
        }
    }
    Step s;
    s.kind = StepKind::DeleteKek;
    s.kek = req.kek;
    s.permanent = req.permanent;
    s.calls = {QStringLiteral("DELETE /dek-registry/v1/keks/%1%2")
                   .arg(req.kek, req.permanent ? QStringLiteral("?permanent=true") : QString())};
    s.description = QStringLiteral("%1 KEK %2")
                        .arg(req.permanent ? QStringLiteral("Permanently delete")
                                           : QStringLiteral("Soft-delete"),
                             req.kek);
    plan.steps = {s};
    auto uses = schemaUses(env, req.kek, {});
    if (!uses)
        return uses.error();
    plan.radius.schemas = *uses;
    addData(env, plan.radius, [&](const census::DekVersionKey &k) { return k.kek == req.kek; });
    plan.title =
        QStringLiteral("%1 KEK %2")
            .arg(req.permanent ? QStringLiteral("Permanently delete") : QStringLiteral("Delete"),
                 req.kek);
    plan.question = QStringLiteral("%1 KEK %2?")
                        .arg(req.permanent ? QStringLiteral("Permanently delete")
                                           : QStringLiteral("Soft-delete"),
                             req.kek);
    plan.verb =
        req.permanent ? QStringLiteral("Delete KEK permanently") : QStringLiteral("Delete KEK");
    QStringList latestUsers;
    for (const SchemaUse &u : std::as_const(plan.radius.schemas))
        if (u.latest && !latestUsers.contains(u.subject))
            latestUsers.append(u.subject);
    if (!req.permanent) {
        if (!latestUsers.isEmpty())
            plan.radius.consequences
                << QStringLiteral("Production on %1 stops: producers find no KEK "
                                  "(producers whose rule carries the KMS type and "
                                  "key id re-register it, but its DEKs stay deleted).")
                       .arg(latestUsers.join(QStringLiteral(", ")));
        const QString data = dataSentence(plan.radius);
        plan.radius.consequences
            << QStringLiteral("Consumers built on Confluent's JavaScript client stop reading "
                              "records under this KEK%1 (they look KEKs up without deleted ones); "
                              "Java and Go consumers keep reading.")
                   .arg(data.isEmpty() ? QString() : QStringLiteral(": ") + data)
            << CacheNote;
    } else {
        plan.unrecoverable = true;
        plan.radius.consequences
            << QStringLiteral("The registry forgets KEK %1 for good. Producers whose rule carries "
                              "its KMS type and key id would register it again with a brand-new "
                              "version 1 of each DEK.")
                   .arg(req.kek)
            << QStringLiteral("The KMS key itself is not touched: destroy or disable it in the KMS "
                              "to shred the data for good.");
        plan.secondWarning = QStringLiteral("This cannot be undone: KEK %1 is removed from the "
                                            "registry for good.")
                                 .arg(req.kek);
    }
    return plan;
}

Result<Plan> planUndeleteKek(const Request &req, Environment &env)
{
    auto kek = readKek(env, req.kek);
    if (!kek)
        return kek.error();
    if (!kek->deleted)
        return nothingToDo(
            QStringLiteral("KEK %1 is not deleted: there is nothing to undelete.").arg(req.kek));
    Plan plan;
    plan.action = Action::UndeleteKek;
    plan.kek = req.kek;
    Step s;
    s.kind = StepKind::UndeleteKek;
    s.kek = req.kek;
    s.calls = {QStringLiteral("POST /dek-registry/v1/keks/%1/undelete").arg(req.kek)};
    s.description = QStringLiteral("Undelete KEK %1").arg(req.kek);
    plan.steps = {s};
    plan.title = QStringLiteral("Undelete KEK %1").arg(req.kek);
    plan.question = QStringLiteral("Undelete KEK %1?").arg(req.kek);
    plan.verb = QStringLiteral("Undelete KEK");
    plan.radius.consequences << QStringLiteral(
        "Its DEKs stay soft-deleted: undelete them as well for producers to use them again.");
    return plan;
}

} // namespace

Result<Plan> planWorkflow(const Request &request, Environment &env)
{
    if (!env.keys || !env.schemas)
        return makeError(QStringLiteral("workflow.no_registry"),
                         QStringLiteral("A workflow needs a registry connection."));
    if (!request.algorithm.isEmpty() && !parseAlgorithm(request.algorithm))
        return makeError(
            QStringLiteral("workflow.usage"),
            QStringLiteral("Unknown algorithm '%1' (known: %2).")
                .arg(request.algorithm, dekAlgorithmNames().join(QStringLiteral(", "))));
    Result<Plan> plan = [&]() -> Result<Plan> {
        switch (request.action) {
        case Action::RotateDek:
            return planRotate(request, env);
        case Action::RewrapKek:
            return planRewrap(request, env);
        case Action::SwitchKek:
            return planSwitch(request, env);
        case Action::DeleteDek:
            return planDeleteDek(request, env);
        case Action::UndeleteDek:
            return planUndeleteDek(request, env);
        case Action::DeleteKek:
            return planDeleteKek(request, env);
        case Action::UndeleteKek:
            return planUndeleteKek(request, env);
        }
        return makeError(QStringLiteral("workflow.usage"), QStringLiteral("Unknown workflow."));
    }();
    if (plan)
        plan->plannedAtMs = env.clock->nowMs();
    return plan;
}

} // namespace kw::workflows
