// Each strategy with each callback: before_reset and after_reset are called
// once with the right database and snapshot; a before_reset that throws
// falls back to manual with nothing wiped; an after_reset that throws is
// reported while the reset stays done; a manual callback that throws is
// reported while the reset stays pending. Exceptions are caught and
// reported, never swallowed. The trigger is an operator-forced reset.
#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>

#include "journaldb/client_reset_strategy.h"
#include "reset_support.h"
#include "support/status_assertions.h"

namespace journaldb {
namespace {

using testing::HasError;
using testing::Latch;

struct AutomaticStrategy {
  const char* name;
  std::shared_ptr<ClientResetStrategy> (*make)(ClientResetCallbacks);
  // The total of "a" after the reset: 11 if the offline +10 is replayed
  // onto the server's 1, else 1.
  int64_t total_after;
};

const AutomaticStrategy kAutomatic[] = {
    {"Discard", &DiscardUnsyncedChanges, 1},
    {"Recover", &RecoverUnsyncedChanges, 11},
    {"RecoverOrDiscard", &RecoverOrDiscardUnsyncedChanges, 11},
};

class Callbacks : public testing::ResetTest,
                  public ::testing::WithParamInterface<AutomaticStrategy> {
 protected:
  // Opens "a" with the strategy under test, syncs +1, commits +10 offline,
  // and has the operator force a reset of it.
  std::unique_ptr<Database> DemandReset(ClientResetCallbacks cb) {
    auto a = Open("a", GetParam().make(std::move(cb)));
    if (a == nullptr) return nullptr;
    ResetClient(SyncedThenOffline(*a));
    return a;
  }
  // Nothing local was touched: the reset is pending at its first step, the
  // offline write is still there, and no snapshot was taken.
  void ExpectUntouched(const Database& a) {
    std::optional<PendingClientReset> p = Pending(a);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->step, ClientResetStep::kDetected);
    EXPECT_EQ(p->reason, "operator-reset");
    EXPECT_EQ(Total(a), 11);
    EXPECT_TRUE(Snapshots("a").empty());
  }
  std::string LastSyncError(const Database& a) {
    Result<SyncStatus> s = GetSyncStatus(a);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? s->last_error : "";
  }
};

TEST_P(Callbacks, BeforeAndAfterResetAreCalledOnceWithTheDatabaseAndTheSnapshot) {
  int before_calls = 0, after_calls = 0, fallback_calls = 0;
  const Database* seen_before = nullptr;
  Database* seen_after = nullptr;
  std::string snapshot_path;
  ClientResetCallbacks cb;
  cb.before_reset = [&](const Database& before) {
    ++before_calls;
    seen_before = &before;
    EXPECT_EQ(Total(before), 11);  // still the local state
    std::optional<PendingClientReset> p = Pending(before);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->reason, "operator-reset");
  };
  cb.after_reset = [&](const RecoverySnapshot& snap, Database& after) {
    ++after_calls;
    seen_after = &after;
    snapshot_path = snap.path;
    EXPECT_EQ(snap.manifest.reason, "operator-reset");
    EXPECT_EQ(snap.manifest.diverged_entries, 1u);
    EXPECT_EQ(Total(after), GetParam().total_after);
    EXPECT_FALSE(Pending(after).has_value());  // finished before the callback
  };
  cb.on_manual_reset_fallback = [&](SyncSession*, ClientResetRequiredError&) { ++fallback_calls; };
  auto a = DemandReset(cb);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_EQ(before_calls, 1);
  EXPECT_EQ(after_calls, 1);
  EXPECT_EQ(fallback_calls, 0);
  EXPECT_EQ(seen_before, a.get());
  EXPECT_EQ(seen_after, a.get());
  std::vector<RecoverySnapshot> snaps = Snapshots("a");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snapshot_path, snaps[0].path);
  EXPECT_EQ(Total(*a), GetParam().total_after);
  // A later sync with nothing demanded calls nothing.
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(before_calls, 1);
  EXPECT_EQ(after_calls, 1);
}

TEST_P(Callbacks, BeforeResetThrowingFallsBackToManualAndWipesNothing) {
  int after_calls = 0;
  ClientResetCallbacks cb;
  cb.before_reset = [](const Database&) { throw std::runtime_error("before-boom"); };
  cb.after_reset = [&](const RecoverySnapshot&, Database&) { ++after_calls; };
  auto a = DemandReset(cb);
  Result<SyncReport> r = Sync(*a);
  EXPECT_TRUE(
      HasError(r.status(), StatusCode::kFailedPrecondition, {"before_reset", "before-boom"}));
  EXPECT_EQ(after_calls, 0);
  ExpectUntouched(*a);
  EXPECT_NE(LastSyncError(*a).find("before-boom"), std::string::npos);
  // Pending, not lost: the next open with a callback that does not throw
  // carries the reset out.
  a.reset();
  cb.before_reset = nullptr;
  a = Open("a", GetParam().make(cb));
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(after_calls, 1);
  EXPECT_EQ(Total(*a), GetParam().total_after);
  EXPECT_FALSE(Pending(*a).has_value());
}

// A before_reset that always throws must not lock the app out of its own
// data: Open resumes the pending reset, the callback throws again, and Open
// still succeeds with nothing wiped and the error where status shows it.
TEST_P(Callbacks, BeforeResetThrowingAtOpenStillOpensTheIntactDatabase) {
  ClientResetCallbacks cb;
  cb.before_reset = [](const Database&) { throw std::runtime_error("always-boom"); };
  auto a = DemandReset(cb);
  EXPECT_FALSE(Sync(*a).ok());
  a.reset();
  a = Open("a", GetParam().make(cb));
  ASSERT_NE(a, nullptr);
  ExpectUntouched(*a);
  EXPECT_NE(LastSyncError(*a).find("always-boom"), std::string::npos);
}

TEST_P(Callbacks, BeforeResetThrowingIsHandedToTheManualFallback) {
  int fallback_calls = 0, after_calls = 0;
  ClientResetCallbacks cb;
  cb.before_reset = [](const Database&) { throw std::runtime_error("before-boom"); };
  cb.after_reset = [&](const RecoverySnapshot&, Database&) { ++after_calls; };
  cb.on_manual_reset_fallback = [&](SyncSession* session, ClientResetRequiredError& e) {
    ++fallback_calls;
    EXPECT_EQ(session, nullptr);  // SyncOnce, no background session
    EXPECT_TRUE(
        HasError(e.status(), StatusCode::kFailedPrecondition, {"before_reset", "before-boom"}));
    EXPECT_EQ(e.pending().reason, "operator-reset");
    EXPECT_EQ(e.original_path(), DbPath("a"));
    EXPECT_EQ(e.recovery_path(), RecoveryRoot("a") + "/" + e.pending().recovery_id);
    Status s = e.execute_client_reset();
    EXPECT_TRUE(s.ok()) << s.ToString();
  };
  auto a = DemandReset(cb);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_EQ(fallback_calls, 1);
  // Manual from here on: nothing replayed, no after_reset; the offline write
  // waits in the snapshot for the replayer.
  EXPECT_EQ(after_calls, 0);
  EXPECT_EQ(Total(*a), 1);
  std::vector<RecoverySnapshot> snaps = Snapshots("a");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].manifest.diverged_entries, 1u);
  EXPECT_FALSE(Pending(*a).has_value());
}

TEST_P(Callbacks, AfterResetThrowingIsReportedAndTheResetStaysDone) {
  ClientResetCallbacks cb;
  cb.after_reset = [](const RecoverySnapshot&, Database&) {
    throw std::runtime_error("after-boom");
  };
  auto a = DemandReset(cb);
  Result<SyncReport> r = Sync(*a);
  EXPECT_TRUE(HasError(r.status(), StatusCode::kFailedPrecondition, {"after_reset", "after-boom"}));
  EXPECT_NE(LastSyncError(*a).find("after-boom"), std::string::npos);
  EXPECT_FALSE(Pending(*a).has_value());
  EXPECT_EQ(Total(*a), GetParam().total_after);
  EXPECT_EQ(Snapshots("a").size(), 1u);
  // The next sync goes on normally (and uploads what was replayed).
  ASSERT_TRUE(Sync(*a).ok());
  auto b = Open("b");
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(Total(*b), GetParam().total_after);
}

TEST_P(Callbacks, ManualFallbackThrowingIsReportedByItsNameAndTheResetStaysPending) {
  ClientResetCallbacks cb;
  cb.before_reset = [](const Database&) { throw std::runtime_error("before-boom"); };
  cb.on_manual_reset_fallback = [](SyncSession*, ClientResetRequiredError&) {
    throw std::runtime_error("fallback-boom");
  };
  auto a = DemandReset(cb);
  Result<SyncReport> r = Sync(*a);
  EXPECT_TRUE(HasError(r.status(), StatusCode::kFailedPrecondition,
                       {"on_manual_reset_fallback", "fallback-boom", "before-boom"}));
  ExpectUntouched(*a);
}

TEST_P(Callbacks, NonStandardExceptionsAreReportedToo) {
  ClientResetCallbacks cb;
  cb.before_reset = [](const Database&) { throw 42; };
  auto a = DemandReset(cb);
  Result<SyncReport> r = Sync(*a);
  EXPECT_TRUE(HasError(r.status(), StatusCode::kFailedPrecondition, {"before_reset"}));
  ExpectUntouched(*a);
}

INSTANTIATE_TEST_SUITE_P(EachAutomaticStrategy, Callbacks, ::testing::ValuesIn(kAutomatic),
                         [](const ::testing::TestParamInfo<AutomaticStrategy>& p) {
                           return std::string(p.param.name);
                         });

class ManualCallback : public testing::ResetTest {};

TEST_F(ManualCallback, ThrowingIsReportedAndTheResetStaysPendingUntilTheNextOpen) {
  auto throwing = ManualRecoveryStrategy(
      [](SyncSession*, ClientResetRequiredError&) { throw std::runtime_error("manual-boom"); });
  auto a = Open("a", throwing);
  ResetClient(SyncedThenOffline(*a));
  Result<SyncReport> r = Sync(*a);
  EXPECT_TRUE(
      HasError(r.status(), StatusCode::kFailedPrecondition, {"on_client_reset", "manual-boom"}));
  std::optional<PendingClientReset> p = Pending(*a);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->step, ClientResetStep::kDetected);
  EXPECT_EQ(Total(*a), 11);
  EXPECT_TRUE(Snapshots("a").empty());
  // Manual's rule: a reset not executed runs at the next open.
  a.reset();
  a = Open("a", throwing);
  ASSERT_NE(a, nullptr);
  std::vector<RecoverySnapshot> snaps = Snapshots("a");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].manifest.diverged_entries, 1u);
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Total(*a), 1);
  EXPECT_FALSE(Pending(*a).has_value());
}

// On the background session the callback gets that session, and executing
// the reset from it lets the session download the server state.
TEST_F(ManualCallback, BackgroundSessionPassesItselfAndGoesOnAfterExecute) {
  Latch called;
  SyncSession* seen = nullptr;
  std::string reason;
  Status executed;
  auto a = OpenWith(
      "a",
      SessionOptions(ManualRecoveryStrategy([&](SyncSession* session, ClientResetRequiredError& e) {
        seen = session;
        reason = e.pending().reason;
        executed = e.execute_client_reset();
        called.Raise();
      })));
  Commit(*a, "synced", 1);
  ASSERT_TRUE(a->sync_session()->wait_for_upload(std::chrono::seconds(20)).ok());
  uint64_t id = ClientId(*a);
  StopServer();
  Commit(*a, "offline", 10);
  Operator({"reset-client", "--data", data_, std::to_string(id)});
  StartServer();
  ASSERT_TRUE(called.Wait(1)) << a->sync_session()->last_error().ToString();
  EXPECT_EQ(seen, a->sync_session());
  EXPECT_EQ(reason, "operator-reset");
  EXPECT_TRUE(executed.ok()) << executed.ToString();
  // Wiped; a sync (here or the session's, whichever finishes it) downloads
  // the server state and clears the record.
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Total(*a), 1);
  EXPECT_FALSE(Pending(*a).has_value());
  EXPECT_EQ(called.count(), 1);
  EXPECT_EQ(Snapshots("a").size(), 1u);
}

// On the background session an after_reset that throws stops the session
// with that error (state kError), while the reset itself is done.
TEST_F(ManualCallback, AfterResetThrowingOnTheBackgroundSessionIsItsError) {
  Latch failed, active;
  ClientResetCallbacks cb;
  cb.after_reset = [](const RecoverySnapshot&, Database&) {
    throw std::runtime_error("after-boom");
  };
  auto a = OpenWith("a", SessionOptions(RecoverUnsyncedChanges(cb)));
  a->sync_session()->AddListener([&](SyncState state, const Status&) {
    if (state == SyncState::kError) failed.Raise();
    if (state == SyncState::kActive) active.Raise();
  });
  Commit(*a, "synced", 1);
  ASSERT_TRUE(a->sync_session()->wait_for_upload(std::chrono::seconds(20)).ok());
  uint64_t id = ClientId(*a);
  StopServer();
  Commit(*a, "offline", 10);
  Operator({"reset-client", "--data", data_, std::to_string(id)});
  StartServer();
  ASSERT_TRUE(failed.Wait(1));
  EXPECT_EQ(a->sync_session()->state(), SyncState::kError);
  EXPECT_TRUE(HasError(a->sync_session()->last_error(), StatusCode::kFailedPrecondition,
                       {"after_reset", "after-boom"}));
  EXPECT_FALSE(Pending(*a).has_value());
  EXPECT_EQ(Total(*a), 11);
  // Resumed, the session uploads the replayed write: a wait right after
  // Resume() waits for the retry instead of returning the old error.
  a->sync_session()->Resume();
  Status s = a->sync_session()->wait_for_upload(std::chrono::seconds(20));
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace journaldb
