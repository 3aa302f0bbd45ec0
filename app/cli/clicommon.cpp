#include "clicommon.h"

#include "core/domain/displaytext.h"
#include "core/kms/kms.h"
#include "core/services/profilestore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTimeZone>

#include <cerrno>
#include <cstdio>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace kw::cli {

namespace {

const QString OptRegistry = QStringLiteral("registry");
const QString OptRegistryAuth = QStringLiteral("registry-auth");
const QString OptProfile = QStringLiteral("profile");
const QString OptRequestTimeout = QStringLiteral("request-timeout");
const QString OptBootstrap = QStringLiteral("bootstrap");
const QString OptKafkaProperty = QStringLiteral("X");
const QString OptKms = QStringLiteral("kms");
const QString OptFormat = QStringLiteral("format");

Error usage(const QString &message)
{
    return makeError(QStringLiteral("cli.usage"), message);
}

bool hasOption(const QCommandLineParser &parser, const QString &name)
{
    return parser.optionNames().contains(name);
}

} // namespace

void addConnectionOptions(QCommandLineParser &parser, Needs needs)
{
    parser.addOption({OptRegistry,
                      QStringLiteral("Schema Registry URL, e.g. https://psrc-123.region.aws."
                                     "confluent.cloud or http://localhost:8081."),
                      QStringLiteral("url")});
    parser.addOption({OptRegistryAuth,
                      QStringLiteral("Registry API key and secret (basic auth). The environment "
                                     "variable KEYWARDEN_REGISTRY_AUTH does the same without "
                                     "showing the secret in the process list."),
                      QStringLiteral("key:secret")});
    parser.addOption({OptProfile,
                      QStringLiteral("A saved connection profile (secrets from the keychain). "
                                     "Other options override its settings."),
                      QStringLiteral("name")});
    parser.addOption({OptRequestTimeout,
                      QStringLiteral("The most one registry request may take, retries and the "
                                     "whole reply included (1-3600, default 30)."),
                      QStringLiteral("seconds")});
    if (needs == Needs::RegistryAndKafka) {
        parser.addOption({OptBootstrap, QStringLiteral("Kafka bootstrap servers."),
                          QStringLiteral("host:port[,...]")});
        parser.addOption(
            {OptKafkaProperty,
             QStringLiteral("A librdkafka property, e.g. -X security.protocol=SASL_SSL "
                            "(repeatable)."),
             QStringLiteral("property=value")});
    }
    if (needs != Needs::Registry) {
        parser.addOption({OptKms,
                          QStringLiteral("KMS settings for a kms type, e.g. "
                                         "--kms local-kms:secret=S (repeatable). LOCAL_SECRET in "
                                         "the environment also sets the local-kms secret."),
                          QStringLiteral("type:key=value[,key=value]")});
    }
}

Result<profiles::ConnectionProfile> connectionFromOptions(const QCommandLineParser &parser)
{
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    profiles::ConnectionProfile profile;
    bool fromProfile = false;
    Error secretsError;
    if (parser.isSet(OptProfile)) {
        profiles::ProfileStore store(std::make_shared<profiles::KeychainSecretStore>());
        auto loaded = await(store.load(parser.value(OptProfile)));
        if (!loaded)
            return usage(loaded.error().message);
        profile = loaded->profile;
        secretsError = loaded->secretsError;
        fromProfile = true;
    }
    if (parser.isSet(OptRegistry)) {
        const QUrl url = QUrl::fromUserInput(parser.value(OptRegistry));
        if (!url.isValid() || url.host().isEmpty()) {
            return usage(QStringLiteral("--registry '%1' is not a URL like http://host:8081.")
                             .arg(parser.value(OptRegistry)));
        }
        profile.registry.baseUrl = url;
    }
    QString auth = parser.value(OptRegistryAuth);
    if (auth.isEmpty())
        auth = env.value(QStringLiteral("KEYWARDEN_REGISTRY_AUTH"));
    if (!auth.isEmpty()) {
        const qsizetype colon = auth.indexOf(QLatin1Char(':'));
        if (colon <= 0)
            return usage(QStringLiteral("--registry-auth (or KEYWARDEN_REGISTRY_AUTH) must be "
                                        "KEY:SECRET."));
        profile.registry.auth =
            registry::AuthSettings::basic(auth.left(colon), auth.mid(colon + 1));
    } else if (fromProfile && !secretsError.isEmpty() &&
               profile.registry.auth.kind != registry::AuthSettings::Kind::None) {
        return makeError(secretsError.code,
                         QStringLiteral("Profile '%1' needs its registry secret, which could not "
                                        "be read: %2 Pass --registry-auth KEY:SECRET or set "
                                        "KEYWARDEN_REGISTRY_AUTH.")
                             .arg(profile.name, secretsError.message));
    }
    if (profile.registry.baseUrl.isEmpty())
        return usage(QStringLiteral("No registry: pass --registry URL or --profile NAME."));
    if (parser.isSet(OptRequestTimeout)) {
        bool ok = false;
        const int seconds = parser.value(OptRequestTimeout).trimmed().toInt(&ok);
        if (!ok || seconds < 1 || seconds > 3600)
            return usage(QStringLiteral("--request-timeout '%1' is not a whole number of seconds "
                                        "from 1 to 3600.")
                             .arg(parser.value(OptRequestTimeout)));
        profile.registry.timeoutMs = seconds * 1000;
    }

    if (hasOption(parser, OptBootstrap)) {
        if (parser.isSet(OptBootstrap))
            profile.bootstrapServers = parser.value(OptBootstrap);
        for (const QString &kv : parser.values(OptKafkaProperty)) {
            const qsizetype eq = kv.indexOf(QLatin1Char('='));
            if (eq <= 0)
                return usage(QStringLiteral("-X '%1' is not property=value.").arg(kv));
            profile.kafkaProperties.insert(kv.left(eq).trimmed(), kv.mid(eq + 1));
        }
    }
    if (hasOption(parser, OptKms)) {
        for (const QString &spec : parser.values(OptKms)) {
            const qsizetype colon = spec.indexOf(QLatin1Char(':'));
            if (colon <= 0)
                return usage(
                    QStringLiteral("--kms '%1' is not TYPE:key=value[,key=value].").arg(spec));
            const QString type = spec.left(colon);
            // The drivers' declarations say which types and settings exist: a typo would
            // otherwise be ignored silently and show up later as a KMS failure.
            const kms::KmsDriverInfo *info = kms::driverInfo(type);
            if (!info) {
                QStringList known;
                for (const kms::KmsDriverInfo &k : kms::knownDrivers())
                    known.append(k.type);
                // Not the whole spec: its values may be secrets.
                return usage(QStringLiteral("--kms: unknown KMS type '%1' (known types: %2).")
                                 .arg(type, known.join(QStringLiteral(", "))));
            }
            for (const QString &kv :
                 spec.mid(colon + 1).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                const qsizetype eq = kv.indexOf(QLatin1Char('='));
                if (eq <= 0)
                    return usage(
                        QStringLiteral("--kms '%1': '%2' is not key=value.").arg(spec, kv));
                const QString key = kv.left(eq).trimmed();
                if (!info->setting(key))
                    return usage(QStringLiteral("--kms: %1 has no setting '%2' (its settings: "
                                                "%3).")
                                     .arg(type, key, info->keys().join(QStringLiteral(", "))));
                profile.kms[type].insert(key, kv.mid(eq + 1));
            }
        }
        const QString localSecret = env.value(QStringLiteral("LOCAL_SECRET"));
        if (!localSecret.isEmpty() && profile.kms.value(QStringLiteral("local-kms"))
                                          .value(QStringLiteral("secret"))
                                          .isEmpty())
            profile.kms[QStringLiteral("local-kms")].insert(QStringLiteral("secret"), localSecret);
    }
    if (profile.name.isEmpty())
        profile.name = profile.registry.baseUrl.toString(QUrl::RemoveUserInfo);
    if (const auto valid = profile.registry.validate(); !valid)
        return usage(valid.error().message);
    return profile;
}

void addFormatOption(QCommandLineParser &parser)
{
    parser.addOption({OptFormat, QStringLiteral("Output format: table (default) or json."),
                      QStringLiteral("json|table"), QStringLiteral("table")});
}

Result<Format> formatFromOptions(const QCommandLineParser &parser)
{
    const QString f = parser.value(OptFormat).toLower();
    if (f == QLatin1String("json"))
        return Format::Json;
    if (f == QLatin1String("table") || f.isEmpty())
        return Format::Table;
    return usage(QStringLiteral("--format must be json or table, not '%1'.").arg(f));
}

Result<qint64> timeFromOption(const QString &option, const QString &value, bool endOfDay)
{
    const QDate date = QDate::fromString(value, Qt::ISODate);
    if (date.isValid() && value.size() == 10) {
        const QDateTime start(date, QTime(0, 0), QTimeZone::utc());
        return endOfDay ? start.addDays(1).toMSecsSinceEpoch() - 1 : start.toMSecsSinceEpoch();
    }
    QDateTime time = QDateTime::fromString(value, Qt::ISODateWithMs);
    if (time.isValid() && time.timeSpec() == Qt::LocalTime)
        time = QDateTime(time.date(), time.time(), QTimeZone::utc());
    if (!time.isValid())
        return usage(QStringLiteral("--%1 '%2' is not a date (2026-12-01) or an ISO 8601 time "
                                    "(2026-12-01T08:00:00Z).")
                         .arg(option, value));
    return time.toMSecsSinceEpoch();
}

std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments)
{
    parser.addHelpOption();
    // arguments[0], the command name, stands where QCommandLineParser expects the program name.
    if (!parser.parse(arguments)) {
        printError(QStringLiteral("%1 Run 'keywarden-cli %2 --help' for its options.")
                       .arg(parser.errorText(), arguments.value(0)));
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QString help = parser.helpText();
        // Show "keywarden-cli <command>" rather than the binary path.
        const qsizetype end = help.indexOf(QLatin1Char('\n'));
        const qsizetype options = help.indexOf(QLatin1String("[options]"));
        if (options >= 0 && options < end)
            help.replace(0, options,
                         QStringLiteral("Usage: keywarden-cli %1 ").arg(arguments.value(0)));
        writeStdout(help.toUtf8());
        return ExitOk;
    }
    return std::nullopt;
}

std::optional<int> refuseExtraArguments(const QCommandLineParser &parser,
                                        const QStringList &arguments, qsizetype allowed)
{
    const QStringList positional = parser.positionalArguments();
    if (positional.size() <= allowed)
        return std::nullopt;
    const QString command = arguments.value(0);
    printError(QStringLiteral("%1: unexpected argument '%2'. Run 'keywarden-cli %1 --help' for "
                              "its arguments and options.")
                   .arg(command, positional.at(allowed)));
    return ExitUsage;
}

void printError(const Error &error)
{
    printError(error.message.isEmpty() ? error.code : error.message);
}

void printError(const QString &message)
{
    std::fflush(stdout);
    std::fprintf(stderr, "keywarden-cli: %s\n",
                 displaySafe(message, LineBreaks::Keep).toUtf8().constData());
}

int exitCodeFor(const Error &error)
{
    const QString &c = error.code;
    if (c == QLatin1String("cli.usage") || c.startsWith(QLatin1String("usage.")) ||
        c.startsWith(QLatin1String("profiles.unknown")))
        return ExitUsage;
    if (c == QLatin1String("registry.unreachable") || c == QLatin1String("registry.timeout") ||
        c == QLatin1String("registry.tls") || c == QLatin1String("registry.tls_config") ||
        c == QLatin1String("registry.http_401") || c == QLatin1String("registry.http_403") ||
        c == QLatin1String("registry.401") || c == QLatin1String("registry.403") ||
        c == QLatin1String("registry.40101") || c == QLatin1String("registry.40301") ||
        c.startsWith(QLatin1String("kafka.unreachable")) ||
        c.startsWith(QLatin1String("kafka.authentication")) ||
        c.startsWith(QLatin1String("profiles.no_keychain")) ||
        c == QLatin1String("kms.unavailable") || c == QLatin1String("kms.access_denied") ||
        c == QLatin1String("kms.throttled"))
        return ExitUnavailable;
    return ExitFailure;
}

void printTable(const QStringList &headers, const QList<QStringList> &rawRows)
{
    QList<QStringList> rows;
    rows.reserve(rawRows.size());
    for (const QStringList &raw : rawRows) {
        QStringList &row = rows.emplace_back();
        row.reserve(raw.size());
        for (const QString &cell : raw)
            row.append(displaySafe(cell));
    }
    QList<qsizetype> widths;
    for (const QString &h : headers)
        widths.append(h.size());
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    }
    auto line = [&widths](const QStringList &cells) -> QString {
        QStringList padded;
        for (qsizetype i = 0; i < cells.size(); ++i) {
            const bool last = i + 1 == cells.size();
            padded.append(last ? cells[i] : cells[i].leftJustified(widths.value(i) + 2));
        }
        QString out = padded.join(QString());
        while (out.endsWith(QLatin1Char(' ')))
            out.chop(1);
        out.append(QLatin1Char('\n'));
        return out;
    };
    QByteArray text = line(headers).toUtf8();
    for (const QStringList &row : rows)
        text += line(row).toUtf8();
    writeStdout(text);
}

void printJsonLine(const QJsonValue &value)
{
    QByteArray line;
    if (value.isObject())
        line = QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    else if (value.isArray())
        line = QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    else
        line = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    line += '\n';
    writeStdout(line);
}

void writeStdout(const QByteArray &bytes)
{
#ifdef Q_OS_UNIX
    // Large pieces (a records batch) go straight to the file descriptor, after whatever stdio
    // holds: copying them through stdout's buffer first cost a copy of the whole output.
    if (bytes.size() >= 64 * 1024) {
        std::fflush(stdout);
        const char *data = bytes.constData();
        qsizetype left = bytes.size();
        while (left > 0) {
            const ssize_t n = ::write(STDOUT_FILENO, data, static_cast<size_t>(left));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return; // a closed pipe or a full disk: stdio would have dropped it too
            data += n;
            left -= n;
        }
        return;
    }
#endif
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
}

} // namespace kw::cli
