// The four strategies of journaldb/client_reset_strategy.h, each the state
// machine (machine.h) with its mode and callbacks, and the app's ways to
// execute a pending reset by hand.
#include <fmt/format.h>

#include "client_reset/machine.h"
#include "journaldb/client_reset_strategy.h"
#include "journaldb/engine/client_reset_record.h"

namespace journaldb {

using client_reset::Mode;
using client_reset::ResetMachine;

std::string ClientResetRequiredError::recovery_path() const {
  return client_reset::SnapshotDir(pending_);
}

Status ClientResetRequiredError::execute_client_reset() {
  Result<std::optional<PendingClientReset>> now = GetPendingClientReset(*db_);
  if (!now.ok()) return now.status();
  if (!now->has_value()) return Status::OK();
  return ExecuteClientReset(*db_).status();
}

Result<RecoverySnapshot> ExecuteClientReset(Database& db) {
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(db);
  if (!pending.ok()) return pending.status();
  if (!pending->has_value())
    return Status::FailedPrecondition(fmt::format("{}: no client reset is pending", db.path()));
  const PendingClientReset& p = **pending;
  if (p.step >= ClientResetStep::kWiped) return OpenRecoverySnapshot(client_reset::SnapshotDir(p));
  Result<RecoverySnapshot> snap = client_reset::SnapshotAndWipe(db, Mode::kManual);
  // A session stopped by this reset downloads the server state now.
  if (snap.ok())
    if (SyncSession* session = db.sync_session()) session->Resume();
  return snap;
}

std::shared_ptr<ClientResetStrategy> ManualRecoveryStrategy(ManualResetCallback on_client_reset) {
  return std::make_shared<ResetMachine>(Mode::kManual, ClientResetCallbacks{},
                                        std::move(on_client_reset));
}

std::shared_ptr<ClientResetStrategy> DiscardUnsyncedChanges(ClientResetCallbacks callbacks) {
  return std::make_shared<ResetMachine>(Mode::kDiscard, std::move(callbacks), nullptr);
}

std::shared_ptr<ClientResetStrategy> RecoverUnsyncedChanges(ClientResetCallbacks callbacks) {
  return std::make_shared<ResetMachine>(Mode::kRecover, std::move(callbacks), nullptr);
}

std::shared_ptr<ClientResetStrategy> RecoverOrDiscardUnsyncedChanges(
    ClientResetCallbacks callbacks) {
  return std::make_shared<ResetMachine>(Mode::kRecoverOrDiscard, std::move(callbacks), nullptr);
}

}  // namespace journaldb
