#include "core/services/reportrun.h"

#include "core/audit/auditanchor.h"
#include "core/census/censusstate.h"
#include "core/kafka/kafkaclient.h"
#include "core/net/peercertificates.h"
#include "core/registry/dekregistryclient.h"
#include "core/services/connection.h"
#include "core/workflows/journal.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QSet>
#include <QSslCertificate>
#include <QUrl>

namespace kw::services {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("kw::services::ReportRun", text);
}

template<typename T>
Result<T> waitFor(QFuture<Result<T>> future)
{
    future.waitForFinished();
    return future.result();
}

Error cancelled()
{
    return makeError(QStringLiteral("common.cancelled"), tr("The report was cancelled."));
}

audit::AuditFilter periodFilter(qint64 sinceMs, qint64 untilMs)
{
    audit::AuditFilter f;
    f.sinceMs = sinceMs;
    f.untilMs = untilMs;
    return f;
}

// Every KEK the schedule inputs name, deleted ones too, as the registry describes it.
Result<QList<registry::Kek>> readKeks(registry::DekRegistryClient &keys,
                                      const census::ScheduleInputs &inputs, JobContext &ctx)
{
    auto names = waitFor(keys.listAllKeks(1000, {}, true));
    if (!names)
        return names.error();
    QSet<QString> all(names->cbegin(), names->cend());
    for (const census::DekSeries &s : inputs.series)
        all.insert(s.kek);
    QList<registry::Kek> out;
    for (const QString &name : std::as_const(all)) {
        if (ctx.isCancelled())
            return cancelled();
        auto kek = waitFor(keys.getKek(name, true));
        if (!kek)
            return kek.error();
        out.append(*kek);
    }
    return out;
}

constexpr int CertificateWarnDays = 30;

report::CertificateEntry certificateEntry(const QString &role, const QString &host, quint16 port,
                                          const QList<QSslCertificate> &cas, qint64 nowMs)
{
    report::CertificateEntry e;
    e.role = role;
    e.endpoint = QStringLiteral("%1:%2").arg(host).arg(port);
    auto read = net::readPeerCertificate(host, port, cas);
    if (!read) {
        e.note = read.error().message;
        return e;
    }
    e.subject = read->subject;
    e.issuer = read->issuer;
    e.notAfterMs = read->notAfterMs;
    e.daysLeft = read->daysLeft(nowMs);
    e.expiresSoon = read->expiresWithin(CertificateWarnDays, nowMs);
    e.verified = read->verified;
    e.note = read->verified ? QString() : read->verifyError;
    return e;
}

// The registry's certificate and every broker's, with what could not be read; none at all
// (plain HTTP, no TLS to Kafka) leaves the section not available, with why in `note`.
std::optional<QList<report::CertificateEntry>> readCertificates(const ReportSources &s,
                                                                qint64 nowMs, QString *note)
{
    QList<report::CertificateEntry> out;
    QStringList why;
    const QUrl url(s.registryUrl);
    if (url.scheme() == QLatin1String("https")) {
        const QList<QSslCertificate> cas = s.registryTls.caFile.isEmpty()
                                               ? QList<QSslCertificate>{}
                                               : QSslCertificate::fromPath(s.registryTls.caFile);
        out.append(certificateEntry(tr("Schema Registry"), url.host(), quint16(url.port(443)), cas,
                                    nowMs));
    } else {
        why.append(tr("the Schema Registry is reached over plain HTTP, so it presents no "
                      "certificate"));
    }
    if (s.kafkaBootstrap.isEmpty()) {
        why.append(tr("the connection has no Kafka cluster"));
    } else if (!s.kafkaUsesTls) {
        why.append(tr("the Kafka cluster is reached without TLS (security.protocol is not SSL "
                      "or SASL_SSL)"));
    } else {
        const QList<QSslCertificate> cas = s.kafkaCaFile.isEmpty()
                                               ? QList<QSslCertificate>{}
                                               : QSslCertificate::fromPath(s.kafkaCaFile);
        // Every broker the cluster advertises; the bootstrap servers when it cannot be asked.
        auto brokers = kafka::listBrokers(s.census.kafka);
        const QList<QPair<QString, quint16>> endpoints =
            brokers && !brokers->isEmpty() ? *brokers : net::splitHostPorts(s.kafkaBootstrap);
        for (const auto &hp : endpoints)
            out.append(certificateEntry(tr("Kafka broker"), hp.first, hp.second, cas, nowMs));
    }
    if (out.isEmpty()) {
        *note = why.join(QStringLiteral("; "));
        return std::nullopt;
    }
    return out;
}

} // namespace

ReportSources ReportSources::of(Connection &connection)
{
    ReportSources s;
    s.census = CensusSources::of(connection);
    s.estate = connection.displayName();
    s.registryUrl = connection.registryUrl();
    s.registryTls = connection.profile().registry.tls;
    if (connection.hasKafka()) {
        const kafka::KafkaSettings kafka = connection.kafkaSettings();
        s.kafkaBootstrap = kafka.bootstrapServers;
        const QString protocol =
            kafka.properties.value(QStringLiteral("security.protocol")).toUpper();
        s.kafkaUsesTls = protocol == QLatin1String("SSL") || protocol == QLatin1String("SASL_SSL");
        s.kafkaCaFile = kafka.properties.value(QStringLiteral("ssl.ca.location"));
    }
    return s;
}

Result<report::AuditSummary> summarizeAudit(const audit::AuditStore &store, qint64 sinceMs,
                                            qint64 untilMs, qint64 nowMs)
{
    report::AuditSummary summary;
    auto all = store.count();
    if (!all)
        return all.error();
    summary.entries = *all;
    const audit::AuditFilter period = periodFilter(sinceMs, untilMs);
    auto inPeriod = store.count(period);
    if (!inPeriod)
        return inPeriod.error();
    summary.inPeriod = *inPeriod;
    auto actions = store.actions();
    if (!actions)
        return actions.error();
    for (const QString &action : std::as_const(*actions)) {
        audit::AuditFilter f = period;
        f.action = action;
        auto n = store.count(f);
        if (!n)
            return n.error();
        if (*n > 0)
            summary.actions.insert(action, *n);
    }
    auto actors = store.actors();
    if (!actors)
        return actors.error();
    for (const QString &actor : std::as_const(*actors)) {
        audit::AuditFilter f = period;
        f.actor = actor;
        auto n = store.count(f);
        if (!n)
            return n.error();
        if (*n > 0)
            summary.actors.insert(actor, *n);
    }
    summary.reveals = summary.actions.value(QString(audit::ActionRecordReveal)) +
                      summary.actions.value(QString(audit::ActionRecordCopy));
    auto anchor = audit::anchorOf(store, nowMs);
    if (!anchor)
        return anchor.error();
    summary.anchor = *anchor;
    return summary;
}

Result<report::ComplianceReport> collectReport(const ReportSources &sources,
                                               const ReportOptions &options, JobContext &ctx)
{
    if (!sources.census.keys || !sources.census.schemas)
        return makeError(QStringLiteral("report.no_registry"),
                         tr("The connection has no Schema Registry: a report needs its DEK "
                            "Registry."));
    report::ReportInputs in;
    in.nowMs = options.nowMs > 0 ? options.nowMs : QDateTime::currentMSecsSinceEpoch();
    in.policy = options.policy;
    in.cover = {sources.estate,
                sources.registryUrl,
                sources.kafkaBootstrap,
                options.sinceMs,
                options.untilMs,
                in.nowMs,
                options.generatedBy.isEmpty() ? audit::AuditStore::osUserName()
                                              : options.generatedBy,
                options.keywardenVersion};

    ctx.setProgress(0, -1, tr("Reading the DEK Registry…"));
    auto inputs = census::loadScheduleInputs(
        *sources.census.keys, *sources.census.schemas, ctx.cancelFlag(),
        [&ctx](int done, int total) {
            ctx.setProgress(done, -1,
                            tr("Reading the DEK Registry: %1 of %2 DEKs").arg(done).arg(total));
        });
    if (!inputs)
        return inputs.error();
    in.registry = std::move(*inputs);
    auto keks = readKeks(*sources.census.keys, in.registry, ctx);
    if (!keks)
        return keks.error();
    in.keks = std::move(*keks);

    ctx.setProgress(0, -1, tr("Reading the census…"));
    if (!sources.census.hasKafka) {
        in.censusNote = tr("the connection has no Kafka cluster, so nothing was counted");
    } else {
        const QString folder = options.censusFolder.isEmpty() ? census::CensusState::defaultFolder()
                                                              : options.censusFolder;
        auto totals = census::CensusState::loadFolder(folder, sources.kafkaBootstrap);
        if (!totals)
            in.censusNote = tr("the census could not be read: %1").arg(totals.error().message);
        else if (totals->files.isEmpty())
            in.censusNote = tr("no census of this cluster yet: run one from the Rotation view or "
                               "with 'keywarden-cli census'");
        else {
            census::addRegistryProblems(totals->tally, in.registry);
            in.census = std::move(totals->tally);
            in.missed = std::move(totals->missed);
        }
    }
    if (ctx.isCancelled())
        return cancelled();

    ctx.setProgress(0, -1, tr("Reading the workflow journal…"));
    const QString journalPath =
        options.journalPath.isEmpty() ? workflows::Journal::defaultPath() : options.journalPath;
    if (!QFileInfo::exists(journalPath)) {
        in.runs = QList<workflows::RunRecord>{}; // no workflow was ever run here
    } else {
        auto journal = workflows::Journal::open(journalPath);
        auto runs =
            journal ? (*journal)->runs() : Result<QList<workflows::RunRecord>>(journal.error());
        if (runs)
            in.runs = std::move(*runs);
        else
            in.journalNote = tr("the workflow journal %1 could not be read: %2")
                                 .arg(journalPath, runs.error().message);
    }
    if (ctx.isCancelled())
        return cancelled();

    ctx.setProgress(0, -1, tr("Summarising the audit log…"));
    if (options.auditPath.isEmpty()) {
        in.auditNote = options.auditNote;
    } else {
        audit::AuditStore::Options o;
        o.path = options.auditPath;
        auto store = audit::AuditStore::open(o);
        auto summary = store ? summarizeAudit(**store, options.sinceMs, options.untilMs, in.nowMs)
                             : Result<report::AuditSummary>(store.error());
        if (!summary) {
            in.auditNote = tr("the audit log %1 could not be read: %2")
                               .arg(options.auditPath, summary.error().message);
        } else {
            summary->chainVerified = options.chain.ok();
            summary->chainNote = options.chain.ok() ? tr("Verified: %1 entries, %2")
                                                          .arg(options.chain.entries)
                                                          .arg(options.chainDescription)
                                                    : tr("Does not verify at entry #%1: %2")
                                                          .arg(options.chain.brokenId)
                                                          .arg(options.chain.problem->message);
            in.audit = std::move(*summary);
        }
    }
    if (ctx.isCancelled())
        return cancelled();

    if (options.readCertificates) {
        ctx.setProgress(0, -1, tr("Reading the TLS certificates…"));
        in.certificates = readCertificates(sources, in.nowMs, &in.certificatesNote);
    } else {
        in.certificatesNote = tr("not read: certificates were left out of this report");
    }
    if (ctx.isCancelled())
        return cancelled();
    return report::buildReport(in);
}

} // namespace kw::services
