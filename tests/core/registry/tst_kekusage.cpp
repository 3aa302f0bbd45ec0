// The pure key-usage answers behind the detail panes: which schema versions name a KEK, which
// DEK expiry applies, due dates and ages, fingerprints, and tagged fields with their KEKs.

#include "core/registry/kekusage.h"
#include "support/rules.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace kw;
using namespace kw::registry;

namespace {

constexpr qint64 DayMs = 86'400'000;

QJsonObject rule(const QString &name, const QString &kek, const QStringList &tags = {},
                 const QString &expiry = {}, bool disabled = false, const QString &mode = {})
{
    auto r = kw::testing::RuleJson::encrypt(kek, tags);
    r.name(name).kind(QStringLiteral("TRANSFORM"));
    if (!expiry.isEmpty())
        r.expiryDays(expiry);
    if (disabled)
        r.disabled();
    if (!mode.isEmpty())
        r.mode(mode);
    return r;
}

Schema schema(const QString &subject, int version, const QList<QJsonObject> &rules,
              const QJsonObject &metadata = {})
{
    Schema s;
    s.subject = subject;
    s.version = version;
    s.schema = QStringLiteral(R"({"type":"record","name":"R","fields":[]})");
    QJsonArray domain;
    for (const QJsonObject &r : rules)
        domain.append(r);
    s.ruleSet = QJsonObject{{QStringLiteral("domainRules"), domain}};
    s.metadata = metadata;
    return s;
}

// Subjects in scrambled order and versions out of order, as a server may list them.
QList<Schema> estate()
{
    const QJsonObject props{
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("encrypt.kek.name"), QStringLiteral("kek-props")}}}};
    return {
        schema(QStringLiteral("payments-value"), 2,
               {rule(QStringLiteral("enc"), QStringLiteral("kek-a"), {QStringLiteral("PII")},
                     QStringLiteral("30"))}),
        schema(QStringLiteral("orders-value"), 1,
               {rule(QStringLiteral("old"), QStringLiteral("kek-a"), {}, QStringLiteral("7"))}),
        schema(
            QStringLiteral("orders-value"), 3,
            {rule(QStringLiteral("pii"), QStringLiteral("kek-a"), {}, {}, false,
                  QStringLiteral("WRITE")),
             rule(QStringLiteral("off"), QStringLiteral("kek-b"), {}, QStringLiteral("5"), true)}),
        schema(QStringLiteral("payments-value"), 1,
               {rule(QStringLiteral("enc"), QStringLiteral("kek-a"), {}, QStringLiteral("90"))}),
        schema(QStringLiteral("users-value"), 1, {rule(QStringLiteral("fromProps"), {})}, props),
        schema(QStringLiteral("broken-value"), 1,
               {rule(QStringLiteral("bad"), QStringLiteral("kek-a"), {}, QStringLiteral("-3"))}),
    };
}

QString usageKey(const KekUsage &u)
{
    return QStringLiteral("%1/%2/%3/%4%5")
        .arg(u.subject)
        .arg(u.version)
        .arg(u.ruleName, u.mode, u.disabled ? QStringLiteral("/disabled") : QString());
}

} // namespace

class TestKekUsage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void usages_data();
    void usages();
    void expiry_data();
    void expiry();
    void dueAndAge_data();
    void dueAndAge();
    void fingerprint_data();
    void fingerprint();
    void taggedFields_data();
    void taggedFields();
    void unknownTypesAreUnsupported();
};

void TestKekUsage::usages_data()
{
    QTest::addColumn<QString>("kek");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("kek-a: every version, ordered, bad params left out")
        << QStringLiteral("kek-a")
        << QStringList{QStringLiteral("orders-value/1/old/WRITEREAD"),
                       QStringLiteral("orders-value/3/pii/WRITE"),
                       QStringLiteral("payments-value/1/enc/WRITEREAD"),
                       QStringLiteral("payments-value/2/enc/WRITEREAD")};
    QTest::newRow("disabled rules are listed and marked")
        << QStringLiteral("kek-b")
        << QStringList{QStringLiteral("orders-value/3/off/WRITEREAD/disabled")};
    QTest::newRow("kek named in metadata.properties")
        << QStringLiteral("kek-props")
        << QStringList{QStringLiteral("users-value/1/fromProps/WRITEREAD")};
    QTest::newRow("unused kek") << QStringLiteral("nobody") << QStringList{};
}

void TestKekUsage::usages()
{
    QFETCH(QString, kek);
    QFETCH(QStringList, expected);
    QStringList got;
    for (const KekUsage &u : kekUsages(estate(), kek))
        got.append(usageKey(u));
    QCOMPARE(got, expected);
}

void TestKekUsage::expiry_data()
{
    QTest::addColumn<QString>("kek");
    QTest::addColumn<QString>("subject");
    QTest::addColumn<int>("days");
    QTest::addColumn<QString>("fromSubject");
    QTest::addColumn<int>("fromVersion");
    QTest::newRow("latest version of the subject wins")
        << QStringLiteral("kek-a") << QStringLiteral("payments-value") << 30
        << QStringLiteral("payments-value") << 2;
    QTest::newRow("subject's latest rule without expiry means none")
        << QStringLiteral("kek-a") << QStringLiteral("orders-value") << 0
        << QStringLiteral("orders-value") << 3;
    QTest::newRow("other subject: latest schemas naming the kek, old versions ignored")
        << QStringLiteral("kek-a") << QStringLiteral("elsewhere-value") << 30
        << QStringLiteral("payments-value") << 2;
    QTest::newRow("disabled rules do not count")
        << QStringLiteral("kek-b") << QStringLiteral("orders-value") << 0 << QString() << 0;
    QTest::newRow("unused kek") << QStringLiteral("nobody") << QStringLiteral("orders-value") << 0
                                << QString() << 0;
}

void TestKekUsage::expiry()
{
    QFETCH(QString, kek);
    QFETCH(QString, subject);
    QFETCH(int, days);
    QFETCH(QString, fromSubject);
    QFETCH(int, fromVersion);
    const ExpirySource source = dekExpiry(estate(), kek, subject);
    QCOMPARE(source.days, days);
    QCOMPARE(source.subject, fromSubject);
    QCOMPARE(source.version, fromVersion);
}

void TestKekUsage::dueAndAge_data()
{
    QTest::addColumn<qint64>("created");
    QTest::addColumn<int>("days");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("due");
    QTest::addColumn<int>("age");
    const qint64 t0 = 1'700'000'000'000;
    QTest::newRow("fresh") << t0 << 30 << t0 << t0 + 30 * DayMs << 0;
    QTest::newRow("just under a day") << t0 << 30 << t0 + DayMs - 1 << t0 + 30 * DayMs << 0;
    QTest::newRow("overdue") << t0 << 30 << t0 + 45 * DayMs << t0 + 30 * DayMs << 45;
    QTest::newRow("no expiry") << t0 << 0 << t0 + 400 * DayMs << qint64(0) << 400;
    QTest::newRow("unknown creation") << qint64(0) << 30 << t0 << qint64(0) << 0;
    QTest::newRow("clock behind creation") << t0 << 10 << t0 - DayMs << t0 + 10 * DayMs << 0;
}

void TestKekUsage::dueAndAge()
{
    QFETCH(qint64, created);
    QFETCH(int, days);
    QFETCH(qint64, now);
    QFETCH(qint64, due);
    QFETCH(int, age);
    QCOMPARE(rotationDueMs(created, days), due);
    QCOMPARE(ageInDays(created, now), age);
}

void TestKekUsage::fingerprint_data()
{
    QTest::addColumn<QByteArray>("material");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QByteArray() << QString();
    QTest::newRow("abc") << QByteArray("abc")
                         << QStringLiteral("BA78 16BF 8F01 CFEA 4141 40DE 5DAE 2223 B003 61A3 9617 "
                                           "7A9C B410 FF61 F200 15AD");
}

void TestKekUsage::fingerprint()
{
    QFETCH(QByteArray, material);
    QFETCH(QString, expected);
    QCOMPARE(keyMaterialFingerprint(material), expected);
}

void TestKekUsage::taggedFields_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QJsonObject>("metadata");
    QTest::addColumn<QStringList>("expected"); // path|tags|keks

    const QString avro = QStringLiteral(
        R"({"type":"record","name":"Customer","namespace":"bank","fields":[
            {"name":"id","type":"string"},
            {"name":"ssn","type":"string","confluent:tags":["PII"]},
            {"name":"card","type":["null","string"],"confluent:tags":["PCI"]},
            {"name":"note","type":"string"}]})");
    QTest::newRow("avro confluent:tags") << QStringLiteral("AVRO") << avro << QJsonObject()
                                         << QStringList{QStringLiteral("ssn|PII|kek-pii"),
                                                        QStringLiteral("card|PCI|kek-pci,kek-pii")};

    const QJsonObject wildcard{
        {QStringLiteral("tags"),
         QJsonObject{{QStringLiteral("**.note"), QJsonArray{QStringLiteral("PII")}}}}};
    QTest::newRow("avro metadata.tags wildcard")
        << QStringLiteral("AVRO") << avro << wildcard
        << QStringList{QStringLiteral("ssn|PII|kek-pii"),
                       QStringLiteral("card|PCI|kek-pci,kek-pii"),
                       QStringLiteral("note|PII|kek-pii")};

    const QString json = QStringLiteral(
        R"({"type":"object","properties":{
            "ssn":{"type":"string","confluent:tags":["PII"]},
            "other":{"type":"string","confluent:tags":["PUBLIC"]},
            "plain":{"type":"integer"}}})");
    QTest::newRow("json schema tags")
        << QStringLiteral("JSON") << json << QJsonObject()
        << QStringList{QStringLiteral("other|PUBLIC|"), QStringLiteral("ssn|PII|kek-pii")};

    // Protobuf: field options and metadata.tags, at any depth; a message that contains itself
    // is followed once; several top-level messages name theirs in the path.
    const QString proto = QStringLiteral(R"(syntax = "proto3";
package bank;
import "confluent/meta.proto";
message Customer {
  string id = 1;
  string ssn = 2 [(confluent.field_meta).tags = "PII"];
  Card card = 3;
  repeated Customer referrals = 4;
  oneof contact { string email = 5 [(confluent.field_meta).tags = "PII"]; int32 desk = 6; }
  string note = 7;
  message Card { bytes pan = 1 [(confluent.field_meta).tags = "PCI"]; }
}
message Audit { string who = 1 [(confluent.field_meta).tags = "PUBLIC"]; }
)");
    const QJsonObject notes{
        {QStringLiteral("tags"),
         QJsonObject{{QStringLiteral("bank.Customer.note"), QJsonArray{QStringLiteral("PII")}}}}};
    QTest::newRow("protobuf field_meta and metadata.tags")
        << QStringLiteral("PROTOBUF") << proto << notes
        << QStringList{QStringLiteral("Customer.ssn|PII|kek-pii"),
                       QStringLiteral("Customer.card.pan|PCI|kek-pci,kek-pii"),
                       QStringLiteral("Customer.email|PII|kek-pii"),
                       QStringLiteral("Customer.note|PII|kek-pii"),
                       QStringLiteral("Audit.who|PUBLIC|")};
}

void TestKekUsage::taggedFields()
{
    QFETCH(QString, type);
    QFETCH(QString, text);
    QFETCH(QJsonObject, metadata);
    QFETCH(QStringList, expected);

    Schema s;
    s.subject = QStringLiteral("customers-value");
    s.version = 1;
    s.schemaType = type;
    s.schema = text;
    s.metadata = metadata;
    s.ruleSet = QJsonObject{
        {QStringLiteral("domainRules"),
         QJsonArray{rule(QStringLiteral("pii"), QStringLiteral("kek-pii"),
                         {QStringLiteral("PII"), QStringLiteral("PCI")}),
                    rule(QStringLiteral("pci"), QStringLiteral("kek-pci"), {QStringLiteral("PCI")}),
                    rule(QStringLiteral("off"), QStringLiteral("kek-off"), {QStringLiteral("PII")},
                         {}, true)}}};
    const Result<QList<TaggedFieldKeys>> fields = taggedFieldKeys(s);
    QVERIFY2(fields, qPrintable(fields.error().message));
    QStringList got;
    for (const TaggedFieldKeys &f : *fields) {
        QStringList keks = f.kekNames;
        keks.sort();
        got.append(QStringLiteral("%1|%2|%3")
                       .arg(f.path, f.tags.join(QLatin1Char(',')), keks.join(QLatin1Char(','))));
    }
    QCOMPARE(got, expected);
}

void TestKekUsage::unknownTypesAreUnsupported()
{
    Schema s;
    s.schemaType = QStringLiteral("XML");
    s.schema = QStringLiteral("<a/>");
    const Result<QList<TaggedFieldKeys>> fields = taggedFieldKeys(s);
    QVERIFY(!fields);
    QCOMPARE(fields.error().code, QStringLiteral("serde.unsupported"));

    // A Protobuf schema whose import has no reference says which.
    s.schemaType = QStringLiteral("PROTOBUF");
    s.schema = QStringLiteral("syntax = \"proto3\"; import \"a.proto\"; message M {}");
    const Result<QList<TaggedFieldKeys>> unresolved = taggedFieldKeys(s);
    QVERIFY(!unresolved);
    QVERIFY(unresolved.error().message.contains(QStringLiteral("'a.proto'")));

    s.schemaType = QStringLiteral("AVRO");
    s.schema = QStringLiteral("{not json");
    QVERIFY(!taggedFieldKeys(s));
}

QTEST_GUILESS_MAIN(TestKekUsage)
#include "tst_kekusage.moc"
