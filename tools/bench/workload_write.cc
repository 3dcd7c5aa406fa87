// Workload `write`: the cost of journaling. N single-op transactions through
// the public API (buffered durability, fresh database), against a bare RocksDB
// with the same column families and options writing the same bytes: per
// transaction one write batch with the state put of the encoded object and
// the journal put of the encoded entry. The sides run alternately, each run in
// its own child process; the summary line holds the medians and their ratio.
#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <vector>

#include "bench.h"
#include "bench_dir.h"
#include "child_run.h"
#include "commit_loop.h"
#include "encoded_commit.h"
#include "journaldb/database.h"
#include "journaldb/journal/store.h"
#include "json_line.h"
#include "rss.h"
#include "timed_threads.h"

namespace journaldb::bench {

namespace {

constexpr uint64_t kDefaultOps = 200000;
constexpr int kDefaultRuns = 5;

// The journaled side in a fresh database.
Result<RunResult> JournaledRun(const Options& options, uint64_t ops, int threads) {
  Result<BenchDir> dir = BenchDir::Temp();
  if (!dir.ok()) return dir.status();
  Result<std::unique_ptr<Database>> db = Database::Open(dir->db_path(), options);
  if (!db.ok()) return db.status();
  return CommitObjects(**db, ops, threads, 0);
}

// The bare side: a fresh RocksDB opened by journaldb's Store, so column
// families, column family options and DB options are exactly journaldb's, but
// written with plain WriteBatch + DB::Write of pre-encoded bytes.
Result<RunResult> BareRun(const Options& options, uint64_t ops, int threads) {
  Result<BenchDir> dir = BenchDir::Temp();
  if (!dir.ok()) return dir.status();
  StoreOptions store_options;
  store_options.memory_budget_bytes = options.memory_budget_bytes;
  Result<std::unique_ptr<Store>> store = Store::Open(dir->db_path(), store_options);
  if (!store.ok()) return store.status();
  std::vector<EncodedCommit> commits;
  commits.reserve(ops);
  for (uint64_t i = 0; i < ops; ++i) commits.push_back(EncodeCommit(i));

  Store& s = **store;
  return TimedThreads(
      ops, threads, [&](uint64_t begin, uint64_t end, const std::atomic<bool>& stop) {
        rocksdb::WriteBatch batch;
        rocksdb::WriteOptions wo;  // WAL on, no fsync: kBuffered
        for (uint64_t i = begin; i < end && !stop.load(std::memory_order_relaxed); ++i) {
          const EncodedCommit& c = commits[i];
          batch.Clear();
          rocksdb::Status st = batch.Put(s.state(), c.state_key, c.object);
          if (st.ok()) st = batch.Put(s.journal(), c.lsn_key, c.entry);
          if (st.ok()) st = s.db()->Write(wo, &batch);
          if (!st.ok()) return FromRocks(st, "bare write");
        }
        return Status::OK();
      });
}

JsonLine RunLine(const char* side, int run, int threads, const Options& options,
                 const RunResult& r) {
  JsonLine line;
  line.Add("workload", "write")
      .Add("side", side)
      .Add("run", run)
      .Add("threads", threads)
      .Add("memory_budget_bytes", options.memory_budget_bytes)
      .Add("ops", r.ops)
      .Add("seconds", r.seconds, 4)
      .Add("ops_per_s", r.ops_per_s(), 0)
      .Add("peak_rss_kib", r.peak_rss_kib)
      .Add("cpu_seconds", r.cpu_seconds, 4);
  return line;
}

template <typename T>
T Median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// With --db: journaled only, in this process, into the user's database. New
// objects continue after the last lsn, so repeated runs add objects. Prints
// one line at the end only, so a killed run prints nothing.
int RunIntoDatabase(const BenchArgs& args, uint64_t ops, int threads) {
  BenchDir dir = BenchDir::Keep(args.db);
  Result<std::unique_ptr<Database>> db = Database::Open(dir.db_path(), DatabaseOptions(args));
  if (!db.ok()) {
    std::fprintf(stderr, "journal-bench: %s\n", db.status().ToString().c_str());
    return 1;
  }
  Result<DatabaseInfo> info = (*db)->Info();
  if (!info.ok()) {
    std::fprintf(stderr, "journal-bench: %s\n", info.status().ToString().c_str());
    return 1;
  }
  Result<RunResult> r = CommitObjects(**db, ops, threads, info->last_lsn);
  if (!r.ok()) {
    std::fprintf(stderr, "journal-bench: %s\n", r.status().ToString().c_str());
    return 1;
  }
  r->peak_rss_kib = PeakRssKib();
  RunLine("journaled", 1, threads, DatabaseOptions(args), *r).Add("db", args.db).Print();
  return 0;
}

}  // namespace

int RunWrite(const BenchArgs& args) {
  const uint64_t ops = args.ops.value_or(kDefaultOps);
  const int threads = args.threads.value_or(1);
  if (!args.db.empty()) return RunIntoDatabase(args, ops, threads);

  const int runs = args.runs.value_or(kDefaultRuns);
  const Options options = DatabaseOptions(args);
  std::vector<RunResult> journaled, bare;
  for (int run = 1; run <= runs; ++run) {
    for (bool is_bare : {false, true}) {
      Result<RunResult> r = RunInChild([&] {
        return is_bare ? BareRun(options, ops, threads) : JournaledRun(options, ops, threads);
      });
      if (!r.ok()) {
        std::fprintf(stderr, "journal-bench: write (%s run %d): %s\n",
                     is_bare ? "bare" : "journaled", run, r.status().ToString().c_str());
        return 1;
      }
      RunLine(is_bare ? "bare" : "journaled", run, threads, options, *r).Print();
      (is_bare ? bare : journaled).push_back(*r);
    }
  }

  auto ops_per_s = [](const std::vector<RunResult>& v) {
    std::vector<double> x;
    for (const RunResult& r : v) x.push_back(r.ops_per_s());
    return Median(x);
  };
  auto seconds = [](const std::vector<RunResult>& v) {
    std::vector<double> x;
    for (const RunResult& r : v) x.push_back(r.seconds);
    return Median(x);
  };
  auto cpu_seconds = [](const std::vector<RunResult>& v) {
    std::vector<double> x;
    for (const RunResult& r : v) x.push_back(r.cpu_seconds);
    return Median(x);
  };
  auto peak = [](const std::vector<RunResult>& v) {
    uint64_t m = 0;
    for (const RunResult& r : v) m = std::max(m, r.peak_rss_kib);
    return m;
  };
  const double j = ops_per_s(journaled), b = ops_per_s(bare);
  const double j_cpu = cpu_seconds(journaled), b_cpu = cpu_seconds(bare);
  JsonLine()
      .Add("workload", "write")
      .Add("side", "summary")
      .Add("runs", runs)
      .Add("threads", threads)
      .Add("memory_budget_bytes", options.memory_budget_bytes)
      .Add("ops", ops)
      .Add("seconds", seconds(journaled), 4)
      .Add("ops_per_s", j, 0)
      .Add("peak_rss_kib", peak(journaled))
      .Add("journaled_ops_per_s", j, 0)
      .Add("bare_ops_per_s", b, 0)
      .Add("bare_seconds", seconds(bare), 4)
      .Add("bare_peak_rss_kib", peak(bare))
      .Add("ratio", b > 0 ? j / b : 0.0, 3)
      // The same comparison in committing-thread CPU time per op, which other
      // processes on a shared machine disturb far less than wall time.
      .Add("journaled_cpu_us_per_op", j_cpu * 1e6 / static_cast<double>(ops), 3)
      .Add("bare_cpu_us_per_op", b_cpu * 1e6 / static_cast<double>(ops), 3)
      .Add("cpu_ratio", j_cpu > 0 ? b_cpu / j_cpu : 0.0, 3)
      .Print();
  return 0;
}

}  // namespace journaldb::bench
