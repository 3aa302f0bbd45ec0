#pragma once
// The service-account JWT assertion Google's OAuth2 token endpoint takes (RFC 7523, signed
// RS256; kms-facts.md section 4.1), its verification (for the sandbox's token endpoint) and
// the service account a gcp-kms driver signs with.

#include "core/crypto/securebytes.h"
#include "core/domain/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QLatin1String>
#include <QString>

#include <optional>

namespace kw::kms {

inline constexpr QLatin1String GcpDefaultTokenUri{"https://oauth2.googleapis.com/token"};
inline constexpr QLatin1String GcpKmsScope{"https://www.googleapis.com/auth/cloudkms"};
inline constexpr QLatin1String GcpJwtBearerGrant{"urn:ietf:params:oauth:grant-type:jwt-bearer"};

// The fields of a service-account JSON key file a token request needs.
struct GcpServiceAccount
{
    QString type = QStringLiteral("service_account");
    QString clientId;
    QString clientEmail;
    QString privateKeyId;
    crypto::SecureBytes privateKeyPem; // PKCS#8 PEM, "\n" escapes already decoded
    QString tokenUri = QString(GcpDefaultTokenUri);
};

// Parses a service-account JSON key file (what GOOGLE_APPLICATION_CREDENTIALS names).
// Errors name the missing field, never a value.
[[nodiscard]] Result<GcpServiceAccount> parseServiceAccountJson(QByteArrayView json);

// base64url without padding (RFC 7515 section 2), as JWTs use.
[[nodiscard]] QByteArray base64UrlNoPad(QByteArrayView bytes);
// Decodes standard or URL-safe base64, padded or not; nullopt for anything else.
[[nodiscard]] std::optional<QByteArray> decodeAnyBase64(QByteArrayView text);

// The signed assertion "b64url(header).b64url(claims).b64url(signature)": header
// {"alg":"RS256","typ":"JWT","kid":privateKeyId}, claims {iss, scope, aud, iat, exp}, where
// exp = iat + lifetimeSeconds (Google accepts at most 3600).
[[nodiscard]] Result<QByteArray> makeJwtAssertion(const GcpServiceAccount &account,
                                                  const QString &scope, const QString &audience,
                                                  qint64 issuedAtSeconds,
                                                  qint64 lifetimeSeconds = 3600);

// A verified assertion: its header and claims.
struct VerifiedJwt
{
    QJsonObject header;
    QJsonObject claims;
};

// Checks the shape, "alg":"RS256" and the signature under `publicKeyPem`; the claims are the
// caller's to judge. Errors ("oauth.invalid_grant") say what is wrong, never echo the token.
[[nodiscard]] Result<VerifiedJwt> verifyJwtAssertion(QByteArrayView jwt,
                                                     QByteArrayView publicKeyPem);
// The unverified claims of a JWT (to find which account's key verifies it); empty on garbage.
[[nodiscard]] QJsonObject peekJwtClaims(QByteArrayView jwt);

} // namespace kw::kms
