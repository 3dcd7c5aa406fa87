#include "sqlite_baseline.h"

#include <mutex>
#include <vector>

#include "encoded_commit.h"
#include "sqlite_handles.h"
#include "timed_threads.h"

namespace journaldb::bench {

Result<RunResult> SqliteCommits(const std::string& dir, uint64_t ops,
                                const SqliteOptions& options) {
  Result<DbHandle> db = OpenWal(dir + "/bench.sqlite", options.sync_every_commit);
  if (!db.ok()) return db.status();
  sqlite3* d = db->get();
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
  // SQLite has one writer at a time per database: the threads take turns.
  std::mutex writer;
  Result<RunResult> result = TimedThreads(
      ops, options.threads,
      [&](uint64_t begin_i, uint64_t end_i, const std::atomic<bool>& stop) -> Status {
        std::string before;  // the current object, which a before-image is made of
        for (uint64_t i = begin_i; i < end_i && !stop.load(std::memory_order_relaxed); ++i) {
          const EncodedCommit& c = commits[i];
          std::lock_guard<std::mutex> turn(writer);
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
