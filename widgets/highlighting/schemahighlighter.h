#pragma once
// Syntax highlighting for schema text (Avro and JSON Schema are JSON). Uses KF6
// SyntaxHighlighting when the build found it, a small built-in highlighter otherwise; either
// way the colours follow the widget's palette.

#include <QPalette>
#include <QString>

class QSyntaxHighlighter;
class QTextDocument;

namespace kw {

namespace SchemaHighlighting {

// "KSyntaxHighlighting" or "built-in": which implementation this build uses.
QString backendName();
// Attaches a highlighter to the document; the document owns it.
QSyntaxHighlighter *attach(QTextDocument *document, const QPalette &palette);

} // namespace SchemaHighlighting

} // namespace kw
