#include "core/domain/wholenumber.h"

#include "core/domain/displaytext.h"

#include <limits>

namespace kw {

Result<qint64> parseWholeNumber(const QString &option, const QString &text, qint64 min, qint64 max)
{
    const auto refuse = [&] {
        return makeError(QStringLiteral("usage.number"),
                         QStringLiteral("%1 must be a whole number from %2 to %3 (got '%4').")
                             .arg(option)
                             .arg(min)
                             .arg(max)
                             .arg(displaySafe(text)));
    };
    const bool negative = text.startsWith(QLatin1Char('-'));
    const qsizetype start = negative ? 1 : 0;
    if (text.size() == start)
        return refuse();
    // Accumulated as a negative number, whose range holds every qint64 including the minimum.
    constexpr qint64 lowest = std::numeric_limits<qint64>::min();
    qint64 value = 0;
    for (qsizetype i = start; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        if (c < u'0' || c > u'9')
            return refuse();
        const int digit = c - u'0';
        if (value < (lowest + digit) / 10)
            return refuse(); // beyond any qint64, so beyond the range too
        value = value * 10 - digit;
    }
    if (!negative) {
        if (value == lowest)
            return refuse();
        value = -value;
    }
    if (value < min || value > max)
        return refuse();
    return value;
}

} // namespace kw
