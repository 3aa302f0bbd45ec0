#include "core/kms/gcpjwt.h"

#include "core/crypto/rsasign.h"

#include <QJsonDocument>
#include <QJsonValue>
#include <QList>

namespace kw::kms {

namespace {

Error invalidGrant(const QString &message)
{
    return makeError(QStringLiteral("oauth.invalid_grant"), message);
}

std::optional<QJsonObject> jsonSegment(QByteArrayView segment)
{
    const std::optional<QByteArray> bytes = decodeAnyBase64(segment);
    if (!bytes)
        return std::nullopt;
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

} // namespace

Result<GcpServiceAccount> parseServiceAccountJson(QByteArrayView json)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(QStringLiteral("kms.not_configured"),
                         QStringLiteral("The Google service-account key file is not JSON (%1).")
                             .arg(error.errorString()));
    const QJsonObject object = doc.object();
    GcpServiceAccount account;
    account.type = object.value(QLatin1String("type")).toString(account.type);
    account.clientId = object.value(QLatin1String("client_id")).toString();
    account.clientEmail = object.value(QLatin1String("client_email")).toString();
    account.privateKeyId = object.value(QLatin1String("private_key_id")).toString();
    account.privateKeyPem = crypto::SecureBytes::fromBytes(
        object.value(QLatin1String("private_key")).toString().toUtf8());
    account.tokenUri = object.value(QLatin1String("token_uri")).toString(account.tokenUri);
    if (account.type != QLatin1String("service_account"))
        return makeError(QStringLiteral("kms.not_configured"),
                         QStringLiteral("The Google credentials are of type \"%1\"; Keywarden "
                                        "signs in with a service-account key "
                                        "(\"type\": \"service_account\").")
                             .arg(account.type));
    if (account.clientEmail.isEmpty() || account.privateKeyPem.size() == 0)
        return makeError(QStringLiteral("kms.not_configured"),
                         QStringLiteral("The Google service-account key file lacks %1.")
                             .arg(account.clientEmail.isEmpty() ? QStringLiteral("client_email")
                                                                : QStringLiteral("private_key")));
    return account;
}

QByteArray base64UrlNoPad(QByteArrayView bytes)
{
    return bytes.toByteArray().toBase64(QByteArray::Base64UrlEncoding |
                                        QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> decodeAnyBase64(QByteArrayView text)
{
    const bool urlSafe = text.contains('-') || text.contains('_');
    if (urlSafe && (text.contains('+') || text.contains('/')))
        return std::nullopt;
    QByteArray padded = text.toByteArray();
    if (padded.size() % 4 == 1)
        return std::nullopt;
    while (padded.size() % 4 != 0)
        padded.append('=');
    auto decoded = QByteArray::fromBase64Encoding(
        padded, (urlSafe ? QByteArray::Base64UrlEncoding : QByteArray::Base64Encoding) |
                    QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

Result<QByteArray> makeJwtAssertion(const GcpServiceAccount &account, const QString &scope,
                                    const QString &audience, qint64 issuedAtSeconds,
                                    qint64 lifetimeSeconds)
{
    QJsonObject header{{QStringLiteral("alg"), QStringLiteral("RS256")},
                       {QStringLiteral("typ"), QStringLiteral("JWT")}};
    if (!account.privateKeyId.isEmpty())
        header.insert(QStringLiteral("kid"), account.privateKeyId);
    const QJsonObject claims{
        {QStringLiteral("iss"), account.clientEmail},
        {QStringLiteral("scope"), scope},
        {QStringLiteral("aud"), audience},
        {QStringLiteral("iat"), issuedAtSeconds},
        {QStringLiteral("exp"), issuedAtSeconds + lifetimeSeconds},
    };
    const QByteArray signingInput =
        base64UrlNoPad(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
        base64UrlNoPad(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    Result<QByteArray> signature = crypto::rs256Sign(account.privateKeyPem, signingInput);
    if (!signature)
        return signature.error();
    return QByteArray(signingInput + '.' + base64UrlNoPad(*signature));
}

Result<VerifiedJwt> verifyJwtAssertion(QByteArrayView jwt, QByteArrayView publicKeyPem)
{
    const QList<QByteArray> parts = jwt.toByteArray().split('.');
    if (parts.size() != 3)
        return invalidGrant(QStringLiteral("Invalid JWT: not three dot-separated segments."));
    const std::optional<QJsonObject> header = jsonSegment(parts[0]);
    const std::optional<QJsonObject> claims = jsonSegment(parts[1]);
    const std::optional<QByteArray> signature = decodeAnyBase64(parts[2]);
    if (!header || !claims || !signature)
        return invalidGrant(QStringLiteral("Invalid JWT: a segment is not base64url JSON."));
    if (header->value(QLatin1String("alg")).toString() != QLatin1String("RS256"))
        return invalidGrant(QStringLiteral("Invalid JWT: the algorithm must be RS256."));
    const qsizetype signedLength = parts[0].size() + 1 + parts[1].size();
    if (!crypto::rs256Verify(publicKeyPem, jwt.first(signedLength), *signature))
        return invalidGrant(QStringLiteral("Invalid JWT Signature."));
    return VerifiedJwt{*header, *claims};
}

QJsonObject peekJwtClaims(QByteArrayView jwt)
{
    const QList<QByteArray> parts = jwt.toByteArray().split('.');
    if (parts.size() != 3)
        return {};
    return jsonSegment(parts[1]).value_or(QJsonObject());
}

} // namespace kw::kms
