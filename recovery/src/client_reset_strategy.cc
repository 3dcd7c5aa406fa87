// The client-reset executor and the four strategies (client_reset_strategy.h).
// The engine keeps the durable record and calls in at two points: a reset
// was demanded (snapshot and wipe, or leave it to the app), and the server
// state was downloaded after a wipe (replay, callbacks, done).
#include "journaldb/client_reset_strategy.h"

#include <fmt/format.h>

#include <boost/filesystem.hpp>
#include <chrono>
#include <exception>
#include <optional>

#include "journaldb/engine/client_reset_record.h"
#include "journaldb/journal/wall_clock.h"

namespace journaldb {

namespace {

enum class Mode { kManual, kDiscard, kRecover, kRecoverOrDiscard };

constexpr char kManual[] = "manual";
constexpr char kDiscard[] = "discard";
constexpr char kRecover[] = "recover";
constexpr char kRecoverOrDiscard[] = "recover-or-discard";

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kManual: return kManual;
    case Mode::kDiscard: return kDiscard;
    case Mode::kRecover: return kRecover;
    case Mode::kRecoverOrDiscard: return kRecoverOrDiscard;
  }
  return kManual;
}

std::string SnapshotDir(const PendingClientReset& p) {
  return (boost::filesystem::path(p.recovery_root) / p.recovery_id).string();
}

// Runs a user callback: an exception becomes a status naming the callback.
template <typename Fn>
Status Guarded(const char* callback, Fn&& fn) {
  try {
    fn();
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::FailedPrecondition(
        fmt::format("client reset: the {} callback threw: {}", callback, e.what()));
  } catch (...) {
    return Status::FailedPrecondition(
        fmt::format("client reset: the {} callback threw a non-standard exception", callback));
  }
}

// The snapshot and wipe steps, recording `mode` for the steps after.
Result<RecoverySnapshot> Execute(Database& db, const PendingClientReset& pending, const char* mode) {
  Status s = SnapshotAndWipe(
      db,
      [&](PendingClientReset& next) -> Status {
        Result<Lsn> after = DivergedAfter(db, next);
        if (!after.ok()) return after.status();
        RecoverySnapshotOptions options;
        options.reason = next.reason;
        options.recovery_id = next.recovery_id;
        options.diverged_after = *after;
        Result<RecoverySnapshot> snap = CreateRecoverySnapshot(db, next.recovery_root, options);
        if (!snap.ok()) return snap.status();
        next.recovery_id = snap->manifest.recovery_id;
        next.diverged_after_lsn = *after;
        next.mode = mode;
        return Status::OK();
      },
      pending);
  if (!s.ok()) return s;
  Result<std::optional<PendingClientReset>> now = GetPendingClientReset(db);
  if (!now.ok()) return now.status();
  if (!now->has_value()) return Status::FailedPrecondition("client reset: the record vanished");
  return OpenRecoverySnapshot(SnapshotDir(**now));
}

class Strategy final : public ClientResetStrategy {
 public:
  Strategy(Mode mode, ClientResetCallbacks callbacks, ManualResetCallback manual)
      : mode_(mode), callbacks_(std::move(callbacks)), manual_(std::move(manual)) {}

  Status OnResetDemanded(Database& db, const PendingClientReset& p, bool at_open) override {
    Status demand = Status::ClientResetRequired(
        fmt::format("the server demands a client reset ({}): {}", p.reason, p.message));
    if (mode_ == Mode::kManual) {
      // Realm's rule: a reset the app did not execute runs at the next open.
      if (at_open) return Execute(db, p, kManual).status();
      return Fallback(db, p, demand);
    }
    Result<int64_t> last = LastAutomaticRecoveryTime(db);
    if (!last.ok()) return last.status();
    int64_t since_us = NowMicros() - *last;
    if (*last != 0 && since_us < static_cast<int64_t>(callbacks_.loop_guard_seconds) * 1000000)
      return Fallback(
          db, p,
          Status::ClientResetRequired(fmt::format(
              "client reset loop: the server demanded a reset ({}) {:.1f} s after an automatic "
              "recovery finished; falling back to manual",
              p.reason, static_cast<double>(since_us) / 1e6)));
    if (callbacks_.before_reset)
      if (Status thrown = Guarded("before_reset", [&] { callbacks_.before_reset(db); });
          !thrown.ok())
        return Fallback(db, p, thrown);
    return Execute(db, p, ModeName(mode_)).status();
  }

  Status OnServerStateDownloaded(Database& db, const PendingClientReset& p) override {
    Result<RecoverySnapshot> snap = OpenRecoverySnapshot(SnapshotDir(p));
    if (!snap.ok()) return snap.status();
    const bool recover = p.mode == kRecover || p.mode == kRecoverOrDiscard;
    Status reported;
    if (recover) {
      if (p.step == ClientResetStep::kWiped) {
        PendingClientReset ready = p;
        ready.step = ClientResetStep::kReady;
        if (Status s = WriteClientResetRecord(db, ready); !s.ok()) return s;
      }
      bool threw = false;
      Status failed = ReplayAll(*snap, db, &threw);
      if (!failed.ok() && p.mode == kRecover) {
        // Manual from here: `journal replay` resumes exactly where this stopped.
        if (Status s = FinishClientReset(db, /*automatic=*/false); !s.ok()) return s;
        return Fallback(db, p, failed);
      }
      // RecoverOrDiscard: what did not replay stays in the snapshot only.
      // A policy that threw is still reported, once the reset is done.
      if (threw) reported = failed;
    }
    if (Status s = FinishClientReset(db, /*automatic=*/p.mode != kManual); !s.ok()) return s;
    if (p.mode != kManual && callbacks_.after_reset)
      if (Status s = Guarded("after_reset", [&] { callbacks_.after_reset(*snap, db); }); !s.ok())
        return s;
    return reported;
  }

 private:
  // `*threw`: the policy threw (a user callback too, so it is reported).
  Status ReplayAll(const RecoverySnapshot& snap, Database& db, bool* threw) {
    LocalWinsPolicy local_wins;
    ReplayPolicy& policy = callbacks_.policy ? *callbacks_.policy : local_wins;
    std::optional<Result<ReplayReport>> replayed;
    if (Status thrown = Guarded("policy", [&] { replayed.emplace(Replay(snap, db, policy, {})); });
        !thrown.ok()) {
      *threw = true;
      return thrown;
    }
    Result<ReplayReport>& r = *replayed;
    if (!r.ok())
      return Status(r.status().code(),
                    fmt::format("client reset: replaying recovery {} failed: {}",
                                snap.manifest.recovery_id, r.status().message()));
    if (!r->complete)
      return Status::FailedPrecondition(
          fmt::format("client reset: replay of recovery {} stopped at lsn {}: {}",
                      snap.manifest.recovery_id, r->aborted_at, r->abort_reason));
    return Status::OK();
  }

  // Hands the reset to the app's manual callback. OK if the callback executed
  // it (the session then downloads the server state).
  Status Fallback(Database& db, const PendingClientReset& p, const Status& why) {
    const ManualResetCallback& callback =
        mode_ == Mode::kManual ? manual_ : callbacks_.on_manual_reset_fallback;
    std::string pending_note =
        fmt::format("the recovery snapshot is (or will be) {}", SnapshotDir(p));
    if (!callback) return Status(why.code(), fmt::format("{}; {}", why.message(), pending_note));
    ClientResetRequiredError error(db, p, why);
    const char* name = mode_ == Mode::kManual ? "on_client_reset" : "on_manual_reset_fallback";
    if (Status thrown = Guarded(name, [&] { callback(db.sync_session(), error); }); !thrown.ok())
      return Status(thrown.code(),
                    fmt::format("{} (while handling: {})", thrown.message(), why.ToString()));
    Result<std::optional<PendingClientReset>> now = GetPendingClientReset(db);
    if (!now.ok()) return now.status();
    if (now->has_value() && (**now).step >= ClientResetStep::kWiped) return Status::OK();
    if (!now->has_value()) return Status::OK();  // nothing pending: a failed replay was handed over
    return Status::ClientResetRequired(
        fmt::format("{}; left pending by the app: it runs at the next open", why.message()));
  }

  const Mode mode_;
  const ClientResetCallbacks callbacks_;
  const ManualResetCallback manual_;
};

}  // namespace

std::string ClientResetRequiredError::recovery_path() const { return SnapshotDir(pending_); }

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
  if (p.step >= ClientResetStep::kWiped) return OpenRecoverySnapshot(SnapshotDir(p));
  Result<RecoverySnapshot> snap = Execute(db, p, kManual);
  // A session stopped by this reset downloads the server state now.
  if (snap.ok())
    if (SyncSession* session = db.sync_session()) session->Resume();
  return snap;
}

std::shared_ptr<ClientResetStrategy> ManualRecoveryStrategy(ManualResetCallback on_client_reset) {
  return std::make_shared<Strategy>(Mode::kManual, ClientResetCallbacks{},
                                    std::move(on_client_reset));
}

std::shared_ptr<ClientResetStrategy> DiscardUnsyncedChanges(ClientResetCallbacks callbacks) {
  return std::make_shared<Strategy>(Mode::kDiscard, std::move(callbacks), nullptr);
}

std::shared_ptr<ClientResetStrategy> RecoverUnsyncedChanges(ClientResetCallbacks callbacks) {
  return std::make_shared<Strategy>(Mode::kRecover, std::move(callbacks), nullptr);
}

std::shared_ptr<ClientResetStrategy> RecoverOrDiscardUnsyncedChanges(
    ClientResetCallbacks callbacks) {
  return std::make_shared<Strategy>(Mode::kRecoverOrDiscard, std::move(callbacks), nullptr);
}

}  // namespace journaldb
