#include "widgets/highlighting/jsonhighlighter.h"

#include <QSet>

namespace kw {

namespace {

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QTextCharFormat makeFormat(const QColor &color, bool bold = false)
{
    QTextCharFormat f;
    f.setForeground(color);
    if (bold)
        f.setFontWeight(QFont::Bold);
    return f;
}

const QSet<QString> &avroTypeNames()
{
    static const QSet<QString> names{
        QStringLiteral("null"),   QStringLiteral("boolean"), QStringLiteral("int"),
        QStringLiteral("long"),   QStringLiteral("float"),   QStringLiteral("double"),
        QStringLiteral("bytes"),  QStringLiteral("string"),  QStringLiteral("record"),
        QStringLiteral("enum"),   QStringLiteral("array"),   QStringLiteral("map"),
        QStringLiteral("fixed"),  QStringLiteral("object"),  QStringLiteral("integer"),
        QStringLiteral("number"),
    };
    return names;
}

} // namespace

JsonHighlighter::JsonHighlighter(QTextDocument *document, const QPalette &palette)
    : QSyntaxHighlighter(document)
{
    const bool dark = isDark(palette);
    m_key = makeFormat(dark ? QColor(0x8c, 0xc8, 0xff) : QColor(0x1f, 0x4e, 0x9a));
    m_string = makeFormat(dark ? QColor(0xa5, 0xd6, 0x8a) : QColor(0x2e, 0x7d, 0x32));
    m_number = makeFormat(dark ? QColor(0xf2, 0xb3, 0x6b) : QColor(0xb3, 0x5a, 0x00));
    m_literal = makeFormat(dark ? QColor(0xd6, 0x9e, 0xf2) : QColor(0x7b, 0x1f, 0xa2), true);
    m_avroType = makeFormat(dark ? QColor(0x6f, 0xd5, 0xd0) : QColor(0x00, 0x69, 0x7c), true);
    m_tag = makeFormat(dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xc6, 0x28, 0x28), true);
    m_punctuation = makeFormat(palette.color(QPalette::PlaceholderText));
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('"')) {
            qsizetype end = i + 1;
            while (end < n && text.at(end) != QLatin1Char('"'))
                end += text.at(end) == QLatin1Char('\\') ? 2 : 1;
            end = std::min(end + 1, n);
            qsizetype next = end;
            while (next < n && text.at(next).isSpace())
                ++next;
            const bool isKey = next < n && text.at(next) == QLatin1Char(':');
            const QString content = text.mid(i + 1, std::max<qsizetype>(0, end - i - 2));
            QTextCharFormat f = isKey ? m_key : m_string;
            if (content == QLatin1String("confluent:tags"))
                f = m_tag;
            else if (!isKey && avroTypeNames().contains(content))
                f = m_avroType;
            setFormat(int(i), int(end - i), f);
            i = end;
        } else if (c.isDigit() ||
                   (c == QLatin1Char('-') && i + 1 < n && text.at(i + 1).isDigit())) {
            qsizetype end = i + 1;
            while (end < n &&
                   (text.at(end).isDigit() || QStringLiteral(".eE+-").contains(text.at(end))))
                ++end;
            setFormat(int(i), int(end - i), m_number);
            i = end;
        } else if (c.isLetter()) {
            qsizetype end = i + 1;
            while (end < n && text.at(end).isLetter())
                ++end;
            const QStringView word = QStringView(text).mid(i, end - i);
            if (word == QLatin1String("true") || word == QLatin1String("false") ||
                word == QLatin1String("null"))
                setFormat(int(i), int(end - i), m_literal);
            i = end;
        } else {
            if (QStringLiteral("{}[],:").contains(c))
                setFormat(int(i), 1, m_punctuation);
            ++i;
        }
    }
}

} // namespace kw
