// Crash during creation: a process killed during its very first open (while
// RocksDB creates its files, the column families or the format tag are
// written) must not leave a directory that every later open refuses.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <random>

#include "crash_workload.h"
#include "journaldb/database.h"
#include "support/child_process.h"
#include "support/db_checks.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

// A process killed during its very first open (while RocksDB creates the
// files, the column families or the format tag) must not leave a directory
// that every later open refuses. Kill moments spread over the creation; each
// reopen must succeed and give a clean, possibly empty, database.
TEST(CreationCrash, SigkillDuringCreationLeavesAPathThatOpens) {
  const uint64_t kills = std::max<uint64_t>(testing::CrashKillsFromEnv() / 8, 8);
  std::mt19937_64 rng(testing::CrashSeedFromEnv());
  std::cout << "creation crash: JOURNALDB_CRASH_SEED=" << testing::CrashSeedFromEnv()
            << " kills=" << kills << std::endl;
  testing::TempDir dir;
  for (uint64_t i = 0; i < kills; ++i) {
    SCOPED_TRACE("kill " + std::to_string(i) + " seed " +
                 std::to_string(testing::CrashSeedFromEnv()));
    const std::string path = dir.Sub("db" + std::to_string(i));
    std::string error;
    auto child =
        testing::ChildProcess::Start({JOURNALDB_CRASH_WRITER_PATH, path, "1", "1", "0"}, &error);
    ASSERT_NE(child, nullptr) << error;
    // Creation takes a few fsyncs; spread the kills from exec to just after.
    usleep(static_cast<useconds_t>(rng() % 60000));
    child->Kill(SIGKILL);
    while (child->ReadLine()) {
    }
    child->Wait();
    auto db = Database::Open(path, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ(testing::VerifyProblems(**db), "");
    Transaction txn = (*db)->BeginTransaction();
    ASSERT_TRUE(txn.Increment("after", "crash", "n", 1).ok());
    Result<Lsn> lsn = txn.Commit();
    ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
  }
}

}  // namespace
}  // namespace journaldb
