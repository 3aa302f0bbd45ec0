#include "core/report/reportwriters.h"

#include "core/audit/auditexport.h"
#include "core/domain/textout.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace kw::report {

namespace {

QJsonValue timeOrNull(qint64 ms)
{
    return ms > 0 ? QJsonValue(audit::isoTime(ms)) : QJsonValue();
}

QJsonValue countOrNull(qint64 n)
{
    return n >= 0 ? QJsonValue(double(n)) : QJsonValue();
}

QJsonObject coverJson(const Cover &c)
{
    return {{QStringLiteral("estate"), c.estate},
            {QStringLiteral("registryUrl"), c.registryUrl},
            {QStringLiteral("kafkaBootstrap"),
             c.kafkaBootstrap.isEmpty() ? QJsonValue() : QJsonValue(c.kafkaBootstrap)},
            {QStringLiteral("since"), timeOrNull(c.sinceMs)},
            {QStringLiteral("until"), timeOrNull(c.untilMs)},
            {QStringLiteral("generatedAt"), timeOrNull(c.generatedMs)},
            {QStringLiteral("generatedBy"), c.generatedBy},
            {QStringLiteral("keywardenVersion"), c.keywardenVersion}};
}

QJsonArray keksJson(const QList<KekEntry> &keks)
{
    QJsonArray out;
    for (const KekEntry &k : keks)
        out.append(QJsonObject{
            {QStringLiteral("name"), k.name},
            {QStringLiteral("kmsType"), k.kmsType},
            {QStringLiteral("kmsKeyId"), k.kmsKeyId},
            {QStringLiteral("shared"), k.shared},
            {QStringLiteral("deleted"), k.deleted},
            {QStringLiteral("ts"), timeOrNull(k.ts)},
            {QStringLiteral("doc"), k.doc},
            {QStringLiteral("dekSubjects"), k.dekSubjects},
            {QStringLiteral("dekVersions"), k.dekVersions},
            {QStringLiteral("liveDekVersions"), k.liveDekVersions},
            {QStringLiteral("kmsState"), k.kmsState.isEmpty() ? QJsonValue() : k.kmsState},
            {QStringLiteral("kmsStateNote"), k.kmsStateNote}});
    return out;
}

QJsonArray deksJson(const QList<DekVersionEntry> &deks)
{
    QJsonArray out;
    for (const DekVersionEntry &d : deks)
        out.append(QJsonObject{{QStringLiteral("kek"), d.kek},
                               {QStringLiteral("subject"), d.subject},
                               {QStringLiteral("algorithm"), d.algorithm},
                               {QStringLiteral("keyBits"), d.keyBits},
                               {QStringLiteral("strengthBits"), d.strengthBits},
                               {QStringLiteral("version"), d.version},
                               {QStringLiteral("latest"), d.latest},
                               {QStringLiteral("deleted"), d.deleted},
                               {QStringLiteral("lastModified"), timeOrNull(d.ts)},
                               {QStringLiteral("ageDays"), d.ageDays},
                               {QStringLiteral("expiryDays"),
                                d.expiryDays > 0 ? QJsonValue(d.expiryDays) : QJsonValue()},
                               {QStringLiteral("pastMaxAge"), d.pastMaxAge},
                               {QStringLiteral("encryptions"), countOrNull(d.encryptions)},
                               {QStringLiteral("records"), countOrNull(d.records)}});
    return out;
}

QJsonObject scheduleJson(const ComplianceReport &r)
{
    QJsonArray rows;
    for (const census::ScheduleRow &s : r.schedule)
        rows.append(
            QJsonObject{{QStringLiteral("kek"), s.kek},
                        {QStringLiteral("subject"), s.subject},
                        {QStringLiteral("algorithm"), s.algorithm},
                        {QStringLiteral("latestVersion"), s.latestVersion},
                        {QStringLiteral("ts"), timeOrNull(s.ts)},
                        {QStringLiteral("expiryDays"),
                         s.expiryDays > 0 ? QJsonValue(s.expiryDays) : QJsonValue()},
                        {QStringLiteral("dueAt"), timeOrNull(s.dueAt)},
                        {QStringLiteral("status"), census::dueStatusName(s.status)},
                        {QStringLiteral("warnings"), QJsonArray::fromStringList(s.warnings)}});
    const census::ScheduleSummary &m = r.scheduleSummary;
    return {{QStringLiteral("summary"), QJsonObject{{QStringLiteral("rows"), m.rows},
                                                    {QStringLiteral("overdue"), m.overdue},
                                                    {QStringLiteral("dueSoon"), m.dueSoon},
                                                    {QStringLiteral("noRotation"), m.noRotation},
                                                    {QStringLiteral("nearLimit"), m.nearLimit},
                                                    {QStringLiteral("tsReset"), m.tsReset}}},
            {QStringLiteral("rows"), rows}};
}

QJsonObject countsJson(const ComplianceReport &r)
{
    QJsonArray rows;
    if (r.isAvailable(Section::Counts)) {
        for (const census::ScheduleRow &s : r.schedule)
            rows.append(QJsonObject{
                {QStringLiteral("kek"), s.kek},
                {QStringLiteral("subject"), s.subject},
                {QStringLiteral("algorithm"), s.algorithm},
                {QStringLiteral("latestVersion"), s.latestVersion},
                {QStringLiteral("encryptions"), double(s.encryptions)},
                {QStringLiteral("encryptionsAllVersions"), double(s.encryptionsAllVersions)},
                {QStringLiteral("limit"), s.limit},
                {QStringLiteral("limitShare"), s.limitShare},
                {QStringLiteral("projectedLimitAt"), timeOrNull(s.projectedLimitAt)},
                {QStringLiteral("limitOutOfReach"), s.limitOutOfReach}});
    }
    return {{QStringLiteral("lowerBound"), r.countsLowerBound}, {QStringLiteral("rows"), rows}};
}

QJsonArray coverageJson(const QList<TopicCoverage> &coverage)
{
    QJsonArray out;
    for (const TopicCoverage &t : coverage) {
        QJsonObject protection;
        for (int i = 0; i < census::ProtectionKinds; ++i)
            protection.insert(census::protectionName(census::Protection(i)),
                              double(t.counts.protection[size_t(i)]));
        out.append(QJsonObject{{QStringLiteral("topic"), t.topic},
                               {QStringLiteral("records"), double(t.counts.records)},
                               {QStringLiteral("protection"), protection},
                               {QStringLiteral("protectedShare"), t.protectedShare()},
                               {QStringLiteral("missed"), double(t.missed)}});
    }
    return out;
}

QJsonArray workflowsJson(const QList<WorkflowEntry> &runs)
{
    QJsonArray out;
    for (const WorkflowEntry &w : runs)
        out.append(QJsonObject{{QStringLiteral("id"), double(w.id)},
                               {QStringLiteral("action"), w.action},
                               {QStringLiteral("title"), w.title},
                               {QStringLiteral("state"), w.state},
                               {QStringLiteral("operator"), w.operatorName},
                               {QStringLiteral("registryUrl"), w.registryUrl},
                               {QStringLiteral("created"), timeOrNull(w.createdMs)},
                               {QStringLiteral("finished"), timeOrNull(w.finishedMs)},
                               {QStringLiteral("stepsDone"), w.stepsDone},
                               {QStringLiteral("steps"), w.steps},
                               {QStringLiteral("message"), w.message}});
    return out;
}

QJsonObject countsMap(const QMap<QString, qint64> &counts)
{
    QJsonObject out;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        out.insert(it.key(), double(it.value()));
    return out;
}

QJsonObject auditJson(const AuditSummary &a)
{
    return {{QStringLiteral("entries"), double(a.entries)},
            {QStringLiteral("inPeriod"), double(a.inPeriod)},
            {QStringLiteral("actions"), countsMap(a.actions)},
            {QStringLiteral("actors"), countsMap(a.actors)},
            {QStringLiteral("reveals"), double(a.reveals)},
            {QStringLiteral("chainVerified"), a.chainVerified},
            {QStringLiteral("chainNote"), a.chainNote}};
}

QJsonArray certificatesJson(const QList<CertificateEntry> &certificates)
{
    QJsonArray out;
    for (const CertificateEntry &c : certificates)
        out.append(QJsonObject{{QStringLiteral("role"), c.role},
                               {QStringLiteral("endpoint"), c.endpoint},
                               {QStringLiteral("subject"), c.subject},
                               {QStringLiteral("issuer"), c.issuer},
                               {QStringLiteral("notAfter"), timeOrNull(c.notAfterMs)},
                               {QStringLiteral("daysLeft"), c.daysLeft},
                               {QStringLiteral("expiresSoon"), c.expiresSoon},
                               {QStringLiteral("verified"), c.verified},
                               {QStringLiteral("note"), c.note}});
    return out;
}

QJsonArray controlsJson(const QList<Control> &controls)
{
    QJsonArray out;
    for (const Control &c : controls)
        out.append(
            QJsonObject{{QStringLiteral("framework"), c.framework},
                        {QStringLiteral("clause"), c.clause},
                        {QStringLiteral("title"), c.title},
                        {QStringLiteral("evidence"), QJsonArray::fromStringList(c.evidence)},
                        {QStringLiteral("attention"), QJsonArray::fromStringList(c.attention)}});
    return out;
}

QString yesNo(bool b)
{
    return b ? QStringLiteral("yes") : QStringLiteral("no");
}

} // namespace

QString dayText(qint64 ms)
{
    return ms < 0
               ? QStringLiteral("-")
               : QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(QStringLiteral("yyyy-MM-dd"));
}

QString minuteText(qint64 ms)
{
    return ms <= 0 ? QStringLiteral("-")
                   : QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(
                         QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

QJsonObject reportJson(const ComplianceReport &report)
{
    QJsonObject unavailable;
    for (auto it = report.unavailable.cbegin(); it != report.unavailable.cend(); ++it)
        unavailable.insert(sectionId(it.key()), it.value());
    QJsonObject json{{QStringLiteral("format"), QStringLiteral("keywarden-compliance-report")},
                     {QStringLiteral("formatVersion"), 1},
                     {QStringLiteral("cover"), coverJson(report.cover)},
                     {QStringLiteral("policy"), report.policy.toJson()},
                     {QStringLiteral("keks"), keksJson(report.keks)},
                     {QStringLiteral("deks"), deksJson(report.deks)},
                     {QStringLiteral("schedule"), scheduleJson(report)},
                     {QStringLiteral("counts"), countsJson(report)},
                     {QStringLiteral("coverage"), coverageJson(report.coverage)},
                     {QStringLiteral("workflows"), workflowsJson(report.workflows)},
                     {QStringLiteral("audit"), auditJson(report.audit)},
                     {QStringLiteral("certificates"), certificatesJson(report.certificates)},
                     {QStringLiteral("controls"), controlsJson(report.controls)},
                     {QStringLiteral("integrity"),
                      QJsonObject{{QStringLiteral("publicKeyPem"), report.integrity.publicKeyPem},
                                  {QStringLiteral("publicKeyFingerprint"),
                                   report.integrity.publicKeyFingerprint}}},
                     {QStringLiteral("unavailable"), unavailable}};
    // The anchor `keywarden-cli audit verify --anchor REPORT.json` reads.
    if (report.isAvailable(Section::Audit))
        json.insert(QStringLiteral("auditAnchor"), report.audit.anchor.toJson());
    return json;
}

QByteArray jsonReport(const ComplianceReport &report)
{
    return QJsonDocument(reportJson(report)).toJson(QJsonDocument::Indented);
}

QStringList csvColumns()
{
    return {QStringLiteral("kek"),           QStringLiteral("kms_type"),
            QStringLiteral("kms_key_id"),    QStringLiteral("subject"),
            QStringLiteral("algorithm"),     QStringLiteral("key_bits"),
            QStringLiteral("strength_bits"), QStringLiteral("version"),
            QStringLiteral("latest"),        QStringLiteral("deleted"),
            QStringLiteral("last_modified"), QStringLiteral("age_days"),
            QStringLiteral("expiry_days"),   QStringLiteral("due"),
            QStringLiteral("status"),        QStringLiteral("past_max_age"),
            QStringLiteral("encryptions"),   QStringLiteral("records")};
}

QByteArray csvReport(const ComplianceReport &report)
{
    QHash<QString, const KekEntry *> keks;
    for (const KekEntry &k : report.keks)
        keks.insert(k.name, &k);
    QByteArray out;
    appendCsvRow(out, csvColumns());
    for (const DekVersionEntry &d : report.deks) {
        const KekEntry *kek = keks.value(d.kek);
        const census::ScheduleRow *row = nullptr;
        for (const census::ScheduleRow &s : report.schedule) {
            if (d.latest && s.kek == d.kek && s.subject == d.subject && s.algorithm == d.algorithm)
                row = &s;
        }
        appendCsvRow(
            out,
            {d.kek, kek ? kek->kmsType : QString(), kek ? kek->kmsKeyId : QString(), d.subject,
             d.algorithm, QString::number(d.keyBits), QString::number(d.strengthBits),
             QString::number(d.version), yesNo(d.latest), yesNo(d.deleted),
             d.ts > 0 ? audit::isoTime(d.ts) : QString(), QString::number(d.ageDays),
             d.expiryDays > 0 ? QString::number(d.expiryDays) : QString(),
             row && row->dueAt >= 0 ? audit::isoTime(row->dueAt) : QString(),
             row ? census::dueStatusName(row->status)
                 : (d.deleted ? QStringLiteral("deleted") : QStringLiteral("retired")),
             yesNo(d.pastMaxAge), d.encryptions >= 0 ? QString::number(d.encryptions) : QString(),
             d.records >= 0 ? QString::number(d.records) : QString()});
    }
    return out;
}

} // namespace kw::report
