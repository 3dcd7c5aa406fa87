// Model-based test: random sequences of commits (list edits among them),
// reads, reopens, simulated power losses, syncs with a real journal-server,
// syncs while it is down, forced client resets (operator reset-client,
// restore from a backup) under each strategy, and replays of recovery
// snapshots, run against the system (SystemUnderTest) and against DbModel;
// after every command the state, the journal with its tags, and the cursors
// must equal the model's.
//
// Budget and reproduction: CTest passes RC_PARAMS="max_success=40"
// (tests/model/CMakeLists.txt); run directly, rapidcheck's defaults (100
// cases) or RC_PARAMS apply. Sequences are scaled, see the property. Every
// run prints its seed; a failure prints RC_PARAMS="reproduce=..." to rerun
// exactly that case. docs/testing.md has the details.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <ostream>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/recovery_snapshot.h"
#include "journaldb/replayer.h"
#include "model/db_model.h"
#include "model/list_generators.h"
#include "model/model_checks.h"
#include "model/pool_generators.h"
#include "model/system_under_test.h"

namespace journaldb::testing {
namespace {

using Command = rc::state::Command<DbModel, SystemUnderTest>;

struct Commit : Command {
  std::vector<Operation> ops;
  Commit() : ops(PoolTransaction()) {}
  explicit Commit(std::vector<Operation> chosen) : ops(std::move(chosen)) {}
  void apply(DbModel& model) const override {
    if (model.Applies(ops)) model.Commit(ops);
  }
  void run(const DbModel& model, SystemUnderTest& sut) const override {
    Result<Lsn> lsn = CommitOps(*sut.db, ops);
    if (model.Applies(ops)) {
      RC_ASSERT(lsn.status().ToString() == "OK");
      RC_ASSERT(*lsn == model.last_lsn + 1);
    } else {
      // An increment of a non-integer field: nothing is written.
      RC_ASSERT(lsn.status().IsInvalidArgument());
    }
    CheckAll(nextState(model), sut);
  }
  void show(std::ostream& os) const override {
    os << "Commit(";
    ShowOps(ops, os);
    os << ")";
  }
};

// A commit of list edits on the model's lists (list_generators.h).
struct ListCommit : Commit {
  explicit ListCommit(const DbModel& model) : Commit(ListTransaction(model.objects)) {}
};

struct Read : Command {
  std::string collection = *rc::gen::elementOf(kCollections);
  std::string key = *rc::gen::elementOf(kKeys);
  std::string field = *rc::gen::elementOf(kFields);
  void run(const DbModel& model, SystemUnderTest& sut) const override {
    auto want = model.objects.find({collection, key});
    Result<Value> got = sut.db->GetField(collection, key, field);
    if (want == model.objects.end() || !want->second.contains(field)) {
      RC_ASSERT(got.status().IsNotFound());
    } else {
      RC_ASSERT(got.ok());
      RC_ASSERT(*got == want->second.find(field)->second);
    }
    // A snapshot sees the same state.
    std::unique_ptr<Snapshot> snapshot = sut.db->GetSnapshot();
    ReadOptions at;
    at.snapshot = snapshot.get();
    Result<Object> object = sut.db->Get(collection, key, at);
    if (want == model.objects.end()) {
      RC_ASSERT(object.status().IsNotFound());
    } else {
      RC_ASSERT(object.ok());
      RC_ASSERT(object->fields == want->second);
    }
  }
  void show(std::ostream& os) const override {
    os << "Read(" << collection << "/" << key << "." << field << ")";
  }
};

struct Reopen : Command {
  void apply(DbModel& model) const override { model.Reopen(); }
  void run(const DbModel& model, SystemUnderTest& sut) const override {
    sut.db.reset();
    sut.Open();
    CheckAll(nextState(model), sut);
    CheckVerify(*sut.db);
  }
  void show(std::ostream& os) const override { os << "Reopen"; }
};

// Power loss between commands: every acknowledged commit was fsynced, so the
// model keeps all of them; sync cursors written since the last fsync roll
// back (the next sync repairs them).
struct Crash : Command {
  void apply(DbModel& model) const override { model.PowerLoss(); }
  void run(const DbModel& model, SystemUnderTest& sut) const override {
    sut.PowerLossAndReopen();
    CheckAll(nextState(model), sut);
    CheckVerify(*sut.db);
  }
  void show(std::ostream& os) const override { os << "Crash"; }
};

// Power loss as a commit starts writing: the commit fails, the failure is
// sticky until reopen, reads still show only acknowledged commits, and after
// the reopen the failed commit has left no trace.
struct CrashDuringCommit : Command {
  std::vector<Operation> ops;
  // One in three commits list edits.
  explicit CrashDuringCommit(const DbModel& model)
      : ops(*rc::gen::inRange(0, 3) == 0 ? ListTransaction(model.objects) : PoolTransaction()) {}
  void checkPreconditions(const DbModel& model) const override { RC_PRE(model.Applies(ops)); }
  void apply(DbModel& model) const override { model.PowerLoss(); }
  void run(const DbModel& model, SystemUnderTest& sut) const override {
    sut.fault.fs->Arm(FaultKind::kPowerLoss, 1);
    Result<Lsn> failed = CommitOps(*sut.db, ops);
    RC_ASSERT(failed.status().IsIOError());
    Result<Lsn> after = CommitOps(*sut.db, ops);
    RC_ASSERT(!after.ok());
    CheckState(model, *sut.db);
    sut.db.reset();
    Status dropped = sut.fault.fs->DropUnsyncedData();
    RC_ASSERT(dropped.ToString() == "OK");
    sut.fault.fs->Disarm();
    sut.Open();
    CheckAll(nextState(model), sut);
    CheckVerify(*sut.db);
  }
  void show(std::ostream& os) const override {
    os << "CrashDuringCommit(";
    ShowOps(ops, os);
    os << ")";
  }
};

struct CheckJournal : Command {
  Lsn from = 1;
  explicit CheckJournal(const DbModel& model)
      : from(*rc::gen::inRange<Lsn>(1, model.last_lsn + 3)) {}
  void run(const DbModel& model, SystemUnderTest& sut) const override {
    CheckJournalAndCursors(model, sut, from);
    CheckVerify(*sut.db);
  }
  void show(std::ostream& os) const override { os << "CheckJournal(from " << from << ")"; }
};

// Runs one SyncOnce as the model predicts it (`before` is the model just
// before the sync, `after` just after) and checks what it returned. A manual
// reset fails the sync with client-reset-required; the test then executes
// the reset as the app would and syncs again.
void SyncAndCheck(const DbModel& before, const DbModel& after, ResetMode mode,
                  SystemUnderTest& sut) {
  DbModel scratch = before;
  const SyncOutcome expect = scratch.Sync(mode);
  Result<SyncReport> report = sut.Sync(mode);
  if (expect.reset && mode == ResetMode::kManual) {
    RC_ASSERT(report.status().IsClientResetRequired());
    CheckState(before, *sut.db);  // nothing local changed yet
    Result<RecoverySnapshot> executed = ExecuteClientReset(*sut.db);
    RC_ASSERT(executed.status().ToString() == "OK");
    report = sut.Sync(mode);
  }
  if (!report.ok()) RC_FAIL("SyncOnce: " + report.status().ToString());
  // Also the manual reset the app executed: the sync that finished it reports it.
  RC_ASSERT(report->reset == expect.reset);
  if (!expect.reset) RC_ASSERT(report->uploaded_entries == expect.uploaded);
  RC_ASSERT(report->client_id == after.cursors.client_id);
  RC_ASSERT(report->download_cursor == after.cursors.download_cursor);
  RC_ASSERT(report->upload_cursor == after.cursors.upload_cursor);
  Result<DatabaseInfo> info = sut.db->Info();
  RC_ASSERT(info.ok());
  sut.LearnEpoch(after.cursors.epoch, info->epoch);
  if (expect.reset) {
    sut.RememberNewRecovery();
    // Guarantee 4: every diverged op, and only those, is in the snapshot.
    Result<RecoverySnapshot> snap =
        OpenRecoverySnapshot(sut.dir.Sub("db.recovery") + "/" + sut.recovery_ids.back());
    RC_ASSERT(snap.status().ToString() == "OK");
    const std::vector<ModelEntry>& diverged = after.recoveries.at(expect.recovery).diverged;
    RC_ASSERT(snap->manifest.diverged_entries == diverged.size());
    if (!diverged.empty()) {
      RC_ASSERT(snap->manifest.first_diverged_lsn == diverged.front().lsn);
      RC_ASSERT(snap->manifest.last_diverged_lsn == diverged.back().lsn);
    }
  }
  CheckAll(after, sut);
  CheckVerify(*sut.db);
}

// Uploads every unacknowledged entry and downloads the server's changes
// (with one client: its own, so the visible state stays).
struct Sync : Command {
  void apply(DbModel& model) const override {
    model.server_running = true;
    model.Sync(ResetMode::kManual);
  }
  void run(const DbModel& model, SystemUnderTest& sut) const override {
    sut.EnsureServer();
    SyncAndCheck(model, nextState(model), ResetMode::kManual, sut);
  }
  void show(std::ostream& os) const override { os << "Sync"; }
};

// The server is down: the sync fails with an I/O error and nothing local
// changes but the recorded error.
struct Disconnect : Command {
  void apply(DbModel& model) const override {
    model.server_running = false;
    model.FailedSync();
  }
  void run(const DbModel& model, SystemUnderTest& sut) const override {
    sut.StopServer();
    Result<SyncReport> report = sut.Sync(ResetMode::kDiscard);
    RC_ASSERT(report.status().IsIOError());
    CheckAll(nextState(model), sut);
  }
  void show(std::ostream& os) const override { os << "Disconnect"; }
};

// The operator backs the server up (stopped, then restarted).
struct Backup : Command {
  void apply(DbModel& model) const override {
    model.server_running = true;
    model.Backup();
  }
  void run(const DbModel& model, SystemUnderTest& sut) const override {
    sut.Backup();
    CheckAll(nextState(model), sut);
  }
  void show(std::ostream& os) const override { os << "Backup"; }
};

// The operator forces a client reset, by `journal-server reset-client` or by
// restoring a backup (a new epoch), and the client syncs under `mode`.
struct ForcedReset : Command {
  bool restore = false;
  size_t backup = 0;
  ResetMode mode = ResetMode::kDiscard;
  explicit ForcedReset(const DbModel& model) {
    restore = model.backups.empty() ? false : *rc::gen::arbitrary<bool>();
    if (restore) backup = *rc::gen::inRange<size_t>(0, model.backups.size());
    mode = *rc::gen::element(ResetMode::kDiscard, ResetMode::kRecover, ResetMode::kManual);
  }
  void checkPreconditions(const DbModel& model) const override {
    if (restore)
      RC_PRE(backup < model.backups.size());
    else
      RC_PRE(model.CanResetClient());
  }
  void Act(DbModel& model) const {
    model.server_running = true;
    if (restore)
      model.Restore(backup);
    else
      model.OperatorResetClient();
  }
  void apply(DbModel& model) const override {
    Act(model);
    model.Sync(mode);
  }
  void run(const DbModel& model, SystemUnderTest& sut) const override {
    if (restore)
      sut.Restore(backup);
    else
      sut.ResetClient(model.cursors.client_id);
    DbModel acted = model;
    Act(acted);
    SyncAndCheck(acted, nextState(model), mode, sut);
  }
  void show(std::ostream& os) const override {
    os << "ForcedReset(";
    if (restore)
      os << "restore backup " << backup;
    else
      os << "reset-client";
    os << ", " << ResetModeName(mode) << ")";
  }
};

// Replays a recovery snapshot under the local-wins policy; a rerun resumes
// after what is done, so nothing is applied twice.
struct Replay : Command {
  size_t index = 0;
  explicit Replay(const DbModel& model) {
    RC_PRE(!model.recoveries.empty());
    index = *rc::gen::inRange<size_t>(0, model.recoveries.size());
  }
  void checkPreconditions(const DbModel& model) const override {
    RC_PRE(index < model.recoveries.size());
  }
  void apply(DbModel& model) const override { model.Replay(index); }
  void run(const DbModel& model, SystemUnderTest& sut) const override {
    DbModel after = model;
    const uint64_t applied = after.Replay(index);
    Result<RecoverySnapshot> snap =
        OpenRecoverySnapshot(sut.dir.Sub("db.recovery") + "/" + sut.recovery_ids.at(index));
    RC_ASSERT(snap.status().ToString() == "OK");
    LocalWinsPolicy policy;
    Result<ReplayReport> report = journaldb::Replay(*snap, *sut.db, policy, {});
    if (!report.ok()) RC_FAIL("Replay: " + report.status().ToString());
    RC_ASSERT(report->complete);
    RC_ASSERT(report->transactions_already_done == model.recoveries[index].done);
    RC_ASSERT(report->transactions_applied == applied);
    CheckAll(after, sut);
    CheckVerify(*sut.db);
  }
  void show(std::ostream& os) const override { os << "Replay(recovery " << index << ")"; }
};

RC_GTEST_PROP(DatabaseModel, StateJournalAndCursorsFollowTheModelThroughSyncResetAndPowerLoss,
              ()) {
  DbModel initial;
  SystemUnderTest sut;
  // Listing a command twice makes it twice as likely. Sequences are at most
  // 40 commands (scaled from rapidcheck's size, 0..100) to bound the run
  // time: each reopen is a RocksDB recovery, each operator step restarts the
  // server.
  const auto commands = *rc::gen::scale(
      0.4,
      rc::state::gen::commands(
          initial, rc::state::gen::execOneOfWithArgs<Commit, Commit, Commit, ListCommit, ListCommit,
                                                     ListCommit, Read, CheckJournal, Reopen, Crash,
                                                     CrashDuringCommit, Sync, Sync, Disconnect,
                                                     Backup, ForcedReset, ForcedReset, Replay>()));
  rc::state::runAll(commands, initial, sut);

  // How often the interesting paths ran (printed with the result).
  DbModel final_model = initial;
  for (const auto& command : commands) command->apply(final_model);
  bool diverged = false, replayed = false;
  for (const ModelRecovery& r : final_model.recoveries) {
    diverged = diverged || !r.diverged.empty();
    replayed = replayed || r.done > 0;
  }
  bool list_replayed = false;
  for (const ModelRecovery& r : final_model.recoveries)
    for (size_t i = 0; i < r.done; ++i)
      for (const Operation& op : r.diverged[i].ops)
        list_replayed = list_replayed || IsListOp(op.kind);
  bool lists = false;
  for (const auto& [id, fields] : final_model.objects)
    for (const auto& [name, value] : fields) lists = lists || value.type() == ValueType::kList;
  RC_CLASSIFY(!final_model.recoveries.empty(), "client reset");
  RC_CLASSIFY(diverged, "diverged ops");
  RC_CLASSIFY(replayed, "diverged ops replayed");
  RC_CLASSIFY(list_replayed, "replay met list ops");
  RC_CLASSIFY(lists, "lists at the end");
}

}  // namespace
}  // namespace journaldb::testing
