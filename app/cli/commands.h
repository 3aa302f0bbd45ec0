#pragma once
// The keywarden-cli commands. Each takes its own arguments (arguments[0] is the command name)
// and returns the process exit code; it runs on the main thread with the event loop available
// through kw::cli::await().

#include <QStringList>

int runKeksCommand(const QStringList &arguments);
int runDeksCommand(const QStringList &arguments);
int runSubjectsCommand(const QStringList &arguments);
int runSchemaCommand(const QStringList &arguments);
int runRecordsCommand(const QStringList &arguments);
