// Model-based test: random sequences of commits, reads, reopens and simulated
// power losses run against a real database (over FaultFs, durability
// kSyncEveryCommit) and against DbModel; after every command the state, the
// journal and the cursors must equal the model's.
//
// Budget and reproduction: RC_PARAMS (rapidcheck's defaults: max_success=100,
// max_size=100). A failure prints RC_PARAMS="reproduce=..." to rerun exactly
// that case; docs/testing.md has the details.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <ostream>

#include "faults/fault_fs.h"
#include "journaldb/engine/open_with_env.h"
#include "model/db_model.h"
#include "support/temp_dir.h"

namespace journaldb::testing {
namespace {

// Small pools, so ops collide: overwrite, erase and increment the same fields.
const std::vector<std::string> kCollections = {"notes", "tasks"};
const std::vector<std::string> kKeys = {"a", "b", "c"};
const std::vector<std::string> kFields = {"n", "x", "y"};

struct DbUnderTest {
  DbUnderTest() { Open(); }
  void Open() {
    Options options;
    options.durability = Durability::kSyncEveryCommit;
    Result<std::unique_ptr<Database>> opened = OpenWithEnv(dir.Sub("db"), options, fault.env.get());
    RC_ASSERT(opened.status().ToString() == "OK");
    db = std::move(opened).value();
  }
  // A power cut now: every file operation fails, the database is closed,
  // unsynced data is dropped, and the database reopens without faults.
  void PowerLossAndReopen() {
    fault.fs->Arm(FaultKind::kPowerLoss, 1);
    db.reset();
    Status dropped = fault.fs->DropUnsyncedData();
    RC_ASSERT(dropped.ToString() == "OK");
    fault.fs->Disarm();
    Open();
  }
  TempDir dir;
  FaultEnv fault;
  std::unique_ptr<Database> db;
};

using Command = rc::state::Command<DbModel, DbUnderTest>;

rc::Gen<Value> SmallValue() {
  return rc::gen::oneOf(
      rc::gen::map(rc::gen::inRange<int64_t>(-3, 4), Value::Int),
      rc::gen::map(rc::gen::arbitrary<bool>(), Value::Bool),
      rc::gen::element(Value::String("s"), Value::String(""), Value::Null(), Value::Double(0.5)));
}

rc::Gen<Operation> PoolOperation() {
  auto coll = rc::gen::elementOf(kCollections);
  auto key = rc::gen::elementOf(kKeys);
  auto field = rc::gen::elementOf(kFields);
  return rc::gen::weightedOneOf<Operation>({
      {4, rc::gen::apply(
              [](std::string c, std::string k, std::vector<std::pair<std::string, Value>> fs) {
                FieldMap m;
                for (auto& [n, v] : fs) m[n] = std::move(v);
                return Operation::Upsert(std::move(c), std::move(k), std::move(m));
              },
              coll, key,
              rc::gen::resize(3, rc::gen::container<std::vector<std::pair<std::string, Value>>>(
                                     rc::gen::pair(field, SmallValue()))))},
      {2, rc::gen::apply(
              [](std::string c, std::string k, std::string f) {
                return Operation::EraseField(std::move(c), std::move(k), std::move(f));
              },
              coll, key, field)},
      {1, rc::gen::apply(
              [](std::string c, std::string k) {
                return Operation::EraseObject(std::move(c), std::move(k));
              },
              coll, key)},
      {4, rc::gen::apply(
              [](std::string c, std::string k, std::string f, int64_t d) {
                return Operation::Increment(std::move(c), std::move(k), std::move(f), d);
              },
              coll, key, field,
              rc::gen::oneOf(rc::gen::inRange<int64_t>(-5, 6),
                             rc::gen::element(std::numeric_limits<int64_t>::max(),
                                              std::numeric_limits<int64_t>::min())))},
  });
}

std::vector<Operation> PoolTransaction() {
  const int n = *rc::gen::inRange(1, 5);
  return *rc::gen::container<std::vector<Operation>>(n, PoolOperation());
}

void ShowOps(const std::vector<Operation>& ops, std::ostream& os) {
  for (size_t i = 0; i < ops.size(); ++i) os << (i ? "; " : "") << ops[i].ToString();
}

Result<Lsn> CommitOps(Database& db, const std::vector<Operation>& ops) {
  Transaction txn = db.BeginTransaction();
  for (const Operation& op : ops) RC_ASSERT(txn.Write(op).ToString() == "OK");
  Result<Lsn> lsn = txn.Commit();
  txn.Rollback();  // leaves nothing buffered whether or not it committed
  return lsn;
}

// Reads every collection, object and field through the public API.
void CheckState(const DbModel& model, const Database& db) {
  Result<std::vector<std::string>> collections = db.ListCollections();
  RC_ASSERT(collections.ok());
  std::vector<std::string> expected_collections;
  for (const auto& [id, fields] : model.objects)
    if (expected_collections.empty() || expected_collections.back() != id.first)
      expected_collections.push_back(id.first);
  RC_ASSERT(*collections == expected_collections);

  for (const std::string& c : kCollections) {
    std::vector<std::pair<std::string, FieldMap>> scanned;
    ObjectIterator it = db.Scan(c);
    for (; it.Valid(); it.Next()) scanned.emplace_back(it.object().key, it.object().fields);
    RC_ASSERT(it.status().ok());
    RC_ASSERT(scanned == model.Collection(c));
    for (const std::string& k : kKeys) {
      Result<Object> got = db.Get(c, k);
      auto want = model.objects.find({c, k});
      if (want == model.objects.end()) {
        RC_ASSERT(got.status().IsNotFound());
        continue;
      }
      RC_ASSERT(got.ok());
      RC_ASSERT(got->fields == want->second);
    }
  }
}

// The journal from `from` on, and the cursors Info reports.
void CheckJournalAndCursors(const DbModel& model, const Database& db, Lsn from = 1) {
  std::vector<JournalEntry> entries;
  JournalReader reader = db.ReadJournal(from);
  for (; reader.Valid(); reader.Next()) entries.push_back(reader.entry());
  RC_ASSERT(reader.status().ok());
  const size_t n = model.journal.size();
  const size_t skipped = std::min<size_t>(from - 1, n);
  RC_ASSERT(entries.size() == n - skipped);
  for (size_t i = 0; i < entries.size(); ++i) {
    RC_ASSERT(entries[i].lsn == skipped + i + 1);
    RC_ASSERT(entries[i].ops == model.journal[skipped + i]);
    // Never synced: every entry is tagged with the initial cursors.
    RC_ASSERT(entries[i].download_cursor == 0u);
    RC_ASSERT(entries[i].epoch == 0u);
    RC_ASSERT(entries[i].client_id == 0u);
  }
  Result<DatabaseInfo> info = db.Info();
  RC_ASSERT(info.ok());
  RC_ASSERT(info->last_lsn == n);
  RC_ASSERT(info->journal_entries == n);
  RC_ASSERT(info->objects == model.objects.size());
  RC_ASSERT(info->download_cursor == 0u);
  RC_ASSERT(info->upload_cursor == 0u);
  RC_ASSERT(info->epoch == 0u);
}

void CheckAll(const DbModel& model, const Database& db) {
  CheckState(model, db);
  CheckJournalAndCursors(model, db);
}

void CheckVerify(const Database& db) {
  Result<VerifyReport> report = db.Verify();
  RC_ASSERT(report.ok());
  if (!report->ok()) RC_FAIL("Verify: " + report->problems.front());
}

struct Commit : Command {
  std::vector<Operation> ops = PoolTransaction();
  void apply(DbModel& model) const override {
    if (model.Applies(ops)) model.Commit(ops);
  }
  void run(const DbModel& model, DbUnderTest& sut) const override {
    Result<Lsn> lsn = CommitOps(*sut.db, ops);
    if (model.Applies(ops)) {
      RC_ASSERT(lsn.status().ToString() == "OK");
      RC_ASSERT(*lsn == model.journal.size() + 1);
    } else {
      // An increment of a non-integer field: nothing is written.
      RC_ASSERT(lsn.status().IsInvalidArgument());
    }
    CheckAll(nextState(model), *sut.db);
  }
  void show(std::ostream& os) const override {
    os << "Commit(";
    ShowOps(ops, os);
    os << ")";
  }
};

struct Read : Command {
  std::string collection = *rc::gen::elementOf(kCollections);
  std::string key = *rc::gen::elementOf(kKeys);
  std::string field = *rc::gen::elementOf(kFields);
  void run(const DbModel& model, DbUnderTest& sut) const override {
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
  void run(const DbModel& model, DbUnderTest& sut) const override {
    sut.db.reset();
    sut.Open();
    CheckAll(model, *sut.db);
    CheckVerify(*sut.db);
  }
  void show(std::ostream& os) const override { os << "Reopen"; }
};

// Power loss between commits: every acknowledged commit was fsynced, so the
// model keeps all of them.
struct Crash : Command {
  void run(const DbModel& model, DbUnderTest& sut) const override {
    sut.PowerLossAndReopen();
    CheckAll(model, *sut.db);
    CheckVerify(*sut.db);
  }
  void show(std::ostream& os) const override { os << "Crash"; }
};

// Power loss as a commit starts writing: the commit fails, the failure is
// sticky until reopen, reads still show only acknowledged commits, and after
// the reopen the failed commit has left no trace.
struct CrashDuringCommit : Command {
  std::vector<Operation> ops = PoolTransaction();
  void checkPreconditions(const DbModel& model) const override { RC_PRE(model.Applies(ops)); }
  void run(const DbModel& model, DbUnderTest& sut) const override {
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
    CheckAll(model, *sut.db);
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
      : from(*rc::gen::inRange<Lsn>(1, model.journal.size() + 3)) {}
  void run(const DbModel& model, DbUnderTest& sut) const override {
    CheckJournalAndCursors(model, *sut.db, from);
    CheckVerify(*sut.db);
  }
  void show(std::ostream& os) const override { os << "CheckJournal(from " << from << ")"; }
};

RC_GTEST_PROP(DatabaseModel, StateJournalAndCursorsFollowTheModelThroughReopensAndPowerLoss, ()) {
  DbModel initial;
  DbUnderTest sut;
  // Listing a command twice makes it twice as likely. Sequences are at most
  // 40 commands (scaled from rapidcheck's size, 0..100) to bound the run
  // time: each reopen is a RocksDB recovery.
  const auto commands = *rc::gen::scale(
      0.4,
      rc::state::gen::commands(
          initial,
          rc::state::gen::execOneOfWithArgs<Commit, Commit, Commit, Commit, Read, Read,
                                            CheckJournal, Reopen, Crash, CrashDuringCommit>()));
  rc::state::runAll(commands, initial, sut);
}

}  // namespace
}  // namespace journaldb::testing
