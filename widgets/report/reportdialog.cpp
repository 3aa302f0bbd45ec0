#include "widgets/report/reportdialog.h"

#include "core/audit/auditexport.h"
#include "core/audit/auditlog.h"
#include "core/crypto/signing.h"
#include "core/domain/futurewatch.h"
#include "core/services/reportkey.h"
#include "core/services/secretstore.h"
#include "widgets/report/reportrender.h"
#include "widgets/rotation/policydialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateEdit>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QUrl>
#include <QVBoxLayout>

namespace kw::reportui {

namespace {

constexpr qint64 DayMs = 86'400'000;

struct FormatChoice
{
    const char *label;
    const char *suffix;
    report::SealFormat format;
};

const FormatChoice Formats[] = {
    {QT_TRANSLATE_NOOP("kw::reportui::ReportDialog", "PDF document"), "pdf",
     report::SealFormat::Pdf},
    {QT_TRANSLATE_NOOP("kw::reportui::ReportDialog", "HTML page (self-contained)"), "html",
     report::SealFormat::Html},
    {QT_TRANSLATE_NOOP("kw::reportui::ReportDialog", "CSV: the DEK inventory, one row per version"),
     "csv", report::SealFormat::Csv},
    {QT_TRANSLATE_NOOP("kw::reportui::ReportDialog", "JSON: everything"), "json",
     report::SealFormat::Json},
};

qint64 startOfDayUtc(const QDate &date)
{
    return QDate(1970, 1, 1).daysTo(date) * DayMs;
}

QString policyText(const census::Policy &p)
{
    return QCoreApplication::translate("kw::reportui::ReportDialog",
                                       "DEK cryptoperiod %1 days, maximum age %2 days, due soon "
                                       "within %3 days, warn at %4% of the invocation limit")
        .arg(p.dekCryptoperiodDays)
        .arg(p.dekMaxAgeDays)
        .arg(p.dueSoonDays)
        .arg(p.limitWarnShare * 100, 0, 'g', 3);
}

} // namespace

ReportDialog::ReportDialog(services::ReportSources sources, services::ReportOptions options,
                           AuditLogGetter auditLog, std::shared_ptr<profiles::SecretStore> keys,
                           QWidget *parent)
    : QDialog(parent)
    , m_sources(std::move(sources))
    , m_options(std::move(options))
    , m_auditLog(std::move(auditLog))
    , m_keys(std::move(keys))
{
    setObjectName(QStringLiteral("reportDialog"));
    setWindowTitle(tr("Export compliance report"));

    auto *intro = new QLabel(
        tr("A report of <b>%1</b> for auditors: the key inventory, rotation schedule, encryption "
           "counts, workflows, audited actions and certificates, mapped to PCI DSS, SOC 2 and "
           "ISO/IEC 27001 clauses. It is signed with this installation's report key.")
            .arg(m_sources.estate.toHtmlEscaped()),
        this);
    intro->setWordWrap(true);

    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("reportFormat"));
    for (const FormatChoice &f : Formats)
        m_format->addItem(tr(f.label), QString::fromLatin1(f.suffix));

    m_wholeHistory = new QCheckBox(tr("Whole history"), this);
    m_wholeHistory->setObjectName(QStringLiteral("reportWholeHistory"));
    m_wholeHistory->setChecked(true);
    m_since = new QDateEdit(this);
    m_since->setObjectName(QStringLiteral("reportSince"));
    m_until = new QDateEdit(this);
    m_until->setObjectName(QStringLiteral("reportUntil"));
    const QDate today = QDateTime::currentDateTimeUtc().date();
    for (QDateEdit *edit : {m_since, m_until}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setEnabled(false);
    }
    m_since->setDate(today.addDays(-365));
    m_until->setDate(today);
    connect(m_wholeHistory, &QCheckBox::toggled, this, [this](bool whole) {
        m_since->setEnabled(!whole);
        m_until->setEnabled(!whole);
    });
    auto *period = new QHBoxLayout;
    period->addWidget(m_wholeHistory);
    period->addWidget(new QLabel(tr("from"), this));
    period->addWidget(m_since);
    period->addWidget(new QLabel(tr("to"), this));
    period->addWidget(m_until);
    period->addWidget(new QLabel(tr("(UTC; workflows and audited actions)"), this));
    period->addStretch();

    m_policy = new QLabel(policyText(m_options.policy), this);
    m_policy->setObjectName(QStringLiteral("reportPolicy"));
    m_policy->setWordWrap(true);
    auto *changePolicy = new QPushButton(tr("Change…"), this);
    changePolicy->setObjectName(QStringLiteral("reportChangePolicy"));
    connect(changePolicy, &QPushButton::clicked, this, &ReportDialog::loadPolicy);
    auto *policy = new QHBoxLayout;
    policy->addWidget(m_policy, 1);
    policy->addWidget(changePolicy);

    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("reportPath"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    browse->setObjectName(QStringLiteral("reportBrowse"));
    connect(browse, &QPushButton::clicked, this, &ReportDialog::browse);
    auto *where = new QHBoxLayout;
    where->addWidget(m_path, 1);
    where->addWidget(browse);
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    m_path->setText(QDir(documents.isEmpty() ? QDir::homePath() : documents)
                        .filePath(QStringLiteral("keywarden-report-%1.pdf")
                                      .arg(today.toString(QStringLiteral("yyyy-MM-dd")))));
    connect(m_format, &QComboBox::currentIndexChanged, this, &ReportDialog::formatChanged);

    m_certificates =
        new QCheckBox(tr("Read the TLS certificates of the registry and the brokers"), this);
    m_certificates->setObjectName(QStringLiteral("reportCertificates"));
    m_certificates->setChecked(m_options.readCertificates);
    m_open = new QCheckBox(tr("Open the report when it is written"), this);
    m_open->setObjectName(QStringLiteral("reportOpen"));
    m_open->setChecked(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Format:"), m_format);
    form->addRow(tr("Period:"), period);
    form->addRow(tr("Policy:"), policy);
    form->addRow(tr("Save to:"), where);
    form->addRow(QString(), m_certificates);
    form->addRow(QString(), m_open);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("reportProgress"));
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("reportStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_generate = m_buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_generate->setObjectName(QStringLiteral("reportGenerate"));
    m_generate->setDefault(true);
    connect(m_generate, &QPushButton::clicked, this, &ReportDialog::generate);
    connect(m_buttons, &QDialogButtonBox::rejected, this, [this] {
        if (m_busy) { // Cancel stops the report; a second Cancel closes
            m_job.reset();
            setBusy(false);
            m_status->setText(tr("Cancelled: nothing was written."));
            return;
        }
        reject();
    });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addStretch();
    layout->addWidget(m_buttons);
    resize(760, sizeHint().height() + 24);
}

ReportDialog::~ReportDialog() = default;

void ReportDialog::setPath(const QString &path)
{
    m_path->setText(path);
}

QString ReportDialog::path() const
{
    return m_path->text().trimmed();
}

bool ReportDialog::isBusy() const
{
    return m_busy;
}

QString ReportDialog::outcome() const
{
    return m_outcome;
}

void ReportDialog::setOpenWhenDone(bool open)
{
    m_open->setChecked(open);
}

void ReportDialog::formatChanged()
{
    const QString suffix = m_format->currentData().toString();
    const QFileInfo info(path());
    if (!path().isEmpty())
        m_path->setText(info.dir().filePath(info.completeBaseName() + QLatin1Char('.') + suffix));
}

void ReportDialog::browse()
{
    const QString suffix = m_format->currentData().toString();
    auto *dialog = new QFileDialog(this, tr("Save the compliance report"), path(),
                                   tr("%1 (*.%2)").arg(m_format->currentText(), suffix));
    dialog->setObjectName(QStringLiteral("reportSaveDialog"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(suffix);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, &ReportDialog::setPath);
    dialog->open();
}

void ReportDialog::loadPolicy()
{
    auto *dialog = new rotation::PolicyDialog(m_options.policy, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_options.policy = dialog->policy();
        m_policy->setText(policyText(m_options.policy));
    });
    dialog->open();
}

void ReportDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_generate->setEnabled(!busy);
    m_progress->setVisible(busy);
    for (QWidget *w :
         std::initializer_list<QWidget *>{m_format, m_wholeHistory, m_path, m_certificates})
        w->setEnabled(!busy);
    m_since->setEnabled(!busy && !m_wholeHistory->isChecked());
    m_until->setEnabled(!busy && !m_wholeHistory->isChecked());
}

void ReportDialog::fail(const QString &message)
{
    setBusy(false);
    m_outcome = message;
    m_status->setText(message);
    Q_EMIT finished(QString(), message);
}

void ReportDialog::generate()
{
    if (m_busy)
        return;
    if (path().isEmpty()) {
        m_status->setText(tr("Choose where to save the report."));
        return;
    }
    const std::shared_ptr<audit::AuditLog> log = m_auditLog ? m_auditLog() : nullptr;
    if (!log) {
        m_status->setText(tr("The audit log is not open yet, and writing a report is audited: "
                             "try again in a moment."));
        return;
    }
    services::ReportOptions options = m_options;
    if (!m_wholeHistory->isChecked()) {
        options.sinceMs = startOfDayUtc(m_since->date());
        options.untilMs = startOfDayUtc(m_until->date()) + DayMs - 1;
        if (options.untilMs < options.sinceMs) {
            m_status->setText(tr("The period ends before it starts."));
            return;
        }
    }
    options.readCertificates = m_certificates->isChecked();
    if (log->fileExists()) {
        options.auditPath = log->path();
        options.chain = log->report();
        options.chainDescription = log->keyingDescription();
    } else {
        options.auditNote = tr("the audit log %1 has no entries yet").arg(log->path());
    }
    m_options.sinceMs = options.sinceMs;
    m_options.untilMs = options.untilMs;
    m_outcome.clear();
    setBusy(true);
    m_progress->setRange(0, 0);
    m_status->setText(tr("Collecting…"));
    auto *job = new ValueJob<report::ComplianceReport>(
        tr("Compliance report"), [sources = m_sources, options](JobContext &ctx) {
            return services::collectReport(sources, options, ctx);
        });
    connect(job, &Job::progressChanged, this,
            [this](const JobProgress &p) { m_status->setText(p.text); });
    connect(job, &Job::finished, this, [this, job] {
        if (job->result())
            collected(*job->result());
        else
            fail(tr("The report could not be made: %1").arg(job->error().message));
    });
    m_job.start(job);
}

void ReportDialog::collected(Result<report::ComplianceReport> result)
{
    if (!result) {
        fail(tr("The report could not be made: %1").arg(result.error().message));
        return;
    }
    m_status->setText(tr("Signing…"));
    whenFinished(
        report::ReportKey::loadOrCreate(m_keys), this,
        [this, r = std::move(*result)](Result<crypto::SecureBytes> seed) mutable {
            if (!seed) {
                fail(tr("The report-signing key lives in the system keychain, which "
                        "refused: %1")
                         .arg(seed.error().message));
                return;
            }
            auto publicKey = crypto::ed25519PublicKey(*seed);
            if (!publicKey) {
                fail(publicKey.error().message);
                return;
            }
            r.integrity.publicKeyPem = QString::fromLatin1(report::publicKeyPem(*publicKey));
            r.integrity.publicKeyFingerprint = crypto::keyFingerprint(*publicKey);
            const int index = m_format->currentIndex();
            const report::SealFormat format = Formats[index].format;
            m_status->setText(tr("Drawing the document…"));
            auto content = renderReport(r, format);
            if (!content) {
                fail(tr("The report could not be drawn: %1").arg(content.error().message));
                return;
            }
            const QString file = path();
            auto sha256 = report::saveSealed(file, format, *content,
                                             {r.audit.anchor.lastMac, r.audit.anchor.entries},
                                             *seed, QDateTime::currentMSecsSinceEpoch());
            if (!sha256) {
                fail(tr("The report could not be written: %1").arg(sha256.error().message));
                return;
            }
            const std::shared_ptr<audit::AuditLog> log = m_auditLog();
            audit::AuditEntry entry;
            entry.action = QStringLiteral("report.generate");
            entry.profile = r.cover.estate;
            entry.registryUrl = r.cover.registryUrl;
            entry.object = QStringLiteral("report:%1").arg(QFileInfo(file).absoluteFilePath());
            QJsonArray unavailable;
            for (auto it = r.unavailable.cbegin(); it != r.unavailable.cend(); ++it)
                unavailable.append(report::sectionId(it.key()));
            entry.details = {
                {QStringLiteral("format"), QString::fromLatin1(Formats[index].suffix)},
                {QStringLiteral("sha256"), *sha256},
                {QStringLiteral("keyFingerprint"), r.integrity.publicKeyFingerprint},
                {QStringLiteral("since"),
                 m_options.sinceMs > 0 ? audit::isoTime(m_options.sinceMs) : QString()},
                {QStringLiteral("until"),
                 m_options.untilMs > 0 ? audit::isoTime(m_options.untilMs) : QString()},
                {QStringLiteral("unavailable"), unavailable}};
            const QString done =
                tr("Wrote %1: SHA-256 %2, signed by report key %3.")
                    .arg(QDir::toNativeSeparators(file), *sha256, r.integrity.publicKeyFingerprint);
            whenFinished(log->append(entry), this,
                         [this, file, done](const Result<audit::AuditEntry> &written) {
                             setBusy(false);
                             if (!written) {
                                 fail(tr("%1 But its audit entry could not be written: "
                                         "%2")
                                          .arg(done, written.error().message));
                                 return;
                             }
                             m_outcome = done;
                             m_status->setText(done);
                             if (m_open->isChecked())
                                 QDesktopServices::openUrl(QUrl::fromLocalFile(file));
                             Q_EMIT finished(file, done);
                         });
        });
}

} // namespace kw::reportui
