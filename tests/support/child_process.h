// Running other executables from tests: the one place that spawns them.
//
//   ProcessResult r = RunProcess({JOURNAL_CLI_PATH, "get", db, "tasks", "t1"});
//   EXPECT_EQ(r.exit_code, 0) << r.err;
//
//   auto child = ChildProcess::Start({writer_path, db}, &error);
//   std::optional<std::string> line = child->ReadLine();  // its stdout, line by line
//   child->Kill(SIGKILL);
//
// posix_spawn (not a bare fork) because the test process may already run
// RocksDB background threads: the child execs at once and inherits no locks.
// The parent's ends of pipes are close-on-exec, so a later child never holds
// an earlier child's pipe open and EOF arrives when the child dies.
//
// Thread safety: a ChildProcess belongs to one thread; RunProcess may run on
// several threads at once.
#ifndef JOURNALDB_TESTS_SUPPORT_CHILD_PROCESS_H_
#define JOURNALDB_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace journaldb::testing {

// How a child is started. The defaults: stdin reads EOF, the parent's
// environment, no time limit.
struct SpawnOptions {
  // Written to the child's stdin, which then reads EOF.
  std::string stdin_text;
  // NAME=VALUE entries added to the parent's environment (replacing a
  // variable of the same name).
  std::vector<std::string> env;
  // RunProcess: stderr goes into `out`, interleaved as written (2>&1), and
  // `err` stays empty.
  bool merge_stderr = false;
  // If >= 0, stderr goes to this descriptor instead (e.g. a terminal's
  // slave side); the caller keeps ownership.
  int stderr_fd = -1;
  // ChildProcess: if not empty, stderr is appended to this file (a server's
  // log); otherwise it is the test's own stderr.
  std::string stderr_path;
  // RunProcess: stdout is a pipe whose reader is gone (its read end closed
  // before the child starts, as `| head` once head exited): every write to
  // it fails with EPIPE, or raises SIGPIPE. `out` stays empty.
  bool stdout_unread = false;
  // RunProcess: SIGKILL the child after this long (zero: wait forever).
  std::chrono::milliseconds timeout{0};
};

struct ProcessResult {
  // The exit status if the child exited; -1 if it was killed by a signal
  // (see `signal`), timed out, or could not start (`err` says why).
  int exit_code = -1;
  int signal = 0;  // the signal that ended it, or 0
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with the arguments to completion and captures stdout
// and stderr (through files, so the child may write any amount).
ProcessResult RunProcess(const std::vector<std::string>& argv, const SpawnOptions& options = {});

// A child that runs alongside the test, its stdout on a pipe read line by line.
class ChildProcess {
 public:
  // Starts argv[0] (a path). nullptr on failure, with the reason in `*error`.
  static std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& argv,
                                             std::string* error,
                                             const SpawnOptions& options = {});
  // Kills (SIGKILL) and reaps the child if it is still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // The next line the child wrote to stdout, without its newline; nullopt at
  // EOF (the child exited or was killed and everything it wrote was read).
  std::optional<std::string> ReadLine();
  // Everything the child writes to stdout until EOF.
  std::string ReadAll();

  // Closes the child's stdin: it reads EOF. (Only with an empty
  // options.stdin_text is stdin a pipe the test may still write to.)
  void CloseStdin();

  void Kill(int signal);

  // Waits for the child to end; returns the raw wait status.
  int Wait();
  // The raw wait status if the child ended within `timeout`; nullopt if it
  // still runs.
  std::optional<int> WaitFor(std::chrono::milliseconds timeout);
  // The raw wait status if it has already ended (without waiting).
  std::optional<int> Poll();

 private:
  ChildProcess() = default;
  // Appends what the child wrote next to buffer_; false at EOF.
  bool ReadMore();
  pid_t pid_ = -1;
  int stdin_fd_ = -1;   // write end
  int stdout_fd_ = -1;  // read end
  std::string buffer_;
  bool eof_ = false;
  bool reaped_ = false;
  int status_ = 0;
};

// A raw wait status as an exit code: the exit status, or 128 + the signal
// (as a shell reports it).
int ExitCodeOf(int wait_status);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_CHILD_PROCESS_H_
