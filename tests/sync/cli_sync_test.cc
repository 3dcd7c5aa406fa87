// `journal sync` and `journal status` against a real journal-server.
#include <gtest/gtest.h>

#include "server_process.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "test_store.h"

namespace journaldb {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

// Runs the journal CLI with `args`, capturing stdout and stderr interleaved.
CliRun Journal(std::vector<std::string> args) {
  args.insert(args.begin(), JOURNAL_CLI_PATH);
  testing::SpawnOptions options;
  options.merge_stderr = true;
  testing::ProcessResult r = testing::RunProcess(args, options);
  return CliRun{r.exit_code, r.out};
}

bool Contains(const std::string &s, const std::string &needle) {
  return s.find(needle) != std::string::npos;
}

// The number after `"key":` in a JSON document, as text.
std::string JsonNumber(const std::string &json, const std::string &key) {
  const std::string tag = "\"" + key + "\":";
  size_t at = json.find(tag);
  if (at == std::string::npos) return "";
  at += tag.size();
  return json.substr(at, json.find_first_not_of("0123456789", at) - at);
}

// A server whose operator forgets clients (`reset-client`), so that their
// next sync demands a client reset.
class ForgetfulServer {
 public:
  explicit ForgetfulServer(const std::string &data) : data_(data) {
    server_ = testing::ServerProcess::Start(data_, &error_);
  }
  bool ok() const { return server_ != nullptr; }
  const std::string &error() const { return error_; }
  std::string address() const { return server_->address(); }
  // Stops the server, forgets the clients of databases `dbs`, restarts.
  void Forget(const std::vector<std::string> &dbs) {
    std::vector<std::string> ids;
    for (const std::string &db : dbs)
      ids.push_back(JsonNumber(Journal({"status", db, "--json"}).out, "client_id"));
    const uint16_t port = server_->port();
    ASSERT_EQ(server_->Terminate(), 0);
    for (const std::string &id : ids) {
      std::string out;
      ASSERT_EQ(testing::RunOperator({"reset-client", "--data", data_, id}, &out), 0) << out;
    }
    server_ = testing::ServerProcess::Restart(data_, &error_, port);
    ASSERT_TRUE(server_) << error_;
  }

 private:
  std::string data_;
  std::string error_;
  std::unique_ptr<testing::ServerProcess> server_;
};

TEST(CliSync, SyncThenStatusShowsCaughtUp) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), &error, 0, "tok");
  ASSERT_TRUE(server) << error;
  const std::string a = dir.Sub("a"), b = dir.Sub("b");
  ASSERT_EQ(Journal({"put", a, "tasks", "t1", "title=milk"}).exit_code, 0);
  ASSERT_EQ(Journal({"incr", a, "tasks", "t1", "votes", "2"}).exit_code, 0);

  CliRun status = Journal({"status", a, "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.out;
  EXPECT_TRUE(Contains(status.out, "\"unsynced_entries\":2")) << status.out;

  CliRun sync = Journal({"sync", a, "--server", server->address(), "--token", "tok"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out;
  EXPECT_TRUE(Contains(sync.out, "uploaded 2 entries")) << sync.out;

  CliRun json = Journal({"sync", b, "--server", server->address(), "--token", "tok", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_TRUE(Contains(json.out, "\"downloaded_changesets\":2")) << json.out;
  CliRun get = Journal({"get", b, "tasks", "t1"});
  EXPECT_TRUE(Contains(get.out, "\"milk\"")) << get.out;

  status = Journal({"status", a});
  ASSERT_EQ(status.exit_code, 0) << status.out;
  EXPECT_TRUE(Contains(status.out, "unsynced entries  0")) << status.out;
  EXPECT_TRUE(Contains(status.out, "last error        none")) << status.out;
}

TEST(CliSync, WrongTokenFailsAndStatusShowsTheError) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), &error, 0, "tok");
  ASSERT_TRUE(server) << error;
  const std::string a = dir.Sub("a");
  ASSERT_EQ(Journal({"put", a, "tasks", "t1", "title=milk"}).exit_code, 0);
  CliRun sync = Journal({"sync", a, "--server", server->address(), "--token", "nope"});
  EXPECT_EQ(sync.exit_code, 1) << sync.out;
  EXPECT_TRUE(Contains(sync.out, "unauthorized")) << sync.out;
  CliRun status = Journal({"status", a, "--json"});
  EXPECT_TRUE(Contains(status.out, "unauthorized")) << status.out;
  EXPECT_EQ(Journal({"sync", a}).exit_code, 2);  // --server is required
}

// The README's story by hand: a restore forces a reset; `sync` records it,
// `status` shows it, `reset` snapshots and wipes, `sync` downloads the
// server state, `replay` brings the diverged writes back exactly once.
TEST(CliSync, ResetByHandAfterARestore) {
  testing::TempDir dir;
  std::string error;
  const std::string data = dir.Sub("server");
  auto server = testing::ServerProcess::Start(data, &error);
  ASSERT_TRUE(server) << error;
  const uint16_t port = server->port();
  const std::string a = dir.Sub("a");
  ASSERT_EQ(Journal({"put", a, "tasks", "t1", "title=milk"}).exit_code, 0);
  ASSERT_EQ(Journal({"sync", a, "--server", server->address()}).exit_code, 0);
  std::string out;
  ASSERT_EQ(server->Terminate(), 0);
  ASSERT_EQ(testing::BackupStore(data, dir.Sub("bak"), &out), 0) << out;
  server = testing::ServerProcess::Restart(data, &error, port);
  ASSERT_TRUE(server) << error;
  ASSERT_EQ(Journal({"incr", a, "stats", "s", "views", "5"}).exit_code, 0);
  ASSERT_EQ(Journal({"sync", a, "--server", server->address()}).exit_code, 0);  // acked...
  ASSERT_EQ(Journal({"put", a, "tasks", "t2", "title=eggs"}).exit_code, 0);    // offline
  ASSERT_EQ(server->Terminate(), 0);
  ASSERT_EQ(testing::RestoreStore(data, dir.Sub("bak"), &out), 0) << out;  // ...and rolled back
  server = testing::ServerProcess::Restart(data, &error, port);
  ASSERT_TRUE(server) << error;

  CliRun sync = Journal({"sync", a, "--server", server->address()});
  EXPECT_EQ(sync.exit_code, 1) << sync.out;
  EXPECT_TRUE(Contains(sync.out, "journal reset")) << sync.out;
  CliRun status = Journal({"status", a});
  EXPECT_TRUE(Contains(status.out, "client reset      detected (epoch-mismatch)")) << status.out;
  EXPECT_EQ(Journal({"get", a, "stats", "s"}).exit_code, 0);  // untouched until executed

  CliRun reset = Journal({"reset", a, "--json"});
  ASSERT_EQ(reset.exit_code, 0) << reset.out;
  EXPECT_TRUE(Contains(reset.out, "\"diverged_entries\":2")) << reset.out;
  EXPECT_EQ(Journal({"reset", a}).exit_code, 0);  // already ran: prints it again
  EXPECT_EQ(Journal({"get", a, "tasks", "t1"}).exit_code, 1);  // wiped
  ASSERT_EQ(Journal({"sync", a, "--server", server->address()}).exit_code, 0);
  EXPECT_EQ(Journal({"get", a, "tasks", "t1"}).exit_code, 0);   // server state
  EXPECT_EQ(Journal({"get", a, "tasks", "t2"}).exit_code, 1);
  status = Journal({"status", a});
  EXPECT_TRUE(Contains(status.out, "client reset      none")) << status.out;

  CliRun list = Journal({"recoveries", a, "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.out;
  size_t at = list.out.find("\"path\":\"");
  ASSERT_NE(at, std::string::npos) << list.out;
  at += 8;
  const std::string recovery = list.out.substr(at, list.out.find('"', at) - at);
  CliRun replay = Journal({"replay", recovery, a, "--policy", "local-wins"});
  ASSERT_EQ(replay.exit_code, 0) << replay.out;
  EXPECT_TRUE(Contains(replay.out, "2 applied")) << replay.out;
  ASSERT_EQ(Journal({"sync", a, "--server", server->address()}).exit_code, 0);
  const std::string b = dir.Sub("b");
  ASSERT_EQ(Journal({"sync", b, "--server", server->address()}).exit_code, 0);
  CliRun views = Journal({"get", b, "stats", "s"});
  EXPECT_TRUE(Contains(views.out, "views  5")) << views.out;
  EXPECT_EQ(Journal({"get", b, "tasks", "t2"}).exit_code, 0);
}

TEST(CliSync, OnResetRecoverRunsTheWholeResetInOneSync) {
  testing::TempDir dir;
  std::string error;
  const std::string data = dir.Sub("server");
  auto server = testing::ServerProcess::Start(data, &error);
  ASSERT_TRUE(server) << error;
  const uint16_t port = server->port();
  const std::string a = dir.Sub("a");
  ASSERT_EQ(Journal({"put", a, "stats", "s", "views=1"}).exit_code, 0);
  CliRun first = Journal({"sync", a, "--server", server->address(), "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  ASSERT_EQ(Journal({"incr", a, "stats", "s", "views", "10"}).exit_code, 0);
  ASSERT_EQ(server->Terminate(), 0);
  std::string out;
  // The operator forgets this client: the next sync must reset.
  size_t at = first.out.find("\"client_id\":");
  ASSERT_NE(at, std::string::npos);
  const std::string id = first.out.substr(at + 12, first.out.find(',', at) - at - 12);
  ASSERT_EQ(testing::RunOperator({"reset-client", "--data", data, id}, &out), 0) << out;
  server = testing::ServerProcess::Restart(data, &error, port);
  ASSERT_TRUE(server) << error;
  EXPECT_EQ(Journal({"sync", a, "--server", server->address(), "--on-reset", "bogus"}).exit_code,
            2);
  CliRun sync = Journal({"sync", a, "--server", server->address(), "--on-reset", "recover"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out;
  EXPECT_TRUE(Contains(sync.out, "client reset")) << sync.out;
  CliRun views = Journal({"get", a, "stats", "s"});
  EXPECT_TRUE(Contains(views.out, "views  11")) << views.out;  // 1 from the server + 10 replayed
}

// The replayed writes reach the server in the sync that replayed them: a
// second client sees them without the first syncing again, and the first is
// caught up in both directions.
TEST(CliSync, OnResetRecoverUploadsTheReplayedWritesInTheSameSync) {
  testing::TempDir dir;
  ForgetfulServer server(dir.Sub("server"));
  ASSERT_TRUE(server.ok()) << server.error();
  const std::string a = dir.Sub("a"), b = dir.Sub("b");
  ASSERT_EQ(Journal({"put", a, "tasks", "t1", "title=milk"}).exit_code, 0);
  ASSERT_EQ(Journal({"sync", a, "--server", server.address()}).exit_code, 0);
  EXPECT_TRUE(Contains(Journal({"status", a, "--json"}).out, "\"last_client_reset\":null"));
  ASSERT_EQ(Journal({"put", a, "tasks", "t2", "title=eggs"}).exit_code, 0);  // offline
  server.Forget({a});

  CliRun sync =
      Journal({"sync", a, "--server", server.address(), "--on-reset", "recover", "--json"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out;
  EXPECT_TRUE(Contains(sync.out, "\"client_reset\":true")) << sync.out;
  EXPECT_EQ(JsonNumber(sync.out, "uploaded_entries"), "1") << sync.out;
  EXPECT_TRUE(Contains(sync.out, "\"recovered_everything\":true")) << sync.out;
  CliRun status = Journal({"status", a, "--json"});
  EXPECT_TRUE(Contains(status.out, "\"unsynced_entries\":0")) << status.out;
  // The reset's outcome outlives the sync process that ran it.
  EXPECT_TRUE(Contains(status.out, "\"last_client_reset\":{\"finished_time_us\":")) << status.out;
  EXPECT_TRUE(Contains(status.out, "\"mode\":\"recover\",\"transactions_replayed\":1,"))
      << status.out;
  EXPECT_TRUE(Contains(status.out, "\"recovered_everything\":true}")) << status.out;
  CliRun text = Journal({"status", a});
  EXPECT_TRUE(Contains(text.out, "last reset        finished 20")) << text.out;
  EXPECT_TRUE(Contains(text.out, "replayed 1 transactions")) << text.out;

  ASSERT_EQ(Journal({"sync", b, "--server", server.address()}).exit_code, 0);
  CliRun get = Journal({"get", b, "tasks", "t2"});
  EXPECT_EQ(get.exit_code, 0) << get.out;
  EXPECT_TRUE(Contains(get.out, "\"eggs\"")) << get.out;
}

// A reset left pending by a sync without a strategy runs at the next open of
// a sync with one: that sync reports it, in JSON and in text.
TEST(CliSync, APendingResetRunByALaterSyncIsReported) {
  testing::TempDir dir;
  ForgetfulServer server(dir.Sub("server"));
  ASSERT_TRUE(server.ok()) << server.error();
  const std::string a = dir.Sub("a"), b = dir.Sub("b");
  for (const std::string &db : {a, b}) {
    ASSERT_EQ(Journal({"put", db, "tasks", "t1", "title=milk"}).exit_code, 0);
    ASSERT_EQ(Journal({"sync", db, "--server", server.address()}).exit_code, 0);
    ASSERT_EQ(Journal({"put", db, "tasks", "t2", "title=eggs"}).exit_code, 0);
  }
  server.Forget({a, b});
  for (const std::string &db : {a, b}) {
    CliRun pending = Journal({"sync", db, "--server", server.address()});
    ASSERT_EQ(pending.exit_code, 1) << pending.out;
    EXPECT_TRUE(Contains(pending.out, "journal reset")) << pending.out;
  }

  CliRun json =
      Journal({"sync", a, "--server", server.address(), "--on-reset", "recover", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_TRUE(Contains(json.out, "\"client_reset\":true")) << json.out;
  EXPECT_TRUE(Contains(json.out, "\"reason\":\"operator-reset\"")) << json.out;
  EXPECT_EQ(JsonNumber(json.out, "transactions_replayed"), "1") << json.out;

  CliRun text = Journal({"sync", b, "--server", server.address(), "--on-reset", "recover"});
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_TRUE(Contains(text.out, "the server demanded a client reset; it ran with --on-reset "
                                 "recover"))
      << text.out;
  EXPECT_TRUE(Contains(text.out, "replayed 1 transactions, 0 marked done with nothing to commit"))
      << text.out;
  EXPECT_EQ(Journal({"get", b, "tasks", "t2"}).exit_code, 0);
}

// docs/merge-semantics.md rule 5 in a recovery: an offline increment of a
// field another client meanwhile set to a string cannot apply. It is left
// out and listed; the rest of the recovery, a later unrelated write
// included, goes on and is uploaded.
TEST(CliSync, AnIncrementThatCannotApplyIsLeftOutAndListedWhileLaterWritesAreRecovered) {
  testing::TempDir dir;
  ForgetfulServer server(dir.Sub("server"));
  ASSERT_TRUE(server.ok()) << server.error();
  // One client per strategy, each with the same story.
  const std::vector<std::string> strategies = {"recover", "recover-or-discard"};
  const std::string b = dir.Sub("b"), c = dir.Sub("c");
  for (const std::string &strategy : strategies) {
    const std::string a = dir.Sub(strategy);
    ASSERT_EQ(Journal({"put", a, "stats", "s", "views=1"}).exit_code, 0);
    ASSERT_EQ(Journal({"sync", a, "--server", server.address()}).exit_code, 0);
    ASSERT_EQ(Journal({"incr", a, "stats", "s", "views", "10"}).exit_code, 0);  // offline
    ASSERT_EQ(Journal({"put", a, "tasks", "t2", "title=eggs"}).exit_code, 0);   // offline, later
  }
  ASSERT_EQ(Journal({"sync", b, "--server", server.address()}).exit_code, 0);
  ASSERT_EQ(Journal({"put", b, "stats", "s", "views=many"}).exit_code, 0);
  ASSERT_EQ(Journal({"sync", b, "--server", server.address()}).exit_code, 0);
  server.Forget({dir.Sub(strategies[0]), dir.Sub(strategies[1])});

  for (const std::string &strategy : strategies) {
    SCOPED_TRACE(strategy);
    const std::string copy = dir.Sub(strategy);
    CliRun json =
        Journal({"sync", copy, "--server", server.address(), "--on-reset", strategy, "--json"});
    ASSERT_EQ(json.exit_code, 0) << json.out;
    EXPECT_TRUE(Contains(json.out, "\"ops_not_applicable\":[{\"lsn\":2,\"op\":0,")) << json.out;
    EXPECT_TRUE(Contains(json.out, "cannot increment stats/")) << json.out;
    EXPECT_TRUE(Contains(json.out, "\"discarded\":false")) << json.out;
    EXPECT_TRUE(Contains(json.out, "\"recovered_everything\":false")) << json.out;
    EXPECT_EQ(JsonNumber(json.out, "transactions_not_recovered"), "0") << json.out;
    CliRun views = Journal({"get", copy, "stats", "s"});
    EXPECT_TRUE(Contains(views.out, "\"many\"")) << views.out;
    EXPECT_EQ(Journal({"get", copy, "tasks", "t2"}).exit_code, 0);
  }
  ASSERT_EQ(Journal({"sync", c, "--server", server.address()}).exit_code, 0);
  EXPECT_EQ(Journal({"get", c, "tasks", "t2"}).exit_code, 0);  // uploaded by the reset's sync
}

}  // namespace
}  // namespace journaldb
