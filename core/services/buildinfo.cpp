#include "core/services/buildinfo.h"

#include <QStringList>
#include <QtGlobal>

#include <librdkafka/rdkafka.h>
#include <openssl/crypto.h>

namespace kw {

QList<ComponentVersion> runtimeComponents()
{
    return {
        {QStringLiteral("Qt"), QString::fromLatin1(qVersion())},
        {QStringLiteral("OpenSSL"), QString::fromLatin1(OpenSSL_version(OPENSSL_VERSION_STRING))},
        {QStringLiteral("librdkafka"), QString::fromLatin1(rd_kafka_version_str())},
        // Avro C reports no version at run time; this is the one it was built against.
        {QStringLiteral("Avro C"), QStringLiteral(KEYWARDEN_AVRO_C_VERSION)},
    };
}

QString versionLine(const QString &programName)
{
    QStringList parts;
    for (const ComponentVersion &c : runtimeComponents())
        parts << c.name + QLatin1Char(' ') + c.version;
    return programName + QLatin1Char(' ') + applicationVersion() + QStringLiteral(" (") +
           parts.join(QStringLiteral(", ")) + QLatin1Char(')');
}

} // namespace kw
