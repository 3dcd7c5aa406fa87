// Retention of acknowledged journal entries (RetentionOptions): after a sync
// only the newest `keep_entries` acknowledged entries older than
// `keep_seconds` are kept, unacknowledged entries never go, the database
// still verifies, and a kept entry that a restore rolled back is recovered
// while a trimmed one is not (docs/client-reset.md: retention).
#include <gtest/gtest.h>

#include <limits>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/engine/sync/integrator.h"
#include "reset_support.h"
#include "support/raw_rocks.h"

namespace journaldb {
namespace {

class Retention : public testing::ResetTest {
 protected:
  std::unique_ptr<Database> OpenKeeping(uint64_t keep_entries, uint64_t keep_seconds,
                                        std::shared_ptr<ClientResetStrategy> strategy = nullptr) {
    Options o;
    o.retention.keep_entries = keep_entries;
    o.retention.keep_seconds = keep_seconds;
    o.client_reset = std::move(strategy);
    return OpenWith("a", o);
  }
  void CommitMany(Database& db, int n, const std::string& prefix) {
    for (int i = 0; i < n; ++i) Commit(db, prefix + std::to_string(i), 1);
  }
  // The lsn of the oldest entry still in the journal (0 if none).
  static Lsn OldestKept(const Database& db) {
    JournalReader r = db.ReadJournal();
    Lsn lsn = r.Valid() ? r.entry().lsn : 0;
    EXPECT_TRUE(r.status().ok()) << r.status().ToString();
    return lsn;
  }
};

TEST_F(Retention, KeepsTheNewestAcknowledgedEntriesAndStillVerifies) {
  auto a = OpenKeeping(3, 0);
  CommitMany(*a, 10, "k");
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(JournalEntries(*a), 3u);
  EXPECT_EQ(OldestKept(*a), 8u);
  ExpectVerifies(*a);
  CommitMany(*a, 2, "m");
  EXPECT_EQ(JournalEntries(*a), 5u);  // nothing is trimmed without a sync
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(JournalEntries(*a), 3u);
  EXPECT_EQ(OldestKept(*a), 10u);
  EXPECT_EQ(Total(*a), 12);
  ExpectVerifies(*a);
  // And after a reopen; lsns keep counting from the highest ever assigned.
  a.reset();
  a = OpenKeeping(3, 0);
  ExpectVerifies(*a);
  Commit(*a, "after-reopen", 1);
  Result<DatabaseInfo> info = a->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->last_lsn, 13u);
}

// Trims and the client-reset wipe delete key by key. A range tombstone
// (DeleteRange) would expose the app to a RocksDB 7.8 abort when a compaction
// that drops it fails on an I/O error such as a full disk.
TEST_F(Retention, TrimsAndTheResetWipeWriteNoRangeTombstones) {
  auto a = OpenKeeping(0, 0, RecoverUnsyncedChanges());
  CommitMany(*a, 20, "k");
  ASSERT_TRUE(Sync(*a).ok());
  ASSERT_EQ(JournalEntries(*a), 0u);  // trimmed
  ResetClient(SyncedThenOffline(*a));
  Result<SyncReport> reset = Sync(*a);  // the reset: snapshot, wipe, download, replay
  ASSERT_TRUE(reset.ok()) << reset.status().ToString();
  EXPECT_EQ(Snapshots("a").size(), 1u);
  EXPECT_EQ(Total(*a), 20 + 1 + 10);
  ExpectVerifies(*a);
  a.reset();
  std::string error;
  auto raw = testing::RawRocks::Open(DbPath("a"), &error);
  ASSERT_TRUE(raw) << error;
  uint64_t range_deletions = 0;
  ASSERT_TRUE(raw->CountRangeDeletions(&range_deletions).ok());
  EXPECT_EQ(range_deletions, 0u);
}

TEST_F(Retention, UnacknowledgedEntriesAreNeverTrimmed) {
  auto a = OpenKeeping(0, 0);
  CommitMany(*a, 5, "acked");
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(JournalEntries(*a), 0u);
  ExpectVerifies(*a);
  CommitMany(*a, 3, "offline");
  // The retention pass a sync runs, with nothing new acknowledged.
  Database& client_db = *a;
  Result<uint64_t> removed = sync::Integrator(client_db).TrimAcknowledged(RetentionOptions{0, 0});
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 0u);
  EXPECT_EQ(JournalEntries(*a), 3u);
  ExpectVerifies(*a);
  // Once acknowledged they go too, and a second client sees all eight.
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(JournalEntries(*a), 0u);
  EXPECT_EQ(Total(*a), 8);
  auto b = Open("b");
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(Total(*b), 8);
}

TEST_F(Retention, AcknowledgedEntriesYoungerThanKeepSecondsStay) {
  auto a = OpenKeeping(0, 3600);
  CommitMany(*a, 5, "k");
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(JournalEntries(*a), 5u);
  ExpectVerifies(*a);
}

// A keep_seconds longer than the clock has run (an app's "forever") keeps
// every entry; computed as now - keep_seconds in int64 microseconds it
// wrapped into the future, and every acknowledged entry looked old.
TEST_F(Retention, KeepSecondsBeyondTheClockKeepsEveryEntry) {
  auto a = OpenKeeping(0, std::numeric_limits<uint64_t>::max());
  CommitMany(*a, 5, "k");
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(JournalEntries(*a), 5u);
  ExpectVerifies(*a);
}

// keep_entries = 1: of the two writes acknowledged after the backup, the
// older was trimmed before the restore rolled both back. The kept one is
// recovered with the offline write; the trimmed one is gone, as documented:
// only a kept entry can be recovered.
TEST_F(Retention, AKeptRolledBackEntryIsRecoveredATrimmedOneIsNot) {
  auto a = OpenKeeping(1, 0, RecoverUnsyncedChanges());
  Commit(*a, "base", 1);
  ASSERT_TRUE(Sync(*a).ok());
  Backup("backup");
  Commit(*a, "trimmed", 10);
  ASSERT_TRUE(Sync(*a).ok());
  Commit(*a, "kept", 100);
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(JournalEntries(*a), 1u);
  Commit(*a, "offline", 1000);
  Restore("backup");
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  std::vector<RecoverySnapshot> snaps = Snapshots("a");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].manifest.reason, "epoch-mismatch");
  EXPECT_EQ(snaps[0].manifest.diverged_entries, 2u);
  EXPECT_EQ(Total(*a), 1101);
  EXPECT_TRUE(a->Get("c", "kept").ok());
  EXPECT_TRUE(a->Get("c", "offline").ok());
  EXPECT_FALSE(a->Get("c", "trimmed").ok());
  ExpectVerifies(*a);
}

}  // namespace
}  // namespace journaldb
