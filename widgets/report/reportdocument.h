#pragma once
// The compliance report as people read it: a self-contained HTML page and a PDF, both with the
// Rotation view's charts (the JSON and CSV writers are core/report/reportwriters.h). They hold
// the same sections in the same order (reportcontent.h), and render without a display: they
// need a QApplication (Qt Charts draws through QtWidgets), with the offscreen platform in the
// CLI, and run on its thread.

#include "core/domain/result.h"
#include "core/report/reportdata.h"

#include <QByteArray>
#include <QLatin1String>

namespace kw::reportdoc {

// The PDF could not be painted.
inline constexpr QLatin1String ErrorPdfPaint{"report.pdf_paint"};
// No QApplication: the charts cannot be drawn.
inline constexpr QLatin1String ErrorNoApplication{"report.no_application"};

// One UTF-8 HTML page: inline styles only (no external CSS, script, font or image), charts as
// inline <svg>, the audit anchor in <script type="application/json"
// id="keywarden-audit-anchor"> (audit::AuditAnchor::fromBytes reads it). It ends with
// "</html>\n", so a seal can follow (core/report/seal.h). Without a QApplication the charts
// are left out with a note.
QByteArray htmlReport(const report::ComplianceReport &report);

// An A4 portrait PDF at 300 dpi: a cover page, then every section; tables repeat their header
// row on each page they span, the footer says "Page N of M", charts are vector graphics.
Result<QByteArray> pdfReport(const report::ComplianceReport &report);

} // namespace kw::reportdoc
