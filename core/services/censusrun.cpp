#include "core/services/censusrun.h"

#include "core/census/censusstate.h"
#include "core/services/connection.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QLocale>

namespace kw::services {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("kw::services::CensusRun", text);
}

// "12,345 of 56,600 records · 25,000 records/s · about 2 s left"
QString scanText(const census::ScanProgress &p, qint64 elapsedMs)
{
    const QLocale locale;
    QString text = tr("%1 of %2 records").arg(locale.toString(p.scanned), locale.toString(p.total));
    if (elapsedMs > 0 && p.scanned > 0) {
        const double rate = double(p.scanned) * 1000.0 / double(elapsedMs);
        text += tr(" · %1 records/s").arg(locale.toString(qint64(rate)));
        const qint64 left = p.total > p.scanned ? qint64((p.total - p.scanned) / rate) : 0;
        text += tr(" · about %1 s left").arg(locale.toString(left));
    }
    if (!p.topic.isEmpty())
        text += tr(" · %1").arg(p.topic);
    return text;
}

} // namespace

CensusSources CensusSources::of(Connection &connection)
{
    CensusSources s;
    s.keys = connection.dekRegistry();
    s.schemas = connection.schemaRegistry();
    s.inspector = connection.recordDecryptor();
    s.kafka = connection.kafkaSettings();
    s.hasKafka = connection.hasKafka();
    return s;
}

Result<CensusOutcome> runCensus(const CensusSources &sources, const CensusRunOptions &options,
                                JobContext &ctx)
{
    if (!sources.keys || !sources.schemas)
        return makeError(QStringLiteral("census.no_registry"),
                         tr("The connection has no Schema Registry: there are no keys to "
                            "schedule."));
    CensusOutcome outcome;
    ctx.setProgress(0, -1, tr("Reading the DEK Registry…"));
    auto inputs = census::loadScheduleInputs(
        *sources.keys, *sources.schemas, ctx.cancelFlag(), [&ctx](int done, int total) {
            // Indeterminate (total -1): the bar and the rate are for records.
            ctx.setProgress(done, -1,
                            tr("Reading the DEK Registry: %1 of %2 DEKs").arg(done).arg(total));
        });
    if (!inputs)
        return inputs.error();
    outcome.inputs = std::move(*inputs);

    if (sources.hasKafka) {
        auto state = census::CensusState::open(
            census::CensusState::pathFor(options.stateFolder, sources.kafka.bootstrapServers));
        if (!state)
            return state.error();
        if (options.scan && sources.inspector) {
            census::ScanOptions scan;
            scan.rescan = options.rescan;
            scan.topics = options.topics;
            if (scan.topics.isEmpty()) {
                auto chosen = census::encryptedTopics(outcome.inputs, sources.kafka);
                if (!chosen)
                    return chosen.error();
                scan.topics = *chosen;
            }
            if (!scan.topics.isEmpty()) {
                QElapsedTimer clock;
                clock.start();
                auto scanned = census::runScan(
                    sources.kafka, *sources.inspector, **state, scan,
                    [&](const census::ScanProgress &p) {
                        ctx.setProgress(p.scanned, p.total, scanText(p, clock.elapsed()));
                    },
                    ctx.cancelFlag());
                if (!scanned)
                    return scanned.error();
                outcome.scan = *scanned;
            }
        }
        auto tally = (*state)->load();
        if (!tally)
            return tally.error();
        outcome.tally = std::move(*tally);
        auto positions = (*state)->positions();
        if (!positions)
            return positions.error();
        for (const census::PartitionPosition &p : std::as_const(*positions))
            outcome.missed[p.topic] += p.missed;
    }
    census::addRegistryProblems(outcome.tally, outcome.inputs);
    outcome.rows = census::buildSchedule(outcome.inputs, outcome.tally, options.policy,
                                         options.nowMs > 0 ? options.nowMs
                                                           : QDateTime::currentMSecsSinceEpoch());
    outcome.summary = census::summarize(outcome.rows);
    return outcome;
}

} // namespace kw::services
