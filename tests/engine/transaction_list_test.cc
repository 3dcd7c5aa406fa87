// Transaction list ops check ids against the transaction's view of each
// object: read once, then brought up to date with the transaction's own ops,
// on that object and after ops on others (engine/src/transaction_list.cc).
#include <gtest/gtest.h>

#include "journaldb/database.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

TEST(TransactionList, ChecksSeeTheTransactionsOwnEarlierOpsAndARollbackForgetsThem) {
  testing::TempDir dir;
  auto db = Database::Open(dir.Sub("db"), {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  {
    Transaction setup = (*db)->BeginTransaction();
    ASSERT_TRUE(setup.ListInsert("l", "k", "items", std::nullopt, Value::String("stored")).ok());
    ASSERT_TRUE(setup.Commit().ok());
  }
  Transaction t = (*db)->BeginTransaction();
  Result<ElementId> a = t.ListInsert("l", "k", "items", std::nullopt, Value::String("a"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  // An op on another object between two on this one.
  ASSERT_TRUE(t.ListInsert("l", "other", "items", std::nullopt, Value::Int(1)).ok());
  Result<ElementId> b = t.ListInsert("l", "k", "items", *a, Value::String("b"));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  // A raw op buffered with Write is part of the view too.
  ASSERT_TRUE(t.Write(Operation::ListRemove("l", "k", "items", *a)).ok());
  Status set = t.ListSet("l", "k", "items", *a, Value::String("A"));
  EXPECT_TRUE(set.IsNotFound()) << set.ToString();
  EXPECT_NE(set.message().find("(it was removed)"), std::string::npos) << set.message();
  Result<ElementId> moved = t.ListMove("l", "k", "items", *b, std::nullopt);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  ASSERT_TRUE(t.ListSet("l", "k", "items", *moved, Value::String("B")).ok());
  ASSERT_TRUE(t.Commit().ok());
  Result<Object> o = (*db)->Get("l", "k");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->fields.at("items").ToString(), R"(["B", "stored"])");

  // A rolled-back transaction's ops are gone from a later one's view.
  Transaction undone = (*db)->BeginTransaction();
  Result<ElementId> gone = undone.ListInsert("l", "k", "items", std::nullopt, Value::String("x"));
  ASSERT_TRUE(gone.ok());
  undone.Rollback();
  Transaction later = (*db)->BeginTransaction();
  EXPECT_TRUE(later.ListRemove("l", "k", "items", *gone).IsNotFound());
}

}  // namespace
}  // namespace journaldb
