#include "scratch_postgres.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace journaldb::bench {

Result<std::unique_ptr<ScratchPostgres>> ScratchPostgres::Connect(const std::string& conninfo) {
  std::unique_ptr<ScratchPostgres> p(new ScratchPostgres());
  p->conninfo_ = conninfo;
  p->conn_ = PQconnectdb(conninfo.c_str());
  if (p->conn_ == nullptr || PQstatus(p->conn_) != CONNECTION_OK)
    return Status::IOError(fmt::format("--postgres: cannot connect: {}",
                                       p->conn_ ? PQerrorMessage(p->conn_) : "out of memory"));
  return p;
}

ScratchPostgres::~ScratchPostgres() {
  for (const std::string& name : made_)
    if (Status s = Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); !s.ok())
      std::fprintf(stderr, "journal-bench: left behind: %s\n", s.ToString().c_str());
  if (conn_ != nullptr) PQfinish(conn_);
}

Status ScratchPostgres::Exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  Status s = PQresultStatus(r) == PGRES_COMMAND_OK
                 ? Status::OK()
                 : Status::IOError(fmt::format("{}: {}", sql, PQerrorMessage(conn_)));
  PQclear(r);
  return s;
}

Result<std::string> ScratchPostgres::NewDatabase() {
  const std::string name =
      fmt::format("journal_bench_{}_{}", static_cast<long>(::getpid()), made_.size());
  if (Status s = Exec("CREATE DATABASE " + name); !s.ok()) return s;
  made_.push_back(name);
  return WithDatabase(name);
}

// The given connection string, parsed by libpq (either form) and written
// back as keyword/value pairs with dbname replaced.
std::string ScratchPostgres::WithDatabase(const std::string& name) const {
  std::string out = "dbname=" + name;
  PQconninfoOption* options = PQconninfoParse(conninfo_.c_str(), nullptr);
  for (PQconninfoOption* o = options; o != nullptr && o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string(o->keyword) == "dbname") continue;
    std::string quoted;
    for (const char* c = o->val; *c != '\0'; ++c) {
      if (*c == '\'' || *c == '\\') quoted += '\\';
      quoted += *c;
    }
    out += fmt::format(" {}='{}'", o->keyword, quoted);
  }
  PQconninfoFree(options);
  return out;
}

}  // namespace journaldb::bench
