#pragma once
// One named connection: a Schema Registry (with its DEK Registry), a Kafka cluster and the KMS
// settings used to unwrap DEKs. A plain value. When loaded through ProfileStore it carries its
// secrets (registry credentials, SASL/SSL passwords, KMS secrets), so it has no debug output.

#include "core/domain/secretproperty.h"
#include "core/kafka/kafkasettings.h"
#include "core/kms/kms.h"
#include "core/net/connectionsettings.h"

#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringView>

namespace kw::profiles {

using kw::isSecretProperty;

struct ConnectionProfile
{
    QString name;
    registry::ConnectionSettings registry;
    QString bootstrapServers; // empty: no Kafka for this profile
    // librdkafka properties (security.protocol, sasl.*, ssl.*, ...) passed to every client.
    // Secret ones (isSecretProperty: sasl.password, ssl.key.password, ...) live in the keychain.
    QMap<QString, QString> kafkaProperties;
    // KMS settings per kmsType, e.g. {"local-kms": {"secret": "..."}}, {"aws-kms": {...}}, as the
    // engine takes them: a KEK only sees its own type's settings. Secret ones
    // (kms::isSecretSetting) live in the keychain.
    kms::KmsSettings kms;
    bool sandbox = false; // the embedded demo sandbox (never saved)

    // What the Kafka layer gets: the bootstrap servers and client properties, no other secret.
    [[nodiscard]] kafka::KafkaSettings kafkaSettings() const;
};

} // namespace kw::profiles
Q_DECLARE_METATYPE(kw::profiles::ConnectionProfile)
