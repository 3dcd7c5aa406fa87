// The SQLite side of the replay-sqlite workload: the session extension
// records the client's updates as a changeset, which is then applied to the
// server's state (sqlite3changeset_apply), conflicts resolved REPLACE: the
// local value wins, as journaldb's local-wins policy does.
//
// Schema: objects(key BLOB PRIMARY KEY, value BLOB) WITHOUT ROWID, keyed
// like journaldb's state (replay_data.h for the values).
#ifndef JOURNALDB_TOOLS_BENCH_SQLITE_CHANGESET_H_
#define JOURNALDB_TOOLS_BENCH_SQLITE_CHANGESET_H_

#include <cstdint>
#include <string>

#include "child_run.h"
#include "journaldb/status.h"

namespace journaldb::bench {

// In the existing directory `dir`: a client database of `objects` base rows
// whose updates to the local value, `txn_ops` per transaction, a session
// records into `dir`/changeset; and `dir`/server.sqlite, the base rows with
// every tenth changed to the server value.
Status BuildSqliteChangeset(const std::string& dir, uint64_t objects, uint64_t txn_ops);

// Copies server.sqlite, opens the copy in WAL mode (synchronous=NORMAL, as
// journaldb's buffered durability) and times applying the changeset to it.
// Fails unless exactly the server-changed rows conflicted.
Result<RunResult> ApplySqliteChangeset(const std::string& dir, uint64_t objects, int run);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_SQLITE_CHANGESET_H_
