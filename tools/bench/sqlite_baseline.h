// SqliteCommits: the SQLite side of the sqlite workloads. The same logical
// work as a journaled commit of the write workloads, in SQLite: per object one
// transaction that reads the object's current row (for the before-image),
// upserts its state row and inserts the journal row (lsn, the encoded entry).
#ifndef JOURNALDB_TOOLS_BENCH_SQLITE_BASELINE_H_
#define JOURNALDB_TOOLS_BENCH_SQLITE_BASELINE_H_

#include <cstdint>
#include <string>

#include "child_run.h"
#include "journaldb/status.h"

namespace journaldb::bench {

// The schema, one table per journaldb column family:
//   state(key BLOB PRIMARY KEY, object BLOB) WITHOUT ROWID  -- clustered by key
//   journal(lsn INTEGER PRIMARY KEY, entry BLOB)            -- the rowid is the lsn
struct SqliteOptions {
  // PRAGMA synchronous: false NORMAL (in WAL mode: no fsync per commit, the
  // WAL is fsynced at checkpoints; journaldb's kBuffered), true FULL (the WAL
  // is fsynced at every commit; journaldb's kSyncEveryCommit). Default NORMAL.
  bool sync_every_commit = false;
  // Committing threads. SQLite has one writer at a time per database, so the
  // threads share one connection and take turns, a whole transaction each
  // (a connection per thread would only add busy-handler sleeps).
  int threads = 1;
};

// Creates a database file in the existing directory `dir` in WAL mode,
// pre-encodes the bytes of objects 0 .. ops - 1 (EncodeCommit), prepares the
// statements once, then times `ops` transactions from options.threads threads. Opening,
// encoding and closing are outside the timed region.
Result<RunResult> SqliteCommits(const std::string& dir, uint64_t ops, const SqliteOptions& options);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_SQLITE_BASELINE_H_
