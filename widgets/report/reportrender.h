#pragma once
// A compliance report in one of its formats, before its seal: JSON and CSV from
// core/report/reportwriters.h, PDF and HTML (with the Rotation view's charts) from
// reportdocument.h. Drawing needs the QApplication's thread; the offscreen platform will do.

#include "core/domain/result.h"
#include "core/report/reportdata.h"
#include "core/report/seal.h"

#include <QByteArray>

namespace kw::reportui {

Result<QByteArray> renderReport(const report::ComplianceReport &report, report::SealFormat format);

} // namespace kw::reportui
