#include "core/serde/protobufschema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace kw;
using namespace kw::serde;

namespace {

const char kCommon[] = R"(syntax = "proto3";
package shop.common;
import "confluent/meta.proto";
message Address {
  string street = 1 [(confluent.field_meta).tags = "PII"];
  string city = 2;
}
)";

const char kOrder[] = R"(syntax = "proto3";
package shop;
import "confluent/meta.proto";
import "google/protobuf/timestamp.proto";
import "shop/common.proto";

message Order {
  string id = 1;
  string customer = 2 [(confluent.field_meta) = { tags: ["PII", "NAME"] }];
  shop.common.Address ship_to = 3;
  repeated shop.common.Address history = 4;
  map<string, Line> lines = 5;
  oneof payment {
    string iban = 6 [(confluent.field_meta).tags = "PII"];
    string voucher = 7;
  }
  bytes card = 8 [(confluent.field_meta).tags = "PCI"];
  optional string note = 9 [(confluent.field_meta).tags = "PII"];
  int64 total = 10 [(confluent.field_meta).tags = "PII"];
  google.protobuf.Timestamp at = 11;
  string email = 12;
  repeated string aliases = 13 [(confluent.field_meta).tags = "PII"];

  message Line { string sku = 1; string gift_message = 2; }
}
message Refund { string order_id = 1; }
)";

const QList<NamedSchema> kRefs{{QStringLiteral("shop/common.proto"), QString::fromUtf8(kCommon)}};

MetadataTags orderMetadata()
{
    return {{QStringLiteral("shop.Order.email"), {QStringLiteral("PII")}},
            {QStringLiteral("**.gift_message"), {QStringLiteral("PII")}}};
}

ProtobufSchema mustParse(const QString &text, const QList<NamedSchema> &refs = kRefs,
                         const MetadataTags &tags = orderMetadata())
{
    auto parsed = ProtobufSchema::parse(text, refs, tags);
    if (!parsed)
        qFatal("%s", qPrintable(parsed.error().message));
    return *parsed;
}

QJsonObject orderValue()
{
    return QJsonDocument::fromJson(R"({
        "id": "o-1", "customer": "Ada Lovelace",
        "shipTo": {"street": "1 Main St", "city": "Leeds"},
        "history": [{"street": "2 Elm Rd", "city": "York"}, {"city": "Hull"}],
        "lines": {"a": {"sku": "S-1", "giftMessage": "Happy birthday"}},
        "iban": "DE89370400440532013000",
        "card": "NDExMQ==",
        "total": "1250",
        "at": "2024-03-09T16:00:00Z",
        "email": "ada@example.org",
        "aliases": ["ada", "countess"]})")
        .object();
}

struct Seen
{
    QString path;
    QString fullName;
    QStringList tags;
    LeafKind kind;
    QByteArray value;
};

} // namespace

class TestProtobufWalker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void messagesAndIndexes()
    {
        const ProtobufSchema schema = mustParse(QString::fromUtf8(kOrder));
        QCOMPARE(schema.messageNames(),
                 (QStringList{QStringLiteral("shop.Order"), QStringLiteral("shop.Refund")}));
        QCOMPARE(*schema.messageIndexesOf(QStringLiteral("shop.Refund")), QList<qint32>{1});
        // The entry type of the map declared before it is not counted, as Confluent's clients
        // count messages (libprotobuf makes it nested type 0).
        QCOMPARE(*schema.messageIndexesOf(QStringLiteral("shop.Order.Line")),
                 (QList<qint32>{0, 0}));
        QCOMPARE(*schema.messageNameAt({0, 0}), QStringLiteral("shop.Order.Line"));
        QCOMPARE(schema.messageIndexesOf(QStringLiteral("shop.Order.LinesEntry")).error().code,
                 QStringLiteral("serde.unknown_message"));
        QCOMPARE(schema.messageIndexesOf(QStringLiteral("shop.common.Address")).error().code,
                 QStringLiteral("serde.unknown_message")); // in the referenced file, not this one
        const auto bad = schema.messageNameAt({0, 1});
        QCOMPARE(bad.error().code, QStringLiteral("serde.unknown_message"));
        QVERIFY2(bad.error().message.contains(QStringLiteral("[0, 1]")) &&
                     bad.error().message.contains(QStringLiteral("shop.Order has 1")),
                 qPrintable(bad.error().message));
    }

    void visitsTaggedLeavesAtAnyDepth()
    {
        const ProtobufSchema schema = mustParse(QString::fromUtf8(kOrder));
        QList<Seen> seen;
        const LeafVisitor record = [&](const FieldVisit &f, const QByteArray &v) {
            seen.append({f.path, f.fullName, f.tags, f.kind, QByteArray(v.constData(), v.size())});
            return std::optional<QByteArray>();
        };
        auto encoded = schema.encode(orderValue(), {}, record);
        QVERIFY2(encoded, qPrintable(encoded.error().message));
        QCOMPARE(encoded->messageIndexes, QList<qint32>{0});
        QStringList paths;
        for (const Seen &s : seen)
            paths.append(s.path);
        // Declaration order; every element of a repeated field; the map's message values; the
        // set oneof member only (voucher is untagged anyway); `note` (explicit presence) is
        // absent and skipped; history[1] has no street but implicit presence visits "".
        QCOMPARE(
            paths,
            (QStringList{QStringLiteral("customer"), QStringLiteral("ship_to.street"),
                         QStringLiteral("history.street"), QStringLiteral("history.street"),
                         QStringLiteral("lines.value.gift_message"), QStringLiteral("iban"),
                         QStringLiteral("card"), QStringLiteral("total"), QStringLiteral("email"),
                         QStringLiteral("aliases"), QStringLiteral("aliases")}));
        QCOMPARE(seen.at(0).tags, (QStringList{QStringLiteral("PII"), QStringLiteral("NAME")}));
        QCOMPARE(seen.at(0).fullName, QStringLiteral("shop.Order.customer"));
        QCOMPARE(seen.at(1).fullName, QStringLiteral("shop.common.Address.street"));
        QCOMPARE(seen.at(3).value, QByteArray());
        QCOMPARE(seen.at(4).fullName, QStringLiteral("shop.Order.Line.gift_message"));
        QCOMPARE(seen.at(6).kind, LeafKind::Bytes);
        QCOMPARE(seen.at(6).value, QByteArray("4111"));
        QCOMPARE(seen.at(7).kind, LeafKind::Other); // a tagged int64 is reported, not encrypted
        QCOMPARE(seen.at(8).tags, QStringList{QStringLiteral("PII")}); // from metadata.tags
        QCOMPARE(seen.at(10).value, QByteArray("countess"));
    }

    void replacementsRoundTripWithCanonicalJson()
    {
        const ProtobufSchema schema = mustParse(QString::fromUtf8(kOrder));
        const LeafVisitor upper = [](const FieldVisit &f,
                                     const QByteArray &v) -> std::optional<QByteArray> {
            if (f.kind == LeafKind::Other)
                return std::nullopt;
            return QByteArray("<") + v + QByteArray(">");
        };
        auto encoded = schema.encode(orderValue(), {}, upper);
        QVERIFY2(encoded, qPrintable(encoded.error().message));
        const LeafVisitor strip = [](const FieldVisit &f,
                                     const QByteArray &v) -> std::optional<QByteArray> {
            if (f.kind == LeafKind::Other || !v.startsWith('<') || !v.endsWith('>'))
                return std::nullopt;
            return v.mid(1, v.size() - 2);
        };
        auto decoded = schema.decode({0}, encoded->body, strip, {}, true, true);
        QVERIFY2(decoded, qPrintable(decoded.error().message));
        QVERIFY(decoded->replaced);
        QCOMPARE(QJsonDocument::fromJson(decoded->json).object(), orderValue());
        // Canonical JSON: lowerCamelCase names, int64 as a string, declaration order.
        QVERIFY(decoded->json.startsWith(R"({"id":"o-1","customer":"Ada Lovelace","shipTo":)"));
        QVERIFY(decoded->json.contains(R"("total":"1250")"));
        const QJsonObject stored = QJsonDocument::fromJson(decoded->storedJson).object();
        QCOMPARE(stored.value(QStringLiteral("customer")).toString(),
                 QStringLiteral("<Ada Lovelace>"));
        QCOMPARE(stored.value(QStringLiteral("history"))
                     .toArray()
                     .at(1)
                     .toObject()
                     .value(QStringLiteral("street")),
                 QJsonValue(QStringLiteral("<>")));

        // Without render, nothing is rendered; the leaves are still visited.
        int visits = 0;
        const LeafVisitor count = [&visits](const FieldVisit &, const QByteArray &) {
            ++visits;
            return std::optional<QByteArray>();
        };
        auto walked = schema.decode({0}, encoded->body, count, {}, false);
        QVERIFY(walked && walked->json.isEmpty());
        QCOMPARE(visits, 11);
    }

    void visitAllLeavesCoversUntaggedStrings()
    {
        const ProtobufSchema schema = mustParse(QString::fromUtf8(kOrder));
        QStringList paths;
        const LeafVisitor record = [&](const FieldVisit &f, const QByteArray &) {
            paths.append(f.path);
            return std::optional<QByteArray>();
        };
        auto encoded = schema.encode(orderValue(), {}, record, WalkOptions{true});
        QVERIFY(encoded);
        QVERIFY(paths.contains(QStringLiteral("id")));
        QVERIFY(paths.contains(QStringLiteral("lines.key")));
        QVERIFY(paths.contains(QStringLiteral("ship_to.city")));
        QVERIFY(!paths.contains(QStringLiteral("voucher"))); // the unset oneof member
    }

    void serializedFormKeepsTheTags()
    {
        // What Confluent's clients register and fetch (?format=serialized): a base64
        // FileDescriptorProto, whose (confluent.field_meta) options must survive.
        const ProtobufSchema text = mustParse(QString::fromUtf8(kOrder));
        const QByteArray serialized = text.serializedDescriptor();
        QVERIFY(!serialized.isEmpty());
        auto reparsed = ProtobufSchema::parse(QString::fromLatin1(serialized), kRefs, {});
        QVERIFY2(reparsed, qPrintable(reparsed.error().message));
        QStringList tagged;
        const LeafVisitor record = [&](const FieldVisit &f, const QByteArray &) {
            tagged.append(f.path + QLatin1Char('=') + f.tags.join(QLatin1Char('+')));
            return std::optional<QByteArray>();
        };
        QVERIFY(reparsed->encode(orderValue(), {}, record));
        QVERIFY2(tagged.contains(QStringLiteral("customer=PII+NAME")),
                 qPrintable(tagged.join(QLatin1Char(','))));
        QVERIFY(tagged.contains(QStringLiteral("card=PCI")));
        // A reference may be serialized too.
        const ProtobufSchema common = mustParse(QString::fromUtf8(kCommon), {}, {});
        auto mixed = ProtobufSchema::parse(QString::fromUtf8(kOrder),
                                           {{QStringLiteral("shop/common.proto"),
                                             QString::fromLatin1(common.serializedDescriptor())}},
                                           {});
        QVERIFY2(mixed, qPrintable(mixed.error().message));
    }

    void badSchemasSayWhatIsWrong_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("syntax") << QStringLiteral(
                                       "syntax = \"proto3\";\nmessage A {\n  string f = ;\n}")
                                << QStringLiteral("line 3, column");
        QTest::newRow("unknown import")
            << QStringLiteral("syntax = \"proto3\"; import \"other.proto\"; message A {}")
            << QStringLiteral("imports 'other.proto', but has no reference");
        QTest::newRow("unknown builtin")
            << QStringLiteral("syntax = \"proto3\"; import \"google/protobuf/nope.proto\"; "
                              "message A {}")
            << QStringLiteral("not a file Keywarden provides");
        QTest::newRow("unknown type")
            << QStringLiteral("syntax = \"proto3\"; message A { B b = 1; }")
            << QStringLiteral("\"B\" is not defined");
        QTest::newRow("no message") << QStringLiteral("syntax = \"proto3\"; enum E { Z = 0; }")
                                    << QStringLiteral("declares no message");
        QTest::newRow("not protobuf")
            << QStringLiteral("{\"type\":\"record\"}") << QStringLiteral("is not valid Protobuf");
    }

    void badSchemasSayWhatIsWrong()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        auto parsed = ProtobufSchema::parse(text, {}, {});
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().code, QStringLiteral("serde.bad_schema"));
        QVERIFY2(parsed.error().message.contains(expected), qPrintable(parsed.error().message));
    }

    void badBodiesFailPrecisely()
    {
        const ProtobufSchema schema = mustParse(
            QStringLiteral("syntax = \"proto2\"; message A { required string f = 1; }"), {}, {});
        const LeafVisitor none = [](const FieldVisit &, const QByteArray &) {
            return std::optional<QByteArray>();
        };
        auto truncated = schema.decode({0}, QByteArray::fromHex("0a05616263"), none);
        QCOMPARE(truncated.error().code, QStringLiteral("serde.bad_record"));
        QVERIFY2(truncated.error().message.contains(QStringLiteral("truncated")),
                 qPrintable(truncated.error().message));
        auto missing = schema.decode({0}, QByteArray(), none);
        QCOMPARE(missing.error().code, QStringLiteral("serde.bad_record"));
        QVERIFY2(missing.error().message.contains(QStringLiteral("required")),
                 qPrintable(missing.error().message));
        auto wrongWire = schema.decode({0}, QByteArray::fromHex("0f"), none);
        QCOMPARE(wrongWire.error().code, QStringLiteral("serde.bad_record"));

        // A decrypted "string" that is not UTF-8 has no JSON form.
        const ProtobufSchema proto3 =
            mustParse(QStringLiteral("syntax = \"proto3\"; message A { string f = 1; }"), {}, {});
        const LeafVisitor garbage = [](const FieldVisit &, const QByteArray &) {
            return std::optional<QByteArray>(QByteArray("\xff\xfe"));
        };
        auto rendered =
            proto3.decode({0}, QByteArray::fromHex("0a0178"), garbage, WalkOptions{true});
        // (Protobuf's JSON printer would print "" in its place.)
        QCOMPARE(rendered.error().code, QStringLiteral("serde.bad_value"));
        QVERIFY2(rendered.error().message.contains(QStringLiteral("'f'")) &&
                     rendered.error().message.contains(QStringLiteral("UTF-8")),
                 qPrintable(rendered.error().message));
    }
};

QTEST_GUILESS_MAIN(TestProtobufWalker)
#include "tst_protobufwalker.moc"
