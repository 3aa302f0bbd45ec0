#include "core/domain/privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kw {

namespace {

Error failure(const QString &what, const QString &path)
{
    return makeError(QString(ErrorPrivateFiles),
                     QStringLiteral("Could not %1 %2 (%3). Check the permissions of its parent "
                                    "folder and that you own it.")
                         .arg(what, path, QString::fromLocal8Bit(std::strerror(errno))));
}

} // namespace

Result<void> makePrivateFolder(const QString &path)
{
    if (path.isEmpty())
        return makeError(QString(ErrorPrivateFiles), QStringLiteral("No folder was named."));
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    // The missing folders, outermost first: each is created 0700 itself, so no folder of ours
    // is ever readable by others, not even between mkdir() and chmod().
    QStringList missing;
    for (QString dir = absolute; !QFileInfo::exists(dir);) {
        missing.prepend(dir);
        const QString parent = QFileInfo(dir).absolutePath();
        if (parent == dir)
            break;
        dir = parent;
    }
    for (const QString &dir : std::as_const(missing)) {
        const QByteArray native = QFile::encodeName(dir);
        if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST)
            return failure(QStringLiteral("create the folder"), dir);
        if (::chmod(native.constData(), 0700) != 0)
            return failure(QStringLiteral("restrict the folder"), dir);
    }
    if (!QFileInfo(absolute).isDir()) {
        errno = ENOTDIR;
        return failure(QStringLiteral("use the folder"), absolute);
    }
    if (::chmod(QFile::encodeName(absolute).constData(), 0700) != 0)
        return failure(QStringLiteral("restrict the folder"), absolute);
    return {};
}

Result<void> makePrivateFile(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return failure(QStringLiteral("create the file"), path);
    // fchmod on the descriptor we hold: also tightens a file that existed with looser modes.
    const int changed = ::fchmod(fd, 0600);
    ::close(fd);
    if (changed != 0)
        return failure(QStringLiteral("restrict the file"), path);
    return {};
}

Result<void> makePrivateAppFolders()
{
    const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (auto ok = makePrivateFolder(data); !ok)
        return ok;
    const QString config = QFileInfo(QSettings().fileName()).absolutePath();
    return makePrivateFolder(config);
}

} // namespace kw
