#pragma once
// Folders and files only their owner may read: the data folder (audit log, later journals and
// census state) and the config folder hold what an admin did and how to reach the clusters.
// Modes are set explicitly, so the process umask (0, 022, ...) does not matter.

#include "core/domain/result.h"

#include <QLatin1String>
#include <QString>

namespace kw {

inline constexpr QLatin1String ErrorPrivateFiles{"common.private_files"};

// Creates `path` and any missing parent folders; every folder created here, and `path` itself
// even when it already existed, ends up 0700 (owner only).
Result<void> makePrivateFolder(const QString &path);

// Creates `path` empty when it does not exist (its folder must exist) and makes it 0600 either
// way. Call it before a library (SQLite) opens the file, so the file never exists with looser
// modes; SQLite gives its -wal and -shm files the database file's mode.
Result<void> makePrivateFile(const QString &path);

// The application's data folder (QStandardPaths::AppDataLocation) and the folder of its
// QSettings file, both made private. The GUI and the CLI call this at start, after setting the
// organization and application names.
Result<void> makePrivateAppFolders();

} // namespace kw
