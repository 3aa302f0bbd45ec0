#include "widgets/details/kekdetailpane.h"

#include "core/domain/futurewatch.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/kekusage.h"
#include "core/registry/schemaregistryclient.h"
#include "widgets/details/detailwidgets.h"

#include <QDateTime>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QScrollArea>
#include <QSet>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace kw {

using details::setCell;

namespace {
enum UsageColumn
{
    UsageSubject,
    UsageVersion,
    UsageRule,
    UsageType,
    UsageMode,
    UsageExpiry,
    UsageState,
    UsageColumnCount
};
} // namespace

KekDetailPane::KekDetailPane(QWidget *parent)
    : QWidget(parent)
    , m_busy(details::makeBusyBar(QStringLiteral("kekDetailBusy"), this))
    , m_message(new details::PaneMessageBar(QStringLiteral("kekDetailMessage"), this))
    , m_load(m_busy, m_message)
    , m_stack(new QStackedWidget(this))
    , m_placeholder(new QLabel(tr("Select a KEK to see its details."), this))
{
    const details::PaneFrame frame = details::buildPaneFrame(
        this, QStringLiteral("kekDetail"), m_busy, m_message, m_stack, m_placeholder);
    QWidget *content = frame.content;
    QVBoxLayout *column = frame.column;
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    column->addLayout(form);
    // The form's labels are parented when the layout is installed; create rows afterwards.
    m_name = details::addFormRow(form, tr("&Name:"), QStringLiteral("kekName"));
    m_kmsType = details::addFormRow(form, tr("KMS &type:"), QStringLiteral("kekKmsType"));
    m_kmsKeyId = details::addFormRow(form, tr("KMS &key id:"), QStringLiteral("kekKmsKeyId"));
    m_keyState = details::addFormRow(form, tr("KMS key s&tate:"), QStringLiteral("kekKeyState"));
    m_keyRotation =
        details::addFormRow(form, tr("KMS key &rotation:"), QStringLiteral("kekKeyRotation"));
    m_doc = details::addFormRow(form, tr("&Doc:"), QStringLiteral("kekDoc"));
    m_shared = details::addFormRow(form, tr("&Shared:"), QStringLiteral("kekShared"));
    m_deleted = details::addFormRow(form, tr("De&leted:"), QStringLiteral("kekDeleted"));
    m_created = details::addFormRow(form, tr("&Updated:"), QStringLiteral("kekTimestamp"));
    m_dekSubjects =
        details::addFormRow(form, tr("DEK s&ubjects:"), QStringLiteral("kekDekSubjectCount"));
    m_encryptions =
        details::addFormRow(form, tr("E&ncryptions (census):"), QStringLiteral("kekEncryptions"));

    column->addWidget(details::makeHeading(tr("KMS properties"), content));
    m_kmsProps =
        details::makeTable(QStringLiteral("kekKmsProps"), {tr("Property"), tr("Value")}, content);
    column->addWidget(m_kmsProps);

    column->addWidget(details::makeHeading(tr("Schemas whose rules name this KEK"), content));
    m_usageSummary = details::makeValueLabel(QStringLiteral("kekUsageSummary"), content);
    column->addWidget(m_usageSummary);
    m_usage = details::makeTable(QStringLiteral("kekSchemaUsage"),
                                 {tr("Subject"), tr("Version"), tr("Rule"), tr("Type"), tr("Mode"),
                                  tr("Expiry (days)"), tr("State")},
                                 content);
    m_usage->setToolTip(tr("Double-click or press Enter to open the schema version."));
    m_usage->setMinimumHeight(160);
    column->addWidget(m_usage, 1);

    // activated covers double-click and Enter/Return, whatever the platform's click policy.
    connect(m_usage, &QTableWidget::activated, this, [this](const QModelIndex &index) {
        const QTableWidgetItem *item = m_usage->item(index.row(), UsageSubject);
        if (item)
            Q_EMIT schemaActivated(item->data(details::RawTextRole).toString(),
                                   item->data(Qt::UserRole).toInt());
    });
    connect(m_message, &details::PaneMessageBar::retryRequested, this, [this] {
        if (!m_kekName.isEmpty())
            showKek(m_kekName, m_includeDeleted);
    });
}

KekDetailPane::~KekDetailPane() = default;

void KekDetailPane::setClients(std::shared_ptr<registry::DekRegistryClient> keys,
                               std::shared_ptr<registry::SchemaRegistryClient> schemas)
{
    m_keys = std::move(keys);
    m_schemas = std::move(schemas);
    clear();
}

void KekDetailPane::setKeyStateSource(KeyStateSource source)
{
    m_keyStateSource = std::move(source);
}

void KekDetailPane::showKeyState(const Result<kms::KmsKeyState> &state)
{
    m_keyState->setStyleSheet({});
    if (!state) {
        details::setValueText(m_keyState, tr("unknown: %1").arg(state.error().message));
        m_keyRotation->setText(tr("unknown"));
        return;
    }
    QString text = state->summary();
    if (!state->currentVersion.isEmpty())
        text += tr(" · current version %1").arg(state->currentVersion);
    if (state->isRevoked()) {
        text += tr(" — its DEKs cannot be unwrapped by anyone while this lasts");
        if (state->status == kms::KmsKeyState::Status::PendingDeletion)
            text = state->summary() + tr(" — once deleted, its DEKs are lost for good");
        m_keyState->setStyleSheet(QStringLiteral("font-weight: bold"));
    }
    details::setValueText(m_keyState, text);
    m_keyState->setToolTip(details::plainToolTip(
        (QStringList{state->keyName} + state->notes).join(QLatin1Char('\n')).trimmed()));

    const auto day = [](qint64 ms) {
        return QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(QStringLiteral("yyyy-MM-dd"));
    };
    QStringList rotation;
    if (!state->autoRotation) {
        rotation.append(tr("not reported by the KMS"));
    } else if (*state->autoRotation) {
        rotation.append(state->rotationPeriodDays > 0
                            ? tr("automatic, every %1 days").arg(state->rotationPeriodDays)
                            : tr("automatic"));
    } else {
        rotation.append(tr("off (rotate in the KMS by hand)"));
    }
    if (state->lastRotationMs > 0)
        rotation.append(tr("last %1").arg(day(state->lastRotationMs)));
    if (state->nextRotationMs > 0)
        rotation.append(tr("next %1").arg(day(state->nextRotationMs)));
    m_keyRotation->setText(rotation.join(QStringLiteral("; ")));
}

void KekDetailPane::clear()
{
    m_load.reset(); // answers still on their way belong to no selection now
    m_kekName.clear();
    resetFields();
    m_stack->setCurrentWidget(m_placeholder);
}

void KekDetailPane::resetFields()
{
    for (QLabel *label : {m_name, m_kmsType, m_kmsKeyId, m_keyState, m_keyRotation, m_doc, m_shared,
                          m_deleted, m_created, m_dekSubjects, m_encryptions, m_usageSummary}) {
        label->clear();
        label->setToolTip({});
    }
    m_keyState->setStyleSheet({});
    m_kmsProps->setRowCount(0);
    m_usage->setRowCount(0);
}

void KekDetailPane::setCensus(std::shared_ptr<const census::Tally> tally)
{
    m_census = std::move(tally);
    updateCensus();
}

void KekDetailPane::updateCensus()
{
    if (m_kekName.isEmpty())
        return;
    if (!m_census || m_census->isEmpty()) {
        m_encryptions->setText(tr("no census yet (Rotation tab: Run census)"));
        return;
    }
    qint64 encryptions = 0, records = 0;
    QSet<QString> deks;
    QSet<QString> topics;
    for (auto it = m_census->dekVersions().cbegin(); it != m_census->dekVersions().cend(); ++it) {
        if (it.key().kek != m_kekName)
            continue;
        encryptions += it->encryptions;
        records += it->records;
        deks.insert(it.key().subject);
        for (auto t = it->topics.cbegin(); t != it->topics.cend(); ++t)
            topics.insert(t.key());
    }
    const QLocale locale;
    m_encryptions->setText(encryptions == 0 ? tr("none seen in the topics counted")
                                            : tr("%1 by %2 DEK subjects in %3 topics (%4 records)")
                                                  .arg(locale.toString(encryptions))
                                                  .arg(deks.size())
                                                  .arg(topics.size())
                                                  .arg(locale.toString(records)));
    QStringList names(topics.cbegin(), topics.cend());
    names.sort();
    m_encryptions->setToolTip(names.join(QStringLiteral(", ")));
}

void KekDetailPane::showKek(const QString &kekName, bool includeDeleted)
{
    clear();
    m_kekName = kekName;
    m_includeDeleted = includeDeleted;
    m_stack->setCurrentIndex(1);
    details::setValueText(m_name, kekName);
    updateCensus();
    if (!m_keys || !m_schemas) {
        m_load.addError(
            tr("KEK '%1' cannot be loaded: no registry connection is set up. Connect to a "
               "registry first.")
                .arg(kekName));
        return;
    }
    const quint64 job = m_load.begin(3);
    const QString loading = tr("loading…");
    m_dekSubjects->setText(loading);
    m_usageSummary->setText(loading);

    kw::whenFinished(
        m_keys->getKek(kekName, includeDeleted), this,
        [this, job](const Result<registry::Kek> &kek) {
            if (!m_load.isCurrent(job))
                return;
            m_load.settle(job);
            if (!kek) {
                m_load.addError(
                    tr("Could not load KEK '%1': %2").arg(m_kekName, kek.error().message));
                return;
            }
            details::setValueText(m_name, kek->name);
            details::setValueText(m_kmsType, kek->kmsType);
            details::setValueText(m_kmsKeyId, kek->kmsKeyId);
            details::setValueText(m_doc, kek->doc.isEmpty() ? tr("(none)") : kek->doc,
                                  LineBreaks::Keep);
            m_shared->setText(kek->shared ? tr("yes: the registry can unwrap its DEKs") : tr("no"));
            m_deleted->setText(kek->deleted ? tr("yes (soft-deleted)") : tr("no"));
            details::setTimestamp(m_created, kek->ts);
            m_kmsProps->setRowCount(int(kek->kmsProps.size()));
            int row = 0;
            for (auto it = kek->kmsProps.cbegin(); it != kek->kmsProps.cend(); ++it, ++row) {
                setCell(m_kmsProps, row, 0, it.key());
                setCell(m_kmsProps, row, 1, it.value());
            }
            m_kmsProps->resizeColumnToContents(0);
            if (!m_keyStateSource) {
                m_keyState->setText(tr("unknown: no connection to ask the KMS with"));
                return;
            }
            // Not counted by the load tracker: a slow KMS never holds up the rest of the pane.
            m_keyState->setText(tr("asking the KMS…"));
            kw::whenFinished(m_keyStateSource(*kek), this,
                             [this, job](const Result<kms::KmsKeyState> &state) {
                                 if (m_load.isCurrent(job))
                                     showKeyState(state);
                             });
        });

    kw::whenFinished(m_keys->listAllDekSubjects(kekName, 1000, includeDeleted), this,
                     [this, job](const Result<QStringList> &subjects) {
                         if (!m_load.isCurrent(job))
                             return;
                         m_load.settle(job);
                         if (!subjects) {
                             m_dekSubjects->setText(tr("unavailable"));
                             m_load.addError(tr("Could not count the DEK subjects of KEK '%1': %2")
                                                 .arg(m_kekName, subjects.error().message));
                             return;
                         }
                         m_dekSubjects->setText(QString::number(subjects->size()));
                         QStringList shown;
                         for (const QString &subject : *subjects)
                             shown.append(displaySafe(subject));
                         m_dekSubjects->setToolTip(
                             details::plainToolTip(shown.join(QLatin1Char('\n'))));
                     });

    registry::SchemaListOptions options;
    options.deleted = includeDeleted;
    kw::whenFinished(
        m_schemas->schemas(options), this,
        [this, job](const Result<QList<registry::Schema>> &schemas) {
            if (!m_load.isCurrent(job))
                return;
            m_load.settle(job);
            if (!schemas) {
                m_usageSummary->setText(tr("unavailable"));
                m_load.addError(tr("Could not list the schemas that use KEK '%1': %2")
                                    .arg(m_kekName, schemas.error().message));
                return;
            }
            const QList<registry::KekUsage> usages = registry::kekUsages(*schemas, m_kekName);
            QStringList subjects;
            for (const registry::KekUsage &u : usages)
                if (!subjects.contains(u.subject))
                    subjects.append(u.subject);
            m_usageSummary->setText(usages.isEmpty() ? tr("No schema rule names this KEK.")
                                                     : tr("%1 rule use(s) in %2 subject(s).")
                                                           .arg(usages.size())
                                                           .arg(subjects.size()));
            m_usage->setRowCount(int(usages.size()));
            for (int row = 0; row < usages.size(); ++row) {
                const registry::KekUsage &u = usages.at(row);
                setCell(m_usage, row, UsageSubject, u.subject, u.version);
                setCell(m_usage, row, UsageVersion, QString::number(u.version));
                setCell(m_usage, row, UsageRule, u.ruleName);
                setCell(m_usage, row, UsageType, u.ruleType);
                setCell(m_usage, row, UsageMode, u.mode);
                setCell(m_usage, row, UsageExpiry,
                        u.expiryDays > 0 ? QString::number(u.expiryDays) : tr("none"));
                setCell(m_usage, row, UsageState, u.disabled ? tr("disabled") : tr("enabled"));
            }
            m_usage->resizeColumnsToContents();
        });
}

} // namespace kw
