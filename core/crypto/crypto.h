#pragma once
// The CSFLE primitives: DEK algorithms (AES-GCM, AES-SIV per RFC 5297), HKDF, the Tink key
// protos Confluent stores as keyMaterial, and DekCipher, which encrypts/decrypts field values.

#include "core/crypto/securebytes.h"
#include "core/domain/dekalgorithm.h"
#include "core/domain/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1String>
#include <QList>
#include <QString>
#include <QStringView>

#include <memory>
#include <optional>

class QThread;

namespace kw::crypto {

// Error codes of this module (kw::Error::code).
inline constexpr QLatin1String ErrorMalformedCiphertext{"crypto.malformed_ciphertext"};
inline constexpr QLatin1String ErrorAuthenticationFailed{"crypto.authentication_failed"};
inline constexpr QLatin1String ErrorBadKeyFormat{"crypto.bad_key_format"};
inline constexpr QLatin1String ErrorInternal{"crypto.internal"};

// The algorithms and their names are domain values (core/domain/dekalgorithm.h).
using kw::algorithmName;
using kw::DekAlgorithm;
using kw::parseAlgorithm;
// Raw key size in bytes: 16, 32 or 64.
[[nodiscard]] int keySize(DekAlgorithm algorithm);

// Cryptographically secure random bytes. Aborts the process if the RNG fails, because carrying
// on with predictable keys or IVs would be worse. n <= 0 gives an empty buffer.
[[nodiscard]] SecureBytes randomBytes(qsizetype n);
// Equal sizes and equal contents, in time independent of the contents.
[[nodiscard]] bool constantTimeEquals(QByteArrayView a, QByteArrayView b);
// Frees OpenSSL's state for the calling thread (its error queue, per-thread DRBGs). OpenSSL
// frees it anyway when the thread ends, but only after QThread::wait() has returned, so a
// worker thread that ends just before the process exits looks like a leak to LeakSanitizer.
// Call it as the last crypto step of a worker thread's run.
void releaseThreadState();
// The same for a QThread: runs releaseThreadState() in the thread as it finishes.
void releaseThreadStateOnFinish(QThread *thread);

// RFC 5869 HKDF with HMAC-SHA256. An empty salt means the RFC's default (HashLen zero bytes).
// Returns an empty buffer if OpenSSL refuses (e.g. length > 255 * 32 or an empty ikm).
[[nodiscard]] SecureBytes hkdfSha256(QByteArrayView ikm, QByteArrayView salt, QByteArrayView info,
                                     qsizetype length);

// AES-GCM with a 16- or 32-byte key and empty AAD. Output: IV(12) || ciphertext || tag(16).
[[nodiscard]] kw::Result<QByteArray> aesGcmEncrypt(const SecureBytes &key,
                                                   QByteArrayView plaintext);
// As aesGcmEncrypt, with a caller-chosen 12-byte IV. Only for tests and known-answer checks:
// reusing an IV with the same key breaks GCM.
[[nodiscard]] kw::Result<QByteArray> aesGcmEncryptWithIv(const SecureBytes &key, QByteArrayView iv,
                                                         QByteArrayView plaintext);
// Fails with ErrorMalformedCiphertext (< 28 bytes) or ErrorAuthenticationFailed.
[[nodiscard]] kw::Result<QByteArray> aesGcmDecrypt(const SecureBytes &key,
                                                   QByteArrayView ciphertext);

// Deterministic AES-CMAC-SIV (RFC 5297) as Tink/Confluent use it: 64-byte key (first half
// S2V/CMAC key, second half CTR key), S2V over [empty associated data, plaintext].
// Output: SIV(16) || CTR ciphertext.
[[nodiscard]] kw::Result<QByteArray> aesSivEncrypt(const SecureBytes &key64,
                                                   QByteArrayView plaintext);
// Fails with ErrorMalformedCiphertext (< 16 bytes) or ErrorAuthenticationFailed.
[[nodiscard]] kw::Result<QByteArray> aesSivDecrypt(const SecureBytes &key64,
                                                   QByteArrayView ciphertext);
// The general RFC 5297 construction: key of 32, 48 or 64 bytes (AES-128/192/256), S2V over
// [associatedData..., plaintext]. aesSivEncrypt(k, p) == aesSivEncryptWithAd(k, {{}}, p).
[[nodiscard]] kw::Result<QByteArray>
aesSivEncryptWithAd(const SecureBytes &key, const QList<QByteArrayView> &associatedData,
                    QByteArrayView plaintext);
[[nodiscard]] kw::Result<QByteArray>
aesSivDecryptWithAd(const SecureBytes &key, const QList<QByteArrayView> &associatedData,
                    QByteArrayView ciphertext);

// Tink key protos: AesGcmKey {1: version, 3: key_value}, AesSivKey {1: version, 2: key_value}.
// Parsed as protobuf wire format; version must be 0, unknown fields are skipped, and the key
// length must match the algorithm. Errors use ErrorBadKeyFormat.
[[nodiscard]] kw::Result<SecureBytes> parseTinkKey(DekAlgorithm algorithm,
                                                   QByteArrayView serializedProto);
// Confluent's wire form (version 0 omitted): 1a 10|20 <key> for GCM, 12 40 <key> for SIV.
[[nodiscard]] SecureBytes serializeTinkKey(DekAlgorithm algorithm, const SecureBytes &rawKey);
// A fresh random key of keySize(algorithm) bytes, serialized as above.
[[nodiscard]] SecureBytes generateTinkKey(DekAlgorithm algorithm);

// A DEK ready to encrypt/decrypt field values (no version prefix; see spec §4.2). A value type
// whose copies share the key; const methods are safe to call from several threads at once.
// It keeps a few OpenSSL contexts keyed with its key and reuses them, so the AES key schedule
// is computed once per key rather than once per value; they are wiped and freed with the last
// copy.
class DekCipher
{
public:
    [[nodiscard]] static kw::Result<DekCipher> fromKeyProto(DekAlgorithm algorithm,
                                                            QByteArrayView serializedProto);
    // rawKey must be keySize(algorithm) bytes long (ErrorBadKeyFormat otherwise).
    [[nodiscard]] static kw::Result<DekCipher> fromRawKey(DekAlgorithm algorithm,
                                                          const SecureBytes &rawKey);

    [[nodiscard]] DekAlgorithm algorithm() const { return m_algorithm; }
    // GCM: random IV, so each call differs. SIV: deterministic.
    [[nodiscard]] kw::Result<QByteArray> encrypt(QByteArrayView plaintext) const;
    [[nodiscard]] kw::Result<QByteArray> decrypt(QByteArrayView ciphertext) const;

private:
    struct State;
    DekCipher(DekAlgorithm algorithm, SecureBytes key);

    DekAlgorithm m_algorithm;
    std::shared_ptr<State> m_state;
};

} // namespace kw::crypto
