// The list rules of the fold (journal/src/fold.cc, docs/merge-semantics.md
// "Lists"): RGA placement, tombstones, forwarding of moved elements, and the
// ops that cannot apply; a fold keeping its lists' forwardings
// (ForwardingIndex) gives the same results. Expected lists are written out
// by hand.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <vector>

#include "journaldb/journal/fold.h"
#include "support/printers.h"
#include "support/status_assertions.h"

namespace journaldb::fold {
namespace {

using journaldb::testing::HasError;

ElementId Id(uint64_t counter, uint64_t replica = 1) { return ElementId{counter, replica}; }

Operation Insert(std::optional<ElementId> after, ElementId id, std::string value) {
  return Operation::ListInsert("t", "k", "items", after, id, Value::String(std::move(value)));
}

// Applies each op, expecting each to apply.
std::optional<FieldMap> ApplyAll(const std::vector<Operation>& ops,
                                 std::optional<FieldMap> object = std::nullopt) {
  for (const Operation& op : ops) {
    Status s = ApplyOperation(op, object);
    EXPECT_TRUE(s.ok()) << op.ToString() << ": " << s.ToString();
  }
  return object;
}

// The present elements' values, in list order.
std::vector<std::string> Values(const std::optional<FieldMap>& object) {
  std::vector<std::string> out;
  if (!object || !object->contains("items")) return out;
  for (const ListElement& e : object->at("items").as_list().elements)
    if (!e.removed) out.push_back(e.value.as_string());
  return out;
}

using V = std::vector<std::string>;

TEST(FoldList, AnInsertCreatesTheObjectAndTheList) {
  auto out = ApplyAll({Insert(std::nullopt, Id(1), "a")});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(Values(out), V{"a"});
  EXPECT_EQ(out->at("items").type(), ValueType::kList);
}

TEST(FoldList, InsertsGoRightAfterTheirAnchorOrAtTheHead) {
  auto out = ApplyAll({Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "c"),
                       Insert(Id(1), Id(3), "b"), Insert(std::nullopt, Id(4), "head")});
  EXPECT_EQ(Values(out), (V{"head", "a", "b", "c"}));
}

TEST(FoldList, ConcurrentInsertsAtOnePlaceOrderByIdWhateverTheirOrderOfArrival) {
  // Two replicas each insert after "a" knowing only "a" (counter 2), and one
  // of them goes on inserting after its own element.
  const Operation base = Insert(std::nullopt, Id(1), "a");
  const Operation x = Insert(Id(1), Id(2, 7), "x");
  const Operation x2 = Insert(Id(2, 7), Id(3, 7), "x2");
  const Operation y = Insert(Id(1), Id(2, 9), "y");  // greater id than x: goes first
  const V expected{"a", "y", "x", "x2"};
  EXPECT_EQ(Values(ApplyAll({base, x, x2, y})), expected);
  EXPECT_EQ(Values(ApplyAll({base, y, x, x2})), expected);
  EXPECT_EQ(Values(ApplyAll({base, x, y, x2})), expected);
}

TEST(FoldList, ARemovedElementStaysAsATombstoneThatStillAnchorsInserts) {
  auto out =
      ApplyAll({Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "b"),
                Operation::ListRemove("t", "k", "items", Id(1)), Insert(Id(1), Id(3), "after-a")});
  EXPECT_EQ(Values(out), (V{"after-a", "b"}));
  const List& list = out->at("items").as_list();
  ASSERT_EQ(list.elements.size(), 3u);
  EXPECT_TRUE(list.elements[0].removed);
  EXPECT_TRUE(list.elements[0].value.is_null()) << "a tombstone keeps no value";
}

TEST(FoldList, RemovingTwiceOrFromNoListIsANoOp) {
  auto out =
      ApplyAll({Insert(std::nullopt, Id(1), "a"), Operation::ListRemove("t", "k", "items", Id(1)),
                Operation::ListRemove("t", "k", "items", Id(1))});
  EXPECT_EQ(Values(out), V{});
  std::optional<FieldMap> none;
  EXPECT_TRUE(ApplyOperation(Operation::ListRemove("t", "k", "items", Id(1)), none).ok());
  EXPECT_FALSE(none.has_value()) << "removing from no list creates nothing";
}

TEST(FoldList, ASetOnARemovedOrUnknownElementCannotApplyAndChangesNothing) {
  auto out =
      ApplyAll({Insert(std::nullopt, Id(1), "a"), Operation::ListRemove("t", "k", "items", Id(1))});
  const auto before = out;
  EXPECT_TRUE(
      HasError(ApplyOperation(Operation::ListSet("t", "k", "items", Id(1), Value::Int(1)), out),
               StatusCode::kInvalidArgument, {"was removed"}));
  EXPECT_TRUE(
      HasError(ApplyOperation(Operation::ListSet("t", "k", "items", Id(5), Value::Int(1)), out),
               StatusCode::kInvalidArgument, {"no such element"}));
  EXPECT_EQ(out, before);
}

TEST(FoldList, AMoveLeavesAForwardingTombstoneSoTheOldIdStillNamesTheElement) {
  auto out = ApplyAll({Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "b"),
                       Insert(Id(2), Id(3), "c"),
                       Operation::ListMove("t", "k", "items", Id(1), Id(3), Id(4))});
  EXPECT_EQ(Values(out), (V{"b", "c", "a"}));
  // A set and then a remove by the old id reach the moved element.
  out = ApplyAll({Operation::ListSet("t", "k", "items", Id(1), Value::String("A"))}, out);
  EXPECT_EQ(Values(out), (V{"b", "c", "A"}));
  out = ApplyAll({Operation::ListRemove("t", "k", "items", Id(1))}, out);
  EXPECT_EQ(Values(out), (V{"b", "c"}));
}

TEST(FoldList, ConcurrentMovesOfOneElementNeverDuplicateItTheLaterWins) {
  const std::vector<Operation> base{Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "b"),
                                    Insert(Id(2), Id(3), "c")};
  const Operation to_end = Operation::ListMove("t", "k", "items", Id(1), Id(3), Id(4, 7));
  const Operation after_b = Operation::ListMove("t", "k", "items", Id(1), Id(2), Id(4, 9));
  auto ops = base;
  ops.push_back(to_end);
  ops.push_back(after_b);
  EXPECT_EQ(Values(ApplyAll(ops)), (V{"b", "a", "c"}));
  ops = base;
  ops.push_back(after_b);
  ops.push_back(to_end);
  EXPECT_EQ(Values(ApplyAll(ops)), (V{"b", "c", "a"}));
}

TEST(FoldList, AMoveOfARemovedElementCannotApplyAndARepeatedMoveIsDone) {
  auto out = ApplyAll({Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "b"),
                       Operation::ListMove("t", "k", "items", Id(1), Id(2), Id(3))});
  const auto moved = out;
  // The same move again (a replay of it): nothing changes.
  out = ApplyAll({Operation::ListMove("t", "k", "items", Id(1), Id(2), Id(3))}, out);
  EXPECT_EQ(out, moved);
  out = ApplyAll({Operation::ListRemove("t", "k", "items", Id(3))}, out);
  EXPECT_TRUE(HasError(
      ApplyOperation(Operation::ListMove("t", "k", "items", Id(1), std::nullopt, Id(9)), out),
      StatusCode::kInvalidArgument, {"was removed"}));
  EXPECT_EQ(Values(out), V{"b"});
}

TEST(FoldList, AnInsertWhoseAnchorIsGoneGoesToTheHeadAndARepeatedInsertIsDone) {
  // The list was erased and made anew; an insert anchored in the old one is kept.
  auto out = ApplyAll({Insert(std::nullopt, Id(5), "new"), Insert(Id(1), Id(6), "orphan")});
  EXPECT_EQ(Values(out), (V{"orphan", "new"}));
  // The same insert again (a replay of one the server holds), even of a
  // removed element: nothing changes, so it never duplicates or revives.
  const auto before = ApplyAll({Operation::ListRemove("t", "k", "items", Id(6))}, out);
  out = ApplyAll({Insert(std::nullopt, Id(5), "again"), Insert(Id(1), Id(6), "orphan")}, before);
  EXPECT_EQ(out, before);
}

TEST(FoldList, ListOpsOnAFieldOfAnotherTypeCannotApply) {
  std::optional<FieldMap> object = FieldMap{{"items", Value::Int(3)}};
  for (const Operation& op :
       {Insert(std::nullopt, Id(1), "a"), Operation::ListRemove("t", "k", "items", Id(1)),
        Operation::ListSet("t", "k", "items", Id(1), Value::Int(1)),
        Operation::ListMove("t", "k", "items", Id(1), std::nullopt, Id(2))})
    EXPECT_TRUE(HasError(ApplyOperation(op, object), StatusCode::kInvalidArgument,
                         {"holds a int64 value, not a list"}))
        << op.ToString();
  EXPECT_EQ(object->at("items"), Value::Int(3));
}

TEST(FoldList, UpsertAndEraseFieldReplaceOrDropTheWholeList) {
  auto out = ApplyAll(
      {Insert(std::nullopt, Id(1), "a"), Operation::Upsert("t", "k", {{"items", Value::Int(1)}})});
  EXPECT_EQ(out->at("items"), Value::Int(1));
  out = ApplyAll({Operation::EraseField("t", "k", "items"), Insert(std::nullopt, Id(2), "b")}, out);
  EXPECT_EQ(Values(out), V{"b"});
}

TEST(FoldList, ValidateRefusesListValuesInUpsertsAndElementsAndZeroIds) {
  List list;
  list.elements.push_back(ListElement{Id(1), Value::Int(1), false, {}});
  EXPECT_TRUE(HasError(Operation::Upsert("t", "k", {{"f", Value::ListValue(list)}}).Validate(),
                       StatusCode::kInvalidArgument, {"lists change only by list ops"}));
  EXPECT_TRUE(HasError(
      Operation::ListInsert("t", "k", "f", std::nullopt, Id(1), Value::ListValue(list)).Validate(),
      StatusCode::kInvalidArgument, {"list elements hold no lists"}));
  EXPECT_TRUE(HasError(Operation::ListRemove("t", "k", "f", ElementId{}).Validate(),
                       StatusCode::kInvalidArgument, {"start at counter 1"}));
  EXPECT_TRUE(HasError(Operation::ListMove("t", "k", "f", Id(1), Id(1), Id(2)).Validate(),
                       StatusCode::kInvalidArgument, {"cannot follow itself"}));
}

TEST(FoldList, ElementIdsPrintAndParseBack) {
  const ElementId id{42, 0x00c0ffee00c0ffeeull};
  EXPECT_EQ(id.ToString(), "42.00c0ffee00c0ffee");
  EXPECT_EQ(ElementId::Parse(id.ToString()), id);
  for (const char* bad : {"", "42", "42.", ".00c0ffee00c0ffee", "0.00c0ffee00c0ffee", "42.c0ffee",
                          "x.00c0ffee00c0ffee", "42.00c0ffee00c0ffeeg"})
    EXPECT_FALSE(ElementId::Parse(bad).has_value()) << bad;
}

TEST(FoldList, ADisplayFormShowsPresentValuesOnly) {
  auto out = ApplyAll({Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "b"),
                       Operation::ListRemove("t", "k", "items", Id(1))});
  EXPECT_EQ(out->at("items").ToString(), R"(["b"])");
}

TEST(FoldList, AFoldOfACopyLeavesTheOriginalListAsItWas) {
  // A fold moves a list out of its value when it is the only owner; a list
  // a copy shares must be copied instead.
  const auto original = ApplyAll({Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "b")});
  const Value held = original->at("items");
  auto copy = ApplyAll({Insert(Id(2), Id(3), "c"), Operation::ListRemove("t", "k", "items", Id(1)),
                        Operation::ListSet("t", "k", "items", Id(2), Value::String("B")),
                        Operation::ListMove("t", "k", "items", Id(3), std::nullopt, Id(4))},
                       original);
  EXPECT_EQ(Values(copy), (V{"c", "B"}));
  EXPECT_EQ(Values(original), (V{"a", "b"}));
  EXPECT_EQ(held.ToString(), R"(["a", "b"])");
  // And an op that cannot apply leaves the list in place, changed or not.
  EXPECT_FALSE(
      ApplyOperation(Operation::ListSet("t", "k", "items", Id(1), Value::Int(1)), copy).ok());
  EXPECT_EQ(Values(copy), (V{"c", "B"}));
}

TEST(FoldList, ALongChainOfMovesForwardsTheFirstIdToTheElement) {
  auto out = ApplyAll({Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "b")});
  // "a" moves 50 times, each time under a new id: 50 forwarding tombstones.
  for (uint64_t i = 0; i < 50; ++i)
    out = ApplyAll({Operation::ListMove("t", "k", "items", Id(1),
                                        i % 2 ? std::optional(Id(2)) : std::nullopt, Id(3 + i))},
                   out);
  EXPECT_EQ(Values(out), (V{"b", "a"}));
  EXPECT_EQ(out->at("items").as_list().elements.size(), 52u);
  out = ApplyAll({Operation::ListSet("t", "k", "items", Id(1), Value::String("A"))}, out);
  EXPECT_EQ(Values(out), (V{"b", "A"}));
  const ListElement* found = FindListElement(out->at("items").as_list(), Id(1));
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id, Id(52));
  out = ApplyAll({Operation::ListRemove("t", "k", "items", Id(20))}, out);
  EXPECT_EQ(Values(out), (V{"b"}));
}

// Applies each op to `with`, through `index`, and to `without`, with no index:
// the two must agree on every status and every object.
void ApplyBoth(const std::vector<Operation>& ops, ForwardingIndex& index,
               std::optional<FieldMap>& with, std::optional<FieldMap>& without) {
  for (const Operation& op : ops) {
    const Status kept = ApplyOperation(op, with, index);
    const Status mapped_per_op = ApplyOperation(op, without);
    EXPECT_EQ(kept.ToString(), mapped_per_op.ToString()) << op.ToString();
    EXPECT_EQ(with, without) << "after " << op.ToString();
  }
}

Operation Move(ElementId element, std::optional<ElementId> after, ElementId moved_to) {
  return Operation::ListMove("t", "k", "items", element, after, moved_to);
}

TEST(FoldList, AFoldKeepingForwardingsFollowsAChainItMakesAndMovesFurther) {
  ForwardingIndex index;
  std::optional<FieldMap> with, without;
  ApplyBoth({Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "b")}, index, with, without);
  // "a" moves 50 times by its first id: from the sixth move on, the chain is
  // followed through the kept forwardings, which each move must extend.
  for (uint64_t i = 0; i < 50; ++i)
    ApplyBoth({Move(Id(1), i % 2 ? std::optional(Id(2)) : std::nullopt, Id(3 + i))}, index, with,
              without);
  ApplyBoth({Operation::ListSet("t", "k", "items", Id(1), Value::String("A"))}, index, with,
            without);
  EXPECT_EQ(Values(with), (V{"b", "A"}));
  // Moved again, by a first id and by one from the middle of the chain; each
  // id of the chain names the element where it is now.
  ApplyBoth({Move(Id(1), std::nullopt, Id(100)), Move(Id(30), Id(2), Id(101)),
             Operation::ListSet("t", "k", "items", Id(7), Value::String("A2"))},
            index, with, without);
  EXPECT_EQ(Values(with), (V{"b", "A2"}));
  for (ElementId id : {Id(1), Id(3), Id(52), Id(100), Id(101)}) {
    const ListElement* found = FindListElement(with->at("items").as_list(), id);
    ASSERT_NE(found, nullptr) << id.ToString();
    EXPECT_EQ(found->id, Id(101)) << id.ToString();
  }
  // Removed by an old id; an insert anchored at another old id still finds
  // its place after the tombstone.
  ApplyBoth({Operation::ListRemove("t", "k", "items", Id(20)), Insert(Id(1), Id(102), "c")}, index,
            with, without);
  EXPECT_EQ(Values(with), (V{"b", "c"}));
  EXPECT_TRUE(HasError(ApplyOperation(Move(Id(40), std::nullopt, Id(103)), with, index),
                       StatusCode::kInvalidArgument, {"was removed"}));
}

TEST(FoldList, DamagedForwardingThatLoopsStopsWhereItWouldWithoutAKeptIndex) {
  // 1 forwards to 2, 2 to 3 and 3 to 1: no fold makes this, a damaged stored
  // list can. Resolving stops after as many hops as it would hop by hop (4,
  // then the list's length), so where depends on the list's length.
  List damaged;
  damaged.elements = {ListElement{Id(1), Value::Null(), true, Id(2)},
                      ListElement{Id(4), Value::String("c"), false, {}},
                      ListElement{Id(2), Value::Null(), true, Id(3)},
                      ListElement{Id(5), Value::String("d"), false, {}},
                      ListElement{Id(3), Value::Null(), true, Id(1)}};
  std::optional<FieldMap> with = FieldMap{{"items", Value::ListValue(damaged)}};
  std::optional<FieldMap> without = with;
  ForwardingIndex index;
  ApplyBoth({Insert(Id(1), Id(10), "x"), Insert(Id(1), Id(11), "y"), Insert(Id(3), Id(12), "z")},
            index, with, without);
  // 5 elements: 9 hops from 1 end at 1; 6: 10 hops end at 2; 7: 11 hops from 3 end at 2.
  EXPECT_EQ(Values(with), (V{"x", "c", "z", "y", "d"}));
  for (const Operation& op : {Operation::ListSet("t", "k", "items", Id(1), Value::Int(1)),
                              Move(Id(2), std::nullopt, Id(13))})
    EXPECT_TRUE(
        HasError(ApplyOperation(op, with, index), StatusCode::kInvalidArgument, {"was removed"}))
        << op.ToString();
}

TEST(FoldList, AListPutInPlaceOfOneWhoseForwardingsAreKeptIsMappedAnew) {
  // Two lists of the same length where id 1 moved along different chains.
  auto chain = [](uint64_t first) {
    std::vector<Operation> ops{Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "b")};
    for (uint64_t i = 0; i < 10; ++i) ops.push_back(Move(Id(1), std::nullopt, Id(first + i)));
    return ApplyAll(ops);
  };
  ForwardingIndex index;
  std::optional<FieldMap> first = chain(3);
  ASSERT_TRUE(
      ApplyOperation(Operation::ListSet("t", "k", "items", Id(1), Value::String("A")), first, index)
          .ok());
  // The caller puts another object in its place (against the index's
  // contract): its list is told apart and mapped anew, not followed along
  // the first list's chain to an id it does not hold.
  std::optional<FieldMap> other = chain(20);
  ASSERT_EQ(other->at("items").as_list().elements.size(),
            first->at("items").as_list().elements.size());
  EXPECT_TRUE(
      ApplyOperation(Operation::ListSet("t", "k", "items", Id(1), Value::String("B")), other, index)
          .ok());
  EXPECT_EQ(Values(other), (V{"B", "b"}));
  EXPECT_EQ(Values(first), (V{"A", "b"}));
}

TEST(FoldList, AnUpsertOfTheListInAFoldKeepingForwardingsIsMappedAnew) {
  // Id 1 moves along one chain, then an upsert puts a list of the same
  // length where it moved along another: sets by id 1 reach the new chain.
  auto chain = [](uint64_t first) {
    std::vector<Operation> ops{Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "b")};
    for (uint64_t i = 0; i < 10; ++i) ops.push_back(Move(Id(1), std::nullopt, Id(first + i)));
    return ApplyAll(ops);
  };
  const std::optional<FieldMap> second = chain(20);
  ForwardingIndex index;
  std::optional<FieldMap> with = chain(3), without = with;
  ApplyBoth({Operation::ListSet("t", "k", "items", Id(1), Value::String("A")),
             Operation::Upsert("t", "k", {{"items", second->at("items")}}),
             Operation::ListSet("t", "k", "items", Id(1), Value::String("B"))},
            index, with, without);
  EXPECT_EQ(Values(with), (V{"B", "b"}));
  EXPECT_EQ(with->at("items").as_list().elements.front().id, Id(29));  // moved to the head
}

// A number in [min, max), drawn from the whole range whatever rapidcheck's
// size (inRange alone draws near min in the first cases).
template <typename T>
T Uniform(T min, T max) {
  return *rc::gen::resize(100, rc::gen::inRange(min, max));
}

// Random list ops on one object, a field of it now and then dropped or made
// a scalar: a fold keeping its forwardings agrees with one mapping them per op.
RC_GTEST_PROP(FoldList, AFoldKeepingForwardingsAgreesWithOneMappingThemPerOp, ()) {
  // Few inserts and many moves, half of them of the first elements, so
  // chains grow past the hops that are scanned and go on growing.
  uint64_t next = 1;
  const auto fresh = [&] { return Id(next++); };
  const auto any = [&] { return Id(Uniform<uint64_t>(1, next + 1)); };
  const auto named = [&] { return Uniform(0, 2) == 0 ? Id(Uniform<uint64_t>(1, 4)) : any(); };
  const auto anchor = [&]() -> std::optional<ElementId> {
    if (Uniform(0, 4) == 0) return std::nullopt;
    return named();
  };
  const int count = Uniform(50, 400);
  ForwardingIndex index;
  std::optional<FieldMap> with, without;
  for (int n = 0; n < count; ++n) {
    const std::string field = Uniform(0, 8) == 0 ? "other" : "items";
    Operation op;
    const int kind = Uniform(0, 100);
    if (kind == 0)
      op = Operation::EraseField("t", "k", field);
    else if (kind == 1)
      op = Operation::Upsert("t", "k", {{field, Value::Int(n)}});
    else if (kind < 20)
      op = Operation::ListInsert("t", "k", field, anchor(), fresh(), Value::Int(n));
    else if (kind < 25)
      op = Operation::ListRemove("t", "k", field, any());
    else if (kind < 35)
      op = Operation::ListSet("t", "k", field, named(), Value::Int(n));
    else
      op = Operation::ListMove("t", "k", field, named(), anchor(), fresh());
    if (!op.Validate().ok()) continue;
    const Status kept = ApplyOperation(op, with, index);
    const Status mapped_per_op = ApplyOperation(op, without);
    RC_ASSERT(kept.ToString() == mapped_per_op.ToString());
    RC_ASSERT(with == without);
  }
}

// ListElementFinder answers as FindListElement does, id by id, on lists with
// long chains of moves, removals and ids that were never in the list.
RC_GTEST_PROP(FoldList, AFinderAgreesWithFindListElementForEveryId, ()) {
  uint64_t next = 1;
  const auto any = [&] { return Id(Uniform<uint64_t>(1, next + 1)); };
  const auto named = [&] { return Uniform(0, 2) == 0 ? Id(Uniform<uint64_t>(1, 4)) : any(); };
  std::optional<FieldMap> object;
  const int count = Uniform(1, 300);
  for (int n = 0; n < count; ++n) {
    const std::optional<ElementId> after =
        Uniform(0, 4) == 0 ? std::nullopt : std::optional(named());
    const int kind = Uniform(0, 10);
    Operation op = kind < 3
                       ? Operation::ListInsert("t", "k", "items", after, Id(next++), Value::Int(n))
                   : kind < 4 ? Operation::ListRemove("t", "k", "items", any())
                              : Operation::ListMove("t", "k", "items", named(), after, Id(next++));
    (void)ApplyOperation(op, object);  // a move of a removed element cannot apply
  }
  RC_PRE(object.has_value());
  const List& list = object->at("items").as_list();
  ListElementFinder finder(list);
  // Twice: the finder compresses the chains it follows.
  for (int pass = 0; pass < 2; ++pass)
    for (uint64_t counter = 0; counter <= next + 1; ++counter)
      RC_ASSERT(finder.Find(Id(counter)) == FindListElement(list, Id(counter)));
}

// Lists no fold makes, as damaged storage could hold them (unique ids):
// forwardings into loops, onto themselves, to ids not in the list, and from
// elements still present. Loop lengths vary, so a wrong hop bound shows.
RC_GTEST_PROP(FoldList, AFinderAgreesWithFindListElementOnDamagedLists, ()) {
  const uint64_t n = Uniform<uint64_t>(1, 40);
  List damaged;
  for (uint64_t counter = 1; counter <= n; ++counter) {
    ListElement e{Id(counter), Value::Int(static_cast<int64_t>(counter)), false, {}};
    const int kind = Uniform(0, 4);
    if (kind < 3) e.moved_to = Id(Uniform<uint64_t>(1, n + 3));
    if (kind < 2) {
      e.removed = true;
      e.value = Value::Null();
    }
    damaged.elements.push_back(std::move(e));
  }
  ListElementFinder finder(damaged);
  for (int pass = 0; pass < 2; ++pass)
    for (uint64_t counter = 0; counter <= n + 3; ++counter)
      RC_ASSERT(finder.Find(Id(counter)) == FindListElement(damaged, Id(counter)));
}

TEST(FoldList, AFinderStopsInADamagedLoopWhereFindListElementDoes) {
  // As above: 1 -> 2 -> 3 -> 1, where a lookup stops depends on the list's length.
  List damaged;
  damaged.elements = {ListElement{Id(1), Value::Null(), true, Id(2)},
                      ListElement{Id(4), Value::String("c"), false, {}},
                      ListElement{Id(2), Value::Null(), true, Id(3)},
                      ListElement{Id(3), Value::Null(), true, Id(1)}};
  ListElementFinder finder(damaged);
  for (uint64_t counter = 0; counter <= 5; ++counter) {
    const ListElement* found = FindListElement(damaged, Id(counter));
    EXPECT_EQ(finder.Find(Id(counter)), found) << counter;
  }
  // 4 elements: 8 hops from 1 end at 3.
  ASSERT_NE(finder.Find(Id(1)), nullptr);
  EXPECT_EQ(finder.Find(Id(1))->id, Id(3));
}

TEST(FoldList, ListWorkCountsEachListOpAsItsListsLengthPlusOne) {
  std::vector<std::string> asked;
  auto length_before = [&](const Operation& op) -> size_t {
    asked.push_back(op.field);
    return op.field == "items" ? 3 : 0;
  };
  const std::vector<Operation> ops{
      Insert(std::nullopt, Id(10), "x"),                                    // 3 + 1, then 4 long
      Operation::ListRemove("t", "k", "items", Id(1)),                      // 4 + 1
      Operation::Upsert("t", "k", {{"n", Value::Int(1)}}),                  // not a list op: 0
      Operation::ListMove("t", "k", "items", Id(2), std::nullopt, Id(11)),  // 4 + 1, then 5
      Operation::ListRemove("t", "k", "other", Id(1)),                      // 0 + 1
      Operation::ListSet("t", "k", "items", Id(11), Value::Int(2)),         // 5 + 1
  };
  EXPECT_EQ(ListWork(ops, length_before), 4u + 5u + 5u + 1u + 6u);
  EXPECT_EQ(asked, (std::vector<std::string>{"items", "other"}));  // once per list

  const auto object = ApplyAll({Insert(std::nullopt, Id(1), "a"), Insert(Id(1), Id(2), "b"),
                                Operation::ListRemove("t", "k", "items", Id(1))});
  EXPECT_EQ(ListLength(object, "items"), 2u);  // the tombstone counts
  EXPECT_EQ(ListLength(object, "missing"), 0u);
  EXPECT_EQ(ListLength(std::nullopt, "items"), 0u);
  EXPECT_EQ(ListLength(FieldMap{{"items", Value::Int(1)}}, "items"), 0u);
}

}  // namespace
}  // namespace journaldb::fold
