#include "widgets/audit/audittab.h"

#include "core/audit/auditlog.h"
#include "core/domain/futurewatch.h"
#include "core/domain/textout.h"
#include "models/audit/auditlogmodel.h"
#include "widgets/common/emptystatewidget.h"
#include "widgets/common/exportdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QTimeZone>
#include <QTimer>
#include <QVBoxLayout>

namespace kw {

namespace {

constexpr qint64 DayMs = 86'400'000;

qint64 startOfDayUtc(const QDate &date)
{
    return QDateTime(date, QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
}

} // namespace

AuditTab::AuditTab(QWidget *parent)
    : QWidget(parent)
    , m_model(new audit::AuditLogModel(this))
{
    // Filter bar.
    m_action = new QComboBox(this);
    m_action->setObjectName(QStringLiteral("auditActionFilter"));
    m_action->setToolTip(tr("Only entries of this action."));
    m_actor = new QComboBox(this);
    m_actor->setObjectName(QStringLiteral("auditActorFilter"));
    m_actor->setToolTip(tr("Only entries by this OS account."));
    // A fixed width, so long names in the log do not widen the window's minimum size; the
    // popups show them whole.
    for (QComboBox *combo : {m_action, m_actor}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(10);
    }
    m_object = new QLineEdit(this);
    m_object->setObjectName(QStringLiteral("auditObjectFilter"));
    m_object->setPlaceholderText(tr("Object contains… (kek:orders, customers)"));
    m_object->setToolTip(tr("Only entries whose object contains this text (case-insensitive)."));
    m_object->setClearButtonEnabled(true);
    m_object->setMinimumWidth(100);
    m_sinceOn = new QCheckBox(tr("Since"), this);
    m_sinceOn->setObjectName(QStringLiteral("auditSinceEnabled"));
    m_since = new QDateEdit(this);
    m_since->setObjectName(QStringLiteral("auditSince"));
    m_untilOn = new QCheckBox(tr("Until"), this);
    m_untilOn->setObjectName(QStringLiteral("auditUntilEnabled"));
    m_until = new QDateEdit(this);
    m_until->setObjectName(QStringLiteral("auditUntil"));
    const QDate today = QDateTime::currentDateTimeUtc().date();
    for (QDateEdit *edit : {m_since, m_until}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setDate(today);
        edit->setEnabled(false);
        edit->setToolTip(tr("A day in UTC; Until includes the whole day."));
    }
    m_clear = new QPushButton(tr("Clear"), this);
    m_clear->setObjectName(QStringLiteral("auditClearFilter"));

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_action);
    filters->addWidget(m_actor);
    filters->addWidget(m_object, 1);
    filters->addWidget(m_clear);

    // Actions and the verdict.
    m_refresh =
        new QPushButton(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("auditRefresh"));
    m_verify = new QPushButton(tr("Verify chain"), this);
    m_verify->setObjectName(QStringLiteral("auditVerify"));
    m_verify->setToolTip(tr("Walk every entry: its HMAC-SHA-256, the link to the entry before "
                            "and the keychain's head. Runs in the background."));
    m_exportButton = new QPushButton(tr("Export…"), this);
    m_exportButton->setObjectName(QStringLiteral("auditExport"));
    m_exportButton->setToolTip(tr("Write the entries the filter selects, oldest first, with "
                                  "their MACs, as CSV or JSON lines."));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("auditCancel"));
    m_cancel->setVisible(false);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("auditProgress"));
    m_progress->setMaximumWidth(220);
    m_progress->setVisible(false);
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("auditResult"));
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->setWordWrap(true);

    // The date range shares the second row, so the tab fits a narrow window.
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_sinceOn);
    actions->addWidget(m_since);
    actions->addWidget(m_untilOn);
    actions->addWidget(m_until);
    actions->addSpacing(12);
    actions->addWidget(m_refresh);
    actions->addWidget(m_verify);
    actions->addWidget(m_exportButton);
    actions->addWidget(m_progress);
    actions->addWidget(m_cancel);
    actions->addWidget(m_result, 1);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("auditTable"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->setVisible(false);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->setColumnWidth(audit::AuditLogModel::TimeColumn, 160);
    m_view->setColumnWidth(audit::AuditLogModel::ActorColumn, 110);
    m_view->setColumnWidth(audit::AuditLogModel::ActionColumn, 150);
    m_view->setColumnWidth(audit::AuditLogModel::ObjectColumn, 260);

    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("auditCount"));

    auto *logPage = new QWidget(this);
    auto *logLayout = new QVBoxLayout(logPage);
    logLayout->addLayout(filters);
    logLayout->addLayout(actions);
    logLayout->addWidget(m_view, 1);
    logLayout->addWidget(m_count);

    m_empty = new EmptyStateWidget(this);
    m_empty->setObjectName(QStringLiteral("auditEmptyState"));
    m_empty->setIcon(QIcon(QStringLiteral(":/icons/kek.svg")));
    m_pages = new QStackedWidget(this);
    m_pages->addWidget(m_empty);
    m_pages->addWidget(logPage);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_pages);

    m_objectPause = new QTimer(this);
    m_objectPause->setSingleShot(true);
    m_objectPause->setInterval(300);
    m_progressPoll = new QTimer(this);
    m_progressPoll->setInterval(100);

    connect(m_action, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_filling)
            applyFilter();
    });
    connect(m_actor, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_filling)
            applyFilter();
    });
    // Each keystroke would be a count over the log: wait for a pause.
    connect(m_object, &QLineEdit::textChanged, m_objectPause, qOverload<>(&QTimer::start));
    connect(m_object, &QLineEdit::returnPressed, this, &AuditTab::applyFilter);
    connect(m_objectPause, &QTimer::timeout, this, &AuditTab::applyFilter);
    for (QCheckBox *box : {m_sinceOn, m_untilOn})
        connect(box, &QCheckBox::toggled, this, [this] {
            m_since->setEnabled(m_sinceOn->isChecked());
            m_until->setEnabled(m_untilOn->isChecked());
            applyFilter();
        });
    for (QDateEdit *edit : {m_since, m_until})
        connect(edit, &QDateEdit::dateChanged, this, [this, edit] {
            if (edit->isEnabled())
                applyFilter();
        });
    connect(m_clear, &QPushButton::clicked, this, &AuditTab::clearFilter);
    connect(m_refresh, &QPushButton::clicked, this, &AuditTab::refresh);
    connect(m_verify, &QPushButton::clicked, this, &AuditTab::verifyChain);
    connect(m_exportButton, &QPushButton::clicked, this, &AuditTab::chooseExportPath);
    connect(m_cancel, &QPushButton::clicked, this, &AuditTab::cancel);
    connect(m_progressPoll, &QTimer::timeout, this, &AuditTab::updateProgress);
    connect(m_model, &audit::AuditLogModel::loaded, this, [this] {
        updateCount();
        selectPendingEntry();
    });

    updateState();
}

AuditTab::~AuditTab()
{
    if (m_verifying)
        m_verifying->cancel = true;
}

void AuditTab::setAuditLog(std::shared_ptr<audit::AuditLog> log)
{
    if (m_verifying) { // its verdict is about the other log
        m_verifying->cancel = true;
        m_verifying.reset();
        m_progressPoll->stop();
    }
    m_export.reset();
    m_audit = std::move(log);
    m_pendingSelection = 0;
    setResult({}, false);
    if (m_audit && m_audit->problem())
        setResult(tr("The log does not verify: %1").arg(m_audit->problem()->message), true);
    refresh();
}

audit::AuditFilter AuditTab::filter() const
{
    audit::AuditFilter filter;
    filter.action = m_action->currentData().toString();
    filter.actor = m_actor->currentData().toString();
    filter.object = m_object->text().trimmed();
    if (m_sinceOn->isChecked())
        filter.sinceMs = startOfDayUtc(m_since->date());
    if (m_untilOn->isChecked())
        filter.untilMs = startOfDayUtc(m_until->date()) + DayMs - 1;
    return filter;
}

void AuditTab::fillCombo(QComboBox *combo, const QString &any, const Result<QStringList> &values)
{
    const QString current = combo->currentData().toString();
    combo->clear();
    combo->addItem(any, QString());
    if (values)
        for (const QString &value : *values)
            combo->addItem(value, value);
    // A choice that is no longer in the log stays chosen: it simply selects nothing.
    if (!current.isEmpty() && combo->findData(current) < 0)
        combo->addItem(current, current);
    combo->setCurrentIndex(std::max(0, combo->findData(current)));
}

void AuditTab::refresh()
{
    const std::shared_ptr<audit::AuditStore> store = m_audit ? m_audit->store() : nullptr;
    if (store) {
        m_filling = true;
        fillCombo(m_action, tr("Any action"), store->actions());
        fillCombo(m_actor, tr("Any actor"), store->actors());
        m_filling = false;
    }
    m_objectPause->stop();
    if (m_model->store() != store) {
        m_model->setFilter(filter());
        m_model->setStore(store);
    } else {
        m_model->setFilter(filter());
    }
    updateState();
}

void AuditTab::applyFilter()
{
    m_objectPause->stop();
    m_model->setFilter(filter());
}

void AuditTab::clearFilter()
{
    m_filling = true;
    m_action->setCurrentIndex(0);
    m_actor->setCurrentIndex(0);
    m_object->clear();
    m_sinceOn->setChecked(false);
    m_untilOn->setChecked(false);
    m_filling = false;
    applyFilter();
}

void AuditTab::updateState()
{
    const bool hasFile = m_audit && m_audit->store();
    if (!m_audit) {
        m_empty->setTitle(tr("No audit log is open"));
        m_empty->setText(tr("Keywarden opens its audit log when a connection with Kafka is "
                            "opened or a key workflow runs. Every reveal, copy and key change "
                            "is recorded there."));
    } else if (!hasFile) {
        m_empty->setTitle(tr("No audit log yet"));
        m_empty->setText(tr("There is no audit log at %1 yet: nothing was audited on this account.")
                             .arg(m_audit->path()));
        if (m_audit->problem())
            m_empty->setText(m_audit->problem()->message);
    }
    m_pages->setCurrentIndex(hasFile ? 1 : 0);
    const bool verifying = m_verifying != nullptr;
    const bool exporting = m_export.isBusy();
    m_verify->setEnabled(hasFile && !verifying);
    m_exportButton->setEnabled(hasFile && !exporting);
    m_cancel->setVisible(verifying || exporting);
    m_progress->setVisible(verifying || exporting);
    updateCount();
}

void AuditTab::updateCount()
{
    const audit::AuditFilter none;
    QString text = tr("%1 of %2 entries")
                       .arg(QLocale().toString(m_model->rowCount()),
                            QLocale().toString(m_model->totalCount()));
    if (m_model->rowCount() < m_model->totalCount())
        text += tr(", newest first; scroll for more");
    if (!(m_model->filter() == none))
        text += tr(" (filtered)");
    if (!m_model->error().isEmpty())
        text = tr("The audit log could not be read: %1").arg(m_model->error().message);
    m_count->setText(text);
}

void AuditTab::setResult(const QString &text, bool bad)
{
    m_result->setText(text);
    m_result->setStyleSheet(bad ? QStringLiteral("color: #c0392b; font-weight: bold;") : QString());
}

void AuditTab::verifyChain()
{
    if (!m_audit || m_verifying)
        return;
    auto verification = std::make_shared<Verification>();
    m_verifying = verification;
    m_pendingSelection = 0;
    setResult(tr("Verifying the chain…"), false);
    m_progress->setRange(0, 0);
    m_progressPoll->start();
    updateState();
    // The walk runs on a worker thread and reports there; the GUI polls what it reported.
    const auto progress = [verification](qint64 done, qint64 total) {
        verification->done = done;
        verification->total = total;
        return !verification->cancel.load();
    };
    const std::shared_ptr<audit::AuditLog> log = m_audit;
    whenFinished(
        log->verify(progress), this,
        [this, log, verification](const Result<audit::ChainReport> &report) {
            if (m_verifying != verification || log != m_audit)
                return; // replaced by another log meanwhile
            m_verifying.reset();
            m_progressPoll->stop();
            if (!report) {
                setResult(
                    report.error().code == audit::ErrorCancelled
                        ? tr("Verification cancelled.")
                        : tr("The audit log could not be verified: %1").arg(report.error().message),
                    report.error().code != audit::ErrorCancelled);
                updateState();
                return;
            }
            if (report->ok()) {
                setResult(tr("Verified: %1 entries, %2")
                              .arg(QLocale().toString(report->entries), log->keyingDescription()),
                          false);
            } else if (report->brokenId > 0) {
                setResult(tr("BROKEN at entry #%1: %2")
                              .arg(report->brokenId)
                              .arg(report->problem->message),
                          true);
                m_pendingSelection = report->brokenId;
            } else {
                setResult(tr("BROKEN: %1").arg(report->problem->message), true);
            }
            // Show the entries as they are now, and the broken one when it is loaded.
            refresh();
            selectPendingEntry();
            Q_EMIT verified();
        });
}

void AuditTab::selectPendingEntry()
{
    if (m_pendingSelection <= 0)
        return;
    const int row = m_model->rowOfId(m_pendingSelection);
    if (row < 0)
        return;
    m_pendingSelection = 0;
    const QModelIndex index = m_model->index(row, audit::AuditLogModel::TimeColumn);
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                         QItemSelectionModel::Rows);
    m_view->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

void AuditTab::updateProgress()
{
    if (!m_verifying)
        return;
    const qint64 total = m_verifying->total;
    const qint64 done = m_verifying->done;
    if (total > 0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(1000.0 * double(done) / double(total)));
        if (!m_verifying->cancel)
            setResult(tr("Verifying the chain: %1 of %2 entries…")
                          .arg(QLocale().toString(done), QLocale().toString(total)),
                      false);
    }
}

void AuditTab::cancel()
{
    if (m_verifying && !m_verifying->cancel) {
        m_verifying->cancel = true;
        setResult(tr("Stopping the verification…"), false);
    }
    if (Job *job = m_export.current(); job && job->isRunning())
        job->cancel();
}

void AuditTab::chooseExportPath()
{
    if (!m_audit || !m_audit->store())
        return;
    // Window-modal and answered through a signal: no nested event loop on the GUI thread.
    auto *dialog =
        newExportDialog(this, tr("Export audit entries"), QStringLiteral("auditExportFileDialog"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        exportTo(path, path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)
                           ? audit::ExportFormat::Csv
                           : audit::ExportFormat::JsonLines);
    });
    dialog->open();
}

void AuditTab::exportTo(const QString &path, audit::ExportFormat format)
{
    const std::shared_ptr<audit::AuditStore> store = m_audit ? m_audit->store() : nullptr;
    if (!store) {
        Q_EMIT exportFinished(
            makeError(QString(audit::ErrorExportWrite), tr("There is no audit log to export.")));
        return;
    }
    // The worker reads through a connection of its own (SQLite connections stay on their
    // thread); reading needs no key.
    const QString logPath = store->path();
    const audit::AuditFilter selected = m_model->filter();
    auto *job = new ValueJob<qint64>(
        tr("Export audit entries"),
        [logPath, selected, path, format](JobContext &ctx) -> Result<qint64> {
            auto reader = audit::AuditStore::open(
                {.path = logPath, .clock = nullptr, .actor = {}, .key = {}});
            if (!reader)
                return reader.error();
            qint64 written = 0;
            auto saved = savePrivateFile(
                path, QString(audit::ErrorExportWrite), [&](QIODevice *device) -> Result<void> {
                    auto n = audit::exportEntries(**reader, selected, device, format,
                                                  [&ctx](qint64 done, qint64 total) {
                                                      ctx.setProgress(done, total);
                                                      return !ctx.isCancelled();
                                                  });
                    if (!n)
                        return n.error();
                    written = *n;
                    return {};
                });
            if (!saved)
                return saved.error();
            return written;
        });
    connect(job, &Job::progressChanged, this, [this](const JobProgress &p) {
        if (p.total > 0) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(1000.0 * double(p.done) / double(p.total)));
        }
    });
    connect(job, &Job::finished, this, [this, job, path] {
        const Result<qint64> result = job->result() ? *job->result() : Result<qint64>(job->error());
        if (result)
            setResult(tr("Wrote %1 audit entries to %2")
                          .arg(QLocale().toString(*result), QDir::toNativeSeparators(path)),
                      false);
        else if (result.error().code == audit::ErrorCancelled)
            setResult(tr("Export cancelled; nothing was written."), false);
        else
            setResult(tr("The audit export failed: %1").arg(result.error().message), true);
        updateState();
        Q_EMIT exportFinished(result);
    });
    m_progress->setRange(0, 0);
    setResult(tr("Exporting…"), false);
    m_export.start(job);
    updateState();
}

} // namespace kw
