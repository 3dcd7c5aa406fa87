// Workload `replay-sqlite`: the replayer against SQLite's session changeset
// apply, on the same change set (replay_data.h): N objects exist at base;
// the client updated each once, --txn-ops per transaction (default: 1 and
// 10, each in turn), while the server changed every tenth of them.
//  - journaldb: a database commits the base objects, uploads them to an
//    in-process journal-server (so they are not diverged), commits the
//    updates and takes a recovery snapshot: N diverged ops. Each run copies
//    the server state (a database holding the server's values) and times
//    Replay(snapshot, copy, LocalWinsPolicy).
//  - SQLite: a session records the same updates as a changeset; each run
//    copies the server state and times sqlite3changeset_apply, conflicts
//    resolved REPLACE (sqlite_changeset.h). SQLite applies a changeset as
//    one transaction whatever the client's transactions were.
// Both sides use buffered durability (kBuffered, synchronous=NORMAL), run
// alternately in child processes; one summary line per --txn-ops holds the
// medians and their ratio.
#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench.h"
#include "child_run.h"
#include "dir_copy.h"
#include "journaldb/database.h"
#include "journaldb/recovery_snapshot.h"
#include "journaldb/replayer.h"
#include "json_line.h"
#include "median.h"
#include "replay_data.h"
#include "sqlite_changeset.h"
#include "timed_threads.h"
#include "upload_all.h"

namespace journaldb::bench {

namespace {

namespace fs = boost::filesystem;

constexpr uint64_t kDefaultOps = 200000;
constexpr uint64_t kDefaultTxnOps[] = {1, 10};
constexpr int kDefaultRuns = 3;
constexpr uint64_t kObjectsPerLoadTransaction = 1000;

// Commits value_of(i) for every object, in large transactions (untimed set-up).
template <typename ValueOf>
Status CommitValues(Database& db, uint64_t objects, uint64_t per_txn, ValueOf value_of) {
  for (uint64_t i = 0; i < objects;) {
    Transaction t = db.BeginTransaction();
    for (uint64_t end = std::min(objects, i + per_txn); i < end; ++i) {
      FieldMap fields;
      fields.emplace(kField, Value::String(value_of(i)));
      if (Status s = t.Upsert(kCollection, ObjectKey(i), std::move(fields)); !s.ok()) return s;
    }
    if (Result<Lsn> lsn = t.Commit(); !lsn.ok()) return lsn.status();
  }
  return Status::OK();
}

// Run in a child: under `root`, the recovery snapshot of the client's
// diverged updates and `server`, the server's state.
Result<RunResult> BuildJournaldb(const fs::path& root, uint64_t objects, uint64_t txn_ops) {
  {
    Result<std::unique_ptr<Database>> client =
        Database::Open((root / "client").string(), Options{});
    if (!client.ok()) return client.status();
    auto base = [](uint64_t) -> const std::string& { return BaseValue(); };
    if (Status s = CommitValues(**client, objects, kObjectsPerLoadTransaction, base); !s.ok())
      return s;
    if (Status s = UploadEverything(**client, (root / "sync-server").string()); !s.ok()) return s;
    auto local = [](uint64_t) -> const std::string& { return LocalValue(); };
    if (Status s = CommitValues(**client, objects, txn_ops, local); !s.ok()) return s;
    Result<RecoverySnapshot> snap =
        CreateRecoverySnapshot(**client, (root / "recovery").string(), "bench");
    if (!snap.ok()) return snap.status();
    if (snap->manifest.diverged_ops != objects)
      return Status::Corruption("the snapshot does not count exactly the updates as diverged");
  }
  Result<std::unique_ptr<Database>> server = Database::Open((root / "server").string(), Options{});
  if (!server.ok()) return server.status();
  if (Status s = CommitValues(**server, objects, kObjectsPerLoadTransaction, ServerStateValue);
      !s.ok())
    return s;
  return RunResult{};
}

// Run in a child: replays the snapshot into a copy of the server state.
Result<RunResult> ReplayRun(const fs::path& root, const RecoverySnapshot& snap, uint64_t objects,
                            int run) {
  const std::string live_path = (root / ("live-" + std::to_string(run))).string();
  if (Status s = CopyTreeDurably((root / "server").string(), live_path); !s.ok()) return s;
  Result<std::unique_ptr<Database>> live = Database::Open(live_path, Options{});
  if (!live.ok()) return live.status();
  LocalWinsPolicy policy;
  const double cpu0 = ThreadCpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  Result<ReplayReport> report = Replay(snap, **live, policy, {});
  RunResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_seconds = ThreadCpuSeconds() - cpu0;
  if (!report.ok()) return report.status();
  if (!report->complete || report->ops_applied != objects)
    return Status::Corruption("the replay did not apply every diverged op");
  Result<Value> changed = (*live)->GetField(kCollection, ObjectKey(0), kField);
  if (!changed.ok() || *changed != Value::String(LocalValue()))
    return Status::Corruption("the replay did not leave the local value on a conflicting object");
  r.ops = report->ops_applied;
  return r;
}

JsonLine RunLine(const char* side, uint64_t txn_ops, int run, const RunResult& r) {
  JsonLine line;
  line.Add("workload", "replay-sqlite")
      .Add("side", side)
      .Add("txn_ops", txn_ops)
      .Add("run", run)
      .Add("ops", r.ops)
      .Add("seconds", r.seconds, 4)
      .Add("ops_per_s", r.ops_per_s(), 0)
      .Add("cpu_us_per_op", r.cpu_seconds * 1e6 / static_cast<double>(r.ops), 3)
      .Add("peak_rss_kib", r.peak_rss_kib);
  return line;
}

Status Compare(const fs::path& root, uint64_t objects, uint64_t txn_ops, int runs) {
  Result<RunResult> built = RunInChild([&] { return BuildJournaldb(root, objects, txn_ops); });
  if (!built.ok()) return built.status();
  Result<std::vector<RecoverySnapshot>> snaps = ListRecoverySnapshots((root / "recovery").string());
  if (!snaps.ok()) return snaps.status();
  if (snaps->size() != 1) return Status::Corruption("expected exactly one recovery snapshot");
  const RecoverySnapshot snap = snaps->front();
  Result<RunResult> sqlite_built = RunInChild([&]() -> Result<RunResult> {
    if (Status s = BuildSqliteChangeset(root.string(), objects, txn_ops); !s.ok()) return s;
    return RunResult{};
  });
  if (!sqlite_built.ok()) return sqlite_built.status();

  std::vector<double> journaldb_rates, sqlite_rates, journaldb_cpu, sqlite_cpu;
  for (int run = 1; run <= runs; ++run) {
    Result<RunResult> j = RunInChild([&] { return ReplayRun(root, snap, objects, run); });
    if (!j.ok()) return j.status();
    RunLine("journaldb", txn_ops, run, *j).Print();
    Result<RunResult> s =
        RunInChild([&] { return ApplySqliteChangeset(root.string(), objects, run); });
    if (!s.ok()) return s.status();
    RunLine("sqlite", txn_ops, run, *s).Print();
    journaldb_rates.push_back(j->ops_per_s());
    sqlite_rates.push_back(s->ops_per_s());
    journaldb_cpu.push_back(j->cpu_seconds * 1e6 / static_cast<double>(objects));
    sqlite_cpu.push_back(s->cpu_seconds * 1e6 / static_cast<double>(objects));
    boost::system::error_code ec;
    fs::remove_all(root / ("live-" + std::to_string(run)), ec);
    fs::remove(root / ("apply-" + std::to_string(run) + ".sqlite"), ec);
  }
  const double j = Median(journaldb_rates), s = Median(sqlite_rates);
  JsonLine()
      .Add("workload", "replay-sqlite")
      .Add("summary", true)
      .Add("ops", objects)
      .Add("txn_ops", txn_ops)
      .Add("conflicting_ops", ServerChangedCount(objects))
      .Add("runs", runs)
      .Add("journaldb_ops_per_s", j, 0)
      .Add("sqlite_changes_per_s", s, 0)
      .Add("ratio", s > 0 ? j / s : 0, 3)
      .Add("journaldb_cpu_us_per_op", Median(journaldb_cpu), 3)
      .Add("sqlite_cpu_us_per_op", Median(sqlite_cpu), 3)
      .Print();
  return Status::OK();
}

}  // namespace

int RunReplaySqlite(const BenchArgs& args) {
  if (!args.db.empty() || args.threads) {
    std::fprintf(stderr,
                 "journal-bench: replay-sqlite uses fresh temporary databases and one thread\n");
    return 2;
  }
  std::vector<uint64_t> txn_ops(std::begin(kDefaultTxnOps), std::end(kDefaultTxnOps));
  if (args.txn_ops) txn_ops = {*args.txn_ops};
  const uint64_t objects = args.ops.value_or(kDefaultOps);
  const int runs = args.runs.value_or(kDefaultRuns);
  for (uint64_t k : txn_ops) {
    boost::system::error_code ec;
    const fs::path root =
        fs::temp_directory_path(ec) / fs::unique_path("journal-bench-replay-sqlite-%%%%-%%%%");
    if (ec || !fs::create_directory(root, ec)) {
      std::fprintf(stderr, "journal-bench: cannot create %s: %s\n", root.c_str(),
                   ec.message().c_str());
      return 1;
    }
    Status s = Compare(root, objects, k, runs);
    fs::remove_all(root, ec);
    if (!s.ok()) {
      std::fprintf(stderr, "journal-bench: replay-sqlite (%llu ops per transaction): %s\n",
                   static_cast<unsigned long long>(k), s.ToString().c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace journaldb::bench
