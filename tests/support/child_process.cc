#include "support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "support/temp_dir.h"

extern char** environ;

namespace journaldb::testing {

namespace {

// The parent's environment with `extra` (NAME=VALUE) added or replacing.
std::vector<std::string> Environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    bool replaced = false;
    for (const std::string& x : extra) replaced = replaced || name_of(x) == name_of(entry);
    if (!replaced) env.push_back(std::move(entry));
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (std::string& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

// Spawns argv with `actions`; the pid, or -1 with *error set.
pid_t Spawn(const std::vector<std::string>& argv, posix_spawn_file_actions_t* actions,
            const SpawnOptions& options, std::string* error) {
  std::vector<std::string> args = argv;
  std::vector<std::string> env = Environment(options.env);
  std::vector<char*> arg_ptrs = Pointers(args), env_ptrs = Pointers(env);
  // SIGPIPE's default action, as a shell gives it, whatever the test runner
  // set: a test of what a child does on a closed pipe sees the child's own.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, arg_ptrs[0], actions, &attr, arg_ptrs.data(), env_ptrs.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    *error = "posix_spawn " + argv[0] + ": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// waitpid without EINTR; the raw status, or nullopt if `flags` has WNOHANG
// and the child still runs.
std::optional<int> Reap(pid_t pid, int flags) {
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, flags);
    if (r == pid) return status;
    if (r == 0) return std::nullopt;
    if (errno != EINTR) return 0;
  }
}

std::optional<int> ReapWithin(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (std::optional<int> status = Reap(pid, WNOHANG)) return status;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

ProcessResult RunProcess(const std::vector<std::string>& argv, const SpawnOptions& options) {
  ProcessResult result;
  // Files, not pipes: the child can write (and be given) any amount without
  // a reader on the other side.
  TempDir dir;
  const std::string in_path = dir.Sub("stdin");
  const std::string out_path = dir.Sub("stdout");
  const std::string err_path = dir.Sub("stderr");
  std::ofstream(in_path, std::ios::binary) << options.stdin_text;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in_path.c_str(), O_RDONLY, 0);
  int unread[2] = {-1, -1};
  if (options.stdout_unread) {
    if (pipe2(unread, O_CLOEXEC) != 0) {
      posix_spawn_file_actions_destroy(&actions);
      result.err = std::string("pipe2: ") + std::strerror(errno);
      return result;
    }
    close(unread[0]);
    posix_spawn_file_actions_adddup2(&actions, unread[1], STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  if (options.stderr_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, options.stderr_fd, STDERR_FILENO);
  else if (options.merge_stderr)
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  else
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::string error;
  pid_t pid = Spawn(argv, &actions, options, &error);
  posix_spawn_file_actions_destroy(&actions);
  if (unread[1] >= 0) close(unread[1]);
  if (pid < 0) {
    result.err = error;
    return result;
  }
  std::optional<int> status;
  if (options.timeout.count() > 0) {
    status = ReapWithin(pid, options.timeout);
    if (!status) {
      kill(pid, SIGKILL);
      result.timed_out = true;
    }
  }
  if (!status) status = Reap(pid, 0);
  if (WIFEXITED(*status) && !result.timed_out) result.exit_code = WEXITSTATUS(*status);
  if (WIFSIGNALED(*status)) result.signal = WTERMSIG(*status);
  result.out = ReadFile(out_path);
  if (options.stderr_fd < 0 && !options.merge_stderr) result.err = ReadFile(err_path);
  return result;
}

std::unique_ptr<ChildProcess> ChildProcess::Start(const std::vector<std::string>& argv,
                                                  std::string* error,
                                                  const SpawnOptions& options) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    return nullptr;
  }
  if (pipe2(out, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    close(in[0]);
    close(in[1]);
    return nullptr;
  }
  // Small input fits the pipe buffer, so it is written before the child
  // runs; the write end is then closed and the child reads EOF after it.
  bool input_given = !options.stdin_text.empty();
  if (input_given) {
    ssize_t n = write(in[1], options.stdin_text.data(), options.stdin_text.size());
    close(in[1]);
    in[1] = -1;
    if (n != static_cast<ssize_t>(options.stdin_text.size())) {
      *error = "stdin_text must fit the pipe buffer";
      close(in[0]);
      close(out[0]);
      close(out[1]);
      return nullptr;
    }
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears close-on-exec on the target descriptors.
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  if (options.stderr_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, options.stderr_fd, STDERR_FILENO);
  else if (!options.stderr_path.empty())
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, options.stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = Spawn(argv, &actions, options, error);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  if (pid < 0) {
    if (in[1] >= 0) close(in[1]);
    close(out[0]);
    return nullptr;
  }
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->pid_ = pid;
  child->stdin_fd_ = in[1];
  child->stdout_fd_ = out[0];
  return child;
}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    Kill(SIGKILL);
    Wait();
  }
  CloseStdin();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

bool ChildProcess::ReadMore() {
  if (eof_) return false;
  for (;;) {
    char chunk[4096];
    ssize_t n = read(stdout_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

std::optional<std::string> ChildProcess::ReadLine() {
  for (;;) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    // A partial last line (none is expected: each line is one small write)
    // is dropped at EOF; ReadAll keeps it.
    if (!ReadMore()) return std::nullopt;
  }
}

std::string ChildProcess::ReadAll() {
  while (ReadMore()) {
  }
  return std::exchange(buffer_, std::string());
}

void ChildProcess::CloseStdin() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  stdin_fd_ = -1;
}

void ChildProcess::Kill(int signal) {
  if (!reaped_) kill(pid_, signal);
}

int ChildProcess::Wait() {
  if (reaped_) return status_;
  status_ = *Reap(pid_, 0);
  reaped_ = true;
  return status_;
}

std::optional<int> ChildProcess::WaitFor(std::chrono::milliseconds timeout) {
  if (reaped_) return status_;
  std::optional<int> status = ReapWithin(pid_, timeout);
  if (status) {
    reaped_ = true;
    status_ = *status;
  }
  return status;
}

std::optional<int> ChildProcess::Poll() { return WaitFor(std::chrono::milliseconds(0)); }

}  // namespace journaldb::testing
