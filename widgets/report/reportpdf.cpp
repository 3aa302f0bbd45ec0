// The PDF report: the content laid out as a QTextDocument paginated at the PDF's resolution
// (tables repeat their header row on each page they span), charts drawn into it by a text object
// (charttextobject.h), and each page painted with its footer.

#include "widgets/report/charttextobject.h"
#include "widgets/report/reportcontent.h"
#include "widgets/report/reportdocument.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QBuffer>
#include <QFontMetricsF>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFrame>
#include <QTextList>
#include <QTextTable>
#include <QtCharts/QChart>

#include <algorithm>

namespace kw::reportdoc {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("kw::reportdoc::Report", text);
}

constexpr int Dpi = 300;

// The painter's lengths: device pixels at Dpi.
constexpr qreal devicePx(qreal cssPixels)
{
    return cssPixels * Dpi / 96.0;
}

constexpr qreal mm(qreal millimetres)
{
    return millimetres * Dpi / 25.4;
}

// The document's lengths (margins, padding, borders) are pixels at 96 dpi: its layout scales
// them to the device. Its page size and objects are in device pixels.
constexpr qreal docMm(qreal millimetres)
{
    return millimetres * 96 / 25.4;
}

const QColor Ink(0x1e, 0x1e, 0x24);
const QColor Muted(0x5e, 0x5c, 0x64);
const QColor Accent(0x1c, 0x71, 0xd8);
const QColor HeaderFill(0x3d, 0x3d, 0x46);
const QColor Zebra(0xf4, 0xf4, 0xf7);
const QColor Attention(0xff, 0xf4, 0xd6);
const QColor Rule(0xd8, 0xd8, 0xde);

class DocumentBuilder
{
public:
    DocumentBuilder(QTextDocument &document, QList<std::function<QChart *()>> &charts)
        : m_cursor(&document)
        , m_font(document.defaultFont())
        , m_charts(charts)
    {
        m_text.setForeground(Ink);
        // One layout when done, not one per cell.
        m_cursor.beginEditBlock();
    }

    void finish() { m_cursor.endEditBlock(); }

    void title(const QString &title, const QString &subtitle)
    {
        QTextBlockFormat block;
        block.setTopMargin(docMm(40));
        block.setBottomMargin(10);
        QTextCharFormat text = m_text;
        text.setFontPointSize(24);
        text.setFontWeight(QFont::Bold);
        newBlock(block, text, title);
        QTextBlockFormat sub;
        sub.setBottomMargin(28);
        QTextCharFormat subText = m_text;
        subText.setFontPointSize(11);
        subText.setForeground(Muted);
        newBlock(sub, subText, subtitle);
    }

    void sectionHeading(const QString &title, bool pageBreak)
    {
        QTextBlockFormat block;
        block.setTopMargin(pageBreak ? 0 : 22);
        block.setBottomMargin(6);
        if (pageBreak)
            block.setPageBreakPolicy(QTextFormat::PageBreak_AlwaysBefore);
        QTextCharFormat text = m_text;
        text.setFontPointSize(15);
        text.setFontWeight(QFont::Bold);
        text.setForeground(Accent);
        newBlock(block, text, title);
    }

    void unavailable(const QString &text)
    {
        QTextCharFormat format = m_text;
        format.setFontItalic(true);
        format.setForeground(Muted);
        newBlock(paragraphFormat(), format, text);
    }

    void add(const Block &b)
    {
        switch (b.kind) {
        case Block::Subheading: {
            QTextBlockFormat block;
            block.setTopMargin(12);
            block.setBottomMargin(4);
            QTextCharFormat text = m_text;
            text.setFontPointSize(11);
            text.setFontWeight(QFont::Bold);
            newBlock(block, text, b.text);
            break;
        }
        case Block::Paragraph:
            newBlock(paragraphFormat(), m_text, b.text);
            break;
        case Block::Strong: {
            QTextCharFormat text = m_text;
            text.setFontWeight(QFont::Bold);
            newBlock(paragraphFormat(), text, b.text);
            break;
        }
        case Block::Mono: {
            QTextBlockFormat block = paragraphFormat();
            block.setBackground(Zebra);
            block.setLeftMargin(4);
            QTextCharFormat text = m_text;
            text.setFontFamilies({QStringLiteral("DejaVu Sans Mono"), QStringLiteral("monospace")});
            text.setFontFixedPitch(true);
            text.setFontPointSize(8);
            newBlock(block, text, b.text);
            break;
        }
        case Block::Facts:
            facts(b.facts);
            break;
        case Block::List:
            list(b.items);
            break;
        case Block::Table:
            table(b.table);
            break;
        case Block::Chart:
            chart(b);
            break;
        }
    }

private:
    static QTextBlockFormat paragraphFormat()
    {
        QTextBlockFormat block;
        block.setBottomMargin(6);
        return block;
    }

    void newBlock(const QTextBlockFormat &block, const QTextCharFormat &text,
                  const QString &content)
    {
        m_cursor.movePosition(QTextCursor::End);
        if (m_first) {
            m_cursor.setBlockFormat(block);
            m_cursor.setBlockCharFormat(text);
            m_first = false;
        } else {
            m_cursor.insertBlock(block, text);
        }
        m_cursor.insertText(lines(content), text);
    }

    // A text's lines as line breaks inside one block: '\n' would start a block per line, each
    // with the block's margins.
    static QString lines(QString text) { return text.replace(u'\n', QChar::LineSeparator); }

    static QTextTableFormat tableFormat(int headerRows)
    {
        QTextTableFormat format;
        format.setHeaderRowCount(headerRows);
        format.setCellPadding(3);
        format.setCellSpacing(0);
        format.setBorder(0.75);
        format.setBorderBrush(Rule);
        format.setBorderStyle(QTextFrameFormat::BorderStyle_Solid);
        format.setBorderCollapse(true);
        format.setWidth(QTextLength(QTextLength::PercentageLength, 100));
        format.setTopMargin(4);
        format.setBottomMargin(10);
        return format;
    }

    static void fill(QTextTableCell cell, const QString &text, const QTextCharFormat &format,
                     const QColor &background, Qt::Alignment alignment)
    {
        QTextTableCellFormat cellFormat = cell.format().toTableCellFormat();
        if (background.isValid())
            cellFormat.setBackground(background);
        cell.setFormat(cellFormat);
        QTextCursor cursor = cell.firstCursorPosition();
        QTextBlockFormat block;
        block.setAlignment(alignment);
        cursor.setBlockFormat(block);
        cursor.insertText(lines(text), format);
    }

    // The layout's own column widths follow the header more than the cells, which breaks
    // identifiers mid-word in wide tables: share the width by what each column needs for its
    // longest line (bounded, so one long ARN does not starve the rest) and no less than its
    // header's longest word. Measured at 96 dpi, like the document's lengths.
    static QList<QTextLength> columnWidths(const Table &t, const QFont &font, const QFont &bold)
    {
        const QFontMetricsF cells(font);
        const QFontMetricsF header(bold);
        constexpr qreal padding = 2 * 3 + 1;
        QList<qreal> widths;
        qreal total = 0;
        for (qsizetype c = 0; c < t.header.size(); ++c) {
            qreal word = 0;
            for (const QString &w : t.header.at(c).split(u' '))
                word = std::max(word, header.horizontalAdvance(w));
            qreal content = 0;
            for (const Table::Row &row : t.rows) {
                for (const QString &line : row.cells.value(c).split(u'\n'))
                    content = std::max(content, cells.horizontalAdvance(line));
            }
            if (c == 0 && std::any_of(t.rows.cbegin(), t.rows.cend(),
                                      [](const Table::Row &r) { return r.accent.isValid(); }))
                content += cells.horizontalAdvance(QStringLiteral("■ "));
            const qreal width = std::max(word, std::min(content, 150.0)) + padding;
            widths.append(width);
            total += width;
        }
        QList<QTextLength> lengths;
        for (qreal width : std::as_const(widths))
            lengths.append(QTextLength(QTextLength::PercentageLength, 100 * width / total));
        return lengths;
    }

    void facts(const QList<QPair<QString, QString>> &pairs)
    {
        m_cursor.movePosition(QTextCursor::End);
        QTextTableFormat format = tableFormat(0);
        format.setColumnWidthConstraints({QTextLength(QTextLength::PercentageLength, 28),
                                          QTextLength(QTextLength::PercentageLength, 72)});
        QTextTable *table = m_cursor.insertTable(int(pairs.size()), 2, format);
        QTextCharFormat label = m_text;
        label.setFontWeight(QFont::Bold);
        for (int r = 0; r < pairs.size(); ++r) {
            fill(table->cellAt(r, 0), pairs.at(r).first, label, QColor(0xf0, 0xf0, 0xf4),
                 Qt::AlignLeft);
            fill(table->cellAt(r, 1), pairs.at(r).second, m_text, {}, Qt::AlignLeft);
        }
        m_first = false;
    }

    void list(const QStringList &items)
    {
        QTextListFormat format;
        format.setStyle(QTextListFormat::ListDisc);
        format.setIndent(1);
        QTextBlockFormat block;
        block.setBottomMargin(2);
        // The list made for the first item: each new block starts with a plain block format,
        // so the cursor's currentList() is not one to rely on for the next items.
        QTextList *list = nullptr;
        for (const QString &item : items) {
            newBlock(block, m_text, item);
            if (!list)
                list = m_cursor.createList(format);
            else
                list->add(m_cursor.block());
        }
    }

    void table(const Table &t)
    {
        if (t.rows.isEmpty() && !t.empty.isEmpty()) {
            newBlock(paragraphFormat(), m_text, t.empty);
            return;
        }
        m_cursor.movePosition(QTextCursor::End);
        const int columns = int(t.header.size());
        // Wide tables get smaller type so A4 portrait holds them.
        QTextCharFormat text = m_text;
        text.setFontPointSize(columns >= 11 ? 6 : columns >= 8 ? 6.5 : columns >= 6 ? 7.5 : 8.5);
        QTextCharFormat header = text;
        header.setFontWeight(QFont::Bold);
        header.setForeground(Qt::white);
        QFont font = m_font;
        font.setPointSizeF(text.fontPointSize());
        QFont bold = font;
        bold.setBold(true);
        QTextTableFormat format = tableFormat(1);
        format.setColumnWidthConstraints(columnWidths(t, font, bold));
        QTextTable *table = m_cursor.insertTable(int(t.rows.size()) + 1, columns, format);
        const auto align = [&](int column) {
            return t.numeric.value(column) ? Qt::AlignRight : Qt::AlignLeft;
        };
        for (int c = 0; c < columns; ++c)
            fill(table->cellAt(0, c), t.header.at(c), header, HeaderFill, align(c));
        for (int r = 0; r < t.rows.size(); ++r) {
            const Table::Row &row = t.rows.at(r);
            const QColor background = row.highlight ? Attention : r % 2 ? Zebra : QColor();
            for (int c = 0; c < columns && c < row.cells.size(); ++c) {
                if (c == 0 && row.accent.isValid()) {
                    QTextCharFormat status = text;
                    status.setFontWeight(QFont::Bold);
                    status.setForeground(row.accent);
                    fill(table->cellAt(r + 1, c), QStringLiteral("■ ") + row.cells.at(c), status,
                         background, align(c));
                } else {
                    fill(table->cellAt(r + 1, c), row.cells.at(c), text, background, align(c));
                }
            }
        }
        m_first = false;
    }

    void chart(const Block &b)
    {
        QTextBlockFormat block;
        block.setTopMargin(6);
        block.setAlignment(Qt::AlignHCenter);
        newBlock(block, m_text, {});
        QTextCharFormat object;
        object.setObjectType(ChartTextObject::ObjectType);
        object.setProperty(ChartTextObject::IndexProperty, int(m_charts.size()));
        m_cursor.insertText(QString(QChar::ObjectReplacementCharacter), object);
        m_charts.append(b.chart);
        QTextBlockFormat caption = paragraphFormat();
        caption.setAlignment(Qt::AlignHCenter);
        QTextCharFormat text = m_text;
        text.setFontPointSize(8);
        text.setForeground(Muted);
        newBlock(caption, text, b.text);
    }

    QTextCursor m_cursor;
    QFont m_font;
    QTextCharFormat m_text;
    QList<std::function<QChart *()>> &m_charts;
    bool m_first = true;
};

Error paintError(const QString &what)
{
    return makeError(QString(ErrorPdfPaint),
                     tr("Could not paint the PDF report: %1. Try the HTML or JSON format, and "
                        "report this with the Keywarden version.")
                         .arg(what));
}

} // namespace

Result<QByteArray> pdfReport(const report::ComplianceReport &report)
{
    if (!qobject_cast<QApplication *>(QCoreApplication::instance()))
        return makeError(QString(ErrorNoApplication),
                         tr("The PDF report needs a QApplication to draw its charts; run it from "
                            "Keywarden or keywarden-cli."));
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setResolution(Dpi);
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait,
                                     QMarginsF(0, 0, 0, 0), QPageLayout::Millimeter));
    writer.setTitle(documentTitle() + QStringLiteral(": ") + clean(report.cover.estate));
    writer.setCreator(QStringLiteral("Keywarden %1").arg(clean(report.cover.keywardenVersion)));
    const QSizeF page = writer.pageLayout().fullRectPixels(Dpi).size();

    QTextDocument document;
    document.documentLayout()->setPaintDevice(&writer);
    document.setPageSize(page);
    QFont font(QStringLiteral("sans-serif"));
    // No shaping for Latin text: no "fi"/"fl" ligatures, so the PDF's text (copied, searched,
    // pdftotext) reads "certificates", not "certi\uFB01cates".
    font.setStyleHint(QFont::SansSerif, QFont::PreferNoShaping);
    font.setPointSizeF(9);
    document.setDefaultFont(font);
    QTextOption option = document.defaultTextOption();
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    document.setDefaultTextOption(option);
    QTextFrameFormat root = document.rootFrame()->frameFormat();
    root.setLeftMargin(docMm(16));
    root.setRightMargin(docMm(16));
    root.setTopMargin(docMm(16));
    root.setBottomMargin(docMm(20));
    document.rootFrame()->setFrameFormat(root);

    QList<std::function<QChart *()>> chartList;
    const qreal contentWidth = page.width() - mm(32);
    ChartTextObject charts(chartList,
                           QSizeF(contentWidth, contentWidth * ChartHeight / ChartWidth));
    document.documentLayout()->registerHandler(ChartTextObject::ObjectType, &charts);
    DocumentBuilder builder(document, chartList);
    builder.title(documentTitle(), documentSubtitle(report));
    const QList<SectionContent> sections = reportContent(report);
    for (const SectionContent &section : sections) {
        // The cover has its own page; the sections follow on from the next.
        builder.sectionHeading(section.title, section.section == report::Section::Policy);
        if (!section.unavailable.isEmpty())
            builder.unavailable(section.unavailable);
        for (const Block &block : section.blocks)
            builder.add(block);
    }
    builder.finish();

    QPainter painter;
    if (!painter.begin(&writer))
        return paintError(tr("the PDF writer did not start"));
    const int pages = document.pageCount();
    QFont footerFont = font;
    footerFont.setPointSizeF(7.5);
    const QRectF footer(mm(16), page.height() - mm(14), page.width() - mm(32), mm(6));
    const QString footerLeft =
        QStringLiteral("%1 · %2").arg(documentTitle(), clean(report.cover.estate));
    for (int i = 0; i < pages; ++i) {
        if (i > 0 && !writer.newPage())
            return paintError(tr("page %1 could not be started").arg(i + 1));
        painter.save();
        const QRectF view(0, i * page.height(), page.width(), page.height());
        painter.translate(0, -view.top());
        painter.setClipRect(view);
        QAbstractTextDocumentLayout::PaintContext context;
        context.clip = view;
        context.palette.setColor(QPalette::Text, Ink);
        document.documentLayout()->draw(&painter, context);
        painter.restore();

        painter.setFont(footerFont);
        painter.setPen(QPen(Rule, devicePx(0.75)));
        painter.drawLine(footer.topLeft(), footer.topRight());
        painter.setPen(Muted);
        painter.drawText(footer, Qt::AlignLeft | Qt::AlignBottom, footerLeft);
        painter.drawText(footer, Qt::AlignRight | Qt::AlignBottom,
                         tr("Page %1 of %2").arg(i + 1).arg(pages));
    }
    if (!painter.end())
        return paintError(tr("the PDF could not be finished"));
    if (charts.drawn() != chartList.size())
        return paintError(
            tr("%1 of %2 charts were drawn").arg(charts.drawn()).arg(chartList.size()));
    return buffer.data();
}

} // namespace kw::reportdoc
