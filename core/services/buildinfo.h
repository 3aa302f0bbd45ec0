#pragma once
// What this build of Keywarden is and which libraries it runs on, for --version and About.

#include "core/domain/version.h"

#include <QList>
#include <QString>

namespace kw {

struct ComponentVersion
{
    QString name;
    QString version;
};

// The libraries Keywarden is running on, as reported by each library at run time.
QList<ComponentVersion> runtimeComponents();
// "keywarden-cli 0.1.0 (Qt 6.4.2, OpenSSL 3.0.x, librdkafka 2.0.2, Avro C 1.11.1)"
QString versionLine(const QString &programName);

} // namespace kw
