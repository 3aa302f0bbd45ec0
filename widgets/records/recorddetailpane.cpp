#include "widgets/records/recorddetailpane.h"

#include "core/domain/displaytext.h"
#include "models/records/recordpresentation.h"
#include "widgets/details/detailwidgets.h"
#include "widgets/highlighting/schemahighlighter.h"
#include "widgets/records/secretclipboard.h"

#include <QAction>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBlock>
#include <QVBoxLayout>

namespace kw::records {

namespace {

QPlainTextEdit *makeTextView(QPlainTextEdit *edit, const QString &name)
{
    edit->setObjectName(name);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return edit;
}

QTableWidget *makeTable(const QString &name, const QStringList &headers)
{
    auto *table = new QTableWidget;
    table->setObjectName(name);
    table->setColumnCount(int(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

// The role of a cell's text as the record had it; the cell shows it display-safe.
constexpr int RawTextRole = Qt::UserRole + 1;

// A cell showing `text` (and `toolTip`) with control characters escaped: field paths, KEK
// names, header keys and error messages come from records and servers.
QTableWidgetItem *item(const QString &text, const QString &toolTip = {})
{
    auto *cell = new QTableWidgetItem(displaySafe(text));
    cell->setData(RawTextRole, text);
    if (!toolTip.isEmpty())
        cell->setToolTip(details::plainToolTip(toolTip));
    return cell;
}

QString rawText(const QTableWidgetItem *cell)
{
    return cell ? cell->data(RawTextRole).toString() : QString();
}

// Masked values get a background, so the encrypted fields stand out in the JSON.
void markMasked(QPlainTextEdit *edit)
{
    QList<QTextEdit::ExtraSelection> selections;
    QTextCharFormat format;
    format.setBackground(edit->palette().color(QPalette::Highlight).lighter(170));
    const QString needle = QLatin1Char('"') + MaskText.toString() + QLatin1Char('"');
    QTextCursor cursor(edit->document());
    while (!(cursor = edit->document()->find(needle, cursor)).isNull())
        selections.append({cursor, format});
    edit->setExtraSelections(selections);
}

} // namespace

SecretTextEdit::SecretTextEdit(SecretClipboard *clipboard, QWidget *parent)
    : QPlainTextEdit(parent)
    , m_clipboard(clipboard)
{}

QMimeData *SecretTextEdit::createMimeDataFromSelection() const
{
    if (!m_secret)
        return QPlainTextEdit::createMimeDataFromSelection();
    const QString text =
        textCursor().selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n'));
    m_clipboard->armClear(text);
    return SecretClipboard::secretMimeData(text);
}

RecordDetailPane::RecordDetailPane(SecretClipboard *clipboard, QWidget *parent)
    : QWidget(parent)
    , m_clipboard(clipboard)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    m_failureLabel = new QLabel;
    m_failureLabel->setObjectName(QStringLiteral("recordFailureLabel"));
    m_failureLabel->setTextFormat(Qt::PlainText);
    m_failureLabel->setWordWrap(true);
    m_failureLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_failureLabel->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_failureLabel->hide();
    layout->addWidget(m_failureLabel);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("recordDetailTabs"));
    layout->addWidget(m_tabs, 1);

    // Decrypted: reveal bar, JSON, per-field outcomes.
    auto *decryptedPage = new QWidget;
    auto *decryptedLayout = new QVBoxLayout(decryptedPage);
    auto *revealBar = new QHBoxLayout;
    m_revealButton = new QPushButton(tr("Reveal"));
    m_revealButton->setObjectName(QStringLiteral("recordRevealButton"));
    m_revealButton->setToolTip(tr("Show the decrypted values of this record. Each reveal is "
                                  "written to the audit log."));
    m_revealHint = new QLabel;
    m_revealHint->setObjectName(QStringLiteral("recordRevealHint"));
    m_revealHint->setTextFormat(Qt::PlainText); // it lists field paths from the record
    revealBar->addWidget(m_revealButton);
    revealBar->addWidget(m_revealHint, 1);
    decryptedLayout->addLayout(revealBar);
    m_decrypted = new SecretTextEdit(m_clipboard);
    makeTextView(m_decrypted, QStringLiteral("recordDecryptedText"));
    SchemaHighlighting::attach(m_decrypted->document(), palette());
    decryptedLayout->addWidget(m_decrypted, 3);
    m_fields = makeTable(QStringLiteral("recordFieldsTable"),
                         {tr("Field"), tr("Status"), tr("KEK"), tr("DEK version"), tr("Algorithm"),
                          tr("Value or reason")});
    m_fields->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_copyValue = new QAction(tr("Copy value"), m_fields);
    m_copyValue->setObjectName(QStringLiteral("recordCopyValueAction"));
    m_copyValue->setShortcut(QKeySequence::Copy);
    m_copyValue->setShortcutContext(Qt::WidgetShortcut);
    m_copyValue->setEnabled(false);
    m_fields->addAction(m_copyValue);
    decryptedLayout->addWidget(m_fields, 2);
    m_tabs->addTab(decryptedPage, tr("Decrypted"));

    m_stored = makeTextView(new QPlainTextEdit, QStringLiteral("recordStoredText"));
    SchemaHighlighting::attach(m_stored->document(), palette());
    m_tabs->addTab(m_stored, tr("As stored"));
    m_raw = makeTextView(new QPlainTextEdit, QStringLiteral("recordRawText"));
    m_tabs->addTab(m_raw, tr("Raw"));
    m_headers = makeTable(QStringLiteral("recordHeadersTable"), {tr("Header"), tr("Value")});
    m_tabs->addTab(m_headers, tr("Headers"));

    connect(m_revealButton, &QPushButton::clicked, this, &RecordDetailPane::revealRequested);
    connect(m_copyValue, &QAction::triggered, this, &RecordDetailPane::copySelectedValue);
    connect(m_fields, &QTableWidget::itemSelectionChanged, this,
            &RecordDetailPane::updateCopyAction);
    clear();
}

void RecordDetailPane::setRecord(const kafka::PreviewRecord &record)
{
    m_record = record;
    m_revealed = false; // every record is revealed on its own, with its own audit entry
    render();
}

void RecordDetailPane::clear()
{
    m_record.reset();
    m_revealed = false;
    render();
}

void RecordDetailPane::setRevealed(bool revealed)
{
    m_revealed = revealed && m_record.has_value();
    render();
}

QString RecordDetailPane::decryptedText() const
{
    return m_decrypted->toPlainText();
}

void RecordDetailPane::render()
{
    m_decrypted->setSecret(false);
    if (!m_record) {
        m_failureLabel->hide();
        m_revealButton->setEnabled(false);
        m_revealHint->setText(tr("Select a record to see its content."));
        m_decrypted->clear();
        m_stored->clear();
        m_raw->clear();
        m_fields->setRowCount(0);
        m_headers->setRowCount(0);
        m_copyValue->setEnabled(false);
        return;
    }
    const kafka::PreviewRecord &record = *m_record;
    const engine::RecordOutcome &outcome = record.value;

    const QString failure = failureText(record);
    m_failureLabel->setText(displaySafe(failure, LineBreaks::Keep));
    m_failureLabel->setVisible(!failure.isEmpty());

    const QStringList revealable = revealableFields(outcome);
    m_revealButton->setEnabled(!revealable.isEmpty() && !m_revealed);
    if (revealable.isEmpty())
        m_revealHint->setText(tr("Nothing in this record was decrypted."));
    else if (m_revealed)
        m_revealHint->setText(
            displaySafe(tr("Revealed: %1").arg(revealable.join(QStringLiteral(", ")))));
    else
        m_revealHint->setText(displaySafe(
            tr("Decrypted fields masked: %1.").arg(revealable.join(QStringLiteral(", ")))));

    if (record.record.value.isNull()) {
        m_decrypted->setPlainText(tr("(tombstone: the record has no value)"));
        m_stored->setPlainText(m_decrypted->toPlainText());
    } else if (!record.decrypted) {
        m_decrypted->setPlainText(tr("(not decoded)"));
        m_stored->setPlainText(m_decrypted->toPlainText());
    } else if (!outcome.ok()) {
        m_decrypted->setPlainText(displaySafe(
            tr("The record could not be read:\n%1").arg(outcome.error.message), LineBreaks::Keep));
        m_stored->setPlainText(m_decrypted->toPlainText());
    } else {
        // JSON escapes C0 controls itself; C1 controls and bidi overrides in strings need this.
        m_decrypted->setPlainText(displaySafe(
            jsonText(m_revealed ? outcome.value : maskedValue(outcome)), LineBreaks::Keep));
        m_decrypted->setSecret(m_revealed && !revealable.isEmpty());
        if (outcome.payload && outcome.payload->status == engine::FieldOutcome::Status::Decrypted) {
            // The stored form of an encrypted payload is ciphertext; Raw shows its bytes.
            m_stored->setPlainText(tr("(the whole payload is encrypted: %1 bytes, see Raw)")
                                       .arg(record.record.value.size()));
        } else {
            m_stored->setPlainText(displaySafe(jsonText(outcome.stored), LineBreaks::Keep));
        }
    }
    if (!m_revealed)
        markMasked(m_decrypted);
    else
        m_decrypted->setExtraSelections({});

    m_raw->setPlainText(tr("Key (%1 bytes)").arg(record.record.key.size()) + QLatin1Char('\n') +
                        hexDump(record.record.key) + QLatin1Char('\n') +
                        tr("Value (%1 bytes)").arg(record.record.value.size()) + QLatin1Char('\n') +
                        hexDump(record.record.value));

    m_headers->setRowCount(int(record.record.headers.size()));
    for (int row = 0; row < record.record.headers.size(); ++row) {
        const serde::RecordHeader &header = record.record.headers.at(row);
        m_headers->setItem(row, 0, item(QString::fromUtf8(header.key)));
        m_headers->setItem(row, 1, item(keyText(header.value)));
    }
    renderFields();
}

void RecordDetailPane::renderFields()
{
    const engine::RecordOutcome &outcome = m_record->value;
    QList<engine::FieldOutcome> fields = outcome.fields;
    if (outcome.payload)
        fields.prepend(*outcome.payload);
    m_fields->setRowCount(int(fields.size()));
    for (int row = 0; row < fields.size(); ++row) {
        const engine::FieldOutcome &field = fields.at(row);
        m_fields->setItem(row, 0, item(field.path, field.tags.join(QStringLiteral(", "))));
        auto *status = item(engine::statusName(field.status));
        if (field.status == engine::FieldOutcome::Status::Failed)
            status->setForeground(QColor(0xb0, 0x00, 0x20));
        m_fields->setItem(row, 1, status);
        m_fields->setItem(row, 2,
                          item(field.kekName + (field.kekDeleted ? tr(" (deleted)") : QString())));
        m_fields->setItem(
            row, 3, item(field.dekVersion > 0 ? QString::number(field.dekVersion) : QString()));
        m_fields->setItem(row, 4, item(field.algorithm));
        QString detail;
        if (field.status == engine::FieldOutcome::Status::Failed)
            detail =
                field.error.message + QStringLiteral(" [") + field.error.code + QLatin1Char(']');
        else if (field.status == engine::FieldOutcome::Status::Decrypted)
            detail = m_revealed ? valueOfField(field.path) : MaskText.toString();
        m_fields->setItem(row, 5, item(detail, detail));
    }
    m_fields->resizeColumnsToContents();
    updateCopyAction();
}

void RecordDetailPane::updateCopyAction()
{
    const int row = m_fields->currentRow();
    m_copyValue->setEnabled(m_revealed && row >= 0 && m_fields->item(row, 0) &&
                            m_fields->item(row, 0)->isSelected() &&
                            !valueOfField(rawText(m_fields->item(row, 0))).isEmpty());
}

QString RecordDetailPane::valueOfField(const QString &path) const
{
    if (!m_record || !m_revealed)
        return {};
    if (path == QStringLiteral("(payload)"))
        return jsonText(m_record->value.value);
    QStringList values;
    for (const SecretLeaf &leaf : secretLeaves(m_record->value)) {
        if (leaf.path == path)
            values << (leaf.value.isString() ? leaf.value.toString() : jsonText(leaf.value));
    }
    return values.join(QLatin1Char('\n'));
}

void RecordDetailPane::copySelectedValue()
{
    const int row = m_fields->currentRow();
    if (!m_revealed || row < 0)
        return;
    const QString value = valueOfField(rawText(m_fields->item(row, 0)));
    if (!value.isEmpty())
        m_clipboard->copy(value);
}

} // namespace kw::records
