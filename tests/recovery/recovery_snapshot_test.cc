#include "journaldb/recovery_snapshot.h"

#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <fstream>

#include "support/temp_dir.h"

namespace journaldb {
namespace {

namespace fs = boost::filesystem;

std::unique_ptr<Database> OpenWithEntries(const std::string& path, int entries) {
  auto db = Database::Open(path, {});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  for (int i = 0; i < entries; ++i) {
    Transaction t = (*db)->BeginTransaction();
    EXPECT_TRUE(t.Upsert("tasks", "t" + std::to_string(i), {{"n", Value::Int(i)}}).ok());
    EXPECT_TRUE(t.Increment("counters", "c", "total", 1).ok());
    EXPECT_TRUE(t.Commit().ok());
  }
  return std::move(db).value();
}

TEST(RecoverySnapshot, HoldsEveryDivergedEntryAndAVerifiedManifest) {
  testing::TempDir dir;
  auto db = OpenWithEntries(dir.Sub("db"), 5);
  Result<RecoverySnapshot> snap = CreateRecoverySnapshot(*db, dir.Sub("recovery"), "manual");
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->manifest.reason, "manual");
  EXPECT_EQ(snap->manifest.first_diverged_lsn, 1u);
  EXPECT_EQ(snap->manifest.last_diverged_lsn, 5u);
  EXPECT_EQ(snap->manifest.diverged_entries, 5u);
  EXPECT_EQ(snap->manifest.diverged_ops, 10u);
  EXPECT_FALSE(fs::exists(snap->path + ".tmp"));

  // Later local writes do not leak into the snapshot.
  Transaction t = db->BeginTransaction();
  ASSERT_TRUE(t.EraseObject("tasks", "t0").ok());
  ASSERT_TRUE(t.Commit().ok());

  Options ro;
  ro.read_only = true;
  auto copy = Database::Open(snap->db_path, ro);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_TRUE((*copy)->Get("tasks", "t0").ok());
  EXPECT_EQ((*copy)->GetField("counters", "c", "total")->as_int(), 5);
  Result<VerifyReport> v = (*copy)->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok());

  Result<RecoverySnapshot> reopened = OpenRecoverySnapshot(snap->path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(reopened->manifest, snap->manifest);
}

TEST(RecoverySnapshot, ItsDatabaseRefusesWritableOpensAndStillReads) {
  testing::TempDir dir;
  auto db = OpenWithEntries(dir.Sub("db"), 2);
  Result<RecoverySnapshot> snap = CreateRecoverySnapshot(*db, dir.Sub("recovery"), "manual");
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();

  auto writable = Database::Open(snap->db_path, {});
  ASSERT_FALSE(writable.ok());
  EXPECT_EQ(writable.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(writable.status().message().find(snap->db_path), std::string::npos)
      << writable.status().ToString();
  Options read_only;
  read_only.read_only = true;
  auto reader = Database::Open(snap->db_path, read_only);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto report = (*reader)->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->entries_checked, 2u);
}

TEST(RecoverySnapshot, ListsCompleteSnapshotsOldestFirstAndIgnoresTmp) {
  testing::TempDir dir;
  auto db = OpenWithEntries(dir.Sub("db"), 1);
  auto a = CreateRecoverySnapshot(*db, dir.Sub("recovery"), "first");
  ASSERT_TRUE(a.ok());
  auto b = CreateRecoverySnapshot(*db, dir.Sub("recovery"), "second");
  ASSERT_TRUE(b.ok());
  fs::create_directories(dir.Sub("recovery/20991231T000000Z-00000000.tmp/db"));
  auto list = ListRecoverySnapshots(dir.Sub("recovery"));
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  // Oldest first by creation time: both ids may name the same second.
  EXPECT_EQ((*list)[0].manifest.reason, "first");
  EXPECT_EQ((*list)[1].manifest.reason, "second");

  Result<int> removed = RemoveIncompleteRecoverySnapshots(dir.Sub("recovery"));
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(fs::exists(dir.Sub("recovery/20991231T000000Z-00000000.tmp")));
  EXPECT_TRUE(fs::exists(a->path));
  EXPECT_TRUE(fs::exists(b->path));
}

TEST(RecoverySnapshot, MissingManifestIsNotFoundNamingTheDirectory) {
  testing::TempDir dir;
  fs::create_directories(dir.Sub("recovery/x/db"));
  Result<RecoverySnapshot> r = OpenRecoverySnapshot(dir.Sub("recovery/x"));
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_NE(r.status().message().find(dir.Sub("recovery/x")), std::string::npos);
  // Listing does not silently skip it either.
  EXPECT_FALSE(ListRecoverySnapshots(dir.Sub("recovery")).ok());
}

TEST(RecoverySnapshot, TamperedManifestIsCorruption) {
  testing::TempDir dir;
  auto db = OpenWithEntries(dir.Sub("db"), 2);
  auto snap = CreateRecoverySnapshot(*db, dir.Sub("recovery"), "manual");
  ASSERT_TRUE(snap.ok());
  std::string manifest = snap->path + "/MANIFEST";
  std::fstream f(manifest, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(-3, std::ios::end);
  f.put('\x7f');
  f.close();
  Result<RecoverySnapshot> r = OpenRecoverySnapshot(snap->path);
  EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("MANIFEST"), std::string::npos);
}

TEST(RecoverySnapshot, ManifestFromAnotherDirectoryIsRejected) {
  testing::TempDir dir;
  auto db = OpenWithEntries(dir.Sub("db"), 1);
  auto snap = CreateRecoverySnapshot(*db, dir.Sub("recovery"), "manual");
  ASSERT_TRUE(snap.ok());
  fs::rename(snap->path, dir.Sub("recovery/renamed"));
  EXPECT_TRUE(OpenRecoverySnapshot(dir.Sub("recovery/renamed")).status().IsCorruption());
}

TEST(RecoverySnapshot, SnapshotUsesHardLinksNotCopies) {
  testing::TempDir dir;
  auto db = OpenWithEntries(dir.Sub("db"), 200);
  auto snap = CreateRecoverySnapshot(*db, dir.Sub("recovery"), "manual");
  ASSERT_TRUE(snap.ok());
  int linked = 0;
  for (fs::directory_iterator it(snap->db_path), end; it != end; ++it)
    if (it->path().extension() == ".sst" && fs::hard_link_count(it->path()) >= 2) ++linked;
  EXPECT_GT(linked, 0) << "no SST file of the snapshot is shared with the live database";
}

}  // namespace
}  // namespace journaldb
