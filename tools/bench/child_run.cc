#include "child_run.h"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "journaldb/journal/util/errno_status.h"
#include "rss.h"

namespace journaldb::bench {

namespace {

// What the child sends back: fixed size, so one read suffices.
struct Report {
  bool ok = false;
  RunResult result;
  char message[1024] = {};
};

bool WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

size_t ReadAll(int fd, void* data, size_t size) {
  char* p = static_cast<char*>(data);
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, p + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

[[noreturn]] void ChildMain(const RunFn& fn, int fd) {
  Report report;
  Result<RunResult> r = fn();
  if (r.ok()) {
    report.ok = true;
    report.result = *r;
    report.result.peak_rss_kib = PeakRssKib();
  } else {
    std::string m = r.status().ToString();
    std::memcpy(report.message, m.data(), std::min(m.size(), sizeof(report.message) - 1));
  }
  bool sent = WriteAll(fd, &report, sizeof(report));
  // _exit: the parent's stdio buffers and atexit handlers are not ours to run.
  _exit(sent ? 0 : 1);
}

}  // namespace

Result<RunResult> RunInChild(const RunFn& fn) {
  int fds[2];
  if (pipe(fds) != 0) return util::ErrnoStatus("pipe");
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return util::ErrnoStatus("fork");
  }
  if (pid == 0) {
    ::close(fds[0]);
    ChildMain(fn, fds[1]);
  }
  ::close(fds[1]);
  Report report;
  size_t got = ReadAll(fds[0], &report, sizeof(report));
  ::close(fds[0]);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(wstatus))
    return Status::IOError(fmt::format("benchmark run killed by signal {}", WTERMSIG(wstatus)));
  if (got != sizeof(report))
    return Status::IOError("benchmark run ended without reporting a result");
  if (!report.ok) return Status::IOError(report.message);
  return report.result;
}

}  // namespace journaldb::bench
