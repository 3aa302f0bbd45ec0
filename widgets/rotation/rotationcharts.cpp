#include "widgets/rotation/rotationcharts.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QPen>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>

#include <algorithm>
#include <cmath>

namespace kw::rotation {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("kw::rotation::Charts", text);
}

QString day(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(QStringLiteral("yyyy-MM-dd"));
}

} // namespace

QColor statusColor(census::DueStatus status)
{
    switch (status) {
    case census::DueStatus::Overdue:
        return QColor(0xc0, 0x1c, 0x28);
    case census::DueStatus::DueSoon:
        return QColor(0xe5, 0xa5, 0x0a);
    case census::DueStatus::Ok:
        return QColor(0x2e, 0xc2, 0x7e);
    case census::DueStatus::NoRotation:
        return QColor(0x77, 0x76, 0x7b);
    }
    return Qt::gray;
}

QChart *timelineChart(const QList<census::ScheduleRow> &rows, qint64 nowMs, int maxRows)
{
    auto *chart = new QChart;
    chart->legend()->hide();
    const qsizetype shown = std::min<qsizetype>(rows.size(), maxRows);
    chart->setTitle(shown < rows.size()
                        ? tr("DEK versions over time: the %1 most urgent of %2 DEKs")
                              .arg(shown)
                              .arg(rows.size())
                        : tr("DEK versions over time"));
    auto *x = new QDateTimeAxis;
    x->setFormat(QStringLiteral("yyyy-MM"));
    x->setTitleText(tr("ts of each version (UTC); ◆ due; | today"));
    auto *y = new QCategoryAxis;
    y->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    y->setTruncateLabels(false);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);

    qint64 start = nowMs, end = nowMs;
    auto *due = new QScatterSeries;
    due->setName(tr("Due"));
    due->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    due->setMarkerSize(9);
    due->setColor(QColor(0x1c, 0x71, 0xd8));
    due->setBorderColor(Qt::transparent);
    // The most urgent at the top. The category axis wants its values in increasing order.
    for (qsizetype i = shown - 1; i >= 0; --i) {
        const census::ScheduleRow &r = rows.at(i);
        y->append(r.algorithm == QLatin1String("AES256_GCM")
                      ? r.subject
                      : QStringLiteral("%1 (%2)").arg(r.subject, r.algorithm),
                  double(shown - 1 - i));
    }
    for (qsizetype i = 0; i < shown; ++i) {
        const census::ScheduleRow &r = rows.at(i);
        const double at = double(shown - 1 - i);
        for (qsizetype v = 0; v < r.versions.size(); ++v) {
            const census::DekVersionInfo &version = r.versions.at(v);
            if (version.ts <= 0)
                continue;
            const qint64 until = v + 1 < r.versions.size() ? r.versions.at(v + 1).ts : nowMs;
            auto *segment = new QLineSeries;
            segment->append(double(version.ts), at);
            segment->append(double(std::max(until, version.ts)), at);
            QPen pen(version.version == r.latestVersion && !version.deleted
                         ? statusColor(r.status)
                         : QColor(0xb0, 0xb0, 0xb8));
            pen.setWidth(9);
            pen.setCapStyle(Qt::FlatCap);
            segment->setPen(pen);
            chart->addSeries(segment);
            segment->attachAxis(x);
            segment->attachAxis(y);
            start = std::min(start, version.ts);
        }
        if (r.dueAt >= 0) {
            due->append(double(r.dueAt), at);
            end = std::max(end, r.dueAt);
        }
    }
    chart->addSeries(due);
    due->attachAxis(x);
    due->attachAxis(y);
    auto *today = new QLineSeries;
    today->setName(tr("Today"));
    today->append(double(nowMs), -0.5);
    today->append(double(nowMs), double(shown) - 0.5);
    QPen todayPen(QColor(0x1c, 0x71, 0xd8));
    todayPen.setStyle(Qt::DashLine);
    todayPen.setWidth(2);
    today->setPen(todayPen);
    chart->addSeries(today);
    today->attachAxis(x);
    today->attachAxis(y);

    const qint64 margin = std::max<qint64>((end - start) / 30, 86'400'000);
    x->setRange(QDateTime::fromMSecsSinceEpoch(start - margin),
                QDateTime::fromMSecsSinceEpoch(end + margin));
    y->setRange(-0.5, std::max(0.5, double(shown) - 0.5));
    y->setGridLineVisible(false);
    return chart;
}

QChart *usageChart(const census::ScheduleRow *row, const census::Tally &census,
                   const census::Policy &policy)
{
    auto *chart = new QChart;
    if (!row) {
        chart->setTitle(tr("Select a DEK to see its encryptions per version"));
        return chart;
    }
    const QLocale locale;
    QMap<int, qint64> perVersion;
    for (const census::DekVersionInfo &v : row->versions)
        perVersion.insert(v.version, 0);
    for (auto it = census.dekVersions().cbegin(); it != census.dekVersions().cend(); ++it) {
        if (it.key().kek == row->kek && it.key().subject == row->subject &&
            it.key().algorithm == row->algorithm)
            perVersion[it.key().version] += it->encryptions;
    }
    auto *set = new QBarSet(tr("census"));
    set->setColor(statusColor(row->status));
    QStringList categories;
    for (auto it = perVersion.cbegin(); it != perVersion.cend(); ++it) {
        categories.append(QStringLiteral("v%1").arg(it.key()));
        // A log axis cannot show 0: versions with no values sit at the axis' floor.
        set->append(std::max<double>(double(it.value()), 0.5));
    }
    // The projection: one more category, where the latest version meets the limit at the
    // rate observed so far, reached by a dashed line from its bar.
    const bool projected = row->counted && (row->projectedLimitAt >= 0 || row->limitOutOfReach);
    if (projected) {
        categories.append(row->limitOutOfReach ? tr("limit: after 9999")
                                               : tr("limit: ~%1").arg(day(row->projectedLimitAt)));
        set->append(0.5);
    }
    auto *bars = new QBarSeries;
    bars->append(set);
    chart->addSeries(bars);
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    if (categories.size() > 6) { // many versions: upright labels, whole
        x->setLabelsAngle(-90);
        x->setTruncateLabels(false);
    }
    auto *y = new QLogValueAxis;
    y->setBase(10);
    y->setLabelFormat(QStringLiteral("%.0e"));
    y->setTitleText(tr("encryptions (log)"));
    y->setRange(0.5, row->limit * 4);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    bars->attachAxis(x);
    bars->attachAxis(y);

    const auto hline = [&](double value, const QString &name, Qt::PenStyle style) {
        auto *line = new QLineSeries;
        line->setName(name);
        line->append(-0.5, value);
        line->append(double(categories.size()) - 0.5, value);
        QPen pen(QColor(0xc0, 0x1c, 0x28));
        pen.setStyle(style);
        pen.setWidth(2);
        line->setPen(pen);
        chart->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
    };
    hline(row->limit, tr("limit %1").arg(locale.toString(row->limit, 'g', 2)), Qt::SolidLine);
    hline(row->limit * policy.limitWarnShare,
          tr("warn %1%").arg(policy.limitWarnShare * 100, 0, 'g', 3), Qt::DashLine);

    if (projected) {
        auto *line = new QLineSeries;
        line->setName(tr("projection"));
        // From the latest live version's bar (a later, deleted version may follow it).
        const double from = double(perVersion.keys().indexOf(row->latestVersion));
        line->append(from, std::max<double>(double(row->encryptions), 0.5));
        line->append(double(categories.size()) - 1, row->limit);
        QPen pen(statusColor(row->status));
        pen.setStyle(Qt::DotLine);
        pen.setWidth(3);
        line->setPen(pen);
        chart->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
    }

    QString projection;
    if (row->projectedLimitAt >= 0)
        projection = tr("v%1 reaches the limit around %2 at the observed rate")
                         .arg(row->latestVersion)
                         .arg(day(row->projectedLimitAt));
    else if (row->limitOutOfReach)
        projection = tr("v%1 does not reach the limit before 9999 at the observed rate")
                         .arg(row->latestVersion);
    else
        projection = tr("too few values under v%1 for a projection").arg(row->latestVersion);
    chart->setTitle(tr("Encryptions per version: %1 · %2 · %3<br>%4")
                        .arg(row->subject, row->kek, row->algorithm, projection));
    return chart;
}

} // namespace kw::rotation
