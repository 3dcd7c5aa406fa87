// Whether a recovery snapshot's database holds what its manifest says:
// the part of VerifyRecoverySnapshot() that reads only the diverged range.
#ifndef JOURNALDB_RECOVERY_DIVERGED_RANGE_CHECK_H_
#define JOURNALDB_RECOVERY_DIVERGED_RANGE_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "journaldb/database.h"
#include "journaldb/recovery_snapshot.h"
#include "journaldb/status.h"

namespace journaldb::recovery {

struct DivergedRangeCheck {
  uint64_t entries = 0;               // diverged entries read
  uint64_t ops = 0;                   // their ops
  std::vector<std::string> problems;  // at most kMaxDivergedRangeProblems
};

// Like Database::Verify: a badly damaged snapshot should not yield millions of lines.
inline constexpr size_t kMaxDivergedRangeProblems = 100;

// Reads the snapshot database's journal and compares it with the manifest:
// the cursors match the database's, the diverged range [first, last] is
// present without gaps, holds the manifest's entry and op counts, and is the
// journal's whole tail above the upload cursor. A damaged entry is a problem
// too. The status is an error only if the check could not run.
Result<DivergedRangeCheck> CheckDivergedRange(const Database& snapshot_db,
                                              const RecoveryManifest& manifest);

}  // namespace journaldb::recovery

#endif  // JOURNALDB_RECOVERY_DIVERGED_RANGE_CHECK_H_
