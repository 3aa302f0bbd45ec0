#include "core/kms/sigv4.h"

#include "core/crypto/crypto.h"

#include <QCryptographicHash>
#include <QTimeZone>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

namespace kw::kms::sigv4 {

namespace {

constexpr char Algorithm[] = "AWS4-HMAC-SHA256";

// Headers botocore leaves unsigned: they change in transit or are added by the transport.
bool signable(const QByteArray &lowerName)
{
    static const QByteArrayList skip{"authorization",
                                     "user-agent",
                                     "x-amzn-trace-id",
                                     "expect",
                                     "connection",
                                     "keep-alive",
                                     "proxy-authenticate",
                                     "te",
                                     "trailer",
                                     "transfer-encoding",
                                     "upgrade",
                                     "content-length"};
    return !skip.contains(lowerName);
}

// RFC 3986 encoding with AWS's unreserved set (A-Za-z0-9-_.~), uppercase hex.
QByteArray uriEncode(const QByteArray &text, const QByteArray &keep = {})
{
    return text.toPercentEncoding(keep);
}

QByteArray canonicalUri(const QByteArray &rawPath)
{
    if (rawPath.isEmpty())
        return QByteArrayLiteral("/");
    // As botocore quotes the path it was given (still encoded): non-S3 services sign the
    // encoded path encoded once more.
    return uriEncode(rawPath, "/");
}

QByteArray canonicalQuery(const QByteArray &rawQuery)
{
    if (rawQuery.isEmpty())
        return {};
    QList<QPair<QByteArray, QByteArray>> pairs;
    for (const QByteArray &part : rawQuery.split('&')) {
        if (part.isEmpty())
            continue;
        const qsizetype eq = part.indexOf('=');
        const QByteArray key = eq < 0 ? part : part.left(eq);
        const QByteArray value = eq < 0 ? QByteArray() : part.mid(eq + 1);
        pairs.append({uriEncode(QByteArray::fromPercentEncoding(key)),
                      uriEncode(QByteArray::fromPercentEncoding(value))});
    }
    std::sort(pairs.begin(), pairs.end());
    QByteArrayList joined;
    for (const auto &[key, value] : pairs)
        joined.append(key + '=' + value);
    return joined.join('&');
}

QByteArray headerValue(const Request &request, const QByteArray &lowerName)
{
    QByteArrayList values;
    for (const auto &[name, value] : request.headers) {
        if (name.toLower() == lowerName)
            values.append(value.simplified());
    }
    return values.join(',');
}

std::optional<QDateTime> parseAmzDate(const QByteArray &text)
{
    if (text.size() != 16 || text.at(8) != 'T' || text.at(15) != 'Z')
        return std::nullopt;
    const QDate date =
        QDate::fromString(QString::fromLatin1(text.left(8)), QStringLiteral("yyyyMMdd"));
    const QTime time =
        QTime::fromString(QString::fromLatin1(text.mid(9, 6)), QStringLiteral("HHmmss"));
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    return QDateTime(date, time, QTimeZone::utc());
}

Error failure(QLatin1String code, const QString &message)
{
    return Error{code, message};
}

} // namespace

QByteArray Request::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

void Request::setHeader(const QByteArray &name, const QByteArray &value)
{
    headers.removeIf([&](const QPair<QByteArray, QByteArray> &h) {
        return h.first.compare(name, Qt::CaseInsensitive) == 0;
    });
    headers.append({name, value});
}

QByteArray amzDate(const QDateTime &time)
{
    return time.toUTC().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'")).toLatin1();
}

QByteArray hexSha256(QByteArrayView data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

QByteArray hmacSha256(QByteArrayView key, QByteArrayView data)
{
    QByteArray out(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char *>(data.data()),
              static_cast<size_t>(data.size()), reinterpret_cast<unsigned char *>(out.data()),
              &length))
        return {};
    out.resize(length);
    return out;
}

QByteArray canonicalRequest(const Request &request, const QByteArrayList &signedHeaders)
{
    QByteArrayList names;
    for (const QByteArray &name : signedHeaders)
        names.append(name.toLower());
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());

    QByteArray headers;
    for (const QByteArray &name : names)
        headers += name + ':' + headerValue(request, name) + '\n';

    return request.method.toUpper() + '\n' + canonicalUri(request.rawPath) + '\n' +
           canonicalQuery(request.rawQuery) + '\n' + headers + '\n' + names.join(';') + '\n' +
           hexSha256(request.body);
}

QByteArray credentialScope(QByteArrayView dateStamp, QByteArrayView region, QByteArrayView service)
{
    return dateStamp.toByteArray() + '/' + region.toByteArray() + '/' + service.toByteArray() +
           "/aws4_request";
}

QByteArray stringToSign(QByteArrayView amzDate, QByteArrayView scope,
                        QByteArrayView canonicalRequest)
{
    return QByteArray(Algorithm) + '\n' + amzDate.toByteArray() + '\n' + scope.toByteArray() +
           '\n' + hexSha256(canonicalRequest);
}

QByteArray signingKey(QByteArrayView secret, QByteArrayView dateStamp, QByteArrayView region,
                      QByteArrayView service)
{
    const QByteArray kDate =
        hmacSha256(QByteArray(QByteArray("AWS4") + secret.toByteArray()), dateStamp);
    const QByteArray kRegion = hmacSha256(kDate, region);
    const QByteArray kService = hmacSha256(kRegion, service);
    return hmacSha256(kService, "aws4_request");
}

void sign(Request &request, const Credentials &credentials, QByteArrayView region,
          QByteArrayView service, const QDateTime &now)
{
    const QByteArray date = amzDate(now);
    request.setHeader("X-Amz-Date", date);
    if (!credentials.sessionToken.isEmpty())
        request.setHeader("X-Amz-Security-Token", credentials.sessionToken);

    QByteArrayList names;
    for (const auto &header : std::as_const(request.headers)) {
        const QByteArray lower = header.first.toLower();
        if (signable(lower) && !names.contains(lower))
            names.append(lower);
    }
    std::sort(names.begin(), names.end());

    const QByteArray scope = credentialScope(date.left(8), region, service);
    const QByteArray toSign = stringToSign(date, scope, canonicalRequest(request, names));
    const QByteArray signature =
        hmacSha256(signingKey(credentials.secretAccessKey, date.left(8), region, service), toSign)
            .toHex();
    request.setHeader("Authorization", QByteArray(Algorithm) +
                                           " Credential=" + credentials.accessKeyId + '/' + scope +
                                           ", SignedHeaders=" + names.join(';') +
                                           ", Signature=" + signature);
}

Result<QByteArray> verify(const Request &request, const KeyLookup &lookup,
                          const VerifyOptions &options)
{
    const QByteArray authorization = request.header("Authorization").trimmed();
    if (authorization.isEmpty() || request.header("X-Amz-Date").isEmpty())
        return failure(ErrorMissingAuth, QStringLiteral("Missing Authentication Token"));
    if (!authorization.startsWith(QByteArray(Algorithm).append(" ")))
        return failure(ErrorMissingAuth,
                       QStringLiteral("Authorization header requires the AWS4-HMAC-SHA256 "
                                      "algorithm."));

    QByteArray credential;
    QByteArray signedHeaders;
    QByteArray signature;
    for (const QByteArray &part : authorization.mid(qsizetype(sizeof(Algorithm))).split(',')) {
        const QByteArray item = part.trimmed();
        if (item.startsWith("Credential="))
            credential = item.mid(11);
        else if (item.startsWith("SignedHeaders="))
            signedHeaders = item.mid(14);
        else if (item.startsWith("Signature="))
            signature = item.mid(10);
    }
    const QByteArrayList scopeParts = credential.split('/');
    if (credential.isEmpty() || signedHeaders.isEmpty() || signature.isEmpty() ||
        scopeParts.size() != 5)
        return failure(ErrorMissingAuth,
                       QStringLiteral("Authorization header requires 'Credential', "
                                      "'SignedHeaders' and 'Signature' parameters."));

    const QByteArray date = request.header("X-Amz-Date").trimmed();
    const std::optional<QDateTime> signedAt = parseAmzDate(date);
    if (!signedAt)
        return failure(ErrorMissingAuth, QStringLiteral("X-Amz-Date is not a valid ISO 8601 "
                                                        "basic date-time."));
    const QByteArray &keyId = scopeParts.at(0);
    if (scopeParts.at(1) != date.left(8) || scopeParts.at(4) != "aws4_request" ||
        scopeParts.at(3) != options.service)
        return failure(ErrorBadScope,
                       QStringLiteral("Credential should be scoped to a valid date, service "
                                      "and terminator: %1")
                           .arg(QString::fromLatin1(scopeParts.mid(1).join('/'))));
    if (scopeParts.at(2) != options.region)
        return failure(ErrorBadScope,
                       QStringLiteral("Credential should be scoped to a valid region, not '%1'.")
                           .arg(QString::fromLatin1(scopeParts.at(2))));

    const QByteArrayList names = signedHeaders.split(';');
    if (!names.contains("host") || !names.contains("x-amz-date"))
        return failure(ErrorBadSignature,
                       QStringLiteral("The request must sign the host and x-amz-date headers."));
    for (const QByteArray &name : names) {
        if (name != name.toLower() || request.header(name).isNull())
            return failure(ErrorBadSignature,
                           QStringLiteral("Signed header '%1' is missing from the request.")
                               .arg(QString::fromLatin1(name)));
    }

    const qint64 skew = signedAt->secsTo(options.now);
    if (skew > options.maxSkewSeconds || -skew > options.maxSkewSeconds)
        return failure(
            ErrorClockSkew,
            QStringLiteral("Signature expired: %1 is now earlier than %2 (%3 - 5 "
                           "min.)")
                .arg(QString::fromLatin1(date),
                     QString::fromLatin1(amzDate(options.now.addSecs(-options.maxSkewSeconds))),
                     QString::fromLatin1(amzDate(options.now))));

    const std::optional<KnownKey> known = lookup ? lookup(keyId) : std::nullopt;
    if (!known)
        return failure(ErrorUnknownKey,
                       QStringLiteral("The security token included in the request is invalid."));
    if (!known->sessionToken.isEmpty()) {
        const QByteArray token = request.header("X-Amz-Security-Token");
        if (!names.contains("x-amz-security-token") ||
            !crypto::constantTimeEquals(token, known->sessionToken))
            return failure(ErrorBadToken,
                           QStringLiteral("The security token included in the request is "
                                          "invalid."));
    }

    const QByteArray scope = credentialScope(date.left(8), options.region, options.service);
    const QByteArray toSign = stringToSign(date, scope, canonicalRequest(request, names));
    const QByteArray expected = hmacSha256(signingKey(known->secretAccessKey, date.left(8),
                                                      options.region, options.service),
                                           toSign)
                                    .toHex();
    if (!crypto::constantTimeEquals(expected, signature.toLower()))
        return failure(ErrorBadSignature,
                       QStringLiteral("The request signature we calculated does not match the "
                                      "signature you provided. Check your AWS Secret Access Key "
                                      "and signing method. Consult the service documentation "
                                      "for details."));
    return keyId;
}

} // namespace kw::kms::sigv4
