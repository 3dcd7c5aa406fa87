// The client-reset state machine at work: runs the durable steps the
// transitions (journaldb/recovery/client_reset_transitions.h) name, on the
// engine's primitives (journaldb/engine/client_reset_record.h). Each of the
// four strategies of journaldb/client_reset_strategy.h is one ResetMachine
// with its mode and callbacks. Private to recovery/.
#ifndef JOURNALDB_RECOVERY_CLIENT_RESET_MACHINE_H_
#define JOURNALDB_RECOVERY_CLIENT_RESET_MACHINE_H_

#include <optional>
#include <string>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/recovery/client_reset_transitions.h"

namespace journaldb::client_reset {

// Where the recovery snapshot of `record` is: <recovery_root>/<recovery_id>.
std::string SnapshotDir(const PendingClientReset& record);

// Executes the pending reset as `mode` from wherever it is: re-reads the
// record with commits held, snapshots, records kSnapshotted, wipes. Returns
// the recovery snapshot (also when an earlier call already wiped).
// Failed-precondition if no reset is pending.
Result<RecoverySnapshot> SnapshotAndWipe(Database& db, Mode mode);

class ResetMachine final : public ClientResetStrategy {
 public:
  // `manual`: the on_client_reset callback of a Manual strategy (its
  // `callbacks` are empty); the automatic modes use callbacks.
  ResetMachine(Mode mode, ClientResetCallbacks callbacks, ManualResetCallback manual)
      : mode_(mode), callbacks_(std::move(callbacks)), manual_(std::move(manual)) {}

  Status OnResetDemanded(Database& db, const PendingClientReset& pending, bool at_open) override;
  Status OnServerStateDownloaded(Database& db, const PendingClientReset& pending) override;

 private:
  // Runs transitions from `pending` on `event` until one waits (kNone) or the
  // reset is over.
  Status Run(Database& db, const PendingClientReset& pending, Event event);
  // Action::kDecide. nullopt: go ahead; otherwise what to return instead.
  std::optional<Status> Decide(Database& db, const PendingClientReset& pending, bool at_open);
  // Action::kReplay: what did not replay, if anything. `*threw`: the policy
  // threw (a user callback too, so it is reported).
  // `*report`: the replay's report, if it returned one.
  Status ReplayAll(const RecoverySnapshot& snap, Database& db, bool* threw,
                   std::optional<ReplayReport>* report);
  // What the reset of `record`, finished as `mode`, did: the replay's report
  // and, if it stopped (`replay_failed`), the transactions it left.
  static Result<ClientResetOutcome> Outcome(const Database& db, const PendingClientReset& record,
                                            const RecoverySnapshot& snap, Mode mode,
                                            const std::optional<ReplayReport>& replayed,
                                            const Status& replay_failed);
  // Hands the reset to the app's manual callback. OK if the callback executed
  // it (the session then downloads the server state).
  Status Fallback(Database& db, const PendingClientReset& pending, const Status& why);

  const Mode mode_;
  const ClientResetCallbacks callbacks_;
  const ManualResetCallback manual_;
};

}  // namespace journaldb::client_reset

#endif  // JOURNALDB_RECOVERY_CLIENT_RESET_MACHINE_H_
