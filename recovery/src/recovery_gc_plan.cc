#include "journaldb/recovery/recovery_gc_plan.h"

namespace journaldb::recovery {

void DecideRecoveryGc(std::vector<RecoveryGcEntry>& entries, uint64_t keep_fully_replayed) {
  uint64_t replayed = 0;
  for (const RecoveryGcEntry& e : entries)
    if (e.state == RecoveryGcState::kFullyReplayed) ++replayed;
  // Oldest first: the first (replayed - keep) fully replayed ones go.
  uint64_t to_remove = replayed > keep_fully_replayed ? replayed - keep_fully_replayed : 0;
  for (RecoveryGcEntry& e : entries) {
    switch (e.state) {
      case RecoveryGcState::kIncomplete:
        e.remove = true;
        break;
      case RecoveryGcState::kFullyReplayed:
        e.remove = to_remove > 0;
        if (e.remove) --to_remove;
        break;
      case RecoveryGcState::kNotFullyReplayed:
      case RecoveryGcState::kNeededByPendingReset:
        e.remove = false;
        break;
    }
  }
}

}  // namespace journaldb::recovery
