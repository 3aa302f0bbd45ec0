#pragma once
// Ed25519 (RFC 8032) signatures: what compliance reports are signed with. The private key is
// its 32-byte seed, kept in SecureBytes and, by the applications, in the OS keychain.

#include "core/crypto/securebytes.h"
#include "core/domain/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1String>
#include <QString>

namespace kw::crypto {

inline constexpr qsizetype Ed25519SeedSize = 32;
inline constexpr qsizetype Ed25519PublicKeySize = 32;
inline constexpr qsizetype Ed25519SignatureSize = 64;

// A new private key (a random seed).
[[nodiscard]] SecureBytes newEd25519Seed();
// The public key of a 32-byte seed; ErrorBadKeyFormat for any other size.
[[nodiscard]] Result<QByteArray> ed25519PublicKey(const SecureBytes &seed);
// The 64-byte signature of `message`.
[[nodiscard]] Result<QByteArray> ed25519Sign(const SecureBytes &seed, QByteArrayView message);
// True when `signature` is `publicKey`'s signature of `message`; false for any malformed input.
[[nodiscard]] bool ed25519Verify(QByteArrayView publicKey, QByteArrayView message,
                                 QByteArrayView signature);
// A short, stable name for a public key: the first 16 bytes of its SHA-256, hex, in groups of
// four ("3f2a 9c01 ..."), for people comparing keys by eye.
[[nodiscard]] QString keyFingerprint(QByteArrayView publicKey);

} // namespace kw::crypto
