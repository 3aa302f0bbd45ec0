#pragma once
// A key workflow from plan to result, in one dialog that never blocks the GUI thread: it opens
// at once with "Planning…" while the plan is read from the registries on a worker, then shows
// the question, the steps with their exact REST and KMS calls, the blast radius as a tree
// (DEK versions, schemas, topics with counts, consumer groups, what is not known) and the
// warnings and consequences. A refusal is shown as the content, with nothing to confirm.
// Confirming goes through ConfirmationDialog (the verb, a typed name, a second warning); the
// run then shows each step's state, stops between steps on Cancel, and ends with the past-tense
// sentence — or the failure, with Resume offered. A journalled run can also be opened directly
// in run mode (resume at start).

#include "core/services/job.h"
#include "core/services/workflowrun.h"

#include <QDialog>

#include <functional>
#include <memory>
#include <optional>

class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace kw::audit {
class AuditLog;
}

namespace kw {

class WorkflowDialog final : public QDialog
{
    Q_OBJECT

public:
    enum class Mode
    {
        Planning, // the plan is being read
        Plan,     // the plan is shown, waiting for the confirmation
        Refused,  // the planner refused (or failed): its message is the content
        Running,  // the run is under way
        Finished, // the run ended: done, stopped or failed (see record())
    };
    Q_ENUM(Mode)

    // `auditLog` is asked when the run starts (the log may open meanwhile); a null log makes
    // the run stop at its first step with a clear message.
    using AuditLogProvider = std::function<std::shared_ptr<audit::AuditLog>()>;

    WorkflowDialog(services::WorkflowSources sources, services::WorkflowOptions options,
                   AuditLogProvider auditLog, QWidget *parent = nullptr);
    ~WorkflowDialog() override;

    // Plans `request` (the dialog shows "Planning…" until the plan or the refusal is there).
    void plan(const workflows::Request &request);
    // Run mode on journalled run `run` (unfinished): resumes it at once.
    void resume(const workflows::RunRecord &run);
    // Shows journalled run `run` as it stands, with Resume offered when it is unfinished.
    void showRun(const workflows::RunRecord &run);

    [[nodiscard]] Mode mode() const { return m_mode; }
    [[nodiscard]] const std::optional<workflows::Plan> &currentPlan() const { return m_plan; }
    // The run as journalled when it ended (Finished), if it got that far.
    [[nodiscard]] const std::optional<workflows::RunRecord> &record() const { return m_record; }
    // What the dialog says: the question, the refusal, the progress or the final sentence.
    [[nodiscard]] QString message() const;
    [[nodiscard]] QPushButton *confirmButton() const { return m_confirm; }
    [[nodiscard]] QPushButton *cancelButton() const { return m_cancel; }
    [[nodiscard]] QPushButton *resumeButton() const { return m_resume; }
    [[nodiscard]] QPushButton *overrideButton() const { return m_override; }
    [[nodiscard]] QTreeWidget *stepsTree() const { return m_steps; }
    [[nodiscard]] QTreeWidget *radiusTree() const { return m_radius; }

public Q_SLOTS:
    void reject() override;

Q_SIGNALS:
    void modeChanged(kw::WorkflowDialog::Mode mode);
    // A run ended (whatever its state): the registry may have changed.
    void runFinished();

private:
    void buildUi();
    void setMode(Mode mode);
    void showPlan(const workflows::Plan &plan);
    void showRefusal(const Error &error);
    void fillSteps(const workflows::Plan &plan);
    void fillRadius(const workflows::Plan &plan);
    void fillWarnings(const workflows::Plan &plan);
    void askConfirmation();
    void startRun(Job *job, int stepsDone);
    void onProgress(const JobProgress &progress);
    void onRunFinished();
    void loadStepResults(qint64 runId);
    void setStepState(int index, const QString &state, const QString &result = {});

    services::WorkflowSources m_sources;
    services::WorkflowOptions m_options;
    AuditLogProvider m_auditLog;
    JobSlot m_job;
    JobSlot m_results;
    Mode m_mode = Mode::Planning;
    workflows::Request m_request;
    std::optional<workflows::Plan> m_plan;
    std::optional<workflows::RunRecord> m_record;
    qint64 m_runId = 0;
    bool m_cancelRequested = false;

    QLabel *m_title = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_warnings = nullptr;
    QTreeWidget *m_steps = nullptr;
    QTreeWidget *m_radius = nullptr;
    QWidget *m_details = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_override = nullptr;
    QPushButton *m_resume = nullptr;
    QPushButton *m_confirm = nullptr;
    QPushButton *m_cancel = nullptr;
};

} // namespace kw
