#include "pg_connection.h"

#include <endian.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <string_view>

#include "journaldb/server/log_line.h"

namespace journaldb::server::pg {

namespace {
// pg_type OIDs of the parameter types (stable across releases).
constexpr Oid kInt8Oid = 20;
constexpr Oid kByteaOid = 17;
constexpr Oid kBoolOid = 16;

std::string ErrorOf(PGconn* c) {
  std::string m = PQerrorMessage(c);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// The notice processor of every connection. The connection asks for no
// NOTICEs (client_min_messages: the expected ones arise when ADD COLUMN or
// CREATE INDEX IF NOT EXISTS finds what a node starting beside this one has
// just added); a WARNING (transaction wraparound ahead, no transaction in
// progress) is written to stderr as one escaped log line, where libpq's
// default prints it raw. No log of the server's reaches a connection: the
// store's is set after Open.
void WarnToStderr(void*, const char* message) {
  std::string_view m(message);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.remove_suffix(1);
  const std::string line = LogLine(fmt::format("postgres: {}", m)) + "\n";
  (void)!::write(STDERR_FILENO, line.data(), line.size());  // one write: one whole line
}
}  // namespace

PgParam PgParam::U64(uint64_t v) {
  uint64_t be = htobe64(v);
  return {Type::kInt8, std::string(reinterpret_cast<const char*>(&be), sizeof be)};
}

PgParam PgParam::Bytes(std::string_view v) { return {Type::kBytea, std::string(v)}; }

PgParam PgParam::Bool(bool v) { return {Type::kBool, std::string(1, v ? '\1' : '\0')}; }

std::string_view PgRows::Bytes(int row, int col) const {
  return {PQgetvalue(result_.get(), row, col),
          static_cast<size_t>(PQgetlength(result_.get(), row, col))};
}

uint64_t PgRows::U64(int row, int col) const {
  std::string_view b = Bytes(row, col);
  uint64_t be = 0;
  if (b.size() == sizeof be) std::memcpy(&be, b.data(), sizeof be);
  return be64toh(be);
}

bool PgRows::Bool(int row, int col) const {
  std::string_view b = Bytes(row, col);
  return !b.empty() && b[0] != 0;
}

uint64_t PgRows::Affected() const {
  const char* n = PQcmdTuples(result_.get());
  return (n == nullptr || *n == '\0') ? 0 : std::strtoull(n, nullptr, 10);
}

Result<PgConnection> PgConnection::Connect(const std::string& conninfo, const PgTimeouts& timeouts,
                                           const char* application_name) {
  // Keywords before the expanded conninfo are defaults it overrides (those
  // after it would override it).
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"5", application_name, conninfo.c_str(), nullptr};
  PgConnection c(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (c.raw() == nullptr) return Status::IOError("postgres: out of memory connecting");
  if (!c.ok())
    return Status::IOError(fmt::format("postgres: cannot connect: {}", ErrorOf(c.raw())));
  PQsetNoticeProcessor(c.raw(), WarnToStderr, nullptr);
  std::string set = fmt::format(
      "SET statement_timeout = {}; SET idle_in_transaction_session_timeout = {}; "
      "SET client_min_messages = warning",
      timeouts.statement_ms, timeouts.idle_in_transaction_ms);
  if (Status s = c.Exec(set.c_str(), "set timeouts"); !s.ok()) return s;
  return c;
}

Result<PgRows> PgConnection::Query(const char* sql, const std::vector<PgParam>& params,
                                   const char* what) {
  std::vector<Oid> types;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats(params.size(), 1);
  for (const PgParam& p : params) {
    types.push_back(p.type == PgParam::Type::kInt8    ? kInt8Oid
                    : p.type == PgParam::Type::kBytea ? kByteaOid
                                                      : kBoolOid);
    values.push_back(p.bytes.data());
    lengths.push_back(static_cast<int>(p.bytes.size()));
  }
  last_error_code_.clear();
  PgRows rows(PQexecParams(conn_.get(), sql, static_cast<int>(params.size()), types.data(),
                           values.data(), lengths.data(), formats.data(), /*resultFormat=*/1));
  ExecStatusType st = PQresultStatus(rows.raw_result());
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    const char* code = PQresultErrorField(rows.raw_result(), PG_DIAG_SQLSTATE);
    last_error_code_ = code != nullptr ? code : "";
    return Status::IOError(fmt::format("postgres: {}: {}", what, ErrorOf(conn_.get())));
  }
  return rows;
}

Status PgConnection::Exec(const char* sql, const char* what) {
  std::unique_ptr<PGresult, void (*)(PGresult*)> r(PQexec(conn_.get(), sql), &PQclear);
  ExecStatusType st = PQresultStatus(r.get());
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
    return Status::IOError(fmt::format("postgres: {}: {}", what, ErrorOf(conn_.get())));
  return Status::OK();
}

Status PgConnection::Commit(const char* what) {
  std::unique_ptr<PGresult, void (*)(PGresult*)> r(PQexec(conn_.get(), "COMMIT"), &PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
    return Status::IOError(fmt::format("postgres: {}: {}", what, ErrorOf(conn_.get())));
  if (std::strcmp(PQcmdStatus(r.get()), "COMMIT") != 0)
    return Status::IOError(fmt::format(
        "postgres: {}: the database rolled the transaction back ({}): a statement in it had "
        "failed; nothing was written",
        what, PQcmdStatus(r.get())));
  return Status::OK();
}

}  // namespace journaldb::server::pg
