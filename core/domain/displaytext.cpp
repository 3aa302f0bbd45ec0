#include "core/domain/displaytext.h"

#include <algorithm>

namespace kw {

namespace {

bool keptLineBreak(char16_t c, LineBreaks lineBreaks)
{
    return lineBreaks == LineBreaks::Keep && (c == u'\n' || c == u'\t');
}

void appendEscape(QString &out, char16_t c)
{
    static constexpr char16_t digits[] = u"0123456789abcdef";
    out += QLatin1Char('\\');
    if (c < 0x100) {
        out += QLatin1Char('x');
    } else {
        out += QLatin1Char('u');
        out += QChar(digits[(c >> 12) & 0xf]);
        out += QChar(digits[(c >> 8) & 0xf]);
    }
    out += QChar(digits[(c >> 4) & 0xf]);
    out += QChar(digits[c & 0xf]);
}

} // namespace

bool isUnsafeForDisplay(char16_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069);
}

QString displaySafe(const QString &text, LineBreaks lineBreaks)
{
    const auto unsafe = [lineBreaks](QChar c) {
        return isUnsafeForDisplay(c.unicode()) && !keptLineBreak(c.unicode(), lineBreaks);
    };
    const auto first = std::find_if(text.begin(), text.end(), unsafe);
    if (first == text.end())
        return text;
    QString out;
    out.reserve(text.size() + 8);
    out.append(QStringView(text.begin(), first));
    for (auto it = first; it != text.end(); ++it) {
        if (unsafe(*it))
            appendEscape(out, it->unicode());
        else
            out += *it;
    }
    return out;
}

} // namespace kw
