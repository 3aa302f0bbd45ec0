#pragma once
// The seal every compliance report carries: the SHA-256 of its content, the audit log's head
// (last MAC and entry count) when it was made, and an Ed25519 signature over both by the
// installation's report key, whose public half travels with it. `keywarden-cli report verify`
// checks it; one changed byte anywhere in the content breaks it.
//
// Where the seal sits depends on the format, so the file stays what it claims to be:
//   PDF   after %%EOF, as a PDF comment line: "%KEYWARDEN-SEAL {json}"
//   HTML  after </html>, as a comment: "<!-- KEYWARDEN-SEAL {json} -->"
//   JSON  the document's top-level "seal" member; the content is the document without it, in
//         compact form with sorted keys (QJsonDocument's), so whitespace may change freely
//   CSV   a file beside it, FILE.seal.json, so the CSV stays one row per DEK version
// In PDF and HTML the content is every byte before the seal line.

#include "core/crypto/securebytes.h"
#include "core/domain/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QLatin1String>
#include <QString>

#include <optional>

namespace kw::report {

// The file carries no seal (or its seal cannot be read).
inline constexpr QLatin1String ErrorNotSealed{"report.not_sealed"};
// The seal does not match the content, or its signature does not verify.
inline constexpr QLatin1String ErrorTampered{"report.tampered"};
// The seal verifies, but under another key than the one the caller trusts.
inline constexpr QLatin1String ErrorUntrustedKey{"report.untrusted_key"};

enum class SealFormat
{
    Pdf,
    Html,
    Json,
    Csv
};

// "pdf", "html", "json", "csv" from a file name's suffix; std::nullopt for anything else.
std::optional<SealFormat> sealFormatOf(const QString &path);

struct Seal
{
    QString sha256; // hex, of the content
    QString auditHeadMac;
    qint64 auditEntries = 0;
    qint64 signedMs = 0;
    QByteArray publicKey; // raw Ed25519, 32 bytes
    QByteArray signature; // over signedBytes()

    // What the signature covers: a versioned line per field.
    [[nodiscard]] QByteArray signedBytes() const;
    [[nodiscard]] QJsonObject toJson() const;
    static Result<Seal> fromJson(const QJsonObject &object);
    // The public key's fingerprint (crypto::keyFingerprint).
    [[nodiscard]] QString keyFingerprint() const;
};

// The head of the audit log the report was made against.
struct AuditHeadRef
{
    QString lastMac;
    qint64 entries = 0;
};

// Sealed bytes for the file, and for CSV the seal file's bytes (empty for the others).
struct SealedReport
{
    QByteArray file;
    QByteArray sealFile;
    QString sha256; // the seal's: of the content it covers
};

// Seals `content` (the report as written, for JSON its document without "seal") with the
// report key `seed`.
Result<SealedReport> seal(SealFormat format, const QByteArray &content, const AuditHeadRef &head,
                          const crypto::SecureBytes &seed, qint64 nowMs);

// Where a CSV report's seal is kept: "<path>.seal.json".
QString sealFileFor(const QString &reportPath);

// Seals `content` and writes it to `path` (whole or not at all, 0600); for CSV also the seal
// file beside it. Answers the seal's SHA-256 of the content. Errors: the seal's, or
// "report.write" naming the file.
Result<QString> saveSealed(const QString &path, SealFormat format, const QByteArray &content,
                           const AuditHeadRef &head, const crypto::SecureBytes &seed, qint64 nowMs);

// Checks a sealed file: its seal (for CSV, `sealFile`'s bytes) is there, matches the content
// and its signature verifies under the key it names; when `trustedKey` is not empty, that key
// must be the one. Answers the seal.
Result<Seal> verifySeal(SealFormat format, const QByteArray &file, const QByteArray &sealFile,
                        const QByteArray &trustedKey = {});

} // namespace kw::report
