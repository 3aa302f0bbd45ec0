// The sandbox's Schema Registry over real HTTP: registration and ids, lookups, subjects and
// versions, soft/permanent delete rules and their error codes (spec csfle-facts §8).

#include "core/sandbox/sandboxserver.h"
#include "core/sandbox/sandboxstore.h"
#include "httptestclient.h"

#include <QTest>
#include <QUuid>

#include <memory>

using namespace kw;
using namespace kw::sandbox;

namespace {

QString record(const QString &name, const QString &field = QStringLiteral("a"))
{
    return QString::fromUtf8("{\"type\":\"record\",\"name\":\"%1\",\"fields\":[{\"name\":\"%2\","
                             "\"type\":\"string\"}]}")
        .arg(name, field);
}

QJsonObject schemaBody(const QString &schema)
{
    return QJsonObject{{QStringLiteral("schema"), schema}};
}

} // namespace

class TestSchemaRegistryHttp : public QObject
{
    Q_OBJECT

private:
    ManualClock m_clock{1'700'000'000'000};
    std::shared_ptr<SandboxStore> m_store;
    std::unique_ptr<SandboxServer> m_server;
    std::unique_ptr<HttpTestClient> m_http;

    TestReply registerSchema(const QString &subject, const QJsonObject &body)
    {
        return m_http->post(QStringLiteral("/subjects/%1/versions").arg(subject), body);
    }
    int registerId(const QString &subject, const QString &schema)
    {
        const TestReply reply = registerSchema(subject, schemaBody(schema));
        if (reply.status != 200)
            qWarning("register failed: %s", reply.body.constData());
        return reply.object().value(QStringLiteral("id")).toInt();
    }

private Q_SLOTS:
    void init()
    {
        m_store = std::make_shared<SandboxStore>(m_clock);
        QVERIFY(m_store->open());
        m_server = std::make_unique<SandboxServer>(m_store);
        QVERIFY(m_server->listen(0));
        m_http = std::make_unique<HttpTestClient>(m_server->baseUrl());
    }

    void cleanup()
    {
        m_http.reset();
        m_server.reset();
        m_store.reset();
    }

    void registerAndIds()
    {
        QCOMPARE(m_http->get(QStringLiteral("/subjects")).strings(), QStringList());
        const TestReply first = registerSchema(QStringLiteral("orders-value"),
                                               schemaBody(record(QStringLiteral("Order"))));
        QCOMPARE(first.status, 200);
        QCOMPARE(first.object().value(QStringLiteral("id")).toInt(), 1);
        const QString guid = first.object().value(QStringLiteral("guid")).toString();
        QVERIFY(!QUuid::fromString(guid).isNull());

        // Same schema, same subject: same id and version (whitespace does not matter).
        const QString spaced =
            QString::fromUtf8("{ \"type\": \"record\", \"name\": \"Order\", \"fields\": [ "
                              "{\"name\": \"a\", \"type\": \"string\"} ] }");
        const TestReply again = registerSchema(QStringLiteral("orders-value"), schemaBody(spaced));
        QCOMPARE(again.object().value(QStringLiteral("id")).toInt(), 1);
        QCOMPARE(again.object().value(QStringLiteral("version")).toInt(), 1);
        // Same schema, other subject: same id, version 1 there.
        QCOMPARE(registerId(QStringLiteral("copy-value"), record(QStringLiteral("Order"))), 1);
        // Another schema: next id, next version.
        const TestReply second =
            registerSchema(QStringLiteral("orders-value"),
                           schemaBody(record(QStringLiteral("Order"), QStringLiteral("b"))));
        QCOMPARE(second.object().value(QStringLiteral("id")).toInt(), 2);
        QCOMPARE(second.object().value(QStringLiteral("version")).toInt(), 2);
        // Metadata and rule sets are part of a schema's identity.
        QJsonObject withRules = schemaBody(record(QStringLiteral("Order")));
        withRules.insert(QStringLiteral("ruleSet"),
                         QJsonObject{{QStringLiteral("domainRules"),
                                      QJsonArray{QJsonObject{
                                          {QStringLiteral("name"), QStringLiteral("enc")},
                                          {QStringLiteral("type"), QStringLiteral("ENCRYPT")}}}}});
        withRules.insert(
            QStringLiteral("metadata"),
            QJsonObject{{QStringLiteral("properties"),
                         QJsonObject{{QStringLiteral("owner"), QStringLiteral("me")}}}});
        const TestReply rules = registerSchema(QStringLiteral("orders-value"), withRules);
        QCOMPARE(rules.object().value(QStringLiteral("id")).toInt(), 3);

        const TestReply byId = m_http->get(QStringLiteral("/schemas/ids/1"));
        QCOMPARE(byId.status, 200);
        QCOMPARE(byId.object().value(QStringLiteral("schema")).toString(),
                 record(QStringLiteral("Order")));
        QVERIFY(!byId.object().contains(QStringLiteral("schemaType"))); // AVRO is left out
        QCOMPARE(m_http->get(QStringLiteral("/schemas/ids/1?subject=orders-value")).status, 200);
        const TestReply byGuid = m_http->get(QStringLiteral("/schemas/guids/") + guid);
        QCOMPARE(byGuid.object().value(QStringLiteral("schema")),
                 byId.object().value(QStringLiteral("schema")));
        const TestReply ruled = m_http->get(QStringLiteral("/schemas/ids/3"));
        QVERIFY(ruled.object().value(QStringLiteral("ruleSet")).isObject());
        QVERIFY(ruled.object().value(QStringLiteral("metadata")).isObject());

        QCOMPARE(m_http->get(QStringLiteral("/schemas/ids/1/subjects")).strings(),
                 (QStringList{QStringLiteral("copy-value"), QStringLiteral("orders-value")}));
        const QJsonArray versions = m_http->get(QStringLiteral("/schemas/ids/1/versions")).array();
        QCOMPARE(versions.size(), 2);
        QCOMPARE(versions.at(1).toObject().value(QStringLiteral("subject")).toString(),
                 QStringLiteral("orders-value"));
        QCOMPARE(versions.at(1).toObject().value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(m_http->get(QStringLiteral("/schemas/ids/2/schema")).body,
                 record(QStringLiteral("Order"), QStringLiteral("b")).toUtf8());

        const TestReply missing = m_http->get(QStringLiteral("/schemas/ids/99"));
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.errorCode(), 40403);
        QCOMPARE(m_http
                     ->get(QStringLiteral("/schemas/guids/") +
                           QUuid::createUuid().toString(QUuid::WithoutBraces))
                     .errorCode(),
                 40403);
        QCOMPARE(m_http->get(QStringLiteral("/schemas/types")).strings().size(), 3);
        QCOMPARE(m_http->get(QStringLiteral("/schemas?subjectPrefix=orders")).array().size(), 3);
        QCOMPARE(m_http->get(QStringLiteral("/schemas?latestOnly=true")).array().size(), 2);
    }

    void invalidSchemas_data()
    {
        QTest::addColumn<QString>("body");
        QTest::newRow("not json") << QString::fromUtf8("{\"schema\":\"{not json\"}");
        QTest::newRow("record without fields") << QString::fromUtf8(
            "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\"}\"}");
        QTest::newRow("unknown type name") << QString::fromUtf8("{\"schema\":\"\\\"Nope\\\"\"}");
        QTest::newRow("empty") << QString::fromUtf8("{\"schema\":\"\"}");
        QTest::newRow("missing") << QString::fromUtf8("{\"schemaType\":\"AVRO\"}");
        QTest::newRow("bad schemaType")
            << QString::fromUtf8("{\"schema\":\"{}\",\"schemaType\":\"XML\"}");
        QTest::newRow("json type, bad json")
            << QString::fromUtf8("{\"schema\":\"{\",\"schemaType\":\"JSON\"}");
        QTest::newRow("missing reference")
            << QString::fromUtf8("{\"schema\":\"\\\"Other\\\"\",\"references\":[{\"name\":"
                                 "\"Other\",\"subject\":\"x\",\"version\":1}]}");
        QTest::newRow("protobuf syntax") << QString::fromUtf8(
            "{\"schemaType\":\"PROTOBUF\",\"schema\":\"message M { string a = ; }\"}");
        QTest::newRow("protobuf import without reference")
            << QString::fromUtf8("{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = "
                                 "\\\"proto3\\\"; import \\\"a.proto\\\"; message M {}\"}");
    }

    void invalidSchemas()
    {
        QFETCH(QString, body);
        const TestReply reply =
            m_http->send("POST", QStringLiteral("/subjects/s/versions"), body.toUtf8());
        QCOMPARE(reply.status, 422);
        QCOMPARE(reply.errorCode(), 42201);
    }

    void otherTypesAndReferences()
    {
        const TestReply json =
            registerSchema(QStringLiteral("j"),
                           {{QStringLiteral("schema"), QString::fromUtf8("{\"type\":\"object\"}")},
                            {QStringLiteral("schemaType"), QStringLiteral("JSON")}});
        QCOMPARE(json.status, 200);
        const TestReply proto =
            registerSchema(QStringLiteral("p"),
                           {{QStringLiteral("schema"),
                             QStringLiteral("syntax = \"proto3\"; message M { string a = 1; }")},
                            {QStringLiteral("schemaType"), QStringLiteral("PROTOBUF")}});
        QCOMPARE(proto.status, 200);
        QCOMPARE(m_http->get(QStringLiteral("/subjects/p/versions/1"))
                     .object()
                     .value(QStringLiteral("schemaType"))
                     .toString(),
                 QStringLiteral("PROTOBUF"));

        const QString address =
            QString::fromUtf8("{\"type\":\"record\",\"name\":\"Address\",\"namespace\":\"x\","
                              "\"fields\":[{\"name\":\"city\",\"type\":\"string\"}]}");
        QCOMPARE(registerId(QStringLiteral("address"), address), 3);
        QJsonObject customer = schemaBody(
            QString::fromUtf8("{\"type\":\"record\",\"name\":\"Customer\",\"namespace\":\"x\","
                              "\"fields\":[{\"name\":\"home\",\"type\":\"x.Address\"}]}"));
        customer.insert(
            QStringLiteral("references"),
            QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("x.Address")},
                                   {QStringLiteral("subject"), QStringLiteral("address")},
                                   {QStringLiteral("version"), 1}}});
        const TestReply withRef = registerSchema(QStringLiteral("customer"), customer);
        QCOMPARE(withRef.status, 200);
        const int customerId = withRef.object().value(QStringLiteral("id")).toInt();
        QCOMPARE(m_http->get(QStringLiteral("/subjects/address/versions/1/referencedby")).ints(),
                 QList<int>{customerId});
        const QJsonArray refs = m_http->get(QStringLiteral("/subjects/customer/versions/latest"))
                                    .object()
                                    .value(QStringLiteral("references"))
                                    .toArray();
        QCOMPARE(refs.size(), 1);

        // A referenced version cannot be deleted: 42206.
        const TestReply referenced = m_http->del(QStringLiteral("/subjects/address/versions/1"));
        QCOMPARE(referenced.status, 422);
        QCOMPARE(referenced.errorCode(), 42206);
        QCOMPARE(m_http->del(QStringLiteral("/subjects/address")).errorCode(), 42206);
        // Once the referrer is soft-deleted, a soft delete is allowed; a permanent one still
        // needs the referrer gone.
        QCOMPARE(m_http->del(QStringLiteral("/subjects/customer")).status, 200);
        QCOMPARE(m_http->del(QStringLiteral("/subjects/address")).status, 200);
        QCOMPARE(m_http->del(QStringLiteral("/subjects/address?permanent=true")).errorCode(),
                 42206);
        QCOMPARE(m_http->del(QStringLiteral("/subjects/customer?permanent=true")).status, 200);
        QCOMPARE(m_http->del(QStringLiteral("/subjects/address?permanent=true")).status, 200);
    }

    void protobufServedSerializedOnRequest()
    {
        // Confluent's clients fetch Protobuf schemas with ?format=serialized: a base64
        // FileDescriptorProto. A text schema is converted; the plain form stays the text.
        const QString common =
            QStringLiteral("syntax = \"proto3\"; package c; message Address { string city = 1; }");
        QCOMPARE(registerSchema(QStringLiteral("common"),
                                {{QStringLiteral("schema"), common},
                                 {QStringLiteral("schemaType"), QStringLiteral("PROTOBUF")}})
                     .status,
                 200);
        const QString text =
            QStringLiteral("syntax = \"proto3\"; package p; import \"c/common.proto\"; "
                           "message M { c.Address home = 1; }");
        const TestReply registered = registerSchema(
            QStringLiteral("m"),
            {{QStringLiteral("schema"), text},
             {QStringLiteral("schemaType"), QStringLiteral("PROTOBUF")},
             {QStringLiteral("references"),
              QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("c/common.proto")},
                                     {QStringLiteral("subject"), QStringLiteral("common")},
                                     {QStringLiteral("version"), 1}}}}});
        QCOMPARE(registered.status, 200);
        const int id = registered.object().value(QStringLiteral("id")).toInt();
        QCOMPARE(m_http->get(QStringLiteral("/schemas/ids/%1").arg(id))
                     .object()
                     .value(QStringLiteral("schema"))
                     .toString(),
                 text);
        const QString serialized =
            m_http->get(QStringLiteral("/schemas/ids/%1?format=serialized").arg(id))
                .object()
                .value(QStringLiteral("schema"))
                .toString();
        QVERIFY(serialized != text);
        auto decoded = QByteArray::fromBase64Encoding(serialized.toLatin1(),
                                                      QByteArray::AbortOnBase64DecodingErrors);
        QVERIFY(decoded);
        QVERIFY(decoded.decoded.contains("c/common.proto")); // the import, by its name
        QCOMPARE(m_http->get(QStringLiteral("/subjects/m/versions/1?format=serialized"))
                     .object()
                     .value(QStringLiteral("schema"))
                     .toString(),
                 serialized);
        QCOMPARE(QString::fromUtf8(
                     m_http->get(QStringLiteral("/subjects/m/versions/1/schema?format=serialized"))
                         .body),
                 serialized);
        // A schema registered serialized is accepted (it parses) and returned as it came.
        const TestReply again = registerSchema(
            QStringLiteral("m2"),
            {{QStringLiteral("schema"), serialized},
             {QStringLiteral("schemaType"), QStringLiteral("PROTOBUF")},
             {QStringLiteral("references"),
              QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("c/common.proto")},
                                     {QStringLiteral("subject"), QStringLiteral("common")},
                                     {QStringLiteral("version"), 1}}}}});
        QCOMPARE(again.status, 200);
        QCOMPARE(m_http->get(QStringLiteral("/subjects/m2/versions/1?format=serialized"))
                     .object()
                     .value(QStringLiteral("schema"))
                     .toString(),
                 serialized);
        // Other types ignore the format.
        QCOMPARE(registerId(QStringLiteral("avro"), QStringLiteral("\"string\"")), id + 2);
        QCOMPARE(m_http->get(QStringLiteral("/subjects/avro/versions/1?format=serialized"))
                     .object()
                     .value(QStringLiteral("schema"))
                     .toString(),
                 QStringLiteral("\"string\""));
    }

    void versions()
    {
        registerId(QStringLiteral("s"), record(QStringLiteral("A")));
        registerId(QStringLiteral("s"), record(QStringLiteral("B")));
        QCOMPARE(m_http->get(QStringLiteral("/subjects/s/versions")).ints(), (QList<int>{1, 2}));
        const TestReply latest = m_http->get(QStringLiteral("/subjects/s/versions/latest"));
        QCOMPARE(latest.object().value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(latest.object().value(QStringLiteral("subject")).toString(), QStringLiteral("s"));
        QCOMPARE(latest.object().value(QStringLiteral("id")).toInt(), 2);
        QCOMPARE(latest.object().value(QStringLiteral("ts")).toInteger(), m_clock.nowMs());
        QCOMPARE(m_http->get(QStringLiteral("/subjects/s/versions/-1")).object(), latest.object());
        QCOMPARE(m_http->get(QStringLiteral("/subjects/s/versions/1/schema")).body,
                 record(QStringLiteral("A")).toUtf8());
        for (const char *bad : {"0", "-3", "abc"}) {
            const TestReply invalid =
                m_http->get(QStringLiteral("/subjects/s/versions/") + QString::fromLatin1(bad));
            QCOMPARE(invalid.status, 422);
            QCOMPARE(invalid.errorCode(), 42202);
        }
        const TestReply noVersion = m_http->get(QStringLiteral("/subjects/s/versions/9"));
        QCOMPARE(noVersion.status, 404);
        QCOMPARE(noVersion.errorCode(), 40402);
        const TestReply noSubject = m_http->get(QStringLiteral("/subjects/zz/versions"));
        QCOMPARE(noSubject.status, 404);
        QCOMPARE(noSubject.errorCode(), 40401);
        QCOMPARE(m_http->get(QStringLiteral("/subjects/zz/versions/1")).errorCode(), 40401);

        // Lookup.
        const TestReply found =
            m_http->post(QStringLiteral("/subjects/s"), schemaBody(record(QStringLiteral("A"))));
        QCOMPARE(found.status, 200);
        QCOMPARE(found.object().value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(found.object().value(QStringLiteral("id")).toInt(), 1);
        const TestReply notFound =
            m_http->post(QStringLiteral("/subjects/s"), schemaBody(record(QStringLiteral("C"))));
        QCOMPARE(notFound.status, 404);
        QCOMPARE(notFound.errorCode(), 40403);
        QCOMPARE(
            m_http->post(QStringLiteral("/subjects/zz"), schemaBody(record(QStringLiteral("A"))))
                .errorCode(),
            40401);

        // Percent-encoded subject names.
        QCOMPARE(
            registerSchema(QStringLiteral("a%2Fb%20c"), schemaBody(record(QStringLiteral("A"))))
                .status,
            200);
        QVERIFY(
            m_http->get(QStringLiteral("/subjects")).strings().contains(QStringLiteral("a/b c")));
        QCOMPARE(m_http->get(QStringLiteral("/subjects/a%2Fb%20c/versions")).ints(), QList<int>{1});
    }

    void deleteRules()
    {
        registerId(QStringLiteral("s"), record(QStringLiteral("A")));
        registerId(QStringLiteral("s"), record(QStringLiteral("B")));
        registerId(QStringLiteral("s"), record(QStringLiteral("C")));

        const TestReply notSoft =
            m_http->del(QStringLiteral("/subjects/s/versions/1?permanent=true"));
        QCOMPARE(notSoft.status, 404);
        QCOMPARE(notSoft.errorCode(), 40407);
        const TestReply soft = m_http->del(QStringLiteral("/subjects/s/versions/1"));
        QCOMPARE(soft.status, 200);
        QCOMPARE(soft.body, QByteArray("1"));
        const TestReply twice = m_http->del(QStringLiteral("/subjects/s/versions/1"));
        QCOMPARE(twice.status, 404);
        QCOMPARE(twice.errorCode(), 40406);
        QCOMPARE(m_http->get(QStringLiteral("/subjects/s/versions/1")).errorCode(), 40402);
        QCOMPARE(m_http->get(QStringLiteral("/subjects/s/versions/1?deleted=true")).status, 200);
        QCOMPARE(m_http->get(QStringLiteral("/subjects/s/versions")).ints(), (QList<int>{2, 3}));
        QCOMPARE(m_http->get(QStringLiteral("/subjects/s/versions?deleted=true")).ints(),
                 (QList<int>{1, 2, 3}));
        QCOMPARE(m_http->del(QStringLiteral("/subjects/s/versions/1?permanent=true")).body,
                 QByteArray("1"));
        QCOMPARE(m_http->get(QStringLiteral("/subjects/s/versions/1?deleted=true")).errorCode(),
                 40402);
        QCOMPARE(m_http->del(QStringLiteral("/subjects/s/versions/1")).errorCode(), 40402);
        QCOMPARE(m_http->del(QStringLiteral("/subjects/s/versions/latest")).body, QByteArray("3"));

        // Subjects: permanent needs a soft delete first, a second soft delete is 40404.
        const TestReply subjectNotSoft = m_http->del(QStringLiteral("/subjects/s?permanent=true"));
        QCOMPARE(subjectNotSoft.status, 404);
        QCOMPARE(subjectNotSoft.errorCode(), 40405);
        const TestReply subjectSoft = m_http->del(QStringLiteral("/subjects/s"));
        QCOMPARE(subjectSoft.status, 200);
        QCOMPARE(subjectSoft.ints(), QList<int>{2});
        const TestReply subjectTwice = m_http->del(QStringLiteral("/subjects/s"));
        QCOMPARE(subjectTwice.status, 404);
        QCOMPARE(subjectTwice.errorCode(), 40404);
        QCOMPARE(m_http->get(QStringLiteral("/subjects")).strings(), QStringList());
        QCOMPARE(m_http->get(QStringLiteral("/subjects?deleted=true")).strings(),
                 QStringList{QStringLiteral("s")});
        QCOMPARE(m_http->get(QStringLiteral("/subjects/s/versions")).errorCode(), 40401);
        // Ids of soft-deleted schemas still resolve (consumers need them).
        QCOMPARE(m_http->get(QStringLiteral("/schemas/ids/2")).status, 200);
        // Re-registering keeps counting after soft-deleted versions.
        QCOMPARE(registerSchema(QStringLiteral("s"), schemaBody(record(QStringLiteral("B"))))
                     .object()
                     .value(QStringLiteral("version"))
                     .toInt(),
                 4);
        QCOMPARE(m_http->del(QStringLiteral("/subjects/s")).ints(), QList<int>{4});
        QCOMPARE(m_http->del(QStringLiteral("/subjects/s?permanent=true")).ints(),
                 (QList<int>{2, 3, 4}));
        QCOMPARE(m_http->get(QStringLiteral("/subjects?deleted=true")).strings(), QStringList());
        QCOMPARE(m_http->del(QStringLiteral("/subjects/s")).errorCode(), 40401);
        QCOMPARE(m_http->get(QStringLiteral("/schemas/ids/2")).errorCode(), 40403);
    }

    void subjectsFilter()
    {
        registerId(QStringLiteral("orders-value"), record(QStringLiteral("A")));
        registerId(QStringLiteral("orders-key"), record(QStringLiteral("B")));
        registerId(QStringLiteral("users-value"), record(QStringLiteral("C")));
        QCOMPARE(m_http->get(QStringLiteral("/subjects?subjectPrefix=orders")).strings(),
                 (QStringList{QStringLiteral("orders-key"), QStringLiteral("orders-value")}));
        QCOMPARE(m_http->del(QStringLiteral("/subjects/users-value")).status, 200);
        QCOMPARE(m_http->get(QStringLiteral("/subjects?deletedOnly=true")).strings(),
                 QStringList{QStringLiteral("users-value")});
    }

    void configAndMode()
    {
        QCOMPARE(m_http->get(QStringLiteral("/config"))
                     .object()
                     .value(QStringLiteral("compatibilityLevel"))
                     .toString(),
                 QStringLiteral("BACKWARD"));
        const TestReply put =
            m_http->put(QStringLiteral("/config/s"),
                        {{QStringLiteral("compatibility"), QStringLiteral("NONE")}});
        QCOMPARE(put.status, 200);
        QCOMPARE(put.object().value(QStringLiteral("compatibility")).toString(),
                 QStringLiteral("NONE"));
        QCOMPARE(m_http->get(QStringLiteral("/config/s"))
                     .object()
                     .value(QStringLiteral("compatibilityLevel"))
                     .toString(),
                 QStringLiteral("NONE"));
        QCOMPARE(m_http->get(QStringLiteral("/config/other"))
                     .object()
                     .value(QStringLiteral("compatibilityLevel"))
                     .toString(),
                 QStringLiteral("BACKWARD"));
        QCOMPARE(m_http
                     ->put(QStringLiteral("/config"),
                           {{QStringLiteral("compatibility"), QStringLiteral("SIDEWAYS")}})
                     .errorCode(),
                 42203);
        QCOMPARE(
            m_http->get(QStringLiteral("/mode")).object().value(QStringLiteral("mode")).toString(),
            QStringLiteral("READWRITE"));
        QCOMPARE(m_http->get(QStringLiteral("/")).status, 200);
    }

    void controlCharactersInSubjects_data()
    {
        QTest::addColumn<QString>("encodedSubject");
        QTest::newRow("C0") << QStringLiteral("a%01b");
        QTest::newRow("newline") << QStringLiteral("orders%0A-value");
        QTest::newRow("DEL") << QStringLiteral("a%7Fb");
        QTest::newRow("C1") << QStringLiteral("a%C2%85b");
    }

    void controlCharactersInSubjects()
    {
        // As Schema Registry's QualifiedSubject.isValidSubject: 422/42208, for a registration
        // and for a per-subject compatibility setting alike; nothing is stored.
        QFETCH(QString, encodedSubject);
        const TestReply registered =
            registerSchema(encodedSubject, schemaBody(record(QStringLiteral("A"))));
        QCOMPARE(registered.status, 422);
        QCOMPARE(registered.errorCode(), 42208);
        const TestReply config =
            m_http->put(QStringLiteral("/config/") + encodedSubject,
                        {{QStringLiteral("compatibility"), QStringLiteral("NONE")}});
        QCOMPARE(config.status, 422);
        QCOMPARE(config.errorCode(), 42208);
        QCOMPARE(m_http->get(QStringLiteral("/config/") + encodedSubject)
                     .object()
                     .value(QStringLiteral("compatibilityLevel"))
                     .toString(),
                 QStringLiteral("BACKWARD"));
        QVERIFY(m_http->get(QStringLiteral("/subjects")).strings().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSchemaRegistryHttp)
#include "tst_schemaregistryhttp.moc"
