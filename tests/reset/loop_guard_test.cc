// Reset-loop protection (DESIGN.md guarantee 8): a reset the server demands
// again before the previous one finished (before the database synced in both
// directions after it, the replayed writes uploaded) falls back to manual
// instead of running again. Genuine resets, however close together, each
// come after a completed sync and run automatically.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/replayer.h"
#include "reset_support.h"
#include "support/status_assertions.h"

namespace journaldb {
namespace {

using testing::HasError;

// Local-wins, but the first decision runs `hook` first: a server that
// demands a reset again while the replay of the previous one runs.
class HookedPolicy : public ReplayPolicy {
 public:
  explicit HookedPolicy(std::function<void()> hook) : hook_(std::move(hook)) {}
  ReplayDecision Decide(const PlannedTransaction&) override {
    if (hook_) std::exchange(hook_, nullptr)();
    return {};
  }

 private:
  std::function<void()> hook_;
};

class LoopGuard : public testing::ResetTest {
 protected:
  // "a" syncs +1 and commits +10 offline; the operator forces a reset. While
  // the automatic recovery replays, before its writes are uploaded, the
  // operator forces a reset of the new client file too: the sync fails, and
  // the next one meets the demand with the previous reset not finished.
  std::unique_ptr<Database> DemandAgainDuringTheReplay(ClientResetCallbacks cb) {
    Database* db = nullptr;
    cb.policy = std::make_shared<HookedPolicy>([&] { ResetClient(ClientId(*db)); });
    auto a = Open("a", RecoverUnsyncedChanges(cb));
    db = a.get();
    ResetClient(SyncedThenOffline(*a));
    Result<SyncReport> first = Sync(*a);
    EXPECT_FALSE(first.ok());  // the server went away under the upload
    EXPECT_EQ(Total(*a), 11);  // replayed, not uploaded
    EXPECT_FALSE(Pending(*a).has_value());
    return a;
  }
};

TEST_F(LoopGuard, TwoGenuineResetsASecondApartBothRecoverAutomatically) {
  int after_calls = 0, fallback_calls = 0;
  ClientResetCallbacks cb;
  cb.after_reset = [&](const RecoverySnapshot&, Database&) { ++after_calls; };
  cb.on_manual_reset_fallback = [&](SyncSession*, ClientResetRequiredError&) { ++fallback_calls; };
  auto a = Open("a", RecoverUnsyncedChanges(cb));
  ResetClient(SyncedThenOffline(*a));
  const auto first_done = std::chrono::steady_clock::now();
  Result<SyncReport> first = Sync(*a);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->reset);
  EXPECT_EQ(Total(*a), 11);
  Commit(*a, "offline-2", 100);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ResetClient(ClientId(*a));
  Result<SyncReport> second = Sync(*a);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->reset);
  // Well inside the 60 s a time-based guard used to count as a loop.
  EXPECT_LT(std::chrono::steady_clock::now() - first_done, std::chrono::seconds(60));
  EXPECT_EQ(after_calls, 2);
  EXPECT_EQ(fallback_calls, 0);
  EXPECT_EQ(Total(*a), 111);
  EXPECT_EQ(Snapshots("a").size(), 2u);
  EXPECT_FALSE(Pending(*a).has_value());
}

TEST_F(LoopGuard, ADemandBeforeThePreviousResetSyncedFallsBackToManualAndWipesNothing) {
  auto a = DemandAgainDuringTheReplay({});
  Result<SyncReport> second = Sync(*a);
  EXPECT_TRUE(HasError(second.status(), StatusCode::kClientResetRequired,
                       {"client reset loop", "operator-reset", "before the previous reset"}));
  std::optional<PendingClientReset> p = Pending(*a);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->step, ClientResetStep::kDetected);
  EXPECT_EQ(Total(*a), 11);
  EXPECT_EQ(Snapshots("a").size(), 1u);
  // Still guarded on the next attempt: nothing synced meanwhile.
  EXPECT_TRUE(HasError(Sync(*a).status(), StatusCode::kClientResetRequired,
                       {"client reset loop"}));
  EXPECT_EQ(Total(*a), 11);
  // Manual from here: executing it by hand finishes it with no replay; the
  // replayed write of the first reset is in the new snapshot.
  Result<RecoverySnapshot> snap = ExecuteClientReset(*a);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->manifest.diverged_entries, 1u);
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Total(*a), 1);
  EXPECT_FALSE(Pending(*a).has_value());
  // That sync completed both ways: the next genuine reset runs automatically.
  Commit(*a, "offline-2", 100);
  ResetClient(ClientId(*a));
  Result<SyncReport> third = Sync(*a);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_TRUE(third->reset);
  EXPECT_EQ(Total(*a), 101);
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
  auto a = DemandAgainDuringTheReplay(cb);
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
}

// A reset executed by hand and synced leaves nothing for the guard: the next
// demand is a new reset.
TEST_F(LoopGuard, ASyncedManualResetLeavesNothingForTheGuard) {
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
