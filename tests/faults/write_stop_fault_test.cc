// A write that fails for good stops every writer of the database, not only
// the commits, until it is opened again, even once the disk has room:
// RocksDB's own recovery from a full disk is declined and the store keeps
// the stop (journal/internal/journaldb/journal/write_stop.h).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "faults/fault_fs.h"
#include "journaldb/engine/commit_marker.h"
#include "journaldb/engine/open_with_env.h"
#include "support/temp_dir.h"

namespace journaldb::testing {
namespace {

Result<Lsn> CommitOne(Database& db, const std::string& key) {
  Transaction txn = db.BeginTransaction();
  if (Status s = txn.Upsert("c", key, FieldMap{{"f", Value::String("v")}}); !s.ok()) return s;
  return txn.Commit();
}

CommitMarker Marker(const std::string& name) {
  return CommitMarker{std::string(kMarkerKeyPrefix) + name, "done"};
}

void ExpectStopped(const Status& s) {
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("refused: the database stopped accepting writes after a write to "
                             "the write-ahead log failed: IO error: No space left on device"),
            std::string::npos)
      << s.ToString();
  EXPECT_NE(s.message().find("until it is opened again"), std::string::npos) << s.ToString();
}

// The first write to fail is not a commit (a marker, which goes through
// Store::Write as sync integration and the client-reset records do), so the
// commits' own latch (an earlier commit failed) is not what refuses them.
TEST(WriteStopFault, AFullDiskUnderAnyWriteStopsEveryWriterUntilTheDatabaseIsOpenedAgain) {
  TempDir dir;
  FaultEnv fault;
  Options options;
  options.durability = Durability::kSyncEveryCommit;
  Result<std::unique_ptr<Database>> db = OpenWithEnv(dir.Sub("db"), options, fault.env.get());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(CommitOne(**db, "a").ok());

  fault.fs->Arm(FaultKind::kNoSpace, 1);  // the marker's write-ahead-log append
  Status failed = WriteMarker(**db, Marker("failed"));
  ASSERT_FALSE(failed.ok());
  ASSERT_TRUE(fault.fs->fired());
  fault.fs->Disarm();  // the disk has room again

  Status marker = WriteMarker(**db, Marker("after-stop"));
  ASSERT_FALSE(marker.ok());
  ExpectStopped(marker);
  Result<Lsn> commit = CommitOne(**db, "b");
  ASSERT_FALSE(commit.ok());
  ExpectStopped(commit.status());
  // An fsync of the log (before an upload, at the end of a replay) is
  // refused too: Debian's RocksDB, built with assertions, aborts the process
  // on a sync of a log whose write failed.
  Status synced = SyncLog(**db);
  ASSERT_FALSE(synced.ok());
  ExpectStopped(synced);

  // Opened again: what was written before the stop is there, and writes go on.
  db->reset();
  db = OpenWithEnv(dir.Sub("db"), options, fault.env.get());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Status reopened_marker = WriteMarker(**db, Marker("after-reopen"));
  EXPECT_TRUE(reopened_marker.ok()) << reopened_marker.ToString();
  EXPECT_TRUE(CommitOne(**db, "c").ok());
  Result<Object> a = (*db)->Get("c", "a");
  EXPECT_TRUE(a.ok()) << a.status().ToString();
}

}  // namespace
}  // namespace journaldb::testing
