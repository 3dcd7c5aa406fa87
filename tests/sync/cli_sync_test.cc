// `journal sync` and `journal status` against a real journal-server.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server_process.h"
#include "support/temp_dir.h"

extern char **environ;

namespace journaldb {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

// Runs the journal CLI with `args`, capturing stdout (stderr is appended).
CliRun Journal(std::vector<std::string> args) {
  args.insert(args.begin(), JOURNAL_CLI_PATH);
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char *> argv;
  for (std::string &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  CliRun r;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return r;
  }
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    r.out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
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

}  // namespace
}  // namespace journaldb
