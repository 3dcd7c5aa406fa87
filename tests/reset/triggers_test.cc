// Each server-side client-reset trigger end to end against a real
// journal-server: history trimmed below the client's download cursor, an
// unknown client id, an operator-forced reset, and an epoch mismatch after a
// restore met by the background sync session. For each: the manifest names
// the reason, the diverged ops are replayed (Recover) or kept only in the
// recovery snapshot (Discard), and the clients converge afterwards.
#include <gtest/gtest.h>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/replayer.h"
#include "reset_support.h"
#include "support/status_assertions.h"

namespace journaldb {
namespace {

using testing::DumpClient;
using testing::Latch;

class Triggers : public testing::ResetTest {
 protected:
  // Both clients sync until neither has anything to upload, then hold the
  // same state.
  void ExpectConverged(Database& a, Database& b) {
    ASSERT_TRUE(Sync(a).ok());
    ASSERT_TRUE(Sync(b).ok());
    ASSERT_TRUE(Sync(a).ok());
    EXPECT_EQ(DumpClient(a), DumpClient(b));
  }
  // The one recovery snapshot of "a", which must name `reason` and hold
  // `diverged` entries.
  void ExpectSnapshot(const std::string& reason, uint64_t diverged) {
    std::vector<RecoverySnapshot> snaps = Snapshots("a");
    ASSERT_EQ(snaps.size(), 1u);
    EXPECT_EQ(snaps[0].manifest.reason, reason);
    EXPECT_EQ(snaps[0].manifest.diverged_entries, diverged);
  }
  // "b" writes +100 after "a" went offline, then the server trims every
  // version "a" has not downloaded yet.
  void TrimBelowOfflineClient(Database& a) {
    SyncedThenOffline(a);
    auto b = Open("b");
    Commit(*b, "from-b", 100);
    Result<SyncReport> r = Sync(*b);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    TrimAll(r->download_cursor + 1);
  }
};

TEST_F(Triggers, HistoryTrimmedRecoverReplaysTheOfflineWriteOnTheServerState) {
  auto a = Open("a", RecoverUnsyncedChanges());
  TrimBelowOfflineClient(*a);
  uint64_t old_id = ClientId(*a);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_TRUE(r->bootstrapped);  // the history is trimmed: a full download
  EXPECT_NE(r->client_id, old_id);
  EXPECT_EQ(Total(*a), 111);
  EXPECT_TRUE(a->Get("c", "offline").ok());
  ExpectSnapshot("history-trimmed", 1);
  auto b = Open("b");
  ExpectConverged(*a, *b);
  EXPECT_EQ(Total(*b), 111);
  ExpectVerifies(*a);
}

TEST_F(Triggers, HistoryTrimmedDiscardKeepsTheOfflineWriteOnlyInTheSnapshot) {
  auto a = Open("a", DiscardUnsyncedChanges());
  TrimBelowOfflineClient(*a);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_EQ(Total(*a), 101);
  EXPECT_FALSE(a->Get("c", "offline").ok());
  ExpectSnapshot("history-trimmed", 1);
  auto b = Open("b");
  ExpectConverged(*a, *b);
  EXPECT_EQ(Total(*b), 101);
  // Discarded, not lost.
  LocalWinsPolicy policy;
  Result<ReplayReport> replayed = Replay(Snapshots("a")[0], *a, policy, {});
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_EQ(replayed->transactions_applied, 1u);
  EXPECT_EQ(Total(*a), 111);
}

TEST_F(Triggers, OperatorResetRecoverReplaysTheOfflineWrite) {
  auto a = Open("a", RecoverUnsyncedChanges());
  uint64_t old_id = SyncedThenOffline(*a);
  ResetClient(old_id);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_NE(r->client_id, old_id);
  EXPECT_EQ(Total(*a), 11);
  ExpectSnapshot("operator-reset", 1);
  EXPECT_EQ(Snapshots("a")[0].manifest.old_client_id, old_id);
  auto b = Open("b");
  ExpectConverged(*a, *b);
  EXPECT_EQ(Total(*b), 11);
}

TEST_F(Triggers, OperatorResetDiscardTakesTheServerState) {
  auto a = Open("a", DiscardUnsyncedChanges());
  ResetClient(SyncedThenOffline(*a));
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Total(*a), 1);
  EXPECT_FALSE(a->Get("c", "offline").ok());
  ExpectSnapshot("operator-reset", 1);
  auto b = Open("b");
  ExpectConverged(*a, *b);
  EXPECT_EQ(Total(*b), 1);
}

// The server's data directory is replaced by a fresh one: it has never heard
// of the client, so it holds none of the client's entries, acknowledged or
// not. All of them are diverged and recovered.
TEST_F(Triggers, UnknownClientOnAFreshServerRecoversEveryEntry) {
  auto a = Open("a", RecoverUnsyncedChanges());
  SyncedThenOffline(*a);
  ReplaceWithFreshServer();
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_EQ(Total(*a), 11);
  EXPECT_TRUE(a->Get("c", "synced").ok());
  ExpectSnapshot("unknown-client", 2);
  auto b = Open("b");
  ExpectConverged(*a, *b);
  EXPECT_EQ(Total(*b), 11);
}

// A restore from a backup older than the client's first hello: the server
// does not know the client id, and what it acknowledged after the backup was
// rolled back with the registration. Those writes are diverged too (issue 4,
// retention): the reset must recover them.
TEST_F(Triggers, UnknownClientAfterARestoreFromBeforeItsRegistrationRecoversAckedWrites) {
  auto b = Open("b", RecoverUnsyncedChanges());  // b meets the epoch mismatch
  Commit(*b, "from-b", 100);
  ASSERT_TRUE(Sync(*b).ok());
  Backup("backup");
  auto a = Open("a", RecoverUnsyncedChanges());
  SyncedThenOffline(*a);  // +1 acknowledged after the backup, +10 offline
  Restore("backup");
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  ExpectSnapshot("unknown-client", 2);
  EXPECT_EQ(Total(*a), 111);
  EXPECT_TRUE(a->Get("c", "synced").ok());
  ExpectConverged(*a, *b);
  EXPECT_EQ(Total(*b), 111);
}

// A reset left pending (no strategy) while the server's situation worsens:
// the operator forced a reset, then the server was restored from a backup
// that predates a write the client had acknowledged. The later demand rolls
// back more, so the write is diverged too and the reset recovers it.
TEST_F(Triggers, APendingResetTakesInARestoreThatHappenedBeforeItRan) {
  auto a = Open("a");
  Commit(*a, "base", 1);
  ASSERT_TRUE(Sync(*a).ok());
  Backup("backup");
  Commit(*a, "acked-then-lost", 10);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ResetClient(r->client_id);
  EXPECT_TRUE(Sync(*a).status().IsClientResetRequired());
  Restore("backup");
  EXPECT_TRUE(Sync(*a).status().IsClientResetRequired());
  Result<RecoverySnapshot> snap = ExecuteClientReset(*a);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->manifest.diverged_entries, 1u);
  ASSERT_TRUE(Sync(*a).ok());
  EXPECT_EQ(Total(*a), 1);
  LocalWinsPolicy policy;
  ASSERT_TRUE(Replay(*snap, *a, policy, {}).ok());
  EXPECT_EQ(Total(*a), 11);
}

// The background session, not SyncOnce, meets the epoch mismatch: it runs
// the strategy on its own thread and carries on syncing.
TEST_F(Triggers, EpochMismatchMetByTheBackgroundSessionRecoversAndUploads) {
  Latch reset_done;
  ClientResetCallbacks cb;
  cb.after_reset = [&](const RecoverySnapshot&, Database&) { reset_done.Raise(); };
  auto a = OpenWith("a", SessionOptions(RecoverUnsyncedChanges(cb)));
  ASSERT_NE(a->sync_session(), nullptr);
  const auto timeout = std::chrono::seconds(20);
  Commit(*a, "kept", 1);
  ASSERT_TRUE(a->sync_session()->wait_for_upload(timeout).ok());
  Backup("backup");
  Commit(*a, "acked-then-lost", 10);
  ASSERT_TRUE(a->sync_session()->wait_for_upload(timeout).ok());
  StopServer();
  Commit(*a, "offline", 100);
  RestoreStopped("backup");
  ASSERT_TRUE(reset_done.Wait(1)) << a->sync_session()->last_error().ToString();
  Status uploaded = a->sync_session()->wait_for_upload(timeout);
  ASSERT_TRUE(uploaded.ok()) << uploaded.ToString();
  EXPECT_EQ(reset_done.count(), 1);
  EXPECT_EQ(Total(*a), 111);
  EXPECT_FALSE(Pending(*a).has_value());
  ExpectSnapshot("epoch-mismatch", 2);
  auto b = Open("b");
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(Total(*b), 111);
  ASSERT_TRUE(a->sync_session()->wait_for_download(timeout).ok());
  EXPECT_EQ(DumpClient(*a), DumpClient(*b));
}

}  // namespace
}  // namespace journaldb
