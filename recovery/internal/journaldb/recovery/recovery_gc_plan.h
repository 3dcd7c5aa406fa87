// Which entries of a recovery root garbage collection removes: the policy
// alone, apart from the I/O (GarbageCollectRecoverySnapshots() lists the
// root, reads replay progress and removes), so each rule is testable.
#ifndef JOURNALDB_RECOVERY_RECOVERY_GC_PLAN_H_
#define JOURNALDB_RECOVERY_RECOVERY_GC_PLAN_H_

#include <cstdint>
#include <vector>

#include "journaldb/recovery_directory.h"

namespace journaldb::recovery {

// Sets `remove` on each entry: incomplete ones go; of the fully replayed
// snapshots all but the newest `keep_fully_replayed` go; nothing else does.
// REQUIRES: snapshots in `entries` are ordered oldest first.
void DecideRecoveryGc(std::vector<RecoveryGcEntry>& entries, uint64_t keep_fully_replayed);

}  // namespace journaldb::recovery

#endif  // JOURNALDB_RECOVERY_RECOVERY_GC_PLAN_H_
