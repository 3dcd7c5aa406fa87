// End-to-end tests of the `journal` commands over recovery snapshots
// (snapshot, recoveries, info/verify RECOVERY, diff, export): each case runs
// the real program (JOURNAL_CLI_PATH) on databases and snapshots made through
// the public API, and checks stdout, stderr and the exit code (docs/cli.md,
// "Recovery snapshots").
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <fstream>
#include <regex>

#include "journaldb/database.h"
#include "journaldb/journal/layout.h"
#include "journaldb/recovery_snapshot.h"
#include "journal_cli_test.h"
#include "support/child_process.h"
#include "support/json_checker.h"
#include "journaldb/recovery/manifest_codec.h"
#include "support/raw_rocks.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

namespace fs = boost::filesystem;
using testing::Json;
using testing::ProcessResult;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Commit times differ per run; tests compare the rest of the text exactly.
std::string MaskTimes(const std::string& s) {
  static const std::regex kTime(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  return std::regex_replace(s, kTime, "TIME");
}

std::unique_ptr<Database> OpenDb(const std::string& path, bool read_only = false) {
  Options options;
  options.read_only = read_only;
  options.create_if_missing = !read_only;
  auto db = Database::Open(path, options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

void Commit(Database& db, std::vector<Operation> ops) {
  Transaction txn = db.BeginTransaction();
  for (Operation& op : ops) ASSERT_TRUE(txn.Write(std::move(op)).ok());
  ASSERT_TRUE(txn.Commit().ok());
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
  ASSERT_TRUE(f.good()) << path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

class RecoveryCli : public testing::JournalCliTest {
 protected:
  // Expects exit 1, stderr naming `path`, nothing on stdout, and under
  // --json exactly one error document.
  void ExpectBadInput(const std::vector<std::string>& args, const std::string& path,
                      const std::string& message) {
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, 1) << args.front() << " " << r.out << r.err;
    EXPECT_EQ(r.out, "") << args.front();
    EXPECT_TRUE(Contains(r.err, path)) << args.front() << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, message)) << args.front() << ": " << r.err;
    Json j = JournalJson(args, 1);
    EXPECT_TRUE(Contains(j["error"]["message"].string, path)) << args.front();
  }

  // The story the tests diff: six local transactions, none acknowledged,
  // against a server that holds tasks/t1 with a different `done`.
  //   lsn 1 upsert tasks/t1 done=false title="milk"  conflict (server created it)
  //   lsn 2 upsert tasks/t1 title="bread"            clean
  //   lsn 3 increment tasks/t2 views +1              clean
  //   lsn 4 upsert users/u1 name="ann"               clean
  //   lsn 5 upsert users/u1 name="bob"               gone (server has no u1)
  //   lsn 6 erase-object tasks/t1                    conflict (done changed)
  void MakeStory() {
    {
      std::unique_ptr<Database> local = OpenDb(local_);
      ASSERT_NE(local, nullptr);
      Commit(*local,
             {Operation::Upsert("tasks", "t1",
                                {{"title", Value::String("milk")}, {"done", Value::Bool(false)}})});
      Commit(*local, {Operation::Upsert("tasks", "t1", {{"title", Value::String("bread")}})});
      Commit(*local, {Operation::Increment("tasks", "t2", "views", 1)});
      Commit(*local, {Operation::Upsert("users", "u1", {{"name", Value::String("ann")}})});
      Commit(*local, {Operation::Upsert("users", "u1", {{"name", Value::String("bob")}})});
      Commit(*local, {Operation::EraseObject("tasks", "t1")});
    }
    std::unique_ptr<Database> live = OpenDb(live_);
    ASSERT_NE(live, nullptr);
    Commit(*live,
           {Operation::Upsert("tasks", "t1",
                              {{"title", Value::String("milk")}, {"done", Value::Bool(true)}})});
  }

  // A snapshot of the local database taken through the API.
  RecoverySnapshot TakeSnapshot(const std::string& root, const std::string& reason = "test") {
    std::unique_ptr<Database> local = OpenDb(local_);
    EXPECT_NE(local, nullptr);
    Result<RecoverySnapshot> snap = CreateRecoverySnapshot(*local, root, reason);
    EXPECT_TRUE(snap.ok()) << snap.status().ToString();
    return snap.ok() ? std::move(snap).value() : RecoverySnapshot{};
  }

  // A copy of `snap` under another root, so a test can damage it.
  std::string CopySnapshot(const RecoverySnapshot& snap, const std::string& root) {
    fs::create_directories(root);
    std::string copy = root + "/" + snap.manifest.recovery_id;
    fs::copy(snap.path, copy, fs::copy_options::recursive);
    return copy;
  }

  // Rewrites the snapshot's MANIFEST with a valid checksum: a manifest that
  // reads fine but disagrees with the snapshot.
  void RewriteManifest(const std::string& snapshot_dir, RecoveryManifest m) {
    WriteFile(snapshot_dir + "/MANIFEST", recovery::EncodeManifest(m));
  }

  testing::TempDir dir_;
  const std::string local_ = dir_.Sub("local.db");
  const std::string live_ = dir_.Sub("live.db");
  const std::string default_root_ = local_ + ".recovery";
};

TEST_F(RecoveryCli, SnapshotPrintsPathAndManifestUnderTheDefaultRoot) {
  MakeStory();
  ProcessResult r = Journal({"snapshot", local_, "--reason", "before migration"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  Result<std::vector<RecoverySnapshot>> listed = ListRecoverySnapshots(default_root_);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  const RecoverySnapshot& s = listed->front();
  EXPECT_EQ(s.manifest.reason, "before migration");
  EXPECT_EQ(s.manifest.diverged_entries, 6u);
  EXPECT_EQ(MaskTimes(r.out), "created recovery snapshot " + s.path +
                                  "\n"
                                  "path             " +
                                  s.path +
                                  "\n"
                                  "recovery id      " +
                                  s.manifest.recovery_id +
                                  "\n"
                                  "reason           \"before migration\"\n"
                                  "created          TIME\n"
                                  "original path    " +
                                  s.manifest.original_path +
                                  "\n"
                                  "old client id    0\n"
                                  "old epoch        0\n"
                                  "download cursor  0\n"
                                  "upload cursor    0\n"
                                  "diverged lsns    1-6\n"
                                  "diverged entries 6\n"
                                  "diverged ops     6\n"
                                  "product version  " +
                                  s.manifest.product_version + "\n");
  EXPECT_TRUE(fs::is_directory(s.db_path));
}

TEST_F(RecoveryCli, SnapshotJsonHonoursRecoveryRootAndDefaultReason) {
  MakeStory();
  const std::string root = dir_.Sub("elsewhere");
  Json j = JournalJson({"snapshot", local_, "--recovery-root", root});
  const Json& m = j["recovery_snapshot"];
  EXPECT_EQ(m["reason"].string, "manual");
  EXPECT_TRUE(m["path"].string.starts_with(root + "/")) << m["path"].string;
  EXPECT_EQ(m["path"].string, root + "/" + m["recovery_id"].string);
  EXPECT_EQ(m["first_diverged_lsn"].number, "1");
  EXPECT_EQ(m["last_diverged_lsn"].number, "6");
  EXPECT_EQ(m["diverged_entries"].number, "6");
  EXPECT_EQ(m["diverged_ops"].number, "6");
  EXPECT_EQ(m["upload_cursor"].number, "0");
  EXPECT_TRUE(m["created_time"].string.ends_with("Z"));
  EXPECT_TRUE(fs::exists(m["path"].string + "/MANIFEST"));
  EXPECT_FALSE(fs::exists(default_root_));
}

TEST_F(RecoveryCli, SnapshotNeverCreatesADatabaseAndFailsWhileItIsHeld) {
  ExpectBadInput({"snapshot", local_}, local_, "no database at");
  EXPECT_FALSE(fs::exists(local_));
  EXPECT_FALSE(fs::exists(default_root_));

  MakeStory();
  std::unique_ptr<Database> held = OpenDb(local_);
  ASSERT_NE(held, nullptr);
  ProcessResult r = Journal({"snapshot", local_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("journal: busy: ")) << r.err;
}

TEST_F(RecoveryCli, RecoveriesListsSnapshotsOldestFirstAndMentionsIncompleteOnes) {
  ProcessResult none = Journal({"recoveries", local_});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "no recovery snapshots in " + default_root_ + "\n");
  Json empty = JournalJson({"recoveries", local_});
  EXPECT_EQ(empty["recovery_root"].string, default_root_);
  EXPECT_TRUE(empty["snapshots"].is_array());
  EXPECT_TRUE(empty["snapshots"].items.empty());

  MakeStory();
  RecoverySnapshot first = TakeSnapshot(default_root_, "first");
  {
    std::unique_ptr<Database> local = OpenDb(local_);
    ASSERT_NE(local, nullptr);
    Commit(*local, {Operation::Upsert("tasks", "t3", {{"x", Value::Int(1)}})});
  }
  RecoverySnapshot second = TakeSnapshot(default_root_, "second \"quoted\"");
  const std::string leftover = default_root_ + "/20260101T000000Z-deadbeef.tmp";
  fs::create_directories(leftover + "/db");

  ProcessResult r = Journal({"recoveries", local_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(MaskTimes(r.out), "2 recovery snapshots in " + default_root_ + ", oldest first:\n" +
                                  first.manifest.recovery_id + "  TIME  reason \"first\"\n" +
                                  "    diverged lsns 1-6: 6 entries, 6 ops\n"
                                  "    path " +
                                  first.path + "\n" + second.manifest.recovery_id +
                                  "  TIME  reason \"second \\\"quoted\\\"\"\n"
                                  "    diverged lsns 1-7: 7 entries, 7 ops\n"
                                  "    path " +
                                  second.path +
                                  "\n"
                                  "incomplete (an interrupted snapshot; not deleted): " +
                                  leftover + "\n");
  EXPECT_TRUE(fs::exists(leftover)) << "recoveries must not delete anything";

  Json j = JournalJson({"recoveries", local_});
  ASSERT_EQ(j["snapshots"].items.size(), 2u);
  EXPECT_EQ(j["snapshots"][0]["recovery_id"].string, first.manifest.recovery_id);
  EXPECT_EQ(j["snapshots"][0]["path"].string, first.path);
  EXPECT_EQ(j["snapshots"][0]["reason"].string, "first");
  EXPECT_EQ(j["snapshots"][0]["database_present"].boolean, true);
  EXPECT_EQ(j["snapshots"][1]["reason"].string, "second \"quoted\"");
  EXPECT_EQ(j["snapshots"][1]["last_diverged_lsn"].number, "7");
  EXPECT_EQ(j["snapshots"][1]["diverged_ops"].number, "7");
  ASSERT_EQ(j["incomplete"].items.size(), 1u);
  EXPECT_EQ(j["incomplete"][0].string, leftover);
  EXPECT_TRUE(fs::exists(leftover));

  // --recovery-root reads another root; the DB argument is not opened.
  const std::string other = dir_.Sub("other-root");
  CopySnapshot(first, other);
  Json moved = JournalJson({"recoveries", dir_.Sub("no-such.db"), "--recovery-root", other});
  ASSERT_EQ(moved["snapshots"].items.size(), 1u);
  EXPECT_EQ(moved["snapshots"][0]["recovery_id"].string, first.manifest.recovery_id);
  EXPECT_TRUE(moved["incomplete"].items.empty());
}

TEST_F(RecoveryCli, RecoveriesFailsNamingADamagedSnapshotAndWarnsOfAMissingDatabase) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);
  fs::remove_all(s.db_path);
  ProcessResult r = Journal({"recoveries", local_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "    its database is missing: " + s.db_path + "\n")) << r.out;
  EXPECT_EQ(JournalJson({"recoveries", local_})["snapshots"][0]["database_present"].boolean, false);

  WriteFile(s.path + "/MANIFEST", "not a manifest at all");
  ExpectBadInput({"recoveries", local_}, s.path + "/MANIFEST", "not a recovery manifest");
}

TEST_F(RecoveryCli, InfoShowsTheManifestOfASnapshotAndDbInfoOtherwise) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_, "info test");
  ProcessResult r = Journal({"info", s.path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(MaskTimes(r.out), "path             " + s.path + "\n" + "recovery id      " +
                                  s.manifest.recovery_id + "\n" +
                                  "reason           \"info test\"\n"
                                  "created          TIME\n"
                                  "original path    " +
                                  s.manifest.original_path +
                                  "\n"
                                  "old client id    0\n"
                                  "old epoch        0\n"
                                  "download cursor  0\n"
                                  "upload cursor    0\n"
                                  "diverged lsns    1-6\n"
                                  "diverged entries 6\n"
                                  "diverged ops     6\n"
                                  "product version  " +
                                  s.manifest.product_version +
                                  "\n"
                                  "database         " +
                                  s.db_path +
                                  "\n"
                                  "last lsn         6\n"
                                  "journal entries  6\n"
                                  "objects          2\n");
  // A trailing slash names the same snapshot.
  EXPECT_EQ(Journal({"info", s.path + "/"}).out, r.out);

  Json j = JournalJson({"info", s.path});
  EXPECT_EQ(j["recovery_snapshot"]["recovery_id"].string, s.manifest.recovery_id);
  EXPECT_EQ(j["recovery_snapshot"]["reason"].string, "info test");
  EXPECT_EQ(j["recovery_snapshot"]["original_path"].string, s.manifest.original_path);
  EXPECT_EQ(j["recovery_snapshot"]["created_time_us"].number,
            std::to_string(s.manifest.created_time_us));
  EXPECT_EQ(j["database"]["path"].string, s.db_path);
  EXPECT_EQ(j["database"]["journal_entries"].number, "6");
  EXPECT_EQ(j["database"]["objects"].number, "2");

  Json db = JournalJson({"info", local_});
  EXPECT_EQ(db["path"].string, local_);
  EXPECT_EQ(db["last_lsn"].number, "6");
  EXPECT_FALSE(db.has("recovery_snapshot"));
}

TEST_F(RecoveryCli, EveryWriteToASnapshotDatabaseIsRefusedAndTheSnapshotStillVerifies) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"put", s.db_path, "tasks", "t9", "x=1"},
           {"del", s.db_path, "tasks", "t1"},
           {"incr", s.db_path, "tasks", "t1", "views", "1"},
           {"replay", s.path, s.db_path, "--policy", "local-wins"},
           {"reset", s.db_path},
           {"new-identity", s.db_path},
           {"sync", s.db_path, "--server", "127.0.0.1:1"}}) {
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, 1) << args.front() << ": " << r.err;
    EXPECT_NE(r.err.find("failed precondition: " + s.db_path), std::string::npos)
        << args.front() << ": " << r.err;
    EXPECT_NE(r.err.find("journal replay"), std::string::npos) << args.front() << ": " << r.err;
  }
  ProcessResult verify = Journal({"verify", s.path});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  // Reads of the snapshot's database keep working.
  ProcessResult ls = Journal({"ls", s.db_path});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out, "no collections\n");
  EXPECT_EQ(Journal({"log", s.db_path}).exit_code, 0);
  EXPECT_EQ(Journal({"export", s.path}).exit_code, 0);
}

TEST_F(RecoveryCli, ASnapshotWithoutTheReadOnlyMarkerIsRefusedByItsLayout) {
  // Snapshots written before the engine's marker existed.
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);
  ASSERT_TRUE(fs::remove(s.db_path + "/JOURNALDB-READ-ONLY"));
  ProcessResult r = Journal({"put", s.db_path, "tasks", "t9", "x=1"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("is the database of the recovery snapshot"), std::string::npos) << r.err;
  EXPECT_EQ(Journal({"verify", s.path}).exit_code, 0);
}

TEST_F(RecoveryCli, NoDatabaseIsWrittenInsideARecoveryRoot) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);
  const std::string inside = default_root_ + "/new.db";
  ProcessResult put = Journal({"put", inside, "tasks", "t1", "x=1"});
  EXPECT_EQ(put.exit_code, 1) << put.err;
  EXPECT_NE(put.err.find("inside the recovery root"), std::string::npos) << put.err;
  EXPECT_FALSE(fs::exists(inside));
  ProcessResult replay = Journal({"replay", s.path, inside, "--policy", "local-wins"});
  EXPECT_EQ(replay.exit_code, 1) << replay.err;
  EXPECT_NE(replay.err.find("inside the recovery root"), std::string::npos) << replay.err;
  EXPECT_FALSE(fs::exists(inside));
  EXPECT_EQ(Journal({"recoveries", local_}).exit_code, 0);
}

TEST_F(RecoveryCli, VerifyPassesAnIntactSnapshot) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);
  ProcessResult r = Journal({"verify", s.path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok: recovery snapshot " + s.path +
                       ": manifest, 6 journal entries, 2 objects and diverged lsns 1-6 (6 "
                       "entries, 6 ops) checked\n");
  Json j = JournalJson({"verify", s.path});
  EXPECT_EQ(j["ok"].boolean, true);
  EXPECT_EQ(j["recovery_snapshot"].string, s.path);
  EXPECT_EQ(j["recovery_id"].string, s.manifest.recovery_id);
  EXPECT_EQ(j["entries_checked"].number, "6");
  EXPECT_EQ(j["objects_checked"].number, "2");
  EXPECT_EQ(j["diverged_entries_checked"].number, "6");
  EXPECT_EQ(j["diverged_ops_checked"].number, "6");
  EXPECT_TRUE(j["problems"].items.empty());
}

TEST_F(RecoveryCli, VerifyNamesEachManifestMismatchAndExitsThree) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);

  struct Case {
    std::string name;
    void (*edit)(RecoveryManifest&);
    std::string problem;
  };
  const Case cases[] = {
      {"entry count", [](RecoveryManifest& m) { m.diverged_entries = 5; },
       "manifest counts 5 diverged entries, the journal holds 6"},
      {"op count", [](RecoveryManifest& m) { m.diverged_ops = 9; },
       "manifest counts 9 diverged ops, the journal holds 6"},
      {"range too long", [](RecoveryManifest& m) { m.last_diverged_lsn = 8; },
       "diverged lsns 7-8 are missing from the journal"},
      {"range too short", [](RecoveryManifest& m) { m.last_diverged_lsn = 5; },
       "journal entry lsn 6 follows the manifest's diverged range (which ends at lsn 5)"},
      {"range starts late",
       [](RecoveryManifest& m) {
         m.first_diverged_lsn = 3;
         m.diverged_entries = 4;
       },
       "journal entry lsn 1 is above the upload cursor 0 but outside the manifest's diverged "
       "range"},
      {"upload cursor", [](RecoveryManifest& m) { m.upload_cursor = 2; },
       "manifest says upload cursor 2, the snapshot database has 0"},
      {"epoch", [](RecoveryManifest& m) { m.old_epoch = 4; },
       "manifest says epoch 4, the snapshot database has 0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::TempDir copy_root;
    std::string copy = CopySnapshot(s, copy_root.path());
    RecoveryManifest m = s.manifest;
    c.edit(m);
    RewriteManifest(copy, m);
    ProcessResult r = Journal({"verify", copy});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_TRUE(Contains(r.out, "problem: " + c.problem + "\n")) << r.out;
    EXPECT_TRUE(Contains(r.out, "verification failed: recovery snapshot " + copy)) << r.out;
    Json j = JournalJson({"verify", copy}, 3);
    EXPECT_EQ(j["ok"].boolean, false);
    bool named = false;
    for (const Json& p : j["problems"].items) named = named || p.string == c.problem;
    EXPECT_TRUE(named) << c.problem;
  }
}

TEST_F(RecoveryCli, VerifyFindsAnEntryMissingFromTheSnapshotJournal) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);
  {
    std::string error;
    auto raw = testing::RawRocks::Open(s.db_path, &error);
    ASSERT_NE(raw, nullptr) << error;
    ASSERT_TRUE(raw->Delete(layout::kJournalFamily, layout::LsnKey(3)).ok());
  }
  ProcessResult r = Journal({"verify", s.path});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(Contains(r.out, "problem: diverged lsn 3 is missing from the journal\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "problem: manifest counts 6 diverged entries, the journal holds 5\n"))
      << r.out;
  // The engine's own check sees the gap too.
  EXPECT_TRUE(Contains(r.out, "problem: database: ")) << r.out;

  // export refuses before writing anything.
  ProcessResult e = Journal({"export", s.path});
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_EQ(e.out, "");
  EXPECT_TRUE(Contains(e.err, "does not match its manifest: diverged lsn 3 is missing")) << e.err;
  Json ej = JournalJson({"export", s.path}, 1);
  EXPECT_EQ(ej["error"]["code"].string, "corruption");

  // diff stops at the gap with an error naming the snapshot.
  ProcessResult d = Journal({"diff", s.path, live_});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_TRUE(Contains(d.err, s.path)) << d.err;
}

TEST_F(RecoveryCli, DiffShowsBaseLocalServerAndClassPerField) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);
  ProcessResult r = Journal({"diff", s.path, live_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(MaskTimes(r.out),
            "recovery snapshot " + s.path + " against " + live_ +
                ": diverged lsns 1-6\n"
                "lsn 1  TIME  [conflict]\n"
                "  upsert tasks/t1 done=false title=\"milk\"  [conflict]\n"
                "    done: absent (no object) -> false (server: true) [conflict]\n"
                "    title: absent (no object) -> \"milk\" (server: \"milk\") [same]\n"
                "lsn 2  TIME  [clean]\n"
                "  upsert tasks/t1 title=\"bread\"  [clean]\n"
                "    title: \"milk\" -> \"bread\" (server: \"milk\") [clean]\n"
                "lsn 3  TIME  [clean]\n"
                "  increment tasks/t2 views +1  [clean]\n"
                "    views: absent (no object) -> 1 (server: absent (no object)) [clean]\n"
                "lsn 4  TIME  [clean]\n"
                "  upsert users/u1 name=\"ann\"  [clean]\n"
                "    name: absent (no object) -> \"ann\" (server: absent (no object)) [clean]\n"
                "lsn 5  TIME  [gone]\n"
                "  upsert users/u1 name=\"bob\"  [gone]\n"
                "    name: \"ann\" -> \"bob\" (server: absent (no object)) [gone]\n"
                "    (the server deleted users/u1: local-wins recreates it with only the fields "
                "this op writes, server-wins skips the op)\n"
                "lsn 6  TIME  [conflict]\n"
                "  erase-object tasks/t1  [conflict]\n"
                "    done: false -> absent (no object) (server: true) [conflict]\n"
                "    title: \"bread\" -> absent (no object) (server: \"milk\") [conflict]\n"
                "6 transactions (3 clean, 0 same, 2 conflict, 1 gone), 6 ops (3 clean, 0 same, "
                "2 conflict, 1 gone); 0 done\n");
}

TEST_F(RecoveryCli, DiffJsonGivesTheFullStructure) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);
  Json j = JournalJson({"diff", s.path, live_});
  EXPECT_EQ(j["recovery_snapshot"]["recovery_id"].string, s.manifest.recovery_id);
  EXPECT_EQ(j["db"].string, live_);
  EXPECT_TRUE(j["only"].is_null());
  ASSERT_EQ(j["transactions"].items.size(), 6u);
  const Json& t1 = j["transactions"][0];
  EXPECT_EQ(t1["lsn"].number, "1");
  EXPECT_EQ(t1["class"].string, "conflict");
  EXPECT_TRUE(t1["commit_time"].string.ends_with("Z"));
  EXPECT_TRUE(t1["commit_time_us"].is_number());
  const Json& op = t1["ops"][0];
  EXPECT_EQ(op["class"].string, "conflict");
  EXPECT_EQ(op["op"]["kind"].string, "upsert");
  EXPECT_EQ(op["op"]["collection"].string, "tasks");
  EXPECT_EQ(op["op"]["fields"]["title"].string, "milk");
  const Json& done = op["fields"][0];
  EXPECT_EQ(done["field"].string, "done");
  EXPECT_EQ(done["class"].string, "conflict");
  EXPECT_FALSE(done.has("base")) << "an absent base has no member";
  EXPECT_EQ(done["local"].boolean, false);
  EXPECT_EQ(done["server"].boolean, true);
  EXPECT_EQ(done["base_object_existed"].boolean, false);
  EXPECT_EQ(done["server_object_exists"].boolean, true);

  const Json& gone = j["transactions"][4]["ops"][0]["fields"][0];
  EXPECT_EQ(gone["class"].string, "gone");
  EXPECT_EQ(gone["base"].string, "ann");
  EXPECT_EQ(gone["local"].string, "bob");
  EXPECT_FALSE(gone.has("server"));
  EXPECT_EQ(gone["server_object_exists"].boolean, false);

  const Json& erased = j["transactions"][5]["ops"][0];
  EXPECT_EQ(erased["op"]["kind"].string, "erase-object");
  ASSERT_EQ(erased["fields"].items.size(), 2u);
  EXPECT_FALSE(erased["fields"][1].has("local"));
  EXPECT_EQ(erased["fields"][1]["base"].string, "bread");

  const Json& summary = j["summary"];
  EXPECT_EQ(summary["transactions"]["total"].number, "6");
  EXPECT_EQ(summary["transactions"]["clean"].number, "3");
  EXPECT_EQ(summary["transactions"]["conflict"].number, "2");
  EXPECT_EQ(summary["transactions"]["gone"].number, "1");
  EXPECT_EQ(summary["ops"]["total"].number, "6");
}

TEST_F(RecoveryCli, DiffOnlyFiltersByLsnRangeAndCollection) {
  MakeStory();
  {
    // One transaction touching two collections, to see a collection filter split it.
    std::unique_ptr<Database> local = OpenDb(local_);
    ASSERT_NE(local, nullptr);
    Commit(*local, {Operation::Upsert("tasks", "t9", {{"a", Value::Int(1)}}),
                    Operation::Upsert("users", "u9", {{"b", Value::Int(2)}})});
  }
  RecoverySnapshot s = TakeSnapshot(default_root_);
  auto lsns = [&](const std::string& only) {
    Json j = JournalJson({"diff", s.path, live_, "--only", only});
    EXPECT_EQ(j["only"].string, only);
    std::vector<std::string> out;
    for (const Json& t : j["transactions"].items) {
      std::string ops;
      for (const Json& op : t["ops"].items) ops += op["op"]["collection"].string + " ";
      out.push_back(t["lsn"].number + ": " + ops);
    }
    return out;
  };
  EXPECT_EQ(lsns("2-4"), (std::vector<std::string>{"2: tasks ", "3: tasks ", "4: users "}));
  EXPECT_EQ(lsns("5"), (std::vector<std::string>{"5: users "}));
  EXPECT_EQ(lsns("6-100"), (std::vector<std::string>{"6: tasks ", "7: tasks users "}));
  EXPECT_EQ(lsns("users"), (std::vector<std::string>{"4: users ", "5: users ", "7: users "}));
  EXPECT_EQ(lsns("tasks"), (std::vector<std::string>{"1: tasks ", "2: tasks ", "3: tasks ",
                                                     "6: tasks ", "7: tasks "}));
  EXPECT_TRUE(lsns("nothing-here").empty());
  EXPECT_TRUE(lsns("50-60").empty());

  // The summary counts what was selected: lsn 5 (gone) and lsn 4 (clean).
  Json users = JournalJson({"diff", s.path, live_, "--only=users"});
  EXPECT_EQ(users["summary"]["transactions"]["total"].number, "3");
  EXPECT_EQ(users["summary"]["transactions"]["gone"].number, "1");
  EXPECT_EQ(users["summary"]["ops"]["total"].number, "3");

  ProcessResult r = Journal({"diff", s.path, live_, "--only", "5"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "lsn 5  ")) << r.out;
  EXPECT_FALSE(Contains(r.out, "lsn 4  ")) << r.out;
  EXPECT_TRUE(
      r.out.ends_with("1 transaction (0 clean, 0 same, 0 conflict, 1 gone), 1 op (0 clean, "
                      "0 same, 0 conflict, 1 gone); 0 done\n"))
      << r.out;
  ProcessResult nothing = Journal({"diff", s.path, live_, "--only", "40"});
  EXPECT_EQ(nothing.exit_code, 0);
  EXPECT_TRUE(Contains(nothing.out, "no diverged transactions match --only 40\n")) << nothing.out;

  for (const std::string bad : {"9-5", "5-", "-5", "0", "3--4", "99999999999999999999", ""}) {
    SCOPED_TRACE(bad);
    ProcessResult u = Journal({"diff", s.path, live_, "--only", bad});
    EXPECT_EQ(u.exit_code, 2) << u.out;
    EXPECT_EQ(u.out, "");
    EXPECT_TRUE(Contains(u.err, "--only")) << u.err;
    Json uj = JournalJson({"diff", s.path, live_, "--only", bad}, 2);
    EXPECT_EQ(uj["error"]["code"].string, "usage");
  }
}

TEST_F(RecoveryCli, DiffOfASnapshotWithNothingDiverged) {
  { ASSERT_NE(OpenDb(local_), nullptr); }
  { ASSERT_NE(OpenDb(live_), nullptr); }
  RecoverySnapshot s = TakeSnapshot(default_root_);
  ProcessResult r = Journal({"diff", s.path, live_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "recovery snapshot " + s.path + " against " + live_ +
                       ": diverged lsns none\n"
                       "no diverged transactions\n"
                       "0 transactions (0 clean, 0 same, 0 conflict, 0 gone), 0 ops (0 "
                       "clean, 0 same, 0 conflict, 0 gone); 0 done\n");
  Json e = JournalJson({"export", s.path});
  EXPECT_TRUE(e["entries"].is_array());
  EXPECT_TRUE(e["entries"].items.empty());
  EXPECT_EQ(Journal({"verify", s.path}).exit_code, 0);
}

TEST_F(RecoveryCli, ExportStreamsTheManifestAndEveryDivergedEntry) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);
  ProcessResult r = Journal({"export", s.path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  // One entry per line between the document's head and tail.
  EXPECT_TRUE(r.out.ends_with("}\n]}\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, ",\"entries\":[\n{\"lsn\":1,")) << r.out;
  std::string error;
  std::optional<Json> j = testing::ParseJson(r.out, &error);
  ASSERT_TRUE(j.has_value()) << error << " in:\n" << r.out;
  EXPECT_EQ((*j)["recovery_snapshot"]["recovery_id"].string, s.manifest.recovery_id);
  EXPECT_EQ((*j)["recovery_snapshot"]["diverged_entries"].number, "6");
  const Json& entries = (*j)["entries"];
  ASSERT_EQ(entries.items.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(entries[i]["lsn"].number, std::to_string(i + 1));
    EXPECT_EQ(entries[i]["download_cursor"].number, "0");
    EXPECT_EQ(entries[i]["epoch"].number, "0");
    EXPECT_EQ(entries[i]["client_id"].number, "0");
    EXPECT_EQ(entries[i]["ops"].items.size(), 1u);
  }
  EXPECT_EQ(entries[1]["ops"][0]["fields"]["title"].string, "bread");
  EXPECT_EQ(entries[1]["before"][0]["field"].string, "title");
  EXPECT_EQ(entries[1]["before"][0]["value"].string, "milk");
  EXPECT_EQ(entries[5]["ops"][0]["kind"].string, "erase-object");
  EXPECT_EQ(entries[5]["before"].items.size(), 2u);

  // --json changes nothing: the document is already JSON.
  EXPECT_EQ(Journal({"export", s.path, "--json"}).out, r.out);
}

TEST_F(RecoveryCli, ExportLeavesOutEntriesTheServerAcknowledged) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);
  // A manifest that says lsns 1-3 were acknowledged: a valid, smaller range.
  RecoveryManifest m = s.manifest;
  m.upload_cursor = 3;
  m.first_diverged_lsn = 4;
  m.diverged_entries = 3;
  m.diverged_ops = 3;
  RewriteManifest(s.path, m);
  {
    std::string error;
    auto raw = testing::RawRocks::Open(s.db_path, &error);
    ASSERT_NE(raw, nullptr) << error;
    ASSERT_TRUE(
        raw->Put(layout::kMetaFamily, layout::kMetaUploadCursor, layout::EncodeU64(3)).ok());
  }
  EXPECT_EQ(Journal({"verify", s.path}).exit_code, 0);
  Json j = JournalJson({"export", s.path});
  ASSERT_EQ(j["entries"].items.size(), 3u);
  EXPECT_EQ(j["entries"][0]["lsn"].number, "4");
  EXPECT_EQ(j["entries"][2]["lsn"].number, "6");
  EXPECT_EQ(JournalJson({"diff", s.path, live_})["transactions"].items.size(), 3u);
}

TEST_F(RecoveryCli, EveryRecoveryCommandRejectsBadInputNamingThePath) {
  MakeStory();
  RecoverySnapshot s = TakeSnapshot(default_root_);
  const std::string good_manifest = ReadFile(s.path + "/MANIFEST");
  ASSERT_FALSE(good_manifest.empty());

  struct Damage {
    std::string name;
    void (*apply)(const std::string& snapshot_dir, const std::string& manifest);
    std::string message;  // part of the error
    bool names_manifest;  // the error names MANIFEST rather than the directory
  };
  const Damage damages[] = {
      {"missing manifest",
       [](const std::string& d, const std::string&) { fs::remove(d + "/MANIFEST"); },
       "is not a complete recovery snapshot: no MANIFEST", false},
      {"truncated manifest",
       [](const std::string& d, const std::string& m) {
         WriteFile(d + "/MANIFEST", m.substr(0, m.size() / 2));
       },
       "manifest truncated", true},
      {"empty manifest",
       [](const std::string& d, const std::string&) { WriteFile(d + "/MANIFEST", ""); },
       "not a recovery manifest", true},
      {"tampered manifest",
       [](const std::string& d, const std::string& m) {
         std::string bad = m;
         bad[bad.size() - 5] ^= 0x20;
         WriteFile(d + "/MANIFEST", bad);
       },
       "checksum mismatch", true},
      {"missing database",
       [](const std::string& d, const std::string&) { fs::remove_all(d + "/db"); },
       "has no database", false},
      // Renamed below: the manifest names a recovery id that is not the directory's.
      {"manifest of another snapshot", [](const std::string&, const std::string&) {},
       "manifest names recovery", true},
  };
  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.name);
    testing::TempDir root;
    std::string copy = CopySnapshot(s, root.path());
    damage.apply(copy, good_manifest);
    if (damage.name == "manifest of another snapshot") {
      fs::rename(copy, root.Sub("not-its-id"));
      copy = root.Sub("not-its-id");
    }
    const std::string named = damage.names_manifest ? copy + "/MANIFEST" : copy;
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"info", copy}, {"verify", copy}, {"export", copy}, {"diff", copy, live_}}) {
      SCOPED_TRACE(args.front());
      ExpectBadInput(args, named, damage.message);
    }
  }

  // Paths that are not snapshots at all.
  const std::string empty_dir = dir_.Sub("empty");
  fs::create_directories(empty_dir);
  const std::string file = dir_.Sub("a-file");
  WriteFile(file, "hello");
  const std::string tmp = default_root_ + "/20260101T000000Z-0badf00d.tmp";
  fs::create_directories(tmp + "/db");
  const std::string missing = dir_.Sub("missing");
  struct NotASnapshot {
    std::string path;
    std::string message;
  };
  const NotASnapshot not_snapshots[] = {
      {empty_dir, "is not a complete recovery snapshot: no MANIFEST"},
      {file, "not a recovery snapshot (not a directory)"},
      {tmp, "is an incomplete recovery snapshot"},
      {missing, "no recovery snapshot at"},
      {local_, "is a database, not a recovery snapshot"},
      {default_root_, "holds recovery snapshots but is not one"},
  };
  for (const NotASnapshot& n : not_snapshots) {
    SCOPED_TRACE(n.path);
    ExpectBadInput({"export", n.path}, n.path, n.message);
    ExpectBadInput({"diff", n.path, live_}, n.path, n.message);
  }
  // info and verify take databases too: what is no snapshot is opened as one.
  ExpectBadInput({"info", tmp}, tmp, "is an incomplete recovery snapshot");
  ExpectBadInput({"verify", default_root_}, default_root_, "holds recovery snapshots");
  ExpectBadInput({"info", empty_dir}, empty_dir, "no database at");
  ExpectBadInput({"verify", missing}, missing, "no database at");
  // diff's DB must exist; it is never created.
  ExpectBadInput({"diff", s.path, missing}, missing, "no database at");
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(RecoveryCli, HelpAndUsage) {
  for (const std::string command : {"snapshot", "recoveries", "diff", "export"}) {
    SCOPED_TRACE(command);
    ProcessResult h = Journal({command, "--help"});
    EXPECT_EQ(h.exit_code, 0);
    EXPECT_TRUE(h.out.starts_with("usage: journal " + command + " ")) << h.out;
    ProcessResult u = Journal({command});
    EXPECT_EQ(u.exit_code, 2);
    EXPECT_TRUE(Contains(u.err, "missing arguments")) << u.err;
  }
  ProcessResult top = Journal({"help"});
  for (const std::string command : {"snapshot", "recoveries", "diff", "export"})
    EXPECT_TRUE(Contains(top.out, "  " + command + " ")) << top.out;
  EXPECT_EQ(Journal({"recoveries", local_, "--reason", "x"}).exit_code, 2);
  EXPECT_EQ(Journal({"recoveries", local_, "--recovery-root="}).exit_code, 2);
  EXPECT_EQ(Journal({"snapshot", local_, "--recovery-root", ""}).exit_code, 2);
  EXPECT_EQ(Journal({"export", "a", "b"}).exit_code, 2);
}

}  // namespace
}  // namespace journaldb
