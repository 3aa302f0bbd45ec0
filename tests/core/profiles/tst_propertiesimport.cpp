#include "core/services/propertiesimport.h"

#include <QTemporaryDir>
#include <QTest>

using namespace kw;
using namespace kw::profiles;

// A Confluent Cloud client configuration as the Cloud console offers it for download.
static const char CloudProperties[] =
    R"(# Required connection configs for Kafka producer, consumer, and admin
bootstrap.servers=pkc-12345.eu-west-1.aws.confluent.cloud:9092
security.protocol=SASL_SSL
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='ignored' username="KAFKAKEY" password="kafka-secret";
sasl.mechanism=PLAIN
# Required for correctness in Apache Kafka clients prior to 2.6
client.dns.lookup=use_all_dns_ips

# Best practice for higher availability in Apache Kafka clients prior to 3.0
session.timeout.ms=45000

# Required connection configs for Confluent Cloud Schema Registry
schema.registry.url=https://psrc-abc12.eu-west-1.aws.confluent.cloud
basic.auth.credentials.source=USER_INFO
basic.auth.user.info=SRKEY:sr/secret+value
)";

class TestPropertiesImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void javaPropertiesSyntax_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("equals") << QByteArray("a=b\n") << "a"
                                << "b";
        QTest::newRow("colon") << QByteArray("a: b\n") << "a"
                               << "b";
        QTest::newRow("blank separator") << QByteArray("a   b c\n") << "a"
                                         << "b c";
        QTest::newRow("spaces around") << QByteArray("  a =  b  \n") << "a"
                                       << "b  ";
        QTest::newRow("continuation") << QByteArray("a=one, \\\n    two\n") << "a"
                                      << "one, two";
        QTest::newRow("escaped separator in key") << QByteArray("a\\=b=c\n") << "a=b"
                                                  << "c";
        QTest::newRow("unicode escape")
            << QByteArray("a=caf\\u00e9\n") << "a" << QStringLiteral("café");
        QTest::newRow("comment lines") << QByteArray("# x=y\n! z=w\na=b\n") << "a"
                                       << "b";
        QTest::newRow("later wins") << QByteArray("a=1\na=2\n") << "a"
                                    << "2";
        QTest::newRow("crlf") << QByteArray("a=b\r\nc=d\r\n") << "c"
                              << "d";
        QTest::newRow("empty value") << QByteArray("a=\n") << "a"
                                     << "";
    }

    void javaPropertiesSyntax()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, key);
        QFETCH(QString, value);
        auto parsed = parseJavaProperties(text);
        QVERIFY2(parsed, qPrintable(parsed.error().message));
        QVERIFY2(parsed->contains(key), qPrintable(parsed->keys().join(QLatin1Char('|'))));
        QCOMPARE(parsed->value(key), value);
    }

    void malformedEscapeIsAnError()
    {
        auto parsed = parseJavaProperties("a=\\u12\n");
        QVERIFY(!parsed);
        QVERIFY(parsed.error().message.contains(QLatin1String("Line 1")));
    }

    void confluentCloudFile()
    {
        auto imported = importClientProperties(CloudProperties, QStringLiteral("cloud"));
        QVERIFY2(imported, qPrintable(imported.error().message));
        const ConnectionProfile &p = imported->profile;
        QCOMPARE(p.name, QStringLiteral("cloud"));
        QCOMPARE(p.registry.baseUrl.toString(),
                 QStringLiteral("https://psrc-abc12.eu-west-1.aws.confluent.cloud"));
        QCOMPARE(p.registry.auth.kind, registry::AuthSettings::Kind::Basic);
        QCOMPARE(p.registry.auth.basicKey, QStringLiteral("SRKEY"));
        QCOMPARE(p.registry.auth.basicSecret, QStringLiteral("sr/secret+value"));
        QCOMPARE(p.bootstrapServers,
                 QStringLiteral("pkc-12345.eu-west-1.aws.confluent.cloud:9092"));
        QCOMPARE(p.kafkaProperties.value(QStringLiteral("security.protocol")),
                 QStringLiteral("SASL_SSL"));
        QCOMPARE(p.kafkaProperties.value(QStringLiteral("sasl.mechanisms")),
                 QStringLiteral("PLAIN"));
        QCOMPARE(p.kafkaProperties.value(QStringLiteral("sasl.username")),
                 QStringLiteral("KAFKAKEY"));
        QCOMPARE(p.kafkaProperties.value(QStringLiteral("sasl.password")),
                 QStringLiteral("kafka-secret"));
        QCOMPARE(p.kafkaProperties.value(QStringLiteral("client.dns.lookup")),
                 QStringLiteral("use_all_dns_ips"));
        // The Java-only setting is reported, not silently dropped.
        QCOMPARE(imported->warnings.size(), 1);
        QVERIFY(imported->warnings.first().startsWith(QLatin1String("session.timeout.ms")));
    }

    void bearerAuthAndJavaKeyStores()
    {
        const QByteArray text =
            "schema.registry.url=https://sr.internal:8081,https://sr2.internal:8081\n"
            "bearer.auth.credentials.source=STATIC_TOKEN\n"
            "bearer.auth.token=eyJhbGciOi\n"
            "bearer.auth.logical.cluster=lsrc-123\n"
            "bearer.auth.identity.pool.id=pool-1,pool-2\n"
            "schema.registry.ssl.truststore.location=/etc/kafka/truststore.jks\n"
            "schema.registry.ssl.truststore.password=changeit\n"
            "bootstrap.servers=broker:9093\n"
            "security.protocol=SSL\n"
            "ssl.truststore.location=/etc/kafka/truststore.jks\n"
            "ssl.ca.location=/etc/kafka/ca.pem\n"
            "ssl.key.password=keypass\n";
        auto imported = importClientProperties(text, QStringLiteral("onprem"));
        QVERIFY2(imported, qPrintable(imported.error().message));
        const ConnectionProfile &p = imported->profile;
        QCOMPARE(p.registry.baseUrl.host(), QStringLiteral("sr.internal"));
        QCOMPARE(p.registry.auth.kind, registry::AuthSettings::Kind::Bearer);
        QCOMPARE(p.registry.auth.bearerToken, QStringLiteral("eyJhbGciOi"));
        QCOMPARE(p.registry.auth.targetSrCluster, QStringLiteral("lsrc-123"));
        QCOMPARE(p.registry.auth.identityPoolIds,
                 (QStringList{QStringLiteral("pool-1"), QStringLiteral("pool-2")}));
        QVERIFY(p.registry.tls.caFile.isEmpty()); // a JKS file is not a PEM CA file
        QCOMPARE(p.kafkaProperties.value(QStringLiteral("ssl.ca.location")),
                 QStringLiteral("/etc/kafka/ca.pem"));
        QCOMPARE(p.kafkaProperties.value(QStringLiteral("ssl.key.password")),
                 QStringLiteral("keypass"));
        QVERIFY(!p.kafkaProperties.contains(QStringLiteral("ssl.truststore.location")));
        const QString all = imported->warnings.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QLatin1String("lists 2 URLs")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("schema.registry.ssl.truststore.location")),
                 qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("ssl.truststore.location (a Java key store)")),
                 qPrintable(all));
        QVERIFY(!all.contains(QLatin1String("changeit"))); // warnings never quote secrets
    }

    void placeholdersAreFlagged()
    {
        const QByteArray text = "schema.registry.url=https://psrc.example\n"
                                "basic.auth.user.info={{ SR_API_KEY }}:{{ SR_API_SECRET }}\n";
        auto imported = importClientProperties(text, QStringLiteral("t"));
        QVERIFY(imported);
        QVERIFY(imported->warnings.join(QLatin1Char('\n')).contains(QLatin1String("placeholder")));
    }

    void notAPropertiesFile()
    {
        auto none = importClientProperties("hello=world\n", QStringLiteral("x"));
        QVERIFY(!none);
        QVERIFY(none.error().message.contains(QLatin1String("schema.registry.url")));
        auto badUrl =
            importClientProperties("schema.registry.url=not a url\n", QStringLiteral("x"));
        QVERIFY(!badUrl);
        QVERIFY(badUrl.error().message.contains(QLatin1String("not a URL")));
    }

    void fromFileUsesItsName()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("prod-eu.properties"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(CloudProperties);
        f.close();
        auto imported = importClientPropertiesFile(path);
        QVERIFY(imported);
        QCOMPARE(imported->profile.name, QStringLiteral("prod-eu"));
        auto missing = importClientPropertiesFile(dir.filePath(QStringLiteral("nope.properties")));
        QVERIFY(!missing);
        QVERIFY(missing.error().message.contains(QLatin1String("nope.properties")));
    }
};

QTEST_GUILESS_MAIN(TestPropertiesImport)
#include "tst_propertiesimport.moc"
