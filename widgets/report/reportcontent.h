#pragma once
// What the HTML and PDF reports say, once: each section of a compliance report as headings,
// paragraphs, lists, tables and charts, in the report's order. The writers (reportdocument.h)
// only lay it out, so both formats carry the same figures. Every text taken from the report is
// cleaned of control and bidirectional-override characters here; the writers escape it.

#include "core/report/reportdata.h"

#include <QColor>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <functional>

class QChart;
class QGraphicsScene;

namespace kw::reportdoc {

struct Table
{
    QStringList header;
    QList<bool> numeric; // right-aligned columns
    struct Row
    {
        QStringList cells; // a cell's lines are separated by '\n'
        QColor accent;     // the first cell's colour (a schedule status); invalid: none
        bool highlight = false;
    };
    QList<Row> rows;
    QString empty; // said instead of the table when it has no rows
};

struct Block
{
    enum Kind
    {
        Subheading,
        Paragraph,
        Strong,
        Facts, // label: value pairs
        List,
        Table,
        Chart,
        Mono,
    };
    Kind kind = Paragraph;
    QString text; // Subheading, Paragraph, Strong, Mono; a Chart's caption
    QList<QPair<QString, QString>> facts;
    QStringList items;
    reportdoc::Table table;
    std::function<QChart *()> chart; // a new chart for each rendering; the caller owns it
};

struct SectionContent
{
    report::Section section = report::Section::Cover;
    QString title;
    QString unavailable; // "Not available: <reason>" when the section's source was not there
    QList<Block> blocks;
};

QList<SectionContent> reportContent(const report::ComplianceReport &report);
// The title and subtitle of the first page.
QString documentTitle();
QString documentSubtitle(const report::ComplianceReport &report);

// Text from a server made safe to print: control characters and bidirectional overrides become
// visible escapes ("\u0007").
QString clean(const QString &text);

// The size charts are laid out at, in pixels.
inline constexpr int ChartWidth = 900;
inline constexpr int ChartHeight = 420;
// A chart ready to paint: no animation, pixel-sized fonts (so a printer's or SVG's resolution
// does not scale its text apart from its layout), laid out at ChartWidth x ChartHeight in a
// scene that owns it.
QGraphicsScene *chartScene(QChart *chart);

} // namespace kw::reportdoc
