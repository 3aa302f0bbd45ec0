// consumerGroupsReading against librdkafka's mock cluster and against bad settings.
//
// The mock cluster (every librdkafka release up to 2.x, including Debian 12's 2.0.2) answers
// OffsetCommit and OffsetFetch but has no ListGroups and no DescribeGroups handler, so no
// client can discover its groups. The test commits offsets for a group on one topic, checks
// that the mock really holds them, and then that the listing fails with kafka.unsupported and
// librdkafka's reason instead of claiming that no group reads the topic.

#include "core/kafka/consumergroups.h"
#include "core/kafka/kafkatypes.h"
#include "core/sandbox/mockkafkacluster.h"

#include <QTest>

#include <librdkafka/rdkafka.h>

using namespace kw;
using namespace kw::kafka;

namespace {

const QString Alpha = QStringLiteral("alpha");
const QString Beta = QStringLiteral("beta");
const QByteArray Group = QByteArrayLiteral("readers-of-alpha");
constexpr qint64 CommittedOffset = 5;

// A consumer of `group` that has not joined it: commits are a simple group's.
rd_kafka_t *groupClient(const QString &bootstrap, const QByteArray &group)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[256];
    const std::pair<const char *, QByteArray> settings[] = {
        {"bootstrap.servers", bootstrap.toUtf8()},
        {"group.id", group},
        {"enable.auto.commit", "false"},
        {"log_level", "3"},
    };
    for (const auto &[key, value] : settings) {
        if (rd_kafka_conf_set(conf, key, value.constData(), errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return nullptr;
        }
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

} // namespace

class TestConsumerGroups : public QObject
{
    Q_OBJECT

private:
    sandbox::MockKafkaCluster m_cluster;
    KafkaSettings m_settings;

private Q_SLOTS:
    void initTestCase()
    {
        auto started = m_cluster.start();
        QVERIFY2(started, qPrintable(started.error().message));
        QVERIFY(m_cluster.createTopic(Alpha, 2));
        QVERIFY(m_cluster.createTopic(Beta, 1));
        m_settings.connectionName = QStringLiteral("mock");
        m_settings.bootstrapServers = m_cluster.bootstrapServers();
    }

    void mockClusterCannotListGroups()
    {
        // A group with a committed offset on alpha, and none on beta.
        rd_kafka_t *rk = groupClient(m_settings.bootstrapServers, Group);
        QVERIFY(rk);
        rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(offsets, "alpha", 0)->offset = CommittedOffset;
        const rd_kafka_resp_err_t committed = rd_kafka_commit(rk, offsets, 0);
        rd_kafka_topic_partition_list_destroy(offsets);
        QCOMPARE(rd_kafka_err2name(committed), rd_kafka_err2name(RD_KAFKA_RESP_ERR_NO_ERROR));

        // The mock holds it (OffsetFetch works)...
        rd_kafka_topic_partition_list_t *asked = rd_kafka_topic_partition_list_new(2);
        rd_kafka_topic_partition_list_add(asked, "alpha", 0);
        rd_kafka_topic_partition_list_add(asked, "beta", 0);
        const rd_kafka_resp_err_t fetched = rd_kafka_committed(rk, asked, 10000);
        const qint64 alphaOffset = asked->elems[0].offset;
        const qint64 betaOffset = asked->elems[1].offset;
        rd_kafka_topic_partition_list_destroy(asked);
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        QCOMPARE(rd_kafka_err2name(fetched), rd_kafka_err2name(RD_KAFKA_RESP_ERR_NO_ERROR));
        QCOMPARE(alphaOffset, CommittedOffset);
        QCOMPARE(betaOffset, qint64(RD_KAFKA_OFFSET_INVALID));

        // ...but cannot say which groups exist: the listing fails, naming the missing call,
        // rather than answering that nobody reads alpha.
        const auto groups = consumerGroupsReading(m_settings, {Alpha}, 15000);
        QVERIFY2(!groups, "the mock cluster answered ListGroups: replace this test with one "
                          "that checks the group is listed for alpha and not for beta");
        QCOMPARE(groups.error().code, QString(ErrorUnsupported));
        const QString message = groups.error().message;
        QVERIFY2(message.contains(QStringLiteral("ListGroups")) &&
                     message.contains(m_settings.bootstrapServers) &&
                     message.contains(QStringLiteral("not supported by broker")),
                 qPrintable(message));
    }

    void noTopicsAsksNothing()
    {
        KafkaSettings nowhere;
        nowhere.bootstrapServers = QStringLiteral("127.0.0.1:1");
        const auto groups = consumerGroupsReading(nowhere, {}, 1000);
        QVERIFY2(groups, qPrintable(groups.error().message));
        QVERIFY(groups->isEmpty());
    }

    void badSettingsFailBeforeTheNetwork()
    {
        KafkaSettings none;
        none.connectionName = QStringLiteral("empty");
        const auto unconfigured = consumerGroupsReading(none, {Alpha});
        QCOMPARE(unconfigured.error().code, QString(ErrorNotConfigured));

        KafkaSettings typo = m_settings;
        typo.properties.insert(QStringLiteral("no.such.property"), QStringLiteral("1"));
        const auto bad = consumerGroupsReading(typo, {Alpha});
        QCOMPARE(bad.error().code, QString(ErrorBadProperty));
        QVERIFY(bad.error().message.contains(QStringLiteral("no.such.property")));
    }

    void unreachableClusterIsReported()
    {
        KafkaSettings down;
        down.connectionName = QStringLiteral("down");
        down.bootstrapServers = QStringLiteral("127.0.0.1:1");
        const auto groups = consumerGroupsReading(down, {Alpha}, 1500);
        QVERIFY(!groups);
        QCOMPARE(groups.error().code, QString(ErrorUnreachable));
        QVERIFY2(groups.error().message.contains(QStringLiteral("127.0.0.1:1")),
                 qPrintable(groups.error().message));
    }
};

QTEST_GUILESS_MAIN(TestConsumerGroups)
#include "tst_consumergroups.moc"
