#include "core/domain/secretproperty.h"
#include "core/kafka/kafkaclient.h"
#include "core/kafka/kafkaclient_p.h"
#include "core/kafka/kafkaconf_p.h"

namespace kw::kafka::detail {

namespace {

void logLine(const rd_kafka_t *, int level, const char *fac, const char *buf)
{
    qCDebug(lcKafka, "rdkafka %d %s: %s", level, fac, buf);
}

} // namespace

Result<rd_kafka_conf_t *> buildConf(const KafkaSettings &settings, const Properties &defaults,
                                    const Properties &forced)
{
    auto props = clientProperties(settings);
    if (!props)
        return props.error();
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[512] = {};
    const auto set = [&](const QString &name, const QString &value) -> Result<void> {
        errstr[0] = '\0';
        const rd_kafka_conf_res_t res = rd_kafka_conf_set(
            conf, name.toUtf8().constData(), value.toUtf8().constData(), errstr, sizeof errstr);
        if (res == RD_KAFKA_CONF_OK)
            return {};
        if (res == RD_KAFKA_CONF_UNKNOWN)
            return makeError(QString(ErrorBadProperty),
                             QStringLiteral("Unknown Kafka client property '%1': check its "
                                            "spelling against librdkafka's configuration names.")
                                 .arg(name));
        const QString detail = isSecretProperty(name) ? QStringLiteral("the value is not accepted")
                                                      : QString::fromUtf8(errstr);
        return makeError(
            QString(ErrorBadProperty),
            QStringLiteral("Invalid value for Kafka client property '%1': %2.").arg(name, detail));
    };
    const Properties &given = *props;
    for (const Properties *list : {&defaults, &given, &forced}) {
        for (const auto &[name, value] : *list) {
            if (auto ok = set(name, value); !ok) {
                rd_kafka_conf_destroy(conf);
                return ok.error();
            }
        }
    }
    return conf;
}

void logToCategory(rd_kafka_conf_t *conf)
{
    rd_kafka_conf_set_log_cb(conf, &logLine);
}

} // namespace kw::kafka::detail
