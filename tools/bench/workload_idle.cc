// Workload `idle`: what N idle clients cost the server. An in-process
// journal-server gets N connections over loopback that each said hello and
// wait in a long-polling download, then nothing happens for a few seconds:
// the process's CPU time over that window (the clients are plain sockets
// without threads, so it is the server's), its thread count and resident
// memory before and with the connections.
#include <sys/resource.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench.h"
#include "json_line.h"
#include "journaldb/protocol/socket.h"
#include "journaldb/server/admin.h"
#include "journaldb/server/server.h"

namespace journaldb::bench {

namespace {

// Both ends of each connection count against this process's open files: 9,000
// fit under a hard limit of 20,000.
constexpr uint64_t kDefaultIdleConnections = 9000;
constexpr std::chrono::seconds kIdleWindow{3};

// A field of /proc/self/status ("VmRSS" in KiB, "Threads").
uint64_t SelfStatus(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
  return 0;
}

double CpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Expects a reply of type T on `s`.
template <typename T>
Result<T> Expect(sync::Socket& s) {
  Result<wire::Message> m = sync::ReceiveMessage(s);
  if (!m.ok()) return m.status();
  if (auto* t = std::get_if<T>(&*m)) return *t;
  return Status::IOError(fmt::format("unexpected {}", wire::MessageName(*m)));
}

Status RunIdle(const std::string& root, uint64_t n) {
  // Both ends of every connection are in this process; raising the hard
  // limit needs privilege.
  const rlim_t needed = 2 * n + 1000;
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  const rlim_t hard = files.rlim_max;
  files.rlim_max = std::max(hard, needed);
  files.rlim_cur = files.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &files) != 0)
    return Status::InvalidArgument(fmt::format(
        "{} idle connections need {} open files (both ends); the hard limit is {}", n, needed,
        hard));
  server::ServerOptions so;
  so.data_dir = root + "/server";
  so.max_connections = static_cast<uint32_t>(n + 10);
  so.max_connections_per_source = so.max_connections;
  so.max_wait_ms = 600000;
  if (Result<std::string> init = server::Init({so.data_dir, ""}); !init.ok()) return init.status();
  Result<std::unique_ptr<server::Server>> server = server::Server::Start(so);
  if (!server.ok()) return server.status();
  const std::string address = "127.0.0.1:" + std::to_string((*server)->port());
  const uint64_t threads_before = SelfStatus("Threads");
  const uint64_t rss_before = SelfStatus("VmRSS");

  // One registered client, whose identity every connection proves.
  Result<sync::Socket> registrar = sync::Socket::Connect(address);
  if (!registrar.ok()) return registrar.status();
  if (Status s = sync::SendMessage(*registrar, wire::Hello{}); !s.ok()) return s;
  Result<wire::HelloOk> registered = Expect<wire::HelloOk>(*registrar);
  if (!registered.ok()) return registered.status();
  wire::Hello hello;
  hello.client_id = registered->client_id;
  hello.client_secret = registered->client_secret;
  std::vector<sync::Socket> idle;
  idle.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    Result<sync::Socket> s = sync::Socket::Connect(address);
    if (!s.ok()) return s.status();
    if (Status sent = sync::SendMessage(*s, hello); !sent.ok()) return sent;
    idle.push_back(std::move(s).value());
  }
  const wire::DownloadRequest poll{registered->latest_version, so.max_wait_ms};
  for (sync::Socket& s : idle) {
    if (Result<wire::HelloOk> ok = Expect<wire::HelloOk>(s); !ok.ok()) return ok.status();
    if (Status sent = sync::SendMessage(s, poll); !sent.ok()) return sent;
  }
  // Let the last downloads park, then measure a window with no traffic.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double cpu_start = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(kIdleWindow);
  const double cpu = CpuSeconds() - cpu_start;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  JsonLine()
      .Add("workload", "idle")
      .Add("idle_connections", n)
      .Add("seconds", seconds)
      .Add("cpu_seconds", cpu)
      .Add("cpu_percent_of_one_core", 100 * cpu / seconds, 2)
      .Add("threads_before", threads_before)
      .Add("threads_idle", SelfStatus("Threads"))
      .Add("rss_kib_before", rss_before)
      .Add("rss_kib_idle", SelfStatus("VmRSS"))
      .Add("rss_bytes_per_connection",
           static_cast<uint64_t>((SelfStatus("VmRSS") - rss_before) * 1024 / n))
      .Print();
  idle.clear();
  (*server)->Stop();
  return Status::OK();
}

}  // namespace

int RunIdle(const BenchArgs& args) {
  const std::string root =
      (boost::filesystem::temp_directory_path() / boost::filesystem::unique_path("jb-idle-%%%%%%"))
          .string();
  Status s = RunIdle(root, args.idle_connections.value_or(kDefaultIdleConnections));
  boost::system::error_code ignored;
  boost::filesystem::remove_all(root, ignored);
  if (!s.ok()) {
    std::fprintf(stderr, "idle: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace journaldb::bench
