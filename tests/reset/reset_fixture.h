// A real journal-server on loopback plus client databases, with the operator
// steps that force each client-reset trigger. Shared by the client-reset
// tests.
#ifndef JOURNALDB_TESTS_RESET_RESET_FIXTURE_H_
#define JOURNALDB_TESTS_RESET_RESET_FIXTURE_H_

#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <memory>
#include <string>
#include <vector>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"
#include "test_store.h"

namespace journaldb::testing {

// The server's store is a data directory, or with JOURNALDB_TEST_STORE=postgres
// a database of a throwaway PostgreSQL cluster (test_store.h): CTest runs the
// trigger and strategy tests both ways.
class ResetFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Sub("server");
    StartServer();
  }

  // A server that cannot start fails the test here; an ASSERT in a helper
  // returns from the helper alone, so the test runs on with server_ null.
  // Tests reach the server only through StopServer() and ServerAddress(),
  // which then fail the test's next step instead of dereferencing null.
  void StartServer() {
    std::string error;
    server_ = ServerProcess::Restart(data_, launch_, &error, port_);
    ASSERT_TRUE(server_) << error;
    port_ = server_->port();
  }
  void StopServer() {
    ASSERT_NE(server_, nullptr) << "no server to stop: it did not start";
    ASSERT_EQ(server_->Terminate(), 0);
  }
  // The server's HOST:PORT; without a server 127.0.0.1:0, where nothing can
  // listen, so syncs fail (and sessions retry) as with a server that is down.
  std::string ServerAddress() const { return server_ ? server_->address() : "127.0.0.1:0"; }
  // Runs an operator command on the stopped server.
  void Operator(const std::vector<std::string>& args) {
    std::string out;
    ASSERT_EQ(RunOperator(args, &out), 0) << out;
  }
  void Backup(const std::string& name) {
    StopServer();
    std::string out;
    ASSERT_EQ(BackupStore(data_, dir_.Sub(name), &out), 0) << out;
    StartServer();
  }
  // Stops the server, restores `name`, restarts: a new epoch.
  void Restore(const std::string& name) {
    StopServer();
    RestoreStopped(name);
  }
  // The same with the server already stopped.
  void RestoreStopped(const std::string& name) {
    std::string out;
    ASSERT_EQ(RestoreStore(data_, dir_.Sub(name), &out), 0) << out;
    StartServer();
  }
  // Replaces the server's whole state with an empty one (a new lineage that
  // never heard of any client), then restarts.
  void ReplaceWithFreshServer() {
    StopServer();
    ReplaceWithFreshStore(data_);
    StartServer();
  }
  void ResetClient(uint64_t client_id) {
    StopServer();
    Operator({"reset-client", "--data", data_, std::to_string(client_id)});
    StartServer();
  }
  // Trims the history below the server's latest version.
  void TrimAll(uint64_t below) {
    StopServer();
    Operator({"trim", "--data", data_, "--below", std::to_string(below)});
    StartServer();
  }

  std::string DbPath(const std::string& name) { return dir_.Sub(name); }
  std::unique_ptr<Database> Open(const std::string& name,
                                 std::shared_ptr<ClientResetStrategy> strategy = nullptr) {
    Options o;
    o.client_reset = std::move(strategy);
    auto db = Database::Open(DbPath(name), o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  // Upserts c/key {k: key} and adds `delta` to c/total.n in one transaction.
  void Commit(Database& db, const std::string& key, int64_t delta) {
    Transaction t = db.BeginTransaction();
    ASSERT_TRUE(t.Upsert("c", key, {{"k", Value::String(key)}}).ok());
    ASSERT_TRUE(t.Increment("c", "total", "n", delta).ok());
    ASSERT_TRUE(t.Commit().ok());
  }
  Result<SyncReport> Sync(Database& db) { return SyncOnce(db, SyncTo(ServerAddress())); }
  // Client `a` syncs +1 (backed up), then +10 (acknowledged, rolled back by
  // the restore), then commits +100 offline; the server is restored, so a's
  // next sync resets it.
  void DivergeByRestore(Database& a) {
    Commit(a, "kept", 1);
    ASSERT_TRUE(Sync(a).ok());
    Backup("backup");
    Commit(a, "acked-then-lost", 10);
    Result<SyncReport> r = Sync(a);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->uploaded_entries, 1u);
    Commit(a, "offline", 100);
    Restore("backup");
  }
  int64_t Total(const Database& db) {
    Result<Value> v = db.GetField("c", "total", "n");
    return v.ok() ? v->as_int() : -1;
  }
  // Opens the database at `path` read-only (nothing resumes); nullptr on error.
  static std::unique_ptr<Database> OpenReadOnly(const std::string& path) {
    Options o;
    o.read_only = true;
    o.create_if_missing = false;
    auto db = Database::Open(path, o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  // How many objects `collection` holds.
  static int CountObjects(const Database& db, const std::string& collection) {
    int n = 0;
    ObjectIterator it = db.Scan(collection);
    for (; it.Valid(); it.Next()) ++n;
    EXPECT_TRUE(it.status().ok()) << it.status().ToString();
    return n;
  }
  // Copies the directory tree `from` (a closed database) to `to`.
  static void CopyDir(const std::string& from, const std::string& to) { CopyDirectory(from, to); }

  TempDir dir_;
  std::string data_;
  // How StartServer starts the server (extra options); set before SetUp.
  ServerLaunch launch_;
  uint16_t port_ = 0;
  std::unique_ptr<ServerProcess> server_;  // null if it did not start
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_RESET_RESET_FIXTURE_H_
