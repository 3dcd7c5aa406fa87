// CommitObjects: the journaled side of the write workloads. Threads commit
// single-op transactions through the public API, each upserting one object
// (ObjectKey(i), one 200-byte string field).
#ifndef JOURNALDB_TOOLS_BENCH_COMMIT_LOOP_H_
#define JOURNALDB_TOOLS_BENCH_COMMIT_LOOP_H_

#include <cstdint>

#include "child_run.h"
#include "journaldb/database.h"

namespace journaldb::bench {

// One single-op transaction upserting object ObjectKey(key).
Status CommitObject(Database& db, uint64_t key);

// Commits objects first_key .. first_key + ops - 1, split into `threads`
// contiguous ranges, one per thread. Times from the moment all threads are
// started until the last commit returned. The first failed commit stops the
// run and is the result.
Result<RunResult> CommitObjects(Database& db, uint64_t ops, int threads, uint64_t first_key);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_COMMIT_LOOP_H_
