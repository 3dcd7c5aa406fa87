// ChildProcess: another executable started with posix_spawn, its stdin and
// stdout connected to pipes, for crash and lock tests.
//
// posix_spawn (not a bare fork) because the test process may already run
// RocksDB background threads: the child execs at once and inherits no locks.
// The parent's pipe ends are close-on-exec, so a later child never holds an
// earlier child's pipe open and EOF arrives when the child dies.
#ifndef JOURNALDB_TESTS_SUPPORT_CHILD_PROCESS_H_
#define JOURNALDB_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace journaldb::testing {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with the given arguments. nullptr on failure,
  // with the reason in `*error`.
  static std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& argv,
                                             std::string* error);
  // Kills (SIGKILL) and reaps the child if it is still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // The next line the child wrote to stdout, without its newline; nullopt at
  // EOF (the child exited or was killed and everything it wrote was read).
  std::optional<std::string> ReadLine();

  // Closes the child's stdin: it reads EOF.
  void CloseStdin();

  void Kill(int signal);

  // Waits for the child to end; returns the raw wait status.
  int Wait();

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;   // write end
  int stdout_fd_ = -1;  // read end
  std::string buffer_;
  bool eof_ = false;
  bool reaped_ = false;
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_CHILD_PROCESS_H_
