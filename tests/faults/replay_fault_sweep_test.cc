// Fault sweeps over replay (DESIGN.md guarantee 5): a recovery snapshot of 20
// diverged transactions, each bumping its own counter by one and a shared
// total by its own amount, is replayed with LocalWinsPolicy into a live
// database opened over FaultFs: once without faults to count the operations
// K of Replay (and of closing the database after it), then once per N in
// 1..K+1 with a fault at N (K+1: a power cut after Replay returned). After
// each run the live database is reopened without faults and must hold a
// prefix of the diverged transactions, each once and marked done together
// with its commit; Replay is rerun to the end and every transaction's effect
// must then be there exactly once. What a faulted Replay reported as done
// must have been done (for a power loss: with kSyncEveryCommit).
//
// Replay writes only to the live database; it reads the snapshot read-only,
// opened with the default Env, and FaultFs injects no read faults.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <iostream>
#include <stdexcept>
#include <vector>

#include "faults/fault_fs.h"
#include "faults/sweep_budget.h"
#include "faults/sweep_support.h"
#include "faults/workload.h"
#include "journaldb/engine/open_with_env.h"
#include "journaldb/recovery_snapshot.h"
#include "journaldb/replayer.h"
#include "support/temp_dir.h"

namespace journaldb::testing {
namespace {

constexpr int kDiverged = 20;
constexpr int kServerCommits = 6;
constexpr int64_t kServerTotal = 1000;  // the total's value on the server before replay

struct SweepCase {
  FaultKind kind;
  Durability durability;
};

void PrintTo(const SweepCase& c, std::ostream* os) {
  *os << FaultKindName(c.kind)
      << (c.durability == Durability::kSyncEveryCommit ? " sync-every-commit" : " buffered");
}

std::string CaseName(const ::testing::TestParamInfo<SweepCase>& info) {
  std::string name;
  for (char c : std::string(FaultKindName(info.param.kind))) name += c == '-' ? '_' : c;
  return name + (info.param.durability == Durability::kSyncEveryCommit ? "_Sync" : "_Buffered");
}

std::string CounterKey(int i) { return fmt::format("c{:02}", i); }

// Diverged transaction i: workload ops over shared objects (so transactions
// overwrite and erase each other's writes), plus +1 on its own counter and
// +(i + 1) on the shared total: a doubled or lost transaction shows in both.
std::vector<Ops> DivergedTransactions() {
  std::vector<Ops> txns = WorkloadTransactions(kDiverged, /*salt=*/5);
  for (int i = 0; i < kDiverged; ++i) {
    txns[i].push_back(Operation::Increment("counters", CounterKey(i), "n", 1));
    txns[i].push_back(Operation::Increment("counters", "total", "sum", i + 1));
  }
  return txns;
}

Result<Lsn> CommitOps(Database& db, const Ops& ops) {
  Transaction txn = db.BeginTransaction();
  for (const Operation& op : ops)
    if (Status s = txn.Write(op); !s.ok()) return s;
  return txn.Commit();
}

class ReplayFaultSweep : public ::testing::TestWithParam<SweepCase> {
 protected:
  void SetUp() override {
    diverged_ = DivergedTransactions();
    // The client whose diverged transactions the snapshot captures.
    {
      auto local = Database::Open(dir_.Sub("local"), Options());
      ASSERT_TRUE(local.ok()) << local.status().ToString();
      for (const Ops& ops : diverged_) ASSERT_TRUE(CommitOps(**local, ops).ok());
      Result<RecoverySnapshot> snap =
          CreateRecoverySnapshot(**local, dir_.Sub("recovery"), "replay sweep");
      ASSERT_TRUE(snap.ok()) << snap.status().ToString();
      snapshot_ = std::move(snap).value();
      ASSERT_EQ(snapshot_.manifest.diverged_entries, static_cast<uint64_t>(kDiverged));
    }
    // The live database after the reset: the server's state, which shares
    // objects with the diverged transactions.
    {
      auto live = Database::Open(dir_.Sub("live"), Options());
      ASSERT_TRUE(live.ok()) << live.status().ToString();
      std::vector<Ops> server = WorkloadTransactions(kServerCommits - 1, /*salt=*/6);
      server.push_back(
          {Operation::Upsert("counters", "total", {{"sum", Value::Int(kServerTotal)}})});
      for (const Ops& ops : server) ASSERT_TRUE(CommitOps(**live, ops).ok());
    }
    // The expected outcome: the same replay without faults.
    CopyTree(dir_.Sub("live"), dir_.Sub("reference"));
    auto reference = Database::Open(dir_.Sub("reference"), Options());
    ASSERT_TRUE(reference.ok()) << reference.status().ToString();
    LocalWinsPolicy policy;
    Result<ReplayReport> report = Replay(snapshot_, **reference, policy, {});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->complete);
    Result<DatabaseContents> contents = ReadContents(**reference);
    ASSERT_TRUE(contents.ok()) << contents.status().ToString();
    expected_ = std::move(contents).value();
    ASSERT_EQ(expected_.journal.size(), static_cast<size_t>(kServerCommits + kDiverged));
    ASSERT_EQ(CheckCounters(**reference), "");
  }

  // Empty if every counter shows each diverged transaction exactly once.
  static std::string CheckCounters(const Database& db) {
    int64_t want_total = kServerTotal;
    for (int i = 0; i < kDiverged; ++i) {
      want_total += i + 1;
      Result<Value> n = db.GetField("counters", CounterKey(i), "n");
      if (!n.ok()) return fmt::format("counter {}: {}", CounterKey(i), n.status().ToString());
      if (*n != Value::Int(1))
        return fmt::format("counter {} is {}: transaction lsn {} was applied that many times",
                           CounterKey(i), n->ToString(), i + 1);
    }
    Result<Value> total = db.GetField("counters", "total", "sum");
    if (!total.ok()) return "total: " + total.status().ToString();
    if (*total != Value::Int(want_total))
      return fmt::format("total is {}, expected {}", total->ToString(), want_total);
    return "";
  }

  // Replays into a fresh copy of the live database opened over `fault` with
  // `kind` armed at `at`, then checks the rules above. `replay_ok` says how
  // the faulted Replay ended.
  std::string RunOnce(FaultKind kind, uint64_t at, FaultEnv& fault, bool& replay_ok) {
    const SweepCase c = GetParam();
    TempDir dir;
    const std::string path = dir.Sub("live");
    CopyTree(dir_.Sub("live"), path);
    Options options;
    options.durability = c.durability;

    std::vector<Lsn> reported_done;  // transactions the faulted Replay said it did
    Result<ReplayReport> faulted = Status::FailedPrecondition("not run");
    {
      Result<std::unique_ptr<Database>> live = OpenWithEnv(path, options, fault.env.get());
      if (!live.ok()) return "open before replay failed: " + live.status().ToString();
      ReplayOptions ro;
      ro.on_progress = [&](Lsn lsn, uint64_t, uint64_t) { reported_done.push_back(lsn); };
      LocalWinsPolicy policy;
      fault.fs->Arm(kind, at);
      faulted = Replay(snapshot_, **live, policy, ro);
    }  // closes the database, still armed
    if (kind == FaultKind::kPowerLoss)
      if (Status s = fault.fs->DropUnsyncedData(); !s.ok()) return s.ToString();
    fault.fs->Disarm();
    replay_ok = faulted.ok();
    if (!faulted.ok()) {
      const Status& s = faulted.status();
      if (!IsClearError(s)) return "Replay failed without a message";
      if (s.IsInvalidArgument() || s.IsFailedPrecondition() || s.IsCorruption())
        return "Replay failed for a reason other than I/O: " + s.ToString();
    } else if (!faulted->complete) {
      return "Replay returned OK but not complete, without a filter or an abort";
    }

    Result<std::unique_ptr<Database>> reopened = Database::Open(path, options);
    if (!reopened.ok()) return "reopen without faults failed: " + reopened.status().ToString();
    Database& live = **reopened;

    // Between runs: the journal holds the server's commits, then a prefix of
    // the diverged transactions, each once and in order; a transaction is
    // marked done exactly when its commit is there (same write batch).
    Result<DatabaseContents> partial = ReadContents(live);
    if (!partial.ok()) return "read after the fault: " + partial.status().ToString();
    if (partial->journal.size() < static_cast<size_t>(kServerCommits))
      return fmt::format("the live journal lost server commits: {} entries",
                         partial->journal.size());
    const size_t replayed = partial->journal.size() - kServerCommits;
    if (replayed > diverged_.size())
      return fmt::format("{} transactions were replayed; only {} diverged", replayed,
                         diverged_.size());
    for (size_t i = 0; i < replayed; ++i)
      if (partial->journal[kServerCommits + i].ops != diverged_[i])
        return fmt::format("live lsn {} is not diverged transaction lsn {}", kServerCommits + i + 1,
                           i + 1);
    for (Lsn lsn = 1; lsn <= diverged_.size(); ++lsn) {
      Result<bool> done = IsReplayed(live, snapshot_.manifest.recovery_id, lsn);
      if (!done.ok()) return "IsReplayed: " + done.status().ToString();
      if (*done != (lsn <= replayed))
        return fmt::format("lsn {} is {}marked done, but {} transactions were committed", lsn,
                           *done ? "" : "not ", replayed);
    }
    Result<bool> complete = IsFullyReplayed(live, snapshot_);
    if (!complete.ok()) return "IsFullyReplayed: " + complete.status().ToString();
    if (*complete && replayed != diverged_.size())
      return fmt::format("marked fully replayed with {} of {} transactions", replayed,
                         diverged_.size());

    // No error reported as success: what the faulted run said it did is there.
    const bool reports_durable =
        kind != FaultKind::kPowerLoss || c.durability == Durability::kSyncEveryCommit;
    if (reports_durable) {
      if (reported_done.size() > replayed)
        return fmt::format("Replay reported {} transactions done; {} survived (lost lsn {})",
                           reported_done.size(), replayed, reported_done[replayed]);
      if (faulted.ok() && !*complete) return "Replay returned complete; the marker was lost";
    }

    // The rerun finishes the job: every transaction exactly once.
    LocalWinsPolicy policy;
    Result<ReplayReport> rerun = Replay(snapshot_, live, policy, {});
    if (!rerun.ok()) return "the rerun failed: " + rerun.status().ToString();
    if (!rerun->complete) return "the rerun did not complete";
    if (rerun->transactions_already_done != replayed ||
        rerun->transactions_applied != diverged_.size() - replayed)
      return fmt::format("the rerun applied {} and found {} done; {} of {} were done before",
                         rerun->transactions_applied, rerun->transactions_already_done, replayed,
                         diverged_.size());
    Result<bool> fully = IsFullyReplayed(live, snapshot_);
    if (!fully.ok() || !*fully) return "not fully replayed after the rerun";
    if (std::string counters = CheckCounters(live); !counters.empty()) return counters;
    Result<DatabaseContents> after = ReadContents(live);
    if (!after.ok()) return "read after the rerun: " + after.status().ToString();
    if (std::string diff = DiffContents(expected_, *after, /*ops_only=*/true); !diff.empty())
      return "differs from a replay without faults: " + diff;
    Result<VerifyReport> report = live.Verify();
    if (!report.ok()) return "Verify could not run: " + report.status().ToString();
    if (!report->ok()) return "Verify found: " + report->problems.front();
    return "";
  }

  TempDir dir_;
  std::vector<Ops> diverged_;
  RecoverySnapshot snapshot_;
  DatabaseContents expected_;
};

TEST_P(ReplayFaultSweep, EveryDivergedTransactionLandsExactlyOnceAndNoErrorIsReportedAsDone) {
  const SweepCase c = GetParam();
  uint64_t k = 0;
  {
    FaultEnv fault;
    bool ok = false;
    std::string problem = RunOnce(FaultKind::kNone, 0, fault, ok);
    ASSERT_EQ(problem, "");
    ASSERT_TRUE(ok) << "Replay fails without faults";
    k = fault.fs->operations();
  }
  // At least one WAL append per replayed transaction and one for the
  // completion marker: fewer means FaultFs is not seeing the live database.
  ASSERT_GT(k, static_cast<uint64_t>(kDiverged));
  uint64_t fired = 0, failed = 0, faulted_runs = 0;
  // N = K + 1 injects nothing while the call runs: with a power loss, the
  // power is cut after it returned and the database was closed.
  // Every operation, unless JOURNALDB_FAULT_RUNS asks for a sparser sweep.
  const uint64_t stride = SweepStride(k, k);
  std::vector<uint64_t> points;
  for (uint64_t n = 1; n <= k; n += stride) points.push_back(n);
  points.push_back(k + 1);
  for (uint64_t n : points) {
    if (n <= k) ++faulted_runs;
    FaultEnv fault;
    bool ok = false;
    std::string problem = RunOnce(c.kind, n, fault, ok);
    if (fault.fs->fired()) ++fired;
    if (!ok) ++failed;
    if (!problem.empty()) {
      ADD_FAILURE() << FaultKindName(c.kind) << " at operation " << n << " of " << k << " ("
                    << fault.fs->fired_at() << "), faulted Replay "
                    << (ok ? "returned OK" : "failed") << "\n  " << problem;
      return;  // one counterexample is enough to debug; the rest would repeat it
    }
  }
  EXPECT_EQ(fired, faulted_runs);
  EXPECT_GT(failed, faulted_runs / 2);
  std::cout << "[ sweep    ] " << FaultKindName(c.kind) << ": K=" << k << ", Replay failed in "
            << failed << " runs\n";
}

// Applies the first `applied` transactions, then stops the replay, by
// aborting or, with `throws`, by throwing.
class StopAfter : public ReplayPolicy {
 public:
  explicit StopAfter(Lsn applied, bool throws = false) : applied_(applied), throws_(throws) {}
  ReplayDecision Decide(const PlannedTransaction& txn) override {
    if (txn.lsn > applied_) {
      if (throws_) throw std::runtime_error("the policy failed");
      return {ReplayAction::kAbort, {}, "stopped by the test"};
    }
    return {ReplayAction::kApply, {}, {}};
  }
  bool NeedsServerValues() const override { return false; }

 private:
  Lsn applied_;
  bool throws_;
};

// Replays into a copy of the live database, buffered with a sync interval as
// `journal replay` runs, under a policy that stops the replay after lsn 3
// (aborting, or with `throws` throwing, which reaches the caller); then
// cuts the power and checks that lsns 1 to 3, and only they, are done.
void ExpectTheStoppedReplaysTransactionsDurable(const RecoverySnapshot& snapshot,
                                                const std::string& live_template, bool throws) {
  TempDir dir;
  const std::string path = dir.Sub("live");
  CopyTree(live_template, path);
  FaultEnv fault;
  Options options;
  options.durability = Durability::kBuffered;
  {
    Result<std::unique_ptr<Database>> live = OpenWithEnv(path, options, fault.env.get());
    ASSERT_TRUE(live.ok()) << live.status().ToString();
    ReplayOptions ro;
    ro.sync_interval_transactions = 10000;
    StopAfter policy(3, throws);
    if (throws) {
      EXPECT_THROW((void)Replay(snapshot, **live, policy, ro), std::runtime_error);
    } else {
      Result<ReplayReport> report = Replay(snapshot, **live, policy, ro);
      ASSERT_TRUE(report.ok()) << report.status().ToString();
      EXPECT_TRUE(report->aborted);
      EXPECT_EQ(report->aborted_at, 4u);
      EXPECT_EQ(report->transactions_applied, 3u);
    }
  }
  ASSERT_TRUE(fault.fs->DropUnsyncedData().ok());
  Result<std::unique_ptr<Database>> reopened = Database::Open(path, options);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  for (Lsn lsn = 1; lsn <= 4; ++lsn) {
    Result<bool> done = IsReplayed(**reopened, snapshot.manifest.recovery_id, lsn);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    EXPECT_EQ(*done, lsn <= 3) << "lsn " << lsn;
  }
  Result<DatabaseContents> contents = ReadContents(**reopened);
  ASSERT_TRUE(contents.ok()) << contents.status().ToString();
  EXPECT_EQ(contents->journal.size(), static_cast<size_t>(kServerCommits + 3));
}

// A replay a policy stops (an interactive quit, clean-only at its first
// conflict): what it reports done survives a power cut right after it
// returned. Before, only a finished or failed replay synced the log: the
// three transactions were lost with their markers.
TEST_F(ReplayFaultSweep, AStoppedReplaysTransactionsAreDurableWhenItReturns) {
  ExpectTheStoppedReplaysTransactionsDurable(snapshot_, dir_.Sub("live"), /*throws=*/false);
}

// The same when the policy throws: the transactions committed before it are
// as durable as when it aborts. Before, the exception left them in the
// unsynced log.
TEST_F(ReplayFaultSweep, AReplayWhosePolicyThrowsLeavesItsCommittedTransactionsDurable) {
  ExpectTheStoppedReplaysTransactionsDurable(snapshot_, dir_.Sub("live"), /*throws=*/true);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ReplayFaultSweep,
    ::testing::Values(SweepCase{FaultKind::kErrorOnce, Durability::kSyncEveryCommit},
                      SweepCase{FaultKind::kErrorFromThenOn, Durability::kSyncEveryCommit},
                      SweepCase{FaultKind::kNoSpace, Durability::kSyncEveryCommit},
                      SweepCase{FaultKind::kPowerLoss, Durability::kSyncEveryCommit},
                      SweepCase{FaultKind::kPowerLoss, Durability::kBuffered},
                      SweepCase{FaultKind::kErrorOnce, Durability::kBuffered}),
    CaseName);

}  // namespace
}  // namespace journaldb::testing
