#pragma once
// Strict standard-base64 decoding for ciphertext fields: the engine decodes one per encrypted
// field of every record, and QByteArray::fromBase64Encoding costs more there than the AES
// that follows.

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace kw {

// Decodes standard base64 (RFC 4648 alphabet), accepting exactly what
// QByteArray::fromBase64Encoding(input, AbortOnBase64DecodingErrors) accepts, with the same
// result: padding optional, but when present it ends the input, there are at most two '=', and
// the padded length is a multiple of four; no other characters (no whitespace); a last lone
// character adds no byte. std::nullopt when the input is refused.
std::optional<QByteArray> decodeBase64(QByteArrayView input);

} // namespace kw
