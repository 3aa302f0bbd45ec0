#include "widgets/details/schemadetailpane.h"

#include "core/domain/futurewatch.h"
#include "core/registry/kekusage.h"
#include "core/registry/schemaregistryclient.h"
#include "models/details/ruletablemodel.h"
#include "widgets/details/detailwidgets.h"
#include "widgets/highlighting/schemahighlighter.h"

#include <QFontDatabase>
#include <QFormLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>

namespace kw {

using details::setCell;

namespace {

enum FieldColumn
{
    FieldPath,
    FieldFullName,
    FieldTags,
    FieldRules,
    FieldKek
};

QString prettySchemaText(const registry::Schema &schema)
{
    if (schema.schemaType == QLatin1String("PROTOBUF"))
        return schema.schema;
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(schema.schema.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || doc.isNull())
        return schema.schema; // shown as stored rather than hidden
    return QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
}

QString joined(const QJsonValue &value)
{
    QStringList parts;
    for (const QJsonValue &v : value.toArray())
        parts.append(v.toString());
    return parts.join(QStringLiteral(", "));
}

} // namespace

SchemaDetailPane::SchemaDetailPane(QWidget *parent)
    : QWidget(parent)
    , m_busy(details::makeBusyBar(QStringLiteral("schemaDetailBusy"), this))
    , m_message(new details::PaneMessageBar(QStringLiteral("schemaDetailMessage"), this))
    , m_load(m_busy, m_message)
    , m_stack(new QStackedWidget(this))
    , m_placeholder(new QLabel(tr("Select a schema version to see its details."), this))
    , m_rulesModel(new RuleTableModel(this))
{
    const details::PaneFrame frame = details::buildPaneFrame(
        this, QStringLiteral("schemaDetail"), m_busy, m_message, m_stack, m_placeholder);
    QWidget *content = frame.content;
    QVBoxLayout *column = frame.column;
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    column->addLayout(form);
    m_subjectLabel = details::addFormRow(form, tr("&Subject:"), QStringLiteral("schemaSubject"));
    m_version = details::addFormRow(form, tr("&Version:"), QStringLiteral("schemaVersion"));
    m_id = details::addFormRow(form, tr("&Id:"), QStringLiteral("schemaId"));
    m_guid = details::addFormRow(form, tr("&GUID:"), QStringLiteral("schemaGuid"));
    m_type = details::addFormRow(form, tr("&Type:"), QStringLiteral("schemaType"));
    m_deleted = details::addFormRow(form, tr("De&leted:"), QStringLiteral("schemaDeleted"));
    m_created = details::addFormRow(form, tr("&Registered:"), QStringLiteral("schemaTimestamp"));

    column->addWidget(details::makeHeading(tr("Schema"), content));
    m_text = new QPlainTextEdit(content);
    m_text->setObjectName(QStringLiteral("schemaText"));
    m_text->setReadOnly(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_text->setTabChangesFocus(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setMinimumHeight(200);
    SchemaHighlighting::attach(m_text->document(), palette());
    column->addWidget(m_text, 2);

    column->addWidget(details::makeHeading(tr("Rules"), content));
    m_rules = new QTableView(content);
    m_rules->setObjectName(QStringLiteral("schemaRules"));
    m_rules->setModel(m_rulesModel);
    m_rules->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_rules->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_rules->setTabKeyNavigation(false);
    m_rules->verticalHeader()->hide();
    m_rules->horizontalHeader()->setStretchLastSection(true);
    m_rules->setMinimumHeight(110);
    column->addWidget(m_rules, 1);

    column->addWidget(
        details::makeHeading(tr("Tagged fields and the KEKs that protect them"), content));
    m_fieldsSummary = details::makeValueLabel(QStringLiteral("schemaTaggedFieldsSummary"), content);
    column->addWidget(m_fieldsSummary);
    m_fields = details::makeTable(
        QStringLiteral("schemaTaggedFields"),
        {tr("Field"), tr("Full name"), tr("Tags"), tr("Rules"), tr("KEK")}, content);
    m_fields->setToolTip(tr("Double-click or press Enter to open the KEK."));
    column->addWidget(m_fields, 1);

    column->addWidget(details::makeHeading(tr("References"), content));
    m_references = details::makeTable(QStringLiteral("schemaReferences"),
                                      {tr("Name"), tr("Subject"), tr("Version")}, content);
    column->addWidget(m_references);

    column->addWidget(details::makeHeading(tr("Metadata"), content));
    m_properties = details::makeTable(QStringLiteral("schemaMetadataProperties"),
                                      {tr("Property"), tr("Value")}, content);
    column->addWidget(m_properties);
    m_metadataTags = details::makeTable(QStringLiteral("schemaMetadataTags"),
                                        {tr("Field pattern"), tr("Tags")}, content);
    column->addWidget(m_metadataTags);
    auto *sensitiveForm = new QFormLayout;
    column->addLayout(sensitiveForm);
    m_sensitive =
        details::addFormRow(sensitiveForm, tr("Se&nsitive:"), QStringLiteral("schemaSensitive"));

    // activated covers double-click and Enter/Return, whatever the platform's click policy.
    connect(m_fields, &QTableWidget::activated, this, [this](const QModelIndex &index) {
        const QTableWidgetItem *item = m_fields->item(index.row(), FieldKek);
        const QStringList keks = item ? item->data(Qt::UserRole).toStringList() : QStringList();
        if (!keks.isEmpty())
            Q_EMIT kekActivated(keks.constFirst());
    });
    connect(m_message, &details::PaneMessageBar::retryRequested, this, [this] {
        if (!m_subject.isEmpty())
            showSchema(m_subject, m_requestedVersion, m_includeDeleted);
    });
}

SchemaDetailPane::~SchemaDetailPane() = default;

void SchemaDetailPane::setClients(std::shared_ptr<registry::DekRegistryClient> keys,
                                  std::shared_ptr<registry::SchemaRegistryClient> schemas)
{
    m_keys = std::move(keys);
    m_schemas = std::move(schemas);
    clear();
}

void SchemaDetailPane::clear()
{
    m_load.reset(); // answers still on their way belong to no selection now
    m_subject.clear();
    resetFields();
    m_stack->setCurrentWidget(m_placeholder);
}

void SchemaDetailPane::resetFields()
{
    for (QLabel *label : {m_subjectLabel, m_version, m_id, m_guid, m_type, m_deleted, m_created,
                          m_fieldsSummary, m_sensitive}) {
        label->clear();
        label->setToolTip({});
    }
    m_text->clear();
    m_rulesModel->clear();
    for (QTableWidget *table : {m_fields, m_references, m_properties, m_metadataTags})
        table->setRowCount(0);
}

void SchemaDetailPane::showSchema(const QString &subject, int version, bool includeDeleted)
{
    clear();
    m_subject = subject;
    m_requestedVersion = version;
    m_includeDeleted = includeDeleted;
    m_stack->setCurrentIndex(1);
    details::setValueText(m_subjectLabel, subject);
    m_version->setText(version < 0 ? tr("latest") : QString::number(version));
    if (!m_schemas) {
        m_load.addError(
            tr("Schema '%1' cannot be loaded: no registry connection is set up. Connect to "
               "a registry first.")
                .arg(subject));
        return;
    }
    const quint64 job = m_load.begin(1);
    kw::whenFinished(m_schemas->version(subject, version, includeDeleted), this,
                     [this, job](const Result<registry::Schema> &schema) {
                         if (!m_load.isCurrent(job))
                             return;
                         if (!schema) {
                             m_load.setBusy(job, false);
                             m_load.addError(
                                 tr("Could not load schema '%1' version %2: %3")
                                     .arg(m_subject, m_version->text(), schema.error().message));
                             return;
                         }
                         showLoadedSchema(job, *schema);
                     });
}

void SchemaDetailPane::showLoadedSchema(quint64 job, const registry::Schema &schema)
{
    details::setValueText(m_subjectLabel, schema.subject.isEmpty() ? m_subject : schema.subject);
    m_version->setText(QString::number(schema.version));
    m_id->setText(QString::number(schema.id));
    details::setValueText(m_guid, schema.guid.isEmpty() ? tr("(not reported)") : schema.guid);
    details::setValueText(m_type, schema.schemaType);
    m_deleted->setText(schema.deleted ? tr("yes (soft-deleted)") : tr("no"));
    details::setTimestamp(m_created, schema.ts);
    // Escaped like every registry text; JSON escapes inside strings are left as they are.
    m_text->setPlainText(displaySafe(prettySchemaText(schema), LineBreaks::Keep));
    m_rulesModel->setRuleSet(schema.ruleSet);
    m_rules->resizeColumnsToContents();

    m_references->setRowCount(int(schema.references.size()));
    for (int row = 0; row < schema.references.size(); ++row) {
        const registry::SchemaReference &ref = schema.references.at(row);
        setCell(m_references, row, 0, ref.name);
        setCell(m_references, row, 1, ref.subject);
        setCell(m_references, row, 2, QString::number(ref.version));
    }

    const QJsonObject properties = schema.metadata.value(QStringLiteral("properties")).toObject();
    m_properties->setRowCount(int(properties.size()));
    int row = 0;
    for (auto it = properties.begin(); it != properties.end(); ++it, ++row) {
        setCell(m_properties, row, 0, it.key());
        setCell(m_properties, row, 1, it.value().toVariant().toString());
    }
    const QJsonObject tags = schema.metadata.value(QStringLiteral("tags")).toObject();
    m_metadataTags->setRowCount(int(tags.size()));
    row = 0;
    for (auto it = tags.begin(); it != tags.end(); ++it, ++row) {
        setCell(m_metadataTags, row, 0, it.key());
        setCell(m_metadataTags, row, 1, joined(it.value()));
    }
    const QString sensitive = joined(schema.metadata.value(QStringLiteral("sensitive")));
    details::setValueText(m_sensitive, sensitive.isEmpty() ? tr("(none)") : sensitive);

    m_fieldsSummary->setText(tr("analysing…"));
    fetchReferencesThenAnalyse(job, schema);
}

void SchemaDetailPane::fetchReferencesThenAnalyse(quint64 job, const registry::Schema &schema)
{
    if (schema.references.isEmpty()) {
        analyse(job, schema, {});
        return;
    }
    // Direct references only, each at the version it names (deleted ones still resolve, as for
    // old records); they are fetched in parallel and collected in reference order.
    struct Gather
    {
        QList<serde::NamedSchema> texts;
        int pending = 0;
        bool failed = false;
    };
    auto gather = std::make_shared<Gather>();
    gather->texts.resize(schema.references.size());
    gather->pending = int(schema.references.size());
    for (int i = 0; i < schema.references.size(); ++i) {
        const registry::SchemaReference ref = schema.references.at(i);
        kw::whenFinished(
            m_schemas->version(ref.subject, ref.version, true), this,
            [this, job, gather, i, ref, schema](const Result<registry::Schema> &r) {
                if (!m_load.isCurrent(job) || gather->failed)
                    return;
                if (!r) {
                    gather->failed = true;
                    m_load.setBusy(job, false);
                    m_fieldsSummary->setText(tr("unavailable"));
                    m_load.addError(
                        tr("Could not load reference '%1' (%2 version %3), so the tagged "
                           "fields are not shown: %4")
                            .arg(ref.name, ref.subject)
                            .arg(ref.version)
                            .arg(r.error().message));
                    return;
                }
                gather->texts[i] = {ref.name, r->schema};
                if (--gather->pending == 0)
                    analyse(job, schema, gather->texts);
            });
    }
}

void SchemaDetailPane::analyse(quint64 job, const registry::Schema &schema,
                               const QList<serde::NamedSchema> &references)
{
    // Parsing is CPU work of unbounded size (large schemas, many references): off the UI thread.
    kw::whenFinished(
        QtConcurrent::run(
            [schema, references] { return registry::taggedFieldKeys(schema, references); }),
        this, [this, job](const Result<QList<registry::TaggedFieldKeys>> &fields) {
            if (!m_load.isCurrent(job))
                return;
            m_load.setBusy(job, false);
            if (!fields) {
                details::setValueText(m_fieldsSummary, fields.error().message);
                return;
            }
            m_fieldsSummary->setText(fields->isEmpty()
                                         ? tr("No field carries a tag.")
                                         : tr("Tagged fields: %1.").arg(fields->size()));
            m_fields->setRowCount(int(fields->size()));
            for (int row = 0; row < fields->size(); ++row) {
                const registry::TaggedFieldKeys &f = fields->at(row);
                setCell(m_fields, row, FieldPath, f.path);
                setCell(m_fields, row, FieldFullName, f.fullName);
                setCell(m_fields, row, FieldTags, f.tags.join(QStringLiteral(", ")));
                setCell(m_fields, row, FieldRules, f.ruleNames.join(QStringLiteral(", ")));
                setCell(m_fields, row, FieldKek,
                        f.kekNames.isEmpty() ? tr("(not encrypted)")
                                             : f.kekNames.join(QStringLiteral(", ")),
                        f.kekNames);
            }
            m_fields->resizeColumnsToContents();
        });
}

} // namespace kw
