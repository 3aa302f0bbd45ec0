// census::buildSchedule, Policy, addRegistryProblems and encryptedTopics: due dates and
// statuses from DEK ts and rule expiry, the census' counts against the invocation limit, the
// projection, reset ts, strict policy files, and which topics a census reads by default.

#include "core/census/schedule.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace kw;
using namespace kw::census;

namespace {

constexpr qint64 Day = 86'400'000;
constexpr qint64 Now = 1'780'000'000'000; // 2026-05-28

// A schema version of `subject` with one ENCRYPT rule naming `kek`.
registry::Schema schemaWithRule(const QString &subject, const QString &kek, int expiryDays,
                                int version = 1)
{
    registry::Schema s;
    s.subject = subject;
    s.version = version;
    s.schema = QStringLiteral(R"({"type":"record","name":"R","fields":[]})");
    QJsonObject params{{QStringLiteral("encrypt.kek.name"), kek}};
    if (expiryDays > 0)
        params.insert(QStringLiteral("encrypt.dek.expiry.days"), QString::number(expiryDays));
    s.ruleSet = QJsonObject{
        {QStringLiteral("domainRules"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("enc")},
                                {QStringLiteral("kind"), QStringLiteral("TRANSFORM")},
                                {QStringLiteral("type"), QStringLiteral("ENCRYPT")},
                                {QStringLiteral("mode"), QStringLiteral("WRITEREAD")},
                                {QStringLiteral("tags"), QJsonArray{QStringLiteral("PII")}},
                                {QStringLiteral("params"), params}}}}};
    return s;
}

DekSeries series(const QString &kek, const QString &subject, QList<DekVersionInfo> versions,
                 const QString &algorithm = QStringLiteral("AES256_GCM"))
{
    return {kek, subject, algorithm, false, std::move(versions)};
}

DekVersionUsage usage(qint64 encryptions, qint64 firstMs, qint64 lastMs,
                      const QString &topic = QStringLiteral("orders"))
{
    DekVersionUsage u;
    u.encryptions = encryptions;
    u.records = encryptions;
    u.first = {firstMs, topic, 0, 10};
    u.last = {lastMs, topic, 0, 10 + encryptions};
    u.topics.insert(topic, encryptions);
    return u;
}

const ScheduleRow *rowFor(const QList<ScheduleRow> &rows, const QString &subject)
{
    for (const ScheduleRow &r : rows) {
        if (r.subject == subject)
            return &r;
    }
    return nullptr;
}

} // namespace

class TestSchedule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statusFromTsAndRuleExpiry()
    {
        ScheduleInputs in;
        // 30-day expiry: overdue (ts 40 days ago), due soon (ts 10 days ago), ok with a 90-day
        // rule (ts 10 days ago), and a subject whose rule does not rotate.
        in.latestSchemas = {schemaWithRule(QStringLiteral("late-value"), QStringLiteral("k"), 30),
                            schemaWithRule(QStringLiteral("soon-value"), QStringLiteral("k"), 30),
                            schemaWithRule(QStringLiteral("fine-value"), QStringLiteral("k"), 90),
                            schemaWithRule(QStringLiteral("flat-value"), QStringLiteral("k"), 0)};
        in.series = {
            series(QStringLiteral("k"), QStringLiteral("late-value"),
                   {{1, Now - 100 * Day, false}, {2, Now - 40 * Day, false}}),
            series(QStringLiteral("k"), QStringLiteral("soon-value"), {{1, Now - 10 * Day, false}}),
            series(QStringLiteral("k"), QStringLiteral("fine-value"), {{1, Now - 10 * Day, false}}),
            series(QStringLiteral("k"), QStringLiteral("flat-value"),
                   {{1, Now - 900 * Day, false}})};
        const auto rows = buildSchedule(in, {}, Policy{}, Now);
        QCOMPARE(rows.size(), 4);
        const ScheduleRow *late = rowFor(rows, QStringLiteral("late-value"));
        QVERIFY(late);
        QCOMPARE(late->latestVersion, 2);
        QCOMPARE(late->expiryDays, 30);
        QCOMPARE(late->dueAt, Now - 10 * Day);
        QCOMPARE(late->status, DueStatus::Overdue);
        QCOMPARE(rowFor(rows, QStringLiteral("soon-value"))->status, DueStatus::DueSoon);
        QCOMPARE(rowFor(rows, QStringLiteral("soon-value"))->dueAt, Now + 20 * Day);
        QCOMPARE(rowFor(rows, QStringLiteral("fine-value"))->status, DueStatus::Ok);
        const ScheduleRow *flat = rowFor(rows, QStringLiteral("flat-value"));
        QCOMPARE(flat->status, DueStatus::NoRotation);
        QCOMPARE(flat->dueAt, qint64(-1));
        // 900 days old: beyond the policy's 730-day maximum age.
        QVERIFY(flat->warnings.contains(QStringLiteral("older-than-policy")));
        // Most urgent first.
        QCOMPARE(rows.at(0).subject, QStringLiteral("late-value"));
        QCOMPARE(rows.at(1).subject, QStringLiteral("soon-value"));
        QCOMPARE(rows.at(3).subject, QStringLiteral("flat-value"));
        const ScheduleSummary s = summarize(rows);
        QCOMPARE(s.overdue, 1);
        QCOMPARE(s.dueSoon, 1);
        QCOMPARE(s.noRotation, 1);
        QCOMPARE(s.rows, 4);

        // The due-soon window comes from the policy.
        Policy narrow;
        narrow.dueSoonDays = 7;
        QCOMPARE(rowFor(buildSchedule(in, {}, narrow, Now), QStringLiteral("soon-value"))->status,
                 DueStatus::Ok);
    }

    void dueExactlyNowIsOverdue()
    {
        ScheduleInputs in;
        in.latestSchemas = {schemaWithRule(QStringLiteral("s-value"), QStringLiteral("k"), 30)};
        in.series = {
            series(QStringLiteral("k"), QStringLiteral("s-value"), {{1, Now - 30 * Day, false}})};
        QCOMPARE(buildSchedule(in, {}, Policy{}, Now).at(0).status, DueStatus::Overdue);
        QCOMPARE(buildSchedule(in, {}, Policy{}, Now - 1).at(0).status, DueStatus::DueSoon);
    }

    void deletedVersionsAndKeksAreSkipped()
    {
        ScheduleInputs in;
        in.latestSchemas = {schemaWithRule(QStringLiteral("a-value"), QStringLiteral("k"), 30)};
        DekSeries retired =
            series(QStringLiteral("gone"), QStringLiteral("a-value"), {{1, Now - Day, false}});
        retired.kekDeleted = true;
        in.series = {
            series(QStringLiteral("k"), QStringLiteral("a-value"),
                   {{1, Now - 50 * Day, false}, {2, Now - 5 * Day, true}}),
            retired,
            series(QStringLiteral("k"), QStringLiteral("b-value"), {{1, Now - 5 * Day, true}})};
        const auto rows = buildSchedule(in, {}, Policy{}, Now);
        QCOMPARE(rows.size(), 1);
        // v2 is soft-deleted: producers use v1, which is what is due.
        QCOMPARE(rows.at(0).latestVersion, 1);
        QCOMPARE(rows.at(0).status, DueStatus::Overdue);
        QCOMPARE(rows.at(0).versions.size(), 2);
    }

    void encryptionsAgainstTheLimitAndProjection()
    {
        ScheduleInputs in;
        in.latestSchemas = {schemaWithRule(QStringLiteral("s-value"), QStringLiteral("k"), 365)};
        in.series = {series(QStringLiteral("k"), QStringLiteral("s-value"),
                            {{1, Now - 300 * Day, false}, {2, Now - 100 * Day, false}})};
        Tally census;
        census.addUsage(
            {QStringLiteral("k"), QStringLiteral("s-value"), QStringLiteral("AES256_GCM"), 1},
            usage(500, Now - 300 * Day, Now - 100 * Day));
        // 3000 encryptions over 100 days under v2.
        census.addUsage(
            {QStringLiteral("k"), QStringLiteral("s-value"), QStringLiteral("AES256_GCM"), 2},
            usage(3000, Now - 100 * Day, Now));
        Policy policy;
        policy.limits.insert(QStringLiteral("AES256_GCM"), 6000);
        const ScheduleRow row = buildSchedule(in, census, policy, Now).at(0);
        QVERIFY(row.counted);
        QCOMPARE(row.encryptions, 3000);
        QCOMPARE(row.encryptionsAllVersions, 3500);
        QCOMPARE(row.limit, 6000.0);
        QCOMPARE(row.limitShare, 0.5);
        QVERIFY(row.warnings.contains(QStringLiteral("near-limit")));
        // 30 per day: the remaining 3000 take 100 days from the last value seen.
        QCOMPARE(row.projectedLimitAt, Now + 100 * Day);
        QVERIFY(!row.limitOutOfReach);
        QCOMPARE(summarize({row}).nearLimit, 1);

        // Under the default 2^32 the same rate never gets there before 9999.
        const ScheduleRow far = buildSchedule(in, census, Policy{}, Now).at(0);
        QCOMPARE(far.projectedLimitAt, qint64(-1));
        QVERIFY(far.limitOutOfReach);
        QVERIFY(!far.warnings.contains(QStringLiteral("near-limit")));
    }

    void sivHasItsOwnLimit()
    {
        ScheduleInputs in;
        in.series = {series(QStringLiteral("k"), QStringLiteral("s-value"), {{1, Now - Day, false}},
                            QStringLiteral("AES256_SIV")),
                     series(QStringLiteral("k"), QStringLiteral("s-value"), {{1, Now - Day, false}},
                            QStringLiteral("AES128_GCM"))};
        const auto rows = buildSchedule(in, {}, Policy{}, Now);
        QCOMPARE(rows.size(), 2);
        for (const ScheduleRow &r : rows)
            QCOMPARE(r.limit, r.algorithm == QLatin1String("AES256_SIV") ? std::pow(2.0, 48)
                                                                         : std::pow(2.0, 32));
    }

    void valuesOlderThanTsMeanAResetTs()
    {
        ScheduleInputs in;
        in.latestSchemas = {schemaWithRule(QStringLiteral("s-value"), QStringLiteral("k"), 30)};
        // v1's ts is 2 days ago (a rewrap), but the census saw values under v1 60 days ago.
        in.series = {
            series(QStringLiteral("k"), QStringLiteral("s-value"), {{1, Now - 2 * Day, false}})};
        Tally census;
        census.addUsage(
            {QStringLiteral("k"), QStringLiteral("s-value"), QStringLiteral("AES256_GCM"), 1},
            usage(10, Now - 60 * Day, Now - Day));
        const ScheduleRow row = buildSchedule(in, census, Policy{}, Now).at(0);
        QVERIFY(row.tsReset);
        QVERIFY(row.warnings.contains(QStringLiteral("ts-reset")));
        QCOMPARE(summarize({row}).tsReset, 1);

        // Values written just after the ts (or within clock skew before it) are no reset.
        Tally fresh;
        fresh.addUsage(
            {QStringLiteral("k"), QStringLiteral("s-value"), QStringLiteral("AES256_GCM"), 1},
            usage(10, Now - 2 * Day - 60'000, Now - Day));
        QVERIFY(!buildSchedule(in, fresh, Policy{}, Now).at(0).tsReset);
    }

    void expiryAbovePolicyIsFlagged()
    {
        ScheduleInputs in;
        in.latestSchemas = {schemaWithRule(QStringLiteral("s-value"), QStringLiteral("k"), 400)};
        in.series = {
            series(QStringLiteral("k"), QStringLiteral("s-value"), {{1, Now - Day, false}})};
        QVERIFY(buildSchedule(in, {}, Policy{}, Now)
                    .at(0)
                    .warnings.contains(QStringLiteral("expiry-above-policy")));
        Policy lax;
        lax.dekCryptoperiodDays = 400;
        QVERIFY(buildSchedule(in, {}, lax, Now).at(0).warnings.isEmpty());
    }

    void unknownVersionsBecomeProblems()
    {
        ScheduleInputs in;
        in.series = {series(QStringLiteral("k"), QStringLiteral("s-value"),
                            {{1, Now - Day, false}, {2, Now, true}})};
        Tally census;
        for (int v : {1, 2, 7})
            census.addUsage(
                {QStringLiteral("k"), QStringLiteral("s-value"), QStringLiteral("AES256_GCM"), v},
                usage(4, Now - Day, Now, QStringLiteral("orders")));
        census.addUsage(
            {QStringLiteral("nokek"), QStringLiteral("s-value"), QStringLiteral("AES256_GCM"), 1},
            usage(3, Now - Day, Now, QStringLiteral("refunds")));
        addRegistryProblems(census, in);
        // v2 is soft-deleted, not unknown; v7 and the DEK of an unknown KEK are.
        const Problem orders = census.problems()
                                   .value(QStringLiteral("orders"))
                                   .value(QStringLiteral("census.unknown_dek_version"));
        QCOMPARE(orders.count, 4);
        QCOMPARE(orders.example.offset, 10);
        QVERIFY2(orders.message.contains(QStringLiteral("version 7")), qPrintable(orders.message));
        const Problem refunds = census.problems()
                                    .value(QStringLiteral("refunds"))
                                    .value(QStringLiteral("census.unknown_dek_version"));
        QCOMPARE(refunds.count, 3);
        QVERIFY(refunds.message.contains(QStringLiteral("nokek")));
    }

    void defaultTopicsAreThoseWithRulesOrDeks()
    {
        ScheduleInputs in;
        registry::Schema plain;
        plain.subject = QStringLiteral("plain-value");
        plain.schema = QStringLiteral(R"("string")");
        in.latestSchemas = {schemaWithRule(QStringLiteral("orders-value"), QStringLiteral("k"), 0),
                            plain};
        in.series = {series(QStringLiteral("k"), QStringLiteral("old-key"), {{1, Now, false}})};
        QCOMPARE(encryptedTopics(in, {QStringLiteral("plain"), QStringLiteral("orders"),
                                      QStringLiteral("old"), QStringLiteral("unrelated")}),
                 (QStringList{QStringLiteral("old"), QStringLiteral("orders")}));
    }

    void policyRoundTripsAndRefusesMistakes()
    {
        Policy p;
        p.dekCryptoperiodDays = 180;
        p.limitWarnShare = 0.25;
        p.limits.insert(QStringLiteral("AES256_SIV"), 1e12);
        QCOMPARE(Policy::fromJson(p.toJson()).value(), p);

        const auto refused = [](const char *json, const char *needle) {
            const auto r = Policy::fromJson(QJsonDocument::fromJson(json).object());
            if (r)
                return QStringLiteral("accepted %1").arg(QLatin1String(json));
            if (r.error().code != QLatin1String("census.policy") ||
                !r.error().message.contains(QLatin1String(needle)))
                return QStringLiteral("%1 -> %2").arg(QLatin1String(json), r.error().message);
            return QString();
        };
        for (const auto &[json, needle] :
             {std::pair{R"({"dekCryptoperiodDay": 30})", "dekCryptoperiodDay"},
              std::pair{R"({"dueSoonDays": "30"})", "dueSoonDays"},
              std::pair{R"({"dueSoonDays": 0})", "dueSoonDays"},
              std::pair{R"({"dekMaxAgeDays": 1.5})", "dekMaxAgeDays"},
              std::pair{R"({"limitWarnShare": 2})", "limitWarnShare"},
              std::pair{R"({"limits": {"AES256_CBC": 10}})", "AES256_CBC"},
              std::pair{R"({"limits": {"AES256_GCM": 0}})", "AES256_GCM"}}) {
            const QString why = refused(json, needle);
            QVERIFY2(why.isEmpty(), qPrintable(why));
        }

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("policy.json"));
        QVERIFY(p.save(path));
        QCOMPARE(QFile(path).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        QCOMPARE(Policy::load(path).value(), p);
        QFile broken(dir.filePath(QStringLiteral("broken.json")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("{\"dueSoonDays\": 3");
        broken.close();
        const auto bad = Policy::load(broken.fileName());
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(QStringLiteral("broken.json")),
                 qPrintable(bad.error().message));
        QVERIFY(!Policy::load(dir.filePath(QStringLiteral("missing.json"))));
    }
};

QTEST_GUILESS_MAIN(TestSchedule)
#include "tst_schedule.moc"
