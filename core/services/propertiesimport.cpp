#include "core/services/propertiesimport.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>

namespace kw::profiles {

namespace {

inline constexpr QLatin1String ErrorProperties{"profiles.properties"};

// One logical line of a .properties file: continuation lines joined, leading blanks dropped.
QStringList logicalLines(const QString &text)
{
    QStringList lines;
    QString current;
    bool continuing = false;
    for (QString line : text.split(QRegularExpression(QStringLiteral("\r\n|\r|\n")))) {
        if (continuing) {
            qsizetype i = 0;
            while (i < line.size() &&
                   (line[i] == QLatin1Char(' ') || line[i] == QLatin1Char('\t') ||
                    line[i] == QLatin1Char('\f')))
                ++i;
            line = line.mid(i);
        } else {
            const QString trimmed = line.trimmed();
            if (trimmed.isEmpty() || trimmed.startsWith(QLatin1Char('#')) ||
                trimmed.startsWith(QLatin1Char('!')))
                continue;
        }
        // An odd number of trailing backslashes continues the line.
        qsizetype slashes = 0;
        for (qsizetype i = line.size() - 1; i >= 0 && line[i] == QLatin1Char('\\'); --i)
            ++slashes;
        if (slashes % 2 == 1) {
            current += line.left(line.size() - 1);
            continuing = true;
            continue;
        }
        current += line;
        lines.append(current);
        current.clear();
        continuing = false;
    }
    if (continuing)
        lines.append(current);
    return lines;
}

Result<QString> unescape(const QString &in, int lineNumber)
{
    QString out;
    out.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        const QChar c = in[i];
        if (c != QLatin1Char('\\') || i + 1 >= in.size()) {
            out += c;
            continue;
        }
        const QChar e = in[++i];
        switch (e.unicode()) {
        case 't':
            out += QLatin1Char('\t');
            break;
        case 'n':
            out += QLatin1Char('\n');
            break;
        case 'r':
            out += QLatin1Char('\r');
            break;
        case 'f':
            out += QLatin1Char('\f');
            break;
        case 'u': {
            bool ok = false;
            const ushort code = in.mid(i + 1, 4).toUShort(&ok, 16);
            if (!ok || in.mid(i + 1, 4).size() != 4) {
                return makeError(
                    QString(ErrorProperties),
                    QStringLiteral("Line %1 has a malformed \\u escape.").arg(lineNumber));
            }
            out += QChar(code);
            i += 4;
            break;
        }
        default:
            out += e;
        }
    }
    return out;
}

bool isPlaceholder(const QString &value)
{
    static const QRegularExpression re(QStringLiteral("^\\{\\{.*\\}\\}$|^<.*>$|^\\$\\{.*\\}$"));
    return re.match(value.trimmed()).hasMatch();
}

// username="..." / password="..." out of a JAAS PlainLoginModule / ScramLoginModule line.
QString jaasOption(const QString &jaas, const QString &option)
{
    const QRegularExpression re(QStringLiteral("\\b%1\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")
                                    .arg(QRegularExpression::escape(option)));
    const auto m = re.match(jaas);
    return m.hasMatch() ? m.captured(1).replace(QStringLiteral("\\\""), QStringLiteral("\""))
                        : QString();
}

// Kafka client settings librdkafka understands under the same name.
bool isLibrdkafkaProperty(const QString &key)
{
    static const QStringList exact{
        QStringLiteral("security.protocol"),
        QStringLiteral("client.id"),
        QStringLiteral("sasl.username"),
        QStringLiteral("sasl.password"),
        QStringLiteral("sasl.mechanisms"),
        QStringLiteral("sasl.kerberos.service.name"),
        QStringLiteral("sasl.kerberos.principal"),
        QStringLiteral("sasl.kerberos.keytab"),
        QStringLiteral("sasl.oauthbearer.method"),
        QStringLiteral("sasl.oauthbearer.client.id"),
        QStringLiteral("sasl.oauthbearer.client.secret"),
        QStringLiteral("sasl.oauthbearer.token.endpoint.url"),
        QStringLiteral("sasl.oauthbearer.scope"),
        QStringLiteral("sasl.oauthbearer.extensions"),
        QStringLiteral("ssl.ca.location"),
        QStringLiteral("ssl.certificate.location"),
        QStringLiteral("ssl.key.location"),
        QStringLiteral("ssl.key.password"),
        QStringLiteral("ssl.endpoint.identification.algorithm"),
        QStringLiteral("enable.ssl.certificate.verification"),
        QStringLiteral("ssl.crl.location"),
        QStringLiteral("ssl.cipher.suites"),
        QStringLiteral("socket.timeout.ms"),
        QStringLiteral("socket.keepalive.enable"),
        QStringLiteral("client.dns.lookup"),
        QStringLiteral("broker.address.family"),
    };
    return exact.contains(key);
}

} // namespace

Result<QMap<QString, QString>> parseJavaProperties(const QByteArray &text)
{
    // Java 9+ reads .properties as UTF-8 (ISO-8859-1 before); Confluent's files are ASCII.
    const QString decoded = QString::fromUtf8(text);
    QMap<QString, QString> props;
    int lineNumber = 0;
    for (const QString &raw : logicalLines(decoded)) {
        ++lineNumber;
        QString line = raw;
        qsizetype i = 0;
        while (i < line.size() && line[i].isSpace())
            ++i;
        line = line.mid(i);
        // The key ends at the first unescaped '=', ':' or blank.
        qsizetype end = 0;
        for (; end < line.size(); ++end) {
            const QChar c = line[end];
            if (c == QLatin1Char('\\')) {
                ++end;
                continue;
            }
            if (c == QLatin1Char('=') || c == QLatin1Char(':') || c.isSpace())
                break;
        }
        qsizetype valueStart = end;
        while (valueStart < line.size() && line[valueStart].isSpace())
            ++valueStart;
        if (valueStart < line.size() &&
            (line[valueStart] == QLatin1Char('=') || line[valueStart] == QLatin1Char(':')))
            ++valueStart;
        while (valueStart < line.size() && line[valueStart].isSpace())
            ++valueStart;
        auto key = unescape(line.left(end), lineNumber);
        auto value = unescape(line.mid(valueStart), lineNumber);
        if (!key)
            return key.error();
        if (!value)
            return value.error();
        props.insert(*key, *value);
    }
    return props;
}

Result<PropertiesImport> importClientProperties(const QByteArray &text, const QString &profileName)
{
    auto parsed = parseJavaProperties(text);
    if (!parsed)
        return parsed.error();
    QMap<QString, QString> props = *parsed;
    PropertiesImport out;
    ConnectionProfile &p = out.profile;
    p.name = profileName;

    auto take = [&props](const QString &key) {
        return props.take(key).trimmed();
    };
    auto warnPlaceholder = [&out](const QString &key, const QString &value) {
        if (isPlaceholder(value)) {
            out.warnings.append(
                QStringLiteral("%1 is a template placeholder (%2); fill in the real value.")
                    .arg(key, value));
        }
    };

    // Schema Registry
    const QString urls = take(QStringLiteral("schema.registry.url"));
    if (!urls.isEmpty()) {
        const QStringList list = urls.split(QLatin1Char(','), Qt::SkipEmptyParts);
        const QUrl url(list.first().trimmed());
        if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty()) {
            return makeError(QString(ErrorProperties),
                             QStringLiteral("schema.registry.url '%1' is not a URL like "
                                            "https://host:8081.")
                                 .arg(list.first().trimmed()));
        }
        p.registry.baseUrl = url;
        if (list.size() > 1) {
            out.warnings.append(QStringLiteral("schema.registry.url lists %1 URLs; the profile "
                                               "uses the first, %2.")
                                    .arg(list.size())
                                    .arg(url.toString()));
        }
    }
    const QString jaas = take(QStringLiteral("sasl.jaas.config"));
    const QString jaasUser = jaasOption(jaas, QStringLiteral("username"));
    const QString jaasPassword = jaasOption(jaas, QStringLiteral("password"));

    QString basicSource = take(QStringLiteral("basic.auth.credentials.source")).toUpper();
    QString userInfo = take(QStringLiteral("basic.auth.user.info"));
    const QString srUserInfo = take(QStringLiteral("schema.registry.basic.auth.user.info"));
    if (userInfo.isEmpty())
        userInfo = srUserInfo;
    if (basicSource.isEmpty() && !userInfo.isEmpty())
        basicSource = QStringLiteral("USER_INFO");
    if (basicSource == QLatin1String("USER_INFO")) {
        const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
        if (colon < 0) {
            out.warnings.append(QStringLiteral("basic.auth.user.info is not KEY:SECRET; no "
                                               "registry credentials were imported."));
        } else {
            p.registry.auth =
                registry::AuthSettings::basic(userInfo.left(colon), userInfo.mid(colon + 1));
            warnPlaceholder(QStringLiteral("basic.auth.user.info"), userInfo);
        }
    } else if (basicSource == QLatin1String("SASL_INHERIT")) {
        if (jaasUser.isEmpty()) {
            out.warnings.append(QStringLiteral("basic.auth.credentials.source is SASL_INHERIT "
                                               "but sasl.jaas.config has no username/password."));
        } else {
            p.registry.auth = registry::AuthSettings::basic(jaasUser, jaasPassword);
        }
    } else if (basicSource == QLatin1String("URL")) {
        if (!p.registry.baseUrl.userName().isEmpty()) {
            p.registry.auth = registry::AuthSettings::basic(p.registry.baseUrl.userName(),
                                                            p.registry.baseUrl.password());
        }
    } else if (!basicSource.isEmpty()) {
        out.warnings.append(QStringLiteral("basic.auth.credentials.source %1 is not supported; "
                                           "use USER_INFO.")
                                .arg(basicSource));
    }
    // Credentials never stay in the URL itself.
    p.registry.baseUrl.setUserInfo(QString());

    const QString bearerSource = take(QStringLiteral("bearer.auth.credentials.source")).toUpper();
    const QString token = take(QStringLiteral("bearer.auth.token"));
    const QString logicalCluster = take(QStringLiteral("bearer.auth.logical.cluster"));
    const QString pools = take(QStringLiteral("bearer.auth.identity.pool.id"));
    if (bearerSource == QLatin1String("STATIC_TOKEN") ||
        (bearerSource.isEmpty() && !token.isEmpty())) {
        p.registry.auth = registry::AuthSettings::bearer(
            token, logicalCluster, pools.split(QLatin1Char(','), Qt::SkipEmptyParts));
        warnPlaceholder(QStringLiteral("bearer.auth.token"), token);
    } else if (!bearerSource.isEmpty()) {
        out.warnings.append(QStringLiteral("bearer.auth.credentials.source %1 (token fetched "
                                           "from an identity provider) is not supported yet; "
                                           "paste a token and use STATIC_TOKEN.")
                                .arg(bearerSource));
    }
    for (const QString &key :
         {QStringLiteral("bearer.auth.issuer.endpoint.url"),
          QStringLiteral("bearer.auth.client.id"), QStringLiteral("bearer.auth.client.secret"),
          QStringLiteral("bearer.auth.scope")}) {
        if (!take(key).isEmpty())
            out.warnings.append(QStringLiteral("%1 was not imported: OAuth token refresh is not "
                                               "supported yet.")
                                    .arg(key));
    }
    const QString srTrust = take(QStringLiteral("schema.registry.ssl.truststore.location"));
    const QString srTrustType =
        take(QStringLiteral("schema.registry.ssl.truststore.type")).toUpper();
    (void)take(QStringLiteral("schema.registry.ssl.truststore.password"));
    if (!srTrust.isEmpty()) {
        if (srTrustType == QLatin1String("PEM") || srTrust.endsWith(QLatin1String(".pem")) ||
            srTrust.endsWith(QLatin1String(".crt"))) {
            p.registry.tls.caFile = srTrust;
        } else {
            out.warnings.append(QStringLiteral("schema.registry.ssl.truststore.location %1 is a "
                                               "Java key store; export its CA certificates to a "
                                               "PEM file and set it as the registry's CA file.")
                                    .arg(srTrust));
        }
    }
    for (const QString &key : props.keys()) {
        if (key.startsWith(QLatin1String("schema.registry.ssl.keystore."))) {
            props.remove(key);
            out.warnings.append(QStringLiteral("%1 (a Java key store) was not imported; set the "
                                               "client certificate and key as PEM files.")
                                    .arg(key));
        }
    }

    // Kafka
    p.bootstrapServers = take(QStringLiteral("bootstrap.servers"));
    warnPlaceholder(QStringLiteral("bootstrap.servers"), p.bootstrapServers);
    QString mechanism = take(QStringLiteral("sasl.mechanism"));
    if (mechanism.isEmpty())
        mechanism = take(QStringLiteral("sasl.mechanisms"));
    if (!mechanism.isEmpty())
        p.kafkaProperties.insert(QStringLiteral("sasl.mechanisms"), mechanism);
    if (!jaas.isEmpty()) {
        if (jaas.contains(QLatin1String("OAuthBearerLoginModule"))) {
            out.warnings.append(QStringLiteral("sasl.jaas.config uses OAuthBearerLoginModule; set "
                                               "sasl.oauthbearer.* properties instead."));
        } else if (jaasUser.isEmpty()) {
            out.warnings.append(QStringLiteral("sasl.jaas.config has no username=\"...\" "
                                               "password=\"...\"; SASL credentials not imported."));
        } else {
            p.kafkaProperties.insert(QStringLiteral("sasl.username"), jaasUser);
            p.kafkaProperties.insert(QStringLiteral("sasl.password"), jaasPassword);
            warnPlaceholder(QStringLiteral("sasl.jaas.config username"), jaasUser);
        }
    }
    for (const QString &key : props.keys()) {
        const QString value = props.value(key).trimmed();
        if (isLibrdkafkaProperty(key)) {
            p.kafkaProperties.insert(key, value);
            props.remove(key);
        } else if (key.startsWith(QLatin1String("ssl.truststore.")) ||
                   key.startsWith(QLatin1String("ssl.keystore."))) {
            props.remove(key);
            out.warnings.append(QStringLiteral("%1 (a Java key store) was not imported; librdkafka "
                                               "needs PEM files: set ssl.ca.location, "
                                               "ssl.certificate.location and ssl.key.location.")
                                    .arg(key));
        }
    }
    for (auto it = props.cbegin(); it != props.cend(); ++it) {
        out.warnings.append(
            QStringLiteral("%1 was ignored: Keywarden does not use it.").arg(it.key()));
    }
    if (p.registry.baseUrl.isEmpty() && p.bootstrapServers.isEmpty()) {
        return makeError(QString(ErrorProperties),
                         QStringLiteral("The file has neither schema.registry.url nor "
                                        "bootstrap.servers; is it a Confluent client properties "
                                        "file?"));
    }
    if (p.name.isEmpty())
        p.name =
            p.registry.baseUrl.host().isEmpty() ? p.bootstrapServers : p.registry.baseUrl.host();
    return out;
}

Result<PropertiesImport> importClientPropertiesFile(const QString &path, const QString &profileName)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(QString(ErrorProperties),
                         QStringLiteral("Could not read %1: %2.").arg(path, file.errorString()));
    }
    if (file.size() > 1024 * 1024) {
        return makeError(QString(ErrorProperties),
                         QStringLiteral("%1 is larger than 1 MiB; it is not a client properties "
                                        "file.")
                             .arg(path));
    }
    return importClientProperties(
        file.readAll(), profileName.isEmpty() ? QFileInfo(path).completeBaseName() : profileName);
}

} // namespace kw::profiles
