// The phases the replay workloads (`replay`, `list-replay`) share: a child
// commits diverged transactions and takes a recovery snapshot, another child
// replays that snapshot into a fresh database with local-wins, and one JSON
// line reports both.
#ifndef JOURNALDB_TOOLS_BENCH_REPLAY_RUN_H_
#define JOURNALDB_TOOLS_BENCH_REPLAY_RUN_H_

#include <boost/filesystem.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "child_run.h"
#include "journaldb/database.h"
#include "json_line.h"

namespace journaldb::bench {

struct ReplayMeasurement {
  RunResult commit;  // the diverged transactions committed directly: the yardstick
  RunResult replay;  // Replay() alone, and the replaying child's peak RSS
};

// Commits `ops` ops in `transactions` transactions to a fresh database at
// root/"source" opened with `options` through `commit(db)` (timed), then takes
// a recovery snapshot into root/"recovery" and checks its manifest counts them
// all as diverged. Runs in the calling process: call it from a child
// (RunInChild).
Result<RunResult> CommitAndSnapshot(const Options& options, const boost::filesystem::path& root,
                                    uint64_t ops, uint64_t transactions,
                                    const std::function<Status(Database&)>& commit);

// Runs `build` in a child (it must leave one recovery snapshot of `ops`
// diverged ops under root/"recovery", e.g. through CommitAndSnapshot), then in
// another child replays it into a fresh database at root/"live", opened with
// `options`, with LocalWinsPolicy. Fails unless the replay is complete with
// every op applied.
Result<ReplayMeasurement> MeasureReplay(const Options& options, const boost::filesystem::path& root,
                                        uint64_t ops, const RunFn& build);

// For each op count: a root directory (`db` if not empty, kept; else a fresh
// temporary one, removed afterwards) and measure(root, ops). Prints a failure
// naming `workload` on stderr; returns the exit code (0 ok, 1 a run failed).
int ForEachOpCount(const char* workload, const std::vector<uint64_t>& counts, const std::string& db,
                   const std::function<Status(const boost::filesystem::path&, uint64_t)>& measure);

// MeasureReplay of CommitAndSnapshot(options, root, ops, transactions,
// commit), then prints `line` (the workload's own fields) with the fields both
// workloads share: the memory budget, ops, transactions, rates, CPU, peak RSS
// of the replay and of the direct commits.
Status MeasureAndPrint(JsonLine line, const Options& options, const boost::filesystem::path& root,
                       uint64_t ops, uint64_t transactions, uint64_t txn_ops,
                       const std::function<Status(Database&)>& commit);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_REPLAY_RUN_H_
