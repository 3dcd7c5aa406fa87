// DatabaseImpl's part in client reset: where the engine hands a reset to the
// strategy (journaldb/client_reset.h). The engine records the demand and says
// when something happened (a demand, an Open, a download); the state machine
// that decides what runs next is recovery/src/client_reset/
// (docs/client-reset.md). Without a strategy the engine only keeps the record.
#include <fmt/format.h>

#include "db_impl.h"
#include "journaldb/engine/client_reset_record.h"
#include "journaldb/engine/sync/integrator.h"
#include "journaldb/journal/growing_batch.h"
#include "journaldb/journal/layout.h"

namespace journaldb {

// REQUIRES: mu_ held (the wipe runs in RunWithCommitsHeld).
void DatabaseImpl::ForgetSyncIdentity() {
  client_id_ = 0;
  epoch_ = 0;
  download_cursor_ = 0;
}

Status DatabaseImpl::HandleClientResetDemand(std::string reason, std::string message,
                                             uint64_t restored_latest_version,
                                             const Status& as_status) {
  std::lock_guard<std::mutex> lock(reset_mu_);
  Result<PendingClientReset> p = RecordClientResetDemand(
      *this, ClientResetDemand{std::move(reason), std::move(message), restored_latest_version});
  if (!p.ok()) return p.status();
  if (!options_.client_reset)
    return Status::ClientResetRequired(fmt::format(
        "{}; the reset is pending (no strategy is set): execute it with `journal reset {}`; "
        "the recovery snapshot will be {}/{}",
        as_status.message(), path(), p->recovery_root, p->recovery_id));
  return options_.client_reset->OnResetDemanded(*this, *p, /*at_open=*/false);
}

Status DatabaseImpl::AfterServerStateDownloaded() {
  if (!reset_pending_) return Status::OK();
  std::lock_guard<std::mutex> lock(reset_mu_);
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*this);
  if (!pending.ok()) return pending.status();
  if (!pending->has_value() || (**pending).step < ClientResetStep::kWiped) return Status::OK();
  // Without a strategy (the reset was executed by hand) there is nothing
  // more to do: the recovery snapshot waits for `journal replay`.
  if (!options_.client_reset) return FinishClientReset(*this, **pending);
  Status s = options_.client_reset->OnServerStateDownloaded(*this, **pending);
  // Writes dropped from the live database are never dropped silently: the
  // last sync error names them (SyncOnce records it again with its report).
  std::optional<ClientResetOutcome> outcome = last_reset_outcome();
  if (s.ok() && outcome && outcome->discarded && outcome->recovery_id == (**pending).recovery_id)
    sync::Integrator(*this)
        .RecordSyncError(Status::FailedPrecondition(DescribeDiscardedWrites(*outcome, path())))
        .IgnoreError();
  return s;
}

Status DatabaseImpl::ConfirmSyncedSinceClientReset() {
  if (!reset_unsynced_ || reset_pending_) return Status::OK();
  std::lock_guard<std::mutex> lock(reset_mu_);
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*this);
  if (!pending.ok()) return pending.status();
  if (pending->has_value()) return Status::OK();
  GrowingBatch batch;
  if (rocksdb::Status s = batch.Delete(store().meta(), layout::kMetaClientResetUnsynced); !s.ok())
    return FromRocks(s, "build batch");
  if (Status s = mutable_store().Write(batch, /*sync=*/true); !s.ok()) return s;
  reset_unsynced_ = false;
  return Status::OK();
}

void DatabaseImpl::SetResetOutcome(ClientResetOutcome outcome) {
  std::lock_guard<std::mutex> lock(outcome_mu_);
  last_reset_outcome_ = std::move(outcome);
  reset_outcome_reported_ = false;
}

std::optional<ClientResetOutcome> DatabaseImpl::last_reset_outcome() const {
  std::lock_guard<std::mutex> lock(outcome_mu_);
  return last_reset_outcome_;
}

std::optional<ClientResetOutcome> DatabaseImpl::TakeUnreportedResetOutcome() {
  std::lock_guard<std::mutex> lock(outcome_mu_);
  if (reset_outcome_reported_) return std::nullopt;
  reset_outcome_reported_ = true;
  return last_reset_outcome_;
}

Status DatabaseImpl::ResumeClientResetAtOpen() {
  std::lock_guard<std::mutex> lock(reset_mu_);
  Result<std::optional<std::string>> unsynced = UnsyncedClientReset(*this);
  if (!unsynced.ok()) return unsynced.status();
  reset_unsynced_ = unsynced->has_value();
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*this);
  if (!pending.ok()) return pending.status();
  if (!pending->has_value()) return Status::OK();
  reset_pending_ = true;
  if (!options_.client_reset) return Status::OK();
  // Whatever step a crash left the record at, the strategy knows what resumes
  // there; the engine does not.
  Status s = options_.client_reset->OnResetDemanded(*this, **pending, /*at_open=*/true);
  // Damaged recovery data: a person must look before anything goes on.
  if (s.ok() || s.IsCorruption()) return s;
  // Otherwise the database itself is intact (nothing is wiped before a
  // complete snapshot exists): left pending by the app's choice, a callback
  // that threw, a full disk. Open succeeds, so the app is never locked out of
  // its data by its own callback; the error is where `journal status` and
  // GetSyncStatus show it, and the session meets the reset again.
  sync::Integrator(*this).RecordSyncError(s).IgnoreError();
  return Status::OK();
}

}  // namespace journaldb
