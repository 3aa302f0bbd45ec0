#pragma once
// AWS Signature Version 4 (kms-facts.md §2.2), written once: the signer the AWS KMS driver uses
// and the verifier the sandbox's AWS KMS double checks every request with.

#include "core/domain/result.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QDateTime>
#include <QLatin1String>
#include <QList>
#include <QPair>

#include <functional>
#include <optional>

namespace kw::kms::sigv4 {

// Error codes of the verifier (kw::Error::code); the double maps them to AWS's own codes.
inline constexpr QLatin1String ErrorMissingAuth{"sigv4.missing_authentication"};
inline constexpr QLatin1String ErrorUnknownKey{"sigv4.unknown_access_key"};
inline constexpr QLatin1String ErrorBadSignature{"sigv4.signature_mismatch"};
inline constexpr QLatin1String ErrorBadScope{"sigv4.bad_credential_scope"};
inline constexpr QLatin1String ErrorClockSkew{"sigv4.clock_skew"};
inline constexpr QLatin1String ErrorBadToken{"sigv4.bad_security_token"};

struct Credentials
{
    QByteArray accessKeyId;
    QByteArray secretAccessKey;
    QByteArray sessionToken; // empty for long-term keys
};

// One HTTP request as it goes on the wire: the path and query still percent-encoded.
struct Request
{
    QByteArray method;
    QByteArray rawPath; // "/" or "/aws-kms/"; empty means "/"
    QByteArray rawQuery;
    QList<QPair<QByteArray, QByteArray>> headers; // Host must be among them
    QByteArray body;

    [[nodiscard]] QByteArray header(QByteArrayView name) const;
    void setHeader(const QByteArray &name, const QByteArray &value);
};

// "20150830T123600Z" for a UTC time.
[[nodiscard]] QByteArray amzDate(const QDateTime &time);
[[nodiscard]] QByteArray hexSha256(QByteArrayView data);
[[nodiscard]] QByteArray hmacSha256(QByteArrayView key, QByteArrayView data);

// The canonical request over `signedHeaders` (lowercase names, any order: they are sorted).
[[nodiscard]] QByteArray canonicalRequest(const Request &request,
                                          const QByteArrayList &signedHeaders);
// "<datestamp>/<region>/<service>/aws4_request".
[[nodiscard]] QByteArray credentialScope(QByteArrayView dateStamp, QByteArrayView region,
                                         QByteArrayView service);
[[nodiscard]] QByteArray stringToSign(QByteArrayView amzDate, QByteArrayView scope,
                                      QByteArrayView canonicalRequest);
// kSigning (raw bytes); hex it for display.
[[nodiscard]] QByteArray signingKey(QByteArrayView secret, QByteArrayView dateStamp,
                                    QByteArrayView region, QByteArrayView service);

// Signs `request` in place, as botocore's SigV4Auth does: sets X-Amz-Date, X-Amz-Security-Token
// (before signing, so it is signed) when the credentials carry one, and Authorization. Every
// header present is signed except user-agent, x-amzn-trace-id, authorization and hop-by-hop ones.
void sign(Request &request, const Credentials &credentials, QByteArrayView region,
          QByteArrayView service, const QDateTime &now);

struct VerifyOptions
{
    QByteArray region;
    QByteArray service;
    QDateTime now;
    qint64 maxSkewSeconds = 5 * 60;
};

// What the verifier needs to know of an access key: its secret, and its session token when
// the key is temporary (the request must then carry that token, signed).
struct KnownKey
{
    QByteArray secretAccessKey;
    QByteArray sessionToken;
};
using KeyLookup = std::function<std::optional<KnownKey>(const QByteArray &accessKeyId)>;

// Recomputes the signature of a received request and compares it in constant time. Checks the
// credential scope (date of X-Amz-Date, region, service, aws4_request), that host and
// x-amz-date are signed, the clock skew, and the session token. Gives the access key id.
[[nodiscard]] Result<QByteArray> verify(const Request &request, const KeyLookup &lookup,
                                        const VerifyOptions &options);

} // namespace kw::kms::sigv4
