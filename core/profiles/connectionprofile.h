#pragma once
// One named connection: a Schema Registry (with its DEK Registry), a Kafka cluster and the KMS
// settings used to unwrap DEKs. A plain value. When loaded through ProfileStore it carries its
// secrets (registry credentials, SASL/SSL passwords, KMS secrets), so it has no debug output.

#include "kms/kms.h"
#include "registry/connectionsettings.h"

#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringView>

namespace kw::profiles {

// Whether a setting's value is a secret, for librdkafka properties and KMS settings alike: the
// one place that decides what goes to the keychain instead of the settings file, what the UI
// masks and what error messages never repeat. By rule, so that properties added by newer
// librdkafka versions are covered without a list to keep up: any name holding "password",
// "passphrase" or "secret"; private keys and their files ("ssl.key.*", "*private.key*",
// "*.key.pem", "*.key", "ssl_key"); tokens ("*.token"). Plus the few names the rule misses that
// librdkafka itself treats as sensitive (sasl.username, ssl.ca.pem, sasl.oauthbearer.config)
// or that carry credentials elsewhere (sasl.jaas.config, HashiCorp Vault's token.id).
// Case-insensitive; '.', '_' and '-' separate the words of a name.
[[nodiscard]] bool isSecretProperty(QStringView name);

struct ConnectionProfile
{
    QString name;
    registry::ConnectionSettings registry;
    QString bootstrapServers; // empty: no Kafka for this profile
    // librdkafka properties (security.protocol, sasl.*, ssl.*, ...) passed to every client.
    // Secret ones (isSecretProperty: sasl.password, ssl.key.password, ...) live in the keychain.
    QMap<QString, QString> kafkaProperties;
    // KMS settings per kmsType, e.g. {"local-kms": {"secret": "..."}}, {"aws-kms": {...}}.
    QMap<QString, kms::KmsConfig> kms;
    bool sandbox = false; // the embedded demo sandbox (never saved)

    // The KMS settings for the engine: every type's settings merged into one config (keys are
    // distinct across types: secret, access.key.id, ...).
    [[nodiscard]] kms::KmsConfig kmsConfig() const;
};

} // namespace kw::profiles
Q_DECLARE_METATYPE(kw::profiles::ConnectionProfile)
