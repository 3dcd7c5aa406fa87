// A power loss right after a database was created, before any commit: the
// creation was acknowledged (Open returned), so the database must reopen.
// Repeated because what RocksDB has synced by then depends on its background
// threads.
#include <gtest/gtest.h>

#include "faults/fault_fs.h"
#include "journaldb/engine/open_with_env.h"
#include "support/temp_dir.h"

namespace journaldb::testing {
namespace {

TEST(CreationPowerLoss, ADatabaseThatOpenedOnceReopensAfterPowerLoss) {
  for (int i = 0; i < 50; ++i) {
    SCOPED_TRACE(i);
    TempDir dir;
    FaultEnv fault;
    Options options;
    options.durability = Durability::kSyncEveryCommit;
    {
      Result<std::unique_ptr<Database>> db = OpenWithEnv(dir.Sub("db"), options, fault.env.get());
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      fault.fs->Arm(FaultKind::kPowerLoss, 1);
    }
    Status dropped = fault.fs->DropUnsyncedData();
    ASSERT_TRUE(dropped.ok()) << dropped.ToString();
    fault.fs->Disarm();
    Result<std::unique_ptr<Database>> reopened = Database::Open(dir.Sub("db"), options);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  }
}

}  // namespace
}  // namespace journaldb::testing
