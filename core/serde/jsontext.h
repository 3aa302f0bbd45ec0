#pragma once
// Compact JSON text written straight into a byte buffer: the fast path for record renderings
// (the CLI prints hundreds of thousands of them), where building QJsonValue trees and
// serialising them cost more than decoding and decrypting the records.
//
// Conventions match QJsonDocument::Compact where both apply: strings escape '"', '\\' and the
// control characters below U+0020 (\n, \r, \t by name, the rest as \u00XX); integral numbers
// are written as integers, other finite ones in the shortest form that reads back exactly, and
// NaN and infinities as null.

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QStringView>

namespace kw::serde {

// Appends bytes as they are (JSON text made earlier, punctuation). Faster than
// QByteArray::append() for the short pieces records are made of.
void appendJsonRaw(QByteArray &out, QByteArrayView bytes);

// A JSON string from UTF-16 text.
void appendJsonString(QByteArray &out, QStringView text);

// A JSON string from UTF-8 bytes. Invalid UTF-8 (stray continuation bytes, overlong forms,
// surrogates, code points above U+10FFFF, truncated sequences) becomes U+FFFD, one per
// offending byte, so the output is always valid UTF-8.
void appendJsonUtf8(QByteArray &out, QByteArrayView utf8);

// A JSON string holding the standard base64 (with padding) of `bytes`.
void appendJsonBase64(QByteArray &out, QByteArrayView bytes);

void appendJsonInteger(QByteArray &out, qint64 value);
void appendJsonDouble(QByteArray &out, double value);

// Any QJsonValue, compact; object members in QJsonObject's (sorted) order.
void appendJsonValue(QByteArray &out, const QJsonValue &value);

} // namespace kw::serde
