#include "widgets/rotation/rotationview.h"

#include "core/census/censusstate.h"
#include "core/services/connection.h"
#include "core/services/job.h"
#include "models/rotation/schedulemodel.h"
#include "widgets/commands/command.h"
#include "widgets/rotation/policydialog.h"
#include "widgets/rotation/rotationcharts.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

namespace kw::rotation {

RotationView::RotationView(std::shared_ptr<services::Connection> connection, QString stateFolder,
                           QString policyPath, QWidget *parent)
    : QWidget(parent)
    , m_connection(std::move(connection))
    , m_stateFolder(std::move(stateFolder))
    , m_policyPath(std::move(policyPath))
    , m_job(std::make_unique<JobSlot>(this))
{
    setObjectName(QStringLiteral("rotationView"));
    if (!m_policyPath.isEmpty() && QFileInfo::exists(m_policyPath)) {
        auto loaded = census::Policy::load(m_policyPath);
        if (loaded)
            m_policy = *loaded;
        else
            qWarning("%s", qPrintable(loaded.error().message));
    }
    createCommands();
    buildUi();
    reload();
}

RotationView::~RotationView() = default;

QString RotationView::defaultStateFolder()
{
    return census::CensusState::defaultFolder();
}

QString RotationView::defaultPolicyPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) +
           QStringLiteral("/rotation-policy.json");
}

void RotationView::createCommands()
{
    m_commands = new CommandController([] { return CommandContext{}; }, this);
    QAction *run =
        makeAction(themedIcon("view-refresh", nullptr), tr("Run &census"), "actionRunCensus", this);
    run->setStatusTip(tr("Count the encrypted values in the topics whose subjects encrypt, from "
                         "where the last run stopped. Reads framing and version prefixes only: "
                         "no KMS call, no key unwrapped."));
    m_commands->add(
        run,
        [this](const CommandContext &) {
            return m_connection && m_connection->hasKafka() && !isBusy();
        },
        [this](const CommandContext &) { runCensus(); });
    QAction *cancel =
        makeAction(themedIcon("process-stop", nullptr), tr("Cancel"), "actionCancelCensus", this);
    cancel->setStatusTip(tr("Stop the census; what it counted is kept and the next run "
                            "continues from there"));
    m_commands->add(
        cancel, [this](const CommandContext &) { return m_scanning && !m_cancelRequested; },
        [this](const CommandContext &) { cancelCensus(); });
    QAction *policy = makeAction(QIcon(), tr("&Policy…"), "actionEditPolicy", this);
    policy->setStatusTip(tr("Cryptoperiod, warning age, due-soon window and invocation limits"));
    m_commands->add(policy, {}, [this](const CommandContext &) { editPolicy(); });
}

void RotationView::buildUi()
{
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("rotationSummary"));
    m_summary->setTextFormat(Qt::RichText);
    auto *runButton = new QPushButton(tr("Run census"), this);
    runButton->setObjectName(QStringLiteral("rotationRunButton"));
    bindButton(*m_commands, runButton, QStringLiteral("actionRunCensus"));
    auto *cancelButton = new QPushButton(tr("Cancel"), this);
    cancelButton->setObjectName(QStringLiteral("rotationCancelButton"));
    bindButton(*m_commands, cancelButton, QStringLiteral("actionCancelCensus"));
    auto *policyButton = new QPushButton(tr("Policy…"), this);
    policyButton->setObjectName(QStringLiteral("rotationPolicyButton"));
    bindButton(*m_commands, policyButton, QStringLiteral("actionEditPolicy"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("rotationProgress"));
    m_progress->setMaximumWidth(220);
    m_progress->setVisible(false);
    m_progressText = new QLabel(this);
    m_progressText->setObjectName(QStringLiteral("rotationProgressText"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_summary, 1);
    bar->addWidget(m_progressText);
    bar->addWidget(m_progress);
    bar->addWidget(runButton);
    bar->addWidget(cancelButton);
    bar->addWidget(policyButton);

    m_notes = new QLabel(this);
    m_notes->setObjectName(QStringLiteral("rotationNotes"));
    m_notes->setWordWrap(true);
    m_notes->setVisible(false);

    m_timeline = new QChartView(this);
    m_timeline->setObjectName(QStringLiteral("rotationTimeline"));
    m_timeline->setRenderHint(QPainter::Antialiasing);
    m_timeline->setMinimumHeight(260);
    m_usage = new QChartView(this);
    m_usage->setObjectName(QStringLiteral("rotationUsage"));
    m_usage->setRenderHint(QPainter::Antialiasing);
    auto *charts = new QSplitter(Qt::Horizontal, this);
    charts->addWidget(m_timeline);
    charts->addWidget(m_usage);
    charts->setStretchFactor(0, 3);
    charts->setStretchFactor(1, 2);

    m_model = new ScheduleModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ScheduleModel::SortRole);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("rotationTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ScheduleModel::StatusColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    connect(m_table, &QTableView::activated, this, &RotationView::activate);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { updateCharts(); });

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(charts);
    split->addWidget(m_table);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_notes);
    layout->addWidget(split, 1);
    m_commands->updateEnabled();
}

census::ScheduleSummary RotationView::summary() const
{
    return m_outcome ? m_outcome->summary : census::ScheduleSummary{};
}

bool RotationView::isBusy() const
{
    return m_job->isBusy();
}

void RotationView::runCensus()
{
    start(true);
}

void RotationView::reload()
{
    start(false);
}

void RotationView::cancelCensus()
{
    if (!m_scanning || !m_job->current())
        return;
    m_cancelRequested = true;
    m_job->current()->cancel();
    m_progressText->setText(tr("Stopping after the current batch…"));
    m_commands->updateEnabled();
}

void RotationView::start(bool scan)
{
    if (!m_connection)
        return;
    services::CensusRunOptions options;
    options.stateFolder = m_stateFolder;
    options.scan = scan;
    options.policy = m_policy;
    const services::CensusSources sources = services::CensusSources::of(*m_connection);
    auto *job = new ValueJob<services::CensusOutcome>(
        scan ? tr("Census") : tr("Rotation schedule"),
        [sources, options](JobContext &ctx) { return services::runCensus(sources, options, ctx); });
    connect(job, &Job::progressChanged, this, [this](const JobProgress &p) {
        m_progress->setVisible(true);
        if (p.total > 0) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(1000.0 * double(p.done) / double(p.total)));
        } else {
            m_progress->setRange(0, 0);
        }
        m_progressText->setText(p.text);
        if (m_scanning && p.total > 0)
            Q_EMIT censusProgress(p.done, p.total);
    });
    connect(job, &Job::finished, this, [this, job, scan] {
        m_scanning = false;
        m_cancelRequested = false;
        m_progress->setVisible(false);
        const auto &result = job->result();
        QString error;
        if (result && *result) {
            show(**result);
            const census::ScanSummary &s = (*result)->scan;
            m_progressText->setText(
                !scan ? QString()
                : s.cancelled
                    ? tr("Cancelled after %1 records; the next run continues from there.")
                          .arg(QLocale().toString(s.recordsRead))
                    : tr("%1 records read in this run.").arg(QLocale().toString(s.recordsRead)));
        } else {
            error = result ? result->error().message : job->error().message;
            m_progressText->setText(tr("The census failed: %1").arg(error));
        }
        m_commands->updateEnabled();
        Q_EMIT jobFinished(error);
    });
    m_scanning = scan;
    m_cancelRequested = false;
    m_job->start(job);
    m_commands->updateEnabled();
}

void RotationView::show(const services::CensusOutcome &outcome)
{
    m_outcome = outcome;
    m_model->setRows(outcome.rows);
    m_table->resizeColumnsToContents();
    const census::ScheduleSummary &s = outcome.summary;
    const auto count = [](int n, const QString &text, const char *colour) {
        return n > 0 ? QStringLiteral("<b style='color:%1'>%2 %3</b>")
                           .arg(QLatin1String(colour))
                           .arg(n)
                           .arg(text)
                     : QStringLiteral("%1 %2").arg(n).arg(text);
    };
    m_summary->setText(tr("%1 DEKs: %2, %3, %4, %5")
                           .arg(s.rows)
                           .arg(count(s.overdue, tr("overdue"), "#c01c28"),
                                count(s.dueSoon, tr("due soon"), "#b56a00"),
                                count(s.noRotation, tr("without rotation"), "#5e5c64"),
                                count(s.nearLimit, tr("near the invocation limit"), "#c01c28")));

    QStringList notes;
    qint64 missed = 0;
    for (qint64 m : outcome.missed)
        missed += m;
    if (missed > 0)
        notes.append(tr("Retention deleted %1 records before any census counted them: the "
                        "counts are a lower bound.")
                         .arg(QLocale().toString(missed)));
    if (outcome.tally.isEmpty())
        notes.append(tr("No census yet: encryptions show once a census has counted the topics."));
    qint64 problems = 0;
    for (const auto &perTopic : outcome.tally.problems()) {
        for (const census::Problem &p : perTopic)
            problems += p.count;
    }
    if (problems > 0)
        notes.append(tr("%1 records could not be counted fully (unknown schemas, DEK versions "
                        "the registry does not have, undecodable values): keywarden-cli census "
                        "lists them with an example offset.")
                         .arg(QLocale().toString(problems)));
    if (s.tsReset > 0)
        notes.append(tr("%n DEK(s) have a ts reset by a rewrap or undelete: their due dates "
                        "count from the reset.",
                        nullptr, s.tsReset));
    m_notes->setText(notes.join(QLatin1Char(' ')));
    m_notes->setVisible(!notes.isEmpty());

    // setChart() hands the old chart back to us without deleting it.
    QChart *old = m_timeline->chart();
    m_timeline->setChart(timelineChart(outcome.rows, QDateTime::currentMSecsSinceEpoch()));
    delete old;
    updateCharts();
    Q_EMIT censusChanged(std::make_shared<const census::Tally>(outcome.tally), m_policy);
}

void RotationView::updateCharts()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const census::ScheduleRow *row =
        current.isValid() ? m_model->rowAt(m_proxy->mapToSource(current).row()) : nullptr;
    static const census::Tally empty;
    QChart *old = m_usage->chart();
    m_usage->setChart(usageChart(row, m_outcome ? m_outcome->tally : empty, m_policy));
    delete old;
}

void RotationView::activate(const QModelIndex &proxyIndex)
{
    const census::ScheduleRow *row = m_model->rowAt(m_proxy->mapToSource(proxyIndex).row());
    if (row)
        Q_EMIT dekActivated(row->kek, row->subject, row->latestVersion, row->algorithm);
}

void RotationView::setPolicy(const census::Policy &policy)
{
    m_policy = policy;
    if (!m_outcome)
        return;
    // The schedule is a pure function of what was loaded: no need to ask the registry again.
    services::CensusOutcome outcome = *m_outcome;
    outcome.rows = census::buildSchedule(outcome.inputs, outcome.tally, m_policy,
                                         QDateTime::currentMSecsSinceEpoch());
    outcome.summary = census::summarize(outcome.rows);
    show(outcome);
}

void RotationView::editPolicy()
{
    auto *dialog = new PolicyDialog(m_policy, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const census::Policy edited = dialog->policy();
        if (!m_policyPath.isEmpty()) {
            if (auto saved = edited.save(m_policyPath); !saved)
                m_progressText->setText(saved.error().message);
        }
        setPolicy(edited);
    });
    dialog->open();
}

} // namespace kw::rotation
