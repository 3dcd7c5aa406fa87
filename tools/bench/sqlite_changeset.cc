// The session API is compiled into Debian's SQLite (compile option
// ENABLE_SESSION) but declared only with this macro.
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "sqlite_changeset.h"

#include <sqlite3.h>
#include <boost/filesystem.hpp>
#include <chrono>
#include <fstream>
#include <iterator>
#include <vector>

#include "bench.h"
#include "replay_data.h"
#include "sqlite_handles.h"
#include "timed_threads.h"

namespace journaldb::bench {

namespace {

constexpr uint64_t kRowsPerLoadTransaction = 10000;

Status BindAndStep(sqlite3* db, sqlite3_stmt* stmt, const std::string& key,
                   const std::string& value) {
  sqlite3_bind_blob(stmt, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  sqlite3_bind_blob(stmt, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  return StepDone(stmt) ? Status::OK() : SqliteError(db, "write a row");
}

// A fresh database at `path` with the table and one row per object, the value
// `value_of(i)`; large transactions, untimed.
template <typename ValueOf>
Result<DbHandle> CreateObjects(const std::string& path, uint64_t objects, ValueOf value_of) {
  Result<DbHandle> db = OpenWal(path, false);
  if (!db.ok()) return db.status();
  sqlite3* d = db->get();
  if (Status s =
          Exec(d, "CREATE TABLE objects(key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID");
      !s.ok())
    return s;
  Result<StmtHandle> insert = Prepare(d, "INSERT INTO objects(key, value) VALUES(?1, ?2)");
  if (!insert.ok()) return insert.status();
  for (uint64_t i = 0; i < objects; ++i) {
    if (i % kRowsPerLoadTransaction == 0 && i > 0)
      if (Status s = Exec(d, "COMMIT"); !s.ok()) return s;
    if (i % kRowsPerLoadTransaction == 0)
      if (Status s = Exec(d, "BEGIN"); !s.ok()) return s;
    if (Status s = BindAndStep(d, insert->get(), ObjectKey(i), value_of(i)); !s.ok()) return s;
  }
  if (objects > 0)
    if (Status s = Exec(d, "COMMIT"); !s.ok()) return s;
  return db;
}

struct SessionDeleter {
  void operator()(sqlite3_session* s) const { sqlite3session_delete(s); }
};

struct ConflictCount {
  uint64_t data = 0;   // the row's current value is not the changeset's old value
  uint64_t other = 0;  // anything else: the workload is wrong
};

int OnConflict(void* ctx, int kind, sqlite3_changeset_iter*) {
  auto* count = static_cast<ConflictCount*>(ctx);
  if (kind == SQLITE_CHANGESET_DATA) {
    ++count->data;
    return SQLITE_CHANGESET_REPLACE;
  }
  ++count->other;
  return SQLITE_CHANGESET_ABORT;
}

}  // namespace

Status BuildSqliteChangeset(const std::string& dir, uint64_t objects, uint64_t txn_ops) {
  Result<DbHandle> client =
      CreateObjects(dir + "/client.sqlite", objects, [](uint64_t) { return BaseValue(); });
  if (!client.ok()) return client.status();
  sqlite3* d = client->get();
  sqlite3_session* raw = nullptr;
  if (sqlite3session_create(d, "main", &raw) != SQLITE_OK) return SqliteError(d, "session");
  std::unique_ptr<sqlite3_session, SessionDeleter> session(raw);
  if (sqlite3session_attach(raw, "objects") != SQLITE_OK) return SqliteError(d, "attach");
  Result<StmtHandle> update = Prepare(d, "UPDATE objects SET value = ?2 WHERE key = ?1");
  if (!update.ok()) return update.status();
  for (uint64_t i = 0; i < objects;) {
    if (Status s = Exec(d, "BEGIN"); !s.ok()) return s;
    for (uint64_t end = std::min(objects, i + txn_ops); i < end; ++i)
      if (Status s = BindAndStep(d, update->get(), ObjectKey(i), LocalValue()); !s.ok()) return s;
    if (Status s = Exec(d, "COMMIT"); !s.ok()) return s;
  }
  int bytes = 0;
  void* changeset = nullptr;
  if (sqlite3session_changeset(raw, &bytes, &changeset) != SQLITE_OK)
    return SqliteError(d, "changeset");
  std::ofstream out(dir + "/changeset", std::ios::binary);
  out.write(static_cast<const char*>(changeset), bytes);
  sqlite3_free(changeset);
  if (!out.flush()) return Status::IOError("cannot write " + dir + "/changeset");

  Result<DbHandle> server = CreateObjects(dir + "/server.sqlite", objects, ServerStateValue);
  return server.status();
}

Result<RunResult> ApplySqliteChangeset(const std::string& dir, uint64_t objects, int run) {
  const std::string path = dir + "/apply-" + std::to_string(run) + ".sqlite";
  boost::system::error_code ec;
  boost::filesystem::copy_file(dir + "/server.sqlite", path, ec);
  if (ec) return Status::IOError("cannot copy server.sqlite: " + ec.message());
  std::ifstream in(dir + "/changeset", std::ios::binary);
  const std::vector<char> changeset{std::istreambuf_iterator<char>(in),
                                    std::istreambuf_iterator<char>()};
  if (!in.eof() && in.fail()) return Status::IOError("cannot read " + dir + "/changeset");
  Result<DbHandle> db = OpenWal(path, false);
  if (!db.ok()) return db.status();

  ConflictCount conflicts;
  const double cpu0 = ThreadCpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  const int applied = sqlite3changeset_apply(
      db->get(), static_cast<int>(changeset.size()), const_cast<char*>(changeset.data()), nullptr,
      OnConflict, &conflicts);
  RunResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_seconds = ThreadCpuSeconds() - cpu0;
  if (applied != SQLITE_OK) return SqliteError(db->get(), "apply the changeset");
  if (conflicts.data != ServerChangedCount(objects) || conflicts.other != 0)
    return Status::Corruption("the changeset did not conflict on exactly the server-changed rows");
  r.ops = objects;
  return r;
}

}  // namespace journaldb::bench
