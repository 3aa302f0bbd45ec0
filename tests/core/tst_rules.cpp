#include "core/domain/rules.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace kw;

namespace {
QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}
} // namespace

class TestRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsFieldAndPayloadRules()
    {
        const RuleSet rs = parseRuleSet(json(R"({
            "domainRules":[
              {"name":"pii","type":"ENCRYPT","tags":["PII"],"params":{"encrypt.kek.name":"k1","encrypt.kms.type":"local-kms","encrypt.kms.key.id":"mykey"}},
              {"name":"cel","type":"CEL","expr":"true"},
              {"name":"pci","type":"ENCRYPT","tags":["PCI","CARD"],"params":{"encrypt.kek.name":"k2","encrypt.dek.algorithm":"AES256_SIV","encrypt.dek.expiry.days":"90"},"mode":"READ"}],
            "encodingRules":[{"name":"whole","type":"ENCRYPT_PAYLOAD","params":{"encrypt.kek.name":"k3"}}]})"),
                                        {});
        QVERIFY(rs.problems.isEmpty());
        QCOMPARE(rs.fieldRules.size(), 2);
        QCOMPARE(rs.payloadRules.size(), 1);
        const EncryptionRule &pii = rs.fieldRules.at(0);
        QCOMPARE(pii.kekName, QStringLiteral("k1"));
        QCOMPARE(pii.kmsType, QStringLiteral("local-kms"));
        QCOMPARE(pii.kmsKeyId, QStringLiteral("mykey"));
        QCOMPARE(pii.algorithm, DekAlgorithm::Aes256Gcm); // the default
        QCOMPARE(pii.expiryDays, 0);
        QCOMPARE(pii.mode, QStringLiteral("WRITEREAD"));
        QVERIFY(pii.appliesOnRead() && pii.appliesOnWrite());
        const EncryptionRule &pci = rs.fieldRules.at(1);
        QCOMPARE(pci.algorithm, DekAlgorithm::Aes256Siv);
        QCOMPARE(pci.expiryDays, 90);
        QVERIFY(pci.appliesOnRead() && !pci.appliesOnWrite());
        QCOMPARE(rs.payloadRules.first().type, EncryptionRule::Type::Payload);
        QVERIFY(rs.runsOnClient());
    }

    void tagsCoverage()
    {
        EncryptionRule r;
        r.tags = {QStringLiteral("PII"), QStringLiteral("PCI")};
        QVERIFY(r.coversTags({QStringLiteral("PCI")}));
        QVERIFY(!r.coversTags({QStringLiteral("PUBLIC")}));
        QVERIFY(!r.coversTags({}));
        r.tags.clear();
        QVERIFY(r.coversTags({}));
        QVERIFY(r.coversTags({QStringLiteral("anything")}));
    }

    void metadataPropertiesAreTheFallback()
    {
        const RuleSet rs = parseRuleSet(
            json(
                R"({"domainRules":[{"type":"ENCRYPT","tags":["PII"],"params":{"encrypt.dek.algorithm":"AES128_GCM"}}]})"),
            json(
                R"({"properties":{"encrypt.kek.name":"fromMeta","encrypt.dek.algorithm":"AES256_SIV","encrypt.dek.expiry.days":"7"}})"));
        QCOMPARE(rs.fieldRules.size(), 1);
        QCOMPARE(rs.fieldRules.first().kekName, QStringLiteral("fromMeta"));
        QCOMPARE(rs.fieldRules.first().algorithm, DekAlgorithm::Aes128Gcm); // params win
        QCOMPARE(rs.fieldRules.first().expiryDays, 7);
    }

    void enableAt_data()
    {
        QTest::addColumn<QString>("enableAt");
        QTest::addColumn<bool>("runs");
        QTest::newRow("absent") << QString() << true;
        QTest::newRow("ALL") << QStringLiteral("ALL") << true;
        QTest::newRow("CLIENT") << QStringLiteral("CLIENT") << true;
        QTest::newRow("GATEWAY") << QStringLiteral("GATEWAY") << false;
        QTest::newRow("SERVER") << QStringLiteral("SERVER") << false;
        QTest::newRow("NONE") << QStringLiteral("NONE") << false;
    }

    void enableAt()
    {
        QFETCH(QString, enableAt);
        QFETCH(bool, runs);
        QJsonObject rs{{QStringLiteral("domainRules"), QJsonArray{}}};
        if (!enableAt.isEmpty())
            rs.insert(QStringLiteral("enableAt"), enableAt);
        QCOMPARE(parseRuleSet(rs, {}).runsOnClient(), runs);
    }

    void badParametersAreProblems_data()
    {
        QTest::addColumn<QString>("params");
        QTest::addColumn<QString>("code");
        QTest::newRow("no kek") << QStringLiteral(R"({})") << QStringLiteral("rules.bad_kek_name");
        QTest::newRow("bad kek name") << QStringLiteral(R"({"encrypt.kek.name":"9lives"})")
                                      << QStringLiteral("rules.bad_kek_name");
        QTest::newRow("kek with space") << QStringLiteral(R"({"encrypt.kek.name":"a b"})")
                                        << QStringLiteral("rules.bad_kek_name");
        QTest::newRow("algorithm")
            << QStringLiteral(R"({"encrypt.kek.name":"k","encrypt.dek.algorithm":"DES"})")
            << QStringLiteral("rules.bad_algorithm");
        QTest::newRow("negative expiry")
            << QStringLiteral(R"({"encrypt.kek.name":"k","encrypt.dek.expiry.days":"-1"})")
            << QStringLiteral("rules.bad_expiry");
        QTest::newRow("text expiry")
            << QStringLiteral(R"({"encrypt.kek.name":"k","encrypt.dek.expiry.days":"soon"})")
            << QStringLiteral("rules.bad_expiry");
    }

    void badParametersAreProblems()
    {
        QFETCH(QString, params);
        QFETCH(QString, code);
        QJsonObject rule{
            {QStringLiteral("name"), QStringLiteral("r")},
            {QStringLiteral("type"), QStringLiteral("ENCRYPT")},
            {QStringLiteral("params"), QJsonDocument::fromJson(params.toUtf8()).object()}};
        const RuleSet rs = parseRuleSet({{QStringLiteral("domainRules"), QJsonArray{rule}}}, {});
        QVERIFY(rs.fieldRules.isEmpty());
        QCOMPARE(rs.problems.size(), 1);
        QCOMPARE(rs.problems.first().code, code);
        QVERIFY(rs.problems.first().message.contains(QStringLiteral("'r'")));
    }
};

QTEST_GUILESS_MAIN(TestRules)
#include "tst_rules.moc"
