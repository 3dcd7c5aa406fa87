// ServerChild: a journal-server (the server library) in a forked child
// process, so that its open files, memory and CPU time are its own: the
// bench measures them from /proc and holds the client ends of 10,000
// connections within its own open-file limit.
//
// REQUIRES: Start is called before this process starts any thread (forking a
// multi-threaded process is unsafe).
#ifndef JOURNALDB_TOOLS_BENCH_SERVER_CHILD_H_
#define JOURNALDB_TOOLS_BENCH_SERVER_CHILD_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "journaldb/server/server.h"

namespace journaldb::bench {

// What /proc says about a process.
struct ProcessUsage {
  uint64_t rss_kib = 0;       // VmRSS
  uint64_t peak_rss_kib = 0;  // VmHWM
  uint64_t threads = 0;
  double cpu_seconds = 0;  // utime + stime
};

class ServerChild {
 public:
  // Initializes options.data_dir and serves it in a child until Stop. The
  // child's soft limit of open files is raised to the hard one.
  static Result<ServerChild> Start(const server::ServerOptions& options);
  ServerChild(ServerChild&& o) noexcept;
  ServerChild& operator=(ServerChild&&) = delete;
  ~ServerChild();  // Stop()s

  const std::string& address() const { return address_; }
  Result<ProcessUsage> Usage() const;
  // Ends the child (it stops its server) and waits for it; an error names
  // how it ended if not with 0.
  Status Stop();

 private:
  ServerChild(pid_t pid, int pipe_fd, std::string address)
      : pid_(pid), pipe_fd_(pipe_fd), address_(std::move(address)) {}
  pid_t pid_ = -1;
  int pipe_fd_ = -1;  // closing it tells the child to stop
  std::string address_;
};

// The soft limit of open files raised to the hard one; an error if that is
// below `needed`.
Status RaiseFileLimit(uint64_t needed);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_SERVER_CHILD_H_
