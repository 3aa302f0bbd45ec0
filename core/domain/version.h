#pragma once
// Which Keywarden this is: the version and application id the build was configured with.

#include <QString>

namespace kw {

inline QString applicationVersion()
{
    return QStringLiteral(KEYWARDEN_VERSION_STRING);
}

inline QString applicationId()
{
    return QStringLiteral(KEYWARDEN_APP_ID);
}

} // namespace kw
