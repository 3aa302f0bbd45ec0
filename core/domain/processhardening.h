#pragma once
// Keeps key material and decrypted values out of crash files: a process that calls this writes
// no core dump and cannot be attached to by other processes of the same account.

#include "core/domain/result.h"

namespace kw {

// RLIMIT_CORE to 0 (soft and hard) and PR_SET_DUMPABLE to 0. Called at the start of main() by
// release builds of keywarden and keywarden-cli; Debug builds keep dumps for debugging (and
// for LeakSanitizer, which needs to attach to its own process).
Result<void> disableCoreDumps();

// Whether this process may still write a core dump (the limit is above 0 or it is dumpable).
bool coreDumpsPossible();

} // namespace kw
