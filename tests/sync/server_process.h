// ServerProcess: a real journal-server started (support/child_process.h) on
// a loopback port, for end-to-end tests.
#ifndef JOURNALDB_TESTS_SYNC_SERVER_PROCESS_H_
#define JOURNALDB_TESTS_SYNC_SERVER_PROCESS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "journaldb/server/server_storage.h"
#include "support/child_process.h"

namespace journaldb::testing {

// How to start a journal-server beyond the data directory, port and token.
struct ServerLaunch {
  // Appended to journal-server's arguments (limits, --insecure, ...).
  std::vector<std::string> extra_args;
  // journal-server runs under this command (e.g. {"/usr/bin/prlimit",
  // "--nofile=64"}), which must exec it.
  std::vector<std::string> wrapper;
  // NAME=VALUE entries added to its environment.
  std::vector<std::string> env;
  // If set, the server serves this PostgreSQL database (--postgres) instead
  // of the data directory; the data directory's name still names the log.
  std::string postgres;
  // A data directory that does not exist is first made by `journal-server
  // init` (a server refuses a missing one). False: started as it is.
  bool init_missing_data = true;
};

class ServerProcess {
 public:
  // Starts `journal-server --data data_dir --listen 127.0.0.1:port [--token T]`
  // (after `journal-server init --data data_dir` if data_dir does not exist)
  // and waits for its "listening on" line. Port 0 picks a free port. The
  // server's log goes to `data_dir`.log. nullptr on failure (see *error).
  static std::unique_ptr<ServerProcess> Start(const std::string& data_dir, std::string* error,
                                              uint16_t port = 0, const std::string& token = "");
  // The same on a free port, started as `launch` says.
  static std::unique_ptr<ServerProcess> Start(const std::string& data_dir,
                                              const ServerLaunch& launch, std::string* error);
  // Starts again on `port` after a stop, or on a new port if another
  // process took that one meanwhile (the kernel hands a free port to the
  // next outgoing connection of any test running in parallel). Callers that
  // pass address() each time do not notice.
  static std::unique_ptr<ServerProcess> Restart(const std::string& data_dir, std::string* error,
                                                uint16_t port, const std::string& token = "");
  // The same, started as `launch` says.
  static std::unique_ptr<ServerProcess> Restart(const std::string& data_dir,
                                                const ServerLaunch& launch, std::string* error,
                                                uint16_t port);
  ~ServerProcess();  // SIGKILLs and reaps the server if it still runs

  const std::string& address() const { return address_; }
  uint16_t port() const { return port_; }
  const std::string& log_path() const { return log_path_; }
  // The server's process id (it runs until Kill or Terminate).
  pid_t pid() const;

  // SIGKILL: no chance to clean up.
  void Kill();
  // SIGTERM and wait; returns the exit status (0 for a clean stop).
  int Terminate();

 private:
  ServerProcess() = default;
  static std::unique_ptr<ServerProcess> Start(const std::string& data_dir, std::string* error,
                                              uint16_t port, const std::string& token,
                                              const ServerLaunch& launch);
  std::unique_ptr<ChildProcess> child_;
  std::string address_;
  uint16_t port_ = 0;
  std::string log_path_;
};

// Where the server of `data_dir` keeps its state: the directory itself, or,
// with JOURNALDB_TEST_STORE=postgres in the environment, a database of the
// throwaway PostgreSQL cluster (support/postgres_cluster.h) that stands for
// that directory in this process, created with the schema on first use. So
// the end-to-end tests that name only a data directory run on either store:
// ServerProcess::Start and DumpServer/ServerHistory(data_dir) go through it.
// A failure fails the test and returns the directory.
server::StorageLocation TestStorage(const std::string& data_dir);

// Runs journal-server with `args` for at most 30 s: a server that should
// have refused to start is killed then (`timed_out`).
ProcessResult RunServerUntilExit(std::vector<std::string> args);

// Runs journal-server with `args` (an operator command) to completion, with
// `env` (NAME=VALUE) added to its environment; returns its exit code and puts
// its stdout and stderr in *output.
int RunServerCommand(const std::vector<std::string>& args, std::string* output,
                     const std::vector<std::string>& env = {});

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SYNC_SERVER_PROCESS_H_
