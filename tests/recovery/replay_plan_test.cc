#include "journaldb/replay_plan.h"

#include <gtest/gtest.h>

#include "local_and_live.h"

namespace journaldb {
namespace {

class ReplayPlanTest : public testing::LocalAndLiveTest {
 protected:
  std::vector<PlannedTransaction> Plan() {
    RecoverySnapshot snap = Snapshot();
    auto planner = ReplayPlanner::Open(snap, *live_);
    EXPECT_TRUE(planner.ok()) << planner.status().ToString();
    std::vector<PlannedTransaction> out;
    for (; (*planner)->Valid(); (*planner)->Next()) out.push_back((*planner)->transaction());
    EXPECT_TRUE((*planner)->status().ok()) << (*planner)->status().ToString();
    return out;
  }
};

TEST_F(ReplayPlanTest, FieldUnchangedOnServerIsClean) {
  Commit(*live_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(2)}})});
  auto plan = Plan();
  ASSERT_EQ(plan.size(), 2u);
  const FieldView& v = plan[1].ops[0].fields[0];
  EXPECT_EQ(v.base, Value::Int(1));
  EXPECT_EQ(v.local, Value::Int(2));
  EXPECT_EQ(v.server, Value::Int(1));
  EXPECT_EQ(v.cls, ReplayClass::kClean);
  EXPECT_EQ(plan[1].cls, ReplayClass::kClean);
}

TEST_F(ReplayPlanTest, FieldChangedOnServerIsConflict) {
  Commit(*live_, {Operation::Upsert("t", "a", {{"x", Value::String("server")}})});
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::String("base")}})});
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::String("local")}})});
  auto plan = Plan();
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[1].ops[0].fields[0].cls, ReplayClass::kConflict);
  EXPECT_EQ(plan[1].cls, ReplayClass::kConflict);
  EXPECT_EQ(plan[1].ops[0].fields[0].server, Value::String("server"));
}

TEST_F(ReplayPlanTest, ObjectDeletedOnServerIsGone) {
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});
  Commit(*local_, {Operation::Increment("t", "a", "x", 5)});
  auto plan = Plan();
  ASSERT_EQ(plan.size(), 2u);
  // lsn 1 created the object: nothing existed at base, the server has nothing: clean.
  EXPECT_EQ(plan[0].cls, ReplayClass::kClean);
  EXPECT_EQ(plan[1].ops[0].fields[0].base, Value::Int(1));
  EXPECT_EQ(plan[1].ops[0].fields[0].local, Value::Int(6));
  EXPECT_EQ(plan[1].cls, ReplayClass::kGone);
}

TEST_F(ReplayPlanTest, BaseIsTheStateBeforeTheWholeTransaction) {
  Commit(*live_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(2)}}),
                   Operation::Upsert("t", "a", {{"x", Value::Int(3)}}),
                   Operation::EraseObject("t", "missing")});
  auto plan = Plan();
  ASSERT_EQ(plan.size(), 2u);
  ASSERT_EQ(plan[1].ops.size(), 3u);
  EXPECT_EQ(plan[1].ops[1].fields[0].base, Value::Int(1));
  EXPECT_EQ(plan[1].ops[1].fields[0].local, Value::Int(3));
  EXPECT_EQ(plan[1].ops[1].cls, ReplayClass::kClean);
  EXPECT_TRUE(plan[1].ops[2].fields.empty());
  EXPECT_EQ(plan[1].cls, ReplayClass::kClean);
}

TEST_F(ReplayPlanTest, EraseObjectShowsEveryErasedField) {
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}, {"y", Value::Bool(true)}})});
  Commit(*local_, {Operation::EraseObject("t", "a")});
  Commit(*live_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}, {"y", Value::Bool(true)}})});
  auto plan = Plan();
  ASSERT_EQ(plan.size(), 2u);
  ASSERT_EQ(plan[1].ops[0].fields.size(), 2u);
  for (const FieldView& v : plan[1].ops[0].fields) {
    EXPECT_TRUE(v.base.has_value());
    EXPECT_FALSE(v.local.has_value());
    EXPECT_EQ(v.cls, ReplayClass::kClean);
  }
}

// The server changed the field to what the op wrote: nothing to decide.
TEST_F(ReplayPlanTest, ServerHoldingTheLocalValueIsSame) {
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}})});
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(2)}, {"y", Value::Int(5)}})});
  Commit(*live_, {Operation::Upsert("t", "a", {{"x", Value::Int(2)}, {"y", Value::Int(6)}})});
  auto plan = Plan();
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].cls, ReplayClass::kConflict);  // the server has x=2, not 1
  ASSERT_EQ(plan[1].ops[0].fields.size(), 2u);
  EXPECT_EQ(plan[1].ops[0].fields[0].cls, ReplayClass::kSame);      // x: 2 on both sides
  EXPECT_EQ(plan[1].ops[0].fields[1].cls, ReplayClass::kConflict);  // y: 5 here, 6 there
  EXPECT_EQ(plan[1].cls, ReplayClass::kConflict);
  EXPECT_TRUE(NeedsDecision(plan[1].cls));
  EXPECT_FALSE(NeedsDecision(ReplayClass::kSame));
}

// An increment is never same: its delta on top of an equal server value
// would count twice.
TEST_F(ReplayPlanTest, AnIncrementIsNeverSame) {
  Commit(*local_, {Operation::Increment("t", "a", "n", 3)});
  Commit(*live_, {Operation::Upsert("t", "a", {{"n", Value::Int(3)}})});
  auto plan = Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].ops[0].fields[0].local, Value::Int(3));
  EXPECT_EQ(plan[0].cls, ReplayClass::kConflict);
}

// Erasing what the server deleted too is same, not gone: applying it changes
// nothing.
TEST_F(ReplayPlanTest, ErasesOfWhatTheServerDeletedAreSame) {
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}, {"y", Value::Int(2)}})});
  Commit(*local_, {Operation::EraseField("t", "a", "x")});
  Commit(*local_, {Operation::EraseObject("t", "a")});  // erases y
  auto plan = Plan();  // the server never had t/a
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[1].cls, ReplayClass::kSame);
  EXPECT_EQ(plan[2].cls, ReplayClass::kSame);
  // An upsert on the deleted object stays gone.
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(2)}})});
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(3)}})});
  plan = Plan();
  ASSERT_EQ(plan.size(), 5u);
  EXPECT_EQ(plan[4].cls, ReplayClass::kGone);
}

TEST_F(ReplayPlanTest, NothingDivergedPlansNothing) {
  auto plan = Plan();
  EXPECT_TRUE(plan.empty());
}

TEST_F(ReplayPlanTest, WithoutServerReadsFieldsHaveNoServerValueAndAreClean) {
  Commit(*live_, {Operation::Upsert("t", "a", {{"x", Value::String("server")}})});
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::String("base")}})});
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::String("local")}})});
  RecoverySnapshot snap = Snapshot();
  PlanOptions options;
  options.read_server = false;
  auto planner = ReplayPlanner::Open(snap, *live_, options);
  ASSERT_TRUE(planner.ok()) << planner.status().ToString();
  ASSERT_TRUE((*planner)->Valid());
  (*planner)->Next();
  ASSERT_TRUE((*planner)->Valid());
  const FieldView& v = (*planner)->transaction().ops[0].fields[0];
  EXPECT_EQ(v.base, Value::String("base"));
  EXPECT_EQ(v.local, Value::String("local"));
  EXPECT_EQ(v.server, std::nullopt);  // the live database holds "server", unread
  EXPECT_FALSE(v.server_object_exists);
  EXPECT_EQ(v.cls, ReplayClass::kClean);
  EXPECT_EQ((*planner)->transaction().cls, ReplayClass::kClean);
}

TEST_F(ReplayPlanTest, TakeOpsMovesTheOpsOutAndLeavesTheRestOfThePlan) {
  Commit(*local_, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}}),
                   Operation::Increment("t", "a", "x", 2)});
  Commit(*local_, {Operation::EraseObject("t", "a")});
  RecoverySnapshot snap = Snapshot();
  auto planner = ReplayPlanner::Open(snap, *live_);
  ASSERT_TRUE(planner.ok()) << planner.status().ToString();
  ASSERT_TRUE((*planner)->Valid());
  const PlannedTransaction& txn = (*planner)->transaction();
  const Lsn lsn = txn.lsn;
  std::vector<Operation> planned;
  for (const PlannedOp& op : txn.ops) planned.push_back(op.op);
  const FieldView second_field = txn.ops[1].fields[0];

  std::vector<Operation> taken = (*planner)->TakeOps();
  EXPECT_EQ(taken, planned);
  ASSERT_EQ(txn.ops.size(), 2u);
  EXPECT_EQ(txn.lsn, lsn);
  EXPECT_EQ(txn.ops[1].fields[0].local, second_field.local);  // Value::Int(3)
  EXPECT_EQ(txn.ops[1].cls, second_field.cls);

  (*planner)->Next();
  ASSERT_TRUE((*planner)->Valid());
  EXPECT_EQ((*planner)->transaction().lsn, lsn + 1);
  EXPECT_EQ((*planner)->transaction().ops[0].op, Operation::EraseObject("t", "a"));
}

}  // namespace
}  // namespace journaldb
