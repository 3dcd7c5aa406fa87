#include "journaldb/replayer.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <random>

#include "local_and_live.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

class ReplayerTest : public testing::LocalAndLiveTest {
 protected:
  uint64_t LiveEntries() { return live_->Info()->journal_entries; }
};

TEST_F(ReplayerTest, LocalWinsEqualsApplyingTheDivergedOpsToTheServerStateInOrder) {
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});
  Commit(*local_, {Operation::Increment("t", "a", "n", 5), Operation::EraseField("t", "a", "x")});
  Commit(*local_, {Operation::Upsert("t", "b", {{"y", Value::String("local")}})});
  Commit(*live_, {Operation::Upsert("t", "a", {{"x", Value::Int(9)}, {"n", Value::Int(100)}}),
                  Operation::Upsert("t", "b", {{"y", Value::String("server")}})});
  RecoverySnapshot snap = Snapshot();

  LocalWinsPolicy policy;
  auto report = Replay(snap, *live_, policy, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->transactions_applied, 3u);
  EXPECT_EQ(report->ops_applied, 4u);
  EXPECT_TRUE(report->complete);
  // Server state, then lsn 1, 2, 3 applied as ops.
  EXPECT_FALSE(live_->GetField("t", "a", "x").ok());
  EXPECT_EQ(live_->GetField("t", "a", "n")->as_int(), 105);
  EXPECT_EQ(*live_->GetField("t", "b", "y"), Value::String("local"));
  // Replayed writes are ordinary journaled local writes.
  EXPECT_EQ(LiveEntries(), 1u + 3u);
  EXPECT_TRUE(live_->Verify()->ok());
  EXPECT_TRUE(*IsFullyReplayed(*live_, snap));
}

TEST_F(ReplayerTest, SecondRunAppliesNothing) {
  for (int i = 0; i < 5; ++i) Commit(*local_, {Operation::Increment("t", "c", "n", 1)});
  RecoverySnapshot snap = Snapshot();
  LocalWinsPolicy policy;
  ASSERT_TRUE(Replay(snap, *live_, policy, {}).ok());
  auto again = Replay(snap, *live_, policy, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->transactions_applied, 0u);
  EXPECT_EQ(again->transactions_already_done, 5u);
  EXPECT_EQ(live_->GetField("t", "c", "n")->as_int(), 5);
  EXPECT_EQ(LiveEntries(), 5u);
}

TEST_F(ReplayerTest, ServerWinsSkipsConflictingAndGoneOps) {
  Commit(*live_, {Operation::Upsert("t", "b", {{"y", Value::Int(7)}})});
  Commit(*local_, {Operation::Upsert("t", "g", {{"z", Value::Int(1)}})});  // lsn 1
  Commit(*local_, {Operation::Upsert("t", "g", {{"z", Value::Int(2)}})});  // lsn 2: gone below
  Commit(*local_, {Operation::Upsert("t", "b", {{"y", Value::Int(1)}})});  // lsn 3: conflict
  Commit(*local_, {Operation::Upsert("t", "c", {{"w", Value::Int(1)}})});  // lsn 4: clean
  RecoverySnapshot snap = Snapshot();
  ServerWinsPolicy policy;
  ReplayOptions first;
  first.last_lsn = 1;
  ASSERT_TRUE(Replay(snap, *live_, policy, first).ok());
  ASSERT_TRUE(live_->Get("t", "g").ok());
  Commit(*live_, {Operation::EraseObject("t", "g")});  // the server deletes it meanwhile

  auto report = Replay(snap, *live_, policy, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(live_->Get("t", "g").ok()) << "a gone object was recreated";
  EXPECT_EQ(*live_->GetField("t", "b", "y"), Value::Int(7));
  EXPECT_EQ(*live_->GetField("t", "c", "w"), Value::Int(1));
  EXPECT_EQ(report->transactions_applied, 1u);
  EXPECT_EQ(report->transactions_skipped, 2u);
  EXPECT_EQ(report->ops_skipped, 2u);
  EXPECT_TRUE(report->complete);
}

TEST_F(ReplayerTest, CleanOnlyStopsAtTheFirstConflictAndAResumedRunContinuesThere) {
  Commit(*live_, {Operation::Upsert("t", "b", {{"y", Value::Int(7)}})});
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});        // lsn 1 clean
  Commit(*local_, {Operation::Upsert("t", "b", {{"y", Value::Int(1)}})});        // lsn 2 conflict
  Commit(*local_, {Operation::Upsert("t", "c", {{"z", Value::Int(1)}})});        // lsn 3 clean
  RecoverySnapshot snap = Snapshot();

  CleanOnlyPolicy clean_only;
  auto first = Replay(snap, *live_, clean_only, {});
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->aborted);
  EXPECT_EQ(first->aborted_at, 2u);
  EXPECT_EQ(first->transactions_applied, 1u);
  EXPECT_FALSE(first->complete);
  EXPECT_FALSE(live_->Get("t", "c").ok());
  EXPECT_FALSE(*IsReplayed(*live_, snap.manifest.recovery_id, 2));

  LocalWinsPolicy local_wins;  // a person decided: local wins for the rest
  auto second = Replay(snap, *live_, local_wins, {});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->transactions_already_done, 1u);
  EXPECT_EQ(second->transactions_applied, 2u);
  EXPECT_TRUE(second->complete);
  EXPECT_EQ(*live_->GetField("t", "b", "y"), Value::Int(1));
  EXPECT_EQ(LiveEntries(), 1u + 3u);
}

TEST_F(ReplayerTest, DryRunWritesNothing) {
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});
  RecoverySnapshot snap = Snapshot();
  LocalWinsPolicy policy;
  ReplayOptions options;
  options.dry_run = true;
  auto report = Replay(snap, *live_, policy, options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->transactions_applied, 1u);
  EXPECT_FALSE(report->complete);
  EXPECT_FALSE(live_->Get("t", "a").ok());
  EXPECT_FALSE(*IsReplayed(*live_, snap.manifest.recovery_id, 1));
  EXPECT_EQ(LiveEntries(), 0u);
}

TEST_F(ReplayerTest, TargetInsideTheRecoveryRootIsRefused) {
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});
  RecoverySnapshot snap = Snapshot();
  std::unique_ptr<Database> inside = Open(dir_.Sub("recovery/new"));
  LocalWinsPolicy policy;
  auto report = Replay(snap, *inside, policy, {});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("recovery root"), std::string::npos)
      << report.status().ToString();
  EXPECT_FALSE(inside->Get("t", "a").ok());
  // The same replay into the live database outside the root goes through.
  EXPECT_TRUE(Replay(snap, *live_, policy, {}).ok());
}

TEST_F(ReplayerTest, FiltersLeaveUnselectedTransactionsForALaterRun) {
  Commit(*local_, {Operation::Upsert("a", "1", {{"x", Value::Int(1)}})});  // lsn 1
  Commit(*local_, {Operation::Upsert("b", "1", {{"x", Value::Int(1)}})});  // lsn 2
  Commit(*local_, {Operation::Upsert("a", "2", {{"x", Value::Int(1)}}),
                   Operation::Upsert("b", "2", {{"x", Value::Int(1)}})});  // lsn 3: both
  RecoverySnapshot snap = Snapshot();
  LocalWinsPolicy policy;
  ReplayOptions only_a;
  only_a.only_collection = "a";
  auto r1 = Replay(snap, *live_, policy, only_a);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->transactions_applied, 1u);
  EXPECT_EQ(r1->transactions_filtered, 2u);
  EXPECT_FALSE(r1->complete);
  ReplayOptions lsn_2;
  lsn_2.first_lsn = lsn_2.last_lsn = 2;
  auto r2 = Replay(snap, *live_, policy, lsn_2);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->transactions_applied, 1u);
  auto r3 = Replay(snap, *live_, policy, {});
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->transactions_applied, 1u);
  EXPECT_EQ(r3->transactions_already_done, 2u);
  EXPECT_TRUE(r3->complete);
  EXPECT_EQ(LiveEntries(), 3u);
}

class ReplaceOneOp : public ReplayPolicy {
 public:
  ReplayDecision Decide(const PlannedTransaction& txn) override {
    ReplayDecision d{ReplayAction::kReplace, {}, {}};
    for (const PlannedOp& op : txn.ops) {
      Operation edited = op.op;
      if (edited.kind == OpKind::kUpsert) edited.fields["edited"] = Value::Bool(true);
      d.replacement.push_back(edited);
    }
    return d;
  }
};

TEST_F(ReplayerTest, ReplacedOpsAreCommittedInstead) {
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});
  RecoverySnapshot snap = Snapshot();
  ReplaceOneOp policy;
  auto report = Replay(snap, *live_, policy, {});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(*live_->GetField("t", "a", "edited"), Value::Bool(true));
}

class InvalidEdit : public ReplayPolicy {
 public:
  ReplayDecision Decide(const PlannedTransaction&) override {
    return {ReplayAction::kReplace, {Operation::Upsert("", "k", {})}, {}};
  }
};

TEST_F(ReplayerTest, AnEditedOpThatDoesNotValidateStopsTheReplayAndMarksNothing) {
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});
  RecoverySnapshot snap = Snapshot();
  InvalidEdit policy;
  auto report = Replay(snap, *live_, policy, {});
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(report.status().IsInvalidArgument());
  EXPECT_NE(report.status().message().find("lsn 1"), std::string::npos);
  EXPECT_FALSE(*IsReplayed(*live_, snap.manifest.recovery_id, 1));
  EXPECT_EQ(LiveEntries(), 0u);
}

// SIGKILL the replaying process at random moments, again and again, until a
// run completes: every diverged transaction must then be applied exactly
// once. Each transaction adds an item, and every kCounterEvery-th also
// increments one counter by 1, so a doubled transaction shows in the counter
// and the journal, a lost one in the items. The transactions between two
// counter increments touch distinct objects and so are replayed in one
// batch (one write); the counter's transaction ends it: kills land inside
// and between batches.
TEST(ReplayCrash, KilledReplaysResumeWithoutSkippingOrDoubling) {
  testing::TempDir dir;
  // Enough that a batched replay cannot finish between two kills.
  constexpr int kTransactions = 2000;
  constexpr int kCounterEvery = 40;
  std::string snapshot_dir;
  {
    auto local = Database::Open(dir.Sub("local"), {});
    ASSERT_TRUE(local.ok());
    for (int i = 0; i < kTransactions; ++i) {
      Transaction t = (*local)->BeginTransaction();
      if (i % kCounterEvery == 0) {
        ASSERT_TRUE(t.Increment("counters", "c", "n", 1).ok());
      }
      ASSERT_TRUE(t.Upsert("items", "i" + std::to_string(i), {{"i", Value::Int(i)}}).ok());
      ASSERT_TRUE(t.Commit().ok());
    }
    auto snap = CreateRecoverySnapshot(**local, dir.Sub("recovery"), "crash-test");
    ASSERT_TRUE(snap.ok());
    snapshot_dir = snap->path;
  }
  const int min_kills = std::getenv("JOURNALDB_REPLAY_KILLS")
                            ? std::atoi(std::getenv("JOURNALDB_REPLAY_KILLS"))
                            : 100;
  std::mt19937 rng(20261126);
  int kills = 0;
  bool completed = false;
  for (int round = 0; !completed && round < 10 * min_kills + 10; ++round) {
    std::string error;
    auto child = testing::ChildProcess::Start(
        {JOURNALDB_REPLAY_CHILD_PATH, snapshot_dir, dir.Sub("live")}, &error);
    ASSERT_NE(child, nullptr) << error;
    if (kills < min_kills) {
      // Let it report a few transactions (or none), then kill it: within a
      // batch or just after one.
      int lines = std::uniform_int_distribution<int>(0, kCounterEvery + 6)(rng);
      for (int i = 0; i < lines && child->ReadLine(); ++i) {
      }
      child->Kill(SIGKILL);
      int status = child->Wait();
      if (WIFSIGNALED(status)) ++kills;
      if (WIFEXITED(status)) completed = WEXITSTATUS(status) == 0;
    } else {
      while (child->ReadLine()) {
      }
      int status = child->Wait();
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "final replay failed";
      completed = true;
    }
  }
  ASSERT_TRUE(completed);
  EXPECT_GE(kills, min_kills);

  auto live = Database::Open(dir.Sub("live"), {});
  ASSERT_TRUE(live.ok());
  EXPECT_EQ((*live)->GetField("counters", "c", "n")->as_int(), kTransactions / kCounterEvery);
  int items = 0;
  for (auto it = (*live)->Scan("items"); it.Valid(); it.Next()) ++items;
  EXPECT_EQ(items, kTransactions);
  EXPECT_EQ((*live)->Info()->journal_entries, static_cast<uint64_t>(kTransactions));
  auto verify = (*live)->Verify();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->ok());
  auto snap = OpenRecoverySnapshot(snapshot_dir);
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(*IsFullyReplayed(**live, *snap));
}

}  // namespace
}  // namespace journaldb
