// Fault sweeps over taking a recovery snapshot (DESIGN.md guarantee 4): a
// database holding a fixed workload, opened over FaultFs, takes a snapshot
// once without faults to count the operations K that CreateRecoverySnapshot
// (and closing the database after it) performs through the database's Env;
// then once per N in 1..K+1 with a fault at N (K+1: a power cut after the
// call returned). Either the call fails with a clear error and no complete
// snapshot exists, or it succeeds and the snapshot is complete and equal to
// the original; the original database is unchanged either way.
//
// What the count covers: the RocksDB checkpoint (the memtable flush it asks
// for, hard links, copies of the small mutable files, its rename and
// directory fsync) goes through the database's Env, so through FaultFs. The
// snapshot's MANIFEST, the fsyncs of the snapshot directory and the recovery
// root and the final rename are POSIX and Boost.Filesystem calls
// (recovery/src/durable_file.cc, recovery_snapshot.cc): not counted, not
// faulted. The read-back of the checkpoint opens it read-only with the
// default Env; it only reads, and FaultFs injects no read faults
// (docs/testing.md).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <iostream>

#include "faults/fault_fs.h"
#include "faults/sweep_support.h"
#include "faults/workload.h"
#include "journaldb/engine/open_with_env.h"
#include "journaldb/recovery_snapshot.h"
#include "support/temp_dir.h"

namespace journaldb::testing {
namespace {

namespace fs = boost::filesystem;

// Committed and closed before the sweep: on disk in SST files and the WAL.
constexpr int kSeedCommits = 12;
// Committed over FaultFs just before the snapshot: still in the memtable, so
// the checkpoint's flush has something to write.
constexpr int kFreshCommits = 6;

std::string CaseName(const ::testing::TestParamInfo<FaultKind>& info) {
  std::string name;
  for (char c : std::string(FaultKindName(info.param))) name += c == '-' ? '_' : c;
  return name;
}

Result<Lsn> CommitOps(Database& db, const Ops& ops) {
  Transaction txn = db.BeginTransaction();
  for (const Operation& op : ops)
    if (Status s = txn.Write(op); !s.ok()) return s;
  return txn.Commit();
}

// Names left in the recovery root (".tmp" directories included).
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const fs::directory_entry& e : fs::directory_iterator(dir))
    out.push_back(e.path().filename().string());
  return out;
}

class SnapshotFaultSweep : public ::testing::TestWithParam<FaultKind> {
 protected:
  void SetUp() override {
    seed_ = WorkloadTransactions(kSeedCommits, /*salt=*/3);
    fresh_ = WorkloadTransactions(kFreshCommits, /*salt=*/4);
    Options options;
    options.durability = Durability::kSyncEveryCommit;
    WorkloadRun seeded = RunWorkload(template_.Sub("db"), options, nullptr, seed_, 1);
    ASSERT_TRUE(seeded.open_status.ok()) << seeded.open_status.ToString();
    ASSERT_EQ(seeded.acked.size(), seed_.size());
  }

  // One run: a fresh copy of the seed database, opened over `fault`, takes
  // the fresh commits and then a snapshot with `kind` armed at `at`; the
  // database is closed and, for a power loss, loses its unsynced data.
  // Returns an empty string or what broke the rules; `snapshot_ok` says how
  // the call ended.
  std::string RunOnce(FaultKind kind, uint64_t at, FaultEnv& fault, bool& snapshot_ok) {
    TempDir dir;
    const std::string path = dir.Sub("db");
    const std::string root = dir.Sub("recovery");
    CopyTree(template_.Sub("db"), path);
    Options options;
    options.durability = Durability::kSyncEveryCommit;

    DatabaseContents before;
    Result<RecoverySnapshot> snap = Status::FailedPrecondition("not taken");
    {
      Result<std::unique_ptr<Database>> db = OpenWithEnv(path, options, fault.env.get());
      if (!db.ok()) return "open before the snapshot failed: " + db.status().ToString();
      for (const Ops& ops : fresh_)
        if (Result<Lsn> lsn = CommitOps(**db, ops); !lsn.ok())
          return "commit before the snapshot failed: " + lsn.status().ToString();
      Result<DatabaseContents> contents = ReadContents(**db);
      if (!contents.ok()) return "read before the snapshot: " + contents.status().ToString();
      before = std::move(contents).value();
      fault.fs->Arm(kind, at);
      snap = CreateRecoverySnapshot(**db, root, "fault sweep");
    }  // closes the database, still armed
    if (kind == FaultKind::kPowerLoss)
      if (Status s = fault.fs->DropUnsyncedData(); !s.ok()) return s.ToString();
    fault.fs->Disarm();
    snapshot_ok = snap.ok();

    // The original is unchanged, whatever happened to the snapshot.
    {
      Result<std::unique_ptr<Database>> db = Database::Open(path, options);
      if (!db.ok()) return "reopen of the original failed: " + db.status().ToString();
      Result<VerifyReport> report = (*db)->Verify();
      if (!report.ok()) return "Verify could not run: " + report.status().ToString();
      if (!report->ok()) return "Verify of the original found: " + report->problems.front();
      Result<DatabaseContents> after = ReadContents(**db);
      if (!after.ok()) return "read of the original: " + after.status().ToString();
      if (std::string diff = DiffContents(before, *after); !diff.empty())
        return "the original changed: " + diff;
      Result<Lsn> next = CommitOps(**db, {Operation::Increment("tasks", "after", "n", 1)});
      if (!next.ok()) return "commit to the original failed: " + next.status().ToString();
    }

    Result<std::vector<RecoverySnapshot>> listed = ListRecoverySnapshots(root);
    if (!listed.ok()) return "ListRecoverySnapshots failed: " + listed.status().ToString();
    if (!snap.ok()) {
      if (!IsClearError(snap.status())) return "the snapshot failed without a message";
      if (!listed->empty())
        return fmt::format("the snapshot failed ({}) but {} is listed as complete",
                           snap.status().ToString(), listed->front().path);
      // Whatever is left is incomplete, and the cleanup removes all of it.
      Result<int> removed = RemoveIncompleteRecoverySnapshots(root);
      if (!removed.ok()) return "RemoveIncompleteRecoverySnapshots: " + removed.status().ToString();
      if (std::vector<std::string> left = Entries(root); !left.empty())
        return fmt::format("after the cleanup the recovery root still holds {}", left.front());
      return "";
    }

    // A snapshot reported as taken is complete, verifies and equals the original.
    if (listed->size() != 1 || listed->front().path != snap->path)
      return fmt::format("the snapshot {} was reported taken but {} snapshots are listed",
                         snap->path, listed->size());
    Result<RecoverySnapshot> reopened = OpenRecoverySnapshot(snap->path);
    if (!reopened.ok()) return "its manifest does not verify: " + reopened.status().ToString();
    if (!(reopened->manifest == snap->manifest)) return "the manifest on disk differs";
    const RecoveryManifest& m = reopened->manifest;
    const Lsn last = static_cast<Lsn>(before.journal.size());
    if (m.diverged_entries != last || m.first_diverged_lsn != 1 || m.last_diverged_lsn != last)
      return fmt::format("the manifest lists {} diverged entries {}..{}, expected {} (1..{})",
                         m.diverged_entries, m.first_diverged_lsn, m.last_diverged_lsn, last, last);
    Options read_only;
    read_only.read_only = true;
    read_only.create_if_missing = false;
    Result<std::unique_ptr<Database>> copy = Database::Open(reopened->db_path, read_only);
    if (!copy.ok()) return "the snapshot's database does not open: " + copy.status().ToString();
    Result<DatabaseContents> copied = ReadContents(**copy);
    if (!copied.ok()) return "read of the snapshot: " + copied.status().ToString();
    if (std::string diff = DiffContents(before, *copied); !diff.empty())
      return "the snapshot differs from the original: " + diff;
    return "";
  }

  TempDir template_;
  std::vector<Ops> seed_, fresh_;
};

TEST_P(SnapshotFaultSweep, EitherNoCompleteSnapshotOrACompleteOneAndTheOriginalIsUnchanged) {
  const FaultKind kind = GetParam();
  uint64_t k = 0;
  {
    FaultEnv fault;
    bool ok = false;
    std::string problem = RunOnce(FaultKind::kNone, 0, fault, ok);
    ASSERT_EQ(problem, "");
    ASSERT_TRUE(ok) << "the snapshot fails without faults";
    k = fault.fs->operations();
  }
  // A flush, several links and copies, a rename and a directory fsync at
  // least: fewer means FaultFs is not seeing the checkpoint.
  ASSERT_GE(k, 8u);
  uint64_t fired = 0, failed = 0;
  // N = K + 1 injects nothing while the call runs: with a power loss, the
  // power is cut after it returned and the database was closed.
  for (uint64_t n = 1; n <= k + 1; ++n) {
    FaultEnv fault;
    bool ok = false;
    std::string problem = RunOnce(kind, n, fault, ok);
    if (fault.fs->fired()) ++fired;
    if (!ok) ++failed;
    if (!problem.empty()) {
      ADD_FAILURE() << FaultKindName(kind) << " at operation " << n << " of " << k << " ("
                    << fault.fs->fired_at() << "), snapshot " << (ok ? "taken" : "failed") << "\n  "
                    << problem;
      return;  // one counterexample is enough to debug; the rest would repeat it
    }
  }
  // Every run hit its operation, and most of them made the snapshot fail
  // (a fault in a step RocksDB may retry or ignore, such as deleting an
  // obsolete WAL, need not).
  EXPECT_EQ(fired, k);
  EXPECT_GT(failed, k / 2);
  std::cout << "[ sweep    ] " << FaultKindName(kind) << ": K=" << k << ", snapshot failed in "
            << failed << " runs\n";
}

INSTANTIATE_TEST_SUITE_P(Faults, SnapshotFaultSweep,
                         ::testing::Values(FaultKind::kErrorOnce, FaultKind::kErrorFromThenOn,
                                           FaultKind::kNoSpace, FaultKind::kPowerLoss),
                         CaseName);

}  // namespace
}  // namespace journaldb::testing
