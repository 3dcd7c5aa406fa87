// Workload `write-sync`: durable commits. The write workload's transactions
// with Durability::kSyncEveryCommit, committed concurrently from 1, 4 and 16
// threads. Group commit lets concurrent committers share one fsync, so more
// threads should commit far more per second than one.
#include <cstdio>
#include <vector>

#include "bench.h"
#include "bench_dir.h"
#include "child_run.h"
#include "commit_loop.h"
#include "journaldb/database.h"
#include "json_line.h"
#include "rss.h"

namespace journaldb::bench {

namespace {

constexpr uint64_t kDefaultOps = 20000;
constexpr int kDefaultThreadCounts[] = {1, 4, 16};

Options SyncOptions() {
  Options o;
  o.durability = Durability::kSyncEveryCommit;
  return o;
}

Result<RunResult> SyncRun(const std::string& db_path, uint64_t ops, int threads) {
  Result<std::unique_ptr<Database>> db = Database::Open(db_path, SyncOptions());
  if (!db.ok()) return db.status();
  Result<DatabaseInfo> info = (*db)->Info();
  if (!info.ok()) return info.status();
  // New objects after the last lsn, so a kept database only grows.
  return CommitObjects(**db, ops, threads, info->last_lsn);
}

}  // namespace

int RunWriteSync(const BenchArgs& args) {
  const uint64_t ops = args.ops.value_or(kDefaultOps);
  std::vector<int> counts(std::begin(kDefaultThreadCounts), std::end(kDefaultThreadCounts));
  if (args.threads) counts = {*args.threads};

  double single_thread_ops_per_s = 0;
  for (int threads : counts) {
    Result<RunResult> r = Status::IOError("not run");
    if (args.db.empty()) {
      r = RunInChild([&]() -> Result<RunResult> {
        Result<BenchDir> dir = BenchDir::Temp();
        if (!dir.ok()) return dir.status();
        return SyncRun(dir->db_path(), ops, threads);
      });
    } else {
      // In this process (a killed benchmark leaves no child behind); the
      // thread counts share the one kept database.
      r = SyncRun(args.db, ops, threads);
      if (r.ok()) r->peak_rss_kib = PeakRssKib();
    }
    if (!r.ok()) {
      std::fprintf(stderr, "journal-bench: write-sync (%d threads): %s\n", threads,
                   r.status().ToString().c_str());
      return 1;
    }
    if (threads == 1) single_thread_ops_per_s = r->ops_per_s();
    JsonLine line;
    line.Add("workload", "write-sync")
        .Add("threads", threads)
        .Add("ops", r->ops)
        .Add("seconds", r->seconds, 4)
        .Add("ops_per_s", r->ops_per_s(), 0)
        .Add("peak_rss_kib", r->peak_rss_kib)
        .Add("cpu_seconds", r->cpu_seconds, 4);
    if (single_thread_ops_per_s > 0 && threads != 1)
      line.Add("speedup_vs_1_thread", r->ops_per_s() / single_thread_ops_per_s, 2);
    if (!args.db.empty()) line.Add("db", args.db);
    line.Print();
  }
  return 0;
}

}  // namespace journaldb::bench
