#pragma once
// Reads a Confluent client properties file (the one Java/librdkafka clients and the Confluent
// CLI use) into a connection profile: Schema Registry URL and auth, Kafka bootstrap servers,
// security protocol, SASL and SSL settings. Settings Keywarden cannot use are reported, not
// silently dropped.

#include "core/domain/result.h"
#include "core/services/connectionprofile.h"

#include <QMap>
#include <QStringList>

namespace kw::profiles {

struct PropertiesImport
{
    ConnectionProfile profile;
    QStringList warnings; // one sentence per setting that was not taken over, and why
};

// Java .properties syntax: '#'/'!' comments, '=' ':' or whitespace separators, '\' line
// continuations and escapes (\t \n \uXXXX ...). Later keys win.
[[nodiscard]] Result<QMap<QString, QString>> parseJavaProperties(const QByteArray &text);

[[nodiscard]] Result<PropertiesImport> importClientProperties(const QByteArray &text,
                                                              const QString &profileName);
[[nodiscard]] Result<PropertiesImport> importClientPropertiesFile(const QString &path,
                                                                  const QString &profileName = {});

} // namespace kw::profiles
