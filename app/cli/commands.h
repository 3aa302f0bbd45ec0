#pragma once
// The keywarden-cli commands. Each takes its own arguments (arguments[0] is the command name)
// and returns the process exit code; it runs on the main thread with the event loop available
// through kw::cli::await().

#include "core/audit/auditlog.h"
#include "core/domain/result.h"

#include <QStringList>

#include <memory>

int runKeksCommand(const QStringList &arguments);
int runDeksCommand(const QStringList &arguments);
int runSubjectsCommand(const QStringList &arguments);
int runSchemaCommand(const QStringList &arguments);
int runRecordsCommand(const QStringList &arguments);
int runAuditCommand(const QStringList &arguments);
int runCensusCommand(const QStringList &arguments);
int runScheduleCommand(const QStringList &arguments);
int runDekCommand(const QStringList &arguments);
int runKekCommand(const QStringList &arguments);
// `kek test K` (cmd_kektest.cpp): wraps and unwraps through the KEK's KMS, step by step.
int runKekTestCommand(const QStringList &arguments);
int runJournalCommand(const QStringList &arguments);
int runReportCommand(const QStringList &arguments);
// `report` without verify or key: writes a report (cmd_reportgenerate.cpp).
int runReportGenerateCommand(const QStringList &arguments);

namespace kw::cli {
// The audit log in the data folder, its key and head in the system keychain (unkeyed, and
// saying so, when there is none). Waits on the main thread's event loop.
Result<std::shared_ptr<audit::AuditLog>> openAuditLog(audit::AuditLog::Mode mode);
} // namespace kw::cli
