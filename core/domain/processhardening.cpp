#include "core/domain/processhardening.h"

#include <cerrno>
#include <cstring>

#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif
#include <sys/resource.h>

namespace kw {

Result<void> disableCoreDumps()
{
    const rlimit none{0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0) {
        const int error = errno;
        return makeError(QStringLiteral("process.core_limit"),
                         QStringLiteral("Core dumps could not be turned off (setrlimit: %1).")
                             .arg(QString::fromLocal8Bit(std::strerror(error))));
    }
#ifdef Q_OS_LINUX
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        const int error = errno;
        return makeError(QStringLiteral("process.dumpable"),
                         QStringLiteral("The process could not be made non-dumpable "
                                        "(prctl: %1).")
                             .arg(QString::fromLocal8Bit(std::strerror(error))));
    }
#endif
    return {};
}

bool coreDumpsPossible()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_CORE, &limit) == 0 && (limit.rlim_cur != 0 || limit.rlim_max != 0))
        return true;
#ifdef Q_OS_LINUX
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0;
#else
    return false;
#endif
}

} // namespace kw
