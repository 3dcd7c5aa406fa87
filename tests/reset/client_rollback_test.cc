// A client database whose data went back after it uploaded (put back from a
// backup of the app's files, or a damaged write-ahead log that RocksDB's
// recovery cut short): the server holds lsns of it that it no longer has.
// Its next commits reuse those lsns. The server compares every re-upload
// with the entry it stored under that lsn, and the client compares the
// server's highest lsn with its own last: either way it resets with reason
// client-rollback (docs/protocol.md, "Upload"), and neither the writes the
// server holds nor the new ones are lost or applied twice. Before this, the
// server acknowledged the new entries as re-uploads: they stayed local
// while the client reported itself synced. The comparison holds after the
// operator trimmed the history too (the server keeps each entry's digest),
// and a backup below the trimmed history sends its held entries again before
// its history-trimmed reset, so they are not replayed a second time.
#include <gtest/gtest.h>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/engine/client_reset_record.h"
#include "journaldb/recovery_directory.h"
#include "reset_fixture.h"

namespace journaldb {
namespace {

class ClientRollback : public testing::ResetFixture {
 protected:
  // Closes `db`, copies its directory to `backup`, reopens it.
  void BackUp(std::unique_ptr<Database>& db, const std::string& name, const std::string& backup) {
    db.reset();
    CopyDir(DbPath(name), DbPath(backup));
    db = Open(name, RecoverUnsyncedChanges());
    ASSERT_NE(db, nullptr);
  }
  // Closes `db` and puts `backup` in its place.
  void PutBack(std::unique_ptr<Database>& db, const std::string& name, const std::string& backup) {
    db.reset();
    boost::filesystem::remove_all(DbPath(name));
    boost::filesystem::rename(DbPath(backup), DbPath(name));
    db = Open(name, RecoverUnsyncedChanges());
    ASSERT_NE(db, nullptr);
  }
  // Syncs +1 at lsn 1, commits +10 and +100 (lsns 2 and 3), backs `a` up
  // to a.backup and syncs them: the backup holds them unacknowledged.
  void BackUpBeforeTheAckOfTwoCommits(std::unique_ptr<Database>& a) {
    Commit(*a, "first", 1);
    ASSERT_TRUE(Sync(*a).ok());
    Commit(*a, "second", 10);
    Commit(*a, "third", 100);
    BackUp(a, "a", "a.backup");
    ASSERT_TRUE(Sync(*a).ok());
  }
  // Syncs +1 at lsn 1, backs `a` up to a.backup, then commits and uploads
  // +10 and +100 (lsns 2 and 3): the backup lacks them.
  void BackUpBeforeTwoUploads(std::unique_ptr<Database>& a) {
    Commit(*a, "first", 1);
    ASSERT_TRUE(Sync(*a).ok());
    BackUp(a, "a", "a.backup");
    Commit(*a, "uploaded-2", 10);
    Commit(*a, "uploaded-3", 100);
    Result<SyncReport> up = Sync(*a);
    ASSERT_TRUE(up.ok()) << up.status().ToString();
    ASSERT_EQ(up->uploaded_entries, 2u);
  }
  // `b` writes +1000, then the operator trims every version below b's
  // cursor: past the backup's cursor and the changesets of lsns 2 and 3.
  void WriteFromBThenTrimPastTheBackup(Database& b) {
    Commit(b, "from-b", 1000);
    Result<SyncReport> synced = Sync(b);
    ASSERT_TRUE(synced.ok()) << synced.status().ToString();
    TrimAll(synced->download_cursor);
  }
  // Leaves `a` (no strategy) with a client-rollback reset pending: lsns 2 and
  // 3 unacknowledged in the put-back copy but the same as the server's (held),
  // lsn 4 different (+10000 where the server has +1000). Returns its client id.
  uint64_t LeaveAClientRollbackPending(std::unique_ptr<Database>& a) {
    a = Open("a", RecoverUnsyncedChanges());
    BackUpBeforeTheAckOfTwoCommits(a);
    Commit(*a, "fourth", 1000);
    EXPECT_TRUE(Sync(*a).ok());
    Result<SyncStatus> status = GetSyncStatus(*a);
    EXPECT_TRUE(status.ok()) << status.status().ToString();
    PutBack(a, "a", "a.backup");
    a.reset();
    a = Open("a");
    Commit(*a, "new-4", 10000);
    EXPECT_TRUE(Sync(*a).status().IsClientResetRequired());
    Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*a);
    EXPECT_TRUE(pending.ok() && pending->has_value() && (*pending)->reason == "client-rollback");
    return status.ok() ? status->client_id : 0;
  }

  // The reset runs (recovering) and a syncs: each write once.
  void RunThePendingResetAndExpectEachWriteOnce(std::unique_ptr<Database>& a) {
    a.reset();
    a = Open("a", RecoverUnsyncedChanges());
    ASSERT_NE(a, nullptr);
    Result<SyncReport> r = Sync(*a);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(Total(*a), 11111);
    EXPECT_TRUE(a->Get("c", "new-4").ok());
  }
  void ExpectClientRollbackReset(Database& db) {
    Result<SyncReport> r = Sync(db);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->client_reset.has_value());
    EXPECT_EQ(r->client_reset->reason, "client-rollback");
    EXPECT_FALSE(r->client_reset->discarded);
  }
};

// Lsns 2 and 3 went up, then the database went back to lsn 1 and wrote
// lsns 2 to 4 again with other content.
TEST_F(ClientRollback, NewWritesUnderUploadedLsnsAreRecoveredAndTheUploadedOnesKept) {
  auto a = Open("a", RecoverUnsyncedChanges());
  auto b = Open("b");
  BackUpBeforeTwoUploads(a);
  PutBack(a, "a", "a.backup");
  Commit(*a, "new-2", 1000);
  Commit(*a, "new-3", 10000);
  Commit(*a, "new-4", 100000);

  ExpectClientRollbackReset(*a);
  EXPECT_EQ(Total(*a), 111111);  // each write once: the server's and the new ones
  for (const char* key : {"uploaded-2", "uploaded-3", "new-2", "new-3", "new-4"})
    EXPECT_TRUE(a->Get("c", key).ok()) << key;
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(Total(*b), 111111);
  EXPECT_TRUE(b->Get("c", "new-3").ok());
  // Synced for good: the next round is quiet.
  Result<SyncReport> again = Sync(*a);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->reset);
}

// The backup was taken after lsns 2 and 3 were committed and before they
// were acknowledged: put back, it sends them again. They are the entries
// the server stored, so they are acknowledged, not reset and not doubled.
TEST_F(ClientRollback, ReUploadsOfTheStoredEntriesAreAcknowledgedOnce) {
  auto a = Open("a", RecoverUnsyncedChanges());
  BackUpBeforeTheAckOfTwoCommits(a);
  PutBack(a, "a", "a.backup");
  Commit(*a, "fourth", 1000);

  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->reset);
  EXPECT_EQ(r->uploaded_entries, 3u);  // 2 and 3 again, then 4
  EXPECT_EQ(Total(*a), 1111);
  auto b = Open("b");
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(Total(*b), 1111);
}

// Put back with lsn 2 unacknowledged but the same as the server's, and a new
// lsn 3: one upload sends both, lsn 2 matches, lsn 3 does not. Lsn 2 is held
// (replayed, its +10 would count twice), and the snapshot that keeps it
// above the upload cursor but outside the diverged range verifies.
TEST_F(ClientRollback, AnUnacknowledgedEntryTheServerHoldsIsNotReplayedAndTheSnapshotVerifies) {
  auto a = Open("a", RecoverUnsyncedChanges());
  Commit(*a, "first", 1);
  ASSERT_TRUE(Sync(*a).ok());
  Commit(*a, "second", 10);
  BackUp(a, "a", "a.backup");
  ASSERT_TRUE(Sync(*a).ok());
  Commit(*a, "uploaded-3", 100);
  ASSERT_TRUE(Sync(*a).ok());
  PutBack(a, "a", "a.backup");
  Commit(*a, "new-3", 1000);

  ExpectClientRollbackReset(*a);
  EXPECT_EQ(Total(*a), 1111);
  EXPECT_TRUE(a->Get("c", "uploaded-3").ok());
  EXPECT_TRUE(a->Get("c", "new-3").ok());
  Result<std::vector<RecoverySnapshot>> snaps = ListRecoverySnapshots(DbPath("a") + ".recovery");
  ASSERT_TRUE(snaps.ok()) << snaps.status().ToString();
  ASSERT_EQ(snaps->size(), 1u);
  EXPECT_EQ((*snaps)[0].manifest.upload_cursor, 1u);
  EXPECT_EQ((*snaps)[0].manifest.first_diverged_lsn, 3u);
  EXPECT_EQ((*snaps)[0].manifest.diverged_entries, 1u);
  Result<RecoverySnapshotReport> report = VerifyRecoverySnapshot((*snaps)[0].path, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << ::testing::PrintToString(report->problems);
}

// A client-rollback reset left pending (no strategy) meets a restore of the
// server that rolled back lsn 2, which the pending reset counts as held:
// the wider range of the restore's demand is kept, so lsn 2 is replayed.
TEST_F(ClientRollback, APendingResetTakesInARestoreThatRolledBackAHeldEntry) {
  auto a = Open("a");
  Commit(*a, "first", 1);
  ASSERT_TRUE(Sync(*a).ok());
  Backup("server-backup");
  Commit(*a, "second", 10);
  ASSERT_TRUE(Sync(*a).ok());
  BackUp(a, "a", "a.backup");
  Commit(*a, "uploaded-3", 100);
  ASSERT_TRUE(Sync(*a).ok());
  PutBack(a, "a", "a.backup");
  a.reset();
  a = Open("a");  // no strategy: the reset stays pending
  Commit(*a, "new-3", 1000);
  Result<SyncReport> first = Sync(*a);
  ASSERT_TRUE(first.status().IsClientResetRequired()) << first.status().ToString();
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*a);
  ASSERT_TRUE(pending.ok() && pending->has_value()) << pending.status().ToString();
  EXPECT_EQ((*pending)->reason, "client-rollback");
  Result<Lsn> held = DivergedAfter(*a, **pending);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(*held, 2u);

  Restore("server-backup");  // version 2 (lsn 2) is rolled back
  Result<SyncReport> second = Sync(*a);
  ASSERT_TRUE(second.status().IsClientResetRequired()) << second.status().ToString();
  pending = GetPendingClientReset(*a);
  ASSERT_TRUE(pending.ok() && pending->has_value()) << pending.status().ToString();
  EXPECT_EQ((*pending)->reason, "epoch-mismatch");
  held = DivergedAfter(*a, **pending);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(*held, 1u);

  a.reset();
  a = Open("a", RecoverUnsyncedChanges());  // the pending reset runs at the open
  ASSERT_NE(a, nullptr);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Total(*a), 1011);  // the first (held), the second (replayed), the new one
  EXPECT_TRUE(a->Get("c", "second").ok());
  EXPECT_TRUE(a->Get("c", "new-3").ok());
}

// Put back with lsns 2 and 3 unacknowledged but the same as the server's,
// while the server also holds 4 and 5, which this copy never had: its next
// commit would reuse lsn 4. It resets, holding 2 and 3 (not replayed, or
// their increments would count twice) and takes 4 and 5 from the server.
TEST_F(ClientRollback, AServerHoldingLsnsBeyondTheLastOneResetsWithoutDoublingTheSameOnes) {
  auto a = Open("a", RecoverUnsyncedChanges());
  BackUpBeforeTheAckOfTwoCommits(a);
  Commit(*a, "fourth", 1000);
  Commit(*a, "fifth", 10000);
  ASSERT_TRUE(Sync(*a).ok());
  PutBack(a, "a", "a.backup");

  ExpectClientRollbackReset(*a);
  EXPECT_EQ(Total(*a), 11111);
  EXPECT_TRUE(a->Get("c", "fifth").ok());
  Commit(*a, "sixth", 100000);
  ASSERT_TRUE(Sync(*a).ok());
  auto b = Open("b");
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(Total(*b), 111111);
}

// An operator's reset-client meets the pending client-rollback: it does not
// say the server holds less, so the held lsns 2 and 3 stay held (replaying
// them counted +10 and +100 twice).
TEST_F(ClientRollback, AnOperatorResetKeepsThePendingClientRollbacksHeldEntries) {
  std::unique_ptr<Database> a;
  const uint64_t id = LeaveAClientRollbackPending(a);
  ASSERT_NE(id, 0u);
  ResetClient(id);
  EXPECT_TRUE(Sync(*a).status().IsClientResetRequired());
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*a);
  ASSERT_TRUE(pending.ok() && pending->has_value()) << pending.status().ToString();
  EXPECT_EQ((*pending)->reason, "client-rollback");
  RunThePendingResetAndExpectEachWriteOnce(a);
}

// A copy of a client file that only registered, synced after the original
// uploaded lsns 1 to 3: it once stopped for good with "someone else
// uploaded as this client"; now it resets and goes on as a client of its own.
TEST_F(ClientRollback, ACopyThatNeverWroteResetsAndThenSyncsItsOwnWrites) {
  auto original = Open("original", RecoverUnsyncedChanges());
  ASSERT_TRUE(Sync(*original).ok());  // registered, nothing written
  BackUp(original, "original", "copy");
  for (const char* key : {"a", "b", "c"}) Commit(*original, key, 1);
  ASSERT_TRUE(Sync(*original).ok());
  auto copy = Open("copy", RecoverUnsyncedChanges());

  ExpectClientRollbackReset(*copy);
  EXPECT_EQ(Total(*copy), 3);
  Commit(*copy, "d", 10);
  ASSERT_TRUE(Sync(*copy).ok());
  ASSERT_TRUE(Sync(*original).ok());
  EXPECT_EQ(Total(*original), 13);
  EXPECT_TRUE(original->Get("c", "d").ok());
}

// The operator trimmed the history past the backup's download cursor, and
// past the two entries the backup holds without their acks. The client is
// admitted to send them again first: compared with the digests the server
// kept, they are acknowledged, and the history-trimmed reset its download
// then gets replays nothing twice. Before, the reset came at the hello and
// replayed them: 11221 for 11111.
TEST_F(ClientRollback, ABackupBelowTheTrimmedHistoryDoesNotApplyTheHeldEntriesTwice) {
  auto a = Open("a", RecoverUnsyncedChanges());
  auto b = Open("b");
  BackUpBeforeTheAckOfTwoCommits(a);  // +1 acknowledged, +10 and +100 held
  WriteFromBThenTrimPastTheBackup(*b);
  PutBack(a, "a", "a.backup");
  Commit(*a, "new", 10000);

  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->client_reset.has_value());
  EXPECT_EQ(r->client_reset->reason, "history-trimmed");
  EXPECT_EQ(Total(*a), 11111);
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(Total(*b), 11111);
}

// The same trim, and the put-back copy wrote a different entry under an lsn
// whose changeset is gone: compared with the digest, it is a client-rollback
// reset and the new write is replayed. (Acknowledged uncompared, as before
// digests, it was lost: 1111 for 11111.)
TEST_F(ClientRollback, ANewEntryUnderAnLsnWhoseChangesetWasTrimmedIsRecovered) {
  auto a = Open("a", RecoverUnsyncedChanges());
  auto b = Open("b");
  BackUpBeforeTwoUploads(a);
  WriteFromBThenTrimPastTheBackup(*b);
  PutBack(a, "a", "a.backup");
  Commit(*a, "new-2", 10000);

  ExpectClientRollbackReset(*a);
  EXPECT_EQ(Total(*a), 11111);
  EXPECT_TRUE(a->Get("c", "new-2").ok());
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(Total(*b), 11111);
}

// Written by a client file that never synced (no client id yet) ---------------
// Such a file draws a registration secret when it is created, and a hello
// without a client id proposes it: a copy of the file (a backup put back, a
// copied app directory) registers as the client the original became, so its
// entries are compared with the ones stored. Before, it registered as a new
// client and the server applied them a second time.

uint64_t ClientIdOf(Database& db) {
  Result<SyncStatus> status = GetSyncStatus(db);
  EXPECT_TRUE(status.ok()) << status.status().ToString();
  return status.ok() ? status->client_id : 0;
}

// +1 and +10 written offline, backed up, then synced by the original; the
// backup put back sends them again with a new +100: acknowledged once each.
// (Registered as a new client, it made 122 of 111.)
TEST_F(ClientRollback, ABackupFromBeforeTheFirstSyncIsTheSameClientAndAppliesNothingTwice) {
  auto a = Open("a", RecoverUnsyncedChanges());
  Commit(*a, "first", 1);
  Commit(*a, "second", 10);
  BackUp(a, "a", "a.backup");
  ASSERT_TRUE(Sync(*a).ok());
  const uint64_t id = ClientIdOf(*a);
  ASSERT_NE(id, 0u);
  PutBack(a, "a", "a.backup");
  ASSERT_EQ(ClientIdOf(*a), 0u);
  Commit(*a, "third", 100);

  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->reset);
  EXPECT_EQ(r->uploaded_entries, 3u);  // 1 and 2 again, acknowledged from the origins; then 3
  EXPECT_EQ(ClientIdOf(*a), id);
  EXPECT_EQ(Total(*a), 111);
  auto b = Open("b");
  ASSERT_TRUE(Sync(*b).ok());
  EXPECT_EQ(Total(*b), 111);
}

// A copy taken after +1 was written offline; the original then writes +10 and
// syncs, the copy writes +100 under the same lsn 2 and syncs: lsn 1 is the
// same entry (held), lsn 2 is not, so the copy resets (client-rollback) and
// replays only its +100, as a client of its own: the wipe drew it a new
// registration secret.
TEST_F(ClientRollback, ACopyFromBeforeTheFirstSyncReplaysOnlyItsOwnWrites) {
  auto original = Open("original", RecoverUnsyncedChanges());
  Commit(*original, "first", 1);
  BackUp(original, "original", "copy");
  Commit(*original, "original-2", 10);
  ASSERT_TRUE(Sync(*original).ok());
  auto copy = Open("copy", RecoverUnsyncedChanges());
  Commit(*copy, "copy-2", 100);

  ExpectClientRollbackReset(*copy);
  EXPECT_EQ(Total(*copy), 111);
  const uint64_t copy_id = ClientIdOf(*copy);
  EXPECT_NE(copy_id, 0u);
  EXPECT_NE(copy_id, ClientIdOf(*original));
  Commit(*copy, "copy-3", 1000);
  ASSERT_TRUE(Sync(*copy).ok());
  ASSERT_TRUE(Sync(*original).ok());
  EXPECT_EQ(Total(*original), 1111);
  EXPECT_EQ(ClientIdOf(*copy), copy_id);
}

// A copy handed out on purpose as the start of another database draws a new
// registration secret (DrawNewRegistrationSecret, `journal new-identity`)
// before it first syncs: it is a client of its own and its writes, the copied
// ones too, count as its own (as before registration secrets).
TEST_F(ClientRollback, ACopyThatDrewANewRegistrationSecretIsAClientOfItsOwn) {
  auto original = Open("original", RecoverUnsyncedChanges());
  Commit(*original, "first", 1);
  BackUp(original, "original", "copy");
  ASSERT_TRUE(Sync(*original).ok());
  auto copy = Open("copy", RecoverUnsyncedChanges());
  ASSERT_TRUE(DrawNewRegistrationSecret(*copy).ok());
  Commit(*copy, "copy-2", 10);

  Result<SyncReport> r = Sync(*copy);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->reset);
  EXPECT_EQ(r->uploaded_entries, 2u);
  EXPECT_NE(ClientIdOf(*copy), ClientIdOf(*original));
  EXPECT_EQ(Total(*copy), 12);
  Status again = DrawNewRegistrationSecret(*copy);
  EXPECT_TRUE(again.IsFailedPrecondition()) << again.ToString();
}

// The registration the backup's secret names was reset by an operator: the
// backup cannot be admitted as that client, so it registers as a new one with
// a secret the server issues (its entries count again: docs/client-reset.md,
// "What it does not catch"). Registering with the taken secret instead was
// refused as Busy on every retry.
TEST_F(ClientRollback, ABackupFromBeforeTheFirstSyncOfAClientAnOperatorResetRegistersAnew) {
  auto a = Open("a", RecoverUnsyncedChanges());
  Commit(*a, "first", 1);
  BackUp(a, "a", "a.backup");
  ASSERT_TRUE(Sync(*a).ok());
  const uint64_t id = ClientIdOf(*a);
  ASSERT_NE(id, 0u);
  a.reset();
  ResetClient(id);
  a = Open("a.backup", RecoverUnsyncedChanges());

  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->reset);
  EXPECT_NE(ClientIdOf(*a), 0u);
  EXPECT_NE(ClientIdOf(*a), id);
}

}  // namespace
}  // namespace journaldb
