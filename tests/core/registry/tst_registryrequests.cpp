// The exact requests the Schema Registry and DEK Registry clients put on the wire (method,
// encoded path, query, body) and how they read replies, against a scripted HTTP server: every
// endpoint, the deprecated create-DEK fallback, page walking and malformed replies.

#include "core/registry/dekregistryclient.h"
#include "core/registry/schemaregistryclient.h"
#include "fakehttpserver.h"
#include "registrytestutil.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>
#include <QUrlQuery>

#include <functional>

using namespace kw;
using namespace kw::registry;
using kw::test::FakeHttpServer;
using kw::test::FakeRequest;
using kw::test::FakeResponse;
using kw::test::wait;

namespace {
struct Expectation;
} // namespace

// moc reads the class before the raw string literals below.
class TestRegistryRequests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void dekRegistryRequests();
    void schemaRegistryRequests();
    void typedReplies();
    void createDekFallsBackOn405();
    void pageWalkerStopsOnShortPage();
    void pageWalkerSurvivesServersThatIgnorePaging();
    void pageWalkerReportsErrors();
    void malformedEntities();
    void requestBodies();
    void errorMessagesKeepPercentSigns();
    void clientWithoutTransport();

private:
    void run(const QList<Expectation> &table);

    std::unique_ptr<FakeHttpServer> m_server;
    std::unique_ptr<RestTransport> m_transport;
    std::unique_ptr<DekRegistryClient> m_deks;
    std::unique_ptr<SchemaRegistryClient> m_schemas;
};

namespace {

const QByteArray KekJson =
    R"({"name":"k","kmsType":"local-kms","kmsKeyId":"id","kmsProps":{},"shared":false,"ts":5})";
const QByteArray DekJson =
    R"({"kekName":"k","subject":"a/b","version":2,"algorithm":"AES256_SIV","encryptedKeyMaterial":"AQID","ts":6})";
const QByteArray SchemaJson =
    R"({"subject":"a/b","version":3,"id":9,"guid":"4c3a6a4e-0000-0000-0000-000000000001","schema":"\"string\""})";

struct Expectation
{
    const char *name;
    std::function<QString(DekRegistryClient &, SchemaRegistryClient &)> call; // "" on success
    QByteArray method;
    QByteArray target;
    FakeResponse response;
    QByteArray body = {};
};

template<typename T>
QString outcome(QFuture<Result<T>> future)
{
    auto r = wait(std::move(future));
    return r ? QString() : r.error().code + QStringLiteral(": ") + r.error().message;
}

FakeResponse ok(const QByteArray &json)
{
    return FakeResponse::json(200, json);
}

} // namespace

void TestRegistryRequests::init()
{
    m_server = std::make_unique<FakeHttpServer>();
    QVERIFY(m_server->listen());
    ConnectionSettings s;
    s.baseUrl = m_server->url();
    s.maxRetries = 0;
    m_transport = std::make_unique<RestTransport>(s);
    m_deks = std::make_unique<DekRegistryClient>(m_transport.get());
    m_schemas = std::make_unique<SchemaRegistryClient>(m_transport.get());
}

void TestRegistryRequests::cleanup()
{
    m_deks.reset();
    m_schemas.reset();
    m_transport.reset();
    m_server.reset();
}

void TestRegistryRequests::run(const QList<Expectation> &table)
{
    for (const Expectation &e : table) {
        m_server->requests.clear();
        m_server->enqueue(e.response);
        const QString result = e.call(*m_deks, *m_schemas);
        QVERIFY2(result.isEmpty(),
                 qPrintable(QString::fromLatin1(e.name) + QStringLiteral(": ") + result));
        QVERIFY2(m_server->requests.size() == 1, e.name);
        const FakeRequest &rq = m_server->requests.first();
        QVERIFY2(rq.method == e.method, e.name);
        QVERIFY2(rq.target == e.target,
                 qPrintable(QString::fromLatin1(e.name) + QStringLiteral(": ") +
                            QString::fromLatin1(rq.target)));
        if (!e.body.isNull())
            QVERIFY2(rq.body == e.body,
                     qPrintable(QString::fromLatin1(e.name) + QStringLiteral(": ") +
                                QString::fromUtf8(rq.body)));
    }
}

void TestRegistryRequests::dekRegistryRequests()
{
    const QString s = QStringLiteral("a/b c");
    const QByteArray K = "/dek-registry/v1/keks";
    const QByteArray D = K + "/k/deks/a%2Fb%20c";
    Kek kek;
    kek.name = QStringLiteral("k");
    kek.kmsType = QStringLiteral("local-kms");
    kek.kmsKeyId = QStringLiteral("id");
    Dek dek;
    dek.subject = s;
    dek.version = 2;
    dek.algorithm = QStringLiteral("AES256_SIV");
    dek.encryptedKeyMaterial = "\x01\x02\x03";
    const QString siv = QStringLiteral("AES256_SIV");

    run({
        {"list keks", [](auto &d, auto &) { return outcome(d.listKeks()); }, "GET", K, ok("[]")},
        {"list keks, all options",
         [](auto &d, auto &) {
             return outcome(
                 d.listKeks({{QStringLiteral("a"), QStringLiteral("b/c")}, true, 10, 5}));
         },
         "GET", K + "?subjectPrefix=a&subjectPrefix=b%2Fc&deleted=true&offset=10&limit=5",
         ok("[\"k\"]")},
        {"create kek", [kek](auto &d, auto &) { return outcome(d.createKek(kek)); }, "POST", K,
         ok(KekJson),
         R"({"deleted":false,"kmsKeyId":"id","kmsProps":{},"kmsType":"local-kms","name":"k","shared":false})"},
        {"create kek testSharing",
         [kek](auto &d, auto &) { return outcome(d.createKek(kek, true)); }, "POST",
         K + "?testSharing=true", ok(KekJson)},
        {"get kek", [](auto &d, auto &) { return outcome(d.getKek(QStringLiteral("k"))); }, "GET",
         K + "/k", ok(KekJson)},
        {"get kek deleted",
         [](auto &d, auto &) { return outcome(d.getKek(QStringLiteral("k"), true)); }, "GET",
         K + "/k?deleted=true", ok(KekJson)},
        {"update kek",
         [](auto &d, auto &) {
             KekUpdate u;
             u.doc = QStringLiteral("d");
             return outcome(d.updateKek(QStringLiteral("k"), u, true));
         },
         "PUT", K + "/k?testSharing=true", ok(KekJson), R"({"doc":"d"})"},
        {"delete kek", [](auto &d, auto &) { return outcome(d.deleteKek(QStringLiteral("k"))); },
         "DELETE", K + "/k", FakeResponse::json(204, {})},
        {"delete kek permanent",
         [](auto &d, auto &) { return outcome(d.deleteKek(QStringLiteral("k"), true)); }, "DELETE",
         K + "/k?permanent=true", FakeResponse::json(204, {})},
        {"undelete kek",
         [](auto &d, auto &) { return outcome(d.undeleteKek(QStringLiteral("k"))); }, "POST",
         K + "/k/undelete", FakeResponse::json(204, {})},
        {"test kek", [](auto &d, auto &) { return outcome(d.testKek(QStringLiteral("k"))); },
         "POST", K + "/k/test", ok(KekJson)},
        {"list dek subjects",
         [](auto &d, auto &) {
             return outcome(d.listDekSubjects(QStringLiteral("k"), {true, 1, 2}));
         },
         "GET", K + "/k/deks?deleted=true&offset=1&limit=2", ok("[\"a\"]")},
        {"create dek",
         [dek](auto &d, auto &) { return outcome(d.createDek(QStringLiteral("k"), dek, false)); },
         "POST", D, ok(DekJson),
         R"({"algorithm":"AES256_SIV","encryptedKeyMaterial":"AQID","subject":"a/b c","version":2})"},
        {"create dek rewrap",
         [dek](auto &d, auto &) { return outcome(d.createDek(QStringLiteral("k"), dek, true)); },
         "POST", D + "?rewrap=true", ok(DekJson)},
        {"get dek",
         [s, siv](auto &d, auto &) { return outcome(d.getDek(QStringLiteral("k"), s, siv, true)); },
         "GET", D + "?algorithm=AES256_SIV&deleted=true", ok(DekJson)},
        {"get dek default algorithm",
         [s](auto &d, auto &) { return outcome(d.getDek(QStringLiteral("k"), s)); }, "GET", D,
         ok(DekJson)},
        {"delete dek",
         [s, siv](auto &d, auto &) {
             return outcome(d.deleteDek(QStringLiteral("k"), s, siv, true));
         },
         "DELETE", D + "?algorithm=AES256_SIV&permanent=true", FakeResponse::json(204, {})},
        {"undelete dek",
         [s, siv](auto &d, auto &) { return outcome(d.undeleteDek(QStringLiteral("k"), s, siv)); },
         "POST", D + "/undelete?algorithm=AES256_SIV", FakeResponse::json(204, {})},
        {"list dek versions",
         [s, siv](auto &d, auto &) {
             return outcome(d.listDekVersions(QStringLiteral("k"), s, siv, {true, 0, 10}));
         },
         "GET", D + "/versions?algorithm=AES256_SIV&deleted=true&limit=10", ok("[1,2]")},
        {"get latest dek version",
         [s, siv](auto &d, auto &) {
             return outcome(d.getDekVersion(QStringLiteral("k"), s, -1, siv));
         },
         "GET", D + "/versions/latest?algorithm=AES256_SIV", ok(DekJson)},
        {"get dek version 3 deleted",
         [s](auto &d, auto &) {
             return outcome(d.getDekVersion(QStringLiteral("k"), s, 3, {}, true));
         },
         "GET", D + "/versions/3?deleted=true", ok(DekJson)},
        {"delete dek version",
         [s](auto &d, auto &) {
             return outcome(d.deleteDekVersion(QStringLiteral("k"), s, 3, {}, true));
         },
         "DELETE", D + "/versions/3?permanent=true", FakeResponse::json(204, {})},
        {"undelete dek version",
         [s, siv](auto &d, auto &) {
             return outcome(d.undeleteDekVersion(QStringLiteral("k"), s, 3, siv));
         },
         "POST", D + "/versions/3/undelete?algorithm=AES256_SIV", FakeResponse::json(204, {})},
        {"KeySource::kek",
         [](auto &d, auto &) { return outcome(d.kek(QStringLiteral("k"), true)); }, "GET",
         K + "/k?deleted=true", ok(KekJson)},
        {"KeySource::dek latest",
         [s, siv](auto &d, auto &) {
             return outcome(d.dek(QStringLiteral("k"), s, -1, siv, false));
         },
         "GET", D + "/versions/latest?algorithm=AES256_SIV", ok(DekJson)},
        {"KeySource::createDek",
         [dek](auto &d, auto &) {
             return outcome(
                 static_cast<engine::KeySource &>(d).createDek(QStringLiteral("k"), dek));
         },
         "POST", D, ok(DekJson)},
    });
}

void TestRegistryRequests::schemaRegistryRequests()
{
    const QString s = QStringLiteral("a/b");
    const QByteArray S = "/subjects/a%2Fb";
    Schema schema;
    schema.schema = QStringLiteral("\"string\"");
    SchemaFormatOptions format;
    format.subject = QStringLiteral("x y");
    format.format = QStringLiteral("resolved");
    format.referenceFormat = QStringLiteral("qualified");
    format.findTags = true;
    const QString guid = QStringLiteral("4c3a6a4e-0000-0000-0000-000000000001");

    run({
        {"subjects", [](auto &, auto &r) { return outcome(r.subjects()); }, "GET", "/subjects",
         ok("[]")},
        {"subjects, all options",
         [](auto &, auto &r) {
             return outcome(r.subjects({QStringLiteral("p:"), true, true, 3, 4}));
         },
         "GET", "/subjects?subjectPrefix=p%3A&deleted=true&deletedOnly=true&offset=3&limit=4",
         ok("[]")},
        {"versions",
         [s](auto &, auto &r) {
             return outcome(r.versions(s, {true, true, true, 1, 2}));
         },
         "GET",
         S + "/versions?deleted=true&deletedOnly=true&deletedAsNegative=true&offset=1&limit=2",
         ok("[1]")},
        {"latest version", [s](auto &, auto &r) { return outcome(r.version(s, -1)); }, "GET",
         S + "/versions/latest", ok(SchemaJson)},
        {"version with options",
         [s, format](auto &, auto &r) { return outcome(r.version(s, 3, true, format)); }, "GET",
         S + "/versions/3?deleted=true&format=resolved&referenceFormat=qualified&findTags=true",
         ok(SchemaJson)},
        {"raw schema", [s](auto &, auto &r) { return outcome(r.rawSchema(s, 3, true)); }, "GET",
         S + "/versions/3/schema?deleted=true", FakeResponse::text(200, "syntax = \"proto3\";")},
        {"referenced by", [s](auto &, auto &r) { return outcome(r.referencedBy(s, -1)); }, "GET",
         S + "/versions/latest/referencedby", ok("[4,5]")},
        {"metadata",
         [s](auto &, auto &r) {
             return outcome(r.latestWithMetadata(
                 s, {{QStringLiteral("owner"), QStringLiteral("team a")}}, true));
         },
         "GET", S + "/metadata?key=owner&value=team%20a&deleted=true", ok(SchemaJson)},
        {"schema by id",
         [](auto &, auto &r) { return outcome(r.schemaById(9, SchemaFormatOptions{})); }, "GET",
         "/schemas/ids/9", ok(R"({"schema":"\"string\""})")},
        {"schema by id with options",
         [format](auto &, auto &r) { return outcome(r.schemaById(9, format)); }, "GET",
         "/schemas/ids/9?subject=x%20y&format=resolved&referenceFormat=qualified&findTags=true",
         ok(R"({"schema":"\"string\""})")},
        {"subjects for id", [](auto &, auto &r) { return outcome(r.subjectsForId(9, true)); },
         "GET", "/schemas/ids/9/subjects?deleted=true", ok("[\"a/b\"]")},
        {"versions for id", [](auto &, auto &r) { return outcome(r.versionsForId(9)); }, "GET",
         "/schemas/ids/9/versions", ok(R"([{"subject":"a/b","version":3}])")},
        {"raw schema by id",
         [](auto &, auto &r) { return outcome(r.rawSchemaById(9, QStringLiteral("a/b"))); }, "GET",
         "/schemas/ids/9/schema?subject=a%2Fb", FakeResponse::text(200, "\"string\"")},
        {"schema by guid", [guid](auto &, auto &r) { return outcome(r.schemaByGuid(guid)); }, "GET",
         "/schemas/guids/" + guid.toLatin1(), ok(R"({"schema":"\"string\""})")},
        {"ids for guid", [guid](auto &, auto &r) { return outcome(r.idsForGuid(guid)); }, "GET",
         "/schemas/guids/" + guid.toLatin1() + "/ids", ok("[9]")},
        {"schema types", [](auto &, auto &r) { return outcome(r.schemaTypes()); }, "GET",
         "/schemas/types", ok(R"(["AVRO","JSON","PROTOBUF"])")},
        {"schemas",
         [](auto &, auto &r) {
             return outcome(
                 r.schemas({QStringLiteral("a"), true, true, QStringLiteral("ENCRYPT"), 2, 3}));
         },
         "GET",
         "/schemas?subjectPrefix=a&deleted=true&latestOnly=true&ruleType=ENCRYPT&offset=2&limit=3",
         ok("[" + SchemaJson + "]")},
        {"lookup",
         [s, schema](auto &, auto &r) { return outcome(r.lookup(s, schema, true, true)); }, "POST",
         S + "?normalize=true&deleted=true", ok(SchemaJson), R"({"schema":"\"string\""})"},
        {"register", [s, schema](auto &, auto &r) { return outcome(r.registerSchema(s, schema)); },
         "POST", S + "/versions", ok(R"({"id":9})"), R"({"schema":"\"string\""})"},
        {"delete subject", [s](auto &, auto &r) { return outcome(r.deleteSubject(s, true)); },
         "DELETE", S + "?permanent=true", ok("[1,2]")},
        {"delete version", [s](auto &, auto &r) { return outcome(r.deleteVersion(s, 2)); },
         "DELETE", S + "/versions/2", ok("2")},
        {"config", [](auto &, auto &r) { return outcome(r.config()); }, "GET", "/config",
         ok(R"({"compatibilityLevel":"BACKWARD"})")},
        {"subject config", [s](auto &, auto &r) { return outcome(r.config(s, true)); }, "GET",
         "/config/a%2Fb?defaultToGlobal=true", ok(R"({"compatibilityLevel":"BACKWARD"})")},
        {"SchemaSource::schemaByGuid",
         [guid](auto &, auto &r) {
             return outcome(static_cast<engine::SchemaSource &>(r).schemaByGuid(QUuid(guid)));
         },
         "GET", "/schemas/guids/" + guid.toLatin1(), ok(R"({"schema":"\"string\""})")},
        {"SchemaSource::schemaVersion explicit",
         [s](auto &, auto &r) {
             return outcome(static_cast<engine::SchemaSource &>(r).schemaVersion(s, 3));
         },
         "GET", S + "/versions/3?deleted=true", ok(SchemaJson)},
        {"SchemaSource::schemaVersion latest",
         [s](auto &, auto &r) {
             return outcome(static_cast<engine::SchemaSource &>(r).schemaVersion(s, -1));
         },
         "GET", S + "/versions/latest", ok(SchemaJson)},
    });
}

void TestRegistryRequests::typedReplies()
{
    m_server->enqueue(ok(DekJson));
    auto dek = wait(m_deks->getDek(QStringLiteral("k"), QStringLiteral("a/b")));
    KW_VERIFY_OK(dek);
    QCOMPARE(dek->version, 2);
    QCOMPARE(dek->algorithm, QStringLiteral("AES256_SIV"));
    QCOMPARE(dek->encryptedKeyMaterial, QByteArray("\x01\x02\x03"));

    m_server->enqueue(ok(R"({"schema":"\"string\"","schemaType":"JSON"})"));
    auto byId = wait(m_schemas->schemaById(42, SchemaFormatOptions{}));
    KW_VERIFY_OK(byId);
    QCOMPARE(byId->id, 42); // filled in from the request
    QCOMPARE(byId->schemaType, QStringLiteral("JSON"));

    m_server->enqueue(ok(R"({"schema":"\"string\""})"));
    auto byGuid = wait(m_schemas->schemaByGuid(QStringLiteral("g-1")));
    KW_VERIFY_OK(byGuid);
    QCOMPARE(byGuid->guid, QStringLiteral("g-1"));
    QCOMPARE(byGuid->schemaType, QStringLiteral("AVRO"));

    m_server->enqueue(ok(R"([{"subject":"a","version":1},{"subject":"b/c","version":4}])"));
    auto versions = wait(m_schemas->versionsForId(3));
    KW_VERIFY_OK(versions);
    QCOMPARE(*versions,
             (QList<SubjectVersion>{{QStringLiteral("a"), 1}, {QStringLiteral("b/c"), 4}}));

    m_server->enqueue(FakeResponse::text(200, "syntax = \"proto3\";\nmessage M {}"));
    auto raw = wait(m_schemas->rawSchemaById(3));
    KW_VERIFY_OK(raw);
    QCOMPARE(*raw, QByteArray("syntax = \"proto3\";\nmessage M {}"));

    m_server->enqueue(ok("7"));
    auto deleted = wait(m_schemas->deleteVersion(QStringLiteral("s"), 7));
    KW_VERIFY_OK(deleted);
    QCOMPARE(*deleted, 7);

    m_server->enqueue(ok(R"({"id":12,"version":1,"guid":"x"})"));
    auto id = wait(m_schemas->registerSchema(QStringLiteral("s"), Schema{}));
    KW_VERIFY_OK(id);
    QCOMPARE(*id, 12);
}

void TestRegistryRequests::createDekFallsBackOn405()
{
    m_server->enqueue(FakeResponse::error(405, 405, "HTTP 405 Method Not Allowed"));
    m_server->enqueue(ok(DekJson));
    Dek dek;
    dek.subject = QStringLiteral("a/b");
    dek.algorithm = QStringLiteral("AES256_SIV");
    auto created = wait(m_deks->createDek(QStringLiteral("k"), dek, false));
    KW_VERIFY_OK(created);
    QCOMPARE(created->version, 2);
    QCOMPARE(m_server->requests.size(), 2);
    QCOMPARE(m_server->requests.at(0).target, QByteArray("/dek-registry/v1/keks/k/deks/a%2Fb"));
    QCOMPARE(m_server->requests.at(1).method, QByteArray("POST"));
    QCOMPARE(m_server->requests.at(1).target, QByteArray("/dek-registry/v1/keks/k/deks"));
    QCOMPARE(m_server->requests.at(1).body,
             QByteArray(R"({"algorithm":"AES256_SIV","subject":"a/b","version":1})"));

    // Errors of the fallback are reported; other errors do not trigger it.
    m_server->requests.clear();
    m_server->enqueue(FakeResponse::text(405, "Method Not Allowed"));
    m_server->enqueue(FakeResponse::error(404, 40470, "Key 'k' not found"));
    KW_VERIFY_ERROR(wait(m_deks->createDek(QStringLiteral("k"), dek, false)), "registry.40470");
    QCOMPARE(m_server->requests.size(), 2);
    m_server->requests.clear();
    m_server->enqueue(FakeResponse::error(409, 40971, "Key 'k' already exists"));
    KW_VERIFY_ERROR(wait(m_deks->createDek(QStringLiteral("k"), dek, false)), "registry.40971");
    QCOMPARE(m_server->requests.size(), 1);
}

void TestRegistryRequests::pageWalkerStopsOnShortPage()
{
    m_server->setHandler([](const FakeRequest &rq) {
        const QUrlQuery q(QUrl::fromEncoded(rq.target).query());
        const int offset = q.queryItemValue(QStringLiteral("offset")).toInt();
        const int limit = q.queryItemValue(QStringLiteral("limit")).toInt();
        QJsonArray names;
        for (int i = offset; i < std::min(offset + limit, 7); ++i)
            names.append(QStringLiteral("k%1").arg(i));
        return ok(QJsonDocument(names).toJson(QJsonDocument::Compact));
    });
    auto all = wait(m_deks->listAllKeks(3, {QStringLiteral("p")}, true));
    KW_VERIFY_OK(all);
    QCOMPARE(all->size(), 7);
    QCOMPARE(all->last(), QStringLiteral("k6"));
    QCOMPARE(m_server->requests.size(), 3);
    QCOMPARE(m_server->requests.at(0).target,
             QByteArray("/dek-registry/v1/keks?subjectPrefix=p&deleted=true&limit=3"));
    QCOMPARE(m_server->requests.at(2).target,
             QByteArray("/dek-registry/v1/keks?subjectPrefix=p&deleted=true&offset=6&limit=3"));

    // An exact multiple ends with an empty page.
    m_server->requests.clear();
    auto versions = wait(m_deks->listAllDekSubjects(QStringLiteral("k"), 7));
    KW_VERIFY_OK(versions);
    QCOMPARE(versions->size(), 7);
    QCOMPARE(m_server->requests.size(), 2);
}

void TestRegistryRequests::pageWalkerSurvivesServersThatIgnorePaging()
{
    // An old server answers every page with everything.
    m_server->setHandler([](const FakeRequest &) { return ok("[1,2,3,4,5]"); });
    auto versions =
        wait(m_deks->listAllDekVersions(QStringLiteral("k"), QStringLiteral("s"), {}, 2));
    KW_VERIFY_OK(versions);
    QCOMPARE(*versions, (QList<int>{1, 2, 3, 4, 5}));
    QCOMPARE(m_server->requests.size(), 1);

    // One that honours limit but ignores offset repeats the first page.
    m_server->requests.clear();
    m_server->setHandler([](const FakeRequest &) { return ok("[\"a\",\"b\"]"); });
    auto subjects = wait(m_schemas->allSubjects({}, false, 2));
    KW_VERIFY_OK(subjects);
    QCOMPARE(*subjects, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(m_server->requests.size(), 2);
}

void TestRegistryRequests::pageWalkerReportsErrors()
{
    m_server->enqueue(ok("[\"a\",\"b\"]"));
    m_server->enqueue(FakeResponse::error(404, 40470, "Key 'k' not found"));
    KW_VERIFY_ERROR(wait(m_deks->listAllDekSubjects(QStringLiteral("k"), 2)), "registry.40470");
}

void TestRegistryRequests::malformedEntities()
{
    const QList<QByteArray> bodies{R"({"kmsType":"local-kms","kmsKeyId":"id"})", R"(["k"])",
                                   R"({"name":5})"};
    for (const QByteArray &body : bodies) {
        m_server->enqueue(ok(body));
        auto kek = wait(m_deks->getKek(QStringLiteral("k")));
        KW_VERIFY_ERROR(kek, "registry.malformed_reply");
        QVERIFY2(kek.error().message.contains(QStringLiteral("GET /dek-registry/v1/keks/k")),
                 qPrintable(kek.error().message));
    }
    m_server->enqueue(ok(R"({"kekName":"k","subject":"s","encryptedKeyMaterial":"not base64!"})"));
    KW_VERIFY_ERROR(wait(m_deks->getDek(QStringLiteral("k"), QStringLiteral("s"))),
                    "registry.malformed_reply");
    m_server->enqueue(ok(R"(["a", 2])"));
    KW_VERIFY_ERROR(wait(m_deks->listKeks()), "registry.malformed_reply");
    m_server->enqueue(ok(R"([1, "2"])"));
    KW_VERIFY_ERROR(wait(m_schemas->versions(QStringLiteral("s"))), "registry.malformed_reply");
    m_server->enqueue(ok(R"([1.5])"));
    KW_VERIFY_ERROR(wait(m_schemas->versions(QStringLiteral("s"))), "registry.malformed_reply");
    m_server->enqueue(ok(R"({"ids":1})"));
    KW_VERIFY_ERROR(wait(m_schemas->registerSchema(QStringLiteral("s"), Schema{})),
                    "registry.malformed_reply");
    m_server->enqueue(ok(R"({"schemaType":"AVRO"})"));
    KW_VERIFY_ERROR(wait(m_schemas->version(QStringLiteral("s"), 1)), "registry.malformed_reply");
    m_server->enqueue(ok(R"("text")"));
    KW_VERIFY_ERROR(wait(m_schemas->deleteVersion(QStringLiteral("s"), 1)),
                    "registry.malformed_reply");
}

void TestRegistryRequests::requestBodies()
{
    // Register: only the request fields, schemaType left out for AVRO.
    Schema schema;
    schema.id = 5;
    schema.version = 2;
    schema.subject = QStringLiteral("ignored");
    schema.schemaType = QStringLiteral("PROTOBUF");
    schema.schema = QStringLiteral("syntax = \"proto3\";");
    schema.references = {{QStringLiteral("dep.proto"), QStringLiteral("dep"), 1}};
    schema.metadata = QJsonObject{
        {QStringLiteral("properties"), QJsonObject{{QStringLiteral("a"), QStringLiteral("b")}}}};
    schema.ruleSet = QJsonObject{{QStringLiteral("domainRules"), QJsonArray{}}};
    const QJsonObject body = schemaRequestJson(schema);
    QCOMPARE(body.keys(), (QStringList{QStringLiteral("metadata"), QStringLiteral("references"),
                                       QStringLiteral("ruleSet"), QStringLiteral("schema"),
                                       QStringLiteral("schemaType")}));
    schema.schemaType = QStringLiteral("AVRO");
    QVERIFY(!schemaRequestJson(schema).contains(QStringLiteral("schemaType")));

    // Update KEK: absent keeps, values replace, clear sends null.
    KekUpdate update;
    QCOMPARE(update.toJson(), QJsonObject{});
    update.kmsProps = QMap<QString, QString>{{QStringLiteral("k"), QStringLiteral("v")}};
    update.shared = false;
    QCOMPARE(QJsonDocument(update.toJson()).toJson(QJsonDocument::Compact),
             QByteArray(R"({"kmsProps":{"k":"v"},"shared":false})"));
    update.clearDoc = true;
    update.clearKmsProps = true;
    QCOMPARE(QJsonDocument(update.toJson()).toJson(QJsonDocument::Compact),
             QByteArray(R"({"doc":null,"kmsProps":null,"shared":false})"));

    // Create DEK: no encryptedKeyMaterial for a registry-generated DEK; no algorithm means the
    // server's default (AES256_GCM).
    Dek dek;
    dek.subject = QStringLiteral("s");
    QCOMPARE(QJsonDocument(createDekRequestJson(dek, true)).toJson(QJsonDocument::Compact),
             QByteArray(R"({"subject":"s","version":1})"));
    dek.algorithm = QStringLiteral("AES256_GCM");
    QCOMPARE(QJsonDocument(createDekRequestJson(dek, true)).toJson(QJsonDocument::Compact),
             QByteArray(R"({"algorithm":"AES256_GCM","subject":"s","version":1})"));
    dek.algorithm.clear();
    dek.deleted = true;
    QCOMPARE(QJsonDocument(createDekRequestJson(dek, false)).toJson(QJsonDocument::Compact),
             QByteArray(R"({"deleted":true,"version":1})"));
}

void TestRegistryRequests::errorMessagesKeepPercentSigns()
{
    // Percent-encoded paths and server messages with "%1"-like text survive message formatting.
    m_server->enqueue(FakeResponse::error(404, 40401, "Subject 'a%1b' not found %2"));
    auto missing = wait(m_schemas->versions(QStringLiteral("a/%1 b")));
    KW_VERIFY_ERROR(missing, "registry.40401");
    QCOMPARE(missing.error().message,
             QStringLiteral("Schema Registry: Subject 'a%1b' not found %2 (40401) — GET "
                            "/subjects/a%2F%251%20b/versions."));
    m_server->enqueue(ok("{broken"));
    auto broken = wait(m_schemas->versions(QStringLiteral("a/%1 b")));
    KW_VERIFY_ERROR(broken, "registry.malformed_reply");
    QVERIFY2(broken.error().message.contains(QStringLiteral("GET /subjects/a%2F%251%20b/versions")),
             qPrintable(broken.error().message));
}

void TestRegistryRequests::clientWithoutTransport()
{
    m_transport.reset();
    KW_VERIFY_ERROR(wait(m_deks->listKeks()), "registry.cancelled");
    KW_VERIFY_ERROR(wait(m_deks->createDek(QStringLiteral("k"), Dek{}, false)),
                    "registry.cancelled");
    KW_VERIFY_ERROR(wait(m_schemas->schemaById(1)), "registry.cancelled");
    KW_VERIFY_ERROR(wait(m_deks->listAllKeks(10)), "registry.cancelled");
}

QTEST_GUILESS_MAIN(TestRegistryRequests)
#include "tst_registryrequests.moc"
