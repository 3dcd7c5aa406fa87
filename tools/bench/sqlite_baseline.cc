#include "sqlite_baseline.h"

#include <sqlite3.h>

#include <memory>
#include <string_view>
#include <vector>

#include "encoded_commit.h"
#include "timed_threads.h"

namespace journaldb::bench {

namespace {

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

Status SqliteError(sqlite3* db, std::string_view what) {
  return Status::IOError(std::string("sqlite: ") + std::string(what) + ": " + sqlite3_errmsg(db));
}

Status Exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return Status::OK();
  Status s = Status::IOError(std::string("sqlite: ") + sql + ": " + (message ? message : "?"));
  sqlite3_free(message);
  return s;
}

Result<StmtHandle> Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  // PERSISTENT: the statement lives for the whole run, as an app's would.
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
    return SqliteError(db, sql);
  return StmtHandle(stmt);
}

// Runs a statement that returns no rows, then resets it for the next use.
bool StepDone(sqlite3_stmt* stmt) {
  const bool done = sqlite3_step(stmt) == SQLITE_DONE;
  return sqlite3_reset(stmt) == SQLITE_OK && done;
}

}  // namespace

Result<RunResult> SqliteCommits(const std::string& dir, uint64_t ops,
                                const SqliteOptions& options) {
  const std::string path = dir + "/bench.sqlite";
  sqlite3* raw = nullptr;
  const int opened =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  DbHandle db(raw);  // closed even if the open failed
  if (opened != SQLITE_OK) return SqliteError(raw, "open " + path);
  sqlite3* d = db.get();

  // journal_mode answers with the mode it is in; an unsupported file system
  // would leave it in rollback mode, which would not be the baseline we name.
  {
    Result<StmtHandle> wal = Prepare(d, "PRAGMA journal_mode=WAL");
    if (!wal.ok()) return wal.status();
    const unsigned char* mode =
        sqlite3_step(wal->get()) == SQLITE_ROW ? sqlite3_column_text(wal->get(), 0) : nullptr;
    if (mode == nullptr || std::string_view(reinterpret_cast<const char*>(mode)) != "wal")
      return Status::FailedPrecondition("sqlite: cannot switch " + path + " to WAL mode");
  }
  if (Status s = Exec(
          d, options.sync_every_commit ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      !s.ok())
    return s;
  if (Status s = Exec(d,
                      "CREATE TABLE state(key BLOB PRIMARY KEY, object BLOB NOT NULL) "
                      "WITHOUT ROWID;"
                      "CREATE TABLE journal(lsn INTEGER PRIMARY KEY, entry BLOB NOT NULL);");
      !s.ok())
    return s;

  Result<StmtHandle> begin = Prepare(d, "BEGIN IMMEDIATE");
  Result<StmtHandle> read = Prepare(d, "SELECT object FROM state WHERE key = ?1");
  Result<StmtHandle> upsert = Prepare(d,
                                      "INSERT INTO state(key, object) VALUES(?1, ?2) "
                                      "ON CONFLICT(key) DO UPDATE SET object = excluded.object");
  Result<StmtHandle> append = Prepare(d, "INSERT INTO journal(lsn, entry) VALUES(?1, ?2)");
  Result<StmtHandle> commit = Prepare(d, "COMMIT");
  for (const Result<StmtHandle>* r : {&begin, &read, &upsert, &append, &commit})
    if (!r->ok()) return r->status();

  std::vector<EncodedCommit> commits;
  commits.reserve(ops);
  for (uint64_t i = 0; i < ops; ++i) commits.push_back(EncodeCommit(i));

  sqlite3_stmt* begin_stmt = begin->get();
  sqlite3_stmt* read_stmt = read->get();
  sqlite3_stmt* upsert_stmt = upsert->get();
  sqlite3_stmt* append_stmt = append->get();
  sqlite3_stmt* commit_stmt = commit->get();
  // One committing thread: SQLite has one writer at a time per database.
  Result<RunResult> result = TimedThreads(
      ops, 1, [&](uint64_t begin_i, uint64_t end_i, const std::atomic<bool>&) -> Status {
        std::string before;  // the current object, which a before-image is made of
        for (uint64_t i = begin_i; i < end_i; ++i) {
          const EncodedCommit& c = commits[i];
          if (!StepDone(begin_stmt)) return SqliteError(d, "begin");

          // SQLITE_STATIC: the bytes outlive the statement's use of them.
          sqlite3_bind_blob(read_stmt, 1, c.state_key.data(), static_cast<int>(c.state_key.size()),
                            SQLITE_STATIC);
          const int step = sqlite3_step(read_stmt);
          if (step == SQLITE_ROW) {
            const void* blob = sqlite3_column_blob(read_stmt, 0);
            before.assign(static_cast<const char*>(blob),
                          static_cast<size_t>(sqlite3_column_bytes(read_stmt, 0)));
          }
          if ((step != SQLITE_ROW && step != SQLITE_DONE) || sqlite3_reset(read_stmt) != SQLITE_OK)
            return SqliteError(d, "read object");

          sqlite3_bind_blob(upsert_stmt, 1, c.state_key.data(),
                            static_cast<int>(c.state_key.size()), SQLITE_STATIC);
          sqlite3_bind_blob(upsert_stmt, 2, c.object.data(), static_cast<int>(c.object.size()),
                            SQLITE_STATIC);
          if (!StepDone(upsert_stmt)) return SqliteError(d, "upsert object");

          sqlite3_bind_int64(append_stmt, 1, static_cast<sqlite3_int64>(c.lsn));
          sqlite3_bind_blob(append_stmt, 2, c.entry.data(), static_cast<int>(c.entry.size()),
                            SQLITE_STATIC);
          if (!StepDone(append_stmt)) return SqliteError(d, "append journal entry");

          if (!StepDone(commit_stmt)) return SqliteError(d, "commit");
        }
        return Status::OK();
      });
  if (!result.ok()) return result;
  // Not timed: a run that lost or merged rows would not be the baseline we name.
  Result<StmtHandle> count =
      Prepare(d, "SELECT (SELECT count(*) FROM state), (SELECT count(*) FROM journal)");
  if (!count.ok()) return count.status();
  if (sqlite3_step(count->get()) != SQLITE_ROW) return SqliteError(d, "count rows");
  const auto want = static_cast<sqlite3_int64>(ops);
  if (sqlite3_column_int64(count->get(), 0) != want ||
      sqlite3_column_int64(count->get(), 1) != want)
    return Status::Corruption("sqlite: not one state row and one journal row per op");
  return result;
}

}  // namespace journaldb::bench
