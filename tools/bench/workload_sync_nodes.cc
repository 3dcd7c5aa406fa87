// Workload `sync-nodes`: the write ceiling and the fan-out of server nodes
// (docs/server.md, "Scaling out on PostgreSQL"). In-process journal-server
// nodes: one on a data directory, then 1, 2 and 3 on one PostgreSQL database
// (with --postgres). For each, 1, 8 and 32 clients spread over the nodes
// commit and upload one transaction at a time, waiting for each ack:
// versions committed per second. Then, with the nodes of each setup, the
// fan-out latency: a writer on the first node uploads one transaction at a
// time while a watcher on the last node waits in a download; the time from
// the start of the upload until the watcher has integrated it, median and
// p99.
#include <algorithm>
#include <atomic>
#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "bench.h"
#include "commit_loop.h"
#include "journaldb/database.h"
#include "journaldb/engine/sync/connection.h"
#include "journaldb/server/admin.h"
#include "journaldb/server/server.h"
#include "json_line.h"
#include "median.h"
#include "scratch_postgres.h"

namespace journaldb::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kDefaultOps = 2000;  // per setup and client count
constexpr int kClientCounts[] = {1, 8, 32};
constexpr int kFanoutSamples = 200;

// The nodes of one setup: their addresses, and what keeps them running.
struct Nodes {
  std::vector<std::unique_ptr<server::Server>> servers;
  std::vector<std::string> addresses;
};

Result<Nodes> StartNodes(const std::string& data_dir, const std::string& postgres, int count) {
  Nodes nodes;
  for (int n = 0; n < count; ++n) {
    server::ServerOptions so;
    so.data_dir = data_dir;
    so.postgres = postgres;
    Result<std::unique_ptr<server::Server>> s = server::Server::Start(so);
    if (!s.ok()) return s.status();
    nodes.addresses.push_back("127.0.0.1:" + std::to_string((*s)->port()));
    nodes.servers.push_back(std::move(s).value());
  }
  return nodes;
}

Result<std::unique_ptr<Database>> OpenClient(const std::string& root, const std::string& name) {
  return Database::Open(root + "/" + name, {});
}

// `clients` clients, client c on node c % nodes, each committing and
// uploading `per_client` transactions one at a time; returns seconds.
Result<double> Uploads(const std::string& root, const Nodes& nodes, int clients,
                       uint64_t per_client) {
  std::vector<std::unique_ptr<Database>> dbs;
  for (int c = 0; c < clients; ++c) {
    Result<std::unique_ptr<Database>> db = OpenClient(root, "uploader" + std::to_string(c));
    if (!db.ok()) return db.status();
    dbs.push_back(std::move(db).value());
  }
  std::vector<Status> results(static_cast<size_t>(clients));
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      Database& db = *dbs[static_cast<size_t>(c)];
      Status& result = results[static_cast<size_t>(c)];
      SyncOptions options;
      options.server = nodes.addresses[static_cast<size_t>(c) % nodes.addresses.size()];
      Result<std::unique_ptr<sync::Connection>> conn = sync::Connection::Open(db, options);
      if (!conn.ok()) {
        result = conn.status();
        return;
      }
      for (uint64_t i = 0; i < per_client && result.ok(); ++i) {
        result = CommitObject(db, i * static_cast<uint64_t>(clients) + static_cast<uint64_t>(c));
        if (result.ok()) result = (*conn)->UploadAll().status();
      }
    });
  for (std::thread& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const Status& s : results)
    if (!s.ok()) return s;
  return seconds;
}

struct Fanout {
  double median_ms = 0;
  double p99_ms = 0;
};

// The writer uploads through the first node, the watcher downloads through
// the last one (the same node when there is one).
Result<Fanout> FanoutLatency(const std::string& root, const Nodes& nodes) {
  Result<std::unique_ptr<Database>> writer = OpenClient(root, "writer");
  Result<std::unique_ptr<Database>> watcher = OpenClient(root, "watcher");
  if (!writer.ok()) return writer.status();
  if (!watcher.ok()) return watcher.status();
  SyncOptions to_first, to_last;
  to_first.server = nodes.addresses.front();
  to_last.server = nodes.addresses.back();
  Result<std::unique_ptr<sync::Connection>> up = sync::Connection::Open(**writer, to_first);
  if (!up.ok()) return up.status();
  Result<std::unique_ptr<sync::Connection>> down = sync::Connection::Open(**watcher, to_last);
  if (!down.ok()) return down.status();
  // The watcher first catches up with what the upload runs left.
  for (bool caught_up = false; !caught_up;)
    if (Result<uint64_t> n = (*down)->DownloadOnce(0, &caught_up); !n.ok()) return n.status();

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> seen{0};  // changesets the watcher integrated
  std::mutex mu;
  std::vector<Clock::time_point> seen_at;  // when the i-th one was integrated
  Status watch_status;
  std::thread watch([&] {
    while (!stop) {
      bool caught_up = false;
      Result<uint64_t> n = (*down)->DownloadOnce(1000, &caught_up);
      if (!n.ok()) {
        watch_status = n.status();
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      for (uint64_t i = 0; i < *n; ++i) seen_at.push_back(Clock::now());
      seen += *n;
    }
  });
  std::vector<double> latencies_ms;
  Status status;
  for (int i = 0; i < kFanoutSamples && status.ok(); ++i) {
    auto start = Clock::now();
    status = CommitObject(**writer, static_cast<uint64_t>(i));
    if (status.ok()) status = (*up)->UploadAll().status();
    while (status.ok() && seen < static_cast<uint64_t>(i) + 1) {
      if (Clock::now() - start > std::chrono::seconds(10))
        status = Status::IOError("the watcher did not see an upload within 10 s");
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    if (!status.ok()) break;
    std::lock_guard<std::mutex> lock(mu);
    latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(seen_at[static_cast<size_t>(i)] - start).count());
  }
  stop = true;
  watch.join();
  if (!status.ok()) return status;
  if (!watch_status.ok()) return watch_status;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  return Fanout{Median(latencies_ms), latencies_ms[latencies_ms.size() * 99 / 100]};
}

// One setup: `node_count` nodes on the data directory (postgres empty) or
// on a fresh database; prints its lines.
Status RunSetup(const BenchArgs& args, ScratchPostgres* scratch, int node_count) {
  namespace fs = boost::filesystem;
  const std::string store = scratch == nullptr ? "rocksdb" : "postgres";
  for (int clients : kClientCounts) {
    fs::path root = fs::temp_directory_path() / fs::unique_path("journal-bench-nodes-%%%%-%%%%");
    fs::create_directories(root);
    std::string postgres;
    if (scratch != nullptr) {
      Result<std::string> db = scratch->NewDatabase();
      if (!db.ok()) return db.status();
      postgres = *db;
    }
    const std::string data_dir = postgres.empty() ? (root / "server").string() : "";
    Status s = server::Init({data_dir, postgres}).status();
    Result<Nodes> nodes = s.ok() ? StartNodes(data_dir, postgres, node_count) : Result<Nodes>(s);
    const uint64_t per_client =
        std::max<uint64_t>(args.ops.value_or(kDefaultOps) / static_cast<uint64_t>(clients), 1);
    Result<double> seconds = nodes.ok() ? Uploads(root.string(), *nodes, clients, per_client)
                                        : Result<double>(nodes.status());
    // The fan-out once per setup, after the single-client run.
    Result<Fanout> fanout = Fanout{};
    if (seconds.ok() && clients == kClientCounts[0]) fanout = FanoutLatency(root.string(), *nodes);
    if (nodes.ok()) nodes->servers.clear();
    boost::system::error_code ec;
    fs::remove_all(root, ec);
    if (!seconds.ok()) return seconds.status();
    if (!fanout.ok()) return fanout.status();
    const uint64_t versions = per_client * static_cast<uint64_t>(clients);
    JsonLine line;
    line.Add("workload", "sync-nodes")
        .Add("store", store)
        .Add("nodes", node_count)
        .Add("clients", clients)
        .Add("versions", versions)
        .Add("seconds", *seconds, 4)
        .Add("versions_per_s", static_cast<double>(versions) / *seconds, 0);
    if (clients == kClientCounts[0])
      line.Add("fanout_median_ms", fanout->median_ms, 2).Add("fanout_p99_ms", fanout->p99_ms, 2);
    line.Print();
  }
  return Status::OK();
}

}  // namespace

int RunSyncNodes(const BenchArgs& args) {
  std::unique_ptr<ScratchPostgres> scratch;
  if (!args.postgres.empty()) {
    Result<std::unique_ptr<ScratchPostgres>> opened = ScratchPostgres::Connect(args.postgres);
    if (!opened.ok()) {
      std::fprintf(stderr, "journal-bench: sync-nodes: %s\n", opened.status().ToString().c_str());
      return 1;
    }
    scratch = std::move(opened).value();
  } else {
    std::fprintf(stderr,
                 "journal-bench: sync-nodes: no --postgres CONNINFO: only the data-directory "
                 "setup runs\n");
  }
  std::vector<std::pair<ScratchPostgres*, int>> setups = {{nullptr, 1}};
  if (scratch)
    for (int nodes : {1, 2, 3}) setups.push_back({scratch.get(), nodes});
  for (const auto& [on, nodes] : setups) {
    if (Status s = RunSetup(args, on, nodes); !s.ok()) {
      std::fprintf(stderr, "journal-bench: sync-nodes (%s, %d nodes): %s\n",
                   on ? "postgres" : "rocksdb", nodes, s.ToString().c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace journaldb::bench
