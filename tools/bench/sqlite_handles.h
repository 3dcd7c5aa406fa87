// The SQLite plumbing the sqlite baselines share: RAII handles, errors as
// Status, and opening a database file in WAL mode.
#ifndef JOURNALDB_TOOLS_BENCH_SQLITE_HANDLES_H_
#define JOURNALDB_TOOLS_BENCH_SQLITE_HANDLES_H_

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "journaldb/status.h"

namespace journaldb::bench {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct FinalizeStmt {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbHandle = std::unique_ptr<sqlite3, CloseDb>;
// A StmtHandle must die before its DbHandle: sqlite3_close refuses a database
// with live statements. Declaring the database first does that.
using StmtHandle = std::unique_ptr<sqlite3_stmt, FinalizeStmt>;

Status SqliteError(sqlite3* db, std::string_view what);
Status Exec(sqlite3* db, const char* sql);
// A statement that lives for the whole run, as an app's would.
Result<StmtHandle> Prepare(sqlite3* db, const char* sql);
// Runs a statement that returns no rows, then resets it for the next use.
bool StepDone(sqlite3_stmt* stmt);

// Opens (creating if missing) `path` in WAL mode with PRAGMA synchronous
// FULL (`sync_every_commit`) or NORMAL; fails if WAL mode is refused, which
// would not be the baseline the benchmarks name.
Result<DbHandle> OpenWal(const std::string& path, bool sync_every_commit);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_SQLITE_HANDLES_H_
