#include "core/report/reportdata.h"

#include <QSet>

#include <algorithm>
#include <tuple>

namespace kw::report {

namespace {

constexpr qint64 DayMs = 86'400'000;

bool inPeriod(qint64 ms, const Cover &cover)
{
    return ms >= cover.sinceMs && (cover.untilMs <= 0 || ms <= cover.untilMs);
}

QString kmsStateNote(const QString &kmsType)
{
    if (kmsType == QLatin1String("local-kms"))
        return QStringLiteral("local-kms keeps no key state: its key comes from the "
                              "configuration (LOCAL_SECRET) and has no rotation of its own");
    return QStringLiteral("not read: Keywarden has no %1 driver that reads the key's state yet")
        .arg(kmsType);
}

QList<KekEntry> kekEntries(const ReportInputs &in)
{
    QList<KekEntry> out;
    for (const registry::Kek &k : in.keks) {
        KekEntry e;
        e.name = k.name;
        e.kmsType = k.kmsType;
        e.kmsKeyId = k.kmsKeyId;
        e.shared = k.shared;
        e.deleted = k.deleted;
        e.ts = k.ts;
        e.doc = k.doc;
        QSet<QString> subjects;
        for (const census::DekSeries &s : in.registry.series) {
            if (s.kek != k.name)
                continue;
            subjects.insert(s.subject);
            e.dekVersions += int(s.versions.size());
            e.liveDekVersions += int(std::count_if(s.versions.cbegin(), s.versions.cend(),
                                                   [](const auto &v) { return !v.deleted; }));
        }
        e.dekSubjects = int(subjects.size());
        e.kmsStateNote = kmsStateNote(k.kmsType);
        out.append(e);
    }
    std::sort(out.begin(), out.end(),
              [](const KekEntry &a, const KekEntry &b) { return a.name < b.name; });
    return out;
}

QList<DekVersionEntry> dekEntries(const ReportInputs &in,
                                  const QList<census::ScheduleRow> &schedule)
{
    QList<DekVersionEntry> out;
    for (const census::DekSeries &s : in.registry.series) {
        const census::DekVersionInfo *latest = s.latestLive();
        int expiryDays = 0;
        for (const census::ScheduleRow &r : schedule) {
            if (r.kek == s.kek && r.subject == s.subject && r.algorithm == s.algorithm)
                expiryDays = r.expiryDays;
        }
        for (const census::DekVersionInfo &v : s.versions) {
            DekVersionEntry e;
            e.kek = s.kek;
            e.subject = s.subject;
            e.algorithm = s.algorithm;
            e.keyBits = keyBits(s.algorithm);
            e.strengthBits = strengthBits(s.algorithm);
            e.version = v.version;
            e.deleted = v.deleted;
            e.latest = latest && latest->version == v.version && !s.kekDeleted;
            e.ts = v.ts;
            e.ageDays = v.ts > 0 ? int(std::max<qint64>(0, in.nowMs - v.ts) / DayMs) : 0;
            e.expiryDays = e.latest ? expiryDays : 0;
            e.pastMaxAge = e.latest && e.ageDays > in.policy.dekMaxAgeDays;
            if (in.census) {
                const auto usage = in.census->dekVersions().constFind(
                    census::DekVersionKey{s.kek, s.subject, s.algorithm, v.version});
                e.encryptions = usage == in.census->dekVersions().cend() ? 0 : usage->encryptions;
                e.records = usage == in.census->dekVersions().cend() ? 0 : usage->records;
            }
            out.append(e);
        }
    }
    std::sort(out.begin(), out.end(), [](const DekVersionEntry &a, const DekVersionEntry &b) {
        return std::tie(a.kek, a.subject, a.algorithm, a.version) <
               std::tie(b.kek, b.subject, b.algorithm, b.version);
    });
    return out;
}

QList<WorkflowEntry> workflowEntries(const QList<workflows::RunRecord> &runs, const Cover &cover)
{
    QList<WorkflowEntry> out;
    for (const workflows::RunRecord &r : runs) {
        if (!inPeriod(r.createdMs, cover))
            continue;
        WorkflowEntry w;
        w.id = r.id;
        w.action = workflows::actionName(r.plan.action);
        w.title = r.plan.title;
        w.state = workflows::runStateName(r.state);
        w.operatorName = r.operatorName;
        w.registryUrl = r.registryUrl;
        w.createdMs = r.createdMs;
        w.finishedMs = r.finishedMs;
        w.stepsDone = r.stepsDone;
        w.steps = int(r.plan.steps.size());
        w.message = r.message;
        out.append(w);
    }
    std::sort(out.begin(), out.end(), [](const WorkflowEntry &a, const WorkflowEntry &b) {
        return std::tie(b.createdMs, b.id) < std::tie(a.createdMs, a.id);
    });
    return out;
}

QString sectionList(std::initializer_list<Section> sections)
{
    QStringList names;
    for (Section s : sections)
        names.append(sectionTitle(s));
    return names.join(QStringLiteral(", "));
}

// What each clause asks for and what in this report evidences it: evidence, never a claim.
QList<Control> controlsOf(const ComplianceReport &r)
{
    QStringList inventory, cryptoperiod, retirement, activity, crypto, transport;
    const auto unavailable = [&](Section s, QStringList &into) {
        if (!r.isAvailable(s))
            into.append(QStringLiteral("%1 is not available: %2")
                            .arg(sectionTitle(s), r.unavailable.value(s)));
    };
    // Inventory: strength and expiry of every key, and where it is kept.
    int unreadState = 0;
    for (const KekEntry &k : r.keks)
        unreadState += k.kmsState.isEmpty() && k.kmsType != QLatin1String("local-kms") ? 1 : 0;
    if (unreadState > 0)
        inventory.append(QStringLiteral("%1 KEKs without their KMS key's state (rotation, "
                                        "enablement): check it in the KMS")
                             .arg(unreadState));
    int noExpiry = 0, pastAge = 0;
    for (const DekVersionEntry &d : r.deks) {
        noExpiry += d.latest && d.expiryDays == 0 ? 1 : 0;
        pastAge += d.pastMaxAge ? 1 : 0;
    }
    if (noExpiry > 0)
        cryptoperiod.append(QStringLiteral("%1 DEKs have no cryptoperiod: no rule sets "
                                           "encrypt.dek.expiry.days for their KEK")
                                .arg(noExpiry));
    if (r.scheduleSummary.overdue > 0)
        cryptoperiod.append(QStringLiteral("%1 DEKs are overdue for rotation (see Rotation "
                                           "schedule)")
                                .arg(r.scheduleSummary.overdue));
    if (pastAge > 0)
        cryptoperiod.append(QStringLiteral("%1 DEKs in use are older than the policy's maximum "
                                           "age of %2 days")
                                .arg(pastAge)
                                .arg(r.policy.dekMaxAgeDays));
    if (r.scheduleSummary.nearLimit > 0)
        cryptoperiod.append(QStringLiteral("%1 DEKs are past %2% of their algorithm's "
                                           "invocation limit")
                                .arg(r.scheduleSummary.nearLimit)
                                .arg(r.policy.limitWarnShare * 100, 0, 'g', 3));
    unavailable(Section::Counts, cryptoperiod);
    if (r.countsLowerBound)
        cryptoperiod.append(QStringLiteral("encryption counts are lower bounds: retention "
                                           "deleted records before they were counted"));
    unavailable(Section::Workflows, retirement);
    unavailable(Section::Audit, activity);
    if (r.isAvailable(Section::Audit) && !r.audit.chainVerified)
        activity.append(QStringLiteral("the audit log does not verify: %1").arg(r.audit.chainNote));
    for (const TopicCoverage &t : r.coverage) {
        const qint64 unprotected = t.counts.count(census::Protection::SrPlain) +
                                   t.counts.count(census::Protection::NotSrFramed);
        if (unprotected > 0)
            crypto.append(QStringLiteral("%1: %2 records carry no CSFLE encryption")
                              .arg(t.topic)
                              .arg(unprotected));
    }
    unavailable(Section::Coverage, crypto);
    for (const CertificateEntry &c : r.certificates) {
        if (c.expiresSoon)
            transport.append(QStringLiteral("%1 %2: its certificate %3")
                                 .arg(c.role, c.endpoint,
                                      c.daysLeft < 0
                                          ? QStringLiteral("has expired")
                                          : QStringLiteral("expires in %1 days").arg(c.daysLeft)));
        else if (!c.verified)
            transport.append(QStringLiteral("%1 %2: %3").arg(c.role, c.endpoint, c.note));
    }
    unavailable(Section::Certificates, transport);

    const QString pci = QStringLiteral("PCI DSS v4.0");
    QList<Control> out{
        {pci,
         QStringLiteral("3.6.1.1"),
         QStringLiteral("Documented cryptographic architecture: keys with strength, expiry and "
                        "usage; the KMSs that hold them"),
         {QStringLiteral("%1: every KEK with its KMS type and key id")
              .arg(sectionTitle(Section::Keks)),
          QStringLiteral("%1: every DEK version with algorithm, key strength, last modified "
                         "and age")
              .arg(sectionTitle(Section::Deks)),
          QStringLiteral("%1: due dates (expiry)").arg(sectionTitle(Section::Schedule)),
          QStringLiteral("%1: usage per key").arg(sectionTitle(Section::Counts))},
         inventory},
        {pci,
         QStringLiteral("3.7.4"),
         QStringLiteral("A cryptoperiod per key type, and keys changed at its end"),
         {QStringLiteral("%1: the cryptoperiod and limits in force")
              .arg(sectionTitle(Section::Policy)),
          QStringLiteral("%1 and %2: when each DEK rotates and how close it is to its limit")
              .arg(sectionTitle(Section::Schedule), sectionTitle(Section::Counts)),
          QStringLiteral("%1: rotations done").arg(sectionTitle(Section::Workflows))},
         cryptoperiod},
        {pci,
         QStringLiteral("3.7.5"),
         QStringLiteral("Keys retired, replaced or destroyed; retired keys used only to decrypt"),
         {QStringLiteral("%1: deleted and superseded versions").arg(sectionTitle(Section::Deks)),
          QStringLiteral("%1: deletions, rewraps and switches with who and when")
              .arg(sectionTitle(Section::Workflows))},
         retirement},
        {pci,
         QStringLiteral("12.3.3"),
         QStringLiteral("Inventory of cipher suites and protocols in use, reviewed every 12 "
                        "months"),
         {QStringLiteral("%1: algorithms in use per DEK").arg(sectionTitle(Section::Deks)),
          QStringLiteral("%1: the endpoints' certificates")
              .arg(sectionTitle(Section::Certificates))},
         transport},
        {QStringLiteral("SOC 2"),
         QStringLiteral("CC6.1"),
         QStringLiteral("Inventory of information assets; encryption used to protect data; "
                        "encryption keys protected"),
         {sectionList({Section::Keks, Section::Deks}),
          QStringLiteral("%1: how each topic's records are protected")
              .arg(sectionTitle(Section::Coverage)),
          QStringLiteral("%1: reveals of decrypted values and other audited actions")
              .arg(sectionTitle(Section::Audit))},
         inventory + crypto + activity},
        {QStringLiteral("ISO/IEC 27001:2022"),
         QStringLiteral("A.8.24"),
         QStringLiteral("Rules for the effective use of cryptography, including key management"),
         {QStringLiteral("%1: the rules in force").arg(sectionTitle(Section::Policy)),
          QStringLiteral("%1: activation and change dates").arg(sectionTitle(Section::Schedule)),
          QStringLiteral("%1 and %2: logging and auditing of key-management activities")
              .arg(sectionTitle(Section::Workflows), sectionTitle(Section::Audit))},
         cryptoperiod + retirement + activity},
    };
    return out;
}

} // namespace

QString sectionId(Section section)
{
    switch (section) {
    case Section::Cover:
        return QStringLiteral("cover");
    case Section::Policy:
        return QStringLiteral("policy");
    case Section::Keks:
        return QStringLiteral("keks");
    case Section::Deks:
        return QStringLiteral("deks");
    case Section::Schedule:
        return QStringLiteral("schedule");
    case Section::Counts:
        return QStringLiteral("counts");
    case Section::Coverage:
        return QStringLiteral("coverage");
    case Section::Workflows:
        return QStringLiteral("workflows");
    case Section::Audit:
        return QStringLiteral("audit");
    case Section::Certificates:
        return QStringLiteral("certificates");
    case Section::Controls:
        return QStringLiteral("controls");
    case Section::Integrity:
        return QStringLiteral("integrity");
    }
    return {};
}

QString sectionTitle(Section section)
{
    switch (section) {
    case Section::Cover:
        return QStringLiteral("Cover");
    case Section::Policy:
        return QStringLiteral("Policy in force");
    case Section::Keks:
        return QStringLiteral("KEK inventory");
    case Section::Deks:
        return QStringLiteral("DEK inventory");
    case Section::Schedule:
        return QStringLiteral("Rotation schedule");
    case Section::Counts:
        return QStringLiteral("Encryption counts");
    case Section::Coverage:
        return QStringLiteral("Protection coverage");
    case Section::Workflows:
        return QStringLiteral("Workflow history");
    case Section::Audit:
        return QStringLiteral("Audited actions");
    case Section::Certificates:
        return QStringLiteral("TLS certificates");
    case Section::Controls:
        return QStringLiteral("Controls");
    case Section::Integrity:
        return QStringLiteral("Integrity");
    }
    return {};
}

int keyBits(const QString &algorithm)
{
    if (algorithm == QLatin1String("AES128_GCM"))
        return 128;
    if (algorithm == QLatin1String("AES256_GCM"))
        return 256;
    if (algorithm == QLatin1String("AES256_SIV"))
        return 512;
    return 0;
}

int strengthBits(const QString &algorithm)
{
    return algorithm == QLatin1String("AES256_SIV") ? 256 : keyBits(algorithm);
}

double TopicCoverage::protectedShare() const
{
    const qint64 values = counts.records - counts.count(census::Protection::Tombstone);
    if (values <= 0)
        return 0;
    return double(counts.count(census::Protection::CsfleField) +
                  counts.count(census::Protection::CsflePayload)) /
           double(values);
}

ComplianceReport buildReport(const ReportInputs &in)
{
    ComplianceReport r;
    r.cover = in.cover;
    r.policy = in.policy;
    const census::Tally noCensus;
    r.schedule =
        census::buildSchedule(in.registry, in.census ? *in.census : noCensus, in.policy, in.nowMs);
    r.scheduleSummary = census::summarize(r.schedule);
    r.keks = kekEntries(in);
    r.deks = dekEntries(in, r.schedule);

    if (in.census) {
        for (auto t = in.census->topics().cbegin(); t != in.census->topics().cend(); ++t)
            r.coverage.append(TopicCoverage{t.key(), *t, in.missed.value(t.key())});
        for (auto m = in.missed.cbegin(); m != in.missed.cend(); ++m)
            r.countsLowerBound = r.countsLowerBound || m.value() > 0;
    } else {
        r.unavailable.insert(Section::Counts, in.censusNote);
        r.unavailable.insert(Section::Coverage, in.censusNote);
    }
    if (in.runs)
        r.workflows = workflowEntries(*in.runs, in.cover);
    else
        r.unavailable.insert(Section::Workflows, in.journalNote);
    if (in.audit)
        r.audit = *in.audit;
    else
        r.unavailable.insert(Section::Audit, in.auditNote);
    if (in.certificates)
        r.certificates = *in.certificates;
    else
        r.unavailable.insert(Section::Certificates, in.certificatesNote);
    r.controls = controlsOf(r);
    return r;
}

} // namespace kw::report
