#include "core/net/connectionsettings.h"

namespace kw::registry {

namespace {

Error invalid(const QString &message)
{
    return makeError(QStringLiteral("registry.invalid_settings"), message);
}

} // namespace

AuthSettings AuthSettings::none()
{
    return AuthSettings{};
}

AuthSettings AuthSettings::basic(const QString &key, const QString &secret)
{
    AuthSettings a;
    a.kind = Kind::Basic;
    a.basicKey = key;
    a.basicSecret = secret;
    return a;
}

AuthSettings AuthSettings::bearer(const QString &token, const QString &targetSrCluster,
                                  const QStringList &identityPoolIds)
{
    AuthSettings a;
    a.kind = Kind::Bearer;
    a.bearerToken = token;
    a.targetSrCluster = targetSrCluster;
    a.identityPoolIds = identityPoolIds;
    return a;
}

bool ConnectionSettings::usesTls() const
{
    return baseUrl.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
}

bool ConnectionSettings::verifiesTls() const
{
    return usesTls() && !tls.insecureSkipVerify;
}

QString ConnectionSettings::securitySummary() const
{
    QStringList parts;
    if (!usesTls()) {
        parts << QStringLiteral("Plain HTTP: traffic and credentials are NOT encrypted");
    } else if (tls.insecureSkipVerify) {
        parts << QStringLiteral("TLS verification DISABLED: the server's identity is not checked");
    } else if (!tls.caFile.isEmpty()) {
        parts << QStringLiteral("TLS verified with system CAs + custom CA");
    } else {
        parts << QStringLiteral("TLS verified with system CAs");
    }
    if (usesTls() && !tls.clientCertFile.isEmpty())
        parts << QStringLiteral("client certificate (mTLS)");
    switch (auth.kind) {
    case AuthSettings::Kind::None:
        parts << QStringLiteral("no authentication");
        break;
    case AuthSettings::Kind::Basic:
        parts << QStringLiteral("basic auth");
        break;
    case AuthSettings::Kind::Bearer:
        parts << (auth.targetSrCluster.isEmpty()
                      ? QStringLiteral("bearer token")
                      : QStringLiteral("bearer token for %1").arg(auth.targetSrCluster));
        break;
    }
    return parts.join(QStringLiteral("; "));
}

Result<void> ConnectionSettings::validate() const
{
    if (!baseUrl.isValid() || baseUrl.host().isEmpty())
        return invalid(QStringLiteral(
            "The registry URL is not valid. Enter it as https://host[:port][/path]."));
    const QString scheme = baseUrl.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return invalid(QStringLiteral("The registry URL must start with https:// or http://."));
    if (!baseUrl.userInfo().isEmpty())
        return invalid(
            QStringLiteral("The registry URL contains credentials. Remove them from the URL "
                           "and enter them as basic auth instead."));
    if (baseUrl.hasQuery() || baseUrl.hasFragment())
        return invalid(QStringLiteral("The registry URL must not have a query or fragment."));
    if (auth.kind == AuthSettings::Kind::Basic && auth.basicKey.isEmpty())
        return invalid(QStringLiteral("Basic auth needs an API key (user name)."));
    if (auth.kind == AuthSettings::Kind::Bearer && auth.bearerToken.isEmpty())
        return invalid(QStringLiteral("Bearer auth needs a token."));
    if (tls.clientCertFile.isEmpty() != tls.clientKeyFile.isEmpty())
        return invalid(
            QStringLiteral("Mutual TLS needs both a client certificate file and its key file."));
    if (timeoutMs <= 0)
        return invalid(QStringLiteral("The request time-out must be positive."));
    if (maxRetries < 0 || retryBaseMs < 0 || retryMaxMs < retryBaseMs)
        return invalid(
            QStringLiteral("The retry settings are not valid (retries >= 0, 0 <= base <= max)."));
    if (maxResponseBytes <= 0)
        return invalid(QStringLiteral("The response size limit must be positive."));
    for (const auto &header : extraHeaders) {
        if (header.first.isEmpty() || header.first.contains(':') || header.first.contains('\n') ||
            header.second.contains('\n') || header.second.contains('\r'))
            return invalid(QStringLiteral("An extra header has an invalid name or value."));
    }
    return {};
}

} // namespace kw::registry
