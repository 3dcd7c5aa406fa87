// The server's event loop under many idle clients: 10,000 connections that
// said hello and wait in a long-polling download hold no thread each (the
// server's thread count stays at what it started with), a real client syncs
// meanwhile, and its commit wakes the waiting downloads with the new version.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <fstream>
#include <string>
#include <vector>

#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

using testing::RawClient;

constexpr size_t kIdleClients = 10000;

// "Threads:" of /proc/PID/status.
int ThreadCount(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  ADD_FAILURE() << "no Threads for pid " << pid;
  return -1;
}

// The soft limit of open files raised to the hard one; false if even that
// cannot hold `needed`.
bool RaiseFileLimit(rlim_t needed) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  limit.rlim_cur = limit.rlim_max;
  return ::setrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur >= needed;
}

TEST(EventLoop, TenThousandIdleLongPollsHoldNoThreadsAndARealClientSyncs) {
  // The clients' sockets here, and the server's, with room for the rest.
  ASSERT_TRUE(RaiseFileLimit(kIdleClients + 1000))
      << "the hard limit of open files is below " << kIdleClients + 1000;
  testing::TempDir dir;
  std::string error;
  testing::ServerLaunch launch;
  const std::string files = std::to_string(kIdleClients + 1000);
  launch.wrapper = {"/usr/bin/prlimit", "--nofile=" + files};
  launch.extra_args = {"--max-connections", files,   "--max-connections-per-source", files,
                       "--max-wait-ms",     "600000"};
  auto server = testing::ServerProcess::Start(dir.Sub("server"), launch, &error);
  ASSERT_TRUE(server) << error;
  const int started_threads = ThreadCount(server->pid());

  // One registered client, whose identity every idle connection proves.
  RawClient registrar(server->address());
  Result<wire::HelloOk> registered = registrar.Hello();
  ASSERT_TRUE(registered.ok()) << registered.status().ToString();

  // Hellos sent on every connection before any answer is read: the server
  // serves them all at once.
  std::vector<std::unique_ptr<RawClient>> idle;
  idle.reserve(kIdleClients);
  wire::Hello hello;
  hello.client_id = registered->client_id;
  hello.client_secret = registered->client_secret;
  for (size_t i = 0; i < kIdleClients; ++i) {
    idle.push_back(std::make_unique<RawClient>(server->address()));
    ASSERT_TRUE(idle.back()->Send(hello).ok()) << "connection " << i;
  }
  const wire::DownloadRequest poll{registered->latest_version, /*wait_ms=*/600000};
  for (size_t i = 0; i < kIdleClients; ++i) {
    Result<wire::Message> ok = idle[i]->Receive();
    ASSERT_TRUE(ok.ok() && std::holds_alternative<wire::HelloOk>(*ok))
        << "connection " << i << ": "
        << (ok.ok() ? wire::MessageName(*ok) : ok.status().ToString());
    ASSERT_TRUE(idle[i]->Send(poll).ok()) << "connection " << i;
  }

  // Every download waits (nothing to read on any connection), and the
  // server still runs the threads it started with.
  for (size_t i = 0; i < kIdleClients; i += 997) {
    char byte;
    EXPECT_LT(::recv(idle[i]->fd(), &byte, 1, MSG_DONTWAIT), 0) << "connection " << i;
  }
  const int idle_threads = ThreadCount(server->pid());
  EXPECT_LE(idle_threads, started_threads + 2) << "started with " << started_threads << " threads";

  // A real client syncs meanwhile ...
  auto db = Database::Open(dir.Sub("client"), {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Transaction t = (*db)->BeginTransaction();
  ASSERT_TRUE(t.Upsert("c", "k", {{"n", Value::Int(1)}}).ok());
  ASSERT_TRUE(t.Commit().ok());
  Result<SyncReport> r = SyncOnce(**db, testing::SyncTo(server->address()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->uploaded_entries, 1u);

  // ... and its commit ends every wait with the new changeset.
  for (size_t i = 0; i < kIdleClients; ++i) {
    Result<wire::Message> reply = idle[i]->Receive();
    ASSERT_TRUE(reply.ok()) << "connection " << i << ": " << reply.status().ToString();
    auto* changesets = std::get_if<wire::Changesets>(&*reply);
    ASSERT_NE(changesets, nullptr) << "connection " << i << ": " << wire::MessageName(*reply);
    ASSERT_EQ(changesets->changesets.size(), 1u) << "connection " << i;
  }
  EXPECT_LE(ThreadCount(server->pid()), started_threads + 2);
  idle.clear();
  EXPECT_EQ(server->Terminate(), 0);
}

}  // namespace
}  // namespace journaldb
