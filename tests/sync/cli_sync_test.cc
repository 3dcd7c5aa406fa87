// `journal sync` and `journal status` against a real journal-server.
#include <gtest/gtest.h>

#include "server_process.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

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
  ASSERT_EQ(testing::RunServerCommand({"backup", "--data", data, "--to", dir.Sub("bak")}, &out), 0)
      << out;
  server = testing::ServerProcess::Restart(data, &error, port);
  ASSERT_TRUE(server) << error;
  ASSERT_EQ(Journal({"incr", a, "stats", "s", "views", "5"}).exit_code, 0);
  ASSERT_EQ(Journal({"sync", a, "--server", server->address()}).exit_code, 0);  // acked...
  ASSERT_EQ(Journal({"put", a, "tasks", "t2", "title=eggs"}).exit_code, 0);    // offline
  ASSERT_EQ(server->Terminate(), 0);
  ASSERT_EQ(testing::RunServerCommand({"restore", "--data", data, "--from", dir.Sub("bak")}, &out),
            0)
      << out;  // ...and rolled back
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
  ASSERT_EQ(testing::RunServerCommand({"reset-client", "--data", data, id}, &out), 0) << out;
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

}  // namespace
}  // namespace journaldb
