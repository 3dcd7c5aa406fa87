// Each client-reset strategy end to end: a server restored from an older
// backup (a new epoch) demands a reset of a client whose acknowledged and
// unacknowledged writes the restore rolled back.
#include <gtest/gtest.h>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/replayer.h"
#include "reset_fixture.h"
#include "support/status_assertions.h"

namespace journaldb {
namespace {

// DivergeByRestore (reset_fixture.h) sets up each case.
class Strategies : public testing::ResetFixture {};

TEST_F(Strategies, RecoverReplaysAcknowledgedThenRolledBackAndUnsyncedWrites) {
  auto a = Open("a", RecoverUnsyncedChanges());
  DivergeByRestore(*a);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  // Server state (1) plus both diverged transactions, each exactly once.
  EXPECT_EQ(Total(*a), 111);
  EXPECT_TRUE(a->Get("c", "acked-then-lost").ok());
  EXPECT_TRUE(a->Get("c", "offline").ok());
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*a);
  ASSERT_TRUE(pending.ok());
  EXPECT_FALSE(pending->has_value());
  // The replayed writes are ordinary local writes: they sync.
  ASSERT_TRUE(Sync(*a).ok());
  auto b = Open("b");
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(Total(*b), 111);
  // The recovery snapshot is kept and marked fully replayed.
  auto snaps = ListRecoverySnapshots(DbPath("a") + ".recovery");
  ASSERT_TRUE(snaps.ok()) << snaps.status().ToString();
  ASSERT_EQ(snaps->size(), 1u);
  EXPECT_EQ((*snaps)[0].manifest.reason, "epoch-mismatch");
  EXPECT_EQ((*snaps)[0].manifest.diverged_entries, 2u);
  Result<bool> done = IsFullyReplayed(*a, (*snaps)[0]);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(*done);
  Result<VerifyReport> v = a->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->problems.front();
}

TEST_F(Strategies, DiscardKeepsTheSnapshotAndTakesTheServerState) {
  int before_calls = 0, after_calls = 0;
  ClientResetCallbacks cb;
  cb.before_reset = [&](const Database& before) {
    ++before_calls;
    EXPECT_EQ(Total(before), 111);  // the local state, not yet reset
  };
  cb.after_reset = [&](const RecoverySnapshot& snap, Database& after) {
    ++after_calls;
    EXPECT_EQ(snap.manifest.diverged_entries, 2u);
    EXPECT_EQ(Total(after), 1);
  };
  auto a = Open("a", DiscardUnsyncedChanges(cb));
  DivergeByRestore(*a);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(before_calls, 1);
  EXPECT_EQ(after_calls, 1);
  EXPECT_EQ(Total(*a), 1);
  EXPECT_FALSE(a->Get("c", "offline").ok());
  auto snaps = ListRecoverySnapshots(DbPath("a") + ".recovery");
  ASSERT_TRUE(snaps.ok());
  ASSERT_EQ(snaps->size(), 1u);
  // The discarded ops are still there for the replayer.
  LocalWinsPolicy policy;
  Result<ReplayReport> replayed = Replay((*snaps)[0], *a, policy, {});
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_EQ(replayed->transactions_applied, 2u);
  EXPECT_EQ(Total(*a), 111);
}

TEST_F(Strategies, ManualWithoutExecuteLeavesItPendingUntilTheNextOpen) {
  int calls = 0;
  std::string recovery_path;
  auto strategy = ManualRecoveryStrategy([&](SyncSession*, ClientResetRequiredError& e) {
    ++calls;
    EXPECT_TRUE(e.status().IsClientResetRequired()) << e.status().ToString();
    EXPECT_EQ(e.original_path(), DbPath("a"));
    recovery_path = e.recovery_path();
  });
  auto a = Open("a", strategy);
  DivergeByRestore(*a);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.status().IsClientResetRequired()) << r.status().ToString();
  EXPECT_EQ(calls, 1);
  // Nothing local was touched, and local writes still work (diverged too).
  EXPECT_EQ(Total(*a), 111);
  Commit(*a, "after-detect", 1000);
  a.reset();
  // The next open runs the reset: snapshot, wipe.
  a = Open("a", strategy);
  auto snap = OpenRecoverySnapshot(recovery_path);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->manifest.diverged_entries, 3u);
  EXPECT_EQ(Total(*a), -1);  // wiped; the server state comes with the next sync
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Total(*a), 1);
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*a);
  ASSERT_TRUE(pending.ok());
  EXPECT_FALSE(pending->has_value());
}

TEST_F(Strategies, ManualExecuteInTheCallbackResetsAtOnce) {
  auto a = Open("a", ManualRecoveryStrategy([&](SyncSession*, ClientResetRequiredError& e) {
    Status s = e.execute_client_reset();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }));
  DivergeByRestore(*a);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_EQ(Total(*a), 1);
}

TEST_F(Strategies, RecoverOrDiscardRecovers) {
  auto a = Open("a", RecoverOrDiscardUnsyncedChanges());
  DivergeByRestore(*a);
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Total(*a), 111);
}

TEST_F(Strategies, NoStrategyLeavesThePendingResetForJournalReset) {
  auto a = Open("a");
  DivergeByRestore(*a);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.status().IsClientResetRequired()) << r.status().ToString();
  EXPECT_EQ(Total(*a), 111);
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*a);
  ASSERT_TRUE(pending.ok() && pending->has_value());
  EXPECT_EQ((**pending).reason, "epoch-mismatch");
  EXPECT_EQ((**pending).step, ClientResetStep::kDetected);
  Result<RecoverySnapshot> snap = ExecuteClientReset(*a);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->manifest.diverged_entries, 2u);
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Total(*a), 1);
  LocalWinsPolicy policy;
  ASSERT_TRUE(Replay(*snap, *a, policy, {}).ok());
  EXPECT_EQ(Total(*a), 111);
}

}  // namespace
}  // namespace journaldb
