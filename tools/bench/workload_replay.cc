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
#include <algorithm>
#include <boost/filesystem.hpp>
#include <cstdio>
#include <vector>

#include "bench.h"
#include "journaldb/database.h"
#include "replay_run.h"

namespace journaldb::bench {

namespace {

namespace fs = boost::filesystem;

constexpr uint64_t kDefaultOpCounts[] = {100000, 1000000};
// A few ops per transaction, as an app's offline edits are.
constexpr uint64_t kDefaultTxnOps = 10;

// Both phases for N ops.
Status MeasureOps(const Options& options, const fs::path& root, uint64_t ops, uint64_t txn_ops) {
  const uint64_t transactions = (ops + txn_ops - 1) / txn_ops;
  auto commit = [&](Database& db) {
    for (uint64_t i = 0; i < ops;) {
      Transaction t = db.BeginTransaction();
      for (uint64_t end = std::min(ops, i + txn_ops); i < end; ++i) {
        FieldMap fields;
        fields.emplace(kField, Value::String(Payload()));
        if (Status s = t.Upsert(kCollection, ObjectKey(i), std::move(fields)); !s.ok()) return s;
      }
      if (Result<Lsn> lsn = t.Commit(); !lsn.ok()) return lsn.status();
    }
    return Status::OK();
  };
  JsonLine line;
  line.Add("workload", "replay").Add("policy", "local-wins");
  return MeasureAndPrint(std::move(line), options, root, ops, transactions, txn_ops, commit);
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
  return ForEachOpCount("replay", counts, args.db, [&](const fs::path& root, uint64_t ops) {
    return MeasureOps(DatabaseOptions(args), root, ops, txn_ops);
  });
}

}  // namespace journaldb::bench
