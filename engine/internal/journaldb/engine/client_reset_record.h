// The engine's primitives of client reset: the durable record, the demand,
// the atomic wipe under the commit hold, and which journal entries are
// diverged. They need DatabaseImpl's internals; what runs when is decided by
// the state machine in recovery/src/client_reset/ (the recovery component),
// which is built on them. Internal: never installed.
#ifndef JOURNALDB_ENGINE_CLIENT_RESET_RECORD_H_
#define JOURNALDB_ENGINE_CLIENT_RESET_RECORD_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "journaldb/client_reset.h"
#include "journaldb/database.h"

namespace journaldb {

// A new recovery id, sortable by time and unique by a random suffix:
// 20261126T124501Z-1a2b3c4d.
std::string NewRecoveryId();

// The record as stored in meta `client_reset`, and its verified decoding:
// corruption naming `where` for anything that is not a valid record.
std::string EncodeClientResetRecord(const PendingClientReset& pending);
Result<PendingClientReset> DecodeClientResetRecord(std::string_view bytes,
                                                   const std::string& where);

// Replaces the pending-reset record, fsynced.
Status WriteClientResetRecord(Database& db, const PendingClientReset& pending);

// A demand as the server made it (see PendingClientReset for the fields).
struct ClientResetDemand {
  std::string reason;
  std::string message;
  uint64_t restored_latest_version = 0;
};

// Records a demand (fsynced) and returns the record as it now is: the
// state machine's entry, which the engine makes itself so that a demand is
// kept even with no strategy set. No record: a new one at kDetected. One at
// kDetected or kSnapshotted: kept (its recovery id too), with the demand's
// reason if the server now holds less of this client's writes. One at
// kWiped or kReady: that reset is closed as manual (its snapshot stays for
// `journal replay`) and a new one starts at kDetected; the closed one had not
// finished, so an automatic strategy takes the new demand for a loop.
// REQUIRES: no other reset step runs (the engine's reset lock).
Result<PendingClientReset> RecordClientResetDemand(Database& db, const ClientResetDemand& demand);

// Proof that commits are held off with none in flight: only HoldCommits
// makes one, so the wipe cannot be called outside the hold.
class CommitsHeld {
 public:
  CommitsHeld(const CommitsHeld&) = delete;
  CommitsHeld& operator=(const CommitsHeld&) = delete;

 private:
  CommitsHeld() = default;
  friend Status HoldCommits(Database& db, const std::function<Status(const CommitsHeld&)>& fn);
};

// Runs `fn` with commits held off and none in flight; commits resume when it
// returns. A snapshot taken inside holds every entry the wipe then deletes.
Status HoldCommits(Database& db, const std::function<Status(const CommitsHeld&)>& fn);

// Wipes in one fsynced write batch: state, journal, synced state, sync
// identity, cursors and ack versions go; the lsn high-water mark stays so
// lsns are never reused; `wiped` (its step must be kWiped) is recorded in
// the same batch. A crash leaves either nothing or all of it wiped.
Status WipeLocalData(Database& db, const PendingClientReset& wiped, const CommitsHeld&);

// Clears the record of the reset `finished` names (fsynced) and, in the same
// batch, records it as not yet synced (meta client_reset_unsynced) until the
// database next syncs in both directions (ConfirmSyncedSinceClientReset).
Status FinishClientReset(Database& db, const PendingClientReset& finished);

// The recovery id of the last reset that finished while the database has not
// synced in both directions since; nullopt if none. A reset demanded while
// one is set recurs before the previous one finished: a loop (guarantee 8).
Result<std::optional<std::string>> UnsyncedClientReset(const Database& db);

// Keeps what a strategy's reset did, for LastClientResetOutcome and the next
// SyncOnce report (SyncReport::client_reset), and stores it, fsynced, in
// meta client_reset_outcome (stamped with the time now if it has none), so
// a later process sees it too. Errors: the write's.
Status RecordClientResetOutcome(Database& db, ClientResetOutcome outcome);

// The stored outcome's bytes and back; decoding verifies them (corruption,
// naming `where`, for anything else).
std::string EncodeClientResetOutcome(const ClientResetOutcome& outcome);
Result<ClientResetOutcome> DecodeClientResetOutcome(std::string_view bytes,
                                                    const std::string& where);

// The highest lsn whose entry the server demanding `pending` still holds:
// entries above it are diverged. Never acknowledged entries are diverged.
// After a restore or rollback (epoch-mismatch, server-rollback) so is every
// acknowledged entry stored at a version above the restored latest version,
// or at a version this database never learned (counted as diverged, so it
// is never lost). A server that does not know the client, or reports
// restored version 0, holds none of them. After client-rollback (this
// database's data went back) every entry up to the lsn the server found the
// same as its own is held, acknowledged or not.
Result<Lsn> DivergedAfter(const Database& db, const PendingClientReset& pending);

}  // namespace journaldb

#endif  // JOURNALDB_ENGINE_CLIENT_RESET_RECORD_H_
