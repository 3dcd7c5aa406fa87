// Demands that meet a reset in progress, and a server rolled back within one
// epoch: the diverged range always covers what the server does not hold.
#include <gtest/gtest.h>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/engine/client_reset_record.h"
#include "journaldb/replayer.h"
#include "reset_fixture.h"

namespace journaldb {
namespace {

class OverlappingDemands : public testing::ResetFixture {
 protected:
  std::optional<PendingClientReset> Pending(const Database& db) {
    Result<std::optional<PendingClientReset>> p = GetPendingClientReset(db);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : std::nullopt;
  }
};

// The server demands a new reset while the last one is still at `wiped` (a
// crash before it finished): the last one is closed as manual, and the new
// one snapshots the writes made since the wipe. A demand before the last
// reset finished is a loop (guarantee 8): the new reset is manual, not
// blocked, and `journal replay` recovers those writes.
TEST_F(OverlappingDemands, ADemandAfterTheWipeStartsANewManualResetInsteadOfBlockingSync) {
  auto a = Open("a");
  Commit(*a, "first", 1);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ResetClient(r->client_id);
  ASSERT_TRUE(Sync(*a).status().IsClientResetRequired());
  Result<RecoverySnapshot> first = ExecuteClientReset(*a);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::optional<PendingClientReset> wiped = Pending(*a);
  ASSERT_TRUE(wiped.has_value());
  r = Sync(*a);  // registers anew and downloads; with no strategy the reset finishes
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // As if the process died after the download, before the reset recorded its end.
  ASSERT_TRUE(WriteClientResetRecord(*a, *wiped).ok());
  Commit(*a, "after-wipe", 10);
  a.reset();
  ResetClient(r->client_id);

  a = Open("a", RecoverUnsyncedChanges());
  ASSERT_NE(a, nullptr);
  r = Sync(*a);
  EXPECT_TRUE(r.status().IsClientResetRequired()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("client reset loop"), std::string::npos);
  std::optional<PendingClientReset> next = Pending(*a);
  ASSERT_TRUE(next.has_value());
  EXPECT_NE(next->recovery_id, wiped->recovery_id);
  Result<RecoverySnapshot> second = ExecuteClientReset(*a);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->manifest.diverged_entries, 1u);  // the write since the wipe
  r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(Pending(*a).has_value());
  LocalWinsPolicy local_wins;
  Result<ReplayReport> replayed = Replay(*second, *a, local_wins, {});
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(a->Get("c", "after-wipe").ok());
  EXPECT_EQ(Total(*a), 11);  // the server's 1 + the write since the wipe, once
  Result<std::vector<RecoverySnapshot>> snaps = ListRecoverySnapshots(DbPath("a") + ".recovery");
  ASSERT_TRUE(snaps.ok()) << snaps.status().ToString();
  EXPECT_EQ(snaps->size(), 2u);  // the first one stays for `journal replay`
}

// The server's data directory is copied back within one epoch (not
// `journal-server restore`), and another client writes first, so the lost
// write's version number is reused: the lsn the server names is what counts.
TEST_F(OverlappingDemands, ARollbackWithinOneEpochRecoversTheLostAcknowledgedWrite) {
  auto a = Open("a", RecoverUnsyncedChanges());
  Commit(*a, "kept", 1);
  ASSERT_TRUE(Sync(*a).ok());
  StopServer();
  CopyDir(data_, dir_.Sub("copy"));
  StartServer();
  Commit(*a, "lost", 10);
  ASSERT_TRUE(Sync(*a).ok());  // acknowledged at version 2
  StopServer();
  boost::filesystem::remove_all(data_);
  CopyDir(dir_.Sub("copy"), data_);
  StartServer();
  auto b = Open("b");
  Commit(*b, "other", 100);
  ASSERT_TRUE(Sync(*b).ok());  // version 2 again, in the same epoch

  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_TRUE(a->Get("c", "lost").ok());
  EXPECT_EQ(Total(*a), 111);
  Result<std::vector<RecoverySnapshot>> snaps = ListRecoverySnapshots(DbPath("a") + ".recovery");
  ASSERT_TRUE(snaps.ok() && snaps->size() == 1u);
  EXPECT_EQ((*snaps)[0].manifest.reason, "server-rollback");
  EXPECT_EQ((*snaps)[0].manifest.diverged_entries, 1u);
}

}  // namespace
}  // namespace journaldb
