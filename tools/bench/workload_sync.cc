// Workload `sync`: a journal-server in a child process (ServerChild, forked
// before any thread), over loopback TCP, optionally TLS (--tls, a
// self-signed certificate made at run time), with --idle-connections N idle
// clients held open for the whole workload. It measures, in this order:
//  - idle: the server's resident memory, threads and CPU over a 3 s window
//    with the N connections long-polling and no traffic;
//  - fresh client: a new client's sync (connect, hello, upload and ack) of
//    1,000 entries committed offline; its commit also ends the N waits, and
//    the server's CPU and memory 5 s later show what sending that changeset
//    to N connections that do not read it cost;
//  - throughput, after the idle connections are closed, 1 and 16 clients, each with its own
//  database, in two modes:
//    batched: the clients commit their share offline, then upload it
//    concurrently (large upload messages); per-commit: each client uploads
//    and waits for the ack after every transaction, so the server's group
//    commit is what shares fsyncs. The clock runs from the first connection
//    to the last acknowledgement (every entry fsynced on the server).
// All runs share the one server (each client registers anew).
#include <fmt/format.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "bench.h"
#include "commit_loop.h"
#include "idle_clients.h"
#include "journaldb/database.h"
#include "journaldb/engine/sync/connection.h"
#include "json_line.h"
#include "rss.h"
#include "scratch_postgres.h"
#include "self_signed.h"
#include "server_child.h"

namespace journaldb::bench {

namespace {

constexpr uint64_t kDefaultOps = 20000;
constexpr int kDefaultClientCounts[] = {1, 16};
// Per-commit uploads cost a server fsync round trip each: fewer transactions.
constexpr uint64_t kPerCommitDivisor = 10;
constexpr uint64_t kFreshClientEntries = 1000;
constexpr std::chrono::seconds kIdleWindow{3};
constexpr uint32_t kIdleWaitMs = 600000;
constexpr std::chrono::seconds kFanOutWindow{5};

struct SyncRunResult {
  uint64_t entries = 0;
  double seconds = 0;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<SyncRunResult> SyncRun(const std::string& root, const SyncOptions& options, uint64_t ops,
                              int clients, bool per_commit) {
  const uint64_t per_client = ops / static_cast<uint64_t>(clients);
  auto key = [&](uint64_t i, int c) { return i * static_cast<uint64_t>(clients) + c; };
  std::vector<std::unique_ptr<Database>> dbs;
  for (int c = 0; c < clients; ++c) {
    Result<std::unique_ptr<Database>> db = Database::Open(root + "/client" + std::to_string(c), {});
    if (!db.ok()) return db.status();
    for (uint64_t i = 0; !per_commit && i < per_client; ++i)
      if (Status s = CommitObject(**db, key(i, c)); !s.ok()) return s;
    dbs.push_back(std::move(db).value());
  }

  std::vector<Status> results(static_cast<size_t>(clients));
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      Database& client_db = *dbs[static_cast<size_t>(c)];
      Status& result = results[static_cast<size_t>(c)];
      Result<std::unique_ptr<sync::Connection>> conn = sync::Connection::Open(client_db, options);
      if (!conn.ok()) {
        result = conn.status();
        return;
      }
      if (!per_commit) {
        result = (*conn)->UploadAll().status();
        return;
      }
      for (uint64_t i = 0; i < per_client && result.ok(); ++i) {
        result = CommitObject(client_db, key(i, c));
        if (result.ok()) result = (*conn)->UploadAll().status();
      }
    });
  for (std::thread& t : threads) t.join();
  const double seconds = SecondsSince(start);
  for (const Status& s : results)
    if (!s.ok()) return s;
  return SyncRunResult{per_client * static_cast<uint64_t>(clients), seconds};
}

Status RunAll(const BenchArgs& args, const std::string& root) {
  const uint64_t idle_connections = args.idle_connections.value_or(0);
  // The bench holds the client end of every idle connection, the server
  // child the other.
  if (idle_connections > 0)
    if (Status s = RaiseFileLimit(idle_connections + 1000); !s.ok()) return s;
  boost::filesystem::create_directories(root);
  server::ServerOptions so;
  so.data_dir = root + "/server";
  // With --postgres the server stores on a scratch database there instead
  // (dropped at the end, after the server child stopped).
  std::unique_ptr<ScratchPostgres> scratch;
  if (!args.postgres.empty()) {
    Result<std::unique_ptr<ScratchPostgres>> opened = ScratchPostgres::Connect(args.postgres);
    if (!opened.ok()) return opened.status();
    scratch = std::move(opened).value();
    Result<std::string> db = scratch->NewDatabase();
    if (!db.ok()) return db.status();
    so.data_dir.clear();
    so.postgres = *db;  // initialized by the server child
  }
  so.max_connections = static_cast<uint32_t>(std::max<uint64_t>(idle_connections + 100, 1000));
  so.max_connections_per_source = so.max_connections;
  so.max_wait_ms = kIdleWaitMs;
  SyncOptions options;
  if (args.tls) {
    Result<CertificateFiles> cert = MakeSelfSignedCertificate(root);
    if (!cert.ok()) return cert.status();
    so.tls_cert_file = cert->cert_path;
    so.tls_key_file = cert->key_path;
    options.tls = true;
    options.tls_ca_file = cert->cert_path;
  }
  Result<ServerChild> server = ServerChild::Start(so);
  if (!server.ok()) return server.status();
  options.server = server->address();
  Result<ProcessUsage> before = server->Usage();
  if (!before.ok()) return before.status();

  std::shared_ptr<const sync::TlsContext> tls;
  if (args.tls) {
    Result<std::shared_ptr<const sync::TlsContext>> context =
        sync::TlsContext::ForClient(options.tls_ca_file);
    if (!context.ok()) return context.status();
    tls = *context;
  }
  auto opened = std::chrono::steady_clock::now();
  Result<std::vector<sync::Socket>> idle =
      OpenIdleClients(server->address(), idle_connections, tls.get(), kIdleWaitMs);
  if (!idle.ok()) return idle.status();
  const double open_seconds = SecondsSince(opened);
  // Let the last downloads park, then measure a window with no traffic.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Result<ProcessUsage> idle_start = server->Usage();
  auto window = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(kIdleWindow);
  Result<ProcessUsage> idle_end = server->Usage();
  const double window_seconds = SecondsSince(window);
  if (!idle_start.ok()) return idle_start.status();
  if (!idle_end.ok()) return idle_end.status();
  const double idle_cpu = idle_end->cpu_seconds - idle_start->cpu_seconds;

  // A fresh client: its own database, 1,000 entries committed offline.
  Result<std::unique_ptr<Database>> db = Database::Open(root + "/fresh", {});
  if (!db.ok()) return db.status();
  for (uint64_t i = 0; i < kFreshClientEntries; ++i)
    if (Status s = CommitObject(**db, i); !s.ok()) return s;
  auto fresh = std::chrono::steady_clock::now();
  Result<std::unique_ptr<sync::Connection>> conn = sync::Connection::Open(**db, options);
  if (!conn.ok()) return conn.status();
  if (Status s = (*conn)->UploadAll().status(); !s.ok()) return s;
  const double fresh_seconds = SecondsSince(fresh);
  conn->reset();
  db->reset();
  // The commit ended every wait: the server sends the new changeset to each
  // idle connection, which does not read it.
  std::this_thread::sleep_for(kFanOutWindow);
  Result<ProcessUsage> after = server->Usage();
  if (!after.ok()) return after.status();
  JsonLine()
      .Add("workload", "sync")
      .Add("mode", "idle")
      .Add("tls", args.tls)
      .Add("idle_connections", idle_connections)
      .Add("open_seconds", open_seconds, 2)
      .Add("idle_window_seconds", window_seconds, 2)
      .Add("server_idle_cpu_seconds", idle_cpu, 3)
      .Add("server_idle_cpu_percent_of_one_core", 100 * idle_cpu / window_seconds, 2)
      .Add("server_threads_before", before->threads)
      .Add("server_threads_idle", idle_end->threads)
      .Add("server_rss_kib_before", before->rss_kib)
      .Add("server_rss_kib_idle", idle_end->rss_kib)
      .Add("server_peak_rss_kib_idle", idle_end->peak_rss_kib)
      .Add("fresh_client_entries", kFreshClientEntries)
      .Add("fresh_client_sync_seconds", fresh_seconds, 3)
      .Add("server_cpu_seconds_fan_out", after->cpu_seconds - idle_end->cpu_seconds, 3)
      .Add("server_rss_kib_fan_out", after->rss_kib)
      .Add("server_peak_rss_kib_fan_out", after->peak_rss_kib)
      .Print();
  // The throughput runs without them: each version would again be sent to
  // every one of them, unread.
  idle->clear();

  const uint64_t ops = args.ops.value_or(kDefaultOps);
  std::vector<int> counts(std::begin(kDefaultClientCounts), std::end(kDefaultClientCounts));
  if (args.threads) counts = {*args.threads};
  for (bool per_commit : {false, true}) {
    const char* mode = per_commit ? "per-commit" : "batched";
    for (int clients : counts) {
      const std::string run_root = root + "/" + mode + "-" + std::to_string(clients);
      const uint64_t run_ops = per_commit ? std::max<uint64_t>(ops / kPerCommitDivisor, 1) : ops;
      Result<SyncRunResult> r = SyncRun(run_root, options, run_ops, clients, per_commit);
      if (!r.ok())
        return Status::IOError(
            fmt::format("{}, {} clients: {}", mode, clients, r.status().ToString()));
      Result<ProcessUsage> usage = server->Usage();
      if (!usage.ok()) return usage.status();
      JsonLine line;
      line.Add("workload", "sync");
      if (scratch != nullptr) line.Add("store", "postgres");  // the report reads no such lines
      line.Add("mode", mode)
          .Add("tls", args.tls)
          .Add("idle_connections", idle_connections)
          .Add("clients", clients)
          .Add("ops", r->entries)
          .Add("seconds", r->seconds, 4)
          .Add("ops_per_s", static_cast<double>(r->entries) / r->seconds, 0)
          .Add("peak_rss_kib", PeakRssKib())
          .Add("server_peak_rss_kib", usage->peak_rss_kib)
          .Print();
    }
  }
  return server->Stop();
}

}  // namespace

int RunSync(const BenchArgs& args) {
  namespace fs = boost::filesystem;
  const fs::path root =
      args.db.empty() ? fs::temp_directory_path() / fs::unique_path("journal-bench-sync-%%%%-%%%%")
                      : fs::path(args.db);
  Status s = RunAll(args, root.string());
  if (args.db.empty()) {
    boost::system::error_code ec;
    fs::remove_all(root, ec);
  }
  if (!s.ok()) {
    std::fprintf(stderr, "journal-bench: sync: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace journaldb::bench
