// Property: for random transaction sequences the engine's state, read through
// the public API, equals an independent model, the journal holds exactly the
// committed transactions with lsns 1..n and the before-images the model
// predicts, and Verify() agrees, before and after reopen.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "journaldb/database.h"
#include "support/db_checks.h"
#include "support/generators.h"
#include "support/model.h"
#include "support/printers.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

// Small pools so ops collide: the same object and field are hit again and
// again, by ops of different kinds and different value types.
const std::vector<std::string> kCollections = {"tasks", "notes"};
const std::vector<std::string> kKeys = {"a", "b", std::string("n\0ul", 4), "\xff"};
const std::vector<std::string> kFields = {"f", "g", "n"};

std::vector<testing::Model::Id> AllIds() {
  std::vector<testing::Model::Id> ids;
  for (const auto& c : kCollections)
    for (const auto& k : kKeys) ids.emplace_back(c, k);
  return ids;
}

// Ints dominate so increments often succeed; every other type appears often
// enough that increments also meet strings, doubles and nulls.
rc::Gen<Value> PoolValue() {
  return rc::gen::weightedOneOf<Value>(
      {{3, rc::gen::map(testing::AwkwardInt(), Value::Int)}, {2, testing::AnyValue()}});
}

rc::Gen<std::vector<std::vector<Operation>>> TransactionSequence() {
  auto op = testing::OperationOver(kCollections, kKeys, kFields, PoolValue());
  auto txn = rc::gen::resize(6, rc::gen::nonEmpty(rc::gen::container<std::vector<Operation>>(op)));
  return rc::gen::resize(40, rc::gen::container<std::vector<std::vector<Operation>>>(txn));
}

struct Committed {
  std::vector<Operation> ops;
  std::vector<BeforeImage> before;
};

// Checks state, journal and Verify against the model and the committed list.
void CheckDatabase(const Database& db, const testing::Model& model,
                   const std::vector<Committed>& committed) {
  std::string diff = testing::DiffStateWithModel(db, model, AllIds());
  RC_ASSERT(diff == "");
  auto journal = testing::ReadWholeJournal(db);
  RC_ASSERT(journal.ok());
  RC_ASSERT(journal->size() == committed.size());
  for (size_t i = 0; i < committed.size(); ++i) {
    const JournalEntry& e = (*journal)[i];
    RC_ASSERT(e.lsn == i + 1);
    RC_ASSERT(e.ops == committed[i].ops);
    RC_ASSERT(e.before == committed[i].before);
  }
  std::string problems = testing::VerifyProblems(db);
  RC_ASSERT(problems == "");
  Result<DatabaseInfo> info = db.Info();
  RC_ASSERT(info.ok());
  RC_ASSERT(info->last_lsn == committed.size());
  RC_ASSERT(info->objects == model.objects().size());
}

RC_GTEST_PROP(EngineProperty, StateEqualsIndependentModelAndJournalBeforeAndAfterReopen, ()) {
  const auto transactions = *TransactionSequence();
  // A snapshot taken part-way must keep showing the state of that moment.
  const size_t snapshot_at = *rc::gen::inRange<size_t>(0, transactions.size() + 1);
  testing::TempDir dir;
  testing::Model model;
  testing::Model model_at_snapshot;
  std::vector<Committed> committed;
  {
    Result<std::unique_ptr<Database>> db = Database::Open(dir.Sub("db"), {});
    RC_ASSERT(db.ok());
    std::unique_ptr<Snapshot> snapshot;
    for (size_t i = 0; i < transactions.size(); ++i) {
      if (i == snapshot_at) {
        snapshot = (*db)->GetSnapshot();
        model_at_snapshot = model;
      }
      const std::vector<Operation>& ops = transactions[i];
      std::vector<BeforeImage> before = model.ExpectedBeforeImages(ops);
      const bool applies = model.ApplyTransaction(ops);
      Transaction txn = (*db)->BeginTransaction();
      for (const Operation& op : ops) RC_ASSERT(txn.Write(op).ok());
      Result<Lsn> lsn = txn.Commit();
      if (applies) {
        RC_ASSERT(lsn.ok());
        committed.push_back({ops, std::move(before)});
        RC_ASSERT(*lsn == committed.size());
      } else {
        // An increment met a non-int64 field: nothing is written and the
        // transaction stays open for the caller to roll back.
        RC_ASSERT(lsn.status().IsInvalidArgument());
        RC_ASSERT(txn.ops() == ops);
        Result<DatabaseInfo> info = (*db)->Info();
        RC_ASSERT(info.ok());
        RC_ASSERT(info->last_lsn == committed.size());
        txn.Rollback();
      }
    }
    CheckDatabase(**db, model, committed);
    if (snapshot) {
      ReadOptions ro;
      ro.snapshot = snapshot.get();
      std::string diff = testing::DiffStateWithModel(**db, model_at_snapshot, AllIds(), ro);
      RC_ASSERT(diff == "");
    }
  }
  Result<std::unique_ptr<Database>> db = Database::Open(dir.Sub("db"), {});
  RC_ASSERT(db.ok());
  CheckDatabase(**db, model, committed);
  // The next commit continues the lsn sequence.
  Transaction txn = (*db)->BeginTransaction();
  RC_ASSERT(txn.EraseObject("tasks", "a").ok());
  Result<Lsn> lsn = txn.Commit();
  RC_ASSERT(lsn.ok());
  RC_ASSERT(*lsn == committed.size() + 1);
}

}  // namespace
}  // namespace journaldb
