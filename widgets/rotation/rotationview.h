#pragma once
// The Rotation view: when each DEK is due for rotation and how much it has encrypted.
// A summary line (overdue, due soon, no rotation, near the limit), the timeline of DEK
// versions, one DEK's encryptions against its invocation limit, and the schedule as a
// sortable table, most urgent first; activating a row selects that DEK in the navigator.
// The census runs as a job with progress (records of the total, rate, time left), can be
// cancelled, and the next run resumes where it stopped. Opening the view shows what earlier
// runs counted without reading Kafka.

#include "core/census/schedule.h"
#include "core/services/censusrun.h"

#include <QWidget>

#include <memory>
#include <optional>

class QLabel;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QChartView;

namespace kw {
class CommandController;
class JobSlot;
namespace services {
class Connection;
}
} // namespace kw

namespace kw::rotation {

class ScheduleModel;

class RotationView final : public QWidget
{
    Q_OBJECT

public:
    // `stateFolder`: where censuses are kept (the CLI's default unless tests give theirs);
    // `policyPath`: the policy file (read when it exists, written when edited).
    RotationView(std::shared_ptr<services::Connection> connection, QString stateFolder,
                 QString policyPath, QWidget *parent = nullptr);
    ~RotationView() override;

    // The folder the GUI and the CLI share by default, and the default policy file.
    static QString defaultStateFolder();
    static QString defaultPolicyPath();

    [[nodiscard]] CommandController *commands() const { return m_commands; }
    [[nodiscard]] ScheduleModel *model() const { return m_model; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    [[nodiscard]] const census::Policy &policy() const { return m_policy; }
    // Where this view keeps its censuses (the workflows read the same ones).
    [[nodiscard]] const QString &stateFolder() const { return m_stateFolder; }
    [[nodiscard]] census::ScheduleSummary summary() const;
    [[nodiscard]] bool isBusy() const;
    // The last outcome (stored counts or a run), if any.
    [[nodiscard]] const std::optional<services::CensusOutcome> &outcome() const
    {
        return m_outcome;
    }

public Q_SLOTS:
    void runCensus();
    void cancelCensus();
    // Reloads what was counted (no Kafka reads) and rebuilds the schedule.
    void reload();
    void setPolicy(const census::Policy &policy);
    void editPolicy();

Q_SIGNALS:
    // A row was activated: select this DEK version in the navigator.
    void dekActivated(const QString &kek, const QString &subject, int version,
                      const QString &algorithm);
    // A census was loaded or run: the figures for the detail panes.
    void censusChanged(std::shared_ptr<const census::Tally> tally, const census::Policy &policy);
    // Records counted of the run's total, as batches are committed.
    void censusProgress(qint64 done, qint64 total);
    // A job (load or run) ended, with its error ("" when it succeeded).
    void jobFinished(const QString &error);

private:
    void createCommands();
    void buildUi();
    void start(bool scan);
    void show(const services::CensusOutcome &outcome);
    void updateCharts();
    void activate(const QModelIndex &proxyIndex);

    std::shared_ptr<services::Connection> m_connection;
    QString m_stateFolder;
    QString m_policyPath;
    census::Policy m_policy;
    std::unique_ptr<JobSlot> m_job;
    bool m_scanning = false;
    bool m_cancelRequested = false;
    std::optional<services::CensusOutcome> m_outcome;

    CommandController *m_commands = nullptr;
    ScheduleModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_notes = nullptr;
    QLabel *m_progressText = nullptr;
    QProgressBar *m_progress = nullptr;
    QChartView *m_timeline = nullptr;
    QChartView *m_usage = nullptr;
};

} // namespace kw::rotation
