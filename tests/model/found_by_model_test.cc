// Counterexamples the model-based test found, kept as plain tests so they
// run the same way every time: restores from a backup that roll back writes
// the server had acknowledged, where the client once took them for held.
#include <gtest/gtest.h>

#include "journaldb/client_reset_strategy.h"
#include "reset_fixture.h"

namespace journaldb {
namespace {

class FoundByModel : public testing::ResetFixture {
 protected:
  // Syncs `a` (recover strategy) after the restore and checks that its
  // acknowledged write (+1) was recovered, exactly once.
  void ExpectRecovered(Database& a) {
    Result<SyncReport> r = Sync(a);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->reset);
    auto snaps = ListRecoverySnapshots(DbPath("a") + ".recovery");
    ASSERT_TRUE(snaps.ok()) << snaps.status().ToString();
    ASSERT_EQ(snaps->size(), 1u);
    EXPECT_EQ((*snaps)[0].manifest.diverged_entries, 1u);
    EXPECT_EQ(Total(a), 1);
    ASSERT_TRUE(Sync(a).ok());
    auto b = Open("b");
    ASSERT_TRUE(Sync(*b).ok());
    EXPECT_EQ(Total(*b), 1);
  }
};

// The backup predates the client's registration: the restored server does
// not know the client ("unknown-client") and holds none of its entries. The
// client used to count every acknowledged entry as held and lost it.
TEST_F(FoundByModel, RestoreFromBeforeTheClientRegisteredRecoversItsAcknowledgedWrites) {
  Backup("before-registration");
  auto a = Open("a", RecoverUnsyncedChanges());
  Commit(*a, "x", 1);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->uploaded_entries, 1u);
  Restore("before-registration");
  ExpectRecovered(*a);
}

// The client is known to the backup but the backup's history is empty: the
// server reports "epoch-mismatch" with restored latest version 0, which the
// client used to read as "no restore" and so counted every acknowledged
// entry as held.
TEST_F(FoundByModel, RestoreToAnEmptyHistoryRecoversAcknowledgedWrites) {
  auto a = Open("a", RecoverUnsyncedChanges());
  ASSERT_TRUE(Sync(*a).ok());  // registers, uploads nothing
  Backup("empty-history");
  Commit(*a, "x", 1);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->uploaded_entries, 1u);
  Restore("empty-history");
  ExpectRecovered(*a);
}

// Found by the model test: a restore used to start client ids over, so the
// client re-registered under the id it had in the lineage a later-restored
// backup comes from; that backup knew the id and the client took versions of
// the other lineage for its own: "z" was neither on the server nor in the
// recovery snapshot's diverged range. Now a restore continues client ids
// after the replaced lineage's, and an epoch the server has no fork point
// for is reported with restored version 0 (nothing known to be held).
TEST_F(FoundByModel, RestoreIntoALineageThatReusedTheClientIdKeepsItsWritesDiverged) {
  ClientResetCallbacks callbacks;
  Backup("before-registration");
  auto a = Open("a", DiscardUnsyncedChanges(callbacks));
  Commit(*a, "x", 1);
  ASSERT_TRUE(Sync(*a).ok());
  Backup("holds-x");
  Restore("before-registration");
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->reset);
  EXPECT_NE(r->client_id, 1u);  // not the id it had in the other lineage
  Commit(*a, "z", 10);
  ASSERT_TRUE(Sync(*a).ok());
  Restore("holds-x");
  r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->reset);
  auto snaps = ListRecoverySnapshots(DbPath("a") + ".recovery");
  ASSERT_TRUE(snaps.ok()) << snaps.status().ToString();
  ASSERT_EQ(snaps->size(), 2u);
  for (const RecoverySnapshot& s : *snaps) {
    if (s.manifest.reason == "epoch-mismatch") {
      EXPECT_EQ(s.manifest.diverged_entries, 1u);
    }
  }
}

}  // namespace
}  // namespace journaldb
