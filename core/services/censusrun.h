#pragma once
// A census run as the console runs it, on a job's worker thread: read the DEK Registry's keys
// and the latest schemas, pick the topics whose subjects encrypt (unless topics are given),
// count from where the last run stopped (or only load what was counted, without reading
// Kafka), note the versions the registry does not have, and build the rotation schedule.

#include "core/census/censusscan.h"
#include "core/census/schedule.h"
#include "core/domain/result.h"
#include "core/services/job.h"

#include <QHash>
#include <QString>

#include <memory>

namespace kw::services {

class Connection;

struct CensusRunOptions
{
    QString stateFolder; // where the census is kept (one file per cluster)
    bool scan = true;    // false: only load what earlier runs counted
    QStringList topics;  // empty: the topics whose subjects carry encryption rules or DEKs
    bool rescan = false; // forget earlier counts first
    census::Policy policy;
    qint64 nowMs = 0; // 0: the current time
};

struct CensusOutcome
{
    census::Tally tally;           // every topic counted on this cluster so far
    QHash<QString, qint64> missed; // per topic: records retention deleted before counting
    census::ScanSummary scan;      // this run (empty when it only loaded)
    census::ScheduleInputs inputs;
    QList<census::ScheduleRow> rows;
    census::ScheduleSummary summary;
};

// Everything the run needs from a connection, copied so the worker never touches the
// connection (a QObject of the GUI thread) itself.
struct CensusSources
{
    std::shared_ptr<registry::DekRegistryClient> keys;
    std::shared_ptr<registry::SchemaRegistryClient> schemas;
    std::shared_ptr<engine::RecordDecryptor> inspector; // null: no registry, nothing to inspect
    kafka::KafkaSettings kafka;
    bool hasKafka = false;

    static CensusSources of(Connection &connection);
};

// Blocking; for a Job's worker (the clients' transports run on other threads). Progress: the
// registry first, then records scanned of the run's total. Cancelled: what was counted so far
// is kept (and shown), the next run continues from there.
Result<CensusOutcome> runCensus(const CensusSources &sources, const CensusRunOptions &options,
                                JobContext &ctx);

} // namespace kw::services
