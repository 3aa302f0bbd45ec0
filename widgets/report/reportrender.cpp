#include "widgets/report/reportrender.h"

#include "core/report/reportwriters.h"
#include "widgets/report/reportdocument.h"

namespace kw::reportui {

Result<QByteArray> renderReport(const report::ComplianceReport &report, report::SealFormat format)
{
    switch (format) {
    case report::SealFormat::Pdf:
        return reportdoc::pdfReport(report);
    case report::SealFormat::Html:
        return reportdoc::htmlReport(report);
    case report::SealFormat::Json:
        return report::jsonReport(report);
    case report::SealFormat::Csv:
        return report::csvReport(report);
    }
    return makeError(QStringLiteral("report.format"), QStringLiteral("Unknown report format."));
}

} // namespace kw::reportui
