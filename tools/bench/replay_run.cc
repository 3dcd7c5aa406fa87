#include "replay_run.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "journaldb/recovery_snapshot.h"
#include "journaldb/replayer.h"
#include "timed_threads.h"

namespace journaldb::bench {

namespace fs = boost::filesystem;

Result<RunResult> CommitAndSnapshot(const Options& options, const fs::path& root, uint64_t ops,
                                    uint64_t transactions,
                                    const std::function<Status(Database&)>& commit) {
  Result<std::unique_ptr<Database>> db = Database::Open((root / "source").string(), options);
  if (!db.ok()) return db.status();
  const double cpu0 = ThreadCpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  if (Status s = commit(**db); !s.ok()) return s;
  // The commits alone: what applying these transactions directly costs, the
  // yardstick for the replay of the same transactions.
  RunResult r;
  r.ops = ops;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_seconds = ThreadCpuSeconds() - cpu0;
  Result<RecoverySnapshot> snap =
      CreateRecoverySnapshot(**db, (root / "recovery").string(), "bench");
  if (!snap.ok()) return snap.status();
  if (snap->manifest.diverged_ops != ops || snap->manifest.diverged_entries != transactions)
    return Status::Corruption(
        "the snapshot's manifest does not count every op and transaction as diverged");
  return r;
}

namespace {

// Run in a child: replays `snap` into a fresh live database under `root`.
Result<RunResult> ReplayIntoFresh(const Options& options, const RecoverySnapshot& snap,
                                  const fs::path& root, uint64_t ops) {
  Result<std::unique_ptr<Database>> live = Database::Open((root / "live").string(), options);
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

}  // namespace

// The parent itself touches only files, never RocksDB, so forking stays safe
// (child_run.h).
Result<ReplayMeasurement> MeasureReplay(const Options& options, const fs::path& root, uint64_t ops,
                                        const RunFn& build) {
  Result<RunResult> built = RunInChild(build);
  if (!built.ok()) return built.status();
  Result<std::vector<RecoverySnapshot>> snaps = ListRecoverySnapshots((root / "recovery").string());
  if (!snaps.ok()) return snaps.status();
  if (snaps->size() != 1) return Status::Corruption("expected exactly one recovery snapshot");
  const RecoverySnapshot snap = snaps->front();
  Result<RunResult> replayed =
      RunInChild([&] { return ReplayIntoFresh(options, snap, root, ops); });
  if (!replayed.ok()) return replayed.status();
  return ReplayMeasurement{*built, *replayed};
}

int ForEachOpCount(const char* workload, const std::vector<uint64_t>& counts, const std::string& db,
                   const std::function<Status(const fs::path&, uint64_t)>& measure) {
  for (uint64_t ops : counts) {
    boost::system::error_code ec;
    const fs::path root =
        db.empty() ? fs::temp_directory_path(ec) /
                         fs::unique_path(std::string("journal-bench-") + workload + "-%%%%-%%%%")
                   : fs::path(db);
    if (ec || !fs::create_directory(root, ec)) {
      std::fprintf(stderr, "journal-bench: cannot create %s: %s\n", root.c_str(),
                   ec ? ec.message().c_str() : "it exists");
      return 1;
    }
    Status s = measure(root, ops);
    if (db.empty()) fs::remove_all(root, ec);
    if (!s.ok()) {
      std::fprintf(stderr, "journal-bench: %s (%llu ops): %s\n", workload,
                   static_cast<unsigned long long>(ops), s.ToString().c_str());
      return 1;
    }
  }
  return 0;
}

Status MeasureAndPrint(JsonLine line, const Options& options, const fs::path& root, uint64_t ops,
                       uint64_t transactions, uint64_t txn_ops,
                       const std::function<Status(Database&)>& commit) {
  Result<ReplayMeasurement> m = MeasureReplay(options, root, ops, [&] {
    return CommitAndSnapshot(options, root, ops, transactions, commit);
  });
  if (!m.ok()) return m.status();
  const RunResult& r = m->replay;
  line.Add("memory_budget_bytes", options.memory_budget_bytes)
      .Add("ops", r.ops)
      .Add("transactions", transactions)
      .Add("txn_ops", txn_ops)
      .Add("seconds", r.seconds, 4)
      .Add("ops_per_s", r.ops_per_s(), 0)
      .Add("transactions_per_s", static_cast<double>(transactions) / r.seconds, 0)
      .Add("cpu_seconds", r.cpu_seconds, 4)
      // CPU time per op moves far less than wall time when other processes
      // share the machine (background flushes are not in it).
      .Add("cpu_us_per_op", r.cpu_seconds * 1e6 / static_cast<double>(r.ops), 3)
      .Add("peak_rss_kib", r.peak_rss_kib)
      // The same transactions committed directly to a fresh database (the
      // build of the snapshot's source), for comparison.
      .Add("commit_seconds", m->commit.seconds, 4)
      .Add("commit_ops_per_s", m->commit.ops_per_s(), 0)
      .Add("commit_cpu_us_per_op", m->commit.cpu_seconds * 1e6 / static_cast<double>(r.ops), 3)
      .Add("commit_peak_rss_kib", m->commit.peak_rss_kib)
      .Print();
  return Status::OK();
}

}  // namespace journaldb::bench
