// Scratch databases for the sync-nodes workload: made on the PostgreSQL
// server a connection string names, dropped again when this object goes.
// The database the string names is only connected to, never written.
#ifndef JOURNALDB_TOOLS_BENCH_SCRATCH_POSTGRES_H_
#define JOURNALDB_TOOLS_BENCH_SCRATCH_POSTGRES_H_

#include <memory>
#include <string>
#include <vector>

#include "journaldb/status.h"

typedef struct pg_conn PGconn;

namespace journaldb::bench {

class ScratchPostgres {
 public:
  // Connects with `conninfo` (keyword/value or URI form).
  static Result<std::unique_ptr<ScratchPostgres>> Connect(const std::string& conninfo);
  ~ScratchPostgres();  // drops every database it made
  ScratchPostgres(const ScratchPostgres&) = delete;
  ScratchPostgres& operator=(const ScratchPostgres&) = delete;

  // Creates an empty database `journal_bench_<pid>_<n>`; returns the
  // connection string for it (the given one with its dbname replaced).
  Result<std::string> NewDatabase();

 private:
  ScratchPostgres() = default;
  Status Exec(const std::string& sql);
  std::string WithDatabase(const std::string& name) const;

  PGconn* conn_ = nullptr;
  std::string conninfo_;
  std::vector<std::string> made_;
};

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_SCRATCH_POSTGRES_H_
