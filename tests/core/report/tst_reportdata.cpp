// The report's data from hand-made inputs: what each section holds, what is marked not
// available and why, the controls' findings, and the JSON and CSV writers' shape.

#include "core/report/reportdata.h"
#include "core/report/reportwriters.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace kw;
using namespace kw::report;

namespace {

constexpr qint64 DayMs = 86'400'000;
constexpr qint64 Now = 1'796'000'000'000; // 2026-11-30

registry::Kek kek(const QString &name, const QString &type, bool shared = false)
{
    registry::Kek k;
    k.name = name;
    k.kmsType = type;
    k.kmsKeyId = QStringLiteral("key-of-") + name;
    k.shared = shared;
    k.ts = Now - 900 * DayMs;
    return k;
}

registry::Schema schemaWithRule(const QString &subject, const QString &kekName, int expiryDays)
{
    registry::Schema s;
    s.id = 1;
    s.subject = subject;
    s.version = 1;
    s.schema = QStringLiteral(R"({"type":"record","name":"R","fields":[]})");
    s.ruleSet = QJsonObject{
        {QStringLiteral("domainRules"),
         QJsonArray{QJsonObject{
             {QStringLiteral("name"), QStringLiteral("encrypt")},
             {QStringLiteral("kind"), QStringLiteral("TRANSFORM")},
             {QStringLiteral("mode"), QStringLiteral("WRITEREAD")},
             {QStringLiteral("type"), QStringLiteral("ENCRYPT")},
             {QStringLiteral("tags"), QJsonArray{QStringLiteral("PII")}},
             {QStringLiteral("params"), QJsonObject{{QStringLiteral("encrypt.kek.name"), kekName},
                                                    {QStringLiteral("encrypt.dek.expiry.days"),
                                                     QString::number(expiryDays)}}}}}}};
    return s;
}

// Two KEKs: "payments" (local-kms) with an overdue DEK of two versions, one counted; "legacy"
// (aws-kms, shared) with a DEK under no rule, 800 days old.
ReportInputs inputs()
{
    ReportInputs in;
    in.nowMs = Now;
    in.cover.estate = QStringLiteral("prod");
    in.cover.registryUrl = QStringLiteral("https://sr.example");
    in.cover.generatedMs = Now;
    in.keks = {kek(QStringLiteral("payments"), QStringLiteral("local-kms")),
               kek(QStringLiteral("legacy"), QStringLiteral("aws-kms"), true)};
    in.registry.series = {
        {QStringLiteral("payments"),
         QStringLiteral("orders-value"),
         QStringLiteral("AES256_GCM"),
         false,
         {{1, Now - 400 * DayMs, false}, {2, Now - 120 * DayMs, false}}},
        {QStringLiteral("legacy"),
         QStringLiteral("users-value"),
         QStringLiteral("AES256_SIV"),
         false,
         {{1, Now - 800 * DayMs, false}, {2, Now - 10 * DayMs, true}}},
    };
    in.registry.latestSchemas = {
        schemaWithRule(QStringLiteral("orders-value"), QStringLiteral("payments"), 90)};
    census::Tally tally;
    census::DekVersionUsage usage;
    usage.encryptions = 4200;
    usage.records = 2100;
    tally.addUsage({QStringLiteral("payments"), QStringLiteral("orders-value"),
                    QStringLiteral("AES256_GCM"), 2},
                   usage);
    census::TopicCensus topic;
    topic.records = 10;
    topic.protection[size_t(census::Protection::CsfleField)] = 6;
    topic.protection[size_t(census::Protection::SrPlain)] = 2;
    topic.protection[size_t(census::Protection::Tombstone)] = 2;
    tally.addTopic(QStringLiteral("orders"), topic);
    in.census = tally;
    in.missed.insert(QStringLiteral("orders"), 5);

    workflows::RunRecord inside;
    inside.id = 7;
    inside.plan.action = workflows::Action::RotateDek;
    inside.plan.title = QStringLiteral("Rotate orders-value");
    inside.state = workflows::RunState::Done;
    inside.operatorName = QStringLiteral("alice");
    inside.createdMs = Now - 2 * DayMs;
    workflows::RunRecord before = inside;
    before.id = 3;
    before.createdMs = Now - 200 * DayMs;
    in.runs = QList<workflows::RunRecord>{inside, before};
    in.cover.sinceMs = Now - 30 * DayMs;

    AuditSummary audit;
    audit.entries = 12;
    audit.inPeriod = 4;
    audit.actions.insert(QStringLiteral("record.reveal"), 3);
    audit.reveals = 3;
    audit.chainVerified = true;
    audit.anchor.entries = 12;
    audit.anchor.lastId = 12;
    audit.anchor.lastMac = QStringLiteral("ab").repeated(32);
    audit.anchor.digest = QStringLiteral("cd").repeated(32);
    in.audit = audit;
    in.certificatesNote = QStringLiteral("the Schema Registry is reached over plain HTTP");
    return in;
}

const Control *control(const ComplianceReport &r, const QString &clause)
{
    for (const Control &c : r.controls) {
        if (c.clause == clause)
            return &c;
    }
    return nullptr;
}

bool anyContains(const QStringList &list, const QString &text)
{
    for (const QString &s : list) {
        if (s.contains(text))
            return true;
    }
    return false;
}

} // namespace

class TestReportData : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keksCountTheirDeks()
    {
        const ComplianceReport r = buildReport(inputs());
        QCOMPARE(r.keks.size(), 2);
        QCOMPARE(r.keks.at(0).name, QStringLiteral("legacy")); // by name
        QCOMPARE(r.keks.at(0).dekVersions, 2);
        QCOMPARE(r.keks.at(0).liveDekVersions, 1);
        QCOMPARE(r.keks.at(1).dekSubjects, 1);
        QVERIFY(r.keks.at(1).kmsStateNote.contains(QStringLiteral("local-kms")));
        QVERIFY(r.keks.at(0).kmsStateNote.contains(QStringLiteral("aws-kms")));
    }

    void deksCarryStrengthAgeAndCounts()
    {
        const ComplianceReport r = buildReport(inputs());
        QCOMPARE(r.deks.size(), 4);
        const DekVersionEntry &v2 = r.deks.at(3); // payments/orders-value v2
        QCOMPARE(v2.kek, QStringLiteral("payments"));
        QCOMPARE(v2.version, 2);
        QVERIFY(v2.latest);
        QCOMPARE(v2.keyBits, 256);
        QCOMPARE(v2.ageDays, 120);
        QCOMPARE(v2.expiryDays, 90);
        QCOMPARE(v2.encryptions, qint64(4200));
        QCOMPARE(r.deks.at(2).encryptions, qint64(0)); // counted, none seen
        QVERIFY(!r.deks.at(2).latest);
        const DekVersionEntry &siv = r.deks.at(0); // legacy/users-value v1: latest live
        QCOMPARE(siv.algorithm, QStringLiteral("AES256_SIV"));
        QCOMPARE(siv.keyBits, 512);
        QCOMPARE(siv.strengthBits, 256);
        QVERIFY(siv.latest);
        QVERIFY(siv.pastMaxAge); // 800 days > 730
        QVERIFY(r.deks.at(1).deleted);
    }

    void scheduleAndCountsFollowThePolicy()
    {
        const ComplianceReport r = buildReport(inputs());
        QCOMPARE(r.scheduleSummary.rows, 2);
        QCOMPARE(r.scheduleSummary.overdue, 1); // 120 days old, rotates every 90
        QCOMPARE(r.schedule.first().subject, QStringLiteral("orders-value"));
        QCOMPARE(r.schedule.first().encryptions, qint64(4200));
        QVERIFY(r.countsLowerBound);
        QCOMPARE(r.coverage.size(), 1);
        QCOMPARE(r.coverage.first().missed, qint64(5));
        QCOMPARE(r.coverage.first().protectedShare(), 6.0 / 8.0);
    }

    void workflowsOfThePeriodOnly()
    {
        const ComplianceReport r = buildReport(inputs());
        QCOMPARE(r.workflows.size(), 1);
        QCOMPARE(r.workflows.first().id, qint64(7));
        QCOMPARE(r.workflows.first().action, QStringLiteral("dek.rotate"));
        QCOMPARE(r.workflows.first().state, QStringLiteral("done"));
    }

    void missingSourcesAreNotAvailableWithTheReason()
    {
        ReportInputs in = inputs();
        in.census.reset();
        in.censusNote = QStringLiteral("no census of this cluster yet");
        in.runs.reset();
        in.journalNote = QStringLiteral("the journal is locked");
        const ComplianceReport r = buildReport(in);
        QCOMPARE(r.unavailable.value(Section::Counts), in.censusNote);
        QCOMPARE(r.unavailable.value(Section::Coverage), in.censusNote);
        QCOMPARE(r.unavailable.value(Section::Workflows), in.journalNote);
        QCOMPARE(r.unavailable.value(Section::Certificates), in.certificatesNote);
        QVERIFY(r.isAvailable(Section::Audit));
        QVERIFY(r.isAvailable(Section::Schedule));      // due dates need no census
        QCOMPARE(r.deks.at(3).encryptions, qint64(-1)); // not counted, not 0
        QCOMPARE(r.schedule.first().encryptions, qint64(0));
        const QJsonObject json = reportJson(r);
        QCOMPARE(
            json.value(QStringLiteral("unavailable")).toObject().value(QStringLiteral("counts")),
            QJsonValue(in.censusNote));
        QVERIFY(json.value(QStringLiteral("counts"))
                    .toObject()
                    .value(QStringLiteral("rows"))
                    .toArray()
                    .isEmpty());
        QVERIFY(json.value(QStringLiteral("deks"))
                    .toArray()
                    .at(3)
                    .toObject()
                    .value(QStringLiteral("encryptions"))
                    .isNull());
        // The controls say what could not be evidenced.
        QVERIFY(anyContains(control(r, QStringLiteral("3.7.4"))->attention,
                            QStringLiteral("Encryption counts is not available")));
        QVERIFY(anyContains(control(r, QStringLiteral("3.7.5"))->attention, in.journalNote));
    }

    void controlsNameTheFindings()
    {
        const ComplianceReport r = buildReport(inputs());
        QStringList clauses;
        for (const Control &c : r.controls)
            clauses.append(c.framework + QLatin1Char(' ') + c.clause);
        QCOMPARE(clauses,
                 (QStringList{
                     QStringLiteral("PCI DSS v4.0 3.6.1.1"), QStringLiteral("PCI DSS v4.0 3.7.4"),
                     QStringLiteral("PCI DSS v4.0 3.7.5"), QStringLiteral("PCI DSS v4.0 12.3.3"),
                     QStringLiteral("SOC 2 CC6.1"), QStringLiteral("ISO/IEC 27001:2022 A.8.24")}));
        const QStringList &period = control(r, QStringLiteral("3.7.4"))->attention;
        QVERIFY(anyContains(period, QStringLiteral("1 DEKs are overdue")));
        QVERIFY(anyContains(period, QStringLiteral("1 DEKs have no cryptoperiod")));
        QVERIFY(anyContains(period, QStringLiteral("older than the policy's maximum age")));
        QVERIFY(anyContains(period, QStringLiteral("lower bounds")));
        QVERIFY(anyContains(control(r, QStringLiteral("CC6.1"))->attention,
                            QStringLiteral("orders: 2 records carry no CSFLE encryption")));
        QVERIFY(anyContains(control(r, QStringLiteral("3.6.1.1"))->attention,
                            QStringLiteral("1 KEKs without their KMS key's state")));
        for (const Control &c : r.controls)
            QVERIFY2(!c.evidence.isEmpty(), qPrintable(c.clause));
    }

    void jsonCarriesTheAnchor()
    {
        const QJsonObject json =
            QJsonDocument::fromJson(jsonReport(buildReport(inputs()))).object();
        QCOMPARE(json.value(QStringLiteral("format")).toString(),
                 QStringLiteral("keywarden-compliance-report"));
        const auto anchor =
            audit::AuditAnchor::fromBytes(jsonReport(buildReport(inputs())), QStringLiteral("t"));
        QVERIFY2(anchor, anchor ? "" : qPrintable(anchor.error().message));
        QCOMPARE(anchor->entries, qint64(12));
        QCOMPARE(anchor->lastMac, QStringLiteral("ab").repeated(32));
        QCOMPARE(json.value(QStringLiteral("deks")).toArray().size(), 4);
        QCOMPARE(json.value(QStringLiteral("schedule"))
                     .toObject()
                     .value(QStringLiteral("rows"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("status"))
                     .toString(),
                 QStringLiteral("overdue"));
    }

    void csvHasOneRowPerVersion()
    {
        ReportInputs in = inputs();
        in.keks[1].name = QStringLiteral("=cmd|' /C calc'!A0"); // formula-like names stay text
        in.registry.series[1].kek = in.keks[1].name;
        const QByteArray csv = csvReport(buildReport(in));
        const QList<QByteArray> lines = csv.split('\n');
        QCOMPARE(lines.size(), 1 + 4 + 1); // header, 4 versions, the final CRLF's empty tail
        QVERIFY(lines.first().startsWith("kek,kms_type,kms_key_id,subject,algorithm"));
        QVERIFY(csv.contains("'=cmd|' /C calc'!A0"));
        QVERIFY(csv.contains(",AES256_SIV,512,256,2,no,yes,"));
        QVERIFY2(csv.contains(",overdue,no,4200,2100\r\n"), csv.constData());
    }
};

QTEST_GUILESS_MAIN(TestReportData)
#include "tst_reportdata.moc"
