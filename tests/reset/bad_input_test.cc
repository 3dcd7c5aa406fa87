// Bad input met by a client reset: a tampered or truncated MANIFEST of the
// pending reset's own snapshot, a damaged `client_reset` meta record, a
// `.tmp` left by a crash mid-snapshot, and executing a reset when none is
// pending. Each gets a clear error or a safe clean-up; nothing is wiped on
// unverified data and no copy of a diverged op is deleted.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <fstream>
#include <iterator>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/replayer.h"
#include "reset_support.h"
#include "support/raw_rocks.h"
#include "support/status_assertions.h"

namespace journaldb {
namespace {

namespace fs = boost::filesystem;
using testing::HasError;
using testing::RawRocks;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

class BadInput : public testing::ResetTest {
 protected:
  // "a" (no strategy) has +1 synced and +10 offline, and a reset the
  // operator forced is pending at its first step.
  std::unique_ptr<Database> PendingReset() {
    auto a = Open("a");
    if (a == nullptr) return nullptr;
    ResetClient(SyncedThenOffline(*a));
    EXPECT_TRUE(Sync(*a).status().IsClientResetRequired());
    EXPECT_TRUE(Pending(*a).has_value());
    return a;
  }
  // What a crash right after the snapshot's rename leaves: a complete
  // snapshot under the pending reset's id, the record still at kDetected.
  RecoverySnapshot SnapshotOfThePendingReset(const Database& a) {
    std::optional<PendingClientReset> p = Pending(a);
    EXPECT_TRUE(p.has_value());
    RecoverySnapshotOptions o;
    o.reason = p->reason;
    o.recovery_id = p->recovery_id;
    Result<RecoverySnapshot> snap = CreateRecoverySnapshot(a, p->recovery_root, o);
    EXPECT_TRUE(snap.ok()) << snap.status().ToString();
    return snap.ok() ? *snap : RecoverySnapshot{};
  }
  // The pending reset did not go past its first step and the local data is
  // as it was.
  void ExpectNotWiped(const Database& a) {
    std::optional<PendingClientReset> p = Pending(a);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->step, ClientResetStep::kDetected);
    EXPECT_EQ(Total(a), 11);
    EXPECT_TRUE(a.Get("c", "offline").ok());
  }
  // Replaces the pending record of the closed database "a" by `bytes`.
  void PlantRecord(const std::string& bytes) {
    std::string error;
    auto raw = RawRocks::Open(DbPath("a"), &error);
    ASSERT_NE(raw, nullptr) << error;
    ASSERT_TRUE(raw->Put("meta", "client_reset", bytes).ok());
  }
  std::string RecordBytes() {
    std::string error;
    auto raw = RawRocks::Open(DbPath("a"), &error);
    EXPECT_NE(raw, nullptr) << error;
    std::optional<std::string> v = raw ? raw->Get("meta", "client_reset") : std::nullopt;
    EXPECT_TRUE(v.has_value());
    return v.value_or("");
  }
  // A damaged record is reported as corruption naming it, by Open (which
  // resumes pending resets) and by GetPendingClientReset on a read-only open.
  void ExpectRecordCorruption() {
    {
      Result<std::unique_ptr<Database>> rw = Database::Open(DbPath("a"), Options{});
      EXPECT_TRUE(HasError(rw.status(), StatusCode::kCorruption, {"client_reset"}));
    }
    {
      Options strategy;
      strategy.client_reset = RecoverUnsyncedChanges();
      Result<std::unique_ptr<Database>> rw = Database::Open(DbPath("a"), strategy);
      EXPECT_TRUE(HasError(rw.status(), StatusCode::kCorruption, {"client_reset"}));
    }
    Options ro;
    ro.read_only = true;
    Result<std::unique_ptr<Database>> db = Database::Open(DbPath("a"), ro);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_TRUE(
        HasError(GetPendingClientReset(**db).status(), StatusCode::kCorruption, {"client_reset"}));
    EXPECT_TRUE(Snapshots("a").empty());
  }
};

TEST_F(BadInput, ExecutingWithNothingPendingIsAFailedPrecondition) {
  auto a = Open("a");
  Commit(*a, "k", 1);
  Result<RecoverySnapshot> snap = ExecuteClientReset(*a);
  EXPECT_TRUE(HasError(snap.status(), StatusCode::kFailedPrecondition,
                       {"no client reset is pending", DbPath("a")}));
  EXPECT_FALSE(fs::exists(RecoveryRoot("a")));
  EXPECT_EQ(Total(*a), 1);
}

TEST_F(BadInput, ATruncatedManifestOfThePendingSnapshotStopsTheResetBeforeTheWipe) {
  auto a = PendingReset();
  RecoverySnapshot snap = SnapshotOfThePendingReset(*a);
  const std::string manifest = snap.path + "/MANIFEST";
  std::string bytes = ReadFile(manifest);
  ASSERT_GT(bytes.size(), 8u);
  bytes.resize(bytes.size() / 2);
  WriteFile(manifest, bytes);
  Result<RecoverySnapshot> executed = ExecuteClientReset(*a);
  EXPECT_TRUE(HasError(executed.status(), StatusCode::kCorruption, {manifest}));
  ExpectNotWiped(*a);
  // Nothing deleted: the damaged snapshot is left for a person to look at.
  EXPECT_EQ(ReadFile(manifest), bytes);
  EXPECT_TRUE(fs::is_directory(snap.db_path));
}

TEST_F(BadInput, ATamperedManifestFailsTheResumeAtOpenAndWipesNothing) {
  auto a = PendingReset();
  RecoverySnapshot snap = SnapshotOfThePendingReset(*a);
  const std::string manifest = snap.path + "/MANIFEST";
  std::string bytes = ReadFile(manifest);
  bytes[bytes.size() / 2] ^= 0x20;
  WriteFile(manifest, bytes);
  a.reset();
  // Manual runs a pending reset at open: it meets the damaged manifest.
  Options manual;
  manual.client_reset = ManualRecoveryStrategy([](SyncSession*, ClientResetRequiredError&) {});
  Result<std::unique_ptr<Database>> opened = Database::Open(DbPath("a"), manual);
  EXPECT_TRUE(HasError(opened.status(), StatusCode::kCorruption, {manifest, "checksum"}));
  a = Open("a");
  ASSERT_NE(a, nullptr);
  ExpectNotWiped(*a);
  EXPECT_EQ(ReadFile(manifest), bytes);
  EXPECT_TRUE(fs::is_directory(snap.db_path));
}

// After the wipe the snapshot holds the only copy of the diverged ops: a
// manifest damaged then stops the replay with an error, the record stays and
// the snapshot is not touched.
TEST_F(BadInput, ATamperedManifestAfterTheWipeStopsTheReplayAndKeepsTheSnapshot) {
  auto a = PendingReset();
  Result<RecoverySnapshot> snap = ExecuteClientReset(*a);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  a.reset();
  const std::string manifest = snap->path + "/MANIFEST";
  std::string bytes = ReadFile(manifest);
  bytes[bytes.size() - 1] ^= 0x01;
  WriteFile(manifest, bytes);
  a = Open("a", RecoverUnsyncedChanges());
  ASSERT_NE(a, nullptr);
  Result<SyncReport> r = Sync(*a);
  EXPECT_TRUE(HasError(r.status(), StatusCode::kCorruption, {manifest}));
  std::optional<PendingClientReset> p = Pending(*a);
  ASSERT_TRUE(p.has_value());
  EXPECT_GE(p->step, ClientResetStep::kWiped);
  EXPECT_EQ(ReadFile(manifest), bytes);
  EXPECT_TRUE(fs::is_directory(snap->db_path));
  // The diverged op is still in the snapshot's database.
  Options ro;
  ro.read_only = true;
  ro.create_if_missing = false;
  Result<std::unique_ptr<Database>> copy = Database::Open(snap->db_path, ro);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_TRUE((*copy)->Get("c", "offline").ok());
}

TEST_F(BadInput, ALeftoverTmpFromACrashMidSnapshotIsCleanedAndRedone) {
  auto a = PendingReset();
  std::optional<PendingClientReset> p = Pending(*a);
  ASSERT_TRUE(p.has_value());
  const fs::path tmp = fs::path(p->recovery_root) / (p->recovery_id + ".tmp");
  fs::create_directories(tmp / "db");
  WriteFile((tmp / "db" / "000007.sst").string(), "half a checkpoint");
  Result<RecoverySnapshot> snap = ExecuteClientReset(*a);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_EQ(snap->manifest.recovery_id, p->recovery_id);
  EXPECT_EQ(snap->manifest.diverged_entries, 1u);
  std::vector<RecoverySnapshot> snaps = Snapshots("a");
  ASSERT_EQ(snaps.size(), 1u);
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Total(*a), 1);
  LocalWinsPolicy policy;
  ASSERT_TRUE(Replay(snaps[0], *a, policy, {}).ok());
  EXPECT_EQ(Total(*a), 11);
}

// A crash after the snapshot's rename, then a commit: the snapshot is stale.
// Taking it again (the next attempt, which crashes too before it records
// anything) replaces it under the pending reset's id, so the reset that
// finally runs leaves one snapshot and its replay applies each diverged
// transaction once. Under a new id, the second attempt left a complete
// snapshot no record named beside the one the reset took: both listed,
// both replayed, +1000 applied twice.
TEST_F(BadInput, AStaleSnapshotOfAPendingResetIsReplacedUnderItsId) {
  auto a = PendingReset();
  std::optional<PendingClientReset> p = Pending(*a);
  ASSERT_TRUE(p.has_value());
  SnapshotOfThePendingReset(*a);
  Commit(*a, "later", 1000);
  RecoverySnapshot again = SnapshotOfThePendingReset(*a);
  EXPECT_EQ(again.manifest.recovery_id, p->recovery_id);
  EXPECT_EQ(again.manifest.diverged_entries, 2u);
  EXPECT_FALSE(fs::exists(fs::path(p->recovery_root) / (p->recovery_id + ".tmp")));

  Result<RecoverySnapshot> snap = ExecuteClientReset(*a);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  std::vector<RecoverySnapshot> snaps = Snapshots("a");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].manifest.recovery_id, p->recovery_id);
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Total(*a), 1);
  LocalWinsPolicy policy;
  for (const RecoverySnapshot& s : snaps) ASSERT_TRUE(Replay(s, *a, policy, {}).ok());
  EXPECT_EQ(Total(*a), 1011);
}

TEST_F(BadInput, ALeftoverTmpIsCleanedWhenAnAutomaticResetResumesAtOpen) {
  auto a = PendingReset();
  std::optional<PendingClientReset> p = Pending(*a);
  ASSERT_TRUE(p.has_value());
  a.reset();
  const fs::path tmp = fs::path(p->recovery_root) / (p->recovery_id + ".tmp");
  fs::create_directories(tmp / "db");
  WriteFile((tmp / "db" / "CURRENT").string(), "MANIFEST-000001\n");
  a = Open("a", RecoverUnsyncedChanges());
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(fs::exists(tmp));
  ASSERT_EQ(Snapshots("a").size(), 1u);
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Total(*a), 11);
  EXPECT_FALSE(Pending(*a).has_value());
}

TEST_F(BadInput, AGarbageClientResetRecordIsCorruptionNamingIt) {
  PendingReset().reset();
  std::string good = RecordBytes();
  PlantRecord("this is not a client reset record");
  ExpectRecordCorruption();
  // Nothing was lost: with the record repaired the reset goes on.
  PlantRecord(good);
  auto a = Open("a");
  ASSERT_NE(a, nullptr);
  ExpectNotWiped(*a);
}

TEST_F(BadInput, TruncatedAndEmptyClientResetRecordsAreCorruption) {
  PendingReset().reset();
  std::string good = RecordBytes();
  // (Not the last byte alone: it may be padding no field refers to.)
  for (size_t size : {size_t{0}, size_t{4}, good.size() / 2}) {
    SCOPED_TRACE(size);
    PlantRecord(good.substr(0, size));
    ExpectRecordCorruption();
  }
}

// A flipped byte either still decodes or is corruption; reading it never
// crashes (run under the sanitizers in CI). A sample of positions across the
// record: client_reset_record_fuzzer covers the decoder byte by byte.
TEST_F(BadInput, FlippedBytesInTheClientResetRecordNeverCrash) {
  PendingReset().reset();
  std::string good = RecordBytes();
  Options ro;
  ro.read_only = true;
  const size_t stride = std::max<size_t>(1, good.size() / 16);
  for (size_t i = 0; i < good.size(); i += stride) {
    std::string bad = good;
    bad[i] ^= 0xff;
    PlantRecord(bad);
    Result<std::unique_ptr<Database>> db = Database::Open(DbPath("a"), ro);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Status s = GetPendingClientReset(**db).status();
    EXPECT_TRUE(s.ok() || s.IsCorruption()) << "byte " << i << ": " << s.ToString();
  }
}

// A record whose recovery id climbs out of the recovery root must not make
// the reset delete or write outside it.
TEST_F(BadInput, ARecoveryIdWithAPathIsCorruptionNotATraversal) {
  auto a = PendingReset();
  std::string id = Pending(*a)->recovery_id;
  a.reset();
  std::string record = RecordBytes();
  size_t at = record.find(id);
  ASSERT_NE(at, std::string::npos);
  std::string hostile = "../" + std::string(id.size() - 3, 'v');
  record.replace(at, id.size(), hostile);
  PlantRecord(record);
  const fs::path victim = fs::path(dir_.path()) / (std::string(id.size() - 3, 'v') + ".tmp");
  fs::create_directories(victim);
  WriteFile((victim / "keep").string(), "not the reset's to delete");
  ExpectRecordCorruption();
  EXPECT_TRUE(fs::exists(victim / "keep"));
}

}  // namespace
}  // namespace journaldb
