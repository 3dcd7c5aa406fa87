// Workload `list-insert`: list inserts, one per transaction, into kLists
// lists of one object each until every list holds L elements, through the
// Transaction list API (buffered durability, fresh database). Half the
// inserts append, half go after a random element or at the head. Besides
// ops/s it reports the journal bytes per op: a list op's before-image is the
// whole list before the transaction (BeforeImage in journal/schema/journal.fbs), so an entry
// grows with the list. Each length runs --runs times, each run in its own
// child process; a summary line per length holds the medians.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench.h"
#include "bench_dir.h"
#include "child_run.h"
#include "journaldb/database.h"
#include "journaldb/journal/codec.h"
#include "json_line.h"
#include "list_ops.h"
#include "median.h"
#include "timed_threads.h"

namespace journaldb::bench {

namespace {

constexpr uint64_t kLists = 4;
constexpr uint64_t kDefaultLengths[] = {100, 1000, 2000};
constexpr int kDefaultRuns = 3;

// The journal's entries as the codec encodes them (what the journal stores).
Status MeasureJournal(const Database& db, RunResult& r) {
  JournalReader reader = db.ReadJournal(1);
  for (; reader.Valid(); reader.Next()) {
    const uint64_t bytes = codec::EncodeEntry(reader.entry()).size();
    r.journal_bytes += bytes;
    r.largest_entry_bytes = std::max(r.largest_entry_bytes, bytes);
  }
  return reader.status();
}

Result<RunResult> InsertRun(uint64_t length) {
  Result<BenchDir> dir = BenchDir::Temp();
  if (!dir.ok()) return dir.status();
  Result<std::unique_ptr<Database>> db = Database::Open(dir->db_path(), Options{});
  if (!db.ok()) return db.status();
  ListWriter writer(/*seed=*/1);
  const uint64_t ops = length * kLists;
  const double cpu0 = ThreadCpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < ops; ++i) {
    Transaction t = (*db)->BeginTransaction();
    if (Status s = writer.Insert(t, i % kLists); !s.ok()) return s;
    if (Result<Lsn> lsn = t.Commit(); !lsn.ok()) return lsn.status();
  }
  RunResult r;
  r.ops = ops;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_seconds = ThreadCpuSeconds() - cpu0;
  if (Status s = MeasureJournal(**db, r); !s.ok()) return s;
  return r;
}

JsonLine Line(const char* side, uint64_t length, const RunResult& r) {
  JsonLine line;
  line.Add("workload", "list-insert")
      .Add("side", side)
      .Add("lists", kLists)
      .Add("list_length", length)
      .Add("ops", r.ops)
      .Add("seconds", r.seconds, 4)
      .Add("ops_per_s", r.ops_per_s(), 0)
      .Add("cpu_us_per_op", r.cpu_seconds * 1e6 / static_cast<double>(r.ops), 3)
      .Add("journal_bytes_per_op", r.journal_bytes / r.ops)
      .Add("largest_entry_bytes", r.largest_entry_bytes);
  return line;
}

}  // namespace

int RunListInsert(const BenchArgs& args) {
  if (!args.db.empty()) {
    std::fprintf(stderr, "journal-bench: list-insert takes no --db DIR\n");
    return 2;
  }
  std::vector<uint64_t> lengths(std::begin(kDefaultLengths), std::end(kDefaultLengths));
  if (args.ops) lengths = {std::max<uint64_t>(1, *args.ops / kLists)};
  const int runs = args.runs.value_or(kDefaultRuns);
  for (uint64_t length : lengths) {
    std::vector<RunResult> results;
    for (int run = 1; run <= runs; ++run) {
      Result<RunResult> r = RunInChild([&] { return InsertRun(length); });
      if (!r.ok()) {
        std::fprintf(stderr, "journal-bench: list-insert (length %llu, run %d): %s\n",
                     static_cast<unsigned long long>(length), run, r.status().ToString().c_str());
        return 1;
      }
      Line("run", length, *r).Add("run", run).Add("peak_rss_kib", r->peak_rss_kib).Print();
      results.push_back(*r);
    }
    // Journal bytes are the same in every run (fixed seed, fixed-width ids).
    RunResult median = results.front();
    std::vector<double> seconds, cpu;
    for (const RunResult& r : results) {
      seconds.push_back(r.seconds);
      cpu.push_back(r.cpu_seconds);
      median.peak_rss_kib = std::max(median.peak_rss_kib, r.peak_rss_kib);
    }
    median.seconds = Median(seconds);
    median.cpu_seconds = Median(cpu);
    Line("summary", length, median)
        .Add("runs", runs)
        .Add("peak_rss_kib", median.peak_rss_kib)
        .Print();
  }
  return 0;
}

}  // namespace journaldb::bench
