// PgConnection: one libpq connection with the few calls the PostgreSQL store
// makes, every failure a Status (IOError: the database is unreachable or the
// statement failed and may succeed on retry; Corruption: a reply of the
// wrong shape). Values go over the wire in binary: int8 (u64 bit-cast to
// two's complement), bytea and bool.
//
//   Result<PgConnection> c = PgConnection::Connect(conninfo, timeouts);
//   Result<PgRows> rows = c->Query("SELECT latest_version FROM journaldb.lineage", {});
//   uint64_t latest = rows->U64(0, 0);
//
// Thread safety: none; one thread uses a connection at a time.
#ifndef JOURNALDB_SERVER_POSTGRES_PG_CONNECTION_H_
#define JOURNALDB_SERVER_POSTGRES_PG_CONNECTION_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "journaldb/status.h"

namespace journaldb::server::pg {

// One statement parameter, in binary.
struct PgParam {
  enum class Type { kInt8, kBytea, kBool } type;
  std::string bytes;
  static PgParam U64(uint64_t v);
  static PgParam Bytes(std::string_view v);
  static PgParam Bool(bool v);
};

// Rows of a statement's binary result.
class PgRows {
 public:
  explicit PgRows(PGresult* r) : result_(r, &PQclear) {}
  int size() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  std::string_view Bytes(int row, int col) const;
  uint64_t U64(int row, int col) const;
  bool Bool(int row, int col) const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  uint64_t Affected() const;
  PGresult* raw_result() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

// Server-side limits every connection sets after connecting.
struct PgTimeouts {
  // statement_timeout: a statement running longer fails. Default: 30 s.
  uint32_t statement_ms = 30000;
  // idle_in_transaction_session_timeout: a transaction left idle (a node
  // stuck or gone mid-transaction) is ended by the database. Default: 60 s.
  uint32_t idle_in_transaction_ms = 60000;
};

class PgConnection {
 public:
  // Connects (within 5 s, unless `conninfo` sets connect_timeout) and sets
  // `timeouts`. The backend shows `application_name` in pg_stat_activity
  // unless `conninfo` or PGAPPNAME names one. The database's notices and
  // warnings on the connection are dropped. IOError naming the database's
  // reason if it cannot connect.
  static Result<PgConnection> Connect(const std::string& conninfo, const PgTimeouts& timeouts,
                                      const char* application_name = "journal-server");
  PgConnection(PgConnection&&) = default;
  PgConnection& operator=(PgConnection&&) = default;

  // Runs one statement; tuples come back in binary. IOError with the
  // database's message on failure (`what` says which step it was).
  Result<PgRows> Query(const char* sql, const std::vector<PgParam>& params,
                       const char* what = "query");
  // Runs statements without parameters (BEGIN, LISTEN ...).
  Status Exec(const char* sql, const char* what = "statement");
  // Ends the open transaction with COMMIT. IOError if the database rolled it
  // back instead: it answers COMMIT of a transaction in which a statement
  // failed with the tag ROLLBACK, not an error, and nothing was written.
  Status Commit(const char* what = "commit");
  // The SQLSTATE of the last Query if it failed ("42P10"); empty if it
  // succeeded or its failure named none (a broken connection).
  const std::string& last_error_code() const { return last_error_code_; }
  // False once the connection broke; such a connection is dropped.
  bool ok() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
  PGconn* raw() const { return conn_.get(); }

 private:
  explicit PgConnection(PGconn* c) : conn_(c, &PQfinish) {}
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn_;
  std::string last_error_code_;
};

}  // namespace journaldb::server::pg

#endif  // JOURNALDB_SERVER_POSTGRES_PG_CONNECTION_H_
