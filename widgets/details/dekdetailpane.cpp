#include "widgets/details/dekdetailpane.h"

#include "core/domain/clock.h"
#include "core/domain/futurewatch.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/kekusage.h"
#include "core/registry/schemaregistryclient.h"
#include "widgets/details/detailwidgets.h"

#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace kw {

DekDetailPane::DekDetailPane(QWidget *parent)
    : QWidget(parent)
    , m_clock(&Clock::system())
    , m_busy(details::makeBusyBar(QStringLiteral("dekDetailBusy"), this))
    , m_message(new details::PaneMessageBar(QStringLiteral("dekDetailMessage"), this))
    , m_load(m_busy, m_message)
    , m_stack(new QStackedWidget(this))
    , m_placeholder(new QLabel(tr("Select a DEK version to see its details."), this))
{
    const details::PaneFrame frame = details::buildPaneFrame(
        this, QStringLiteral("dekDetail"), m_busy, m_message, m_stack, m_placeholder);
    QVBoxLayout *column = frame.column;
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    column->addLayout(form);
    column->addStretch(1);
    m_kek = details::addFormRow(form, tr("&KEK:"), QStringLiteral("dekKek"));
    m_subject = details::addFormRow(form, tr("&Subject:"), QStringLiteral("dekSubject"));
    m_version = details::addFormRow(form, tr("&Version:"), QStringLiteral("dekVersion"));
    m_algorithm = details::addFormRow(form, tr("&Algorithm:"), QStringLiteral("dekAlgorithm"));
    m_created = details::addFormRow(form, tr("&Created:"), QStringLiteral("dekCreated"));
    m_age = details::addFormRow(form, tr("A&ge:"), QStringLiteral("dekAge"));
    m_deleted = details::addFormRow(form, tr("De&leted:"), QStringLiteral("dekDeleted"));
    m_fingerprint = details::addFormRow(form, tr("&Fingerprint (SHA-256 of wrapped key):"),
                                        QStringLiteral("dekFingerprint"));
    m_fingerprint->setFont(QFont(QStringLiteral("monospace")));
    m_expiry = details::addFormRow(form, tr("Rotation &period:"), QStringLiteral("dekExpiry"));
    m_due = details::addFormRow(form, tr("Rotation &due:"), QStringLiteral("dekRotationDue"));
    m_encryptions =
        details::addFormRow(form, tr("E&ncryptions (census):"), QStringLiteral("dekEncryptions"));

    connect(m_message, &details::PaneMessageBar::retryRequested, this, [this] {
        if (!m_request.kekName.isEmpty()) {
            const Request r = m_request;
            showDek(r.kekName, r.subject, r.version, r.algorithm, r.includeDeleted);
        }
    });
}

DekDetailPane::~DekDetailPane() = default;

void DekDetailPane::setClients(std::shared_ptr<registry::DekRegistryClient> keys,
                               std::shared_ptr<registry::SchemaRegistryClient> schemas)
{
    m_keys = std::move(keys);
    m_schemas = std::move(schemas);
    clear();
}

void DekDetailPane::setClock(const Clock *clock)
{
    m_clock = clock ? clock : &Clock::system();
}

void DekDetailPane::clear()
{
    m_load.reset(); // answers still on their way belong to no selection now
    m_request = {};
    resetFields();
    m_stack->setCurrentWidget(m_placeholder);
}

void DekDetailPane::resetFields()
{
    m_dekTs = -1;
    m_expiryDays = -1;
    m_shownVersion = -1;
    m_shownAlgorithm.clear();
    m_expirySource.clear();
    for (QLabel *label : {m_kek, m_subject, m_version, m_algorithm, m_created, m_age, m_deleted,
                          m_fingerprint, m_expiry, m_due, m_encryptions}) {
        label->clear();
        label->setToolTip({});
    }
    m_due->setProperty("overdue", false);
    m_due->setFont(QFont());
    m_due->setPalette(QPalette());
}

void DekDetailPane::showDek(const QString &kekName, const QString &subject, int version,
                            const QString &algorithm, bool includeDeleted)
{
    clear();
    m_request = {kekName, subject, version, algorithm, includeDeleted};
    m_stack->setCurrentIndex(1);
    details::setValueText(m_kek, kekName);
    details::setValueText(m_subject, subject);
    m_version->setText(version < 0 ? tr("latest") : QString::number(version));
    if (!m_keys || !m_schemas) {
        m_load.addError(
            tr("DEK '%1' of KEK '%2' cannot be loaded: no registry connection is set up. "
               "Connect to a registry first.")
                .arg(subject, kekName));
        return;
    }
    const quint64 job = m_load.begin(2);
    m_expiry->setText(tr("loading…"));

    kw::whenFinished(
        m_keys->getDekVersion(kekName, subject, version, algorithm, includeDeleted), this,
        [this, job](const Result<registry::Dek> &dek) {
            if (!m_load.isCurrent(job))
                return;
            m_load.settle(job);
            if (!dek) {
                m_load.addError(tr("Could not load DEK '%1' version %2 of KEK '%3': %4")
                                    .arg(m_request.subject, m_version->text(), m_request.kekName,
                                         dek.error().message));
                m_due->setText(tr("unknown"));
                return;
            }
            m_version->setText(QString::number(dek->version));
            details::setValueText(m_algorithm, dek->algorithm);
            details::setTimestamp(m_created, dek->ts);
            const int age = registry::ageInDays(dek->ts, m_clock->nowMs());
            m_age->setText(details::dayCount(age));
            m_deleted->setText(dek->deleted ? tr("yes (soft-deleted)") : tr("no"));
            // Only the wrapped material identifies the key safely; a shared KEK's DEK
            // also carries plaintext keyMaterial, which is never shown nor hashed
            // here.
            const QString fingerprint = registry::keyMaterialFingerprint(dek->encryptedKeyMaterial);
            m_fingerprint->setText(fingerprint.isEmpty() ? tr("(no wrapped key material)")
                                                         : fingerprint);
            m_dekTs = dek->ts;
            m_shownVersion = dek->version;
            m_shownAlgorithm = dek->algorithm;
            updateRotation();
            updateCensus();
        });

    // Latest versions only: the rules clients follow now decide when the DEK must rotate.
    registry::SchemaListOptions options;
    options.latestOnly = true;
    kw::whenFinished(
        m_schemas->schemas(options), this,
        [this, job](const Result<QList<registry::Schema>> &schemas) {
            if (!m_load.isCurrent(job))
                return;
            m_load.settle(job);
            if (!schemas) {
                m_expiry->setText(tr("unknown"));
                m_load.addError(
                    tr("Could not read the schema rules for DEK '%1': %2. The rotation due "
                       "date is unknown.")
                        .arg(m_request.subject, schemas.error().message));
                return;
            }
            const registry::ExpirySource source =
                registry::dekExpiry(*schemas, m_request.kekName, m_request.subject);
            m_expiryDays = source.days;
            if (source.subject.isEmpty()) {
                m_expirySource.clear();
            } else {
                m_expirySource = displaySafe(tr("rule '%1' in %2 version %3")
                                                 .arg(source.ruleName, source.subject)
                                                 .arg(source.version));
            }
            updateRotation();
        });
}

void DekDetailPane::setCensus(std::shared_ptr<const census::Tally> tally,
                              const census::Policy &policy)
{
    m_census = std::move(tally);
    m_policy = policy;
    updateCensus();
}

void DekDetailPane::updateCensus()
{
    if (m_shownVersion < 0)
        return;
    if (!m_census || m_census->isEmpty()) {
        m_encryptions->setText(tr("no census yet (Rotation tab: Run census)"));
        return;
    }
    const census::DekVersionKey key{m_request.kekName, m_request.subject, m_shownAlgorithm,
                                    m_shownVersion};
    const auto it = m_census->dekVersions().constFind(key);
    if (it == m_census->dekVersions().cend()) {
        m_encryptions->setText(tr("none seen in the topics counted"));
        return;
    }
    const QLocale locale;
    const double limit = m_policy.limitFor(m_shownAlgorithm);
    QStringList topics;
    for (auto t = it->topics.cbegin(); t != it->topics.cend(); ++t)
        topics.append(QStringLiteral("%1 (%2)").arg(t.key(), locale.toString(t.value())));
    m_encryptions->setText(
        tr("%1 in %2 records, %3% of the limit of %4; first seen %5, last seen %6")
            .arg(locale.toString(it->encryptions), locale.toString(it->records))
            .arg(double(it->encryptions) * 100.0 / limit, 0, 'g', 3)
            .arg(locale.toString(limit, 'g', 4))
            .arg(it->first.timestampMs >= 0 ? details::localDateTime(it->first.timestampMs)
                                            : tr("unknown"),
                 it->last.timestampMs >= 0 ? details::localDateTime(it->last.timestampMs)
                                           : tr("unknown")));
    m_encryptions->setToolTip(tr("Per topic: %1").arg(topics.join(QStringLiteral(", "))) +
                              (it->unprefixed > 0
                                   ? tr("\n%1 values carry no version prefix (the rule does not "
                                        "rotate): counted against version 1.")
                                         .arg(locale.toString(it->unprefixed))
                                   : QString()));
}

void DekDetailPane::updateRotation()
{
    if (m_expiryDays < 0)
        return;
    if (m_expiryDays == 0) {
        m_expiry->setText(
            m_expirySource.isEmpty()
                ? tr("not set (no rule sets encrypt.dek.expiry.days)")
                : tr("not set (%1 sets no encrypt.dek.expiry.days)").arg(m_expirySource));
        m_due->setText(tr("no rotation required"));
        return;
    }
    m_expiry->setText(tr("%1, from %2").arg(details::dayCount(m_expiryDays), m_expirySource));
    if (m_dekTs < 0)
        return;
    const qint64 due = registry::rotationDueMs(m_dekTs, m_expiryDays);
    if (due <= 0) {
        m_due->setText(tr("unknown (the DEK has no creation time)"));
        return;
    }
    const qint64 now = m_clock->nowMs();
    const bool overdue = now >= due;
    const QString when = details::localDateTime(due);
    m_due->setToolTip(details::isoUtc(due));
    m_due->setProperty("overdue", overdue);
    if (overdue) {
        const int days = registry::ageInDays(due, now);
        m_due->setText(
            tr("OVERDUE since %1 (%2 ago): rotate this DEK").arg(when, details::dayCount(days)));
        QFont bold = m_due->font();
        bold.setBold(true);
        m_due->setFont(bold);
        QPalette pal = m_due->palette();
        pal.setColor(QPalette::WindowText, QColor(200, 30, 30));
        m_due->setPalette(pal);
    } else {
        const int days = registry::ageInDays(now, due);
        m_due->setText(days == 0 ? tr("%1 (today)").arg(when)
                                 : tr("%1 (in %2)").arg(when, details::dayCount(days)));
        m_due->setFont(QFont());
        m_due->setPalette(QPalette());
    }
}

} // namespace kw
