#include "widgets/records/recordsview.h"

#include "core/audit/auditlog.h"
#include "core/audit/auditthread.h"
#include "core/domain/displaytext.h"
#include "core/domain/futurewatch.h"
#include "core/services/connection.h"
#include "core/services/recordwriter.h"
#include "models/records/recordpresentation.h"
#include "models/records/recordsmodel.h"
#include "models/records/recordssession.h"
#include "widgets/commands/command.h"
#include "widgets/common/exportdialog.h"
#include "widgets/dialogs/confirmationdialog.h"
#include "widgets/records/recorddetailpane.h"
#include "widgets/records/secretclipboard.h"

#include <QAction>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTimeZone>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace kw::records {

namespace {

enum StartKind
{
    StartEarliest,
    StartLatestMinus,
    StartOffset,
    StartTimestamp
};

// "1 record", "9000 records". Plain English until the project ships translations (tr()'s %n
// plural forms need a translation file even for English).
QString counted(qint64 n, const QString &one, const QString &many)
{
    return QString::number(n) + QLatin1Char(' ') + (n == 1 ? one : many);
}

QLabel *caption(const QString &text, QWidget *buddy)
{
    auto *label = new QLabel(text);
    label->setBuddy(buddy);
    return label;
}

} // namespace

RecordsView::RecordsView(std::shared_ptr<services::Connection> connection,
                         std::shared_ptr<audit::AuditLog> audit, QWidget *parent)
    : QWidget(parent)
    , m_auditThread(std::make_unique<audit::AuditThread>())
    , m_session(new RecordsSession(std::move(connection), this))
    , m_model(new RecordsModel(this))
    , m_clipboard(new SecretClipboard(this))
{
    setObjectName(QStringLiteral("recordsView"));
    createCommands();
    buildUi();
    setAuditLog(std::move(audit));

    connect(m_session, &RecordsSession::topicsLoaded, this, &RecordsView::topicsLoaded);
    connect(m_session, &RecordsSession::topicDescribed, this, &RecordsView::topicDescribed);
    connect(m_session, &RecordsSession::batchReady, this,
            [this](const QList<kafka::PreviewRecord> &records) {
                m_model->append(records);
                updateStatus(false);
                m_commands->updateEnabled();
            });
    connect(m_session, &RecordsSession::progress, this, [this](const kafka::ReadProgress &p) {
        if (p.expected > 0) {
            m_busy->setRange(0, int(std::min<qint64>(p.expected, INT_MAX)));
            m_busy->setValue(int(std::min<qint64>(p.read, INT_MAX)));
        }
    });
    connect(m_session, &RecordsSession::fetchFinished, this, &RecordsView::finished);
    connect(m_session, &RecordsSession::schemaNamed, m_model, &RecordsModel::setSchemaName);
    reloadTopics();
}

RecordsView::~RecordsView() = default;

void RecordsView::createCommands()
{
    // The context is the table's current record; buildUi() creates the table before anything
    // asks.
    m_commands = new CommandController(
        [this] {
            return CommandContext{nullptr, m_table ? m_table->selectionModel()->currentIndex()
                                                   : QModelIndex()};
        },
        this);
    auto idle = [this](const CommandContext &) {
        return !m_session->isFetching();
    };
    auto haveRecords = [this, idle](const CommandContext &c) {
        return idle(c) && !m_exporting && m_model->rowCount() > 0;
    };

    QAction *fetch =
        makeAction(themedIcon("go-down", nullptr), tr("&Fetch"), "actionFetchRecords", this);
    fetch->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    fetch->setStatusTip(tr("Read the chosen records from the topic and decrypt them"));
    m_commands->add(
        fetch,
        [this, idle](const CommandContext &c) {
            return idle(c) && m_topic && !m_topic->currentData().toString().isEmpty();
        },
        [this](const CommandContext &) { this->fetch(); });

    QAction *cancel =
        makeAction(themedIcon("process-stop", nullptr), tr("Cancel"), "actionCancelFetch", this);
    cancel->setStatusTip(tr("Stop the running fetch; the records read so far stay"));
    m_commands->add(
        cancel,
        [this](const CommandContext &) { return m_session->isFetching() && !m_cancelRequested; },
        [this](const CommandContext &) { this->cancel(); });

    QAction *reveal = makeAction(QIcon(), tr("&Reveal"), "actionRevealRecord", this);
    reveal->setStatusTip(tr("Show the decrypted values of the selected record (audited)"));
    m_commands->add(
        reveal, [this](const CommandContext &) { return canReveal(); },
        [this](const CommandContext &) { this->reveal(); });

    QAction *exportMasked = makeAction(themedIcon("document-save-as", nullptr),
                                       tr("Export records…"), "recordsExportAction", this);
    exportMasked->setToolTip(tr("Write the fetched records to a JSON lines or CSV file, "
                                "decrypted values masked."));
    m_commands->add(exportMasked, haveRecords, [this](const CommandContext &) { exportRecords(); });

    QAction *exportPlain = makeAction(QIcon(), tr("Export records with decrypted values…"),
                                      "recordsExportPlaintextAction", this);
    exportPlain->setToolTip(tr("Write the fetched records with their decrypted values in "
                               "plaintext. Asks first; the export is written to the audit "
                               "log."));
    m_commands->add(exportPlain, haveRecords,
                    [this](const CommandContext &) { exportRecordsWithPlaintext(); });
}

bool RecordsView::canReveal() const
{
    // Without the audit log it still runs, and says why nothing can be shown.
    if (!m_table || m_detail->isRevealed())
        return false;
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    return current.isValid() && current.row() < m_model->rowCount() &&
           !revealableFields(m_model->record(current.row()).value).isEmpty();
}

void RecordsView::setAuditLog(std::shared_ptr<audit::AuditLog> audit)
{
    m_audit = std::move(audit);
    m_commands->updateEnabled();
    if (!m_audit)
        return;
    // The same log again, on the audit thread: its SQLite work stays off the GUI thread. The
    // file lock and the keychain head keep the two instances on one chain.
    audit::AuditLog::Options options = m_audit->options();
    options.path = m_audit->path();
    whenFinished(m_auditThread->open(options, m_audit->vault()), this,
                 [this](const Result<void> &opened) {
                     if (!opened)
                         showMessage(tr("The audit log could not be opened for reveals: %1")
                                         .arg(opened.error().message),
                                     true);
                 });
}

void RecordsView::buildUi()
{
    auto *layout = new QVBoxLayout(this);

    // Query bar.
    auto *query = new QHBoxLayout;
    m_topic = new QComboBox;
    m_topic->setObjectName(QStringLiteral("recordsTopicCombo"));
    m_topic->setMinimumContentsLength(24);
    m_topic->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_reloadTopics = new QToolButton;
    m_reloadTopics->setObjectName(QStringLiteral("recordsReloadTopicsButton"));
    m_reloadTopics->setText(tr("Reload"));
    m_reloadTopics->setToolTip(tr("Reload the topic list"));
    m_startKind = new QComboBox;
    m_startKind->setObjectName(QStringLiteral("recordsStartCombo"));
    m_startKind->addItem(tr("Earliest"), StartEarliest);
    m_startKind->addItem(tr("Latest − N"), StartLatestMinus);
    m_startKind->addItem(tr("Offset"), StartOffset);
    m_startKind->addItem(tr("Timestamp"), StartTimestamp);
    m_startValue = new QLineEdit;
    m_startValue->setObjectName(QStringLiteral("recordsStartValueEdit"));
    m_startValue->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{0,18}")), this));
    m_startValue->setText(QStringLiteral("100"));
    m_startValue->setMaximumWidth(120);
    m_startTime = new QDateTimeEdit;
    m_startTime->setObjectName(QStringLiteral("recordsStartTimestampEdit"));
    // setTimeSpec() is deprecated from Qt 6.7 on; setTimeZone() only exists from there.
#if QT_VERSION >= QT_VERSION_CHECK(6, 7, 0)
    m_startTime->setTimeZone(QTimeZone::utc());
#else
    m_startTime->setTimeSpec(Qt::UTC);
#endif
    m_startTime->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
    m_startTime->setCalendarPopup(true);
    m_startTime->setDateTime(QDateTime::currentDateTimeUtc().addDays(-1));
    m_partition = new QComboBox;
    m_partition->setObjectName(QStringLiteral("recordsPartitionCombo"));
    m_count = new QSpinBox;
    m_count->setObjectName(QStringLiteral("recordsCountSpin"));
    m_count->setRange(1, 1000000);
    m_count->setValue(100);
    m_count->setGroupSeparatorShown(true);
    m_fetch = new QPushButton(tr("Fetch"));
    m_fetch->setObjectName(QStringLiteral("recordsFetchButton"));
    m_fetch->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("recordsCancelButton"));

    query->addWidget(caption(tr("&Topic:"), m_topic));
    query->addWidget(m_topic, 1);
    query->addWidget(m_reloadTopics);
    query->addWidget(caption(tr("&From:"), m_startKind));
    query->addWidget(m_startKind);
    query->addWidget(m_startValue);
    query->addWidget(m_startTime);
    query->addWidget(caption(tr("&Partition:"), m_partition));
    query->addWidget(m_partition);
    query->addWidget(caption(tr("&Count:"), m_count));
    query->addWidget(m_count);
    query->addWidget(m_fetch);
    query->addWidget(m_cancel);
    layout->addLayout(query);

    // Inline message bar: errors and notices stay in the view, never in a modal dialog.
    m_messageBar = new QWidget;
    m_messageBar->setObjectName(QStringLiteral("recordsMessageBar"));
    auto *messageLayout = new QHBoxLayout(m_messageBar);
    messageLayout->setContentsMargins(6, 4, 6, 4);
    m_messageText = new QLabel;
    m_messageText->setObjectName(QStringLiteral("recordsMessageText"));
    m_messageText->setTextFormat(Qt::PlainText); // messages quote topic and server texts
    m_messageText->setWordWrap(true);
    m_messageText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *closeMessage = new QToolButton;
    closeMessage->setObjectName(QStringLiteral("recordsMessageCloseButton"));
    closeMessage->setText(QStringLiteral("×"));
    closeMessage->setAutoRaise(true);
    messageLayout->addWidget(m_messageText, 1);
    messageLayout->addWidget(closeMessage);
    m_messageBar->hide();
    layout->addWidget(m_messageBar);

    m_busy = new QProgressBar;
    m_busy->setObjectName(QStringLiteral("recordsBusyIndicator"));
    m_busy->setMaximumHeight(6);
    m_busy->setTextVisible(false);
    m_busy->hide();
    layout->addWidget(m_busy);

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->setObjectName(QStringLiteral("recordsSplitter"));
    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("recordsTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_detail = new RecordDetailPane(m_clipboard);
    m_detail->setObjectName(QStringLiteral("recordsDetailPane"));
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    auto *bottom = new QHBoxLayout;
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("recordsStatusLabel"));
    bottom->addWidget(m_status, 1);
    auto action = [this](const char *name) {
        return m_commands->command(QLatin1String(name))->action();
    };
    auto *exportButton = new QToolButton;
    exportButton->setObjectName(QStringLiteral("recordsExportButton"));
    exportButton->setDefaultAction(action("recordsExportAction"));
    exportButton->addAction(action("recordsExportPlaintextAction"));
    exportButton->setPopupMode(QToolButton::MenuButtonPopup);
    bottom->addWidget(exportButton);
    layout->addLayout(bottom);

    // The buttons and the table's context menu run the view's commands.
    bindButton(*m_commands, m_fetch, QStringLiteral("actionFetchRecords"));
    bindButton(*m_commands, m_cancel, QStringLiteral("actionCancelFetch"));
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("recordsContextMenu"));
    menu->addAction(action("actionRevealRecord"));
    menu->addSeparator();
    menu->addAction(action("recordsExportAction"));
    menu->addAction(action("recordsExportPlaintextAction"));
    menu->addSeparator();
    menu->addAction(action("actionFetchRecords"));
    attachContextMenu(*m_commands, m_table, menu);
    // Ctrl+Return fetches from anywhere in the view.
    for (const char *name : {"actionFetchRecords", "actionRevealRecord"}) {
        action(name)->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action(name));
    }

    connect(m_reloadTopics, &QToolButton::clicked, this, &RecordsView::reloadTopics);
    connect(m_topic, &QComboBox::currentIndexChanged, this, &RecordsView::topicChanged);
    connect(m_startKind, &QComboBox::currentIndexChanged, this, &RecordsView::startKindChanged);
    connect(closeMessage, &QToolButton::clicked, this, &RecordsView::hideMessage);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &RecordsView::currentRecordChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, &RecordsView::currentRecordChanged);
    connect(m_detail, &RecordDetailPane::revealRequested, m_commands,
            [this] { m_commands->trigger(QStringLiteral("actionRevealRecord")); });
    m_commands->updateEnabled();
    startKindChanged();
    topicChanged();
}

void RecordsView::setClipboardClearIntervalMs(int ms)
{
    m_clipboard->setClearIntervalMs(ms);
}

bool RecordsView::isFetching() const
{
    return m_session->isFetching();
}

void RecordsView::reloadTopics()
{
    m_reloadTopics->setEnabled(false);
    m_status->setText(tr("Loading topics…"));
    m_session->loadTopics();
}

void RecordsView::topicsLoaded(const Result<QList<kafka::TopicInfo>> &result)
{
    m_reloadTopics->setEnabled(true);
    m_status->clear();
    if (!result) {
        showMessage(tr("The topic list could not be loaded: %1").arg(result.error().message), true);
        return;
    }
    const QString previous = m_topic->currentData().toString();
    QSignalBlocker block(m_topic);
    m_topic->clear();
    for (const kafka::TopicInfo &topic : *result) {
        if (topic.internal)
            continue;
        m_topic->addItem(tr("%1 (%2)").arg(topic.name, counted(topic.partitionCount,
                                                               tr("partition"), tr("partitions"))),
                         topic.name);
    }
    if (m_topic->count() == 0)
        showMessage(tr("The cluster has no topics to read."), false);
    const int again = m_topic->findData(previous);
    m_topic->setCurrentIndex(again >= 0 ? again : (m_topic->count() > 0 ? 0 : -1));
    block.unblock();
    topicChanged();
}

void RecordsView::topicChanged()
{
    const QString topic = m_topic->currentData().toString();
    m_partition->clear();
    m_partition->addItem(tr("All partitions"), -1);
    m_commands->updateEnabled();
    if (!topic.isEmpty())
        m_session->describeTopic(topic);
}

void RecordsView::topicDescribed(const Result<kafka::TopicInfo> &result)
{
    if (!result) {
        showMessage(
            tr("The partitions of the topic could not be read: %1").arg(result.error().message),
            true);
        return;
    }
    if (result->name != m_topic->currentData().toString())
        return;
    const int selected = m_partition->currentData().toInt();
    qint64 total = 0;
    for (const kafka::PartitionInfo &p : result->partitions)
        total += p.count();
    m_partition->setItemText(
        0, tr("All partitions (%1)").arg(counted(total, tr("record"), tr("records"))));
    for (const kafka::PartitionInfo &p : result->partitions) {
        if (m_partition->findData(p.partition) < 0)
            m_partition->addItem(tr("%1 (%2)").arg(QString::number(p.partition),
                                                   counted(p.count(), tr("record"), tr("records"))),
                                 p.partition);
    }
    const int again = m_partition->findData(selected);
    if (again >= 0)
        m_partition->setCurrentIndex(again);
}

void RecordsView::startKindChanged()
{
    const int kind = m_startKind->currentData().toInt();
    m_startValue->setVisible(kind == StartLatestMinus || kind == StartOffset);
    m_startTime->setVisible(kind == StartTimestamp);
    m_startValue->setPlaceholderText(kind == StartOffset ? tr("offset") : tr("records back"));
}

void RecordsView::fetch()
{
    const QString topic = m_topic->currentData().toString();
    if (topic.isEmpty())
        return;
    kafka::ReadRequest request;
    request.topic = topic;
    request.partition = m_partition->currentData().toInt();
    request.limit = m_count->value();
    const qint64 value = m_startValue->text().toLongLong();
    switch (m_startKind->currentData().toInt()) {
    case StartEarliest:
        request.start = kafka::StartPosition::earliest();
        break;
    case StartLatestMinus:
        // "Latest − N": the newest N records of what is read, shared over its partitions.
        request.start = kafka::StartPosition::lastTotal(value);
        break;
    case StartOffset:
        request.start = kafka::StartPosition::offset(value);
        break;
    case StartTimestamp:
        request.start =
            kafka::StartPosition::timestamp(m_startTime->dateTime().toMSecsSinceEpoch());
        break;
    }
    hideMessage();
    m_model->clear();
    m_detail->clear();
    m_lastKmsUnwraps = m_session->cacheStats().kmsUnwraps;
    m_cancelRequested = false;
    m_session->fetch(request);
    setBusy(true);
    updateStatus(false);
}

void RecordsView::cancel()
{
    m_cancelRequested = true;
    m_session->cancel();
    m_commands->updateEnabled();
}

void RecordsView::finished(const Result<kafka::PreviewSummary> &result)
{
    setBusy(false);
    if (!result) {
        // Whatever arrived before the error stays on screen.
        showMessage(tr("Reading the topic failed: %1").arg(result.error().message), true);
        updateStatus(true);
    } else {
        m_lastKmsUnwraps = result->cache.kmsUnwraps;
        updateStatus(true, result->read.cancelled);
        if (result->read.cancelled)
            showMessage(tr("Fetch cancelled after %1.")
                            .arg(counted(m_model->rowCount(), tr("record"), tr("records"))),
                        false);
    }
    Q_EMIT fetchFinished();
}

void RecordsView::setBusy(bool busy)
{
    m_busy->setVisible(busy);
    m_busy->setRange(0, 0); // indeterminate until the read knows how much to expect
    m_topic->setEnabled(!busy);
    m_commands->updateEnabled();
}

void RecordsView::updateStatus(bool final, bool cancelled)
{
    const quint64 unwraps = final ? m_lastKmsUnwraps : m_session->cacheStats().kmsUnwraps;
    QString text = tr("%1, %2 failed, %3")
                       .arg(counted(m_model->rowCount(), tr("record"), tr("records")))
                       .arg(m_model->failedCount())
                       .arg(counted(qint64(unwraps), tr("KMS unwrap"), tr("KMS unwraps")));
    if (!final)
        text = tr("Fetching… ") + text;
    else if (cancelled)
        text = tr("Cancelled: ") + text;
    m_status->setText(text);
}

void RecordsView::currentRecordChanged()
{
    ++m_revealJob; // an answer for the record left behind reveals nothing
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid() || current.row() >= m_model->rowCount())
        m_detail->clear();
    else
        m_detail->setRecord(m_model->record(current.row()));
    m_commands->updateEnabled();
}

void RecordsView::reveal()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid())
        return;
    const kafka::PreviewRecord &record = m_model->record(current.row());
    const QStringList fields = revealableFields(record.value);
    if (fields.isEmpty())
        return;
    if (!m_audit) {
        showMessage(tr("Revealing needs the audit log, which is not available."), true);
        return;
    }
    RevealScope scope;
    scope.client = QStringLiteral("keywarden");
    scope.scope = QStringLiteral("record");
    scope.profile = m_session->connection()->profile().name;
    scope.registryUrl = m_session->connection()->profile().registry.baseUrl;
    scope.topic = record.record.topic;
    scope.partition = record.record.partition;
    scope.offset = record.record.offset;
    scope.fields = fields;
    scope.schemaId = record.value.schemaId;
    scope.dekSubject = record.value.dekSubject;
    // The audit entry is written before anything is shown; no entry, no plaintext. It is
    // written on the audit thread, so the GUI thread neither waits for SQLite nor the keychain.
    const quint64 job = ++m_revealJob;
    whenFinished(
        m_auditThread->append(revealAuditEntry(scope)), this,
        [this, job](const Result<audit::AuditEntry> &written) { revealAudited(job, written); });
}

void RecordsView::revealAudited(quint64 job, const Result<audit::AuditEntry> &written)
{
    if (!written) {
        showMessage(tr("The values were not revealed because the audit log could not record "
                       "it: %1")
                        .arg(written.error().message),
                    true);
        return;
    }
    if (job != m_revealJob) { // another record was selected (or revealed) meanwhile
        Q_EMIT revealDiscarded(written->topic, written->partition, written->offset);
        return;
    }
    // Only the record that was audited is shown, if it is still the one selected.
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid() || current.row() >= m_model->rowCount())
        return;
    const kafka::PreviewRecord &record = m_model->record(current.row());
    if (record.record.topic != written->topic || record.record.partition != written->partition ||
        record.record.offset != written->offset)
        return;
    m_detail->setRevealed(true);
    m_commands->updateEnabled();
    Q_EMIT revealed(written->topic, written->partition, written->offset);
}

void RecordsView::setNextExportPath(const QString &path)
{
    m_nextExportPath = path;
}

void RecordsView::exportRecords()
{
    chooseExportPath(false);
}

void RecordsView::exportRecordsWithPlaintext()
{
    chooseExportPath(true);
}

void RecordsView::chooseExportPath(bool plaintext)
{
    if (m_model->rowCount() == 0)
        return;
    if (!m_nextExportPath.isEmpty()) {
        exportTo(std::exchange(m_nextExportPath, QString()), plaintext);
        return;
    }
    // Window-modal and answered through a signal: no nested event loop on the GUI thread.
    auto *dialog = newExportDialog(
        this, plaintext ? tr("Export records with decrypted values") : tr("Export records"),
        QStringLiteral("recordsExportFileDialog"));
    connect(dialog, &QFileDialog::fileSelected, this,
            [this, plaintext](const QString &path) { exportTo(path, plaintext); });
    dialog->open();
}

void RecordsView::exportTo(const QString &path, bool plaintext)
{
    if (!plaintext) {
        writeExport(path, false);
        return;
    }
    if (!m_audit) {
        showMessage(tr("Exporting decrypted values needs the audit log, which is not available. "
                       "Nothing was written."),
                    true);
        Q_EMIT exportFinished({});
        return;
    }
    QStringList fields;
    for (int row = 0; row < m_model->rowCount(); ++row)
        fields += revealableFields(m_model->record(row).value);
    fields.removeDuplicates();
    fields.sort();
    ConfirmationRequest request;
    request.title = tr("Export decrypted values");
    request.question = tr("Write %1 with their decrypted values in plaintext to %2?")
                           .arg(counted(m_model->rowCount(), tr("record"), tr("records")), path);
    request.verb = tr("Export plaintext");
    request.affectedHeading = tr("Decrypted fields written in plaintext:");
    request.affected = fields;
    request.secondWarning = tr("Anyone who can read the file can read these values. The export "
                               "is written to the audit log.");
    ConfirmationDialog::ask(this, request, this, [this, path, fields](bool confirmed) {
        if (!confirmed) {
            Q_EMIT exportFinished({});
            return;
        }
        RevealScope scope;
        scope.client = QStringLiteral("keywarden");
        scope.scope = QStringLiteral("export");
        scope.profile = m_session->connection()->profile().name;
        scope.registryUrl = m_session->connection()->profile().registry.baseUrl;
        scope.topic = m_model->record(0).record.topic;
        scope.fields = fields;
        scope.records = m_model->rowCount();
        scope.format = path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)
                           ? QStringLiteral("csv")
                           : QStringLiteral("jsonl");
        // Audited first: no entry, no plaintext file.
        whenFinished(m_auditThread->append(revealAuditEntry(scope)), this,
                     [this, path](const Result<audit::AuditEntry> &written) {
                         if (!written) {
                             showMessage(tr("Nothing was exported because the audit log could "
                                            "not record it: %1")
                                             .arg(written.error().message),
                                         true);
                             Q_EMIT exportFinished({});
                             return;
                         }
                         writeExport(path, true);
                     });
    });
}

void RecordsView::writeExport(const QString &path, bool plaintext)
{
    const RecordFormat format = path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)
                                    ? RecordFormat::Csv
                                    : RecordFormat::JsonLines;
    QList<kafka::PreviewRecord> records;
    records.reserve(m_model->rowCount());
    for (int row = 0; row < m_model->rowCount(); ++row)
        records.append(m_model->record(row));
    // Rendering and writing many records takes a while: on a worker, the view stays live (a
    // fetch meanwhile changes the model, not the copy being written).
    m_exporting = true;
    m_commands->updateEnabled();
    whenFinished(
        QtConcurrent::run([path, format, plaintext, records = std::move(records)] {
            return writeRecordsFile(path, format,
                                    plaintext ? Plaintext::Revealed : Plaintext::Masked, records);
        }),
        this, [this, path](const Result<qint64> &written) {
            m_exporting = false;
            m_commands->updateEnabled();
            if (!written) {
                showMessage(tr("The records could not be exported to %1: %2")
                                .arg(path, written.error().message),
                            true);
                Q_EMIT exportFinished({});
                return;
            }
            showMessage(
                tr("Exported %1 to %2.").arg(counted(*written, tr("record"), tr("records")), path),
                false);
            Q_EMIT exportFinished(path);
        });
}

void RecordsView::showMessage(const QString &text, bool error)
{
    m_messageText->setText(displaySafe(text, LineBreaks::Keep));
    m_messageBar->setProperty("error", error);
    m_messageBar->setStyleSheet(error ? QStringLiteral("background: #fde7e9; color: #8a0015;")
                                      : QStringLiteral("background: #e8f0fe; color: #1a3e72;"));
    m_messageBar->show();
}

void RecordsView::hideMessage()
{
    m_messageBar->hide();
    m_messageText->clear();
}

} // namespace kw::records
