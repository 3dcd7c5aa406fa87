// PostgresCluster: a throwaway PostgreSQL cluster for the tests of one test
// binary, served on a unix socket in a temporary directory only (no TCP
// port, so parallel tests cannot race for one), with one database per test.
// Started on first use, stopped and removed when the binary exits.
//
//   PostgresCluster* cluster = PostgresCluster::Shared(&error);  // nullptr: FAIL with error
//   std::string conninfo = cluster->NewDatabase(&error);
//   cluster->Stop(); ... cluster->Start(&error);  // a database outage
//   RunSql(conninfo, "SELECT count(*) FROM journaldb.clients", &error);
//
// The PostgreSQL server binaries (Debian's `postgresql` package, installed by
// scripts/install-deps.sh) are required: without them the test fails saying
// so, it is never skipped. As root, initdb and the server run as the
// `postgres` user.
//
// Thread safety: none; the test's thread uses it.
#ifndef JOURNALDB_TESTS_SUPPORT_POSTGRES_CLUSTER_H_
#define JOURNALDB_TESTS_SUPPORT_POSTGRES_CLUSTER_H_

#include <optional>
#include <string>
#include <vector>

namespace journaldb::testing {

// Runs `sql` (one or more statements) on the database at `conninfo`: the
// first column of the last statement's first row as text ("" if it returns
// no rows), or nullopt with the reason in *error.
std::optional<std::string> RunSql(const std::string& conninfo, const std::string& sql,
                                  std::string* error);

class PostgresCluster {
 public:
  // The binary's cluster, started (about 3 s) on the first call; nullptr
  // with the reason in *error if it cannot start.
  static PostgresCluster* Shared(std::string* error);

  // Creates a fresh database; its libpq connection string, or "" with the
  // reason in *error.
  std::string NewDatabase(std::string* error);
  // Stops the server (fast shutdown: connections are cut) and starts it
  // again on the same socket; false with the reason in *error.
  bool Stop(std::string* error);
  bool Start(std::string* error);
  // The path of a PostgreSQL client program of the cluster's version
  // (pg_dump, pg_restore, psql).
  std::string Program(const std::string& name) const { return bin_ + "/" + name; }

  ~PostgresCluster();

 private:
  PostgresCluster() = default;
  bool Init(std::string* error);
  // Runs a PostgreSQL program from bin_ (as `postgres` when root).
  bool RunPg(const std::string& program, const std::vector<std::string>& args, std::string* error);

  std::string bin_;   // the server binaries' directory
  std::string root_;  // socket directory; data in root_/data
  bool running_ = false;
  int databases_ = 0;
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_POSTGRES_CLUSTER_H_
