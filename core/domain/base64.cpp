#include "core/domain/base64.h"

#include <array>

namespace kw {

namespace {

constexpr std::array<signed char, 256> makeTable()
{
    std::array<signed char, 256> table{};
    for (auto &v : table)
        v = -1;
    const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    return table;
}

constexpr std::array<signed char, 256> kTable = makeTable();

} // namespace

std::optional<QByteArray> decodeBase64(QByteArrayView input)
{
    qsizetype size = input.size();
    qsizetype padding = 0;
    while (size > 0 && input.at(size - 1) == '=') {
        --size;
        ++padding;
    }
    if (padding > 0 && (padding > 2 || size == 0 || input.size() % 4 != 0))
        return std::nullopt;

    const auto *in = reinterpret_cast<const unsigned char *>(input.data());
    QByteArray out(size / 4 * 3 + (size % 4 == 3 ? 2 : size % 4 == 2 ? 1 : 0), Qt::Uninitialized);
    char *w = out.data();
    qsizetype i = 0;
    for (; i + 4 <= size; i += 4) {
        const int a = kTable[in[i]], b = kTable[in[i + 1]], c = kTable[in[i + 2]],
                  d = kTable[in[i + 3]];
        if ((a | b | c | d) < 0)
            return std::nullopt;
        const quint32 v = (quint32(a) << 18) | (quint32(b) << 12) | (quint32(c) << 6) | quint32(d);
        *w++ = static_cast<char>(v >> 16);
        *w++ = static_cast<char>(v >> 8);
        *w++ = static_cast<char>(v);
    }
    const qsizetype rest = size - i;
    quint32 v = 0;
    for (qsizetype k = 0; k < rest; ++k) {
        const int x = kTable[in[i + k]];
        if (x < 0)
            return std::nullopt;
        v |= quint32(x) << (18 - 6 * k);
    }
    if (rest >= 2)
        *w++ = static_cast<char>(v >> 16);
    if (rest == 3)
        *w++ = static_cast<char>(v >> 8);
    return out;
}

} // namespace kw
