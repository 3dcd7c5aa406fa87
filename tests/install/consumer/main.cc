// Opens a database, commits two transactions, reads them back.
#include <journaldb/database.h>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer DB\n";
    return 2;
  }
  auto db = journaldb::Database::Open(argv[1], {});
  if (!db.ok()) {
    std::cerr << db.status().ToString() << "\n";
    return 1;
  }
  journaldb::Transaction t1 = (*db)->BeginTransaction();
  if (!t1.Upsert("tasks", "t1", {{"title", journaldb::Value::String("milk")}}).ok() ||
      !t1.Commit().ok())
    return 1;
  journaldb::Transaction t2 = (*db)->BeginTransaction();
  if (!t2.Increment("tasks", "t1", "views", 3).ok()) return 1;
  journaldb::Result<journaldb::Lsn> lsn = t2.Commit();
  if (!lsn.ok()) return 1;
  auto obj = (*db)->Get("tasks", "t1");
  if (!obj.ok()) return 1;
  std::cout << "consumer: lsn " << *lsn << ", title " << obj->Find("title")->ToString()
            << ", views " << obj->Find("views")->ToString() << "\n";
  return 0;
}
