#include "core/serde/jsonschema.h"
#include "core/serde/wildcard.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace kw;
using namespace kw::serde;

namespace {

const char kCustomerSchema[] = R"({
  "title": "Customer", "type": "object",
  "properties": {
    "id": {"type": "integer"},
    "name": {"type": "string", "confluent:tags": ["PII"]},
    "ssn": {"type": "string"},
    "email": {"oneOf": [{"type": "null"}, {"type": "string"}]},
    "nickname": {"type": ["null", "string"], "confluent:tags": ["PII"]},
    "age": {"type": "integer", "confluent:tags": ["PII"]},
    "home": {"$ref": "#/definitions/Address"},
    "addresses": {"type": "array", "items": {"$ref": "#/$defs/Address2"}},
    "attributes": {"type": "object", "additionalProperties": {"type": "string"},
                   "confluent:tags": ["SENSITIVE"]},
    "phones": {"type": "array", "items": {"type": "string"}, "confluent:tags": ["PII"]},
    "contact": {"allOf": [{"$ref": "#/definitions/Contact"},
                          {"properties": {"phone": {"confluent:tags": ["PII"]}}}]},
    "payment": {"anyOf": [
        {"type": "object", "required": ["iban"],
         "properties": {"iban": {"type": "string", "confluent:tags": ["PII"]}}},
        {"type": "object", "properties": {"card": {"type": "string", "confluent:tags": ["PCI"]}}}]}
  },
  "definitions": {
    "Address": {"type": "object", "properties": {
        "street": {"type": "string", "confluent:tags": ["PII"]}, "city": {"type": "string"}}},
    "Contact": {"type": "object", "properties": {
        "phone": {"type": "string"}, "fax": {"type": "string"}}}
  },
  "$defs": {"Address2": {"$ref": "#/definitions/Address"}}
})";

const char kCustomer[] = R"({
  "id": 1, "name": "alice", "ssn": "abc", "email": "a@x", "nickname": null, "age": 30,
  "home": {"street": "main", "city": "sf"},
  "addresses": [{"street": "elm", "city": "x"}],
  "attributes": {"k": "v"},
  "phones": ["p1", "p2"],
  "contact": {"phone": "ph", "fax": "fx"},
  "payment": {"card": "card-x"},
  "extra": "untouched"
})";

MetadataTags customerMetadata()
{
    return {{QStringLiteral("**.ssn"), {QStringLiteral("PII")}},
            {QStringLiteral("$.email"), {QStringLiteral("PII"), QStringLiteral("CONTACT")}}};
}

QJsonValue json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

JsonSchemaDoc mustParse(const QString &schema, const QStringList &refs = {},
                        const MetadataTags &tags = {})
{
    auto parsed = JsonSchemaDoc::parse(schema, refs, tags);
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

LeafVisitor upperVisitor(QList<Seen> &seen)
{
    return [&seen](const FieldVisit &v, const QByteArray &value) -> std::optional<QByteArray> {
        seen.append({v, QByteArray(value.constData(), value.size())}); // value may be lent
        if (v.kind == LeafKind::String) {
            return value.toUpper();
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

// Fixtures live outside the test class: moc mis-reads some raw strings inside it.
const char kAddressRef[] = R"({"$id":"urn:example:schemas/address.json","type":"object",
                "properties":{"street":{"type":"string","confluent:tags":["PII"]}}})";

const char kMainWithRefs[] = R"({"type":"object","properties":{
                "ship":{"$ref":"address.json"},
                "street":{"$ref":"urn:example:schemas/address.json#/properties/street"}}})";

const char kMainDoc[] = R"({"ship":{"street":"s"},"street":"t"})";

const char kDanglingRef[] = R"({"$ref":"#/definitions/Nope"})";

const char kTreeSchema[] =
    R"({"$ref":"#/definitions/Node","definitions":{"Node":{"type":"object","properties":{
                "label":{"type":"string","confluent:tags":["PII"]},
                "children":{"type":"array","items":{"$ref":"#/definitions/Node"}}}}}})";

const char kTreeDoc[] =
    R"({"label":"a","children":[{"label":"b","children":[{"label":"c"}]},{"label":"d"}]})";

const char kRefLoop[] =
    R"({"$ref":"#/definitions/A","definitions":{"A":{"$ref":"#/definitions/B"},"B":{"$ref":"#/definitions/A"}}})";

const char kNestedSchema[] =
    R"({"type":"object","properties":{"customer":{"type":"object","properties":{
                "ssn":{"type":"string"},"name":{"type":"string"}}}}})";

const char kNestedDoc[] = R"({"customer":{"ssn":"s","name":"n"}})";

const char kMismatchDoc[] = R"({"name":5,"home":"not an object","phones":{"a":"b"}})";

} // namespace

void row(const char *name, const char *pattern, const char *path, bool matches)
{
    QTest::newRow(name) << QString::fromUtf8(pattern) << QString::fromUtf8(path) << matches;
}

class TestJsonSchemaWalker : public QObject
{
    Q_OBJECT

private:
    JsonSchemaDoc m_customer;

private Q_SLOTS:
    void initTestCase()
    {
        m_customer = mustParse(QString::fromUtf8(kCustomerSchema), {}, customerMetadata());
        QVERIFY(!m_customer.isNull());
    }

    void wildcard_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("matches");
        row("literal", "bank.Customer.email", "bank.Customer.email", true);
        row("literal longer", "bank.Customer.email", "bank.Customer.emails", false);
        row("star suffix", "eve*", "eve", true);
        row("star in first segment", "a*.bob.eve", "alice.bob.eve", true);
        row("two stars", "a*.bob.e*", "alice.bob.eve", true);
        row("star stops at dot", "a*", "alice.bob.eve", false);
        row("double star crosses dots", "a**", "alice.bob.eve", true);
        row("star not across", "alice.bob*", "alice.bob.eve", false);
        row("double star tail", "alice.bob**", "alice.bob.eve", true);
        row("any ssn", "**.ssn", "bank.Customer.ssn", true);
        row("any ssn json", "**.ssn", "$.customer.ssn", true);
        row("any ssn needs a dot", "**.ssn", "ssn", false);
        row("any ssn not prefix", "**.ssn", "bank.Customer.ssnx", false);
        row("segment wildcard", "bank.*.ssn", "bank.Customer.ssn", true);
        row("segment wildcard one level", "bank.*.ssn", "bank.a.b.ssn", false);
        row("question", "bank.?ustomer.ssn", "bank.Customer.ssn", true);
        row("question not dot", "bank?Customer.ssn", "bank.Customer.ssn", false);
        row("question needs a char", "ab?", "ab", false);
        row("double star dot star", "**.*", "a.b", true);
        row("double star dot star single", "**.*", "a", true);
        row("star empty", "*", "", true);
        row("star whole segment", "*", "abc", true);
        row("escaped star", "a\\*b", "a*b", true);
        row("escaped star literal only", "a\\*b", "axb", false);
        row("regex chars literal", "a+b(c)", "a+b(c)", true);
        row("dollar path", "$.email", "$.email", true);
        row("case sensitive", "bank.customer.ssn", "bank.Customer.ssn", false);
        row("empty pattern", "", "a", false);
    }

    void wildcard()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, path);
        QFETCH(bool, matches);
        QCOMPARE(wildcardMatch(pattern, path), matches);
    }

    void tagsForPathUnion()
    {
        const MetadataTags tags = {
            {QStringLiteral("**.ssn"), {QStringLiteral("PII")}},
            {QStringLiteral("bank.*.ssn"), {QStringLiteral("PII"), QStringLiteral("GDPR")}},
            {QStringLiteral("other.**"), {QStringLiteral("X")}}};
        QCOMPARE(tagsForPath(tags, u"bank.Customer.ssn"),
                 (QStringList{QStringLiteral("PII"), QStringLiteral("GDPR")}));
        QVERIFY(tagsForPath(tags, u"bank.Customer.name").isEmpty());
    }

    void taggedFields()
    {
        QMap<QString, FieldVisit> byPath;
        for (const FieldVisit &f : m_customer.taggedFields()) {
            QVERIFY2(!byPath.contains(f.path), qPrintable(f.path));
            byPath.insert(f.path, f);
        }
        // The Address definition is listed once, under its first use (keys are visited in
        // alphabetical order, so "addresses" before "home").
        const QStringList expected = {QStringLiteral("addresses.street"),
                                      QStringLiteral("age"),
                                      QStringLiteral("attributes"),
                                      QStringLiteral("contact.phone"),
                                      QStringLiteral("email"),
                                      QStringLiteral("name"),
                                      QStringLiteral("nickname"),
                                      QStringLiteral("payment.card"),
                                      QStringLiteral("payment.iban"),
                                      QStringLiteral("phones"),
                                      QStringLiteral("ssn")};
        QCOMPARE(byPath.keys(), expected);
        QCOMPARE(byPath[QStringLiteral("name")].fullName, QStringLiteral("$.name"));
        QCOMPARE(byPath[QStringLiteral("email")].tags,
                 (QStringList{QStringLiteral("PII"), QStringLiteral("CONTACT")}));
        QCOMPARE(byPath[QStringLiteral("email")].kind, LeafKind::String);
        QCOMPARE(byPath[QStringLiteral("nickname")].kind, LeafKind::String);
        QCOMPARE(byPath[QStringLiteral("age")].kind, LeafKind::Other);
        QCOMPARE(byPath[QStringLiteral("attributes")].kind, LeafKind::String);
        QCOMPARE(byPath[QStringLiteral("phones")].kind, LeafKind::String);
        QCOMPARE(byPath[QStringLiteral("contact.phone")].tags, QStringList{QStringLiteral("PII")});
        QCOMPARE(byPath[QStringLiteral("contact.phone")].kind, LeafKind::String);
        QCOMPARE(byPath[QStringLiteral("payment.card")].tags, QStringList{QStringLiteral("PCI")});
        QCOMPARE(byPath[QStringLiteral("ssn")].fullName, QStringLiteral("$.ssn"));
    }

    void transformChangesOnlyTaggedLeaves()
    {
        QList<Seen> seen;
        auto out = m_customer.transform(json(kCustomer), upperVisitor(seen));
        QVERIFY2(out, qPrintable(out ? QString() : out.error().message));

        QJsonObject expected = json(kCustomer).toObject();
        expected[QStringLiteral("name")] = QStringLiteral("ALICE");
        expected[QStringLiteral("ssn")] = QStringLiteral("ABC");
        expected[QStringLiteral("email")] = QStringLiteral("A@X");
        expected[QStringLiteral("home")] =
            QJsonObject{{QStringLiteral("street"), QStringLiteral("MAIN")},
                        {QStringLiteral("city"), QStringLiteral("sf")}};
        expected[QStringLiteral("addresses")] =
            QJsonArray{QJsonObject{{QStringLiteral("street"), QStringLiteral("ELM")},
                                   {QStringLiteral("city"), QStringLiteral("x")}}};
        expected[QStringLiteral("attributes")] =
            QJsonObject{{QStringLiteral("k"), QStringLiteral("V")}};
        expected[QStringLiteral("phones")] = QJsonArray{QStringLiteral("P1"), QStringLiteral("P2")};
        expected[QStringLiteral("contact")] =
            QJsonObject{{QStringLiteral("phone"), QStringLiteral("PH")},
                        {QStringLiteral("fax"), QStringLiteral("fx")}};
        expected[QStringLiteral("payment")] =
            QJsonObject{{QStringLiteral("card"), QStringLiteral("CARD-X")}};
        QCOMPARE(*out, QJsonValue(expected));

        // name, ssn, email, age (Other), home.street, addresses.street, attributes, 2x phones,
        // contact.phone, payment.card. nickname is null.
        QCOMPARE(seen.size(), 11);
        QVERIFY(visitsAt(seen, QStringLiteral("nickname")).isEmpty());
        QVERIFY(visitsAt(seen, QStringLiteral("extra")).isEmpty());
        const QList<Seen> street = visitsAt(seen, QStringLiteral("home.street"));
        QCOMPARE(street.size(), 1);
        QCOMPARE(street.at(0).visit.fullName, QStringLiteral("$.home.street"));
        QCOMPARE(street.at(0).visit.tags, QStringList{QStringLiteral("PII")});
        QCOMPARE(street.at(0).value, QByteArray("main"));
        QCOMPARE(visitsAt(seen, QStringLiteral("addresses.street")).size(), 1);
        const QList<Seen> attrs = visitsAt(seen, QStringLiteral("attributes"));
        QCOMPARE(attrs.size(), 1);
        QCOMPARE(attrs.at(0).visit.tags, QStringList{QStringLiteral("SENSITIVE")});
        QCOMPARE(visitsAt(seen, QStringLiteral("phones")).size(), 2);
        const QList<Seen> age = visitsAt(seen, QStringLiteral("age"));
        QCOMPARE(age.size(), 1);
        QCOMPARE(age.at(0).visit.kind, LeafKind::Other);
        const QList<Seen> email = visitsAt(seen, QStringLiteral("email"));
        QCOMPARE(email.at(0).visit.tags,
                 (QStringList{QStringLiteral("PII"), QStringLiteral("CONTACT")}));
        QCOMPARE(visitsAt(seen, QStringLiteral("payment.card")).at(0).visit.tags,
                 QStringList{QStringLiteral("PCI")});
    }

    void anyOfPicksFittingMember()
    {
        QJsonObject doc = json(kCustomer).toObject();
        doc[QStringLiteral("payment")] =
            QJsonObject{{QStringLiteral("iban"), QStringLiteral("de01")},
                        {QStringLiteral("card"), QStringLiteral("c")}};
        QList<Seen> seen;
        auto out = m_customer.transform(doc, upperVisitor(seen));
        QVERIFY(out);
        const QJsonObject payment = out->toObject().value(QLatin1String("payment")).toObject();
        // The first member fits (it requires iban), so only its tagged iban is visited.
        QCOMPARE(payment.value(QLatin1String("iban")).toString(), QStringLiteral("DE01"));
        QCOMPARE(payment.value(QLatin1String("card")).toString(), QStringLiteral("c"));
    }

    void visitAllLeaves()
    {
        QList<Seen> seen;
        auto out = m_customer.transform(json(kCustomer), upperVisitor(seen), WalkOptions{true});
        QVERIFY(out);
        // The 11 above plus the untagged home.city, addresses.city and contact.fax; undeclared
        // "extra" stays untouched.
        QCOMPARE(seen.size(), 14);
        QVERIFY(visitsAt(seen, QStringLiteral("home.city")).at(0).visit.tags.isEmpty());
        QCOMPARE(out->toObject().value(QLatin1String("extra")).toString(),
                 QStringLiteral("untouched"));
    }

    void references()
    {
        const QString address = QString::fromUtf8(kAddressRef);
        const QString main = QString::fromUtf8(kMainWithRefs);
        const JsonSchemaDoc doc = mustParse(main, {address});
        QVERIFY(!doc.isNull());
        QList<Seen> seen;
        auto out = doc.transform(QJsonDocument::fromJson(kMainDoc).object(), upperVisitor(seen));
        QVERIFY(out);
        QCOMPARE(out->toObject()
                     .value(QLatin1String("ship"))
                     .toObject()
                     .value(QLatin1String("street"))
                     .toString(),
                 QStringLiteral("S"));
        QCOMPARE(out->toObject().value(QLatin1String("street")).toString(), QStringLiteral("T"));
        QCOMPARE(seen.size(), 2);

        auto missing = JsonSchemaDoc::parse(main);
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, QStringLiteral("serde.bad_schema"));
        auto badPointer = JsonSchemaDoc::parse(QString::fromUtf8(kDanglingRef));
        QVERIFY(!badPointer);
    }

    void recursiveDefinitions()
    {
        const JsonSchemaDoc doc = mustParse(QString::fromUtf8(kTreeSchema));
        QVERIFY(!doc.isNull());
        const QList<FieldVisit> tagged = doc.taggedFields();
        QCOMPARE(tagged.size(), 1);
        QCOMPARE(tagged.at(0).path, QStringLiteral("label"));

        const QJsonValue tree = QJsonDocument::fromJson(kTreeDoc).object();
        QList<Seen> seen;
        auto out = doc.transform(tree, upperVisitor(seen));
        QVERIFY(out);
        QCOMPARE(seen.size(), 4);
        // Object keys are walked in QJsonObject order (alphabetical).
        QCOMPARE(visitsAt(seen, QStringLiteral("label")).size(), 1);
        QCOMPARE(visitsAt(seen, QStringLiteral("children.label")).size(), 2);
        const QList<Seen> deepest = visitsAt(seen, QStringLiteral("children.children.label"));
        QCOMPARE(deepest.size(), 1);
        QCOMPARE(deepest.at(0).visit.fullName, QStringLiteral("$.children.children.label"));
        QCOMPARE(deepest.at(0).value, QByteArray("c"));
    }

    void refLoopIsAnError()
    {
        const JsonSchemaDoc doc = mustParse(QString::fromUtf8(kRefLoop));
        QVERIFY(!doc.isNull());
        QVERIFY(doc.taggedFields().isEmpty());
        QList<Seen> seen;
        auto out = doc.transform(QJsonValue(QStringLiteral("x")), upperVisitor(seen));
        QVERIFY(!out);
        QCOMPARE(out.error().code, QStringLiteral("serde.bad_schema"));
    }

    void metadataTagsOnly()
    {
        const JsonSchemaDoc doc =
            mustParse(QString::fromUtf8(kNestedSchema), {},
                      {{QStringLiteral("$.customer.*"), {QStringLiteral("PII")}}});
        const QList<FieldVisit> tagged = doc.taggedFields();
        QCOMPARE(tagged.size(), 2);
        QList<Seen> seen;
        auto out = doc.transform(QJsonDocument::fromJson(kNestedDoc).object(), upperVisitor(seen));
        QVERIFY(out);
        QCOMPARE(seen.size(), 2);
    }

    void typeMismatchLeavesValueAlone()
    {
        // A document that does not match the schema is walked as far as it fits; nothing throws.
        QList<Seen> seen;
        auto out = m_customer.transform(QJsonDocument::fromJson(kMismatchDoc).object(),
                                        upperVisitor(seen));
        QVERIFY(out);
        QCOMPARE(out->toObject().value(QLatin1String("home")).toString(),
                 QStringLiteral("not an object"));
    }

    void badSchemas_data()
    {
        QTest::addColumn<QString>("schema");
        QTest::newRow("not json") << QStringLiteral("{");
        QTest::newRow("number") << QStringLiteral("5");
        QTest::newRow("empty") << QString();
    }

    void badSchemas()
    {
        QFETCH(QString, schema);
        auto r = JsonSchemaDoc::parse(schema);
        QVERIFY(!r);
        QCOMPARE(r.error().code, QStringLiteral("serde.bad_schema"));
    }

    void nullSchema()
    {
        const JsonSchemaDoc doc;
        QVERIFY(doc.isNull());
        QVERIFY(doc.taggedFields().isEmpty());
        QVERIFY(!doc.transform(QJsonValue(1), {}));
    }
};

QTEST_GUILESS_MAIN(TestJsonSchemaWalker)
#include "tst_jsonschemawalker.moc"
