// The recovery-directory lifecycle (journaldb/recovery_directory.h) against
// real snapshots: listing, opening, verifying and garbage collection.
#include "journaldb/recovery_directory.h"

#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <fstream>

#include "journaldb/engine/client_reset_record.h"
#include "journaldb/recovery/manifest_codec.h"
#include "journaldb/recovery/recovery_gc_plan.h"
#include "journaldb/replayer.h"
#include "local_and_live.h"

namespace journaldb {
namespace {

namespace fs = boost::filesystem;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

class RecoveryDirectoryTest : public testing::LocalAndLiveTest {
 protected:
  void SetUp() override {
    LocalAndLiveTest::SetUp();
    root_ = dir_.Sub("recovery");
  }
  // One more diverged transaction in local_.
  void CommitLocal(int n) {
    Commit(*local_, {Operation::Upsert("tasks", "t" + std::to_string(n), {{"n", Value::Int(n)}})});
  }
  void ReplayAll(const RecoverySnapshot& s) {
    LocalWinsPolicy policy;
    Result<ReplayReport> r = Replay(s, *live_, policy, {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->complete);
  }
  std::vector<RecoverySnapshot> FourSnapshots() {
    std::vector<RecoverySnapshot> out;
    for (int i = 0; i < 4; ++i) {
      CommitLocal(i);
      out.push_back(Snapshot());
    }
    return out;
  }

  std::string root_;
};

TEST(DefaultRecoveryRoot, IsTheSiblingDirectoryIgnoringTrailingSlashes) {
  EXPECT_EQ(DefaultRecoveryRoot("/data/app.db"), "/data/app.db.recovery");
  EXPECT_EQ(DefaultRecoveryRoot("/data/app.db//"), "/data/app.db.recovery");
  EXPECT_EQ(DefaultRecoveryRoot("app.db"), "app.db.recovery");
}

// ---------------------------------------------------------------------------
// ListRecoveryDirectory

TEST_F(RecoveryDirectoryTest, AMissingRootListsNothing) {
  Result<RecoveryDirectoryListing> l = ListRecoveryDirectory(dir_.Sub("nothing-here"));
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_TRUE(l->snapshots.empty());
  EXPECT_TRUE(l->incomplete.empty());
  EXPECT_TRUE(l->unreadable.empty());
}

TEST_F(RecoveryDirectoryTest, ARootThatIsAFileIsAFailedPrecondition) {
  WriteBytes(root_, "not a directory");
  Result<RecoveryDirectoryListing> l = ListRecoveryDirectory(root_);
  EXPECT_TRUE(l.status().IsFailedPrecondition()) << l.status().ToString();
  EXPECT_TRUE(Contains(l.status().message(), root_));
}

TEST_F(RecoveryDirectoryTest, ListsCompleteOldestFirstAndReportsLeftoversAndDamage) {
  std::vector<RecoverySnapshot> made = FourSnapshots();
  fs::create_directories(root_ + "/20260101T000000Z-0badf00d.tmp/db");
  fs::create_directories(root_ + "/not-a-snapshot");
  WriteBytes(root_ + "/notes.txt", "a stray file");
  // A snapshot whose manifest lost its last bytes.
  const std::string damaged = made[1].path;
  const std::string manifest = damaged + "/MANIFEST";
  const std::string bytes = ReadBytes(manifest);
  WriteBytes(manifest, bytes.substr(0, bytes.size() - 5));

  Result<RecoveryDirectoryListing> l = ListRecoveryDirectory(root_);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_EQ(l->snapshots.size(), 3u);
  EXPECT_EQ(l->snapshots[0].manifest, made[0].manifest);
  EXPECT_EQ(l->snapshots[1].manifest, made[2].manifest);
  EXPECT_EQ(l->snapshots[2].manifest, made[3].manifest);
  ASSERT_EQ(l->incomplete.size(), 1u);
  EXPECT_EQ(l->incomplete[0], root_ + "/20260101T000000Z-0badf00d.tmp");
  ASSERT_EQ(l->unreadable.size(), 2u);
  // Sorted by path: recovery ids start with a digit, before "not-a-snapshot".
  EXPECT_EQ(l->unreadable[0].path, damaged);
  EXPECT_TRUE(l->unreadable[0].status.IsCorruption()) << l->unreadable[0].status.ToString();
  EXPECT_TRUE(Contains(l->unreadable[0].status.message(), manifest));
  EXPECT_EQ(l->unreadable[1].path, root_ + "/not-a-snapshot");
  EXPECT_TRUE(l->unreadable[1].status.IsNotFound()) << l->unreadable[1].status.ToString();

  // The older call still refuses to skip the damage silently.
  EXPECT_TRUE(ListRecoverySnapshots(root_).status().IsCorruption());
}

TEST_F(RecoveryDirectoryTest, SnapshotsWithinOneSecondListInCreationOrder) {
  std::vector<RecoverySnapshot> made = FourSnapshots();
  Result<RecoveryDirectoryListing> l = ListRecoveryDirectory(root_);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  ASSERT_EQ(l->snapshots.size(), made.size());
  for (size_t i = 0; i < made.size(); ++i)
    EXPECT_EQ(l->snapshots[i].manifest.recovery_id, made[i].manifest.recovery_id) << i;
}

// ---------------------------------------------------------------------------
// OpenCompleteRecoverySnapshot

TEST_F(RecoveryDirectoryTest, OpenSaysWhatAPathIsWhenItIsNoCompleteSnapshot) {
  CommitLocal(1);
  RecoverySnapshot s = Snapshot();
  const std::string file = dir_.Sub("a-file");
  WriteBytes(file, "hello");
  const std::string tmp = root_ + "/20260101T000000Z-0badf00d.tmp";
  fs::create_directories(tmp + "/db");
  fs::create_directories(dir_.Sub("empty"));
  struct Case {
    std::string path;
    StatusCode code;
    std::string message;
  };
  const Case cases[] = {
      {dir_.Sub("missing"), StatusCode::kNotFound, "no recovery snapshot at"},
      {file, StatusCode::kFailedPrecondition, "not a directory"},
      {tmp, StatusCode::kFailedPrecondition, "is an incomplete recovery snapshot"},
      {dir_.Sub("local"), StatusCode::kFailedPrecondition, "is a database"},
      {root_, StatusCode::kFailedPrecondition, "holds recovery snapshots but is not one"},
      {dir_.Sub("empty"), StatusCode::kNotFound, "no MANIFEST"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    Result<RecoverySnapshot> r = OpenCompleteRecoverySnapshot(c.path);
    EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
    EXPECT_TRUE(Contains(r.status().message(), c.path)) << r.status().ToString();
    EXPECT_TRUE(Contains(r.status().message(), c.message)) << r.status().ToString();
  }
  Result<RecoverySnapshot> ok = OpenCompleteRecoverySnapshot(s.path + "//");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->manifest, s.manifest);
  EXPECT_TRUE(LooksLikeRecoverySnapshot(s.path));
  EXPECT_TRUE(LooksLikeRecoverySnapshot(tmp));
  EXPECT_FALSE(LooksLikeRecoverySnapshot(dir_.Sub("local")));
  EXPECT_FALSE(LooksLikeRecoverySnapshot(root_));
  EXPECT_TRUE(IsRecoveryRoot(root_));
  EXPECT_FALSE(IsRecoveryRoot(s.path));
  EXPECT_FALSE(IsRecoveryRoot(dir_.Sub("local")));
}

// ---------------------------------------------------------------------------
// VerifyRecoverySnapshot

TEST_F(RecoveryDirectoryTest, VerifyOfAnIntactSnapshotChecksTheDatabaseAndTheDivergedRange) {
  for (int i = 0; i < 3; ++i) CommitLocal(i);
  RecoverySnapshot s = Snapshot();
  Result<RecoverySnapshotReport> r = VerifyRecoverySnapshot(s.path, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok()) << r->problems.front();
  EXPECT_EQ(r->snapshot.manifest, s.manifest);
  EXPECT_EQ(r->entries_checked, 3u);
  EXPECT_EQ(r->objects_checked, 3u);
  EXPECT_EQ(r->diverged_entries, 3u);
  EXPECT_EQ(r->diverged_ops, 3u);

  RecoverySnapshotVerifyOptions range_only;
  range_only.check_database = false;
  Result<RecoverySnapshotReport> quick = VerifyRecoverySnapshot(s.path, range_only);
  ASSERT_TRUE(quick.ok()) << quick.status().ToString();
  EXPECT_TRUE(quick->ok());
  EXPECT_EQ(quick->entries_checked, 0u);
  EXPECT_EQ(quick->diverged_entries, 3u);
}

TEST_F(RecoveryDirectoryTest, VerifyOfATamperedManifestIsCorruptionNamingIt) {
  CommitLocal(1);
  RecoverySnapshot s = Snapshot();
  const std::string manifest = s.path + "/MANIFEST";
  std::string bytes = ReadBytes(manifest);
  bytes[bytes.size() - 3] ^= 0x5a;
  WriteBytes(manifest, bytes);
  Result<RecoverySnapshotReport> r = VerifyRecoverySnapshot(s.path, {});
  EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), manifest)) << r.status().ToString();
}

TEST_F(RecoveryDirectoryTest, VerifyOfATruncatedManifestIsCorruptionNamingIt) {
  CommitLocal(1);
  RecoverySnapshot s = Snapshot();
  const std::string manifest = s.path + "/MANIFEST";
  WriteBytes(manifest, ReadBytes(manifest).substr(0, 10));
  Result<RecoverySnapshotReport> r = VerifyRecoverySnapshot(s.path, {});
  EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), manifest)) << r.status().ToString();
}

TEST_F(RecoveryDirectoryTest, VerifyOfAMissingCheckpointIsNotFoundNamingIt) {
  CommitLocal(1);
  RecoverySnapshot s = Snapshot();
  fs::remove_all(s.db_path);
  Result<RecoverySnapshotReport> r = VerifyRecoverySnapshot(s.path, {});
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), s.db_path)) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "has no database")) << r.status().ToString();
}

TEST_F(RecoveryDirectoryTest, VerifyOfACheckpointThatDoesNotOpenNamesTheSnapshot) {
  CommitLocal(1);
  RecoverySnapshot s = Snapshot();
  // RocksDB's CURRENT names the checkpoint's own manifest; cut it short.
  WriteBytes(s.db_path + "/CURRENT", "MANI");
  Result<RecoverySnapshotReport> r = VerifyRecoverySnapshot(s.path, {});
  EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "recovery snapshot " + s.path))
      << r.status().ToString();
}

TEST_F(RecoveryDirectoryTest, VerifyReportsEachWayTheDatabaseDisagreesWithTheManifest) {
  for (int i = 0; i < 3; ++i) CommitLocal(i);
  RecoverySnapshot s = Snapshot();
  // A manifest that verifies but promises more than the checkpoint holds.
  RecoveryManifest m = s.manifest;
  m.last_diverged_lsn += 1;
  m.diverged_entries += 1;
  m.diverged_ops += 2;
  m.upload_cursor += 7;
  fs::remove(s.path + "/MANIFEST");
  WriteBytes(s.path + "/MANIFEST", recovery::EncodeManifest(m));

  RecoverySnapshotVerifyOptions range_only;
  range_only.check_database = false;
  for (const RecoverySnapshotVerifyOptions& options :
       {RecoverySnapshotVerifyOptions{}, range_only}) {
    Result<RecoverySnapshotReport> r = VerifyRecoverySnapshot(s.path, options);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->ok());
    const std::vector<std::string> expected = {
        "manifest says upload cursor 7, the snapshot database has 0",
        "diverged lsn 4 is missing from the journal",
        "manifest counts 4 diverged entries, the journal holds 3",
        "manifest counts 5 diverged ops, the journal holds 3",
    };
    EXPECT_EQ(r->problems, expected);
  }
}

// ---------------------------------------------------------------------------
// GarbageCollectRecoverySnapshots

// The policy alone, over every state.
std::vector<bool> Decide(const std::vector<RecoveryGcState>& states, uint64_t keep) {
  std::vector<RecoveryGcEntry> entries;
  for (RecoveryGcState s : states) entries.push_back({"p", s, /*remove=*/!keep});
  recovery::DecideRecoveryGc(entries, keep);
  std::vector<bool> out;
  for (const RecoveryGcEntry& e : entries) out.push_back(e.remove);
  return out;
}

TEST(RecoveryGcPlan, RemovesIncompleteAndAllButTheNewestKeptReplayed) {
  using S = RecoveryGcState;
  const std::vector<S> states = {S::kIncomplete,    S::kFullyReplayed,        S::kNotFullyReplayed,
                                 S::kFullyReplayed, S::kNeededByPendingReset, S::kFullyReplayed};
  EXPECT_EQ(Decide(states, 0), (std::vector<bool>{true, true, false, true, false, true}));
  EXPECT_EQ(Decide(states, 1), (std::vector<bool>{true, true, false, true, false, false}));
  EXPECT_EQ(Decide(states, 2), (std::vector<bool>{true, true, false, false, false, false}));
  EXPECT_EQ(Decide(states, 3), (std::vector<bool>{true, false, false, false, false, false}));
  EXPECT_EQ(Decide(states, 100), (std::vector<bool>{true, false, false, false, false, false}));
}

std::vector<bool> Exist(const std::vector<RecoverySnapshot>& snapshots) {
  std::vector<bool> out;
  for (const RecoverySnapshot& s : snapshots) out.push_back(fs::exists(s.path));
  return out;
}

TEST_F(RecoveryDirectoryTest, GcRemovesIncompleteAndOlderReplayedAndKeepsTheRest) {
  std::vector<RecoverySnapshot> s = FourSnapshots();
  // 0, 1 and 3 are replayed; 2 is not.
  ReplayAll(s[0]);
  ReplayAll(s[1]);
  ReplayAll(s[3]);
  const std::string tmp = root_ + "/20260101T000000Z-0badf00d.tmp";
  fs::create_directories(tmp + "/db");

  std::vector<std::string> reported;
  RecoveryGcOptions options;
  options.on_removed = [&](const RecoveryGcEntry& e) { reported.push_back(e.path); };
  Result<RecoveryGcReport> r = GarbageCollectRecoverySnapshots(*live_, root_, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->removed, 3u);
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_EQ(Exist(s), (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ(reported, (std::vector<std::string>{tmp, s[0].path, s[1].path}));
  // Nothing is left half-deleted under a .tmp name.
  EXPECT_FALSE(fs::exists(s[0].path + ".tmp"));
  ASSERT_EQ(r->entries.size(), 5u);
  const std::pair<RecoveryGcState, bool> expected[] = {
      {RecoveryGcState::kIncomplete, true},     {RecoveryGcState::kFullyReplayed, true},
      {RecoveryGcState::kFullyReplayed, true},  {RecoveryGcState::kNotFullyReplayed, false},
      {RecoveryGcState::kFullyReplayed, false},
  };
  for (size_t i = 0; i < r->entries.size(); ++i) {
    EXPECT_EQ(r->entries[i].state, expected[i].first) << i;
    EXPECT_EQ(r->entries[i].remove, expected[i].second) << i;
  }
}

TEST_F(RecoveryDirectoryTest, GcKeepsTheNewestNReplayed) {
  std::vector<RecoverySnapshot> s = FourSnapshots();
  for (const RecoverySnapshot& snap : s) ReplayAll(snap);
  RecoveryGcOptions keep_two;
  keep_two.keep_fully_replayed = 2;
  Result<RecoveryGcReport> r = GarbageCollectRecoverySnapshots(*live_, root_, keep_two);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Exist(s), (std::vector<bool>{false, false, true, true}));

  RecoveryGcOptions keep_none;
  keep_none.keep_fully_replayed = 0;
  r = GarbageCollectRecoverySnapshots(*live_, root_, keep_none);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->removed, 2u);
  EXPECT_EQ(Exist(s), (std::vector<bool>{false, false, false, false}));
}

TEST_F(RecoveryDirectoryTest, GcDryRunDecidesButRemovesNothing) {
  std::vector<RecoverySnapshot> s = FourSnapshots();
  for (const RecoverySnapshot& snap : s) ReplayAll(snap);
  RecoveryGcOptions options;
  options.dry_run = true;
  options.on_removed = [](const RecoveryGcEntry& e) { ADD_FAILURE() << "removed " << e.path; };
  Result<RecoveryGcReport> r = GarbageCollectRecoverySnapshots(*live_, root_, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->removed, 0u);
  EXPECT_EQ(Exist(s), (std::vector<bool>{true, true, true, true}));
  uint64_t would_remove = 0;
  for (const RecoveryGcEntry& e : r->entries) would_remove += e.remove ? 1 : 0;
  EXPECT_EQ(would_remove, 3u);
}

TEST_F(RecoveryDirectoryTest, GcNeverRemovesWhatThePendingResetNeeds) {
  std::vector<RecoverySnapshot> s = FourSnapshots();
  for (const RecoverySnapshot& snap : s) ReplayAll(snap);
  // A reset that crashed after its replay, before it recorded its end.
  PendingClientReset pending;
  pending.step = ClientResetStep::kReady;
  pending.reason = "unknown-client";
  pending.recovery_id = s[1].manifest.recovery_id;
  pending.recovery_root = root_;
  ASSERT_TRUE(WriteClientResetRecord(*live_, pending).ok());
  RecoveryGcOptions keep_none;
  keep_none.keep_fully_replayed = 0;
  Result<RecoveryGcReport> r = GarbageCollectRecoverySnapshots(*live_, root_, keep_none);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Exist(s), (std::vector<bool>{false, true, false, false}));
  ASSERT_EQ(r->entries.size(), 4u);
  EXPECT_EQ(r->entries[1].state, RecoveryGcState::kNeededByPendingReset);
}

TEST_F(RecoveryDirectoryTest, GcKeepsTheSnapshotAPendingResetIsBuilding) {
  CommitLocal(1);
  RecoverySnapshot done = Snapshot();
  ReplayAll(done);
  PendingClientReset pending;
  pending.step = ClientResetStep::kDetected;
  pending.reason = "unknown-client";
  pending.recovery_id = "20260101T000000Z-00c0ffee";
  pending.recovery_root = root_;
  ASSERT_TRUE(WriteClientResetRecord(*live_, pending).ok());
  const std::string building = root_ + "/20260101T000000Z-00c0ffee.tmp";
  const std::string leftover = root_ + "/20260101T000000Z-0badf00d.tmp";
  fs::create_directories(building + "/db");
  fs::create_directories(leftover + "/db");
  Result<RecoveryGcReport> r = GarbageCollectRecoverySnapshots(*live_, root_, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(fs::exists(building));
  EXPECT_FALSE(fs::exists(leftover));
  EXPECT_TRUE(fs::exists(done.path));  // the newest replayed one
  ASSERT_EQ(r->entries.size(), 3u);
  EXPECT_EQ(r->entries[0].path, building);
  EXPECT_EQ(r->entries[0].state, RecoveryGcState::kNeededByPendingReset);
  EXPECT_FALSE(r->entries[0].remove);
}

TEST_F(RecoveryDirectoryTest, GcRemovesNothingWhenAManifestCannotBeRead) {
  std::vector<RecoverySnapshot> s = FourSnapshots();
  for (const RecoverySnapshot& snap : s) ReplayAll(snap);
  const std::string tmp = root_ + "/20260101T000000Z-0badf00d.tmp";
  fs::create_directories(tmp);
  fs::create_directories(root_ + "/not-a-snapshot");
  RecoveryGcOptions keep_none;
  keep_none.keep_fully_replayed = 0;
  Result<RecoveryGcReport> r = GarbageCollectRecoverySnapshots(*live_, root_, keep_none);
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), root_ + "/not-a-snapshot"));
  EXPECT_TRUE(fs::exists(tmp));
  EXPECT_EQ(Exist(s), (std::vector<bool>{true, true, true, true}));
}

}  // namespace
}  // namespace journaldb
