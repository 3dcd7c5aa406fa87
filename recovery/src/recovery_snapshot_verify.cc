// VerifyRecoverySnapshot: whether a snapshot still holds what its manifest
// promises, so an operator can trust it before a destructive step.
#include "diverged_range_check.h"
#include "journaldb/recovery_directory.h"

namespace journaldb {

Result<RecoverySnapshotReport> VerifyRecoverySnapshot(
    const std::string& snapshot_dir, const RecoverySnapshotVerifyOptions& options) {
  Result<RecoverySnapshot> snapshot = OpenCompleteRecoverySnapshot(snapshot_dir);
  if (!snapshot.ok()) return snapshot.status();
  Result<std::unique_ptr<Database>> db = OpenRecoverySnapshotDatabase(*snapshot);
  if (!db.ok()) return db.status();
  RecoverySnapshotReport report;
  if (options.check_database) {
    Result<VerifyReport> fold = (*db)->Verify();
    if (!fold.ok()) return fold.status();
    report.entries_checked = fold->entries_checked;
    report.objects_checked = fold->objects_checked;
    for (const std::string& p : fold->problems) report.problems.push_back("database: " + p);
  }
  Result<recovery::DivergedRangeCheck> range =
      recovery::CheckDivergedRange(**db, snapshot->manifest);
  if (!range.ok()) return range.status();
  report.diverged_entries = range->entries;
  report.diverged_ops = range->ops;
  report.problems.insert(report.problems.end(), range->problems.begin(), range->problems.end());
  report.snapshot = std::move(snapshot).value();
  return report;
}

}  // namespace journaldb
