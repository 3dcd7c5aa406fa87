// Workloads `sqlite` and `sqlite-sync`: journaldb against SQLite in WAL mode
// doing the same logical work. The journaled side is the write workload's
// (single-op transactions through the public API, one thread or --threads T,
// fresh database); the SQLite side (sqlite_baseline.h) reads the object's row,
// upserts it and appends the journal row with the same encoded entry, in one
// SQLite transaction per op, T threads taking turns on one connection
// (SQLite has one writer). `sqlite` pairs kBuffered with synchronous=NORMAL,
// `sqlite-sync` pairs kSyncEveryCommit with synchronous=FULL. The sides run
// alternately, each run in its own child process; the summary line holds the
// medians and their ratio.
#include <sqlite3.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cstdio>
#include <system_error>
#include <vector>

#include "bench.h"
#include "bench_dir.h"
#include "child_run.h"
#include "commit_loop.h"
#include "journaldb/database.h"
#include "json_line.h"
#include "median.h"
#include "sqlite_baseline.h"

namespace journaldb::bench {

namespace {

struct Profile {
  const char* workload;
  uint64_t default_ops;
  Durability durability;
  bool sqlite_sync_every_commit;
  const char* sqlite_synchronous;  // as reported in the summary line
};

constexpr Profile kBuffered{"sqlite", 200000, Durability::kBuffered, false, "NORMAL"};
constexpr Profile kSynced{"sqlite-sync", 20000, Durability::kSyncEveryCommit, true, "FULL"};
constexpr int kDefaultRuns = 5;

Result<RunResult> JournaledRun(const Profile& p, uint64_t ops, int threads) {
  Result<BenchDir> dir = BenchDir::Temp();
  if (!dir.ok()) return dir.status();
  Options options;
  options.durability = p.durability;
  Result<std::unique_ptr<Database>> db = Database::Open(dir->db_path(), options);
  if (!db.ok()) return db.status();
  return CommitObjects(**db, ops, threads, 0);
}

Result<RunResult> SqliteRun(const Profile& p, uint64_t ops, int threads) {
  Result<BenchDir> dir = BenchDir::Temp();
  if (!dir.ok()) return dir.status();
  // BenchDir removes its root, so the SQLite files may go in the directory
  // journaldb would have used.
  boost::system::error_code ec;
  if (!boost::filesystem::create_directory(dir->db_path(), ec))
    return Status::IOError("cannot create " + dir->db_path() + ": " + ec.message());
  SqliteOptions options;
  options.sync_every_commit = p.sqlite_sync_every_commit;
  options.threads = threads;
  return SqliteCommits(dir->db_path(), ops, options);
}

JsonLine RunLine(const Profile& p, const char* side, int run, int threads, const RunResult& r) {
  JsonLine line;
  line.Add("workload", p.workload)
      .Add("side", side)
      .Add("run", run)
      .Add("threads", threads)
      .Add("ops", r.ops)
      .Add("seconds", r.seconds, 4)
      .Add("ops_per_s", r.ops_per_s(), 0)
      .Add("peak_rss_kib", r.peak_rss_kib)
      .Add("cpu_seconds", r.cpu_seconds, 4);
  return line;
}

int Compare(const Profile& p, const BenchArgs& args) {
  if (!args.db.empty()) {
    std::fprintf(stderr, "journal-bench: %s always uses fresh temporary databases\n", p.workload);
    return 2;
  }
  const uint64_t ops = args.ops.value_or(p.default_ops);
  const int runs = args.runs.value_or(kDefaultRuns);
  const int threads = args.threads.value_or(1);
  std::vector<RunResult> journaled, sqlite;
  for (int run = 1; run <= runs; ++run) {
    for (bool is_sqlite : {false, true}) {
      Result<RunResult> r = RunInChild(
          [&] { return is_sqlite ? SqliteRun(p, ops, threads) : JournaledRun(p, ops, threads); });
      const char* side = is_sqlite ? "sqlite" : "journaled";
      if (!r.ok()) {
        std::fprintf(stderr, "journal-bench: %s (%s run %d): %s\n", p.workload, side, run,
                     r.status().ToString().c_str());
        return 1;
      }
      RunLine(p, side, run, threads, *r).Print();
      (is_sqlite ? sqlite : journaled).push_back(*r);
    }
  }

  auto median = [](const std::vector<RunResult>& v, double (*get)(const RunResult&)) {
    std::vector<double> x;
    for (const RunResult& r : v) x.push_back(get(r));
    return Median(x);
  };
  auto ops_per_s = [](const RunResult& r) { return r.ops_per_s(); };
  auto seconds = [](const RunResult& r) { return r.seconds; };
  auto cpu_seconds = [](const RunResult& r) { return r.cpu_seconds; };
  auto peak = [](const std::vector<RunResult>& v) {
    uint64_t m = 0;
    for (const RunResult& r : v) m = std::max(m, r.peak_rss_kib);
    return m;
  };
  const double j = median(journaled, ops_per_s), s = median(sqlite, ops_per_s);
  const double j_cpu = median(journaled, cpu_seconds), s_cpu = median(sqlite, cpu_seconds);
  const double n = static_cast<double>(ops);
  JsonLine()
      .Add("workload", p.workload)
      .Add("side", "summary")
      .Add("runs", runs)
      .Add("threads", threads)
      .Add("ops", ops)
      .Add("seconds", median(journaled, seconds), 4)
      .Add("ops_per_s", j, 0)
      .Add("peak_rss_kib", peak(journaled))
      .Add("sqlite_version", sqlite3_libversion())
      .Add("sqlite_synchronous", p.sqlite_synchronous)
      .Add("journaled_ops_per_s", j, 0)
      .Add("sqlite_ops_per_s", s, 0)
      .Add("sqlite_seconds", median(sqlite, seconds), 4)
      .Add("sqlite_peak_rss_kib", peak(sqlite))
      // Journaled throughput over SQLite's: the design wants >= 5.
      .Add("ratio", s > 0 ? j / s : 0.0, 3)
      // The same in committing-thread CPU time per op. SQLite does all its
      // work (checkpoints included) in that thread, RocksDB flushes and
      // compacts in background threads, so this one flatters journaldb.
      .Add("journaled_cpu_us_per_op", j_cpu * 1e6 / n, 3)
      .Add("sqlite_cpu_us_per_op", s_cpu * 1e6 / n, 3)
      .Add("cpu_ratio", j_cpu > 0 ? s_cpu / j_cpu : 0.0, 3)
      .Print();
  return 0;
}

}  // namespace

int RunSqlite(const BenchArgs& args) { return Compare(kBuffered, args); }
int RunSqliteSync(const BenchArgs& args) { return Compare(kSynced, args); }

}  // namespace journaldb::bench
