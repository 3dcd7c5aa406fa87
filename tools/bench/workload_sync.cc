// Workload `sync`: upload-and-ack throughput against a local journal-server
// (the server library, in this process, over loopback TCP), 1 and 16
// clients, each with its own database, in two modes:
//  - batched: the clients commit their share offline, then upload it
//    concurrently (large upload messages);
//  - per-commit: each client uploads and waits for the ack after every
//    transaction, so the server's group commit is what shares fsyncs.
// The clock runs from the first connection to the last acknowledgement
// (every entry fsynced on the server).
#include <algorithm>
#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "bench.h"
#include "commit_loop.h"
#include "journaldb/database.h"
#include "json_line.h"
#include "rss.h"
#include "journaldb/server/admin.h"
#include "journaldb/server/server.h"
#include "journaldb/engine/sync/connection.h"

namespace journaldb::bench {

namespace {

constexpr uint64_t kDefaultOps = 20000;
constexpr int kDefaultClientCounts[] = {1, 16};
// Per-commit uploads cost a server fsync round trip each: fewer transactions.
constexpr uint64_t kPerCommitDivisor = 10;

struct SyncRunResult {
  uint64_t entries = 0;
  double seconds = 0;
};

Result<SyncRunResult> SyncRun(const std::string& root, uint64_t ops, int clients, bool per_commit) {
  server::ServerOptions so;
  so.data_dir = root + "/server";
  if (Result<std::string> init = server::Init({so.data_dir, ""}); !init.ok()) return init.status();
  Result<std::unique_ptr<server::Server>> server = server::Server::Start(so);
  if (!server.ok()) return server.status();
  SyncOptions options;
  options.server = "127.0.0.1:" + std::to_string((*server)->port());

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
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const Status& s : results)
    if (!s.ok()) return s;
  return SyncRunResult{per_client * static_cast<uint64_t>(clients), seconds};
}

}  // namespace

int RunSync(const BenchArgs& args) {
  namespace fs = boost::filesystem;
  const uint64_t ops = args.ops.value_or(kDefaultOps);
  std::vector<int> counts(std::begin(kDefaultClientCounts), std::end(kDefaultClientCounts));
  if (args.threads) counts = {*args.threads};
  for (bool per_commit : {false, true}) {
    const char* mode = per_commit ? "per-commit" : "batched";
    for (int clients : counts) {
      fs::path root =
          args.db.empty()
              ? fs::temp_directory_path() / fs::unique_path("journal-bench-sync-%%%%-%%%%")
              : fs::path(args.db) / (std::string(mode) + "-" + std::to_string(clients));
      const uint64_t run_ops = per_commit ? std::max<uint64_t>(ops / kPerCommitDivisor, 1) : ops;
      Result<SyncRunResult> r = SyncRun(root.string(), run_ops, clients, per_commit);
      if (args.db.empty()) {
        boost::system::error_code ec;
        fs::remove_all(root, ec);
      }
      if (!r.ok()) {
        std::fprintf(stderr, "journal-bench: sync (%s, %d clients): %s\n", mode, clients,
                     r.status().ToString().c_str());
        return 1;
      }
      JsonLine()
          .Add("workload", "sync")
          .Add("mode", mode)
          .Add("clients", clients)
          .Add("ops", r->entries)
          .Add("seconds", r->seconds, 4)
          .Add("ops_per_s", static_cast<double>(r->entries) / r->seconds, 0)
          .Add("peak_rss_kib", PeakRssKib())
          .Print();
    }
  }
  return 0;
}

}  // namespace journaldb::bench
