#pragma once
// A QTextDocument object that draws a chart where the document holds its object character,
// as vector graphics: the chart's scene rendered onto whatever painter lays out the page (the
// PDF report's). Internal to widgets/report.

#include <QList>
#include <QObject>
#include <QSizeF>
#include <QTextObjectInterface>

#include <functional>

class QChart;

namespace kw::reportdoc {

class ChartTextObject final : public QObject, public QTextObjectInterface
{
    Q_OBJECT
    Q_INTERFACES(QTextObjectInterface)

public:
    static constexpr int ObjectType = QTextFormat::UserObject + 1;
    static constexpr int IndexProperty = QTextFormat::UserProperty + 1;

    // `charts` may fill as the document is built; an object's IndexProperty indexes it.
    ChartTextObject(const QList<std::function<QChart *()>> &charts, QSizeF size);

    QSizeF intrinsicSize(QTextDocument *document, int position, const QTextFormat &format) override;
    void drawObject(QPainter *painter, const QRectF &rect, QTextDocument *document, int position,
                    const QTextFormat &format) override;

    // How many charts were drawn so far.
    [[nodiscard]] int drawn() const { return m_drawn; }

private:
    const QList<std::function<QChart *()>> &m_charts;
    QSizeF m_size;
    int m_drawn = 0;
};

} // namespace kw::reportdoc
