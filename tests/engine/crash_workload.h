// The crash test's workload: transaction contents that are a pure function of
// (seed, writer, seq), so the parent can recompute what any journal entry
// must hold and tell a whole transaction from a partial one.
//
// Every transaction starts with an upsert of progress/w<writer> {seq: seq}:
// the entry names its own (writer, seq), and a restarted writer resumes at
// the seq after the last committed one. The remaining ops (increments,
// upserts, field and object erases, the same object often touched twice) only
// ever put int64 values in "count", so no increment can fail.
#ifndef JOURNALDB_TESTS_ENGINE_CRASH_WORKLOAD_H_
#define JOURNALDB_TESTS_ENGINE_CRASH_WORKLOAD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "journaldb/operation.h"

namespace journaldb::testing {

inline constexpr char kProgressCollection[] = "progress";
inline constexpr char kSeqField[] = "seq";

std::string ProgressKey(int writer);

// JOURNALDB_CRASH_KILLS: how many times the crash tests kill a child in
// total (default 200, at least 4).
uint64_t CrashKillsFromEnv();
// JOURNALDB_CRASH_SEED: the seed of a run to replay; default a fresh one,
// the same for every call in one process.
uint64_t CrashSeedFromEnv();

std::vector<Operation> CrashWorkloadTransaction(uint64_t seed, int writer, uint64_t seq);

// (writer, seq) named by a transaction's first op; nullopt if it has none.
std::optional<std::pair<int, uint64_t>> WorkloadIdentity(const std::vector<Operation>& ops);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_ENGINE_CRASH_WORKLOAD_H_
