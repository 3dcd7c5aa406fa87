// When the replay of a reset cannot finish (the policy aborts, or throws),
// RecoverUnsynced falls back to manual (the rest waits in the recovery
// snapshot for the replayer, exactly once) and RecoverOrDiscard discards the
// rest. Either way what was replayed stays, and the error is reported.
#include <gtest/gtest.h>

#include <stdexcept>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/replayer.h"
#include "reset_support.h"
#include "support/status_assertions.h"

namespace journaldb {
namespace {

using testing::HasError;

// Applies the first `apply` transactions, then aborts (or throws).
class StopAfterPolicy : public ReplayPolicy {
 public:
  StopAfterPolicy(int apply, bool throws) : apply_(apply), throws_(throws) {}
  ReplayDecision Decide(const PlannedTransaction&) override {
    if (decided_++ < apply_) return {};
    if (throws_) throw std::runtime_error("policy-boom");
    ReplayDecision d;
    d.action = ReplayAction::kAbort;
    d.reason = "policy-says-stop";
    return d;
  }

 private:
  const int apply_;
  const bool throws_;
  int decided_ = 0;
};

class ReplayFallback : public testing::ResetTest {
 protected:
  // "a" syncs +1, commits +10 and +100 offline (two diverged transactions),
  // and the operator forces a reset.
  std::unique_ptr<Database> DemandReset(std::shared_ptr<ClientResetStrategy> strategy) {
    auto a = Open("a", std::move(strategy));
    if (a == nullptr) return nullptr;
    Commit(*a, "synced", 1);
    Result<SyncReport> r = Sync(*a);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    Commit(*a, "offline-1", 10);
    Commit(*a, "offline-2", 100);
    ResetClient(r.ok() ? r->client_id : 0);
    return a;
  }
  static ClientResetCallbacks WithPolicy(bool throws) {
    ClientResetCallbacks cb;
    cb.policy = std::make_shared<StopAfterPolicy>(1, throws);
    return cb;
  }
  // The replayer finishes what the reset left: only the second transaction.
  void ExpectReplayerFinishes(Database& a) {
    std::vector<RecoverySnapshot> snaps = Snapshots("a");
    ASSERT_EQ(snaps.size(), 1u);
    Result<bool> done = IsFullyReplayed(a, snaps[0]);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    EXPECT_FALSE(*done);
    LocalWinsPolicy local_wins;
    Result<ReplayReport> r = Replay(snaps[0], a, local_wins, {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->transactions_already_done, 1u);
    EXPECT_EQ(r->transactions_applied, 1u);
    EXPECT_EQ(Total(a), 111);
  }
};

TEST_F(ReplayFallback, RecoverFallsBackToManualWhenThePolicyAborts) {
  auto a = DemandReset(RecoverUnsyncedChanges(WithPolicy(false)));
  Result<SyncReport> r = Sync(*a);
  EXPECT_TRUE(HasError(r.status(), StatusCode::kFailedPrecondition,
                       {"stopped at lsn", "policy-says-stop"}));
  EXPECT_FALSE(Pending(*a).has_value());  // handed over to the replayer
  EXPECT_EQ(Total(*a), 11);               // the first transaction was replayed
  ExpectReplayerFinishes(*a);
}

TEST_F(ReplayFallback, RecoverHandsTheAbortToTheFallbackCallback) {
  int fallback_calls = 0, after_calls = 0;
  ClientResetCallbacks cb = WithPolicy(false);
  cb.after_reset = [&](const RecoverySnapshot&, Database&) { ++after_calls; };
  cb.on_manual_reset_fallback = [&](SyncSession*, ClientResetRequiredError& e) {
    ++fallback_calls;
    EXPECT_TRUE(HasError(e.status(), StatusCode::kFailedPrecondition, {"policy-says-stop"}));
    EXPECT_EQ(e.recovery_path(), Snapshots("a").at(0).path);
  };
  auto a = DemandReset(RecoverUnsyncedChanges(cb));
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(fallback_calls, 1);
  EXPECT_EQ(after_calls, 0);
  EXPECT_EQ(Total(*a), 11);
  ExpectReplayerFinishes(*a);
}

TEST_F(ReplayFallback, RecoverFallsBackToManualWhenThePolicyThrows) {
  auto a = DemandReset(RecoverUnsyncedChanges(WithPolicy(true)));
  Result<SyncReport> r = Sync(*a);
  EXPECT_TRUE(HasError(r.status(), StatusCode::kFailedPrecondition, {"policy", "policy-boom"}));
  EXPECT_FALSE(Pending(*a).has_value());
  EXPECT_EQ(Total(*a), 11);
  ExpectReplayerFinishes(*a);
}

TEST_F(ReplayFallback, RecoverOrDiscardDiscardsTheRestWhenThePolicyAborts) {
  int fallback_calls = 0, after_calls = 0;
  ClientResetCallbacks cb = WithPolicy(false);
  cb.after_reset = [&](const RecoverySnapshot&, Database&) { ++after_calls; };
  cb.on_manual_reset_fallback = [&](SyncSession*, ClientResetRequiredError&) { ++fallback_calls; };
  std::optional<ClientResetOutcome> heard;
  cb.after_reset = [&](const RecoverySnapshot&, Database& after) {
    ++after_calls;
    heard = LastClientResetOutcome(after).value();
  };
  auto a = DemandReset(RecoverOrDiscardUnsyncedChanges(cb));
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_EQ(fallback_calls, 0);
  EXPECT_EQ(after_calls, 1);
  EXPECT_EQ(Total(*a), 11);
  EXPECT_FALSE(Pending(*a).has_value());
  // Never silently: the report, the callback and the last error name what
  // was discarded (lsn 3: the second offline transaction).
  ASSERT_TRUE(r->client_reset.has_value());
  const ClientResetOutcome& o = *r->client_reset;
  EXPECT_TRUE(o.discarded);
  EXPECT_EQ(o.transactions_replayed, 1u);
  EXPECT_EQ(o.transactions_not_recovered, 1u);
  EXPECT_EQ(o.first_unrecovered_lsn, 3u);
  EXPECT_EQ(o.last_unrecovered_lsn, 3u);
  EXPECT_NE(o.not_recovered_reason.find("policy-says-stop"), std::string::npos);
  EXPECT_FALSE(o.recovered_everything());
  ASSERT_TRUE(heard.has_value());
  EXPECT_TRUE(heard->discarded);
  Result<SyncStatus> status = GetSyncStatus(*a);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(HasError(Status::FailedPrecondition(status->last_error),
                       StatusCode::kFailedPrecondition,
                       {"discarded 1 diverged transaction", "lsn 3..3", "policy-says-stop",
                        o.recovery_path, "journal replay"}))
      << status->last_error;
  // Discarded, still in the snapshot.
  ExpectReplayerFinishes(*a);
}

// A throw is not a decision: the rest is discarded, and the exception is
// reported (as after an after_reset that throws, the reset stays done).
TEST_F(ReplayFallback, RecoverOrDiscardDiscardsTheRestAndReportsAPolicyThatThrows) {
  int after_calls = 0;
  ClientResetCallbacks cb = WithPolicy(true);
  cb.after_reset = [&](const RecoverySnapshot&, Database&) { ++after_calls; };
  auto a = DemandReset(RecoverOrDiscardUnsyncedChanges(cb));
  Result<SyncReport> r = Sync(*a);
  EXPECT_TRUE(HasError(r.status(), StatusCode::kFailedPrecondition, {"policy", "policy-boom"}));
  EXPECT_EQ(after_calls, 1);
  EXPECT_FALSE(Pending(*a).has_value());
  EXPECT_EQ(Total(*a), 11);
  ExpectReplayerFinishes(*a);
}

}  // namespace
}  // namespace journaldb
