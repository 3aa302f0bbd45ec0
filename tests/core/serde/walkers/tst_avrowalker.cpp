#include "core/serde/avroschema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>
#include <QtConcurrent>

using namespace kw;
using namespace kw::serde;

namespace {

const char kBankSchema[] = R"({
  "type": "record", "name": "Customer", "namespace": "bank",
  "fields": [
    {"name": "id", "type": "long"},
    {"name": "name", "type": "string", "confluent:tags": ["PII"]},
    {"name": "ssn", "type": "string"},
    {"name": "email", "type": ["null", "string"], "default": null},
    {"name": "nickname", "type": ["null", "string"], "default": null, "confluent:tags": ["PII"]},
    {"name": "photo", "type": "bytes", "confluent:tags": ["PII"]},
    {"name": "token", "type": {"type": "fixed", "name": "Token", "size": 4}},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["ACTIVE", "CLOSED"]}},
    {"name": "createdAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "balance", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
    {"name": "home", "type": {"type": "record", "name": "Address", "fields": [
        {"name": "street", "type": "string", "confluent:tags": ["PII"]},
        {"name": "city", "type": "string"}]}},
    {"name": "addresses", "type": {"type": "array", "items": "Address"}},
    {"name": "attributes", "type": {"type": "map", "values": "string"}, "confluent:tags": ["SENSITIVE"]},
    {"name": "accounts", "type": {"type": "array", "items": {
        "type": "record", "name": "Account", "namespace": "bank.acct", "fields": [
            {"name": "iban", "type": "string", "confluent:tags": ["PII"]},
            {"name": "ssn", "type": ["null", "string"]}]}}},
    {"name": "score", "type": "int", "confluent:tags": ["PII"]}
  ]
})";

const char kBankRecord[] = R"({
  "id": 42, "name": "alice", "ssn": "abc-12", "email": "a@example.com", "nickname": null,
  "photo": "AQID", "token": "YWJjZA==", "status": "CLOSED", "createdAt": 1700000000123,
  "balance": "AQA=",
  "home": {"street": "main st", "city": "springfield"},
  "addresses": [{"street": "elm st", "city": "x"}, {"street": "oak st", "city": "y"}],
  "attributes": {"k1": "v1", "k2": "v2"},
  "accounts": [{"iban": "de01", "ssn": "xyz"}, {"iban": "fr02", "ssn": null}],
  "score": 7
})";

MetadataTags bankMetadata()
{
    return {{QStringLiteral("**.ssn"), {QStringLiteral("PII")}},
            {QStringLiteral("bank.Customer.email"),
             {QStringLiteral("PII"), QStringLiteral("CONTACT")}}};
}

QJsonValue json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

AvroSchema mustParse(const QString &schema, const QStringList &refs = {},
                     const MetadataTags &tags = {})
{
    auto parsed = AvroSchema::parse(schema, refs, tags);
    if (!parsed) {
        qWarning() << parsed.error().code << parsed.error().message;
        return {};
    }
    return *parsed;
}

struct Seen
{
    FieldVisit visit;
    QByteArray value;
};

// Uppercases tagged strings, reverses tagged bytes and records every call.
LeafVisitor recordingVisitor(QList<Seen> &seen)
{
    return [&seen](const FieldVisit &v, const QByteArray &value) -> std::optional<QByteArray> {
        seen.append({v, QByteArray(value.constData(), value.size())}); // value is lent
        if (v.kind == LeafKind::String) {
            return value.toUpper();
        }
        if (v.kind == LeafKind::Bytes) {
            QByteArray r(value);
            std::reverse(r.begin(), r.end());
            return r;
        }
        return std::nullopt;
    };
}

QList<Seen> visitsAt(const QList<Seen> &seen, const QString &path)
{
    QList<Seen> out;
    for (const Seen &s : seen) {
        if (s.visit.path == path) {
            out.append(s);
        }
    }
    return out;
}

// appendJson()'s text, parsed back; an error when appendJson fails or writes invalid JSON.
kw::Result<QJsonValue> textJson(const AvroSchema &schema, const QByteArray &body,
                                const LeafVisitor &visitor = {}, WalkOptions options = {},
                                const QByteArray *mask = nullptr)
{
    QByteArray text("[");
    auto r = schema.appendJson(body, text, visitor, options, mask);
    if (!r)
        return r.error();
    text += ']';
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(text, &pe);
    if (pe.error != QJsonParseError::NoError)
        return kw::makeError(QStringLiteral("test.bad_json"), pe.errorString());
    return doc.array().first();
}

bool sameVisits(const QList<Seen> &a, const QList<Seen> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        const FieldVisit &x = a.at(i).visit;
        const FieldVisit &y = b.at(i).visit;
        if (x.path != y.path || x.fullName != y.fullName || x.tags != y.tags || x.kind != y.kind ||
            a.at(i).value != b.at(i).value)
            return false;
    }
    return true;
}

} // namespace

class TestAvroWalker : public QObject
{
    Q_OBJECT

private:
    AvroSchema m_bank;
    QByteArray m_body;

private Q_SLOTS:
    void initTestCase()
    {
        m_bank = mustParse(QString::fromUtf8(kBankSchema), {}, bankMetadata());
        QVERIFY(!m_bank.isNull());
        auto body = m_bank.fromJson(json(kBankRecord));
        QVERIFY2(body, qPrintable(body ? QString() : body.error().message));
        m_body = *body;
        QVERIFY(!m_body.isEmpty());
    }

    void roundTrip()
    {
        auto back = m_bank.toJson(m_body);
        QVERIFY2(back, qPrintable(back ? QString() : back.error().message));
        QCOMPARE(*back, json(kBankRecord));
        // Encoding the rendering again gives the same bytes.
        auto again = m_bank.fromJson(*back);
        QVERIFY(again);
        QCOMPARE(*again, m_body);
    }

    void jsonConventions()
    {
        auto back = m_bank.toJson(m_body);
        QVERIFY(back);
        const QJsonObject o = back->toObject();
        QVERIFY(o.value(QLatin1String("email")).isString()); // union without wrapper
        QVERIFY(o.value(QLatin1String("nickname")).isNull());
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("CLOSED"));
        QCOMPARE(o.value(QLatin1String("createdAt")).toInteger(), Q_INT64_C(1700000000123));
        QCOMPARE(o.value(QLatin1String("photo")).toString(), QStringLiteral("AQID"));
        QCOMPARE(o.value(QLatin1String("token")).toString(), QStringLiteral("YWJjZA=="));
        QVERIFY(o.value(QLatin1String("attributes")).isObject());
    }

    // The binary decoder (reading) and the Avro C walker (writing) visit the same leaves, in the
    // same order, with the same values.
    void readAndWriteWalkersVisitAlike()
    {
        for (bool visitAll : {false, true}) {
            QList<Seen> reading, writing;
            auto text = textJson(m_bank, m_body, recordingVisitor(reading), WalkOptions{visitAll});
            auto written =
                m_bank.transform(m_body, recordingVisitor(writing), WalkOptions{visitAll});
            QVERIFY(text && written);
            QVERIFY(!reading.isEmpty());
            QVERIFY(sameVisits(reading, writing));
            // What the reader shows with the replacements is what the writer wrote.
            QCOMPARE(*text, *m_bank.toJson(*written));
        }
        auto plain = textJson(m_bank, m_body);
        QVERIFY(plain);
        QCOMPARE(*plain, json(kBankRecord));
    }

    // Avro C would cut a map key at an embedded NUL; the decoder keeps it.
    void mapKeysKeepEmbeddedNul()
    {
        const AvroSchema schema = mustParse(QStringLiteral(R"({"type":"map","values":"int"})"));
        const QByteArray body = QByteArray::fromHex("02"
                                                    "06"
                                                    "610062"
                                                    "02"
                                                    "00");
        auto value = schema.toJson(body);
        QVERIFY(value);
        QCOMPARE(value->toObject().keys(), QStringList{QStringLiteral("a\u0000b")});
    }

    void appendJsonText()
    {
        const AvroSchema schema = mustParse(QStringLiteral(R"({"type":"record","name":"R","fields":[
            {"name":"z","type":"int"},{"name":"a","type":"string"},
            {"name":"f","type":"float"},{"name":"d","type":"double"},
            {"name":"b","type":"bytes"},{"name":"ok","type":"boolean"},
            {"name":"m","type":{"type":"map","values":["null","long"]}},
            {"name":"e","type":{"type":"enum","name":"E","symbols":["A","X_Y"]}}]})"));
        QVERIFY(!schema.isNull());
        QByteArray body;
        body += '\x01'; // z = -1
        // a: quote, backslash, line feed, U+0001, an invalid byte, 'a'
        body += QByteArray::fromHex("0e"
                                    "71"
                                    "22"
                                    "5c"
                                    "0a"
                                    "01"
                                    "ff"
                                    "61");
        body += QByteArray::fromHex("0000c03f");         // f = 1.5
        body += QByteArray::fromHex("9a9999999999b93f"); // d = 0.1
        body += QByteArray::fromHex("06010203");         // b = 01 02 03
        body += '\x01';                                  // ok = true
        // m = {k: null, j: 42} in one block of 2
        body += QByteArray::fromHex("04"
                                    "026b"
                                    "00"
                                    "026a"
                                    "02"
                                    "54"
                                    "00");
        body += QByteArray::fromHex("02"); // e = X_Y
        QByteArray out("prefix");
        auto r = schema.appendJson(body, out);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        const QByteArray expected =
            QByteArrayLiteral("prefix{\"z\":-1,\"a\":\"q\\\"\\\\\\n\\u0001") +
            QByteArray::fromHex("efbfbd") +
            QByteArrayLiteral("a\",\"f\":1.5,\"d\":0.1,\"b\":\"AQID\","
                              "\"ok\":true,\"m\":{\"k\":null,\"j\":42},"
                              "\"e\":\"X_Y\"}");
        QCOMPARE(out, expected);
    }

    void appendJsonMasksReplacedValues()
    {
        const QByteArray mask = QByteArray::fromHex("e280a2e280a2");
        QList<Seen> seen;
        auto masked = textJson(m_bank, m_body, recordingVisitor(seen), {}, &mask);
        QVERIFY(masked);
        const QJsonObject o = masked->toObject();
        const QString dots = QString::fromUtf8(mask);
        QCOMPARE(o.value(QLatin1String("name")).toString(), dots);  // tagged string
        QCOMPARE(o.value(QLatin1String("photo")).toString(), dots); // tagged bytes
        QCOMPARE(o.value(QLatin1String("home")).toObject().value(QLatin1String("street")),
                 QJsonValue(dots));
        QCOMPARE(o.value(QLatin1String("id")).toInteger(), 42);   // untagged
        QCOMPARE(o.value(QLatin1String("score")).toInteger(), 7); // tagged, not a string
        QVERIFY(o.value(QLatin1String("nickname")).isNull());     // null is never visited
        QCOMPARE(o.value(QLatin1String("attributes")).toObject().value(QLatin1String("k1")),
                 QJsonValue(dots)); // map values under a tagged map
        // A leaf the visitor keeps is shown as stored.
        const LeafVisitor keepAll = [](const FieldVisit &, const QByteArray &) {
            return std::optional<QByteArray>();
        };
        QCOMPARE(*textJson(m_bank, m_body, keepAll, {}, &mask), json(kBankRecord));
    }

    void appendJsonRefusesWhatTransformRefuses()
    {
        for (qsizetype n = 0; n < m_body.size(); ++n) {
            QByteArray out("kept");
            auto r = m_bank.appendJson(m_body.left(n), out);
            QVERIFY2(!r, qPrintable(QStringLiteral("prefix %1 rendered").arg(n)));
            QCOMPARE(r.error().code, QStringLiteral("serde.malformed_record"));
            QCOMPARE(out, QByteArray("kept"));
        }
        QByteArray out;
        QVERIFY(!m_bank.appendJson(QByteArray(m_body + QByteArray(1, '\0')), out));
        QVERIFY(out.isEmpty());
        QVERIFY(!AvroSchema().appendJson(QByteArray("\x00", 1), out));

        // Random and mutated bodies: both succeed with the same value, or both fail.
        QRandomGenerator rng(20261123);
        int rendered = 0;
        for (int i = 0; i < 3000; ++i) {
            QByteArray body = m_body;
            if (i % 2 == 0) {
                body[rng.bounded(static_cast<int>(body.size()))] =
                    static_cast<char>(rng.bounded(256));
            } else {
                body.resize(static_cast<qsizetype>(rng.bounded(0, 96)));
                for (char &c : body)
                    c = static_cast<char>(rng.bounded(256));
            }
            auto written = m_bank.transform(body, {});
            auto text = textJson(m_bank, body);
            QCOMPARE(bool(text), bool(written));
            if (text) {
                ++rendered;
                QCOMPARE(*text, *m_bank.toJson(body));
            } else {
                QCOMPARE(text.error().message, written.error().message);
            }
        }
        QVERIFY(rendered > 0);
    }

    void taggedFields()
    {
        const QList<FieldVisit> fields = m_bank.taggedFields();
        QMap<QString, FieldVisit> byPath;
        for (const FieldVisit &f : fields) {
            QVERIFY2(!byPath.contains(f.path), qPrintable(f.path));
            byPath.insert(f.path, f);
        }
        const QStringList expected = {
            QStringLiteral("accounts.iban"), QStringLiteral("accounts.ssn"),
            QStringLiteral("attributes"),    QStringLiteral("email"),
            QStringLiteral("home.street"),   QStringLiteral("name"),
            QStringLiteral("nickname"),      QStringLiteral("photo"),
            QStringLiteral("score"),         QStringLiteral("ssn")};
        QCOMPARE(byPath.keys(), expected);
        QCOMPARE(byPath[QStringLiteral("name")].fullName, QStringLiteral("bank.Customer.name"));
        QCOMPARE(byPath[QStringLiteral("name")].kind, LeafKind::String);
        QCOMPARE(byPath[QStringLiteral("ssn")].tags, QStringList{QStringLiteral("PII")});
        QCOMPARE(byPath[QStringLiteral("email")].tags,
                 (QStringList{QStringLiteral("PII"), QStringLiteral("CONTACT")}));
        QCOMPARE(byPath[QStringLiteral("email")].kind, LeafKind::String);
        QCOMPARE(byPath[QStringLiteral("photo")].kind, LeafKind::Bytes);
        QCOMPARE(byPath[QStringLiteral("score")].kind, LeafKind::Other);
        QCOMPARE(byPath[QStringLiteral("attributes")].kind, LeafKind::String);
        QCOMPARE(byPath[QStringLiteral("home.street")].fullName,
                 QStringLiteral("bank.Address.street"));
        QCOMPARE(byPath[QStringLiteral("accounts.ssn")].fullName,
                 QStringLiteral("bank.acct.Account.ssn"));
        QCOMPARE(byPath[QStringLiteral("accounts.iban")].tags, QStringList{QStringLiteral("PII")});
    }

    void transformChangesOnlyTaggedLeaves()
    {
        QList<Seen> seen;
        auto out = m_bank.transform(m_body, recordingVisitor(seen));
        QVERIFY2(out, qPrintable(out ? QString() : out.error().message));
        auto rendered = m_bank.toJson(*out);
        QVERIFY(rendered);

        QJsonObject expected = json(kBankRecord).toObject();
        expected[QStringLiteral("name")] = QStringLiteral("ALICE");
        expected[QStringLiteral("ssn")] = QStringLiteral("ABC-12");
        expected[QStringLiteral("email")] = QStringLiteral("A@EXAMPLE.COM");
        expected[QStringLiteral("photo")] = QStringLiteral("AwIB"); // 03 02 01
        expected[QStringLiteral("home")] =
            QJsonObject{{QStringLiteral("street"), QStringLiteral("MAIN ST")},
                        {QStringLiteral("city"), QStringLiteral("springfield")}};
        expected[QStringLiteral("addresses")] =
            QJsonArray{QJsonObject{{QStringLiteral("street"), QStringLiteral("ELM ST")},
                                   {QStringLiteral("city"), QStringLiteral("x")}},
                       QJsonObject{{QStringLiteral("street"), QStringLiteral("OAK ST")},
                                   {QStringLiteral("city"), QStringLiteral("y")}}};
        expected[QStringLiteral("attributes")] =
            QJsonObject{{QStringLiteral("k1"), QStringLiteral("V1")},
                        {QStringLiteral("k2"), QStringLiteral("V2")}};
        expected[QStringLiteral("accounts")] =
            QJsonArray{QJsonObject{{QStringLiteral("iban"), QStringLiteral("DE01")},
                                   {QStringLiteral("ssn"), QStringLiteral("XYZ")}},
                       QJsonObject{{QStringLiteral("iban"), QStringLiteral("FR02")},
                                   {QStringLiteral("ssn"), QJsonValue::Null}}};
        QCOMPARE(*rendered, QJsonValue(expected));

        // name, ssn, email, photo, home.street, 2x addresses.street, 2x attributes, 2x iban,
        // 1x accounts.ssn (the other is null), score (Other).
        QCOMPARE(seen.size(), 13);
        QVERIFY(visitsAt(seen, QStringLiteral("nickname")).isEmpty());
        QVERIFY(visitsAt(seen, QStringLiteral("home.city")).isEmpty());

        const QList<Seen> streets = visitsAt(seen, QStringLiteral("addresses.street"));
        QCOMPARE(streets.size(), 2);
        QCOMPARE(streets.at(0).visit.fullName, QStringLiteral("bank.Address.street"));
        QCOMPARE(streets.at(0).value, QByteArray("elm st"));
        QCOMPARE(streets.at(1).value, QByteArray("oak st"));

        const QList<Seen> attrs = visitsAt(seen, QStringLiteral("attributes"));
        QCOMPARE(attrs.size(), 2);
        QCOMPARE(attrs.at(0).visit.tags, QStringList{QStringLiteral("SENSITIVE")});
        QCOMPARE(attrs.at(0).visit.kind, LeafKind::String);

        const QList<Seen> photo = visitsAt(seen, QStringLiteral("photo"));
        QCOMPARE(photo.size(), 1);
        QCOMPARE(photo.at(0).visit.kind, LeafKind::Bytes);
        QCOMPARE(photo.at(0).value, QByteArray("\x01\x02\x03", 3));

        const QList<Seen> email = visitsAt(seen, QStringLiteral("email"));
        QCOMPARE(email.size(), 1);
        QCOMPARE(email.at(0).visit.fullName, QStringLiteral("bank.Customer.email"));
        QCOMPARE(email.at(0).visit.tags,
                 (QStringList{QStringLiteral("PII"), QStringLiteral("CONTACT")}));

        const QList<Seen> accountSsn = visitsAt(seen, QStringLiteral("accounts.ssn"));
        QCOMPARE(accountSsn.size(), 1);
        QCOMPARE(accountSsn.at(0).visit.fullName, QStringLiteral("bank.acct.Account.ssn"));
        QCOMPARE(accountSsn.at(0).value, QByteArray("xyz"));

        const QList<Seen> score = visitsAt(seen, QStringLiteral("score"));
        QCOMPARE(score.size(), 1);
        QCOMPARE(score.at(0).visit.kind, LeafKind::Other);
        QVERIFY(score.at(0).value.isEmpty());
    }

    void transformWithoutReplacementKeepsBytes()
    {
        int calls = 0;
        auto out = m_bank.transform(m_body, [&](const FieldVisit &, const QByteArray &) {
            ++calls;
            return std::optional<QByteArray>();
        });
        QVERIFY(out);
        QCOMPARE(*out, m_body);
        QCOMPARE(calls, 13);
    }

    void visitAllLeaves()
    {
        QList<Seen> seen;
        auto out = m_bank.toJson(m_body, recordingVisitor(seen), WalkOptions{true});
        QVERIFY(out);
        // 13 tagged visits + untagged string/bytes leaves: home.city, 2x addresses.city, balance.
        // The fixed "token" is not a bytes leaf and the untagged enum/long/int are not visited.
        QCOMPARE(seen.size(), 17);
        const QList<Seen> cities = visitsAt(seen, QStringLiteral("addresses.city"));
        QCOMPARE(cities.size(), 2);
        QVERIFY(cities.at(0).visit.tags.isEmpty());
        QCOMPARE(out->toObject()
                     .value(QLatin1String("home"))
                     .toObject()
                     .value(QLatin1String("city"))
                     .toString(),
                 QStringLiteral("SPRINGFIELD"));
        QCOMPARE(visitsAt(seen, QStringLiteral("balance")).at(0).visit.kind, LeafKind::Bytes);
        QVERIFY(visitsAt(seen, QStringLiteral("token")).isEmpty());
    }

    void toJsonAppliesVisitorWithoutChangingBody()
    {
        QList<Seen> seen;
        auto rendered = m_bank.toJson(m_body, recordingVisitor(seen));
        QVERIFY(rendered);
        QCOMPARE(rendered->toObject().value(QLatin1String("name")).toString(),
                 QStringLiteral("ALICE"));
        auto plain = m_bank.toJson(m_body);
        QVERIFY(plain);
        QCOMPARE(plain->toObject().value(QLatin1String("name")).toString(),
                 QStringLiteral("alice"));
    }

    void replacementsMayChangeLength()
    {
        auto out = m_bank.transform(m_body, [](const FieldVisit &v, const QByteArray &value) {
            if (v.kind == LeafKind::Other) {
                return std::optional<QByteArray>();
            }
            return std::optional<QByteArray>(value.repeated(50) + QByteArray("\0x", 2));
        });
        QVERIFY(out);
        QVERIFY(out->size() > m_body.size());
        auto rendered = m_bank.toJson(*out);
        QVERIFY(rendered);
        QCOMPARE(rendered->toObject().value(QLatin1String("ssn")).toString(),
                 QString::fromUtf8(QByteArray("abc-12").repeated(50) + QByteArray("\0x", 2)));
    }

    void references()
    {
        const QString country = QStringLiteral(
            R"({"type":"enum","name":"Country","namespace":"geo","symbols":["DE","FR"]})");
        const QString address = QStringLiteral(
            R"({"type":"record","name":"Address","namespace":"geo","fields":[
                {"name":"street","type":"string","confluent:tags":["PII"]},
                {"name":"country","type":"Country"}]})");
        const QString main = QStringLiteral(
            R"({"type":"record","name":"Order","namespace":"shop","fields":[
                {"name":"ship","type":"geo.Address"},
                {"name":"bill","type":["null","geo.Address"]}]})");
        const AvroSchema schema = mustParse(main, {country, address});
        QVERIFY(!schema.isNull());
        const QList<FieldVisit> tagged = schema.taggedFields();
        QCOMPARE(tagged.size(), 1);
        QCOMPARE(tagged.at(0).path, QStringLiteral("ship.street"));
        QCOMPARE(tagged.at(0).fullName, QStringLiteral("geo.Address.street"));

        const QJsonValue record =
            QJsonDocument::fromJson(
                R"({"ship":{"street":"a","country":"DE"},"bill":{"street":"b","country":"FR"}})")
                .object();
        auto body = schema.fromJson(record);
        QVERIFY2(body, qPrintable(body ? QString() : body.error().message));
        QList<Seen> seen;
        auto out = schema.toJson(*body, recordingVisitor(seen));
        QVERIFY(out);
        QCOMPARE(seen.size(), 2);
        QCOMPARE(seen.at(1).visit.path, QStringLiteral("bill.street"));
        QCOMPARE(out->toObject()
                     .value(QLatin1String("bill"))
                     .toObject()
                     .value(QLatin1String("street"))
                     .toString(),
                 QStringLiteral("B"));

        auto missing = AvroSchema::parse(main, {country});
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, QStringLiteral("serde.bad_schema"));
    }

    void topLevelPrimitive()
    {
        const AvroSchema schema = mustParse(QStringLiteral("\"string\""));
        QVERIFY(!schema.isNull());
        auto body = schema.fromJson(QJsonValue(QStringLiteral("hi")));
        QVERIFY(body);
        QCOMPARE(*body, QByteArray("\x04hi"));
        QList<Seen> seen;
        auto out = schema.transform(*body, recordingVisitor(seen), WalkOptions{true});
        QVERIFY(out);
        QCOMPARE(*out, QByteArray("\x04HI"));
        QCOMPARE(seen.size(), 1);
        QVERIFY(seen.at(0).visit.path.isEmpty());
    }

    void recursiveSchema()
    {
        const AvroSchema schema = mustParse(QStringLiteral(
            R"({"type":"record","name":"Node","fields":[
                {"name":"label","type":"string","confluent:tags":["PII"]},
                {"name":"next","type":["null","Node"]}]})"));
        QVERIFY(!schema.isNull());
        QCOMPARE(schema.taggedFields().size(), 1);

        QJsonValue list = QJsonValue::Null;
        for (int i = 0; i < 50; ++i) {
            list = QJsonObject{{QStringLiteral("label"), QStringLiteral("n%1").arg(i)},
                               {QStringLiteral("next"), list}};
        }
        auto body = schema.fromJson(list);
        QVERIFY(body);
        QList<Seen> seen;
        auto out = schema.transform(*body, recordingVisitor(seen));
        QVERIFY(out);
        QCOMPARE(seen.size(), 50);
        QCOMPARE(seen.at(1).visit.path, QStringLiteral("next.label"));

        // Nesting far beyond any sane record is refused, not recursed into.
        QByteArray deep;
        for (int i = 0; i < 100000; ++i) {
            deep += QByteArray("\x00\x02", 2); // label "" then branch 1 (Node)
        }
        deep += QByteArray("\x00\x00", 2);
        auto refused = schema.toJson(deep);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, QStringLiteral("serde.malformed_record"));
    }

    void everyPrefixIsAnError()
    {
        for (qsizetype n = 0; n < m_body.size(); ++n) {
            auto r = m_bank.transform(m_body.left(n), {});
            QVERIFY2(!r, qPrintable(QStringLiteral("prefix %1 decoded").arg(n)));
            QCOMPARE(r.error().code, QStringLiteral("serde.malformed_record"));
        }
    }

    void trailingBytesAreAnError()
    {
        const QByteArray padded = m_body + QByteArray(1, '\0');
        auto r = m_bank.toJson(padded);
        QVERIFY(!r);
        QCOMPARE(r.error().code, QStringLiteral("serde.malformed_record"));
        QVERIFY(r.error().message.contains(QLatin1String("unexpected bytes")));
    }

    void hostileBodies_data()
    {
        QTest::addColumn<QString>("schema");
        QTest::addColumn<QByteArray>("body");
        const QString str = QStringLiteral(
            R"({"type":"record","name":"S","fields":[{"name":"s","type":"string"}]})");
        const QString bytes = QStringLiteral(
            R"({"type":"record","name":"B","fields":[{"name":"b","type":"bytes"}]})");
        QTest::newRow("string 1 GiB") << str << QByteArray("\x80\x80\x80\x80\x08");
        QTest::newRow("string max")
            << str << QByteArray("\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01");
        QTest::newRow("string -1") << str << QByteArray("\x01");
        QTest::newRow("string overlong varint")
            << str << QByteArray("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
        QTest::newRow("bytes 1 GiB") << bytes << QByteArray("\x80\x80\x80\x80\x08");
        QTest::newRow("bytes min")
            << bytes << QByteArray("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
        QTest::newRow("array of null, huge count")
            << QStringLiteral(R"({"type":"array","items":"null"})")
            << QByteArray("\xfe\xff\xff\xff\x0f");
        QTest::newRow("array huge negative count")
            << QStringLiteral(R"({"type":"array","items":"int"})")
            << QByteArray("\xff\xff\xff\xff\x0f\x00");
        QTest::newRow("map huge count") << QStringLiteral(R"({"type":"map","values":"long"})")
                                        << QByteArray("\xfe\xff\xff\xff\x0f\x00\x00");
        QTest::newRow("union branch out of range")
            << QStringLiteral(R"(["null","string"])") << QByteArray("\x04");
        QTest::newRow("union negative branch")
            << QStringLiteral(R"(["null","string"])") << QByteArray("\x01");
        QTest::newRow("enum out of range")
            << QStringLiteral(R"({"type":"enum","name":"E","symbols":["A"]})")
            << QByteArray("\x02");
        QTest::newRow("boolean 2") << QStringLiteral("\"boolean\"") << QByteArray("\x02");
        QTest::newRow("int out of range")
            << QStringLiteral("\"int\"") << QByteArray("\x80\x80\x80\x80\x10");
        QTest::newRow("fixed short")
            << QStringLiteral(R"({"type":"fixed","name":"F","size":16})") << QByteArray("abc");
        QTest::newRow("double short") << QStringLiteral("\"double\"") << QByteArray("1234567");
        QTest::newRow("empty body") << str << QByteArray();
    }

    void hostileBodies()
    {
        QFETCH(QString, schema);
        QFETCH(QByteArray, body);
        const AvroSchema s = mustParse(schema);
        QVERIFY(!s.isNull());
        auto r = s.toJson(body);
        QVERIFY(!r);
        QCOMPARE(r.error().code, QStringLiteral("serde.malformed_record"));
        auto t = s.transform(body, {});
        QVERIFY(!t);
        QByteArray out;
        auto text = s.appendJson(body, out);
        QVERIFY(!text);
        QCOMPARE(text.error().message, r.error().message);
        QVERIFY(out.isEmpty());
    }

    void randomBodiesNeverCrash()
    {
        QRandomGenerator rng(20240611);
        int decoded = 0;
        for (int i = 0; i < 3000; ++i) {
            QByteArray body(static_cast<qsizetype>(rng.bounded(0, 96)), '\0');
            for (char &c : body) {
                c = static_cast<char>(rng.bounded(256));
            }
            if (i % 3 == 0 && !m_body.isEmpty()) {
                // Mutate a valid body: more likely to get deep into the structure.
                body = m_body;
                body[rng.bounded(static_cast<int>(body.size()))] =
                    static_cast<char>(rng.bounded(256));
            }
            auto r = m_bank.toJson(body);
            if (r) {
                ++decoded;
                (void)m_bank.fromJson(*r); // must not crash either
            } else {
                QCOMPARE(r.error().code, QStringLiteral("serde.malformed_record"));
            }
        }
        QVERIFY(decoded < 3000);
    }

    void fromJsonErrors_data()
    {
        QTest::addColumn<QString>("record");
        QTest::newRow("wrong type") << QStringLiteral(R"({"id":"x"})");
        QTest::newRow("unknown field") << QStringLiteral(R"({"bogus":1})");
        QTest::newRow("not an object") << QStringLiteral("[1]");
    }

    void fromJsonErrors()
    {
        QFETCH(QString, record);
        QJsonObject o = json(kBankRecord).toObject();
        const QJsonDocument patch = QJsonDocument::fromJson(record.toUtf8());
        QJsonValue value;
        if (patch.isObject()) {
            const QJsonObject changes = patch.object();
            for (auto it = changes.begin(); it != changes.end(); ++it) {
                o.insert(it.key(), it.value());
            }
            value = o;
        } else {
            value = patch.array();
        }
        auto r = m_bank.fromJson(value);
        QVERIFY(!r);
        QCOMPARE(r.error().code, QStringLiteral("serde.json_mismatch"));
    }

    void fromJsonMissingRequiredField()
    {
        QJsonObject o = json(kBankRecord).toObject();
        o.remove(QStringLiteral("name"));
        auto r = m_bank.fromJson(o);
        QVERIFY(!r);
        QVERIFY(r.error().message.contains(QLatin1String("name")));
        // A nullable field may be left out.
        o = json(kBankRecord).toObject();
        o.remove(QStringLiteral("email"));
        QVERIFY(m_bank.fromJson(o));
    }

    void unionPicksBranchByJsonType()
    {
        const AvroSchema s = mustParse(QStringLiteral(
            R"(["null","int","long","double","string","bytes",{"type":"array","items":"int"},
                {"type":"map","values":"string"}])"));
        QVERIFY(!s.isNull());
        const QList<QPair<QJsonValue, QByteArray>> cases = {
            {QJsonValue::Null, QByteArray("\x00", 1)},
            {QJsonValue(5), QByteArray("\x02\x0a")},
            {QJsonValue(Q_INT64_C(5000000000)), QByteArray("\x04\x80\xc8\xaf\xa0\x25")},
            {QJsonValue(QStringLiteral("a")), QByteArray("\x08\x02"
                                                         "a")},
            {QJsonValue(QJsonArray{1}), QByteArray("\x0c\x02\x02\x00", 4)},
        };
        for (const auto &c : cases) {
            auto body = s.fromJson(c.first);
            QVERIFY(body);
            QCOMPARE(*body, c.second);
            auto back = s.toJson(*body);
            QVERIFY(back);
            QCOMPARE(*back, c.first);
        }
        auto d = s.fromJson(QJsonValue(1.5));
        QVERIFY(d);
        QCOMPARE(d->at(0), '\x06');
        // Avro's JSON union encoding is accepted too when no branch takes the plain object.
        const AvroSchema nb = mustParse(QStringLiteral(R"(["null","string","bytes"])"));
        auto wrapped = nb.fromJson(QJsonObject{{QStringLiteral("bytes"), QStringLiteral("AQ==")}});
        QVERIFY(wrapped);
        QCOMPARE(*wrapped, QByteArray("\x04\x02\x01"));
    }

    void badSchemas_data()
    {
        QTest::addColumn<QString>("schema");
        QTest::newRow("not json") << QStringLiteral("{");
        QTest::newRow("unknown type") << QStringLiteral(
            R"({"type":"record","name":"R","fields":[{"name":"a","type":"Nope"}]})");
        QTest::newRow("no fields") << QStringLiteral(R"({"type":"record","name":"R"})");
        QTest::newRow("redefined") << QStringLiteral(
            R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"R","fields":[]}}]})");
        QTest::newRow("empty") << QString();
    }

    void badSchemas()
    {
        QFETCH(QString, schema);
        auto r = AvroSchema::parse(schema);
        QVERIFY(!r);
        QCOMPARE(r.error().code, QStringLiteral("serde.bad_schema"));
    }

    void nullSchema()
    {
        const AvroSchema s;
        QVERIFY(s.isNull());
        QVERIFY(s.taggedFields().isEmpty());
        QVERIFY(!s.toJson(QByteArray("\x00", 1)));
        QVERIFY(!s.fromJson(QJsonValue::Null));
    }

    void concurrentUse()
    {
        const AvroSchema schema = m_bank;
        const QByteArray body = m_body;
        QList<int> jobs(64);
        std::iota(jobs.begin(), jobs.end(), 0);
        const QList<QByteArray> results = QtConcurrent::blockingMapped(jobs, [schema, body](int) {
            auto r = schema.transform(body, [](const FieldVisit &v, const QByteArray &value) {
                return v.kind == LeafKind::String ? std::optional<QByteArray>(value.toUpper())
                                                  : std::nullopt;
            });
            return r ? *r : QByteArray();
        });
        QVERIFY(!results.first().isEmpty());
        for (const QByteArray &r : results) {
            QCOMPARE(r, results.first());
        }
    }
};

QTEST_GUILESS_MAIN(TestAvroWalker)
#include "tst_avrowalker.moc"
