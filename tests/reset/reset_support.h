// Helpers for the client-reset trigger, callback, retention and bad-input
// tests, on top of ResetFixture: opening with full Options, reading the
// pending reset and the recovery snapshots, and a latch for waiting on the
// background session's thread without sleeping.
#ifndef JOURNALDB_TESTS_RESET_RESET_SUPPORT_H_
#define JOURNALDB_TESTS_RESET_RESET_SUPPORT_H_

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/recovery_snapshot.h"
#include "reset_fixture.h"

namespace journaldb::testing {

// Counts events raised on another thread; Wait blocks until `n` happened.
class Latch {
 public:
  void Raise() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++count_;
    }
    cv_.notify_all();
  }
  // False if fewer than `n` events happened within `timeout`: the test fails
  // instead of hanging when the session never gets there.
  bool Wait(int n, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return count_ >= n; });
  }
  int count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

class ResetTest : public ResetFixture {
 protected:
  std::unique_ptr<Database> OpenWith(const std::string& name, const Options& o) {
    auto db = Database::Open(DbPath(name), o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  // Options whose background session syncs with the fixture's server, with
  // short backoffs so a server restart is noticed at once.
  Options SessionOptions(std::shared_ptr<ClientResetStrategy> strategy) {
    Options o;
    o.sync = SyncTo(ServerAddress());
    o.sync.min_backoff_ms = 10;
    o.sync.max_backoff_ms = 100;
    o.client_reset = std::move(strategy);
    return o;
  }
  static uint64_t ClientId(const Database& db) {
    Result<DatabaseInfo> info = db.Info();
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? info->client_id : 0;
  }
  static uint64_t JournalEntries(const Database& db) {
    Result<DatabaseInfo> info = db.Info();
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? info->journal_entries : 0;
  }
  static std::optional<PendingClientReset> Pending(const Database& db) {
    Result<std::optional<PendingClientReset>> p = GetPendingClientReset(db);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : std::nullopt;
  }
  std::string RecoveryRoot(const std::string& name) { return DbPath(name) + ".recovery"; }
  // The complete recovery snapshots of database `name`, oldest first.
  std::vector<RecoverySnapshot> Snapshots(const std::string& name) {
    Result<std::vector<RecoverySnapshot>> s = ListRecoverySnapshots(RecoveryRoot(name));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : std::vector<RecoverySnapshot>();
  }
  static void ExpectVerifies(const Database& db) {
    Result<VerifyReport> v = db.Verify();
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE(v->ok()) << v->problems.front();
  }
  // Client "a" has c/synced (+1) on the server and c/offline (+10) only
  // locally; returns its client id.
  uint64_t SyncedThenOffline(Database& a) {
    Commit(a, "synced", 1);
    Result<SyncReport> r = Sync(a);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    Commit(a, "offline", 10);
    return r.ok() ? r->client_id : 0;
  }
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_RESET_RESET_SUPPORT_H_
