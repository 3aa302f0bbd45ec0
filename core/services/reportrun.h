#pragma once
// Collecting a compliance report on a job's worker thread: the DEK Registry's keys and the
// latest schemas, the census kept for the connection's cluster (read only, never scanned), the
// workflow journal, the audit log's summary and anchor, and the TLS certificates of the
// registry and the Kafka brokers. What cannot be read becomes a section marked not available
// with the reason; only the registry is required.

#include "core/audit/auditstore.h"
#include "core/net/connectionsettings.h"
#include "core/report/reportdata.h"
#include "core/services/censusrun.h"

namespace kw::services {

struct ReportSources
{
    CensusSources census; // the registry clients and the Kafka settings
    QString estate;       // the profile's name
    QString registryUrl;  // without user info
    registry::TlsSettings registryTls;
    QString kafkaBootstrap;
    bool kafkaUsesTls = false; // security.protocol SSL or SASL_SSL
    QString kafkaCaFile;       // ssl.ca.location

    static ReportSources of(Connection &connection);
};

struct ReportOptions
{
    census::Policy policy;
    qint64 sinceMs = 0;   // the period; 0: from the beginning
    qint64 untilMs = 0;   // 0: until now
    QString censusFolder; // empty: census::CensusState::defaultFolder()
    QString journalPath;  // empty: workflows::Journal::defaultPath()
    // The audit log to summarise (read through a connection of the worker's own), and how its
    // chain verified when the caller opened it; an empty path: no audit log.
    QString auditPath;
    audit::ChainReport chain;
    QString chainDescription; // "keyed with the installation key", …
    QString auditNote;        // why there is no audit log, when auditPath is empty
    QString generatedBy;      // empty: the OS account
    QString keywardenVersion;
    bool readCertificates = true;
    qint64 nowMs = 0; // 0: the current time
};

// Blocking; for a Job's worker. Progress: the registry, then the other sources in turn.
// Errors: the registry's (nothing is reported without it) and "common.cancelled".
Result<report::ComplianceReport> collectReport(const ReportSources &sources,
                                               const ReportOptions &options, JobContext &ctx);

// The audit log's summary for a period and its anchor (blocking; `store` is used on this thread
// only).
Result<report::AuditSummary> summarizeAudit(const audit::AuditStore &store, qint64 sinceMs,
                                            qint64 untilMs, qint64 nowMs);

} // namespace kw::services
