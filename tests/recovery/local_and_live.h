// LocalAndLiveTest: a fixture with two databases. `local_` is the client
// whose journal a recovery snapshot captures; `live_` stands for the state
// after a reset (the test writes "server" values to it directly).
#ifndef JOURNALDB_TESTS_RECOVERY_LOCAL_AND_LIVE_H_
#define JOURNALDB_TESTS_RECOVERY_LOCAL_AND_LIVE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "journaldb/database.h"
#include "journaldb/recovery_snapshot.h"
#include "support/temp_dir.h"

namespace journaldb::testing {

class LocalAndLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    local_ = Open(dir_.Sub("local"));
    live_ = Open(dir_.Sub("live"));
  }
  static std::unique_ptr<Database> Open(const std::string& path) {
    auto db = Database::Open(path, {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(db).value();
  }
  static void Commit(Database& db, std::vector<Operation> ops) {
    Transaction t = db.BeginTransaction();
    for (auto& op : ops) ASSERT_TRUE(t.Write(std::move(op)).ok());
    ASSERT_TRUE(t.Commit().ok());
  }
  RecoverySnapshot Snapshot() {
    auto snap = CreateRecoverySnapshot(*local_, dir_.Sub("recovery"), "test");
    EXPECT_TRUE(snap.ok()) << snap.status().ToString();
    return std::move(snap).value();
  }

  TempDir dir_;
  std::unique_ptr<Database> local_, live_;
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_RECOVERY_LOCAL_AND_LIVE_H_
