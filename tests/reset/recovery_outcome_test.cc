// What an automatic recovery reports: an op that cannot apply to the server
// state (docs/merge-semantics.md rule 5) is left out and reported while the
// rest of the recovery goes on and is uploaded in the same sync; the
// after_reset callback learns that not everything was recovered.
#include <gtest/gtest.h>

#include "journaldb/client_reset_strategy.h"
#include "reset_support.h"

namespace journaldb {
namespace {

class RecoveryOutcome : public testing::ResetTest {
 protected:
  // "a" syncs +1, then offline adds +10 (with c/offline) and, in a later
  // transaction, writes c/later. "b" meanwhile makes c/total.n a string. The
  // operator forces a reset of "a". Returns "b".
  std::unique_ptr<Database> IncrementOfAFieldTheServerMadeAString(Database& a) {
    const uint64_t id = SyncedThenOffline(a);
    Transaction later = a.BeginTransaction();
    EXPECT_TRUE(later.Upsert("c", "later", {{"k", Value::String("later")}}).ok());
    EXPECT_TRUE(later.Commit().ok());
    auto b = Open("b");
    EXPECT_TRUE(Sync(*b).ok());
    Transaction t = b->BeginTransaction();
    EXPECT_TRUE(t.Upsert("c", "total", {{"n", Value::String("many")}}).ok());
    EXPECT_TRUE(t.Commit().ok());
    EXPECT_TRUE(Sync(*b).ok());
    ResetClient(id);
    return b;
  }

  void ExpectLeftOutAndReported(bool or_discard) {
    std::optional<ClientResetOutcome> heard;
    ClientResetCallbacks cb;
    cb.after_reset = [&](const RecoverySnapshot&, Database& after) {
      Result<std::optional<ClientResetOutcome>> o = LastClientResetOutcome(after);
      ASSERT_TRUE(o.ok()) << o.status().ToString();
      heard = *o;
    };
    auto a = Open("a", or_discard ? RecoverOrDiscardUnsyncedChanges(cb)
                                   : RecoverUnsyncedChanges(cb));
    auto b = IncrementOfAFieldTheServerMadeAString(*a);

    Result<SyncReport> r = Sync(*a);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->reset);
    ASSERT_TRUE(r->client_reset.has_value());
    const ClientResetOutcome& o = *r->client_reset;
    EXPECT_EQ(o.reason, "operator-reset");
    EXPECT_EQ(o.transactions_replayed, 2u);  // c/offline's and c/later's
    ASSERT_EQ(o.ops_not_applicable.size(), 1u);
    EXPECT_EQ(o.ops_not_applicable[0].lsn, 2u);
    EXPECT_EQ(o.ops_not_applicable[0].op_index, 1u);
    EXPECT_NE(o.ops_not_applicable[0].reason.find("cannot increment c/"), std::string::npos)
        << o.ops_not_applicable[0].reason;
    EXPECT_EQ(o.transactions_not_recovered, 0u);
    EXPECT_FALSE(o.discarded);
    EXPECT_FALSE(o.recovered_everything());
    ASSERT_TRUE(heard.has_value());
    EXPECT_EQ(heard->ops_not_applicable, o.ops_not_applicable);
    EXPECT_FALSE(Pending(*a).has_value());

    // The rest of the increment's transaction and the later one are back,
    // and on the server: "b" sees them without "a" syncing again.
    EXPECT_TRUE(a->Get("c", "offline").ok());
    EXPECT_TRUE(a->Get("c", "later").ok());
    Result<Value> n = a->GetField("c", "total", "n");
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, Value::String("many"));
    Result<SyncStatus> status = GetSyncStatus(*a);
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(status->unsynced_entries, 0u);
    EXPECT_EQ(status->last_error, "");
    ASSERT_TRUE(Sync(*b).ok());
    EXPECT_TRUE(b->Get("c", "offline").ok());
    EXPECT_TRUE(b->Get("c", "later").ok());
    ExpectVerifies(*a);
    // The report is handed out once.
    Result<SyncReport> again = Sync(*a);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_FALSE(again->reset);
    EXPECT_FALSE(again->client_reset.has_value());
  }
};

TEST_F(RecoveryOutcome, RecoverLeavesOutAnOpThatCannotApplyReportsItAndRecoversTheRest) {
  ExpectLeftOutAndReported(/*or_discard=*/false);
}

// Not a failed replay: nothing is discarded.
TEST_F(RecoveryOutcome, RecoverOrDiscardLeavesOutAnOpThatCannotApplyAndDiscardsNothing) {
  ExpectLeftOutAndReported(/*or_discard=*/true);
}

}  // namespace
}  // namespace journaldb
