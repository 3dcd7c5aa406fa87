// A sync session whose database stopped accepting writes (a write failed for
// good: journal/internal/journaldb/journal/write_stop.h) stops with that
// error (kError) instead of reconnecting and downloading for nothing until
// the app reopens the database; reopened, it syncs again.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "faults/fault_fs.h"
#include "journaldb/database.h"
#include "journaldb/engine/commit_marker.h"
#include "journaldb/engine/open_with_env.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/temp_dir.h"

namespace journaldb::testing {
namespace {

constexpr auto kWait = std::chrono::seconds(30);

Options SyncingTo(const std::string& address) {
  Options o;
  o.sync.server = address;
  o.sync.min_backoff_ms = 20;
  o.sync.max_backoff_ms = 200;
  // Idle, the session waits on the server (capped at 5 s), so the fault
  // armed below meets the marker's write, not one of the session's.
  o.sync.download_wait_ms = 5000;
  return o;
}

Status CommitOne(Database& db, const std::string& key) {
  Transaction txn = db.BeginTransaction();
  if (Status s = txn.Upsert("c", key, FieldMap{{"f", Value::String(key)}}); !s.ok()) return s;
  return txn.Commit().status();
}

TEST(WriteStopSync, ASessionWhoseDatabaseStoppedWritesStopsWithThatErrorUntilReopened) {
  TempDir dir;
  std::string error;
  auto server = ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  FaultEnv fault;
  Result<std::unique_ptr<Database>> b =
      OpenWithEnv(dir.Sub("b"), SyncingTo(server->address()), fault.env.get());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_TRUE(CommitOne(**b, "b1").ok());
  ASSERT_TRUE((*b)->sync_session()->wait_for_upload(kWait).ok());

  // A write of b fails on a full disk; then the disk has room again.
  fault.fs->Arm(FaultKind::kNoSpace, 1);
  ASSERT_FALSE(WriteMarker(**b, CommitMarker{std::string(kMarkerKeyPrefix) + "x", "v"}).ok());
  ASSERT_TRUE(fault.fs->fired());
  fault.fs->Disarm();

  // Another client's change reaches b's session, which cannot integrate it.
  Result<std::unique_ptr<Database>> a = Database::Open(dir.Sub("a"), SyncingTo(server->address()));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(CommitOne(**a, "a1").ok());
  ASSERT_TRUE((*a)->sync_session()->wait_for_upload(kWait).ok());
  Status waited = (*b)->sync_session()->wait_for_download(kWait);
  EXPECT_FALSE(waited.ok());
  EXPECT_EQ((*b)->sync_session()->state(), SyncState::kError);
  Status last = (*b)->sync_session()->last_error();
  EXPECT_TRUE(last.IsIOError()) << last.ToString();
  EXPECT_NE(last.message().find("stopped accepting writes"), std::string::npos) << last.ToString();
  EXPECT_NE(waited.message().find("stopped accepting writes"), std::string::npos)
      << waited.ToString();
  // The status says so too, though recording it would be a write.
  Result<SyncStatus> status = GetSyncStatus(**b);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_NE(status->last_error.find("stopped accepting writes"), std::string::npos)
      << status->last_error;

  // Reopened, b downloads what it missed.
  b->reset();
  b = OpenWithEnv(dir.Sub("b"), SyncingTo(server->address()), fault.env.get());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  Status downloaded = (*b)->sync_session()->wait_for_download(kWait);
  ASSERT_TRUE(downloaded.ok()) << downloaded.ToString();
  EXPECT_TRUE((*b)->Get("c", "a1").ok());
}

}  // namespace
}  // namespace journaldb::testing
