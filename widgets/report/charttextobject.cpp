#include "widgets/report/charttextobject.h"

#include "widgets/report/reportcontent.h"

#include <QGraphicsScene>
#include <QPainter>
#include <QtCharts/QChart>

#include <memory>

namespace kw::reportdoc {

ChartTextObject::ChartTextObject(const QList<std::function<QChart *()>> &charts, QSizeF size)
    : m_charts(charts)
    , m_size(size)
{}

QSizeF ChartTextObject::intrinsicSize(QTextDocument *, int, const QTextFormat &)
{
    return m_size;
}

void ChartTextObject::drawObject(QPainter *painter, const QRectF &rect, QTextDocument *, int,
                                 const QTextFormat &format)
{
    const int index = format.property(IndexProperty).toInt();
    if (index < 0 || index >= m_charts.size())
        return;
    const std::unique_ptr<QGraphicsScene> scene(chartScene(m_charts.at(index)()));
    scene->render(painter, rect, scene->sceneRect());
    ++m_drawn;
}

} // namespace kw::reportdoc
