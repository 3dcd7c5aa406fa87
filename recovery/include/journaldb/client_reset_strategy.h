// Client reset strategies: what the engine does when the server demands a
// client reset (docs/client-reset.md). They mirror Realm's strategies, with
// one difference that matters: every strategy first writes a complete
// recovery snapshot of the database, so nothing local is ever lost.
//
//   journaldb::ClientResetCallbacks callbacks;
//   callbacks.after_reset = [](const journaldb::RecoverySnapshot& before,
//                              journaldb::Database& after) { refresh_ui(); };
//   callbacks.on_manual_reset_fallback = [](journaldb::SyncSession*,
//                                           journaldb::ClientResetRequiredError& e) {
//     report(e.status().ToString(), e.recovery_path());
//   };
//   options.client_reset = journaldb::RecoverOrDiscardUnsyncedChanges(callbacks);
//
// The reset runs as a durable state machine recorded in the database before
// each step (journaldb/client_reset.h): detected -> snapshot -> wipe ->
// download the server state -> replay. A crash at any step resumes at the next
// Open or sync, without losing or doubling a diverged op.
//
// Callbacks run on the sync session's thread (or inside Open or SyncOnce).
// An exception a callback throws is caught and reported: to
// on_manual_reset_fallback (or, without one, as the session's error), never
// swallowed. A callback must not close the database nor call SyncOnce on it
// (the reset in progress holds the database's reset lock: it would wait
// forever); execute_client_reset() is the one call into the reset it may make.
// after_reset runs once the reset is recorded as finished: a crash in
// between means it is not called for that reset.
#ifndef JOURNALDB_CLIENT_RESET_STRATEGY_H_
#define JOURNALDB_CLIENT_RESET_STRATEGY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "journaldb/client_reset.h"
#include "journaldb/database.h"
#include "journaldb/recovery_snapshot.h"
#include "journaldb/replayer.h"
#include "journaldb/sync.h"

namespace journaldb {

// What a Manual strategy's callback (and a fallback to manual) is given:
// Realm's ClientResetRequiredError.
class ClientResetRequiredError {
 public:
  ClientResetRequiredError(Database& db, PendingClientReset pending, Status status)
      : db_(&db), pending_(std::move(pending)), status_(std::move(status)) {}

  // Why: client-reset-required naming the server's reason, or the error that
  // made an automatic strategy fall back to manual.
  const Status& status() const { return status_; }
  const PendingClientReset& pending() const { return pending_; }
  // The database being reset.
  const std::string& original_path() const { return db_->path(); }
  // Where the recovery snapshot is (or will be) written.
  std::string recovery_path() const;
  // Writes the recovery snapshot and wipes the local data now; the session
  // then downloads the server state. Without it the reset runs at the next
  // Open. OK if it already ran. REQUIRES: the database is still open.
  Status execute_client_reset();

 private:
  Database* db_;
  PendingClientReset pending_;
  Status status_;
};

using ManualResetCallback = std::function<void(SyncSession* session, ClientResetRequiredError& error)>;

struct ClientResetCallbacks {
  // Before the snapshot and wipe, with the database as it is. Throwing
  // cancels the automatic reset: it falls back to manual.
  std::function<void(const Database& before)> before_reset;
  // After the reset finished: `before` is the recovery snapshot, `after` the
  // database now holding the server state (and, when recovering, the replayed
  // ops). LastClientResetOutcome(after) tells what was recovered, left out
  // as not applicable, or discarded (ClientResetOutcome::recovered_everything()
  // is Realm's did_recover). Throwing is reported; the reset stays done.
  std::function<void(const RecoverySnapshot& before, Database& after)> after_reset;
  // Called instead of an automatic reset when it cannot or must not run: a
  // reset loop (guarantee 8: the server demands a reset before the previous
  // one finished, i.e. before the database synced in both directions after
  // it), a before_reset that threw, a recovery that failed (RecoverUnsynced).
  // Without it, the session stops with the error.
  ManualResetCallback on_manual_reset_fallback;
  // Replay policy for the recovering strategies. Default: local-wins.
  std::shared_ptr<ReplayPolicy> policy;
};

// Manual: `on_client_reset` decides; the reset runs when it calls
// execute_client_reset(), or at the next Open. No replay: the recovery
// snapshot waits for the replayer (`journal replay`).
std::shared_ptr<ClientResetStrategy> ManualRecoveryStrategy(ManualResetCallback on_client_reset);

// DiscardUnsynced: snapshot, wipe, download the server state; the diverged
// ops stay only in the recovery snapshot.
std::shared_ptr<ClientResetStrategy> DiscardUnsyncedChanges(ClientResetCallbacks callbacks = {});

// RecoverUnsynced: snapshot, wipe, download, then replay the diverged ops
// with the policy; falls back to manual if the replay fails or aborts. Ops
// that cannot apply to the server state are left out and reported
// (ClientResetOutcome::ops_not_applicable); they stop nothing.
std::shared_ptr<ClientResetStrategy> RecoverUnsyncedChanges(ClientResetCallbacks callbacks = {});

// RecoverOrDiscard: as RecoverUnsynced, but a failed replay discards instead
// (the rest of the diverged ops stay in the recovery snapshot), and says so:
// ClientResetOutcome::discarded, and SyncOnce records the discarded lsns as
// the database's last sync error.
std::shared_ptr<ClientResetStrategy> RecoverOrDiscardUnsyncedChanges(
    ClientResetCallbacks callbacks = {});

// Executes the pending client reset of `db` now, as Manual does: snapshot and
// wipe; the next sync downloads the server state. Returns the recovery
// snapshot. Failed-precondition if no reset is pending.
Result<RecoverySnapshot> ExecuteClientReset(Database& db);

}  // namespace journaldb

#endif  // JOURNALDB_CLIENT_RESET_STRATEGY_H_
