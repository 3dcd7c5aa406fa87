// Reset-loop protection (DESIGN.md guarantee 8): a reset the server demands
// right after an automatic recovery finished falls back to manual instead of
// running again; with ClientResetCallbacks::loop_guard_seconds = 0 it runs.
#include <gtest/gtest.h>

#include "journaldb/client_reset_strategy.h"
#include "reset_support.h"
#include "support/status_assertions.h"

namespace journaldb {
namespace {

using testing::HasError;

class LoopGuard : public testing::ResetTest {
 protected:
  // "a" syncs +1 and commits +10 offline; the operator forces a reset, which
  // the strategy carries out automatically. Then "a" syncs, commits +100
  // offline, and the operator forces a second reset.
  void ResetTwice(Database& a, int64_t total_after_first) {
    ResetClient(SyncedThenOffline(a));
    Result<SyncReport> first = Sync(a);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    ASSERT_TRUE(first->reset);
    ASSERT_EQ(Total(a), total_after_first);
    ASSERT_TRUE(Sync(a).ok());
    Commit(a, "offline-2", 100);
    ResetClient(ClientId(a));
  }
};

TEST_F(LoopGuard, ASecondResetRightAfterARecoveryFallsBackToManualAndWipesNothing) {
  auto a = Open("a", RecoverUnsyncedChanges());
  ResetTwice(*a, 11);
  Result<SyncReport> second = Sync(*a);
  EXPECT_TRUE(HasError(second.status(), StatusCode::kClientResetRequired,
                       {"client reset loop", "operator-reset"}));
  std::optional<PendingClientReset> p = Pending(*a);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->step, ClientResetStep::kDetected);
  EXPECT_EQ(Total(*a), 111);
  EXPECT_EQ(Snapshots("a").size(), 1u);
  // Still guarded on the next attempt within the window.
  EXPECT_TRUE(Sync(*a).status().IsClientResetRequired());
  EXPECT_EQ(Total(*a), 111);
  // Manual from here: executing it by hand finishes it with no replay.
  Result<RecoverySnapshot> snap = ExecuteClientReset(*a);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->manifest.diverged_entries, 1u);
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Total(*a), 11);
  EXPECT_FALSE(Pending(*a).has_value());
}

TEST_F(LoopGuard, TheFallbackCallbackGetsTheLoopAndMayExecuteTheReset) {
  int fallback_calls = 0, after_calls = 0;
  ClientResetCallbacks cb;
  cb.after_reset = [&](const RecoverySnapshot&, Database&) { ++after_calls; };
  cb.on_manual_reset_fallback = [&](SyncSession*, ClientResetRequiredError& e) {
    ++fallback_calls;
    EXPECT_TRUE(HasError(e.status(), StatusCode::kClientResetRequired, {"client reset loop"}));
    EXPECT_EQ(e.pending().reason, "operator-reset");
    Status s = e.execute_client_reset();
    EXPECT_TRUE(s.ok()) << s.ToString();
  };
  auto a = Open("a", DiscardUnsyncedChanges(cb));
  ResetTwice(*a, 1);
  EXPECT_EQ(after_calls, 1);
  EXPECT_EQ(fallback_calls, 0);
  Result<SyncReport> second = Sync(*a);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->reset);
  EXPECT_EQ(fallback_calls, 1);
  EXPECT_EQ(after_calls, 1);  // the second reset ran as manual
  EXPECT_EQ(Total(*a), 1);
  std::vector<RecoverySnapshot> snaps = Snapshots("a");
  ASSERT_EQ(snaps.size(), 2u);
  EXPECT_EQ(snaps[0].manifest.diverged_entries + snaps[1].manifest.diverged_entries, 2u);
}

TEST_F(LoopGuard, AZeroGuardLetsTheSecondResetRunAutomatically) {
  int fallback_calls = 0, after_calls = 0;
  ClientResetCallbacks cb;
  cb.loop_guard_seconds = 0;
  cb.after_reset = [&](const RecoverySnapshot&, Database&) { ++after_calls; };
  cb.on_manual_reset_fallback = [&](SyncSession*, ClientResetRequiredError&) { ++fallback_calls; };
  auto a = Open("a", RecoverOrDiscardUnsyncedChanges(cb));
  ResetTwice(*a, 11);
  Result<SyncReport> second = Sync(*a);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->reset);
  EXPECT_EQ(fallback_calls, 0);
  EXPECT_EQ(after_calls, 2);
  EXPECT_EQ(Total(*a), 111);
  EXPECT_EQ(Snapshots("a").size(), 2u);
}

// The window counts from an automatic recovery only: a recovery that fell
// back to manual does not make the next reset a loop.
TEST_F(LoopGuard, AManualResetDoesNotArmTheGuard) {
  auto a = Open("a");  // no strategy: executed by hand
  ResetClient(SyncedThenOffline(*a));
  EXPECT_TRUE(Sync(*a).status().IsClientResetRequired());
  ASSERT_TRUE(ExecuteClientReset(*a).ok());
  ASSERT_TRUE(Sync(*a).ok());
  a.reset();
  a = Open("a", RecoverUnsyncedChanges());
  Commit(*a, "offline-2", 100);
  ASSERT_TRUE(Sync(*a).ok());
  Commit(*a, "offline-3", 1000);
  ResetClient(ClientId(*a));
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_EQ(Total(*a), 1101);
}

}  // namespace
}  // namespace journaldb
