// Wrong input through the transaction API: bad names and sizes are refused
// when written, an increment of a non-int64 field is refused at commit with
// nothing written and the transaction left open, and finished transactions
// refuse further use.
#include <gtest/gtest.h>

#include "journaldb/database.h"
#include "support/printers.h"
#include "support/status_assertions.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

using testing::HasError;

class WrongInput : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(dir_.Sub("db"), {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    Transaction txn = db_->BeginTransaction();
    ASSERT_TRUE(
        txn.Upsert("tasks", "t1", {{"title", Value::String("milk")}, {"views", Value::Int(1)}})
            .ok());
    ASSERT_TRUE(txn.Commit().ok());
  }
  Lsn LastLsn() {
    Result<DatabaseInfo> info = db_->Info();
    EXPECT_TRUE(info.ok());
    return info.ok() ? info->last_lsn : 0;
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(WrongInput, IncrementOfStringFieldIsInvalidArgumentWritesNothingAndStaysOpen) {
  Transaction txn = db_->BeginTransaction();
  ASSERT_TRUE(txn.Increment("tasks", "t2", "views", 1).ok());  // would create t2
  ASSERT_TRUE(txn.Increment("tasks", "t1", "views", 5).ok());  // fine on its own
  ASSERT_TRUE(txn.Increment("tasks", "t1", "title", 1).ok());  // the string field
  Result<Lsn> lsn = txn.Commit();
  EXPECT_TRUE(HasError(lsn.status(), StatusCode::kInvalidArgument, {"t1", "title", "string"}));

  EXPECT_EQ(LastLsn(), 1u);
  EXPECT_TRUE(db_->Get("tasks", "t2").status().IsNotFound()) << "part of the transaction landed";
  EXPECT_EQ(*db_->GetField("tasks", "t1", "views"), Value::Int(1));

  // Still open: the ops are kept and committing again gives the same answer.
  EXPECT_EQ(txn.ops().size(), 3u);
  EXPECT_TRUE(txn.Commit().status().IsInvalidArgument());
  txn.Rollback();
  EXPECT_TRUE(txn.Commit().status().IsFailedPrecondition());

  // No lsn was used up.
  Transaction next = db_->BeginTransaction();
  ASSERT_TRUE(next.Increment("tasks", "t1", "views", 1).ok());
  Result<Lsn> next_lsn = next.Commit();
  ASSERT_TRUE(next_lsn.ok()) << next_lsn.status().ToString();
  EXPECT_EQ(*next_lsn, 2u);
}

TEST_F(WrongInput, IncrementOfFieldMadeNonIntEarlierInTheSameTransactionFails) {
  Transaction txn = db_->BeginTransaction();
  ASSERT_TRUE(txn.Upsert("tasks", "t1", {{"views", Value::Double(1.5)}}).ok());
  ASSERT_TRUE(txn.Increment("tasks", "t1", "views", 1).ok());
  EXPECT_TRUE(HasError(txn.Commit().status(), StatusCode::kInvalidArgument, {"views", "double"}));
  EXPECT_EQ(*db_->GetField("tasks", "t1", "views"), Value::Int(1));
  EXPECT_EQ(LastLsn(), 1u);
}

TEST_F(WrongInput, IncrementOfEveryNonIntTypeIsRefused) {
  for (const Value& v : {Value::Null(), Value::Bool(true), Value::Double(0), Value::String("1"),
                         Value::BytesValue("1")}) {
    Transaction set = db_->BeginTransaction();
    ASSERT_TRUE(set.Upsert("tasks", "t9", {{"f", v}}).ok());
    ASSERT_TRUE(set.Commit().ok());
    const Lsn before = LastLsn();
    Transaction txn = db_->BeginTransaction();
    ASSERT_TRUE(txn.Increment("tasks", "t9", "f", 1).ok());
    EXPECT_TRUE(HasError(txn.Commit().status(), StatusCode::kInvalidArgument,
                         {"t9", std::string(ValueTypeName(v.type()))}));
    EXPECT_EQ(LastLsn(), before);
    EXPECT_EQ(*db_->GetField("tasks", "t9", "f"), v);
  }
}

TEST_F(WrongInput, BadNamesAndKeysAreInvalidArgumentWhenWritten) {
  Transaction txn = db_->BeginTransaction();
  EXPECT_TRUE(HasError(txn.Upsert("", "k", {}), StatusCode::kInvalidArgument, {"collection"}));
  EXPECT_TRUE(
      HasError(txn.Upsert(std::string("a\0b", 3), "k", {}), StatusCode::kInvalidArgument, {"NUL"}));
  EXPECT_TRUE(
      HasError(txn.Upsert(std::string(256, 'c'), "k", {}), StatusCode::kInvalidArgument, {"256"}));
  EXPECT_TRUE(HasError(txn.Upsert("tasks", "", {}), StatusCode::kInvalidArgument, {"tasks"}));
  EXPECT_TRUE(HasError(txn.Upsert("tasks", std::string(kMaxKeyBytes + 1, 'k'), {}),
                       StatusCode::kInvalidArgument, {"tasks", "4097"}));
  EXPECT_TRUE(HasError(txn.Upsert("tasks", "k", {{"", Value::Null()}}),
                       StatusCode::kInvalidArgument, {"field"}));
  EXPECT_TRUE(HasError(
      txn.Upsert("tasks", "k", {{"big", Value::String(std::string(kMaxValueBytes + 1, 'x'))}}),
      StatusCode::kInvalidArgument, {"big"}));
  EXPECT_TRUE(HasError(txn.EraseField("tasks", "k", ""), StatusCode::kInvalidArgument, {"field"}));
  EXPECT_TRUE(HasError(txn.Increment("tasks", "k", std::string("v\0w", 3), 1),
                       StatusCode::kInvalidArgument, {"NUL"}));
  Operation unknown = Operation::EraseObject("tasks", "k");
  unknown.kind = static_cast<OpKind>(9);
  EXPECT_TRUE(HasError(txn.Write(unknown), StatusCode::kInvalidArgument, {"9"}));
  // Nothing was buffered, so there is nothing to commit.
  EXPECT_TRUE(txn.ops().empty());
  EXPECT_TRUE(HasError(txn.Commit().status(), StatusCode::kFailedPrecondition, {"no operations"}));
  // Limits themselves are accepted.
  EXPECT_TRUE(txn.Upsert(std::string(kMaxNameBytes, 'c'), std::string(kMaxKeyBytes, 'k'),
                         {{std::string(kMaxNameBytes, 'f'), Value::Null()}})
                  .ok());
  EXPECT_TRUE(txn.Commit().ok());
}

TEST_F(WrongInput, CommittedTransactionRefusesFurtherWrites) {
  Transaction txn = db_->BeginTransaction();
  ASSERT_TRUE(txn.EraseObject("tasks", "t1").ok());
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_TRUE(txn.Upsert("tasks", "t1", {}).IsFailedPrecondition());
  EXPECT_TRUE(txn.Commit().status().IsFailedPrecondition());
}

TEST_F(WrongInput, RolledBackTransactionWritesNothing) {
  Transaction txn = db_->BeginTransaction();
  ASSERT_TRUE(txn.EraseObject("tasks", "t1").ok());
  txn.Rollback();
  txn.Rollback();  // idempotent
  EXPECT_TRUE(txn.Commit().status().IsFailedPrecondition());
  EXPECT_TRUE(db_->Get("tasks", "t1").ok());
  {
    Transaction dropped = db_->BeginTransaction();
    ASSERT_TRUE(dropped.EraseObject("tasks", "t1").ok());
  }  // destroyed uncommitted: rolled back
  EXPECT_TRUE(db_->Get("tasks", "t1").ok());
  EXPECT_EQ(LastLsn(), 1u);
}

TEST_F(WrongInput, ReadsWithBadNamesFailCleanly) {
  EXPECT_TRUE(db_->Get("tasks", "nobody").status().IsNotFound());
  EXPECT_TRUE(HasError(db_->GetField("tasks", "t1", "nothing").status(), StatusCode::kNotFound,
                       {"t1", "nothing"}));
  ObjectIterator it = db_->Scan("");
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.status().IsInvalidArgument());
  ObjectIterator nul = db_->Scan(std::string("ta\0sks", 6));
  EXPECT_FALSE(nul.Valid());
  EXPECT_TRUE(nul.status().IsInvalidArgument());
}

}  // namespace
}  // namespace journaldb
