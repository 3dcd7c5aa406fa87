#include "sqlite_handles.h"

namespace journaldb::bench {

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
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
    return SqliteError(db, sql);
  return StmtHandle(stmt);
}

bool StepDone(sqlite3_stmt* stmt) {
  const bool done = sqlite3_step(stmt) == SQLITE_DONE;
  return sqlite3_reset(stmt) == SQLITE_OK && done;
}

Result<DbHandle> OpenWal(const std::string& path, bool sync_every_commit) {
  sqlite3* raw = nullptr;
  const int opened =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  DbHandle db(raw);  // closed even if the open failed
  if (opened != SQLITE_OK) return SqliteError(raw, "open " + path);
  // journal_mode answers with the mode it is in; an unsupported file system
  // would leave it in rollback mode.
  {
    Result<StmtHandle> wal = Prepare(db.get(), "PRAGMA journal_mode=WAL");
    if (!wal.ok()) return wal.status();
    const unsigned char* mode =
        sqlite3_step(wal->get()) == SQLITE_ROW ? sqlite3_column_text(wal->get(), 0) : nullptr;
    if (mode == nullptr || std::string_view(reinterpret_cast<const char*>(mode)) != "wal")
      return Status::FailedPrecondition("sqlite: cannot switch " + path + " to WAL mode");
  }
  if (Status s = Exec(db.get(), sync_every_commit ? "PRAGMA synchronous=FULL"
                                                  : "PRAGMA synchronous=NORMAL");
      !s.ok())
    return s;
  return db;
}

}  // namespace journaldb::bench
