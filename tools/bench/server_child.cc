#include "server_child.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "journaldb/journal/util/errno_status.h"
#include "journaldb/server/admin.h"

namespace journaldb::bench {

namespace {

// The child: serves until the parent closes its end of the pipe, which it
// also does by dying. Reports the port (0: the start failed) on `to_parent`.
[[noreturn]] void ChildMain(const server::ServerOptions& options, int from_parent, int to_parent) {
  uint16_t port = 0;
  std::unique_ptr<server::Server> server;
  Result<std::string> init = server::Init({options.data_dir, options.postgres});
  Result<std::unique_ptr<server::Server>> started =
      init.ok() ? server::Server::Start(options)
                : Result<std::unique_ptr<server::Server>>(init.status());
  if (started.ok()) {
    server = std::move(started).value();
    port = server->port();
  } else {
    std::fprintf(stderr, "journal-bench: server: %s\n", started.status().ToString().c_str());
  }
  bool sent = ::write(to_parent, &port, sizeof(port)) == sizeof(port);
  ::close(to_parent);
  char byte;
  while (sent && port != 0 && (::read(from_parent, &byte, 1) < 0 && errno == EINTR)) {
  }
  if (server) server->Stop();
  _exit(sent && port != 0 ? 0 : 1);
}

}  // namespace

Status RaiseFileLimit(uint64_t needed) {
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur < needed)
    return Status::InvalidArgument(
        fmt::format("{} open files needed; the hard limit is {}", needed, files.rlim_max));
  return Status::OK();
}

Result<ServerChild> ServerChild::Start(const server::ServerOptions& options) {
  int down[2], up[2];  // parent -> child, child -> parent
  if (::pipe(down) != 0) return util::ErrnoStatus("pipe");
  if (::pipe(up) != 0) {
    ::close(down[0]);
    ::close(down[1]);
    return util::ErrnoStatus("pipe");
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(down[1]);
    ::close(up[0]);
    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
    ChildMain(options, down[0], up[1]);
  }
  ::close(down[0]);
  ::close(up[1]);
  if (pid < 0) {
    ::close(down[1]);
    ::close(up[0]);
    return util::ErrnoStatus("fork");
  }
  uint16_t port = 0;
  ssize_t got;
  while ((got = ::read(up[0], &port, sizeof(port))) < 0 && errno == EINTR) {
  }
  ::close(up[0]);
  ServerChild child(pid, down[1], "127.0.0.1:" + std::to_string(port));
  if (got != sizeof(port) || port == 0) {
    Status ended = child.Stop();
    return Status::IOError("the server did not start" +
                           (ended.ok() ? std::string() : ": " + ended.ToString()));
  }
  return child;
}

ServerChild::ServerChild(ServerChild&& o) noexcept
    : pid_(o.pid_), pipe_fd_(o.pipe_fd_), address_(std::move(o.address_)) {
  o.pid_ = -1;
  o.pipe_fd_ = -1;
}

ServerChild::~ServerChild() { (void)Stop(); }

Result<ProcessUsage> ServerChild::Usage() const {
  ProcessUsage usage;
  const std::string dir = "/proc/" + std::to_string(pid_);
  std::ifstream status(dir + "/status");
  for (std::string line; std::getline(status, line);) {
    auto field = [&](const char* name, uint64_t& out) {
      const std::string prefix = std::string(name) + ":";
      if (line.rfind(prefix, 0) == 0) out = std::stoull(line.substr(prefix.size()));
    };
    field("VmRSS", usage.rss_kib);
    field("VmHWM", usage.peak_rss_kib);
    field("Threads", usage.threads);
  }
  // /proc/PID/stat: utime and stime are fields 14 and 15, in clock ticks,
  // after the command name in parentheses (which may hold spaces).
  std::ifstream stat(dir + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (usage.rss_kib == 0 || paren == std::string::npos)
    return Status::IOError("cannot read " + dir + " (has the server ended?)");
  std::istringstream fields(text.substr(paren + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt
  uint64_t utime = 0, stime = 0;
  fields >> utime >> stime;
  usage.cpu_seconds =
      static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  return usage;
}

Status ServerChild::Stop() {
  if (pid_ < 0) return Status::OK();
  ::close(pipe_fd_);
  int wstatus = 0;
  while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (WIFSIGNALED(wstatus))
    return Status::IOError(fmt::format("the server was killed by signal {}", WTERMSIG(wstatus)));
  if (WEXITSTATUS(wstatus) != 0)
    return Status::IOError(fmt::format("the server exited with {}", WEXITSTATUS(wstatus)));
  return Status::OK();
}

}  // namespace journaldb::bench
