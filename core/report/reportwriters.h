#pragma once
// The report's formats without charts: JSON (everything, in the shape of the JSON Schema in
// resources/report.schema.json) and CSV (the DEK inventory, one row per DEK version, RFC 4180).
// The PDF and HTML writers, which draw the Rotation view's charts, are in widgets/report.

#include "core/report/reportdata.h"

#include <QByteArray>
#include <QJsonObject>

namespace kw::report {

// {"format": "keywarden-compliance-report", "formatVersion": 1, "cover": …, "policy": …,
//  "keks": […], "deks": […], "schedule": {…}, "counts": {…}, "coverage": […],
//  "workflows": […], "audit": {…}, "auditAnchor": {…}, "certificates": […], "controls": […],
//  "integrity": {…}, "unavailable": {sectionId: reason}}. Times are ISO 8601 UTC strings.
QJsonObject reportJson(const ComplianceReport &report);
// Indented UTF-8.
QByteArray jsonReport(const ComplianceReport &report);
// The header, then one row per DEK version in the DEK inventory's order.
QByteArray csvReport(const ComplianceReport &report);
QStringList csvColumns();

// The day of a UTC time, "2026-12-06"; "-" for none (< 0).
QString dayText(qint64 ms);
// "2026-12-06 08:30 UTC"; "-" for none (<= 0).
QString minuteText(qint64 ms);

} // namespace kw::report
