// Workload `list-replay`: how fast the replayer re-applies diverged list ops
// after a client reset, like `replay` does for upserts. For each op count N:
//  1. a child process commits N list ops to a fresh database, never synced,
//     so every op is diverged: transactions of --txn-ops ops, each on one
//     list, lists filled one after another with kOpsPerList ops each (70%
//     inserts, appending or at random places; 10% each sets, removes and
//     moves), and takes a recovery snapshot. Those commits are timed too, as
//     the yardstick for the replay of the same transactions;
//  2. another child opens a fresh, empty live database and runs
//     Replay(snapshot, live, LocalWinsPolicy, {}): the timed region is that
//     call alone, and the child's peak RSS is the replay's own.
#include <algorithm>
#include <boost/filesystem.hpp>
#include <cstdio>
#include <vector>

#include "bench.h"
#include "journaldb/database.h"
#include "list_ops.h"
#include "replay_run.h"

namespace journaldb::bench {

namespace {

namespace fs = boost::filesystem;

constexpr uint64_t kDefaultOpCounts[] = {10000, 100000};
constexpr uint64_t kDefaultTxnOps = 10;
// Ops per list: each list ends with about 150 present elements and 50
// tombstones, a long to-do list or board column, so the whole-list cost per
// op stays that of one such list whatever N is.
constexpr uint64_t kOpsPerList = 250;

// Transactions stop at a list's end, so a list's last one may be short.
uint64_t Transactions(uint64_t ops, uint64_t txn_ops) {
  auto per = [&](uint64_t n) { return (n + txn_ops - 1) / txn_ops; };
  return ops / kOpsPerList * per(kOpsPerList) + per(ops % kOpsPerList);
}

// Both phases for N ops.
Status MeasureOps(const Options& options, const fs::path& root, uint64_t ops, uint64_t txn_ops) {
  const uint64_t transactions = Transactions(ops, txn_ops);
  auto commit = [&](Database& db) {
    ListWriter writer(/*seed=*/1);
    for (uint64_t i = 0; i < ops;) {
      Transaction t = db.BeginTransaction();
      const uint64_t list = i / kOpsPerList;
      for (uint64_t end = std::min({ops, i + txn_ops, (list + 1) * kOpsPerList}); i < end; ++i)
        if (Status s = writer.Edit(t, list); !s.ok()) return s;
      if (Result<Lsn> lsn = t.Commit(); !lsn.ok()) return lsn.status();
    }
    return Status::OK();
  };
  JsonLine line;
  line.Add("workload", "list-replay").Add("policy", "local-wins").Add("ops_per_list", kOpsPerList);
  return MeasureAndPrint(std::move(line), options, root, ops, transactions, txn_ops, commit);
}

}  // namespace

int RunListReplay(const BenchArgs& args) {
  if (!args.db.empty()) {
    std::fprintf(stderr, "journal-bench: list-replay takes no --db DIR\n");
    return 2;
  }
  std::vector<uint64_t> counts(std::begin(kDefaultOpCounts), std::end(kDefaultOpCounts));
  if (args.ops) counts = {*args.ops};
  const uint64_t txn_ops = args.txn_ops.value_or(kDefaultTxnOps);
  return ForEachOpCount("list-replay", counts, std::string(),
                        [&](const fs::path& root, uint64_t ops) {
                          return MeasureOps(DatabaseOptions(args), root, ops, txn_ops);
                        });
}

}  // namespace journaldb::bench
