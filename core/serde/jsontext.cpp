#include "core/serde/jsontext.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>

#include <cmath>
#include <cstring>
#include <limits>

namespace kw::serde {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Appends `n` bytes to `out` and returns where to write them. QByteArray::append(const char *,
// qsizetype) goes through insert(), which costs several times more for the short pieces JSON
// is made of; resize() grows geometrically, so this stays amortised O(1).
char *grow(QByteArray &out, qsizetype n)
{
    const qsizetype at = out.size();
    out.resize(at + n);
    return out.data() + at;
}

void appendRaw(QByteArray &out, const void *data, qsizetype n)
{
    if (n > 0)
        std::memcpy(grow(out, n), data, static_cast<size_t>(n));
}
constexpr char kReplacement[] = "\xEF\xBF\xBD"; // U+FFFD in UTF-8

// The escape for an ASCII character that JSON does not allow raw in a string, or null.
void appendEscaped(QByteArray &out, unsigned char c)
{
    switch (c) {
    case '"':
        out += "\\\"";
        return;
    case '\\':
        out += "\\\\";
        return;
    case '\n':
        out += "\\n";
        return;
    case '\r':
        out += "\\r";
        return;
    case '\t':
        out += "\\t";
        return;
    default: {
        const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        appendRaw(out, escape, sizeof escape);
    }
    }
}

bool needsEscape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

// The length of the valid UTF-8 sequence starting at `p` (lead byte >= 0x80), or 0.
qsizetype validSequence(const unsigned char *p, const unsigned char *end)
{
    const unsigned char lead = p[0];
    qsizetype length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            low = 0xA0; // overlong
        else if (lead == 0xED)
            high = 0x9F; // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            low = 0x90; // overlong
        else if (lead == 0xF4)
            high = 0x8F; // above U+10FFFF
    } else {
        return 0;
    }
    if (end - p < length || p[1] < low || p[1] > high)
        return 0;
    for (qsizetype i = 2; i < length; ++i)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return length;
}

} // namespace

void appendJsonRaw(QByteArray &out, QByteArrayView bytes)
{
    appendRaw(out, bytes.data(), bytes.size());
}

void appendJsonString(QByteArray &out, QStringView text)
{
    // UTF-8 is at most 3 bytes per UTF-16 code unit; escapes are handled as they come.
    char buffer[512];
    qsizetype n = 0;
    const auto room = [&](qsizetype need) {
        if (n + need > qsizetype(sizeof buffer)) {
            appendRaw(out, buffer, n);
            n = 0;
        }
    };
    room(1);
    buffer[n++] = '"';
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char32_t c = text.at(i).unicode();
        room(4);
        if (c < 0x80) {
            if (needsEscape(static_cast<unsigned char>(c))) {
                appendRaw(out, buffer, n);
                n = 0;
                appendEscaped(out, static_cast<unsigned char>(c));
            } else {
                buffer[n++] = static_cast<char>(c);
            }
            continue;
        }
        char32_t code = c;
        if (QChar::isHighSurrogate(c) && i + 1 < text.size() &&
            QChar::isLowSurrogate(text.at(i + 1).unicode())) {
            code = QChar::surrogateToUcs4(char16_t(c), text.at(++i).unicode());
        } else if (QChar::isSurrogate(c)) {
            code = 0xFFFD; // a lone surrogate has no UTF-8 form
        }
        if (code < 0x800) {
            buffer[n++] = static_cast<char>(0xC0 | (code >> 6));
        } else if (code < 0x10000) {
            buffer[n++] = static_cast<char>(0xE0 | (code >> 12));
            buffer[n++] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        } else {
            buffer[n++] = static_cast<char>(0xF0 | (code >> 18));
            buffer[n++] = static_cast<char>(0x80 | ((code >> 12) & 0x3F));
            buffer[n++] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        }
        buffer[n++] = static_cast<char>(0x80 | (code & 0x3F));
    }
    room(1);
    buffer[n++] = '"';
    appendRaw(out, buffer, n);
}

void appendJsonUtf8(QByteArray &out, QByteArrayView utf8)
{
    out += '"';
    const auto *p = reinterpret_cast<const unsigned char *>(utf8.data());
    const unsigned char *const end = p + utf8.size();
    const unsigned char *plainFrom = p;
    const auto flush = [&](const unsigned char *to) {
        appendRaw(out, plainFrom, to - plainFrom);
    };
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            if (needsEscape(c)) {
                flush(p);
                appendEscaped(out, c);
                plainFrom = p + 1;
            }
            ++p;
            continue;
        }
        if (const qsizetype length = validSequence(p, end)) {
            p += length;
            continue;
        }
        flush(p);
        appendRaw(out, kReplacement, 3);
        plainFrom = ++p;
    }
    flush(end);
    out += '"';
}

void appendJsonBase64(QByteArray &out, QByteArrayView bytes)
{
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const qsizetype start = out.size();
    const qsizetype encoded = (bytes.size() + 2) / 3 * 4;
    out.resize(start + encoded + 2);
    char *w = out.data() + start;
    *w++ = '"';
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    qsizetype left = bytes.size();
    for (; left >= 3; left -= 3, p += 3) {
        const quint32 v = (quint32(p[0]) << 16) | (quint32(p[1]) << 8) | p[2];
        *w++ = alphabet[(v >> 18) & 63];
        *w++ = alphabet[(v >> 12) & 63];
        *w++ = alphabet[(v >> 6) & 63];
        *w++ = alphabet[v & 63];
    }
    if (left > 0) {
        const quint32 v = (quint32(p[0]) << 16) | (left == 2 ? quint32(p[1]) << 8 : 0);
        *w++ = alphabet[(v >> 18) & 63];
        *w++ = alphabet[(v >> 12) & 63];
        *w++ = left == 2 ? alphabet[(v >> 6) & 63] : '=';
        *w++ = '=';
    }
    *w = '"';
}

void appendJsonInteger(QByteArray &out, qint64 value)
{
    char digits[24];
    char *w = digits + sizeof digits;
    // Work on the magnitude as unsigned so the minimum qint64 has no overflow.
    quint64 magnitude = value < 0 ? 0 - quint64(value) : quint64(value);
    do {
        *--w = char('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0)
        *--w = '-';
    appendRaw(out, w, digits + sizeof digits - w);
}

void appendJsonDouble(QByteArray &out, double value)
{
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    // Integral values in qint64's range print as integers, as QJsonValue::toInteger() sees them.
    if (std::floor(value) == value && value >= -9223372036854775808.0 &&
        value < 9223372036854775808.0) {
        appendJsonInteger(out, static_cast<qint64>(value));
        return;
    }
    out += QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

void appendJsonValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        break;
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        break;
    case QJsonValue::Double: {
        constexpr qint64 notInteger = std::numeric_limits<qint64>::min();
        if (const qint64 i = value.toInteger(notInteger); i != notInteger)
            appendJsonInteger(out, i);
        else
            appendJsonDouble(out, value.toDouble());
        break;
    }
    case QJsonValue::String:
        appendJsonString(out, value.toString());
        break;
    case QJsonValue::Array: {
        out += '[';
        const QJsonArray a = value.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (i)
                out += ',';
            appendJsonValue(out, a.at(i));
        }
        out += ']';
        break;
    }
    case QJsonValue::Object: {
        out += '{';
        const QJsonObject o = value.toObject();
        bool first = true;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            if (!first)
                out += ',';
            first = false;
            appendJsonString(out, it.key());
            out += ':';
            appendJsonValue(out, it.value());
        }
        out += '}';
        break;
    }
    }
}

} // namespace kw::serde
