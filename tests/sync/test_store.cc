#include "test_store.h"

#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <cstdlib>
#include <map>
#include <mutex>

#include "journaldb/server/admin.h"
#include "server_process.h"
#include "support/child_process.h"
#include "support/postgres_cluster.h"

namespace journaldb::testing {

namespace {

std::mutex mu;
std::map<std::string, std::string> databases;  // data_dir -> conninfo

// A new database with the schema; "" after failing the test.
std::string NewDatabase(const std::string& data_dir) {
  std::string error;
  PostgresCluster* cluster = PostgresCluster::Shared(&error);
  std::string conninfo = cluster != nullptr ? cluster->NewDatabase(&error) : "";
  Result<std::string> init = conninfo.empty() ? Result<std::string>(Status::IOError(error))
                                              : server::InitPostgres(conninfo);
  EXPECT_TRUE(init.ok()) << "a database for " << data_dir << ": " << init.status().ToString();
  return init.ok() ? conninfo : "";
}

int Run(const std::vector<std::string>& args, std::string* out) {
  ProcessResult r = RunProcess(args);
  *out = r.out + r.err;
  return r.exit_code;
}

// pg_dump of the database at `conninfo` to `to`, in `format` (-F).
int PgDump(const std::string& conninfo, const std::string& format, const std::string& to,
           std::string* out) {
  std::string error;
  PostgresCluster* cluster = PostgresCluster::Shared(&error);
  if (cluster == nullptr) return *out = error, 1;
  return Run({cluster->Program("pg_dump"), "-F" + format, "-f", to, "-d", conninfo}, out);
}

}  // namespace

bool TestStoreIsPostgres() {
  const char* store = std::getenv("JOURNALDB_TEST_STORE");
  return store != nullptr && std::string(store) == "postgres";
}

server::StorageLocation TestStorage(const std::string& data_dir) {
  if (!TestStoreIsPostgres()) return {data_dir, ""};
  std::lock_guard<std::mutex> lock(mu);
  std::string& conninfo = databases[data_dir];
  if (conninfo.empty()) conninfo = NewDatabase(data_dir);
  if (conninfo.empty()) return {data_dir, ""};
  return {"", conninfo};
}

int RunOperator(std::vector<std::string> args, std::string* out) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] != "--data") continue;
    server::StorageLocation at = TestStorage(args[i + 1]);
    if (!at.postgres.empty()) args[i] = "--postgres", args[i + 1] = at.postgres;
  }
  return RunServerCommand(args, out);
}

int BackupStore(const std::string& data_dir, const std::string& to, std::string* out) {
  server::StorageLocation at = TestStorage(data_dir);
  if (at.postgres.empty()) return RunServerCommand({"backup", "--data", data_dir, "--to", to}, out);
  return PgDump(at.postgres, "c", to, out);
}

std::string SearchableStore(const std::string& data_dir, const std::string& scratch) {
  server::StorageLocation at = TestStorage(data_dir);
  if (at.postgres.empty()) return data_dir;
  std::string out;
  EXPECT_EQ(PgDump(at.postgres, "p", scratch, &out), 0) << out;
  return scratch;
}

int RestoreStore(const std::string& data_dir, const std::string& from, std::string* out) {
  server::StorageLocation at = TestStorage(data_dir);
  if (at.postgres.empty())
    return RunServerCommand({"restore", "--data", data_dir, "--from", from}, out);
  std::string error;
  PostgresCluster* cluster = PostgresCluster::Shared(&error);
  if (cluster == nullptr) return *out = error, 1;
  const std::string restored = cluster->NewDatabase(&error);
  if (restored.empty()) return *out = error, 1;
  if (int rc = Run({cluster->Program("pg_restore"), "-d", restored, from}, out); rc != 0) return rc;
  if (int rc = RunServerCommand(
          {"new-epoch", "--postgres", restored, "--replaced-postgres", at.postgres}, out);
      rc != 0)
    return rc;
  std::lock_guard<std::mutex> lock(mu);
  databases[data_dir] = restored;
  return 0;
}

int CopyStore(const std::string& data_dir, const std::string& to, std::string* out) {
  server::StorageLocation at = TestStorage(data_dir);
  if (at.postgres.empty()) {
    CopyDirectory(data_dir, to);
    return 0;
  }
  return BackupStore(data_dir, to, out);
}

int PutStoreBackInPlace(const std::string& data_dir, const std::string& from, std::string* out) {
  server::StorageLocation at = TestStorage(data_dir);
  if (at.postgres.empty()) {
    boost::filesystem::remove_all(data_dir);
    CopyDirectory(from, data_dir);
    return 0;
  }
  std::string error;
  PostgresCluster* cluster = PostgresCluster::Shared(&error);
  if (cluster == nullptr) return *out = error, 1;
  return Run({cluster->Program("pg_restore"), "--clean", "--if-exists", "--single-transaction",
              "-d", at.postgres, from},
             out);
}

void CopyDirectory(const std::string& from, const std::string& to) {
  namespace fs = boost::filesystem;
  fs::create_directories(to);
  for (fs::recursive_directory_iterator it(from), end; it != end; ++it) {
    fs::path target = fs::path(to) / fs::relative(it->path(), from);
    if (fs::is_directory(it->path()))
      fs::create_directories(target);
    else
      fs::copy_file(it->path(), target);
  }
}

void ReplaceWithFreshStore(const std::string& data_dir) {
  if (!TestStoreIsPostgres()) {
    boost::filesystem::remove_all(data_dir);
    return;
  }
  std::string fresh = NewDatabase(data_dir);
  std::lock_guard<std::mutex> lock(mu);
  databases[data_dir] = fresh;
}

}  // namespace journaldb::testing
