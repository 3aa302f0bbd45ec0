#include "core/domain/secretproperty.h"

#include <QStringList>

namespace kw {

bool isSecretProperty(QStringView name)
{
    const QString lower = name.trimmed().toString().toLower();
    static const QStringList named{
        QStringLiteral("sasl.username"),
        QStringLiteral("ssl.ca.pem"),
        QStringLiteral("sasl.oauthbearer.config"),
        QStringLiteral("sasl.jaas.config"),
        QStringLiteral("token.id"),
    };
    if (named.contains(lower))
        return true;
    for (const QLatin1String word : {QLatin1String("password"), QLatin1String("passphrase"),
                                     QLatin1String("passwd"), QLatin1String("secret")}) {
        if (lower.contains(word))
            return true;
    }
    QString words = lower;
    words.replace(QLatin1Char('_'), QLatin1Char('.')).replace(QLatin1Char('-'), QLatin1Char('.'));
    const QStringList parts = words.split(QLatin1Char('.'), Qt::SkipEmptyParts);
    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (parts[i] != QLatin1String("key"))
            continue;
        const QString before = i > 0 ? parts[i - 1] : QString();
        const QString after = parts.value(i + 1);
        // ssl.key.location / ssl.key.pem / ssl_key, *.private.key.*, *.key.pem, *.key
        if (before == QLatin1String("ssl") || before == QLatin1String("private") ||
            after == QLatin1String("pem") || after.isEmpty())
            return true;
    }
    // A token itself, not a token endpoint (sasl.oauthbearer.token.endpoint.url).
    return !parts.isEmpty() &&
           (parts.last() == QLatin1String("token") || parts.last() == QLatin1String("tokens"));
}

} // namespace kw
