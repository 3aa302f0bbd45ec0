// keywarden-cli keks | deks KEK | subjects | schema SUBJECT [VERSION]: what the console's
// navigator and detail panes show, as a table or JSON lines.

#include "clicommon.h"
#include "commands.h"
#include "core/domain/displaytext.h"
#include "core/domain/wholenumber.h"
#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "core/services/connection.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <limits>
#include <memory>

using namespace kw;
using namespace kw::cli;

namespace {

const QString OptDeleted = QStringLiteral("deleted");

struct Session
{
    Format format = Format::Table;
    std::unique_ptr<services::Connection> connection;
    registry::SchemaRegistryClient *schemas = nullptr;
    registry::DekRegistryClient *keys = nullptr;
};

// Parses the command line and connects; null (with the exit code set) when the command must
// stop here: help shown, a usage error (more than `positional` arguments among them), a
// connection that cannot be made.
std::unique_ptr<Session> open(QCommandLineParser &parser, const QStringList &arguments,
                              qsizetype positional, int &code)
{
    if (auto stop = parseCommandLine(parser, arguments)) {
        code = *stop;
        return nullptr;
    }
    if (auto stop = refuseExtraArguments(parser, arguments, positional)) {
        code = *stop;
        return nullptr;
    }
    auto format = formatFromOptions(parser);
    auto profile = format ? connectionFromOptions(parser)
                          : Result<profiles::ConnectionProfile>(format.error());
    if (!profile) {
        printError(profile.error());
        code = exitCodeFor(profile.error());
        return nullptr;
    }
    auto s = std::make_unique<Session>();
    s->format = *format;
    s->connection = std::make_unique<services::Connection>(*profile);
    s->schemas = s->connection->schemaRegistry().get();
    s->keys = s->connection->dekRegistry().get();
    return s;
}

QString isoTime(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("-");
    return QDateTime::fromMSecsSinceEpoch(ms).toUTC().toString(Qt::ISODate);
}

QString yesNo(bool b)
{
    return b ? QStringLiteral("yes") : QStringLiteral("no");
}

int fail(const Error &error)
{
    printError(error);
    return exitCodeFor(error);
}

QString fingerprint(const QByteArray &encryptedKeyMaterial)
{
    if (encryptedKeyMaterial.isEmpty())
        return {};
    return QString::fromLatin1(
        QCryptographicHash::hash(encryptedKeyMaterial, QCryptographicHash::Sha256).toHex());
}

void addStandardOptions(QCommandLineParser &parser, const QString &description)
{
    parser.setApplicationDescription(description);
    addConnectionOptions(parser, Needs::Registry);
    addFormatOption(parser);
}

} // namespace

int runKeksCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    addStandardOptions(parser, QStringLiteral("List the KEKs of the DEK Registry with their KMS "
                                              "settings and how many DEK subjects each has."));
    parser.addOption({OptDeleted, QStringLiteral("Include soft-deleted KEKs.")});
    int code = ExitOk;
    const auto session = open(parser, arguments, 0, code);
    if (!session)
        return code;
    Session &s = *session;
    const bool deleted = parser.isSet(OptDeleted);

    auto names = await(s.keys->listAllKeks(1000, {}, deleted));
    if (!names)
        return fail(names.error());
    // All requests in flight at once; the transport limits connections per host.
    QList<QFuture<Result<registry::Kek>>> keks;
    QList<QFuture<Result<QStringList>>> subjects;
    for (const QString &name : *names) {
        keks.append(s.keys->getKek(name, deleted));
        subjects.append(s.keys->listAllDekSubjects(name, 1000, deleted));
    }
    QList<QStringList> rows;
    int failures = 0;
    for (qsizetype i = 0; i < keks.size(); ++i) {
        auto kek = await(keks[i]);
        auto subs = await(subjects[i]);
        if (!kek) {
            printError(kek.error());
            ++failures;
            continue;
        }
        const QString count = subs ? QString::number(subs->size()) : QStringLiteral("?");
        if (s.format == Format::Json) {
            QJsonObject o = kek->toJson();
            if (subs)
                o.insert(QStringLiteral("dekSubjects"), int(subs->size()));
            printJsonLine(o);
        } else {
            rows.append({kek->name, kek->kmsType, kek->kmsKeyId, yesNo(kek->shared),
                         yesNo(kek->deleted), count, isoTime(kek->ts)});
        }
    }
    if (s.format == Format::Table) {
        printTable({QStringLiteral("NAME"), QStringLiteral("KMS TYPE"),
                    QStringLiteral("KMS KEY ID"), QStringLiteral("SHARED"),
                    QStringLiteral("DELETED"), QStringLiteral("DEK SUBJECTS"),
                    QStringLiteral("UPDATED (UTC)")},
                   rows);
    }
    return failures == 0 ? ExitOk : ExitFailure;
}

int runDeksCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    addStandardOptions(parser,
                       QStringLiteral("List every DEK version under a KEK: subject, version, "
                                      "algorithm, creation time and a SHA-256 fingerprint of the "
                                      "encrypted key material (key bytes are never printed)."));
    parser.addOption({OptDeleted, QStringLiteral("Include soft-deleted DEKs.")});
    parser.addPositionalArgument(QStringLiteral("KEK"), QStringLiteral("The KEK name."));
    int code = ExitOk;
    const auto session = open(parser, arguments, 1, code);
    if (!session)
        return code;
    Session &s = *session;
    if (parser.positionalArguments().size() != 1) {
        printError(
            QStringLiteral("deks takes one KEK name. Run 'keywarden-cli keks' for the list."));
        return ExitUsage;
    }
    const QString kekName = parser.positionalArguments().first();
    const bool deleted = parser.isSet(OptDeleted);
    // A missing KEK is its own, clear error rather than an empty list.
    if (auto kek = await(s.keys->getKek(kekName, true)); !kek)
        return fail(kek.error());
    auto subjects = await(s.keys->listAllDekSubjects(kekName, 1000, deleted));
    if (!subjects)
        return fail(subjects.error());

    // The versions endpoint answers for one algorithm at a time (AES256_GCM by default).
    const QStringList algorithms{QStringLiteral("AES256_GCM"), QStringLiteral("AES128_GCM"),
                                 QStringLiteral("AES256_SIV")};
    struct Pending
    {
        QString subject;
        QString algorithm;
        QFuture<Result<QList<int>>> versions;
    };
    QList<Pending> pending;
    for (const QString &subject : *subjects) {
        for (const QString &algorithm : algorithms)
            pending.append(
                {subject, algorithm,
                 s.keys->listAllDekVersions(kekName, subject, algorithm, 1000, deleted)});
    }
    QList<QFuture<Result<registry::Dek>>> deks;
    for (Pending &p : pending) {
        auto versions = await(p.versions);
        if (!versions)
            continue; // no DEK of this algorithm under the subject
        for (int v : *versions)
            deks.append(s.keys->getDekVersion(kekName, p.subject, v, p.algorithm, deleted));
    }
    QList<QStringList> rows;
    int failures = 0;
    for (auto &f : deks) {
        auto dek = await(f);
        if (!dek) {
            printError(dek.error());
            ++failures;
            continue;
        }
        const QString fp = fingerprint(dek->encryptedKeyMaterial);
        if (s.format == Format::Json) {
            QJsonObject o = dek->toJson();
            o.remove(QStringLiteral("keyMaterial")); // plaintext key of shared KEKs: never printed
            o.remove(QStringLiteral("encryptedKeyMaterial"));
            o.insert(QStringLiteral("encryptedKeyMaterialSha256"), fp);
            printJsonLine(o);
        } else {
            rows.append({dek->subject, QString::number(dek->version), dek->algorithm,
                         isoTime(dek->ts), yesNo(dek->deleted),
                         fp.isEmpty() ? QStringLiteral("-") : fp.left(16) + QStringLiteral("…")});
        }
    }
    if (s.format == Format::Table) {
        printTable({QStringLiteral("SUBJECT"), QStringLiteral("VERSION"),
                    QStringLiteral("ALGORITHM"), QStringLiteral("CREATED (UTC)"),
                    QStringLiteral("DELETED"), QStringLiteral("SHA-256 OF ENCRYPTED KEY")},
                   rows);
    }
    return failures == 0 ? ExitOk : ExitFailure;
}

int runSubjectsCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    addStandardOptions(parser, QStringLiteral("List the Schema Registry subjects with their "
                                              "versions, schema type and encryption rules."));
    parser.addOption({OptDeleted, QStringLiteral("Include soft-deleted subjects and versions.")});
    parser.addOption({QStringLiteral("prefix"), QStringLiteral("Only subjects starting with P."),
                      QStringLiteral("P")});
    int code = ExitOk;
    const auto session = open(parser, arguments, 0, code);
    if (!session)
        return code;
    Session &s = *session;
    const bool deleted = parser.isSet(OptDeleted);
    auto subjects = await(s.schemas->allSubjects(parser.value(QStringLiteral("prefix")), deleted));
    if (!subjects)
        return fail(subjects.error());
    QList<QFuture<Result<QList<int>>>> versions;
    QList<QFuture<Result<registry::Schema>>> latest;
    for (const QString &subject : *subjects) {
        versions.append(
            s.schemas->versions(subject, registry::VersionListOptions{.deleted = deleted}));
        latest.append(s.schemas->version(subject, -1, deleted));
    }
    QList<QStringList> rows;
    int failures = 0;
    for (qsizetype i = 0; i < subjects->size(); ++i) {
        auto v = await(versions[i]);
        auto schema = await(latest[i]);
        if (!v || !schema) {
            printError(!v ? v.error() : schema.error());
            ++failures;
            continue;
        }
        // Field rules (domainRules) and payload rules (encodingRules) both name KEKs.
        QJsonArray domainRules = schema->ruleSet.value(QStringLiteral("domainRules")).toArray();
        for (const QJsonValue &rule :
             schema->ruleSet.value(QStringLiteral("encodingRules")).toArray())
            domainRules.append(rule);
        QStringList keks;
        for (const QJsonValue &rule : domainRules) {
            const QString kek = rule.toObject()
                                    .value(QStringLiteral("params"))
                                    .toObject()
                                    .value(QStringLiteral("encrypt.kek.name"))
                                    .toString();
            if (!kek.isEmpty() && !keks.contains(kek))
                keks.append(kek);
        }
        if (s.format == Format::Json) {
            QJsonArray list;
            for (int n : *v)
                list.append(n);
            printJsonLine(QJsonObject{{QStringLiteral("subject"), subjects->at(i)},
                                      {QStringLiteral("versions"), list},
                                      {QStringLiteral("latestVersion"), schema->version},
                                      {QStringLiteral("latestId"), schema->id},
                                      {QStringLiteral("schemaType"), schema->schemaType},
                                      {QStringLiteral("rules"), int(domainRules.size())},
                                      {QStringLiteral("keks"), QJsonArray::fromStringList(keks)}});
        } else {
            rows.append({subjects->at(i), QString::number(v->size()),
                         QString::number(schema->version), QString::number(schema->id),
                         schema->schemaType, QString::number(domainRules.size()),
                         keks.isEmpty() ? QStringLiteral("-") : keks.join(QStringLiteral(","))});
        }
    }
    if (s.format == Format::Table) {
        printTable({QStringLiteral("SUBJECT"), QStringLiteral("VERSIONS"), QStringLiteral("LATEST"),
                    QStringLiteral("ID"), QStringLiteral("TYPE"), QStringLiteral("RULES"),
                    QStringLiteral("KEKS")},
                   rows);
    }
    return failures == 0 ? ExitOk : ExitFailure;
}

int runSchemaCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    addStandardOptions(parser, QStringLiteral("Show one schema version: its text, rules, "
                                              "references and metadata."));
    parser.addOption({OptDeleted, QStringLiteral("Allow a soft-deleted version.")});
    parser.addPositionalArgument(QStringLiteral("SUBJECT"), QStringLiteral("The subject."));
    parser.addPositionalArgument(QStringLiteral("VERSION"),
                                 QStringLiteral("A version number or 'latest' (default)."),
                                 QStringLiteral("[VERSION]"));
    int code = ExitOk;
    const auto session = open(parser, arguments, 2, code);
    if (!session)
        return code;
    Session &s = *session;
    const QStringList pos = parser.positionalArguments();
    if (pos.isEmpty() || pos.size() > 2) {
        printError(QStringLiteral("schema takes SUBJECT [VERSION]."));
        return ExitUsage;
    }
    int version = -1;
    if (pos.size() == 2 && pos[1] != QLatin1String("latest")) {
        const auto number = parseWholeNumber(QStringLiteral("VERSION (or 'latest')"), pos[1], 1,
                                             std::numeric_limits<qint32>::max());
        if (!number)
            return fail(number.error());
        version = int(*number);
    }
    auto schema = await(s.schemas->version(pos[0], version, parser.isSet(OptDeleted)));
    if (!schema)
        return fail(schema.error());
    if (s.format == Format::Json) {
        printJsonLine(schema->toJson());
        return ExitOk;
    }
    // Names are the registry's: one line each, control characters escaped like table cells;
    // the schema text keeps its line breaks and tabs.
    QString text;
    text += QStringLiteral("Subject:  %1\nVersion:  %2\nId:       %3\nType:     %4\n")
                .arg(displaySafe(schema->subject))
                .arg(schema->version)
                .arg(schema->id)
                .arg(displaySafe(schema->schemaType));
    if (!schema->guid.isEmpty())
        text += QStringLiteral("Guid:     %1\n").arg(displaySafe(schema->guid));
    if (schema->deleted)
        text += QStringLiteral("Deleted:  yes\n");
    for (const auto &ref : schema->references)
        text += QStringLiteral("Reference: %1 -> %2 v%3\n")
                    .arg(displaySafe(ref.name), displaySafe(ref.subject))
                    .arg(ref.version);
    const QJsonDocument parsed = QJsonDocument::fromJson(schema->schema.toUtf8());
    text += QStringLiteral("\n") +
            displaySafe(parsed.isNull() ? schema->schema
                                        : QString::fromUtf8(parsed.toJson(QJsonDocument::Indented)),
                        LineBreaks::Keep) +
            QStringLiteral("\n");
    writeStdout(text.toUtf8());
    QList<QStringList> rows;
    for (const QString &kind : {QStringLiteral("domainRules"), QStringLiteral("migrationRules"),
                                QStringLiteral("encodingRules")}) {
        for (const QJsonValue &v : schema->ruleSet.value(kind).toArray()) {
            const QJsonObject r = v.toObject();
            QStringList tags;
            for (const QJsonValue &t : r.value(QStringLiteral("tags")).toArray())
                tags.append(t.toString());
            QStringList params;
            const QJsonObject p = r.value(QStringLiteral("params")).toObject();
            for (auto it = p.begin(); it != p.end(); ++it)
                params.append(it.key() + QLatin1Char('=') + it.value().toString());
            rows.append({r.value(QStringLiteral("name")).toString(),
                         r.value(QStringLiteral("kind")).toString(),
                         r.value(QStringLiteral("type")).toString(),
                         r.value(QStringLiteral("mode")).toString(), tags.join(QLatin1Char(',')),
                         params.join(QLatin1Char(' ')),
                         r.value(QStringLiteral("disabled")).toBool() ? QStringLiteral("yes")
                                                                      : QStringLiteral("no")});
        }
    }
    if (!rows.isEmpty()) {
        writeStdout("\nRules:\n");
        printTable({QStringLiteral("NAME"), QStringLiteral("KIND"), QStringLiteral("TYPE"),
                    QStringLiteral("MODE"), QStringLiteral("TAGS"), QStringLiteral("PARAMS"),
                    QStringLiteral("DISABLED")},
                   rows);
    }
    if (!schema->metadata.isEmpty()) {
        writeStdout("\nMetadata:\n");
        writeStdout(
            displaySafe(
                QString::fromUtf8(QJsonDocument(schema->metadata).toJson(QJsonDocument::Indented)),
                LineBreaks::Keep)
                .toUtf8());
    }
    return ExitOk;
}
