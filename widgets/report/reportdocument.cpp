#include "widgets/report/reportdocument.h"

#include "widgets/report/reportcontent.h"

#include <QApplication>
#include <QBuffer>
#include <QGraphicsScene>
#include <QJsonDocument>
#include <QPainter>
#include <QRegularExpression>
#include <QSvgGenerator>
#include <QtCharts/QChart>

#include <memory>

namespace kw::reportdoc {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("kw::reportdoc::Report", text);
}

// Everything the page looks like, in the page itself: no external stylesheet, font or script.
const char *const Style = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", Helvetica, Arial, sans-serif;
       color: #1e1e24; background: #ffffff; margin: 0; font-size: 14px; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
header.cover { border-bottom: 3px solid #1c71d8; margin-bottom: 8px; }
header.cover h1 { font-size: 26px; margin: 8px 0 4px; }
header.cover p { color: #5e5c64; margin: 0 0 12px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d0d0d6; }
h3 { font-size: 15px; margin: 20px 0 6px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 12.5px; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border: 1px solid #d8d8de; }
th { background: #3d3d46; color: #ffffff; font-weight: 600; }
tbody tr:nth-child(even) td { background: #f4f4f7; }
tbody tr.attention td { background: #fff4d6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.status { font-weight: 700; }
td { overflow-wrap: break-word; }
table.facts { width: auto; min-width: 50%; }
table.facts th { background: #f0f0f4; color: #1e1e24; width: 14em; }
p.strong { font-weight: 700; }
p.unavailable { color: #5e5c64; font-style: italic; }
pre { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px;
      background: #f4f4f7; border: 1px solid #d8d8de; padding: 8px 10px; white-space: pre-wrap;
      overflow-wrap: anywhere; }
figure { margin: 12px 0 20px; }
figure svg { max-width: 100%; height: auto; border: 1px solid #d8d8de; }
figcaption { color: #5e5c64; font-size: 12.5px; }
footer { margin-top: 40px; color: #5e5c64; font-size: 12px; }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; }
               thead { display: table-header-group; } tr { break-inside: avoid; } }
)";

QString escaped(const QString &text)
{
    // Text reaches here cleaned (reportcontent.h); '\n' separates a cell's lines.
    return text.toHtmlEscaped().replace(u'\n', QStringLiteral("<br>"));
}

QString colorName(const QColor &color)
{
    return color.name(QColor::HexRgb);
}

QByteArray chartSvg(QChart *chart, const QString &caption)
{
    const std::unique_ptr<QGraphicsScene> scene(chartScene(chart));
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(QSize(ChartWidth, ChartHeight));
    generator.setViewBox(QRect(0, 0, ChartWidth, ChartHeight));
    generator.setResolution(96);
    generator.setTitle(caption.toHtmlEscaped()); // written as it is
    QPainter painter;
    if (!painter.begin(&generator))
        return {};
    scene->render(&painter, QRectF(0, 0, ChartWidth, ChartHeight), scene->sceneRect());
    painter.end();
    // Inline SVG: no XML declaration, and a size the page can scale.
    QByteArray svg = buffer.data();
    const qsizetype start = svg.indexOf("<svg");
    if (start < 0)
        return {};
    svg = svg.mid(start);
    const qsizetype tagEnd = svg.indexOf('>');
    QString tag = QString::fromUtf8(svg.left(tagEnd));
    tag.replace(QRegularExpression(QStringLiteral(R"( width="[^"]*")")),
                QStringLiteral(R"( width="%1")").arg(ChartWidth));
    tag.replace(QRegularExpression(QStringLiteral(R"( height="[^"]*")")),
                QStringLiteral(R"( height="%1")").arg(ChartHeight));
    return tag.toUtf8() + svg.mid(tagEnd);
}

void writeTable(QByteArray &out, const Table &table)
{
    if (table.rows.isEmpty() && !table.empty.isEmpty()) {
        out += "<p>" + escaped(table.empty).toUtf8() + "</p>\n";
        return;
    }
    out += "<table>\n<thead><tr>";
    for (qsizetype c = 0; c < table.header.size(); ++c)
        out += (table.numeric.value(c) ? "<th class=\"num\">" : "<th>") +
               escaped(table.header.at(c)).toUtf8() + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (const Table::Row &row : table.rows) {
        out += row.highlight ? "<tr class=\"attention\">" : "<tr>";
        for (qsizetype c = 0; c < row.cells.size(); ++c) {
            QByteArray open = "<td";
            if (c == 0 && row.accent.isValid())
                open += " class=\"status\" style=\"color: " + colorName(row.accent).toUtf8() +
                        "; border-left: 4px solid " + colorName(row.accent).toUtf8() + "\"";
            else if (table.numeric.value(c))
                open += " class=\"num\"";
            out += open + ">" + escaped(row.cells.at(c)).toUtf8() + "</td>";
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
}

void writeBlock(QByteArray &out, const Block &block)
{
    switch (block.kind) {
    case Block::Subheading:
        out += "<h3>" + escaped(block.text).toUtf8() + "</h3>\n";
        break;
    case Block::Paragraph:
        out += "<p>" + escaped(block.text).toUtf8() + "</p>\n";
        break;
    case Block::Strong:
        out += "<p class=\"strong\">" + escaped(block.text).toUtf8() + "</p>\n";
        break;
    case Block::Mono:
        out += "<pre>" + block.text.toHtmlEscaped().toUtf8() + "</pre>\n";
        break;
    case Block::Facts:
        out += "<table class=\"facts\">\n<tbody>\n";
        for (const auto &[label, value] : block.facts)
            out += "<tr><th scope=\"row\">" + escaped(label).toUtf8() + "</th><td>" +
                   escaped(value).toUtf8() + "</td></tr>\n";
        out += "</tbody>\n</table>\n";
        break;
    case Block::List:
        out += "<ul>\n";
        for (const QString &item : block.items)
            out += "<li>" + escaped(item).toUtf8() + "</li>\n";
        out += "</ul>\n";
        break;
    case Block::Table:
        writeTable(out, block.table);
        break;
    case Block::Chart: {
        out += "<figure>\n";
        const QByteArray svg = qobject_cast<QApplication *>(QCoreApplication::instance())
                                   ? chartSvg(block.chart(), block.text)
                                   : QByteArray();
        if (svg.isEmpty())
            out += "<p class=\"unavailable\">" +
                   escaped(tr("The chart could not be drawn here (no QApplication).")).toUtf8() +
                   "</p>\n";
        else
            out += svg + "\n";
        out += "<figcaption>" + escaped(block.text).toUtf8() + "</figcaption>\n</figure>\n";
        break;
    }
    }
}

} // namespace

QByteArray htmlReport(const report::ComplianceReport &report)
{
    QByteArray out;
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"generator\" content=\"Keywarden " +
           clean(report.cover.keywardenVersion).toHtmlEscaped().toUtf8() + "\">\n<title>" +
           escaped(documentTitle() + QStringLiteral(": ") + clean(report.cover.estate)).toUtf8() +
           "</title>\n<style>" + Style + "</style>\n";
    if (report.isAvailable(report::Section::Audit)) {
        // For `keywarden-cli audit verify --anchor REPORT.html`; "</" never closes it early.
        QByteArray anchor =
            QJsonDocument(report.audit.anchor.toJson()).toJson(QJsonDocument::Compact);
        anchor.replace("</", "<\\/");
        out += "<script type=\"application/json\" id=\"keywarden-audit-anchor\">" + anchor +
               "</script>\n";
    }
    out += "</head>\n<body>\n<main>\n<header class=\"cover\">\n<h1>" +
           escaped(documentTitle()).toUtf8() + "</h1>\n<p>" +
           escaped(documentSubtitle(report)).toUtf8() + "</p>\n</header>\n";

    const QList<SectionContent> sections = reportContent(report);
    for (const SectionContent &section : sections) {
        out += "<section id=\"" + report::sectionId(section.section).toUtf8() + "\">\n<h2>" +
               escaped(section.title).toUtf8() + "</h2>\n";
        if (!section.unavailable.isEmpty())
            out += "<p class=\"unavailable\">" + escaped(section.unavailable).toUtf8() + "</p>\n";
        for (const Block &block : section.blocks)
            writeBlock(out, block);
        out += "</section>\n";
    }
    out += "<footer>" +
           escaped(tr("Generated by Keywarden %1. The seal after the end of this file signs it.")
                       .arg(clean(report.cover.keywardenVersion)))
               .toUtf8() +
           "</footer>\n</main>\n</body>\n</html>\n";
    return out;
}

} // namespace kw::reportdoc
