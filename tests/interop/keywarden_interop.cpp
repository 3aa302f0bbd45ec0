// Keywarden's side of the interop tests with Confluent's JavaScript client.
//
//   keywarden-interop decrypt FIXTURE
//       Decrypts every record of a fixture written by the JS serializers (produce.mjs) and
//       compares it with the value they were given. Prints "N passed, M failed".
//   keywarden-interop encrypt FIXTURE OUT
//       Encrypts the same values with the same schemas and KEKs, but DEKs Keywarden generates
//       and wraps itself, and writes OUT in the same format for consume.mjs.

#include "core/engine/memoryregistry.h"
#include "core/engine/recorddecryptor.h"
#include "core/engine/recordencryptor.h"
#include "core/kms/kms.h"
#include "core/serde/framing.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>

#include <cstdio>

using namespace kw;

namespace {

Result<QJsonObject> readFixture(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("interop.io"),
                         QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (!doc.isObject())
        return makeError(
            QStringLiteral("interop.io"),
            QStringLiteral("%1 is not a JSON object: %2").arg(path, error.errorString()));
    return doc.object();
}

QList<serde::RecordHeader> headersOf(const QJsonObject &record)
{
    QList<serde::RecordHeader> headers;
    for (const QJsonValue &h : record.value(QStringLiteral("headers")).toArray())
        headers.append({h.toObject().value(QStringLiteral("key")).toString().toUtf8(),
                        QByteArray::fromBase64(
                            h.toObject().value(QStringLiteral("value")).toString().toLatin1())});
    return headers;
}

int decrypt(const QString &path)
{
    auto fixture = readFixture(path);
    if (!fixture) {
        std::fprintf(stderr, "%s\n", qPrintable(fixture.error().message));
        return 2;
    }
    auto registry = std::make_shared<engine::MemoryRegistry>();
    if (auto loaded = registry->load(*fixture); !loaded) {
        std::fprintf(stderr, "fixture: %s\n", qPrintable(loaded.error().message));
        return 2;
    }
    auto kms = std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
    engine::RecordDecryptor decryptor(
        registry, registry, kms,
        kms::KmsSettings{{QStringLiteral("local-kms"),
                          {{QStringLiteral("secret"),
                            fixture->value(QStringLiteral("localSecret")).toString()}}}});
    int passed = 0, failed = 0;
    for (const QJsonValue &v : fixture->value(QStringLiteral("records")).toArray()) {
        const QJsonObject r = v.toObject();
        const QString name = r.value(QStringLiteral("case")).toString();
        engine::RecordInput in;
        in.topic = r.value(QStringLiteral("topic")).toString();
        in.isKey = r.value(QStringLiteral("isKey")).toBool();
        in.dekSubject = r.value(QStringLiteral("subject")).toString();
        in.payload = QByteArray::fromBase64(r.value(QStringLiteral("value")).toString().toLatin1());
        in.headers = headersOf(r);
        const engine::RecordOutcome out = decryptor.decrypt(in);
        QString problem;
        if (!out.ok()) {
            problem = out.error.message;
        } else if (out.value != r.value(QStringLiteral("expected"))) {
            problem =
                QStringLiteral("value differs: got %1, expected %2")
                    .arg(QString::fromUtf8(
                             QJsonDocument(QJsonArray{out.value}).toJson(QJsonDocument::Compact)),
                         QString::fromUtf8(
                             QJsonDocument(QJsonArray{r.value(QStringLiteral("expected"))})
                                 .toJson(QJsonDocument::Compact)));
        } else {
            QStringList decrypted;
            for (const engine::FieldOutcome &f : out.fields) {
                if (f.status == engine::FieldOutcome::Status::Failed)
                    problem = QStringLiteral("field %1 failed: %2").arg(f.path, f.error.message);
                if (f.status == engine::FieldOutcome::Status::Decrypted)
                    decrypted.append(f.path);
            }
            if (out.payload)
                decrypted.append(QStringLiteral("(payload)"));
            for (const QJsonValue &p : r.value(QStringLiteral("encryptedPaths")).toArray())
                if (!decrypted.contains(p.toString()) && problem.isEmpty())
                    problem = QStringLiteral(
                                  "encrypted path %1 was not reported as decrypted (decrypted: %2)")
                                  .arg(p.toString(), decrypted.join(QStringLiteral(", ")));
        }
        if (problem.isEmpty()) {
            ++passed;
            std::printf("ok %s\n", qPrintable(name));
        } else {
            ++failed;
            std::printf("FAIL %s: %s\n", qPrintable(name), qPrintable(problem));
        }
    }
    const auto stats = decryptor.cacheStats();
    std::printf("KMS unwraps: %llu, DEK cache hits: %llu\n",
                static_cast<unsigned long long>(stats.kmsUnwraps),
                static_cast<unsigned long long>(stats.hits));
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

int encrypt(const QString &inPath, const QString &outPath)
{
    auto fixture = readFixture(inPath);
    if (!fixture) {
        std::fprintf(stderr, "%s\n", qPrintable(fixture.error().message));
        return 2;
    }
    // Same KEKs and schemas, no DEKs: Keywarden creates and wraps its own.
    QJsonObject state = *fixture;
    state.insert(QStringLiteral("deks"), QJsonArray{});
    auto registry = std::make_shared<engine::MemoryRegistry>(QDateTime::currentMSecsSinceEpoch());
    if (auto loaded = registry->load(state); !loaded) {
        std::fprintf(stderr, "fixture: %s\n", qPrintable(loaded.error().message));
        return 2;
    }
    QHash<int, registry::Schema> schemas;
    QHash<QUuid, int> idsByGuid;
    for (const QJsonValue &v : fixture->value(QStringLiteral("schemas")).toArray()) {
        auto s = registry::Schema::fromJson(v.toObject());
        if (!s)
            continue;
        schemas.insert(s->id, *s);
        if (!s->guid.isEmpty())
            idsByGuid.insert(QUuid::fromString(s->guid), s->id);
    }
    auto kms = std::make_shared<const kms::KmsRegistry>(kms::KmsRegistry::withBuiltInDrivers());
    const QString secret = fixture->value(QStringLiteral("localSecret")).toString();
    engine::RecordEncryptor encryptor(
        registry, kms, {{QStringLiteral("local-kms"), {{QStringLiteral("secret"), secret}}}});

    QJsonArray records;
    int failed = 0;
    for (const QJsonValue &v : fixture->value(QStringLiteral("records")).toArray()) {
        QJsonObject r = v.toObject();
        const QByteArray original =
            QByteArray::fromBase64(r.value(QStringLiteral("value")).toString().toLatin1());
        auto framed =
            serde::parseFraming(original, headersOf(r), r.value(QStringLiteral("isKey")).toBool());
        // Keywarden writes id framing; a JS record framed by GUID names its schema through it.
        const int schemaId = !framed ? 0
                             : framed->schema.kind == serde::SchemaRef::Kind::Id
                                 ? framed->schema.id
                                 : idsByGuid.value(framed->schema.guid);
        if (!schemas.contains(schemaId)) {
            std::printf("FAIL %s: cannot tell the schema of the JS record\n",
                        qPrintable(r.value(QStringLiteral("case")).toString()));
            ++failed;
            continue;
        }
        const registry::Schema &schema = schemas.value(schemaId);
        QStringList referenceTexts;
        for (const registry::SchemaReference &ref : schema.references) {
            auto referenced =
                engine::awaitResult(registry->schemaVersion(ref.subject, ref.version));
            if (referenced)
                referenceTexts.append(referenced->schema);
        }
        auto bytes = encryptor.encrypt(schema, r.value(QStringLiteral("subject")).toString(),
                                       r.value(QStringLiteral("expected")), referenceTexts);
        if (!bytes) {
            std::printf("FAIL %s: %s\n", qPrintable(r.value(QStringLiteral("case")).toString()),
                        qPrintable(bytes.error().message));
            ++failed;
            continue;
        }
        r.insert(QStringLiteral("value"), QString::fromLatin1(bytes->toBase64()));
        r.insert(QStringLiteral("headers"), QJsonArray{});
        records.append(r);
    }
    QJsonObject out = registry->save();
    out.insert(QStringLiteral("generator"), QStringLiteral("keywarden"));
    out.insert(QStringLiteral("localSecret"), secret);
    out.insert(QStringLiteral("records"), records);
    QFile f(outPath);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(outPath));
        return 2;
    }
    f.write(QJsonDocument(out).toJson());
    std::printf("wrote %lld records with %d DEKs of Keywarden's own to %s\n",
                static_cast<long long>(records.size()), encryptor.createdDeks(),
                qPrintable(outPath));
    std::printf("%lld passed, %d failed\n", static_cast<long long>(records.size()), failed);
    return failed == 0 && !records.isEmpty() ? 0 : 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 3 && args.at(1) == QLatin1String("decrypt"))
        return decrypt(args.at(2));
    if (args.size() == 4 && args.at(1) == QLatin1String("encrypt"))
        return encrypt(args.at(2), args.at(3));
    std::fprintf(stderr, "usage: keywarden-interop decrypt FIXTURE | encrypt FIXTURE OUT\n");
    return 64;
}
