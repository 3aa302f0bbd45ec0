#pragma once
// The built-in highlighter for JSON and Avro schema text, used when KF6 SyntaxHighlighting is
// not available. Colours keys, strings, numbers and literals, Avro type names and
// `confluent:tags`.

#include <QPalette>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace kw {

class JsonHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    JsonHighlighter(QTextDocument *document, const QPalette &palette);

protected:
    void highlightBlock(const QString &text) override;

private:
    QTextCharFormat m_key;
    QTextCharFormat m_string;
    QTextCharFormat m_number;
    QTextCharFormat m_literal;
    QTextCharFormat m_avroType;
    QTextCharFormat m_tag;
    QTextCharFormat m_punctuation;
};

} // namespace kw
