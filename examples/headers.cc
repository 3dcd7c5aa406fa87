// The opening example of each public header, one function per header, so
// each compiles as written (tests/docs/doc_examples_test.cc pins the match).
#include <journaldb/changes.h>
#include <journaldb/client_reset.h>
#include <journaldb/client_reset_strategy.h>
#include <journaldb/database.h>
#include <journaldb/journal_entry.h>
#include <journaldb/memory_budget.h>
#include <journaldb/object.h>
#include <journaldb/operation.h>
#include <journaldb/options.h>
#include <journaldb/recovery_directory.h>
#include <journaldb/recovery_snapshot.h>
#include <journaldb/replay_plan.h>
#include <journaldb/replayer.h>
#include <journaldb/status.h>
#include <journaldb/sync.h>
#include <journaldb/value.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

using journaldb::Value;

namespace {

void use(int64_t) {}
void show(const journaldb::PlannedTransaction&) {}
void refresh_ui() {}
void refresh_all() {}
void refresh(const std::vector<std::string>&, const std::vector<journaldb::ModifiedObject>&,
             const std::vector<std::string>&) {}
void report(const std::string& what, const std::string& where) { std::cerr << what << " " << where; }

// changes.h
journaldb::Status ChangesH(journaldb::Database* db) {
  auto sub = db->Observe("tasks", [](const journaldb::Changes& c) {
    if (c.reset) refresh_all(); else refresh(c.inserted, c.modified, c.deleted);
  });
  return sub.status();
}

// client_reset.h
void ClientResetH() {
  journaldb::Options options;
  options.sync.server = "127.0.0.1:7000";
  options.client_reset = journaldb::RecoverOrDiscardUnsyncedChanges({});
}

// database.h
journaldb::Status DatabaseH() {
  auto opened = journaldb::Database::Open("/data/app.journaldb", {});
  if (!opened.ok()) return opened.status();   // names the path and what was wrong
  journaldb::Transaction txn = (*opened)->BeginTransaction();
  if (auto s = txn.Upsert("tasks", "t1", {{"title", journaldb::Value::String("milk")}}); !s.ok()) return s;
  journaldb::Result<journaldb::Lsn> lsn = txn.Commit();
  return lsn.status();
}

// options.h
journaldb::Status OptionsH() {
  journaldb::Options options;
  options.durability = journaldb::Durability::kSyncEveryCommit;
  auto db = journaldb::Database::Open("/data/app.journaldb", options);
  return db.status();
}

// memory_budget.h
journaldb::Status MemoryBudgetH() {
  journaldb::Options options;
  options.memory_budget_bytes = uint64_t{64} << 20;  // within [kMin..., kMax...]
  auto db = journaldb::Database::Open("/data/app.journaldb", options);
  return db.status();
}

// sync.h
journaldb::Status SyncH() {
  journaldb::Options options;
  options.sync.server = "127.0.0.1:7000";
  auto db = journaldb::Database::Open("/data/app.journaldb", options).value();
  journaldb::Status s = db->sync_session()->wait_for_upload(std::chrono::seconds(5));
  return s;
}

// journal_entry.h
journaldb::Status JournalEntryH(journaldb::Database* db) {
  journaldb::JournalReader it = db->ReadJournal(1);
  for (; it.Valid(); it.Next())
    std::cout << it.entry().lsn << " " << it.entry().ops.size() << "\n";
  if (!it.status().ok()) return it.status();   // corruption names the lsn
  return journaldb::Status::OK();
}

// object.h
journaldb::Status ObjectH(journaldb::Database* db) {
  journaldb::Result<journaldb::Object> obj = db->Get("tasks", "t1");
  if (!obj.ok()) return obj.status();   // not-found when there is no such object
  if (const journaldb::Value* v = obj->Find("title")) std::cout << v->ToString();
  return journaldb::Status::OK();
}

// operation.h
std::string OperationH() {
  auto op = journaldb::Operation::Upsert("tasks", "t1", {{"title", Value::String("milk")}});
  auto inc = journaldb::Operation::Increment("tasks", "t1", "views", 1);
  std::string text = op.ToString();   // upsert tasks/t1 title="milk"
  return text + inc.ToString();
}

// status.h
journaldb::Status StatusH(journaldb::Transaction& txn) {
  journaldb::Status s = txn.Commit().status();
  if (s.IsClientResetRequired()) return s;   // Options::client_reset decides what happens
  if (!s.ok()) std::cerr << s.ToString() << "\n";
  return s;
}

// value.h
std::string ValueH() {
  journaldb::Value v = journaldb::Value::Int(42);
  if (v.type() == journaldb::ValueType::kInt) use(v.as_int());
  std::string text = v.ToString();   // "42"
  return text;
}

// client_reset_strategy.h
void ClientResetStrategyH(journaldb::Options& options) {
  journaldb::ClientResetCallbacks callbacks;
  callbacks.after_reset = [](const journaldb::RecoverySnapshot& before,
                             journaldb::Database& after) { refresh_ui(); };
  callbacks.on_manual_reset_fallback = [](journaldb::SyncSession*,
                                          journaldb::ClientResetRequiredError& e) {
    report(e.status().ToString(), e.recovery_path());
  };
  options.client_reset = journaldb::RecoverOrDiscardUnsyncedChanges(callbacks);
}

// recovery_snapshot.h
journaldb::Status RecoverySnapshotH(std::unique_ptr<journaldb::Database>& db) {
  auto snap = journaldb::CreateRecoverySnapshot(*db, "/data/app.recovery", "manual");
  if (!snap.ok()) return snap.status();
  std::cout << snap->path << ": " << snap->manifest.diverged_ops << " diverged ops\n";
  auto again = journaldb::OpenRecoverySnapshot(snap->path);   // verifies the manifest
  return again.status();
}

// recovery_directory.h
journaldb::Status RecoveryDirectoryH(std::unique_ptr<journaldb::Database>& db) {
  std::string root = journaldb::DefaultRecoveryRoot(db->path());
  auto listing = journaldb::ListRecoveryDirectory(root);
  if (!listing.ok()) return listing.status();
  for (const journaldb::RecoverySnapshot& snapshot : listing->snapshots) {
    auto report = journaldb::VerifyRecoverySnapshot(snapshot.path, {});
    if (!report.ok()) return report.status();
  }
  auto gc = journaldb::GarbageCollectRecoverySnapshots(*db, root, {});
  return gc.status();
}

// replay_plan.h
journaldb::Status ReplayPlanH(const journaldb::RecoverySnapshot& snapshot,
                              std::unique_ptr<journaldb::Database>& live) {
  auto opened = journaldb::ReplayPlanner::Open(snapshot, *live);
  if (!opened.ok()) return opened.status();
  journaldb::ReplayPlanner& planner = **opened;
  for (; planner.Valid(); planner.Next()) show(planner.transaction());
  return planner.status();   // a damaged entry names its lsn
}

// replayer.h
journaldb::Status ReplayerH(const journaldb::RecoverySnapshot& snapshot,
                            std::unique_ptr<journaldb::Database>& live) {
  journaldb::LocalWinsPolicy policy;
  auto report = journaldb::Replay(snapshot, *live, policy, {});
  if (!report.ok()) return report.status();
  if (report->complete) std::cout << "every diverged transaction was decided\n";
  return journaldb::Status::OK();
}

}  // namespace

int main() {
  // Compile-only: the functions use the headers' literal paths and servers.
  (void)ClientResetH, (void)DatabaseH, (void)OptionsH, (void)SyncH, (void)JournalEntryH;
  (void)ObjectH, (void)OperationH, (void)StatusH, (void)ValueH, (void)ClientResetStrategyH;
  (void)RecoverySnapshotH, (void)RecoveryDirectoryH, (void)ReplayPlanH, (void)ReplayerH;
  (void)MemoryBudgetH, (void)ChangesH;
  return 0;
}
