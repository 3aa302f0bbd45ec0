#include "core/sandbox/registryerrors.h"

namespace kw::sandbox {

namespace {
const QString Prefix = QStringLiteral("registry.");
}

Error registryError(int code, const QString &message)
{
    return makeError(Prefix + QString::number(code), message);
}

int registryErrorCode(const Error &error)
{
    if (!error.code.startsWith(Prefix))
        return ErrStore;
    bool ok = false;
    const int code = error.code.mid(Prefix.size()).toInt(&ok);
    return ok ? code : ErrStore;
}

int httpStatusForCode(int code)
{
    if (code >= 10000)
        return code / 100;
    if (code >= 100 && code < 600)
        return code;
    return 500;
}

Error keyNotFound(const QString &name)
{
    return registryError(ErrKeyNotFound, QStringLiteral("Key '%1' not found").arg(name));
}

Error invalidKeyField(const QString &field)
{
    return registryError(
        ErrInvalidKey, QStringLiteral("Invalid or missing value for field '%1' of key").arg(field));
}

} // namespace kw::sandbox
