#include "support/postgres_cluster.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>

#include "support/child_process.h"

namespace journaldb::testing {

namespace fs = boost::filesystem;

namespace {
// Only names the socket file in root_: no TCP port is opened.
constexpr int kPort = 5432;

// The newest installed server's bin directory, or "".
std::string FindPostgresBin() {
  std::string best;
  boost::system::error_code ec;
  for (fs::directory_iterator it("/usr/lib/postgresql", ec), end; !ec && it != end;
       it.increment(ec)) {
    fs::path bin = it->path() / "bin";
    if (fs::exists(bin / "pg_ctl", ec) && (best.empty() || bin.string() > best))
      best = bin.string();
  }
  return best;
}
}  // namespace

std::optional<std::string> RunSql(const std::string& conninfo, const std::string& sql,
                                  std::string* error) {
  std::unique_ptr<PGconn, void (*)(PGconn*)> c(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) {
    *error = fmt::format("connect to {}: {}", conninfo, PQerrorMessage(c.get()));
    return std::nullopt;
  }
  std::unique_ptr<PGresult, void (*)(PGresult*)> r(PQexec(c.get(), sql.c_str()), &PQclear);
  ExecStatusType status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    *error = fmt::format("{}: {}", sql, PQerrorMessage(c.get()));
    return std::nullopt;
  }
  return PQntuples(r.get()) > 0 ? std::string(PQgetvalue(r.get(), 0, 0)) : std::string();
}

PostgresCluster* PostgresCluster::Shared(std::string* error) {
  // Destroyed at exit, which stops the cluster and removes its files.
  static std::unique_ptr<PostgresCluster> cluster;
  static std::string init_error;
  if (cluster == nullptr && init_error.empty()) {
    std::unique_ptr<PostgresCluster> c(new PostgresCluster());
    if (c->Init(&init_error))
      cluster = std::move(c);
    else if (init_error.empty())
      init_error = "the PostgreSQL cluster did not start";
  }
  if (cluster == nullptr) *error = init_error;
  return cluster.get();
}

bool PostgresCluster::RunPg(const std::string& program, const std::vector<std::string>& args,
                            std::string* error) {
  std::vector<std::string> argv;
  // initdb and the server refuse to run as root.
  if (::geteuid() == 0) argv = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  argv.push_back(bin_ + "/" + program);
  argv.insert(argv.end(), args.begin(), args.end());
  SpawnOptions options;
  options.merge_stderr = true;
  options.timeout = std::chrono::seconds(60);
  ProcessResult r = RunProcess(argv, options);
  if (r.exit_code == 0) return true;
  *error = fmt::format("{} failed (exit {}): {}", program, r.exit_code, r.out + r.err);
  return false;
}

bool PostgresCluster::Init(std::string* error) {
  bin_ = FindPostgresBin();
  if (bin_.empty()) {
    *error =
        "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; install the "
        "`postgresql` package (scripts/install-deps.sh)";
    return false;
  }
  char tmpl[] = "/tmp/journaldb-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    *error = "cannot create a temporary directory for PostgreSQL";
    return false;
  }
  root_ = tmpl;
  if (::geteuid() == 0) {
    passwd* pg = ::getpwnam("postgres");
    if (pg == nullptr || ::chown(root_.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
      *error = "no `postgres` user to run PostgreSQL as (install the `postgresql` package)";
      return false;
    }
  }
  if (!RunPg("initdb", {"-D", root_ + "/data", "--auth=trust", "--no-sync", "-U", "postgres"},
             error))
    return false;
  return Start(error);
}

bool PostgresCluster::Start(std::string* error) {
  // fsync off: a test cluster need not survive a power loss, and it is faster.
  std::string options = fmt::format(
      "-c listen_addresses='' -c unix_socket_directories={} -p {} -c fsync=off "
      "-c max_connections=200",
      root_, kPort);
  running_ = RunPg(
      "pg_ctl", {"-D", root_ + "/data", "-l", root_ + "/log", "-w", "-o", options, "start"}, error);
  return running_;
}

bool PostgresCluster::Stop(std::string* error) {
  if (!running_) return true;
  running_ = !RunPg("pg_ctl", {"-D", root_ + "/data", "-w", "-m", "fast", "stop"}, error);
  return !running_;
}

std::string PostgresCluster::NewDatabase(std::string* error) {
  std::string name = fmt::format("test{}", ++databases_);
  std::string admin = fmt::format("host={} port={} user=postgres dbname=postgres", root_, kPort);
  if (!RunSql(admin, fmt::format("CREATE DATABASE {}", name), error)) return "";
  return fmt::format("host={} port={} user=postgres dbname={}", root_, kPort, name);
}

PostgresCluster::~PostgresCluster() {
  if (running_) {
    SpawnOptions options;
    options.merge_stderr = true;
    std::vector<std::string> argv;
    if (::geteuid() == 0) argv = {"/usr/sbin/runuser", "-u", "postgres", "--"};
    argv.insert(argv.end(),
                {bin_ + "/pg_ctl", "-D", root_ + "/data", "-w", "-m", "immediate", "stop"});
    RunProcess(argv, options);
  }
  boost::system::error_code ec;
  if (!root_.empty()) fs::remove_all(root_, ec);
}

}  // namespace journaldb::testing
