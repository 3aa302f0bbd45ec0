#pragma once
// What the Kafka layer needs to reach a cluster, and nothing more: never a whole connection
// profile with its registry and KMS credentials.

#include <QMap>
#include <QString>

namespace kw::kafka {

struct KafkaSettings
{
    QString connectionName;   // names the connection in error messages
    QString bootstrapServers; // host:port[,host:port...]; empty: no Kafka for this connection
    // librdkafka properties (security.protocol, sasl.*, ssl.*, ...) passed to every client
    // verbatim, secret ones included.
    QMap<QString, QString> properties;
};

} // namespace kw::kafka
