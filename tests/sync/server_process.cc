#include "server_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace journaldb::testing {

namespace {
// Spawns argv with stdout to a pipe (returned in *out_fd) and stderr to `log`.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log, int* out_fd,
            std::string* error) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    *error = "pipe failed";
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<char*> argv;
  std::string path = JOURNAL_SERVER_PATH;
  argv.push_back(path.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    *error = std::string("posix_spawn: ") + std::strerror(rc);
    ::close(pipe_fds[0]);
    return -1;
  }
  *out_fd = pipe_fds[0];
  return pid;
}

std::string ReadLine(int fd) {
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  return line;
}
}  // namespace

std::unique_ptr<ServerProcess> ServerProcess::Restart(const std::string& data_dir,
                                                      std::string* error, uint16_t port,
                                                      const std::string& token) {
  std::unique_ptr<ServerProcess> server = Start(data_dir, error, port, token);
  if (server == nullptr && port != 0) server = Start(data_dir, error, 0, token);
  return server;
}

std::unique_ptr<ServerProcess> ServerProcess::Start(const std::string& data_dir, std::string* error,
                                                    uint16_t port, const std::string& token) {
  std::unique_ptr<ServerProcess> p(new ServerProcess());
  p->log_path_ = data_dir + ".log";
  std::vector<std::string> args = {"--data", data_dir, "--listen",
                                   "127.0.0.1:" + std::to_string(port)};
  if (!token.empty()) args.insert(args.end(), {"--token", token});
  int out = -1;
  p->pid_ = Spawn(args, p->log_path_, &out, error);
  if (p->pid_ < 0) return nullptr;
  std::string line = ReadLine(out);
  ::close(out);
  const std::string prefix = "listening on 127.0.0.1:";
  if (line.rfind(prefix, 0) != 0) {
    std::ifstream log(p->log_path_);
    std::stringstream ss;
    ss << log.rdbuf();
    *error = "journal-server did not start: " + line + " / log: " + ss.str();
    return nullptr;
  }
  p->port_ = static_cast<uint16_t>(std::stoi(line.substr(prefix.size())));
  p->address_ = "127.0.0.1:" + std::to_string(p->port_);
  return p;
}

ServerProcess::~ServerProcess() { Kill(); }

int ServerProcess::Reap() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

void ServerProcess::Kill() {
  if (pid_ < 0) return;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    // It died before anyone stopped it: a server crash. Show why.
    pid_ = -1;
    std::ifstream log(log_path_);
    std::stringstream ss;
    ss << log.rdbuf();
    ADD_FAILURE() << "journal-server exited by itself (wait status " << status << "); log:\n"
                  << ss.str();
    return;
  }
  ::kill(pid_, SIGKILL);
  Reap();
}

int ServerProcess::Terminate() {
  if (pid_ < 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = Reap();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RunServerCommand(const std::vector<std::string>& args, std::string* output) {
  char tmpl[] = "/tmp/journal-server-cmd-XXXXXX";
  int log_fd = ::mkstemp(tmpl);
  if (log_fd < 0) return -1;
  ::close(log_fd);
  std::string error;
  int out = -1;
  pid_t pid = Spawn(args, tmpl, &out, &error);
  if (pid < 0) {
    *output = error;
    return -1;
  }
  std::string text;
  char buf[512];
  for (ssize_t n; (n = ::read(out, buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  ::close(out);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::ifstream log(tmpl);
  std::stringstream ss;
  ss << log.rdbuf();
  ::unlink(tmpl);
  *output = text + ss.str();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace journaldb::testing
