// Runs the client-reset state machine: asks Next() (transitions.cc) what the
// record's step and the last event call for, runs that durable step on the
// engine's primitives, and feeds its outcome back as the next event. The
// engine calls in when a reset is demanded, found at Open, or its server
// state is downloaded (journaldb/client_reset.h).
#include "client_reset/machine.h"

#include <fmt/format.h>

#include <boost/filesystem.hpp>
#include <exception>

#include "journaldb/engine/client_reset_record.h"

namespace journaldb::client_reset {

namespace {

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

// Action::kSnapshot: a complete recovery snapshot of every journal entry,
// its diverged range as the server that demanded `record` sees it. Fills in
// what the record keeps of it.
Status TakeSnapshot(Database& db, PendingClientReset& record, Mode mode) {
  Result<Lsn> after = DivergedAfter(db, record);
  if (!after.ok()) return after.status();
  RecoverySnapshotOptions options;
  options.reason = record.reason;
  options.recovery_id = record.recovery_id;
  options.diverged_after = *after;
  Result<RecoverySnapshot> snap = CreateRecoverySnapshot(db, record.recovery_root, options);
  if (!snap.ok()) return snap.status();
  record.recovery_id = snap->manifest.recovery_id;
  record.diverged_after_lsn = *after;
  record.mode = ModeName(mode);
  return Status::OK();
}

}  // namespace

std::string SnapshotDir(const PendingClientReset& record) {
  return (boost::filesystem::path(record.recovery_root) / record.recovery_id).string();
}

Result<RecoverySnapshot> SnapshotAndWipe(Database& db, Mode mode) {
  Status held = HoldCommits(db, [&](const CommitsHeld& commits_held) -> Status {
    // The record as it is now: another thread may have executed this reset
    // meanwhile, or a demand narrowed what the server holds.
    Result<std::optional<PendingClientReset>> current = GetPendingClientReset(db);
    if (!current.ok()) return current.status();
    if (!current->has_value())
      return Status::FailedPrecondition(fmt::format("{}: no client reset is pending", db.path()));
    PendingClientReset record = **current;
    for (Event event = Event::kGoAhead;;) {
      const Transition t = Next(record.step, event, ModeOf(record, mode));
      switch (t.action) {
        case Action::kSnapshot:
          if (Status s = TakeSnapshot(db, record, mode); !s.ok()) return s;
          record.step = *t.then;
          if (Status s = WriteClientResetRecord(db, record); !s.ok()) return s;
          event = Event::kSnapshotTaken;
          break;
        case Action::kWipe:
          record.step = *t.then;
          return WipeLocalData(db, record, commits_held);
        case Action::kNone:
          return Status::OK();  // already wiped
        default:
          return Status::FailedPrecondition(fmt::format(
              "client reset: {} after {} at step {} needs no commit hold", ActionName(t.action),
              EventName(event), ClientResetStepName(record.step)));
      }
    }
  });
  if (!held.ok()) return held;
  Result<std::optional<PendingClientReset>> now = GetPendingClientReset(db);
  if (!now.ok()) return now.status();
  if (!now->has_value()) return Status::FailedPrecondition("client reset: the record vanished");
  return OpenRecoverySnapshot(SnapshotDir(**now));
}

Status ResetMachine::OnResetDemanded(Database& db, const PendingClientReset& pending,
                                     bool at_open) {
  return Run(db, pending, at_open ? Event::kOpened : Event::kDemanded);
}

Status ResetMachine::OnServerStateDownloaded(Database& db, const PendingClientReset& pending) {
  return Run(db, pending, Event::kDownloaded);
}

Status ResetMachine::Run(Database& db, const PendingClientReset& pending, Event event) {
  const Mode mode = ModeOf(pending, mode_);
  PendingClientReset record = pending;
  // Opened by the first step after the wipe; a snapshot that cannot be
  // opened stops the reset before that step writes anything.
  std::optional<RecoverySnapshot> snap;
  Status replay_failed;  // why the replay stopped
  Status reported;       // a policy that threw, returned once the reset is done
  std::optional<ReplayReport> replayed;  // what the replay did, if it ran to the end
  for (;;) {
    const Transition t = Next(record.step, event, mode);
    if (!snap && (t.action == Action::kMarkReady || t.action == Action::kReplay ||
                  t.action == Action::kFinish || t.action == Action::kHandToApp)) {
      Result<RecoverySnapshot> opened = OpenRecoverySnapshot(SnapshotDir(pending));
      if (!opened.ok()) return opened.status();
      snap.emplace(std::move(opened).value());
    }
    switch (t.action) {
      case Action::kNone:
        return Status::OK();
      case Action::kDecide:
        if (std::optional<Status> instead = Decide(db, pending, event == Event::kOpened))
          return *instead;
        event = Event::kGoAhead;
        break;
      case Action::kSnapshot:
      case Action::kWipe:
        // Both in one commit hold, from the record as it is then.
        return SnapshotAndWipe(db, mode_).status();
      case Action::kMarkReady:
        record.step = *t.then;
        if (Status s = WriteClientResetRecord(db, record); !s.ok()) return s;
        break;
      case Action::kReplay: {
        bool threw = false;
        replay_failed = ReplayAll(*snap, db, &threw, &replayed);
        if (threw) reported = replay_failed;
        event = replay_failed.ok() ? Event::kReplayed : Event::kReplayFailed;
        break;
      }
      case Action::kHandToApp: {
        // Manual from here: `journal replay` resumes exactly where this stopped.
        Result<ClientResetOutcome> outcome = Outcome(db, record, *snap, mode, replayed, replay_failed);
        if (!outcome.ok()) return outcome.status();
        // Stored before the reset is finished: a crash between the two
        // resumes the reset, which records its outcome again.
        if (Status s = RecordClientResetOutcome(db, std::move(outcome).value()); !s.ok()) return s;
        if (Status s = FinishClientReset(db, record); !s.ok()) return s;
        return Fallback(db, pending, replay_failed);
      }
      case Action::kFinish: {
        Result<ClientResetOutcome> outcome = Outcome(db, record, *snap, mode, replayed, replay_failed);
        if (!outcome.ok()) return outcome.status();
        if (Status s = RecordClientResetOutcome(db, std::move(outcome).value()); !s.ok()) return s;
        if (Status s = FinishClientReset(db, record); !s.ok()) return s;
        if (t.automatic && callbacks_.after_reset)
          if (Status s = Guarded("after_reset", [&] { callbacks_.after_reset(*snap, db); });
              !s.ok())
            return s;
        return reported;
      }
    }
  }
}

std::optional<Status> ResetMachine::Decide(Database& db, const PendingClientReset& p,
                                           bool at_open) {
  if (mode_ == Mode::kManual) {
    // Realm's rule: a reset the app did not execute runs at the next open.
    if (at_open) return std::nullopt;
    return Fallback(db, p,
                    Status::ClientResetRequired(fmt::format(
                        "the server demands a client reset ({}): {}", p.reason, p.message)));
  }
  // Realm's rule: a reset is in progress until the download after it
  // completed; here until the database synced in both directions after it
  // (its replayed writes uploaded too). A demand before that is the same
  // trouble recurring (the replayed writes or the new client file provoke
  // it): running again would loop. Genuine resets, however close, each come
  // after a completed sync.
  Result<std::optional<std::string>> unsynced = UnsyncedClientReset(db);
  if (!unsynced.ok()) return unsynced.status();
  if (unsynced->has_value())
    return Fallback(db, p,
                    Status::ClientResetRequired(fmt::format(
                        "client reset loop: the server demanded a reset ({}) before the "
                        "previous reset ({}) finished (its sync in both directions had not "
                        "completed); falling back to manual",
                        p.reason, **unsynced)));
  if (callbacks_.before_reset)
    if (Status thrown = Guarded("before_reset", [&] { callbacks_.before_reset(db); }); !thrown.ok())
      return Fallback(db, p, thrown);
  return std::nullopt;
}

Status ResetMachine::ReplayAll(const RecoverySnapshot& snap, Database& db, bool* threw,
                               std::optional<ReplayReport>* report) {
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
    return Status(r.status().code(), fmt::format("client reset: replaying recovery {} failed: {}",
                                                 snap.manifest.recovery_id, r.status().message()));
  report->emplace(*r);
  if (!r->complete)
    return Status::FailedPrecondition(
        fmt::format("client reset: replay of recovery {} stopped at lsn {}: {}",
                    snap.manifest.recovery_id, r->aborted_at, r->abort_reason));
  return Status::OK();
}

Result<ClientResetOutcome> ResetMachine::Outcome(const Database& db,
                                                 const PendingClientReset& record,
                                                 const RecoverySnapshot& snap, Mode mode,
                                                 const std::optional<ReplayReport>& replayed,
                                                 const Status& replay_failed) {
  ClientResetOutcome o;
  o.recovery_id = record.recovery_id;
  o.recovery_path = SnapshotDir(record);
  o.reason = record.reason;
  o.mode = ModeName(mode);
  if (replayed) {
    o.transactions_replayed = replayed->transactions_applied;
    o.transactions_skipped = replayed->transactions_skipped;
    o.ops_not_applicable = replayed->ops_not_applicable;
  }
  if (replay_failed.ok()) return o;
  // The replay runs in lsn order: what it left is the transactions not
  // marked done, whichever way it stopped.
  const RecoveryManifest& m = snap.manifest;
  for (Lsn lsn = m.first_diverged_lsn; m.diverged_entries > 0 && lsn <= m.last_diverged_lsn;
       ++lsn) {
    Result<bool> done = IsReplayed(db, m.recovery_id, lsn);
    if (!done.ok()) return done.status();
    if (*done) continue;
    if (o.transactions_not_recovered++ == 0) o.first_unrecovered_lsn = lsn;
    o.last_unrecovered_lsn = lsn;
  }
  o.not_recovered_reason = replay_failed.message();
  o.discarded = mode == Mode::kRecoverOrDiscard && o.transactions_not_recovered > 0;
  return o;
}

Status ResetMachine::Fallback(Database& db, const PendingClientReset& p, const Status& why) {
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

}  // namespace journaldb::client_reset
