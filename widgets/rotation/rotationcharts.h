#pragma once
// The Rotation view's two charts, built from the schedule:
//  - the timeline: one row per DEK subject, each version a bar from its ts to the next
//    version's (the latest to today), due dates as markers, a line for today, coloured by
//    the row's status;
//  - one DEK's encryptions per version on a log scale against its invocation limit and the
//    policy's warning share, with the date the latest version reaches the limit at the
//    observed rate.

#include "core/census/schedule.h"

class QChart;

namespace kw::rotation {

// At most `maxRows` rows (the schedule's most urgent) keep a busy estate readable.
QChart *timelineChart(const QList<census::ScheduleRow> &rows, qint64 nowMs, int maxRows = 40);
QChart *usageChart(const census::ScheduleRow *row, const census::Tally &census,
                   const census::Policy &policy);

// The colour of a status in both charts and the table.
QColor statusColor(census::DueStatus status);

} // namespace kw::rotation
