// The fold (journal/src/fold.cc): what each op kind does to an object that
// exists, is missing, or lacks the field, and how a journal entry's
// before-images are checked against the state they claim to precede.
// Expected objects are written out by hand from the semantics in
// operation.h and docs/data-model.md.
#include "journaldb/journal/fold.h"

#include <gtest/gtest.h>

#include <limits>

#include "support/printers.h"
#include "support/status_assertions.h"

namespace journaldb::fold {
namespace {

using journaldb::testing::HasError;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

std::optional<FieldMap> Apply(const Operation& op, std::optional<FieldMap> object) {
  Status s = ApplyOperation(op, object);
  EXPECT_TRUE(s.ok()) << op.ToString() << ": " << s.ToString();
  return object;
}

FieldMap Task() { return {{"title", Value::String("milk")}, {"views", Value::Int(5)}}; }

// --- upsert -------------------------------------------------------------------

TEST(FoldUpsert, CreatesAMissingObjectWithExactlyTheGivenFields) {
  auto out = Apply(Operation::Upsert("t", "k", {{"a", Value::Int(1)}}), std::nullopt);
  EXPECT_EQ(out, (FieldMap{{"a", Value::Int(1)}}));
}

TEST(FoldUpsert, WithNoFieldsStillCreatesTheObject) {
  auto out = Apply(Operation::Upsert("t", "k", {}), std::nullopt);
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(out->empty());
}

TEST(FoldUpsert, OverwritesNamedFieldsAndKeepsTheOthers) {
  auto out = Apply(Operation::Upsert("t", "k", {{"title", Value::Bool(true)},
                                                {"done", Value::Null()}}),
                   Task());
  EXPECT_EQ(out, (FieldMap{{"done", Value::Null()},
                           {"title", Value::Bool(true)},
                           {"views", Value::Int(5)}}));
}

TEST(FoldUpsert, AfterEraseObjectStartsFromNothing) {
  auto erased = Apply(Operation::EraseObject("t", "k"), Task());
  auto out = Apply(Operation::Upsert("t", "k", {{"n", Value::Int(1)}}), erased);
  // No field of the erased object comes back.
  EXPECT_EQ(out, (FieldMap{{"n", Value::Int(1)}}));
}

TEST(FoldUpsert, AfterEraseFieldSetsItAgain) {
  auto erased = Apply(Operation::EraseField("t", "k", "views"), Task());
  auto out = Apply(Operation::Upsert("t", "k", {{"views", Value::Double(0.5)}}), erased);
  EXPECT_EQ(out, (FieldMap{{"title", Value::String("milk")}, {"views", Value::Double(0.5)}}));
}

// --- erase field ----------------------------------------------------------------

TEST(FoldEraseField, RemovesOnlyThatField) {
  auto out = Apply(Operation::EraseField("t", "k", "title"), Task());
  EXPECT_EQ(out, (FieldMap{{"views", Value::Int(5)}}));
}

TEST(FoldEraseField, OfTheLastFieldLeavesAnEmptyObject) {
  auto out = Apply(Operation::EraseField("t", "k", "a"), FieldMap{{"a", Value::Int(1)}});
  ASSERT_TRUE(out.has_value()) << "erasing the last field erased the object";
  EXPECT_TRUE(out->empty());
}

TEST(FoldEraseField, OfAMissingFieldChangesNothing) {
  EXPECT_EQ(Apply(Operation::EraseField("t", "k", "nope"), Task()), Task());
}

TEST(FoldEraseField, OfAMissingObjectDoesNotCreateIt) {
  EXPECT_EQ(Apply(Operation::EraseField("t", "k", "a"), std::nullopt), std::nullopt);
}

// --- erase object ---------------------------------------------------------------

TEST(FoldEraseObject, RemovesTheObject) {
  EXPECT_EQ(Apply(Operation::EraseObject("t", "k"), Task()), std::nullopt);
}

TEST(FoldEraseObject, OfAnEmptyObjectRemovesIt) {
  EXPECT_EQ(Apply(Operation::EraseObject("t", "k"), FieldMap{}), std::nullopt);
}

TEST(FoldEraseObject, OfAMissingObjectIsANoOp) {
  EXPECT_EQ(Apply(Operation::EraseObject("t", "k"), std::nullopt), std::nullopt);
}

// --- increment ------------------------------------------------------------------

TEST(FoldIncrement, AddsToAnInt64Field) {
  auto out = Apply(Operation::Increment("t", "k", "views", 3), Task());
  EXPECT_EQ(out, (FieldMap{{"title", Value::String("milk")}, {"views", Value::Int(8)}}));
  out = Apply(Operation::Increment("t", "k", "views", -10), out);
  EXPECT_EQ(out->at("views"), Value::Int(-2));
}

TEST(FoldIncrement, OfAMissingFieldStartsFromZero) {
  auto out = Apply(Operation::Increment("t", "k", "likes", -4), Task());
  EXPECT_EQ(out, (FieldMap{{"likes", Value::Int(-4)},
                           {"title", Value::String("milk")},
                           {"views", Value::Int(5)}}));
}

TEST(FoldIncrement, OfAMissingObjectCreatesItWithTheDelta) {
  auto out = Apply(Operation::Increment("t", "k", "n", 7), std::nullopt);
  EXPECT_EQ(out, (FieldMap{{"n", Value::Int(7)}}));
}

TEST(FoldIncrement, ByZeroOfAMissingObjectStillCreatesIt) {
  auto out = Apply(Operation::Increment("t", "k", "n", 0), std::nullopt);
  EXPECT_EQ(out, (FieldMap{{"n", Value::Int(0)}}));
}

TEST(FoldIncrement, WrapsAroundInTwosComplement) {
  EXPECT_EQ(Apply(Operation::Increment("t", "k", "n", 1), FieldMap{{"n", Value::Int(kMax)}}),
            (FieldMap{{"n", Value::Int(kMin)}}));
  EXPECT_EQ(Apply(Operation::Increment("t", "k", "n", -1), FieldMap{{"n", Value::Int(kMin)}}),
            (FieldMap{{"n", Value::Int(kMax)}}));
  EXPECT_EQ(Apply(Operation::Increment("t", "k", "n", kMin), FieldMap{{"n", Value::Int(kMin)}}),
            (FieldMap{{"n", Value::Int(0)}}));
}

TEST(FoldIncrement, OverflowingIncrementsCommute) {
  // kMax + 2 - 3 either way round is kMax - 1, although one order overflows.
  FieldMap start{{"n", Value::Int(kMax)}};
  auto a = Apply(Operation::Increment("t", "k", "n", -3),
                 Apply(Operation::Increment("t", "k", "n", 2), start));
  auto b = Apply(Operation::Increment("t", "k", "n", 2),
                 Apply(Operation::Increment("t", "k", "n", -3), start));
  EXPECT_EQ(a, (FieldMap{{"n", Value::Int(kMax - 1)}}));
  EXPECT_EQ(b, a);
}

TEST(FoldIncrement, OfANonInt64FieldFailsAndLeavesTheObjectUnchanged) {
  const std::pair<Value, const char*> cases[] = {
      {Value::String("5"), "string"}, {Value::Double(1.0), "double"},
      {Value::Null(), "null"},        {Value::Bool(false), "bool"},
      {Value::BytesValue("\x05"), "bytes"}};
  for (const auto& [value, type] : cases) {
    std::optional<FieldMap> object = FieldMap{{"n", value}, {"other", Value::Int(1)}};
    const FieldMap before = *object;
    Status s = ApplyOperation(Operation::Increment("tasks", "my key", "n", 1), object);
    EXPECT_TRUE(HasError(s, StatusCode::kInvalidArgument,
                         {"tasks/\"my key\".n", type, "not int64"}))
        << type;
    EXPECT_EQ(object, before) << type;
  }
}

TEST(FoldApply, UnknownOpKindIsInvalidArgument) {
  Operation op = Operation::EraseObject("t", "k");
  op.kind = static_cast<OpKind>(9);
  std::optional<FieldMap> object = Task();
  EXPECT_TRUE(HasError(ApplyOperation(op, object), StatusCode::kInvalidArgument,
                       {"unknown op kind 9"}));
  EXPECT_EQ(object, Task());
}

// --- touched fields ---------------------------------------------------------------

TEST(FoldTouchedFields, OfEachOpKind) {
  using V = std::vector<std::string>;
  // Upsert: the fields it sets, in name order (FieldMap is ordered).
  EXPECT_EQ(TouchedFields(Operation::Upsert("t", "k", {{"b", Value::Int(1)},
                                                       {"a", Value::Int(2)}}),
                          std::nullopt),
            (V{"a", "b"}));
  EXPECT_EQ(TouchedFields(Operation::EraseField("t", "k", "x"), Task()), V{"x"});
  EXPECT_EQ(TouchedFields(Operation::EraseField("t", "k", "x"), std::nullopt), V{"x"});
  EXPECT_EQ(TouchedFields(Operation::Increment("t", "k", "n", 1), std::nullopt), V{"n"});
  // Erase object: every field the object had, none if it had none.
  EXPECT_EQ(TouchedFields(Operation::EraseObject("t", "k"), Task()), (V{"title", "views"}));
  EXPECT_EQ(TouchedFields(Operation::EraseObject("t", "k"), std::nullopt), V{});
  EXPECT_EQ(TouchedFields(Operation::EraseObject("t", "k"), FieldMap{}), V{});
}

// --- MemoryState ------------------------------------------------------------------

JournalEntry Entry(Lsn lsn, std::vector<Operation> ops, std::vector<BeforeImage> before = {}) {
  JournalEntry e;
  e.lsn = lsn;
  e.ops = std::move(ops);
  e.before = std::move(before);
  return e;
}

TEST(FoldMemoryState, AppliesTheOpsOfAnEntryInOrder) {
  MemoryState state;
  ASSERT_TRUE(state
                  .ApplyEntry(Entry(1, {Operation::Upsert("t", "a", {{"x", Value::Int(1)}}),
                                        Operation::Increment("t", "a", "x", 2),
                                        Operation::Upsert("t", "b", {{"y", Value::Int(0)}}),
                                        Operation::EraseObject("t", "b"),
                                        Operation::Increment("u", "a", "z", 4)}))
                  .ok());
  std::map<ObjectId, FieldMap> want{{{"t", "a"}, {{"x", Value::Int(3)}}},
                                    {{"u", "a"}, {{"z", Value::Int(4)}}}};
  EXPECT_EQ(state.objects(), want);
}

TEST(FoldMemoryState, EraseObjectRemovesItFromTheMap) {
  MemoryState state;
  state.mutable_objects()[{"t", "a"}] = Task();
  ASSERT_TRUE(state.ApplyEntry(Entry(1, {Operation::EraseObject("t", "a")})).ok());
  EXPECT_TRUE(state.objects().empty());
}

TEST(FoldMemoryState, EraseFieldOfAMissingObjectCreatesNoEntry) {
  MemoryState state;
  ASSERT_TRUE(state.ApplyEntry(Entry(1, {Operation::EraseField("t", "a", "x")})).ok());
  EXPECT_TRUE(state.objects().empty());
}

TEST(FoldMemoryState, AnOpThatCannotApplyIsCorruptionNamingLsnAndOpIndex) {
  MemoryState state;
  state.mutable_objects()[{"t", "a"}] = Task();
  Status s = state.ApplyEntry(Entry(12, {Operation::Upsert("t", "b", {}),
                                         Operation::Increment("t", "a", "title", 1)}));
  EXPECT_TRUE(HasError(s, StatusCode::kCorruption, {"lsn 12", "op 1", "string"}));
  // The failing op's object was moved out to apply the op; it must be put
  // back unchanged, not left empty.
  EXPECT_EQ(state.objects().at({"t", "a"}), Task());
}

TEST(FoldMemoryState, MatchingBeforeImagesAreAccepted) {
  MemoryState state;
  state.mutable_objects()[{"t", "a"}] = Task();
  Status s = state.ApplyEntry(
      Entry(2, {Operation::Upsert("t", "a", {{"views", Value::Int(6)}, {"new", Value::Int(1)}}),
                Operation::Upsert("t", "b", {{"x", Value::Int(1)}})},
            {{"t", "a", "views", /*object_existed=*/true, Value::Int(5)},
             {"t", "a", "new", /*object_existed=*/true, std::nullopt},
             {"t", "b", "x", /*object_existed=*/false, std::nullopt}}));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(state.objects().at({"t", "a"}).at("views"), Value::Int(6));
}

TEST(FoldMemoryState, BeforeImagesAreCheckedBeforeAnyOpApplies) {
  // Each before-image below disagrees with the state in one way; the entry is
  // refused as corruption naming the lsn and the field, and nothing of it is
  // applied, not even the ops before the one the image belongs to.
  const std::vector<BeforeImage> wrong[] = {
      {{"t", "a", "views", true, Value::Int(4)}},          // other value
      {{"t", "a", "views", true, Value::String("5")}},     // other type
      {{"t", "a", "views", true, std::nullopt}},           // says absent
      {{"t", "a", "nope", true, Value::Null()}},           // says present
      {{"t", "a", "views", false, std::nullopt}},          // says no object
      {{"t", "gone", "x", true, std::nullopt}},            // says the object existed
  };
  for (const auto& before : wrong) {
    MemoryState state;
    state.mutable_objects()[{"t", "a"}] = Task();
    Status s = state.ApplyEntry(Entry(9,
                                      {Operation::Upsert("t", "c", {{"x", Value::Int(1)}}),
                                       Operation::Upsert("t", "a", {{"views", Value::Int(1)}})},
                                      before));
    EXPECT_TRUE(HasError(s, StatusCode::kCorruption, {"lsn 9", "before-image", before[0].field}))
        << s.ToString();
    std::map<ObjectId, FieldMap> unchanged{{{"t", "a"}, Task()}};
    EXPECT_EQ(state.objects(), unchanged);
  }
}

}  // namespace
}  // namespace journaldb::fold
