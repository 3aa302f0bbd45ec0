#pragma once
// One named connection: a Schema Registry (with its DEK Registry), a Kafka cluster and the KMS
// settings used to unwrap DEKs. A plain value. When loaded through ProfileStore it carries its
// secrets (registry credentials, SASL/SSL passwords, KMS secrets), so it has no debug output.

#include "kms/kms.h"
#include "registry/connectionsettings.h"

#include <QMap>
#include <QMetaType>
#include <QString>

namespace kw::profiles {

struct ConnectionProfile
{
    QString name;
    registry::ConnectionSettings registry;
    QString bootstrapServers; // empty: no Kafka for this profile
    // librdkafka properties (security.protocol, sasl.*, ssl.*, ...) passed to every client.
    // Secret ones (sasl.password, ssl.key.password, ...) live in the keychain.
    QMap<QString, QString> kafkaProperties;
    // KMS settings per kmsType, e.g. {"local-kms": {"secret": "..."}}, {"aws-kms": {...}}.
    QMap<QString, kms::KmsConfig> kms;
    bool sandbox = false; // the embedded demo sandbox (never saved)

    // The KMS settings for the engine: every type's settings merged into one config (keys are
    // distinct across types: secret, access.key.id, ...).
    [[nodiscard]] kms::KmsConfig kmsConfig() const;
    // The Kafka property names whose values are secrets.
    static bool isSecretKafkaProperty(const QString &name);
};

} // namespace kw::profiles
Q_DECLARE_METATYPE(kw::profiles::ConnectionProfile)
