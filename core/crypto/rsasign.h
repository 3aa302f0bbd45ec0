#pragma once
// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) over PEM keys, as service-account JWT assertions use
// (RFC 7518 section 3.3), and CRC32C (Castagnoli), the integrity check Cloud KMS sends with
// every payload.

#include "core/crypto/securebytes.h"
#include "core/domain/result.h"

#include <QByteArray>
#include <QByteArrayView>

#include <utility>

namespace kw::crypto {

// CRC32C: reflected polynomial 0x82F63B78, init and xor-out 0xFFFFFFFF (RFC 3720 B.4).
// "123456789" gives 0xE3069283; the empty input gives 0.
[[nodiscard]] quint32 crc32c(QByteArrayView data);

// A new RSA private key of `bits` bits as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
[[nodiscard]] Result<SecureBytes> newRsaPrivateKeyPem(int bits = 2048);
// The SubjectPublicKeyInfo PEM of a PEM private key; ErrorBadKeyFormat when it does not parse.
[[nodiscard]] Result<QByteArray> rsaPublicKeyPem(const SecureBytes &privateKeyPem);
// The RS256 signature of `message` with a PEM (PKCS#8 or PKCS#1) RSA private key.
// ErrorBadKeyFormat when the key does not parse or is not RSA.
[[nodiscard]] Result<QByteArray> rs256Sign(const SecureBytes &privateKeyPem,
                                           QByteArrayView message);
// True when `signature` is the RS256 signature of `message` under the PEM public key
// (SubjectPublicKeyInfo); false for any malformed input.
[[nodiscard]] bool rs256Verify(QByteArrayView publicKeyPem, QByteArrayView message,
                               QByteArrayView signature);

// RSA-OAEP with SHA-256 and MGF1-SHA-256, empty label (JWA "RSA-OAEP-256", as Azure Key Vault
// encrypts): `plaintext` under a SubjectPublicKeyInfo PEM key, the output as long as the
// modulus. ErrorBadKeyFormat when the key does not parse or is not RSA.
[[nodiscard]] Result<QByteArray> rsaOaepSha256Encrypt(QByteArrayView publicKeyPem,
                                                      QByteArrayView plaintext);
// The inverse with the PEM private key; ErrorAuthenticationFailed when the ciphertext is not OAEP
// output of that key.
[[nodiscard]] Result<SecureBytes> rsaOaepSha256Decrypt(const SecureBytes &privateKeyPem,
                                                       QByteArrayView ciphertext);
// The modulus and public exponent of a PEM private key, big-endian without leading zeros (the
// JWK "n" and "e" before base64url).
[[nodiscard]] Result<std::pair<QByteArray, QByteArray>>
rsaPublicNumbers(const SecureBytes &privateKeyPem);

} // namespace kw::crypto
