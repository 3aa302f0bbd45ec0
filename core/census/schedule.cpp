#include "core/census/schedule.h"

#include "core/domain/dekalgorithm.h"
#include "core/domain/privatefiles.h"
#include "core/domain/rules.h"
#include "core/kafka/kafkaclient.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/kekusage.h"
#include "core/registry/schemaregistryclient.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace kw::census {

namespace {

constexpr qint64 DayMs = 86'400'000;
// Values seen up to this long before a version's ts are clock skew between the producer and
// the registry, not a reset ts.
constexpr qint64 SkewMs = 10 * 60 * 1000;
// The latest time QDateTime and JSON consumers handle without surprises (9999-12-31).
constexpr double LatestProjectionMs = 253402300799999.0;

const QStringList &algorithms()
{
    static const QStringList all = dekAlgorithmNames();
    return all;
}

Error policyError(const QString &message)
{
    return makeError(QStringLiteral("census.policy"), message);
}

template<typename T>
Result<T> waitFor(QFuture<Result<T>> future)
{
    future.waitForFinished();
    return future.result();
}

} // namespace

double Policy::limitFor(const QString &algorithm) const
{
    return limits.value(algorithm, algorithm.endsWith(QLatin1String("SIV")) ? 281474976710656.0
                                                                            : 4294967296.0);
}

QJsonObject Policy::toJson() const
{
    QJsonObject l;
    for (auto it = limits.cbegin(); it != limits.cend(); ++it)
        l.insert(it.key(), it.value());
    return {{QStringLiteral("dekCryptoperiodDays"), dekCryptoperiodDays},
            {QStringLiteral("dekMaxAgeDays"), dekMaxAgeDays},
            {QStringLiteral("dueSoonDays"), dueSoonDays},
            {QStringLiteral("deleteGraceDays"), deleteGraceDays},
            {QStringLiteral("limitWarnShare"), limitWarnShare},
            {QStringLiteral("limits"), l}};
}

Result<Policy> Policy::fromJson(const QJsonObject &json)
{
    Policy p;
    const auto days = [&](const QString &name, int &out) -> Result<void> {
        if (!json.contains(name))
            return {};
        const QJsonValue v = json.value(name);
        const double d = v.toDouble(-1);
        if (!v.isDouble() || d < 1 || d > 36500 || d != std::floor(d))
            return policyError(
                QStringLiteral("Policy member '%1' must be a whole number of days from 1 to 36500.")
                    .arg(name));
        out = int(d);
        return {};
    };
    static const QStringList known{
        QStringLiteral("dekCryptoperiodDays"), QStringLiteral("dekMaxAgeDays"),
        QStringLiteral("dueSoonDays"),         QStringLiteral("deleteGraceDays"),
        QStringLiteral("limitWarnShare"),      QStringLiteral("limits")};
    for (auto it = json.constBegin(); it != json.constEnd(); ++it) {
        if (!known.contains(it.key()))
            return policyError(QStringLiteral("Unknown policy member '%1' (known: %2).")
                                   .arg(it.key(), known.join(QStringLiteral(", "))));
    }
    if (auto r = days(QStringLiteral("dekCryptoperiodDays"), p.dekCryptoperiodDays); !r)
        return r.error();
    if (auto r = days(QStringLiteral("dekMaxAgeDays"), p.dekMaxAgeDays); !r)
        return r.error();
    if (auto r = days(QStringLiteral("dueSoonDays"), p.dueSoonDays); !r)
        return r.error();
    if (auto r = days(QStringLiteral("deleteGraceDays"), p.deleteGraceDays); !r)
        return r.error();
    if (json.contains(QStringLiteral("limitWarnShare"))) {
        const QJsonValue v = json.value(QStringLiteral("limitWarnShare"));
        if (!v.isDouble() || v.toDouble() <= 0 || v.toDouble() > 1)
            return policyError(QStringLiteral(
                "Policy member 'limitWarnShare' must be a number above 0 and at most 1."));
        p.limitWarnShare = v.toDouble();
    }
    if (json.contains(QStringLiteral("limits"))) {
        const QJsonValue v = json.value(QStringLiteral("limits"));
        if (!v.isObject())
            return policyError(QStringLiteral(
                "Policy member 'limits' must be an object of algorithm names and invocations."));
        const QJsonObject l = v.toObject();
        for (auto it = l.constBegin(); it != l.constEnd(); ++it) {
            if (!algorithms().contains(it.key()))
                return policyError(QStringLiteral("Unknown algorithm '%1' in 'limits' (known: %2).")
                                       .arg(it.key(), algorithms().join(QStringLiteral(", "))));
            if (!it->isDouble() || it->toDouble() < 1)
                return policyError(
                    QStringLiteral(
                        "The limit for %1 must be a number of invocations of at least 1.")
                        .arg(it.key()));
            p.limits.insert(it.key(), it->toDouble());
        }
    }
    return p;
}

Result<Policy> Policy::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return policyError(
            QStringLiteral("Cannot read the policy file '%1': %2").arg(path, file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return policyError(QStringLiteral("The policy file '%1' is not a JSON object: %2")
                               .arg(path, parseError.error != QJsonParseError::NoError
                                              ? QStringLiteral("%1 at byte %2")
                                                    .arg(parseError.errorString())
                                                    .arg(parseError.offset)
                                              : QStringLiteral("the document is not an object")));
    auto policy = fromJson(doc.object());
    if (!policy)
        return policyError(QStringLiteral("%1: %2").arg(path, policy.error().message));
    return policy;
}

Result<void> Policy::save(const QString &path) const
{
    if (auto folder = makePrivateFolder(QFileInfo(path).absolutePath()); !folder)
        return folder.error();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return policyError(
            QStringLiteral("Cannot write the policy file '%1': %2").arg(path, file.errorString()));
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return policyError(
            QStringLiteral("Cannot write the policy file '%1': %2").arg(path, file.errorString()));
    return {};
}

const DekVersionInfo *DekSeries::latestLive() const
{
    const DekVersionInfo *latest = nullptr;
    for (const DekVersionInfo &v : versions) {
        if (!v.deleted && (!latest || v.version > latest->version))
            latest = &v;
    }
    return latest;
}

const DekVersionInfo *DekSeries::find(int version) const
{
    for (const DekVersionInfo &v : versions) {
        if (v.version == version)
            return &v;
    }
    return nullptr;
}

const DekSeries *ScheduleInputs::find(const QString &kek, const QString &subject,
                                      const QString &algorithm) const
{
    for (const DekSeries &s : series) {
        if (s.kek == kek && s.subject == subject && s.algorithm == algorithm)
            return &s;
    }
    return nullptr;
}

Result<ScheduleInputs> loadScheduleInputs(registry::DekRegistryClient &keys,
                                          registry::SchemaRegistryClient &schemas,
                                          const std::atomic_bool &cancel,
                                          const std::function<void(int, int)> &progress)
{
    ScheduleInputs inputs;
    registry::SchemaListOptions latest;
    latest.latestOnly = true;
    auto listed = waitFor(schemas.schemas(latest));
    if (!listed)
        return listed.error();
    inputs.latestSchemas = *listed;

    auto all = waitFor(keys.listAllKeks(1000, {}, true));
    if (!all)
        return all.error();
    auto live = waitFor(keys.listAllKeks(1000, {}, false));
    if (!live)
        return live.error();
    const QSet<QString> liveKeks(live->cbegin(), live->cend());

    // Every (KEK, subject) first, so progress has a total.
    QList<QPair<QString, QString>> subjects;
    for (const QString &kek : std::as_const(*all)) {
        if (cancel)
            return makeError(QStringLiteral("common.cancelled"),
                             QStringLiteral("Reading the DEK Registry was cancelled."));
        auto names = waitFor(keys.listAllDekSubjects(kek, 1000, true));
        if (!names)
            return names.error();
        for (const QString &subject : std::as_const(*names))
            subjects.append({kek, subject});
    }
    int done = 0;
    for (const auto &ks : std::as_const(subjects)) {
        if (cancel)
            return makeError(QStringLiteral("common.cancelled"),
                             QStringLiteral("Reading the DEK Registry was cancelled."));
        // The REST API lists one algorithm at a time; ask for all three at once.
        QList<QFuture<Result<QList<int>>>> versionLists;
        for (const QString &algorithm : algorithms())
            versionLists.append(
                keys.listAllDekVersions(ks.first, ks.second, algorithm, 1000, true));
        for (qsizetype a = 0; a < versionLists.size(); ++a) {
            auto versions = waitFor(versionLists[a]);
            if (!versions)
                return versions.error();
            if (versions->isEmpty())
                continue;
            DekSeries series{
                ks.first, ks.second, algorithms().at(a), !liveKeks.contains(ks.first), {}};
            QList<QFuture<Result<registry::Dek>>> deks;
            for (int v : std::as_const(*versions))
                deks.append(keys.getDekVersion(ks.first, ks.second, v, series.algorithm, true));
            for (auto &f : deks) {
                auto dek = waitFor(f);
                if (!dek)
                    return dek.error();
                // Only the version, its time and whether it is deleted; the key material (sent
                // for shared KEKs) goes no further.
                series.versions.append({dek->version, dek->ts, dek->deleted});
            }
            std::sort(series.versions.begin(), series.versions.end(),
                      [](const auto &a, const auto &b) { return a.version < b.version; });
            inputs.series.append(series);
        }
        if (progress)
            progress(++done, int(subjects.size()));
    }
    return inputs;
}

QString dueStatusName(DueStatus status)
{
    switch (status) {
    case DueStatus::Overdue:
        return QStringLiteral("overdue");
    case DueStatus::DueSoon:
        return QStringLiteral("due-soon");
    case DueStatus::Ok:
        return QStringLiteral("ok");
    case DueStatus::NoRotation:
        return QStringLiteral("no-rotation");
    }
    return {};
}

QList<ScheduleRow> buildSchedule(const ScheduleInputs &inputs, const Tally &census,
                                 const Policy &policy, qint64 nowMs)
{
    QList<ScheduleRow> rows;
    for (const DekSeries &series : inputs.series) {
        const DekVersionInfo *latest = series.latestLive();
        if (series.kekDeleted || !latest)
            continue; // retired: nothing will encrypt under it again
        ScheduleRow row;
        row.kek = series.kek;
        row.subject = series.subject;
        row.algorithm = series.algorithm;
        row.latestVersion = latest->version;
        row.ts = latest->ts;
        row.versions = series.versions;

        const registry::ExpirySource expiry =
            registry::dekExpiry(inputs.latestSchemas, series.kek, series.subject);
        row.expiryDays = expiry.days;
        row.expirySubject = expiry.subject;
        row.expiryVersion = expiry.version;
        if (row.expiryDays > 0 && row.ts > 0) {
            row.dueAt = row.ts + qint64(row.expiryDays) * DayMs;
            row.status = nowMs >= row.dueAt                                ? DueStatus::Overdue
                         : row.dueAt - nowMs <= policy.dueSoonDays * DayMs ? DueStatus::DueSoon
                                                                           : DueStatus::Ok;
        }

        row.limit = policy.limitFor(series.algorithm);
        for (auto it = census.dekVersions().cbegin(); it != census.dekVersions().cend(); ++it) {
            const DekVersionKey &k = it.key();
            if (k.kek != series.kek || k.subject != series.subject ||
                k.algorithm != series.algorithm)
                continue;
            row.encryptionsAllVersions += it->encryptions;
            if (k.version != latest->version)
                continue;
            const DekVersionUsage &u = it.value();
            row.counted = true;
            row.encryptions = u.encryptions;
            if (u.first.timestampMs >= 0 && row.ts > 0 && u.first.timestampMs + SkewMs < row.ts)
                row.tsReset = true;
            const qint64 span = u.last.timestampMs - u.first.timestampMs;
            if (u.encryptions >= row.limit) {
                row.projectedLimitAt = u.last.timestampMs;
            } else if (u.encryptions > 1 && span > 0) {
                const double rate = double(u.encryptions) / double(span); // per ms
                const double at = double(u.last.timestampMs) + (row.limit - u.encryptions) / rate;
                if (at <= LatestProjectionMs)
                    row.projectedLimitAt = qint64(at);
                else
                    row.limitOutOfReach = true;
            }
        }
        row.limitShare = row.limit > 0 ? double(row.encryptions) / row.limit : 0;

        if (row.limitShare >= policy.limitWarnShare)
            row.warnings.append(QStringLiteral("near-limit"));
        if (row.expiryDays > policy.dekCryptoperiodDays)
            row.warnings.append(QStringLiteral("expiry-above-policy"));
        if (row.ts > 0 && nowMs - row.ts > qint64(policy.dekMaxAgeDays) * DayMs)
            row.warnings.append(QStringLiteral("older-than-policy"));
        if (row.tsReset)
            row.warnings.append(QStringLiteral("ts-reset"));
        rows.append(row);
    }

    const auto rank = [](const ScheduleRow &r) {
        switch (r.status) {
        case DueStatus::Overdue:
            return 0;
        case DueStatus::DueSoon:
            return 1;
        case DueStatus::Ok:
            return 2;
        case DueStatus::NoRotation:
            return 3;
        }
        return 4;
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const ScheduleRow &a, const ScheduleRow &b) {
        const bool aNear = a.warnings.contains(QLatin1String("near-limit"));
        const bool bNear = b.warnings.contains(QLatin1String("near-limit"));
        return std::tuple(rank(a), !aNear, a.dueAt, a.kek, a.subject, a.algorithm) <
               std::tuple(rank(b), !bNear, b.dueAt, b.kek, b.subject, b.algorithm);
    });
    return rows;
}

ScheduleSummary summarize(const QList<ScheduleRow> &rows)
{
    ScheduleSummary s;
    for (const ScheduleRow &r : rows) {
        ++s.rows;
        s.overdue += r.status == DueStatus::Overdue;
        s.dueSoon += r.status == DueStatus::DueSoon;
        s.noRotation += r.status == DueStatus::NoRotation;
        s.nearLimit += r.warnings.contains(QLatin1String("near-limit"));
        s.tsReset += r.tsReset;
    }
    return s;
}

void addRegistryProblems(Tally &census, const ScheduleInputs &inputs)
{
    for (auto it = census.dekVersions().cbegin(); it != census.dekVersions().cend(); ++it) {
        const DekVersionKey &k = it.key();
        const DekSeries *series = inputs.find(k.kek, k.subject, k.algorithm);
        if (series && series->find(k.version))
            continue;
        const DekVersionUsage &u = it.value();
        Problem problem;
        problem.count = u.records;
        problem.example = u.first;
        problem.message =
            series ? QStringLiteral("Values name version %1 of DEK '%2' (KEK '%3', %4), which the "
                                    "DEK Registry does not have, not even deleted: they cannot be "
                                    "decrypted.")
                         .arg(k.version)
                         .arg(k.subject, k.kek, k.algorithm)
                   : QStringLiteral("Values name DEK '%1' (KEK '%2', %3), which the DEK Registry "
                                    "does not have, not even deleted: they cannot be decrypted.")
                         .arg(k.subject, k.kek, k.algorithm);
        census.addProblem(u.first.topic, QStringLiteral("census.unknown_dek_version"), problem);
    }
}

QStringList encryptedTopics(const ScheduleInputs &inputs, const QStringList &existing)
{
    QSet<QString> subjects;
    for (const DekSeries &s : inputs.series)
        subjects.insert(s.subject);
    for (const registry::Schema &schema : inputs.latestSchemas) {
        if (!parseRuleSet(schema.ruleSet, schema.metadata).isEmpty())
            subjects.insert(schema.subject);
    }
    QStringList topics;
    for (const QString &topic : existing) {
        if (subjects.contains(topic + QLatin1String("-value")) ||
            subjects.contains(topic + QLatin1String("-key")))
            topics.append(topic);
    }
    topics.sort();
    return topics;
}

Result<QStringList> encryptedTopics(const ScheduleInputs &inputs,
                                    const kafka::KafkaSettings &settings)
{
    auto listed = kafka::listTopics(settings);
    if (!listed)
        return listed.error();
    QStringList names;
    for (const kafka::TopicInfo &t : std::as_const(*listed)) {
        if (!t.internal)
            names.append(t.name);
    }
    return encryptedTopics(inputs, names);
}

} // namespace kw::census
