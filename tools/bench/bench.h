// Shared pieces of journal-bench: the parsed command line, the workload entry
// point signature and the generated data every write workload uses.
#ifndef JOURNALDB_TOOLS_BENCH_BENCH_H_
#define JOURNALDB_TOOLS_BENCH_BENCH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "journaldb/options.h"

namespace journaldb::bench {

struct BenchArgs {
  std::string workload;
  // Total operations per run; nullopt: the workload's default.
  std::optional<uint64_t> ops;
  // Committing threads; nullopt: the workload's default.
  std::optional<int> threads;
  // Runs per side for workloads that compare against a baseline, and runs
  // per list length for `list-insert`.
  std::optional<int> runs;
  // Empty: a fresh temporary database per run, removed afterwards. Otherwise
  // the database directory to use and keep (created if missing).
  std::string db;
  // Database sizes in bytes, for workloads that build databases of given
  // sizes (`snapshot`); empty: the workload's default.
  std::vector<uint64_t> sizes;
  // Operations per transaction (`replay`, `replay-sqlite`, `list-replay`); nullopt: the workload's
  // default.
  std::optional<uint64_t> txn_ops;
  // A libpq connection string (`sync-nodes`): the PostgreSQL server to make
  // scratch databases on; empty: none.
  std::string postgres;
  // Idle long-polling connections held open (`sync`); nullopt: none.
  std::optional<uint64_t> idle_connections;
  // The sync connections over TLS (`sync`).
  bool tls = false;
  // Options::memory_budget_bytes of the databases the workload writes
  // (`write`: both sides; `replay`, `list-replay`: the source and the live
  // database; the recovery snapshot opened for the replay has the default);
  // nullopt: the default (journaldb/memory_budget.h).
  std::optional<uint64_t> memory_budget_bytes;
};

// The Options of a database the workload writes: the defaults with
// --memory-budget applied.
Options DatabaseOptions(const BenchArgs& args);

// A workload runs, prints its JSON lines to stdout and returns the process
// exit code (0 ok, 1 error). Errors go to stderr.
using WorkloadFn = int (*)(const BenchArgs&);

int RunWrite(const BenchArgs& args);
int RunWriteSync(const BenchArgs& args);
int RunSync(const BenchArgs& args);
int RunSyncNodes(const BenchArgs& args);
int RunSnapshot(const BenchArgs& args);
int RunReplay(const BenchArgs& args);
int RunReplaySqlite(const BenchArgs& args);
int RunListInsert(const BenchArgs& args);
int RunListReplay(const BenchArgs& args);
int RunSqlite(const BenchArgs& args);
int RunSqliteSync(const BenchArgs& args);

// Every object the write workloads create lives in this collection, under a
// 16-byte key, with one 200-byte string field.
inline constexpr char kCollection[] = "bench";
inline constexpr char kField[] = "payload";
inline constexpr size_t kKeyBytes = 16;
inline constexpr size_t kPayloadBytes = 200;

// The primary key of the i-th object: 16 hex digits of a bijective scramble of
// i, so keys are distinct but not inserted in key order (as app ids would be).
std::string ObjectKey(uint64_t i);
// The 200-byte field value (the same for every object).
const std::string& Payload();

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_BENCH_H_
