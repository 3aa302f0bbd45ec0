#pragma once

#include <QStringView>

namespace kw {

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

} // namespace kw
