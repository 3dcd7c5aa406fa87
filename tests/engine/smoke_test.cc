#include <gtest/gtest.h>

#include "journaldb/database.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

TEST(EngineSmoke, CommitReadReopen) {
  testing::TempDir dir;
  {
    auto db = Database::Open(dir.Sub("db"), {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Transaction txn = (*db)->BeginTransaction();
    ASSERT_TRUE(txn.Upsert("tasks", "t1", {{"title", Value::String("milk")}}).ok());
    ASSERT_TRUE(txn.Increment("tasks", "t1", "views", 3).ok());
    Result<Lsn> lsn = txn.Commit();
    ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
    EXPECT_EQ(*lsn, 1u);
  }
  auto db = Database::Open(dir.Sub("db"), {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Result<Object> obj = (*db)->Get("tasks", "t1");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_EQ(obj->fields.at("title"), Value::String("milk"));
  EXPECT_EQ(obj->fields.at("views"), Value::Int(3));
  JournalReader r = (*db)->ReadJournal(1);
  ASSERT_TRUE(r.Valid()) << r.status().ToString();
  EXPECT_EQ(r.entry().lsn, 1u);
  EXPECT_EQ(r.entry().ops.size(), 2u);
  EXPECT_EQ(r.entry().before.size(), 2u);
  r.Next();
  EXPECT_FALSE(r.Valid());
  EXPECT_TRUE(r.status().ok());
  Result<VerifyReport> v = (*db)->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->problems.front();
  Transaction t2 = (*db)->BeginTransaction();
  ASSERT_TRUE(t2.Upsert("tasks", "t2", {}).ok());
  EXPECT_EQ(*t2.Commit(), 2u);
}

}  // namespace
}  // namespace journaldb
