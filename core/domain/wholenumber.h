#pragma once
// Whole numbers typed by a user (command-line options, positional arguments), checked in full:
// the whole text must be the number, and it must lie in the range the option really allows.
// A value that does not fit is refused rather than cut to a smaller type, where
// "--partition 4294967297" would quietly have become partition 1.

#include "core/domain/result.h"

#include <QString>

namespace kw {

// `text` as an integer in [min, max]: ASCII digits with an optional leading '-', nothing else
// (no spaces, no '+', no hex). The error (code "usage.number") names the option:
// "--partition must be a whole number from 0 to 2147483647 (got '4294967297')."
Result<qint64> parseWholeNumber(const QString &option, const QString &text, qint64 min, qint64 max);

} // namespace kw
