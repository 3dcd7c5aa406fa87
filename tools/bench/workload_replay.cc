// Workload `replay`: how fast the replayer re-applies diverged ops after a
// client reset, and how much memory it needs. For each op count N:
//  1. a child process commits N ops to a fresh database (transactions of
//     --txn-ops upserts of new objects, the write workloads' objects; never
//     synced, so every op is diverged) and takes a recovery snapshot of it.
//     Those commits are timed too: they are the same transactions the replay
//     commits, so their rate and peak RSS are the yardstick for the replay's;
//  2. another child opens a fresh, empty live database and runs
//     Replay(snapshot, live, LocalWinsPolicy, {}): the timed region is that
//     call alone, and the child's peak RSS is the replay's own.
// Running two sizes side by side shows whether the replayer's memory grows
// with the journal (it should not: it holds one transaction at a time).
#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench.h"
#include "child_run.h"
#include "journaldb/database.h"
#include "journaldb/recovery_snapshot.h"
#include "journaldb/replayer.h"
#include "json_line.h"
#include "timed_threads.h"

namespace journaldb::bench {

namespace {

namespace fs = boost::filesystem;

constexpr uint64_t kDefaultOpCounts[] = {100000, 1000000};
// A few ops per transaction, as an app's offline edits are.
constexpr uint64_t kDefaultTxnOps = 10;

// Run in a child: the diverged database and its recovery snapshot under `root`.
Result<RunResult> BuildSnapshot(const fs::path& root, uint64_t ops, uint64_t txn_ops) {
  Result<std::unique_ptr<Database>> db = Database::Open((root / "source").string(), Options{});
  if (!db.ok()) return db.status();
  const double cpu0 = ThreadCpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < ops;) {
    Transaction t = (*db)->BeginTransaction();
    for (uint64_t end = std::min(ops, i + txn_ops); i < end; ++i) {
      FieldMap fields;
      fields.emplace(kField, Value::String(Payload()));
      if (Status s = t.Upsert(kCollection, ObjectKey(i), std::move(fields)); !s.ok()) return s;
    }
    if (Result<Lsn> lsn = t.Commit(); !lsn.ok()) return lsn.status();
  }
  // The commits alone: what applying these transactions directly costs, the
  // yardstick for the replay of the same transactions.
  RunResult r;
  r.ops = ops;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_seconds = ThreadCpuSeconds() - cpu0;
  Result<RecoverySnapshot> snap =
      CreateRecoverySnapshot(**db, (root / "recovery").string(), "bench");
  if (!snap.ok()) return snap.status();
  if (snap->manifest.diverged_ops != ops)
    return Status::Corruption("the snapshot's manifest does not count every op as diverged");
  return r;
}

// Run in a child: replays `snap` into a fresh live database under `root`.
Result<RunResult> ReplayIntoFresh(const RecoverySnapshot& snap, const fs::path& root,
                                  uint64_t ops) {
  Result<std::unique_ptr<Database>> live = Database::Open((root / "live").string(), Options{});
  if (!live.ok()) return live.status();
  LocalWinsPolicy policy;
  const double cpu0 = ThreadCpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  Result<ReplayReport> report = Replay(snap, **live, policy, {});
  auto t1 = std::chrono::steady_clock::now();
  const double cpu = ThreadCpuSeconds() - cpu0;
  if (!report.ok()) return report.status();
  if (!report->complete || report->ops_applied != ops)
    return Status::Corruption("the replay did not apply every diverged op");
  RunResult r;
  r.ops = report->ops_applied;
  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  r.cpu_seconds = cpu;
  return r;
}

// Both phases for N ops; the parent itself touches only files, never RocksDB,
// so forking stays safe (child_run.h).
Status MeasureOps(const fs::path& root, uint64_t ops, uint64_t txn_ops) {
  Result<RunResult> built = RunInChild([&] { return BuildSnapshot(root, ops, txn_ops); });
  if (!built.ok()) return built.status();
  Result<std::vector<RecoverySnapshot>> snaps = ListRecoverySnapshots((root / "recovery").string());
  if (!snaps.ok()) return snaps.status();
  if (snaps->size() != 1) return Status::Corruption("expected exactly one recovery snapshot");
  const RecoverySnapshot snap = snaps->front();

  Result<RunResult> r = RunInChild([&] { return ReplayIntoFresh(snap, root, ops); });
  if (!r.ok()) return r.status();
  const uint64_t transactions = (ops + txn_ops - 1) / txn_ops;
  JsonLine()
      .Add("workload", "replay")
      .Add("policy", "local-wins")
      .Add("ops", r->ops)
      .Add("transactions", transactions)
      .Add("txn_ops", txn_ops)
      .Add("seconds", r->seconds, 4)
      .Add("ops_per_s", r->ops_per_s(), 0)
      .Add("transactions_per_s", static_cast<double>(transactions) / r->seconds, 0)
      .Add("cpu_seconds", r->cpu_seconds, 4)
      // CPU time per op moves far less than wall time when other processes
      // share the machine (background flushes are not in it).
      .Add("cpu_us_per_op", r->cpu_seconds * 1e6 / static_cast<double>(r->ops), 3)
      .Add("peak_rss_kib", r->peak_rss_kib)
      // The same transactions committed directly to a fresh database (the
      // build of the snapshot's source), for comparison.
      .Add("commit_seconds", built->seconds, 4)
      .Add("commit_ops_per_s", built->ops_per_s(), 0)
      .Add("commit_cpu_us_per_op", built->cpu_seconds * 1e6 / static_cast<double>(ops), 3)
      .Add("commit_peak_rss_kib", built->peak_rss_kib)
      .Print();
  return Status::OK();
}

}  // namespace

int RunReplay(const BenchArgs& args) {
  std::vector<uint64_t> counts(std::begin(kDefaultOpCounts), std::end(kDefaultOpCounts));
  if (args.ops) counts = {*args.ops};
  const uint64_t txn_ops = args.txn_ops.value_or(kDefaultTxnOps);
  // --db DIR keeps the source, its recovery snapshot and the replayed live
  // database there, e.g. to time `journal replay` of the same snapshot.
  if (!args.db.empty() && counts.size() != 1) {
    std::fprintf(stderr, "journal-bench: replay --db DIR needs one --ops N\n");
    return 2;
  }
  for (uint64_t ops : counts) {
    boost::system::error_code ec;
    const fs::path root =
        args.db.empty()
            ? fs::temp_directory_path(ec) / fs::unique_path("journal-bench-replay-%%%%-%%%%")
            : fs::path(args.db);
    if (ec || !fs::create_directory(root, ec)) {
      std::fprintf(stderr, "journal-bench: cannot create %s: %s\n", root.c_str(),
                   ec ? ec.message().c_str() : "it exists");
      return 1;
    }
    Status s = MeasureOps(root, ops, txn_ops);
    if (args.db.empty()) fs::remove_all(root, ec);
    if (!s.ok()) {
      std::fprintf(stderr, "journal-bench: replay (%llu ops): %s\n",
                   static_cast<unsigned long long>(ops), s.ToString().c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace journaldb::bench
