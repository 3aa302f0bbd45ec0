#pragma once
// Text that came from a server or a record (registry names, KMS key ids, docs, Kafka record
// keys, error messages that quote them) made safe to show to a person. A terminal acts on
// control characters (ESC clears the screen or retitles the window, CR overwrites a line), a
// table cell breaks on a tab or a newline, and a bidi override shows "gpj.exe" as "exe.jpg".
// Such characters become visible escapes instead (\x1b, \u202e), so the admin sees that
// something odd is there rather than its effect. JSON output needs none of this: it escapes.

#include <QString>

namespace kw {

enum class LineBreaks
{
    Escape, // one line: a table cell, a label, a message (the default)
    Keep,   // a block of text: '\n' and '\t' stay, every other control is escaped
};

// True for C0 controls (U+0000–U+001F), DEL, C1 controls (U+0080–U+009F) and the bidi
// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
[[nodiscard]] bool isUnsafeForDisplay(char16_t c);

// `text` with each unsafe character replaced: "\xHH" below U+0100, "\uHHHH" above (lower-case
// hex). Backslashes themselves are left alone, so "\x1b" typed literally reads the same as an
// escaped ESC: the point is to show that something is there, not to round-trip.
// Clean text (nearly all of it) comes back as a shared copy of `text`.
[[nodiscard]] QString displaySafe(const QString &text, LineBreaks lineBreaks = LineBreaks::Escape);

} // namespace kw
