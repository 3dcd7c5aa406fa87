// docs/api.md's example program, as the doc shows it.
#include <journaldb/database.h>

#include <iostream>

using journaldb::Value;

int main() {
  journaldb::Options options;                      // create_if_missing = true, buffered durability
  auto opened = journaldb::Database::Open("/data/app.journaldb", options);
  if (!opened.ok()) { std::cerr << opened.status().ToString() << "\n"; return 1; }
  std::unique_ptr<journaldb::Database> db = std::move(opened).value();

  journaldb::Transaction txn = db->BeginTransaction();
  if (auto s = txn.Upsert("tasks", "t1", {{"title", Value::String("milk")}, {"done", Value::Bool(false)}});
      !s.ok()) return 1;                           // invalid names/sizes are rejected here
  if (auto s = txn.Increment("tasks", "t1", "views", 1); !s.ok()) return 1;
  journaldb::Result<journaldb::Lsn> lsn = txn.Commit();   // one journal entry, atomic
  if (!lsn.ok()) return 1;

  // Lists (docs/data-model.md#lists): elements have stable ids; the list
  // ops take and return them, and concurrent edits merge element by element.
  journaldb::Transaction edit = db->BeginTransaction();
  journaldb::Result<journaldb::ElementId> milk =
      edit.ListInsert("lists", "shopping", "items", std::nullopt, Value::String("milk"));
  if (!milk.ok()) return 1;
  if (!edit.ListInsert("lists", "shopping", "items", *milk, Value::String("eggs")).ok()) return 1;
  if (!edit.Commit().ok()) return 1;

  journaldb::Result<journaldb::Object> task = db->Get("tasks", "t1");
  std::unique_ptr<journaldb::Snapshot> snap = db->GetSnapshot();    // consistent multi-read view
  for (auto it = db->Scan("tasks", {snap.get()}); it.Valid(); it.Next())
    std::cout << it.object().key << "\n";
  for (auto r = db->ReadJournal(1); r.Valid(); r.Next())
    std::cout << r.entry().lsn << ": " << r.entry().ops.front().ToString() << "\n";
}
