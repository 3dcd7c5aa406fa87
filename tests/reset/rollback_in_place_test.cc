// A server rolled back in place: an older copy of its data directory put
// back under the same epoch, or on PostgreSQL an older pg_dump restored into
// the same database without new-epoch (test_store.h), so version numbers
// are reused. Every client
// whose download cursor is beyond the restored history, or on a history that
// was rewritten since (docs/protocol.md, "Rollback detection"), resets with
// reason server-rollback: the writer recovers its lost writes, and a client
// that only downloaded keeps nothing stale.
#include <gtest/gtest.h>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/engine/sync/integrator.h"
#include "reset_fixture.h"

namespace journaldb {
namespace {

class RollbackInPlace : public testing::ResetFixture {
 protected:
  // Saves the stopped server's state as it is now.
  void SaveData() {
    StopServer();
    std::string out;
    ASSERT_EQ(testing::CopyStore(data_, dir_.Sub("copy"), &out), 0) << out;
    StartServer();
  }
  // Puts the saved state back, same epoch.
  void PutDataBack() {
    StopServer();
    std::string out;
    ASSERT_EQ(testing::PutStoreBackInPlace(data_, dir_.Sub("copy"), &out), 0) << out;
    StartServer();
  }
  // Syncs `db`, which must reset for a rollback and come back caught up.
  void SyncThroughRollbackReset(Database& db) {
    Result<SyncReport> r = Sync(db);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->reset);
    ASSERT_TRUE(r->client_reset.has_value());
    EXPECT_EQ(r->client_reset->reason, "server-rollback");
  }
};

// Client d downloaded version 2, which the rollback took away: its cursor is
// beyond the restored history, which used to stop its sync with bad-cursor.
TEST_F(RollbackInPlace, ACursorBeyondTheRestoredHistoryResetsAndTheWriterLosesNothing) {
  auto a = Open("a", RecoverUnsyncedChanges());
  auto d = Open("d", RecoverUnsyncedChanges());
  Commit(*a, "kept", 1);
  ASSERT_TRUE(Sync(*a).ok());
  ASSERT_TRUE(Sync(*d).ok());
  SaveData();
  Commit(*a, "lost", 10);
  ASSERT_TRUE(Sync(*a).ok());  // acknowledged at version 2
  ASSERT_TRUE(Sync(*d).ok());
  ASSERT_EQ(Total(*d), 11);
  Commit(*a, "unsynced", 100);
  PutDataBack();

  SyncThroughRollbackReset(*d);
  EXPECT_EQ(Total(*d), 1);  // the server's state, not the rolled-back one
  EXPECT_TRUE(d->Get("c", "lost").status().IsNotFound());
  SyncThroughRollbackReset(*a);
  EXPECT_EQ(Total(*a), 111);  // the lost and the unsynced write, each once
  ASSERT_TRUE(Sync(*d).ok());
  EXPECT_EQ(Total(*d), 111);
  EXPECT_TRUE(d->Get("c", "lost").ok());
  EXPECT_TRUE(d->Get("c", "unsynced").ok());
}

// Another client wrote after the rollback, so the server is back at d's
// cursor with a different version 2: only the chain hash tells. Without it
// d would keep the rolled-back write and never get the new one.
TEST_F(RollbackInPlace, ACursorOnARewrittenHistoryResetsInsteadOfKeepingStaleState) {
  auto a = Open("a", RecoverUnsyncedChanges());
  auto b = Open("b");
  auto d = Open("d", RecoverUnsyncedChanges());
  Commit(*a, "kept", 1);
  ASSERT_TRUE(Sync(*a).ok());
  ASSERT_TRUE(Sync(*b).ok());
  ASSERT_TRUE(Sync(*d).ok());
  SaveData();
  Commit(*a, "lost", 10);
  ASSERT_TRUE(Sync(*a).ok());  // version 2
  ASSERT_TRUE(Sync(*d).ok());  // d's cursor: version 2
  Result<sync::LocalCursors> cursors = sync::Integrator::ReadCursors(*d);
  ASSERT_TRUE(cursors.ok()) << cursors.status().ToString();
  EXPECT_EQ(cursors->download_cursor, 2u);
  EXPECT_EQ(cursors->download_hash.size(), wire::kChainHashBytes);  // stored with the cursor
  PutDataBack();
  Commit(*b, "other", 100);
  Result<SyncReport> rb = Sync(*b);
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  EXPECT_FALSE(rb->reset);  // b never saw the lost version: it just goes on

  SyncThroughRollbackReset(*d);
  EXPECT_EQ(Total(*d), 101);
  EXPECT_TRUE(d->Get("c", "other").ok());
  EXPECT_TRUE(d->Get("c", "lost").status().IsNotFound());
  SyncThroughRollbackReset(*a);
  EXPECT_EQ(Total(*a), 111);
  for (Database* db : {b.get(), d.get()}) {
    ASSERT_TRUE(Sync(*db).ok());
    EXPECT_EQ(Total(*db), 111);
    EXPECT_TRUE(db->Get("c", "lost").ok());
  }
}

}  // namespace
}  // namespace journaldb
