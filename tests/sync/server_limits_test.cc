// Resource limits of a real journal-server: what a peer announces costs
// nothing until it is sent, slow and silent connections are closed at their
// deadlines, connections beyond the caps are refused, the open-file limit
// leaves the store its files, and after each of these a real client syncs.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <boost/filesystem.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <utility>

#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

using testing::RawClient;
using testing::ServerLaunch;
using wire::ErrorCode;

std::string Prefix(uint32_t n) {
  return std::string{static_cast<char>(n & 0xFF), static_cast<char>((n >> 8) & 0xFF),
                     static_cast<char>((n >> 16) & 0xFF), static_cast<char>(n >> 24)};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t CountLines(const std::string& text, const std::string& needle) {
  size_t count = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) count += line.find(needle) != line.npos;
  return count;
}

testing::ServerLaunch WithArgs(std::vector<std::string> args) {
  ServerLaunch launch;
  launch.extra_args = std::move(args);
  return launch;
}

testing::ServerLaunch UnderPrlimit(std::string limit) {
  ServerLaunch launch;
  launch.wrapper = {"/usr/bin/prlimit", std::move(limit)};
  return launch;
}

// A field of process `pid` in KiB ("VmRSS", "VmSize" in /proc/PID/status).
uint64_t StatusKiB(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
  ADD_FAILURE() << "no " << field << " for pid " << pid;
  return 0;
}

uint64_t ResidentKiB(pid_t pid) { return StatusKiB(pid, "VmRSS"); }

// How many times the event of lines containing `needle` happened: each line
// counts itself and the similar ones it says it suppressed.
uint64_t CountAttempts(const std::string& text, const std::string& needle) {
  uint64_t count = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(needle) == line.npos) continue;
    ++count;
    const size_t at = line.find(" similar suppressed)");
    if (at == line.npos) continue;
    const size_t open = line.rfind('(', at);
    count += std::stoull(line.substr(open + 1, at - open - 1));
  }
  return count;
}

// Waits until the server's log has `count` lines containing `needle`
// (events the test caused but cannot otherwise observe).
void AwaitLogLines(const testing::ServerProcess& server, const std::string& needle, size_t count) {
  for (int i = 0; i < 3000 && CountLines(ReadFile(server.log_path()), needle) < count; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GE(CountLines(ReadFile(server.log_path()), needle), count) << ReadFile(server.log_path());
}

// True once the server has closed `fd`'s connection (EOF or reset after any
// bytes it sent first); false if it is still open.
bool ServerClosed(int fd) {
  char buffer[256];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  }
}

// Sends one byte of `bytes` at a time, a fifth of a second apart, until the
// server closes the connection; true if it did before the bytes ran out
// (a minute's worth: far beyond the deadlines these tests set).
bool SlowlyUntilClosed(RawClient& c, const std::string& bytes, int fd) {
  for (char byte : bytes) {
    if (ServerClosed(fd)) return true;
    if (!c.SendBytes(std::string_view(&byte, 1)).ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return ServerClosed(fd);
}

// A new client file syncs everything there is; retried while the server
// answers a retryable error (a cap not yet released by closing connections).
void RealClientSyncs(const std::string& dir, const std::string& address) {
  auto db = Database::Open(dir, {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Transaction t = (*db)->BeginTransaction();
  ASSERT_TRUE(t.Upsert("c", "k", {{"n", Value::Int(1)}}).ok());
  ASSERT_TRUE(t.Commit().ok());
  Result<SyncReport> r = testing::SyncOnceRetrying(**db, address);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->uploaded_entries, 1u);
}

TEST(ServerLimits, AnnouncedFramesCostMemoryOnlyAsTheyArrive) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  const uint64_t before = ResidentKiB(server->pid());

  // 60 greeted connections each announce a 16 MiB frame and send one byte
  // of it; 60 ungreeted ones do the same and are refused at once.
  constexpr int kConnections = 60;
  std::vector<std::unique_ptr<RawClient>> greeted, ungreeted;
  for (int i = 0; i < kConnections; ++i) {
    greeted.push_back(std::make_unique<RawClient>(server->address()));
    ASSERT_TRUE(greeted.back()->Hello().ok());
    ASSERT_TRUE(greeted.back()->SendBytes(Prefix(wire::kMaxFrameBytes) + "x").ok());
    ungreeted.push_back(std::make_unique<RawClient>(server->address()));
    ASSERT_TRUE(ungreeted.back()->SendBytes(Prefix(wire::kMaxFrameBytes) + "x").ok());
  }
  for (auto& c : ungreeted) EXPECT_TRUE(c->ExpectErrorThenClose(ErrorCode::kBadFrame));
  // Time for the server to read every prefix and byte; a
  // buffer sized by the announced length would be allocated by then.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const uint64_t after = ResidentKiB(server->pid());
  std::cout << "server VmRSS before " << before / 1024 << " MiB, with " << kConnections
            << " announced 16 MiB frames " << after / 1024 << " MiB\n";
  EXPECT_LT(after, before + 64 * 1024);
  greeted.clear();
  RealClientSyncs(dir.Sub("client"), server->address());
}

TEST(ServerLimits, FramesBeyondTheInflightBudgetAreRefusedAsRetryable) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(
      dir.Sub("server"), WithArgs({"--max-inflight-bytes", "16777216"}), &error);
  ASSERT_TRUE(server) << error;
  // One connection holds 1 MiB of an unfinished frame; another's frame of
  // the whole 16 MiB budget cannot fit beside it.
  RawClient holder(server->address());
  ASSERT_TRUE(holder.Hello().ok());
  ASSERT_TRUE(holder.SendBytes(Prefix(wire::kMaxFrameBytes) + std::string(1u << 20, 'x')).ok());
  RawClient second(server->address());
  ASSERT_TRUE(second.Hello().ok());
  // The server stops reading when the budget is spent and closes: the send
  // may fail with a reset.
  second.SendBytes(Prefix(wire::kMaxFrameBytes) + std::string(wire::kMaxFrameBytes, 'y'))
      .IgnoreError();
  Result<wire::Message> m = second.Receive();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(std::holds_alternative<wire::Error>(*m)) << wire::MessageName(*m);
  EXPECT_EQ(std::get<wire::Error>(*m).code, ErrorCode::kServerError);
  EXPECT_NE(std::get<wire::Error>(*m).message.find("budget for frames in flight"),
            std::string::npos);
}

TEST(ServerLimits, SlowHelloIsClosedAtTheHelloDeadline) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"),
                                              WithArgs({"--hello-timeout-ms", "1000"}), &error);
  ASSERT_TRUE(server) << error;
  RawClient c(server->address());
  EXPECT_TRUE(SlowlyUntilClosed(c, Prefix(300) + std::string(300, 'x'), c.fd()));
  AwaitLogLines(*server, "before hello: receive timed out", 1);
  RealClientSyncs(dir.Sub("client"), server->address());
}

TEST(ServerLimits, SlowFrameIsClosedAtTheFrameDeadline) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"),
                                              WithArgs({"--frame-timeout-ms", "1000"}), &error);
  ASSERT_TRUE(server) << error;
  RawClient c(server->address());
  ASSERT_TRUE(c.Hello().ok());
  EXPECT_TRUE(SlowlyUntilClosed(c, Prefix(300) + std::string(300, 'x'), c.fd()));
  AwaitLogLines(*server, "the frame was not complete by its deadline", 1);
  RealClientSyncs(dir.Sub("client"), server->address());
}

TEST(ServerLimits, SilentConnectionIsClosedAtTheIdleTimeout) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"),
                                              WithArgs({"--idle-timeout-ms", "500"}), &error);
  ASSERT_TRUE(server) << error;
  RawClient c(server->address());
  ASSERT_TRUE(c.Hello().ok());
  // Receive waits up to its own 30 s timeout; the server closes first.
  Result<wire::Message> m = c.Receive();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "connection closed by peer");
  AwaitLogLines(*server, "no frame began before the deadline", 1);
}

TEST(ServerLimits, ConnectionsOverTheCapsAreRefusedAndRealClientsSyncAfter) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(
      dir.Sub("server"), WithArgs({"--max-connections", "3", "--max-connections-per-source", "2"}),
      &error);
  ASSERT_TRUE(server) << error;
  // From 127.0.0.1: two connections, then the per-address cap.
  std::vector<std::unique_ptr<RawClient>> open;
  for (int i = 0; i < 2; ++i) {
    open.push_back(std::make_unique<RawClient>(server->address()));
    ASSERT_TRUE(open.back()->Hello().ok());
  }
  RawClient third(server->address());
  EXPECT_TRUE(third.ExpectErrorThenClose(ErrorCode::kServerError));
  AwaitLogLines(*server, "the limit per address", 1);
  open.clear();
  RealClientSyncs(dir.Sub("client1"), server->address());

  // From another loopback address: the total cap of three.
  auto server2 = testing::ServerProcess::Start(dir.Sub("server2"),
                                               WithArgs({"--max-connections", "3"}), &error);
  ASSERT_TRUE(server2) << error;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<RawClient>(server2->address()));
    ASSERT_TRUE(open.back()->Hello().ok());
  }
  RawClient fourth(server2->address());
  EXPECT_TRUE(fourth.ExpectErrorThenClose(ErrorCode::kServerError));
  AwaitLogLines(*server2, "connections, its limit", 1);
  open.clear();
  RealClientSyncs(dir.Sub("client2"), server2->address());
}

// A flood of connections closed before their hello: their lines are
// rate-limited, and what the last interval held back is logged when the
// server stops, so every connect is accounted for.
TEST(ServerLimits, WhatTheRateLimitedLogHeldBackIsLoggedAtStop) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), {}, &error);
  ASSERT_TRUE(server) << error;
  for (int i = 0; i < 30; ++i) RawClient(server->address());
  // Accepted in order: once this one is greeted, the 30 were accepted.
  RawClient last(server->address());
  ASSERT_TRUE(last.Hello().ok());
  ASSERT_EQ(server->Terminate(), 0);
  const std::string log = ReadFile(server->log_path());
  const std::string tail = "before hello: connect: ";
  const size_t at = log.find(tail);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_EQ(CountAttempts(log, "connect conn=") + std::stoull(log.substr(at + tail.size())), 31u)
      << log;
  EXPECT_LT(at, log.rfind("stop"));
}

TEST(ServerLimits, AnOpenFileLimitWithNoRoomBesideTheStoreIsRefusedAtStart) {
  testing::TempDir dir;
  std::string error;
  auto server =
      testing::ServerProcess::Start(dir.Sub("server"), UnderPrlimit("--nofile=64"), &error);
  EXPECT_FALSE(server);
  EXPECT_NE(error.find("the open-file limit (64) leaves no room for a connection"),
            std::string::npos)
      << error;
}

// Descriptors of process `pid`, and how many of them are files in `dir`
// (the kernel shows their canonical paths).
std::pair<size_t, size_t> OpenFiles(pid_t pid, const std::string& dir) {
  size_t all = 0, under = 0;
  const std::string inside = boost::filesystem::canonical(dir).string() + "/";
  const boost::filesystem::path fds = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& fd : boost::filesystem::directory_iterator(fds)) {
    ++all;
    boost::system::error_code ec;
    under += boost::filesystem::read_symlink(fd.path(), ec).string().rfind(inside, 0) == 0;
  }
  return {all, under};
}

TEST(ServerLimits, AtTheOpenFileLimitConnectionsLeaveTheStoreItsFiles) {
  testing::TempDir dir;
  std::string error;
  const std::string data = dir.Sub("server");
  auto server = testing::ServerProcess::Start(data, UnderPrlimit("--nofile=400"), &error);
  ASSERT_TRUE(server) << error;
  // The default cap (1000) does not fit: the server says what it serves.
  const std::string log = ReadFile(server->log_path());
  const std::string said = "warning: serving at most ";
  ASSERT_NE(log.find(said), std::string::npos) << log;
  const uint32_t served = std::stoul(log.substr(log.find(said) + said.size()));
  ASSERT_GT(served, 0u);
  ASSERT_LT(served, 400u);
  const std::string kept = "the store keeps up to ";
  ASSERT_NE(log.find(kept), std::string::npos) << log;
  const uint64_t store_files = std::stoull(log.substr(log.find(kept) + kept.size()));
  // Twice as many connections as it serves: the rest are refused as over
  // its cap, not left to fail for want of a descriptor.
  std::vector<std::unique_ptr<RawClient>> open;
  for (uint32_t i = 0; i < served; ++i) {
    open.push_back(std::make_unique<RawClient>(server->address()));
    ASSERT_TRUE(open.back()->Hello().ok()) << i;
  }
  for (uint32_t i = 0; i < served; ++i) {
    RawClient refused(server->address());
    ASSERT_TRUE(refused.ExpectErrorThenClose(ErrorCode::kServerError)) << i;
  }
  // Every descriptor not the store's, and all the store may open, fit.
  const auto [all, store_now] = OpenFiles(server->pid(), data);
  EXPECT_LE(all - store_now + store_files, 400u) << all << " open, " << store_now << " the store's";
  EXPECT_GE(all - store_now, served) << "the served connections hold a socket each";
  EXPECT_EQ(CountLines(ReadFile(server->log_path()), "accept failed"), 0u);
  open.clear();
  RealClientSyncs(dir.Sub("client"), server->address());
  EXPECT_EQ(server->Terminate(), 0);  // stops cleanly, without a crash
}

// The limit lowered under a running server (as an operator's `prlimit` or
// descriptors held by something else would leave it): accepts fail, and the
// loop backs off instead of spinning, then serves again once it can.
TEST(ServerLimits, WhenAcceptFailsTheLoopBacksOffAndServesAgainAfter) {
  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), &error);
  ASSERT_TRUE(server) << error;
  rlimit lowered{}, before{};
  ASSERT_EQ(::prlimit(server->pid(), RLIMIT_NOFILE, nullptr, &before), 0);
  lowered = before;
  lowered.rlim_cur = OpenFiles(server->pid(), dir.Sub("server")).first + 3;
  ASSERT_EQ(::prlimit(server->pid(), RLIMIT_NOFILE, &lowered, nullptr), 0);
  // More connections than descriptors left: the kernel completes them all,
  // the server accepts until it has no descriptor left.
  std::vector<std::unique_ptr<RawClient>> open;
  for (int i = 0; i < 20; ++i) open.push_back(std::make_unique<RawClient>(server->address()));
  AwaitLogLines(*server, "accept failed", 1);
  // Held for two seconds: a loop that retried at once would fail thousands
  // of times (its log lines are rate-limited, and count what they suppress);
  // backing off from 10 ms, doubling, it fails about eight times.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const std::string log = ReadFile(server->log_path());
  EXPECT_LE(CountAttempts(log, "accept failed"), 20u) << log.substr(0, 4000);
  EXPECT_NE(log.find("Too many open files"), std::string::npos);
  ASSERT_EQ(::prlimit(server->pid(), RLIMIT_NOFILE, &before, nullptr), 0);
  open.clear();
  RealClientSyncs(dir.Sub("client"), server->address());
  EXPECT_EQ(server->Terminate(), 0);  // stops cleanly, without a crash
}

// A file-size limit (RLIMIT_FSIZE, or a file system's largest file) reached
// by the store's log: its write fails, and the process stays up (SIGXFSZ
// would end it), answering each write with the store's error, which says
// that the store accepts no more writes; the log says so once, with why and
// what to do.
TEST(ServerLimits, AFileSizeLimitFailsTheWriteNotTheProcess) {
  testing::TempDir dir;
  std::string error;
  auto server =
      testing::ServerProcess::Start(dir.Sub("server"), UnderPrlimit("--fsize=1048576"), &error);
  ASSERT_TRUE(server) << error;
  auto db = Database::Open(dir.Sub("client"), {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  for (int i = 0; i < 4; ++i) {
    Transaction t = (*db)->BeginTransaction();
    ASSERT_TRUE(t.Upsert("c", "k" + std::to_string(i),
                         {{"v", Value::String(std::string(512 << 10, 'a' + i))}})
                    .ok());
    ASSERT_TRUE(t.Commit().ok());
  }
  Result<SyncReport> r = SyncOnce(**db, testing::SyncTo(server->address()));
  ASSERT_FALSE(r.ok()) << "2 MiB stored under a 1 MiB file-size limit";
  EXPECT_NE(r.status().message().find("store uploads: IO error"), std::string::npos)
      << r.status().ToString();
  EXPECT_NE(r.status().message().find("File too large"), std::string::npos)
      << r.status().ToString();
  const std::string stopped = "accepts no writes until journal-server restarts";
  EXPECT_NE(r.status().message().find(stopped), std::string::npos) << r.status().ToString();
  // Still serving: a registration (a write) is refused with the reason.
  RawClient c(server->address());
  Result<wire::HelloOk> hello = c.Hello();
  ASSERT_FALSE(hello.ok());
  EXPECT_NE(hello.status().message().find("File too large"), std::string::npos)
      << hello.status().ToString();
  EXPECT_NE(hello.status().message().find(stopped), std::string::npos) << hello.status().ToString();
  EXPECT_EQ(server->Terminate(), 0);  // stops cleanly, without a crash
  // One line for the two refused writes: what failed, the error, what to do.
  const std::string log = ReadFile(server->log_path());
  const std::string line =
      "error: the store stopped accepting writes after a write to the "
      "write-ahead log failed: IO error: While appending to file: ";
  EXPECT_EQ(CountLines(log, line), 1u) << log;
  const size_t at = log.find(line);
  ASSERT_NE(at, std::string::npos) << log;
  const std::string logged = log.substr(at, log.find('\n', at) - at);
  EXPECT_NE(logged.find("File too large"), std::string::npos) << logged;
  EXPECT_NE(logged.find("refused until journal-server restarts: free disk space or raise the "
                        "file-size limit, then restart it"),
            std::string::npos)
      << logged;
}

TEST(ServerLimits, UnderAnAddressSpaceLimitConnectionsNeedNoThreadsOfTheirOwn) {
  testing::TempDir dir;
  std::string error;
  // The address space a started server uses, then room for a few more
  // threads (each reserves 8 MiB of stack) but not for 60: connections
  // served by the event loop need none.
  uint64_t started_kib = 0;
  {
    ServerLaunch plain;
    plain.env = {"MALLOC_ARENA_MAX=1"};
    auto probe = testing::ServerProcess::Start(dir.Sub("probe"), plain, &error);
    ASSERT_TRUE(probe) << error;
    started_kib = StatusKiB(probe->pid(), "VmSize");
  }
  // One malloc arena per process keeps the address space independent of how
  // busy the machine is (glibc reserves 64 MiB per extra arena, and a loaded
  // machine makes more threads contend and create them).
  ServerLaunch launch =
      UnderPrlimit("--as=" + std::to_string((started_kib + 160 * 1024) * 1024));
  launch.env = {"MALLOC_ARENA_MAX=1"};
  auto server = testing::ServerProcess::Start(dir.Sub("server"), launch, &error);
  ASSERT_TRUE(server) << error;
  std::vector<std::unique_ptr<RawClient>> open;
  for (int i = 0; i < 60; ++i) {
    open.push_back(std::make_unique<RawClient>(server->address()));
    Result<wire::HelloOk> hello = open.back()->Hello();
    ASSERT_TRUE(hello.ok()) << "connection " << i << ": " << hello.status().ToString();
  }
  RealClientSyncs(dir.Sub("client"), server->address());
  open.clear();
  EXPECT_EQ(server->Terminate(), 0);
  if (HasFailure()) {
    std::ifstream log(server->log_path());
    std::cerr << "server log:\n" << log.rdbuf();
  }
}

}  // namespace
}  // namespace journaldb
