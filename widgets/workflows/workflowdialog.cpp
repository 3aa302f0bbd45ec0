#include "widgets/workflows/workflowdialog.h"

#include "core/audit/auditlog.h"
#include "core/workflows/journal.h"
#include "widgets/dialogs/confirmationdialog.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace kw {

using workflows::Plan;
using workflows::RunRecord;
using workflows::RunState;
using workflows::StepRecord;
using workflows::StepState;

namespace {

enum StepColumn
{
    StepColumnName,
    StepColumnState,
};

// A refusal that only the grace period causes is the one an admin may override.
bool refusedForGracePeriod(const Error &error)
{
    return error.code == workflows::ErrorGracePeriod;
}

QString count(qint64 n)
{
    return QLocale().toString(n);
}

QString lastSeen(qint64 ms)
{
    if (ms < 0)
        return QObject::tr("never seen");
    return QObject::tr("last seen %1")
        .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat));
}

QTreeWidgetItem *group(QTreeWidget *tree, const QString &text, const QString &objectName)
{
    auto *item = new QTreeWidgetItem(tree, {text});
    item->setData(0, Qt::UserRole, objectName);
    QFont bold = item->font(0);
    bold.setBold(true);
    item->setFont(0, bold);
    return item;
}

QString html(const QString &text)
{
    return text.toHtmlEscaped();
}

} // namespace

WorkflowDialog::WorkflowDialog(services::WorkflowSources sources, services::WorkflowOptions options,
                               AuditLogProvider auditLog, QWidget *parent)
    : QDialog(parent)
    , m_sources(std::move(sources))
    , m_options(std::move(options))
    , m_auditLog(std::move(auditLog))
    , m_job(this)
    , m_results(this)
{
    setObjectName(QStringLiteral("workflowDialog"));
    setWindowTitle(tr("Key workflow"));
    buildUi();
    setMode(Mode::Planning);
}

WorkflowDialog::~WorkflowDialog() = default;

void WorkflowDialog::buildUi()
{
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("workflowTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    m_title->setFont(titleFont);
    m_title->setWordWrap(true);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("workflowMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_warnings = new QLabel(this);
    m_warnings->setObjectName(QStringLiteral("workflowWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextFormat(Qt::RichText);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_steps = new QTreeWidget(this);
    m_steps->setObjectName(QStringLiteral("workflowSteps"));
    m_steps->setHeaderLabels({tr("Step and its calls"), tr("State")});
    m_steps->setAlternatingRowColors(true);
    m_steps->header()->setSectionResizeMode(StepColumnName, QHeaderView::Stretch);
    m_steps->header()->setStretchLastSection(false);
    m_steps->header()->setSectionResizeMode(StepColumnState, QHeaderView::ResizeToContents);

    m_radius = new QTreeWidget(this);
    m_radius->setObjectName(QStringLiteral("workflowRadius"));
    m_radius->setHeaderLabels({tr("Blast radius"), tr("Detail")});
    m_radius->setAlternatingRowColors(true);
    // Names in full (a DEK row is "kek / subject / algorithm vN"); the detail takes the rest.
    // Sized to the keys, topics and groups once filled (fillRadius): a long "not known" line
    // spans both columns instead of pushing the details out of sight.
    m_radius->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_radius->header()->setStretchLastSection(true);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setChildrenCollapsible(false);
    split->addWidget(m_steps);
    split->addWidget(m_radius);
    split->setSizes({520, 480});

    m_details = new QWidget(this);
    auto *detailsLayout = new QVBoxLayout(m_details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(m_warnings);
    detailsLayout->addWidget(split, 1);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("workflowProgress"));

    m_override = new QPushButton(tr("Override grace period…"), this);
    m_override->setObjectName(QStringLiteral("workflowOverride"));
    m_override->setAutoDefault(false);
    m_resume = new QPushButton(tr("Resume"), this);
    m_resume->setObjectName(QStringLiteral("workflowResume"));
    m_resume->setAutoDefault(false);
    m_confirm = new QPushButton(this);
    m_confirm->setObjectName(QStringLiteral("workflowConfirm"));
    m_confirm->setAutoDefault(false);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("workflowCancel"));
    // Enter never starts a change: Cancel is the default.
    m_cancel->setDefault(true);

    connect(m_confirm, &QPushButton::clicked, this, &WorkflowDialog::askConfirmation);
    connect(m_cancel, &QPushButton::clicked, this, &WorkflowDialog::reject);
    connect(m_override, &QPushButton::clicked, this, [this] {
        workflows::Request again = m_request;
        again.overrideGracePeriod = true;
        plan(again);
    });
    connect(m_resume, &QPushButton::clicked, this, [this] {
        if (m_runId <= 0)
            return;
        m_cancelRequested = false;
        startRun(services::resumeWorkflowJob(
                     m_sources, m_options, m_runId,
                     services::auditHooksFor(m_auditLog ? m_auditLog() : nullptr, this, m_sources)),
                 m_record ? m_record->stepsDone : 0);
    });

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_override);
    buttons->addStretch(1);
    buttons->addWidget(m_resume);
    buttons->addWidget(m_confirm);
    buttons->addWidget(m_cancel);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_message);
    layout->addWidget(m_details, 1);
    layout->addWidget(m_progress);
    layout->addLayout(buttons);
    resize(1000, 640);
}

QString WorkflowDialog::message() const
{
    return m_message->text();
}

void WorkflowDialog::setMode(Mode mode)
{
    m_mode = mode;
    m_details->setVisible(m_plan.has_value() && mode != Mode::Planning && mode != Mode::Refused);
    m_progress->setVisible(mode == Mode::Running || (mode == Mode::Finished && m_plan));
    m_confirm->setVisible(mode == Mode::Plan);
    m_resume->setVisible(mode == Mode::Finished && m_record && m_record->isUnfinished());
    m_override->setVisible(false);
    m_cancel->setEnabled(true);
    m_cancel->setText(mode == Mode::Running                               ? tr("Cancel")
                      : (mode == Mode::Finished || mode == Mode::Refused) ? tr("Close")
                                                                          : tr("Cancel"));
    m_cancel->setDefault(true);
    Q_EMIT modeChanged(mode);
}

void WorkflowDialog::plan(const workflows::Request &request)
{
    m_request = request;
    m_plan.reset();
    m_record.reset();
    m_title->setText(tr("Planning"));
    m_message->setText(tr("Planning… reading the registry, the census and the consumer groups."));
    setMode(Mode::Planning);
    auto *job = services::planWorkflowJob(m_sources, m_options, request);
    connect(job, &Job::finished, this, [this, job] {
        if (job->succeeded() && job->result() && *job->result())
            showPlan(job->result()->value());
        else
            showRefusal(job->error());
    });
    m_job.start(job);
}

void WorkflowDialog::showRefusal(const Error &error)
{
    const bool refused = error.code == workflows::ErrorRefused ||
                         error.code == workflows::ErrorGracePeriod ||
                         error.code == workflows::ErrorNothingToDo;
    m_title->setText(error.code == workflows::ErrorNothingToDo ? tr("Nothing to do")
                     : refused                                 ? tr("Not possible")
                                                               : tr("Planning failed"));
    m_message->setText(error.message);
    setMode(Mode::Refused);
    m_override->setVisible(refusedForGracePeriod(error) && !m_request.overrideGracePeriod);
}

void WorkflowDialog::showPlan(const Plan &plan)
{
    m_plan = plan;
    setWindowTitle(plan.title);
    m_title->setText(plan.title);
    m_message->setText(plan.question);
    m_confirm->setText(plan.verb);
    fillSteps(plan);
    fillRadius(plan);
    fillWarnings(plan);
    setMode(Mode::Plan);
}

void WorkflowDialog::fillSteps(const Plan &plan)
{
    m_steps->clear();
    for (qsizetype i = 0; i < plan.steps.size(); ++i) {
        const workflows::Step &step = plan.steps.at(i);
        auto *item = new QTreeWidgetItem(
            m_steps, {tr("%1. %2").arg(i + 1).arg(step.description), tr("planned")});
        for (const QString &call : step.calls) {
            auto *child = new QTreeWidgetItem(item, {call});
            child->setFont(StepColumnName, QFont(QStringLiteral("monospace")));
            child->setToolTip(StepColumnName, call);
        }
    }
    // A short plan shows its calls at once; a long one (a rewrap of hundreds) stays folded.
    if (plan.steps.size() <= 3)
        m_steps->expandAll();
}

void WorkflowDialog::fillRadius(const Plan &plan)
{
    m_radius->clear();
    const workflows::BlastRadius &r = plan.radius;

    QTreeWidgetItem *deks =
        group(m_radius, tr("DEK versions (%1)").arg(r.deks.size()), QStringLiteral("deks"));
    for (const workflows::DekRow &d : r.deks) {
        QStringList notes;
        if (d.deleted)
            notes << tr("soft-deleted");
        if (d.latestLive)
            notes << tr("newest: producers use it");
        new QTreeWidgetItem(
            deks, {tr("%1 / %2 / %3 v%4").arg(d.kek, d.subject, d.algorithm).arg(d.version),
                   notes.join(QStringLiteral(", "))});
    }

    QTreeWidgetItem *schemas =
        group(m_radius, tr("Schema versions naming the KEK (%1)").arg(r.schemas.size()),
              QStringLiteral("schemas"));
    for (const workflows::SchemaUse &s : r.schemas)
        new QTreeWidgetItem(schemas,
                            {tr("%1 v%2").arg(s.subject).arg(s.version),
                             s.latest ? tr("rule %1, latest: producers use it").arg(s.ruleName)
                                      : tr("rule %1").arg(s.ruleName)});

    QTreeWidgetItem *topics =
        group(m_radius, tr("Topics with data under these versions (%1)").arg(r.topics.size()),
              QStringLiteral("topics"));
    for (const workflows::TopicImpact &t : r.topics)
        new QTreeWidgetItem(topics, {t.topic, tr("%1 records, %2 encrypted values, %3")
                                                  .arg(count(t.records), count(t.encryptions),
                                                       lastSeen(t.lastSeenMs))});

    QTreeWidgetItem *groups =
        group(m_radius, tr("Consumer groups reading them (%1)").arg(r.consumerGroups.size()),
              QStringLiteral("groups"));
    for (const workflows::GroupImpact &g : r.consumerGroups)
        new QTreeWidgetItem(
            groups,
            {g.groupId, tr("%1; reads %2").arg(g.state, g.topics.join(QStringLiteral(", ")))});

    m_radius->expandAll();
    m_radius->resizeColumnToContents(0);
    if (!r.unknowns.isEmpty()) {
        QTreeWidgetItem *unknown = group(m_radius, tr("Not known"), QStringLiteral("unknowns"));
        for (const QString &line : r.unknowns) {
            auto *item = new QTreeWidgetItem(unknown, {line});
            item->setToolTip(0, line);
            item->setFirstColumnSpanned(true);
        }
        unknown->setExpanded(true);
    }
}

void WorkflowDialog::fillWarnings(const Plan &plan)
{
    QStringList lines;
    // The unrecoverable part comes first and stands out; the rest follows as a plain list.
    if (plan.unrecoverable)
        lines << QStringLiteral("<p style='color:#c0392b'><b>%1</b></p>")
                     .arg(html(plan.secondWarning.isEmpty() ? tr("This cannot be undone.")
                                                            : plan.secondWarning));
    QStringList items;
    for (const QString &c : plan.radius.consequences)
        items << QStringLiteral("<li>%1</li>").arg(html(c));
    for (const QString &w : plan.warnings)
        items << QStringLiteral("<li><i>%1</i></li>").arg(html(w));
    if (!items.isEmpty())
        lines << QStringLiteral("<ul style='margin-left:0'>%1</ul>").arg(items.join(QString()));
    m_warnings->setText(lines.join(QString()));
    m_warnings->setVisible(!lines.isEmpty());
}

void WorkflowDialog::askConfirmation()
{
    if (m_mode != Mode::Plan || !m_plan)
        return;
    ConfirmationRequest request;
    request.title = m_plan->title;
    request.question = m_plan->question;
    request.verb = m_plan->verb;
    request.affected = m_plan->radius.consequences;
    request.affectedHeading = tr("What this does:");
    request.typedName = m_plan->typedName;
    request.secondWarning = m_plan->secondWarning;
    ConfirmationDialog::ask(this, request, this, [this](bool confirmed) {
        if (!confirmed || m_mode != Mode::Plan || !m_plan)
            return;
        m_cancelRequested = false;
        startRun(services::startWorkflowJob(
                     m_sources, m_options, *m_plan,
                     services::auditHooksFor(m_auditLog ? m_auditLog() : nullptr, this, m_sources)),
                 0);
    });
}

void WorkflowDialog::resume(const RunRecord &run)
{
    m_runId = run.id;
    m_record = run;
    showPlan(run.plan);
    m_cancelRequested = false;
    startRun(services::resumeWorkflowJob(
                 m_sources, m_options, run.id,
                 services::auditHooksFor(m_auditLog ? m_auditLog() : nullptr, this, m_sources)),
             run.stepsDone);
}

void WorkflowDialog::showRun(const RunRecord &run)
{
    m_runId = run.id;
    m_record = run;
    showPlan(run.plan);
    for (int i = 0; i < int(run.plan.steps.size()); ++i)
        setStepState(i, i < run.stepsDone ? tr("done") : tr("pending"));
    m_progress->setRange(0, std::max(int(run.plan.steps.size()), 1));
    m_progress->setValue(run.stepsDone);
    m_message->setText(tr("Run %1 (%2, by %3) is %4 after %5 of %6 steps: %7")
                           .arg(run.id)
                           .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(run.createdMs),
                                                   QLocale::ShortFormat),
                                run.operatorName, workflows::runStateName(run.state))
                           .arg(run.stepsDone)
                           .arg(run.plan.steps.size())
                           .arg(run.message));
    setMode(Mode::Finished);
    loadStepResults(run.id);
}

void WorkflowDialog::startRun(Job *job, int stepsDone)
{
    const int total = m_plan ? int(m_plan->steps.size()) : 0;
    for (int i = 0; i < total; ++i)
        setStepState(i, i < stepsDone ? tr("done") : tr("pending"));
    m_progress->setRange(0, std::max(total, 1));
    m_progress->setValue(stepsDone);
    m_message->setText(tr("Running… %1 of %2 steps done.").arg(stepsDone).arg(total));
    setMode(Mode::Running);
    connect(job, &Job::progressChanged, this, &WorkflowDialog::onProgress);
    connect(job, &Job::finished, this, &WorkflowDialog::onRunFinished);
    m_job.start(job);
}

void WorkflowDialog::onProgress(const JobProgress &progress)
{
    if (progress.total <= 0)
        return;
    m_progress->setRange(0, int(progress.total));
    m_progress->setValue(int(progress.done));
    for (int i = 0; i < int(progress.total); ++i) {
        if (i < progress.done)
            setStepState(i, tr("done"));
        else if (i == progress.done)
            setStepState(i, m_cancelRequested ? tr("stopping after this step") : tr("running"));
    }
    if (!progress.text.isEmpty() && !m_cancelRequested)
        m_message->setText(progress.text);
}

void WorkflowDialog::onRunFinished()
{
    auto *job = static_cast<ValueJob<RunRecord> *>(m_job.current());
    if (!job)
        return;
    if (job->result() && *job->result()) {
        const RunRecord &run = job->result()->value();
        m_record = run;
        m_runId = run.id;
        QString text = run.message;
        if (run.state == RunState::Stopped)
            text = tr("Stopped after %1 of %2 steps: %3 Resume carries on where it stopped.")
                       .arg(run.stepsDone)
                       .arg(run.plan.steps.size())
                       .arg(run.message);
        else if (run.state == RunState::Failed)
            text = tr("Failed at step %1 of %2: %3")
                       .arg(run.stepsDone + 1)
                       .arg(run.plan.steps.size())
                       .arg(run.message);
        m_message->setText(text);
        m_progress->setValue(run.stepsDone);
        loadStepResults(run.id);
    } else {
        // The journal could not be opened or written, or the job was cancelled before the run
        // was journalled: nothing was sent without its journal entry.
        m_message->setText(tr("The workflow did not run: %1").arg(job->error().message));
    }
    setMode(Mode::Finished);
    Q_EMIT runFinished();
}

void WorkflowDialog::loadStepResults(qint64 runId)
{
    const QString path = m_options.journalFile();
    auto *job = new ValueJob<QList<StepRecord>>(
        tr("Read the journal"), [path, runId](JobContext &) -> Result<QList<StepRecord>> {
            auto journal = workflows::Journal::open(path);
            if (!journal)
                return journal.error();
            return (*journal)->steps(runId);
        });
    connect(job, &Job::finished, this, [this, job] {
        if (!job->result() || !*job->result())
            return;
        for (const StepRecord &r : job->result()->value()) {
            QString state = workflows::stepStateName(r.state);
            if (r.state == StepState::Pending)
                state = tr("not run");
            setStepState(r.index, state, r.message);
        }
    });
    m_results.start(job);
}

void WorkflowDialog::setStepState(int index, const QString &state, const QString &result)
{
    QTreeWidgetItem *item = m_steps->topLevelItem(index);
    if (!item)
        return;
    item->setText(StepColumnState, state);
    if (!result.isEmpty())
        item->setToolTip(StepColumnState, result);
    // The result of a step is a child row of its own, replaced when the step changes again.
    for (int c = item->childCount() - 1; c >= 0; --c)
        if (item->child(c)->data(0, Qt::UserRole).toString() == QLatin1String("result"))
            delete item->takeChild(c);
    if (!result.isEmpty()) {
        auto *child = new QTreeWidgetItem({tr("→ %1").arg(result)});
        child->setData(0, Qt::UserRole, QStringLiteral("result"));
        child->setToolTip(0, result);
        item->insertChild(0, child);
    }
}

void WorkflowDialog::reject()
{
    switch (m_mode) {
    case Mode::Running:
        // Between steps only: the step under way finishes, the run stays resumable.
        if (Job *job = m_job.current()) {
            m_cancelRequested = true;
            job->cancel();
        }
        m_cancel->setEnabled(false);
        m_cancel->setText(tr("Stopping…"));
        m_message->setText(tr("Stopping after the current step…"));
        return;
    case Mode::Planning:
        m_job.reset();
        break;
    default:
        break;
    }
    QDialog::reject();
}

} // namespace kw
