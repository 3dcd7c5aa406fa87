// README.md's examples ("Using it" and "Sync, with a client-reset strategy").
// Run with a database path: `example_readme DIR` writes one task there.
#include <journaldb/database.h>
#include <journaldb/client_reset_strategy.h>

#include <iostream>
#include <memory>
#include <string>

namespace {

journaldb::Status UsingIt() {
  auto opened = journaldb::Database::Open("/data/app.journaldb", {});
  if (!opened.ok()) return opened.status();   // names the path and what was wrong
  std::unique_ptr<journaldb::Database> db = std::move(opened).value();
  journaldb::Transaction txn = db->BeginTransaction();
  if (auto s = txn.Upsert("tasks", "t1", {{"title", journaldb::Value::String("milk")}}); !s.ok()) return s;
  journaldb::Result<journaldb::Lsn> lsn = txn.Commit();
  return lsn.status();
}

journaldb::Status SyncWithAStrategy() {
  journaldb::Options options;
  options.sync.server = "127.0.0.1:7000";   // a journal-server
  options.client_reset = journaldb::RecoverOrDiscardUnsyncedChanges({});
  auto synced = journaldb::Database::Open("/data/app.journaldb", options);
  return synced.status();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--compile-only") return 0;
  // Both functions use the README's literal path; the program only shows
  // that they compile and how a failure reads.
  journaldb::Status s = UsingIt();
  std::cout << "UsingIt: " << s.ToString() << "\n";
  (void)SyncWithAStrategy;
  return 0;
}
