// Operator commands on a stopped server's store really change what clients
// get: trim and restore and reset-client force client resets, and a new
// client bootstraps from the state when history is trimmed. They run on
// either store (test_store.h) but for the cases about the data directory
// itself, its lock, its absence and its backups, which
// tests/sync/CMakeLists.txt leaves out of the run on PostgreSQL (there the commands run online:
// postgres_nodes_test.cc).
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <fstream>
#include <sstream>

#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"
#include "test_store.h"

namespace journaldb {
namespace {

using testing::ServerProcess;

// Whether `log` has `line` as one of its lines.
bool HasLine(const std::string& log, const std::string& line) {
  std::istringstream in(log);
  for (std::string l; std::getline(in, l);)
    if (l == line) return true;
  return false;
}

class Operator : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Sub("server");
    Restart();
  }
  void Restart() {
    std::string error;
    server_ = ServerProcess::Restart(data_, &error, port_);
    ASSERT_TRUE(server_) << error;
    port_ = server_->port();
  }
  void Stop() { ASSERT_EQ(server_->Terminate(), 0); }
  std::unique_ptr<Database> Open(const std::string& name) {
    auto db = Database::Open(dir_.Sub(name), {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(db).value();
  }
  void Commit(Database& db, const std::string& key, int64_t delta) {
    Transaction t = db.BeginTransaction();
    ASSERT_TRUE(t.Upsert("c", key, {{"k", Value::String(key)}}).ok());
    ASSERT_TRUE(t.Increment("c", "total", "n", delta).ok());
    ASSERT_TRUE(t.Commit().ok());
  }
  Result<SyncReport> Sync(Database& db) {
    return SyncOnce(db, testing::SyncTo(server_->address()));
  }
  int Command(const std::vector<std::string>& args, std::string* out) {
    return testing::RunOperator(args, out);
  }

  testing::TempDir dir_;
  std::string data_;
  uint16_t port_ = 0;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(Operator, CommandsRefuseARunningServer) {
  std::string out;
  EXPECT_NE(Command({"trim", "--data", data_, "--below", "1"}, &out), 0);
  EXPECT_NE(out.find("busy"), std::string::npos) << out;
}

TEST_F(Operator, ResetClientForcesClientReset) {
  auto a = Open("a");
  Commit(*a, "x", 1);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Stop();
  std::string out;
  ASSERT_EQ(Command({"reset-client", "--data", data_, std::to_string(r->client_id)}, &out), 0)
      << out;
  Restart();
  Result<SyncReport> again = Sync(*a);
  ASSERT_TRUE(again.status().IsClientResetRequired()) << again.status().ToString();
  EXPECT_NE(again.status().message().find("operator-reset"), std::string::npos);
  // A session reports it as state error.
  a.reset();
  Options o;
  o.sync.server = server_->address();
  auto s = Database::Open(dir_.Sub("a"), o);
  ASSERT_TRUE(s.ok());
  Commit(**s, "y", 1);
  Status w = (*s)->sync_session()->wait_for_upload(std::chrono::seconds(60));
  EXPECT_TRUE(w.IsClientResetRequired()) << w.ToString();
  EXPECT_EQ((*s)->sync_session()->state(), SyncState::kError);
  EXPECT_TRUE((*s)->sync_session()->last_error().IsClientResetRequired());
}

TEST_F(Operator, TrimForcesResetOfLaggingClientsAndNewClientsBootstrap) {
  auto a = Open("a");
  auto b = Open("b");
  Commit(*a, "a1", 1);
  ASSERT_TRUE(Sync(*a).ok());
  ASSERT_TRUE(Sync(*b).ok());
  for (int i = 0; i < 5; ++i) Commit(*b, "b" + std::to_string(i), 10);
  Commit(*b, "gone", 0);
  {
    Transaction t = b->BeginTransaction();
    ASSERT_TRUE(t.EraseObject("c", "gone").ok());
    ASSERT_TRUE(t.Commit().ok());
  }
  ASSERT_TRUE(Sync(*b).ok());  // b is at the latest version (8)
  Stop();
  std::string out;
  ASSERT_EQ(Command({"trim", "--data", data_, "--below", "6"}, &out), 0) << out;
  EXPECT_NE(out.find("horizon 5"), std::string::npos) << out;
  Restart();
  // a is at version 1, below the horizon: reset.
  Result<SyncReport> ra = Sync(*a);
  ASSERT_TRUE(ra.status().IsClientResetRequired()) << ra.status().ToString();
  EXPECT_NE(ra.status().message().find("history-trimmed"), std::string::npos);
  // b is above it: fine.
  ASSERT_TRUE(Sync(*b).ok());
  // A new client bootstraps from the full state, then follows the history.
  auto c = Open("c");
  Commit(*c, "c-local", 100);  // pending local work survives the bootstrap
  Result<SyncReport> rc = Sync(*c);
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_TRUE(rc->bootstrapped);
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(testing::DumpClient(*c), testing::DumpClient(*b));
  EXPECT_EQ(*c->GetField("c", "total", "n"), Value::Int(151));
  Result<VerifyReport> v = c->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << (v->problems.empty() ? "" : v->problems[0]);
  Stop();
  EXPECT_EQ(testing::DumpServer(data_), testing::DumpClient(*c));
}

TEST_F(Operator, TrimOlderThanKeepsRecentHistory) {
  auto a = Open("a");
  Commit(*a, "x", 1);
  ASSERT_TRUE(Sync(*a).ok());
  Stop();
  std::string out;
  ASSERT_EQ(Command({"trim", "--data", data_, "--older-than", "3600"}, &out), 0) << out;
  EXPECT_NE(out.find("trimmed 0"), std::string::npos) << out;
  // Ages longer than the clock has run, up to the largest the option takes:
  // nothing is that old (computed in int64 microseconds they wrapped into
  // the future, and everything was trimmed).
  for (const char* age : {"9300000000000", "9223372036854775807", "18446744073709551615"}) {
    ASSERT_EQ(Command({"trim", "--data", data_, "--older-than", age}, &out), 0) << out;
    EXPECT_NE(out.find("trimmed 0"), std::string::npos) << age << ": " << out;
  }
  ASSERT_EQ(Command({"trim", "--data", data_, "--older-than", "0"}, &out), 0) << out;
  EXPECT_NE(out.find("trimmed 1"), std::string::npos) << out;
}

TEST_F(Operator, RestoreStartsANewEpochAndForcesReset) {
  auto a = Open("a");
  Commit(*a, "before-backup", 1);
  ASSERT_TRUE(Sync(*a).ok());
  Stop();
  std::string out;
  ASSERT_EQ(testing::BackupStore(data_, dir_.Sub("backup"), &out), 0) << out;
  Restart();
  Commit(*a, "after-backup", 1);
  Result<SyncReport> before = Sync(*a);
  ASSERT_TRUE(before.ok());
  Stop();
  ASSERT_EQ(testing::RestoreStore(data_, dir_.Sub("backup"), &out), 0) << out;
  Restart();
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.status().IsClientResetRequired()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("epoch-mismatch"), std::string::npos);
  EXPECT_NE(r.status().message().find("restored latest version 1"), std::string::npos)
      << r.status().message();
  // A new client sees the restored lineage with only the backed-up change.
  auto c = Open("c");
  Result<SyncReport> rc = Sync(*c);
  ASSERT_TRUE(rc.ok());
  EXPECT_NE(rc->epoch, before->epoch);
  EXPECT_TRUE(c->Get("c", "before-backup").ok());
  EXPECT_FALSE(c->Get("c", "after-backup").ok());
}

// A missing or empty data directory (a typo, a file system not mounted) is
// refused, never a fresh history that would make every client reset; `init`
// makes one, once.
TEST(OperatorInit, ServerRefusesAMissingOrEmptyDataDirectoryAndOnlyInitCreatesOne) {
  testing::TempDir dir;
  const std::string missing = dir.Sub("typo");
  testing::ProcessResult r = testing::RunServerUntilExit({"--data", missing});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no server data directory at " + missing + " (missing)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(HasLine(r.err, "stop")) << "it never started: " << r.err;
  EXPECT_NE(r.err.find("journal-server init --data " + missing), std::string::npos) << r.err;
  EXPECT_FALSE(boost::filesystem::exists(missing));
  const std::string empty = dir.Sub("unmounted");
  boost::filesystem::create_directory(empty);
  r = testing::RunServerUntilExit({"--data", empty});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no server data directory at " + empty + " (empty)"), std::string::npos)
      << r.err;
  EXPECT_FALSE(HasLine(r.err, "stop")) << "it never started: " << r.err;
  EXPECT_TRUE(boost::filesystem::is_empty(empty));
  // Operator commands do not create one either.
  std::string out;
  EXPECT_EQ(testing::RunServerCommand({"reset-client", "--data", missing, "1"}, &out), 1) << out;
  EXPECT_FALSE(boost::filesystem::exists(missing));

  ASSERT_EQ(testing::RunServerCommand({"init", "--data", missing}, &out), 0) << out;
  EXPECT_NE(out.find("created the server data directory " + missing), std::string::npos) << out;
  EXPECT_EQ(testing::RunServerCommand({"init", "--data", missing}, &out), 1) << out;
  EXPECT_NE(out.find("already holds server data"), std::string::npos) << out;
  EXPECT_EQ(testing::RunServerCommand({"init", "--data", empty}, &out), 0) << out;
  testing::ServerLaunch launch;
  launch.init_missing_data = false;
  std::string error;
  auto server = ServerProcess::Start(missing, launch, &error);
  ASSERT_TRUE(server) << error;
  EXPECT_EQ(server->Terminate(), 0);
  // One that started does log its stop.
  std::ifstream in(server->log_path());
  std::stringstream log;
  log << in.rdbuf();
  EXPECT_TRUE(HasLine(log.str(), "stop")) << log.str();
}

// A backup target that a restore of DIR would delete (in DIR, DIR.restoring,
// DIR.restored or DIR.replaced), that exists, or whose parent is missing is
// refused before the store is opened. DIR is left mid-restore (missing, its
// complete copy DIR.restored beside it), so an open would show: it renames
// the copy in. Each refusal leaves it so; a good target then backs it up.
TEST(OperatorBackup, RefusesABadTargetBeforeOpeningTheStore) {
  testing::TempDir dir;
  const std::string data = dir.Sub("server");
  std::string out;
  ASSERT_EQ(testing::RunServerCommand({"init", "--data", data}, &out), 0) << out;
  boost::filesystem::rename(data, data + ".restored");
  boost::filesystem::create_directory(dir.Sub("taken"));
  const std::string deleted_by_restore = "which a restore of " + data + " replaces or removes";
  struct Case {
    std::string to;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {data, deleted_by_restore},
           {data + "/sub", deleted_by_restore},
           {data + ".restoring", deleted_by_restore},
           {data + ".restored/sub", deleted_by_restore},
           {data + ".replaced/a/b", deleted_by_restore},
           {dir.Sub("missing") + "/backup", "its parent " + dir.Sub("missing") + " does not exist"},
           {dir.Sub("taken"), "backup target " + dir.Sub("taken") + " already exists"},
       }) {
    EXPECT_EQ(testing::RunServerCommand({"backup", "--data", data, "--to", c.to}, &out), 1)
        << c.to << ": " << out;
    EXPECT_NE(out.find(c.says), std::string::npos) << c.to << ": " << out;
    EXPECT_FALSE(boost::filesystem::exists(data)) << c.to << ": the store was opened";
    EXPECT_TRUE(boost::filesystem::exists(data + ".restored")) << c.to;
  }
  EXPECT_FALSE(boost::filesystem::exists(dir.Sub("missing")));
  EXPECT_TRUE(boost::filesystem::is_empty(dir.Sub("taken")));
  ASSERT_EQ(testing::RunServerCommand({"backup", "--data", data, "--to", dir.Sub("backup")}, &out),
            0)
      << out;
  EXPECT_TRUE(boost::filesystem::exists(data));
  EXPECT_TRUE(boost::filesystem::exists(dir.Sub("backup") + "/BACKUP-COMPLETE"));
}

}  // namespace
}  // namespace journaldb
