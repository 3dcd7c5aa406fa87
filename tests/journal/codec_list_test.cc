// Lists through the journal codec: list values in objects and before-images,
// the four list ops, and stored lists the fold could never have made, which
// decode as corruption naming the object.
#include <gtest/gtest.h>

#include "journaldb/journal/codec.h"
#include "support/printers.h"
#include "support/status_assertions.h"

namespace journaldb {
namespace {

using testing::HasError;

ElementId Id(uint64_t counter, uint64_t replica = 0xabcdef) { return ElementId{counter, replica}; }

List SampleList() {
  List list;
  list.elements.push_back(ListElement{Id(1), Value::String("milk"), false, {}});
  list.elements.push_back(ListElement{Id(2), Value::Null(), true, Id(5)});  // moved away
  list.elements.push_back(ListElement{Id(3), Value::Null(), true, {}});     // removed
  list.elements.push_back(ListElement{Id(5), Value::Double(-0.0), false, {}});
  list.elements.push_back(
      ListElement{Id(4, 1), Value::BytesValue(std::string("\0b", 2)), false, {}});
  return list;
}

TEST(CodecList, ListValuesRoundTripInObjectsWithTombstonesAndForwarding) {
  const FieldMap fields{{"items", Value::ListValue(SampleList())}, {"n", Value::Int(1)}};
  Result<FieldMap> back = codec::DecodeObject(codec::EncodeObject(fields), "t/k");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, fields);
  EXPECT_EQ(back->at("items").as_list(), SampleList());
}

TEST(CodecList, ListOpsAndListBeforeImagesRoundTripInEntries) {
  JournalEntry e;
  e.lsn = 9;
  e.ops = {Operation::ListInsert("t", "k", "items", std::nullopt, Id(7), Value::String("x")),
           Operation::ListInsert("t", "k", "items", Id(7), Id(8), Value::Int(3)),
           Operation::ListSet("t", "k", "items", Id(1), Value::Bool(true)),
           Operation::ListRemove("t", "k", "items", Id(8)),
           Operation::ListMove("t", "k", "items", Id(1), Id(7), Id(9)),
           Operation::ListMove("t", "k", "items", Id(9), std::nullopt, Id(10))};
  e.before = {{"t", "k", "items", true, Value::ListValue(SampleList())}};
  Result<JournalEntry> back = codec::DecodeEntry(codec::EncodeEntry(e), 9);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ops, e.ops);
  EXPECT_EQ(back->before, e.before);
}

// Encodes `list` as a stored object's field; the encoder writes what it is given.
Status DecodeStoredList(const List& list) {
  return codec::DecodeObject(codec::EncodeObject({{"items", Value::ListValue(list)}}), "t/\"k\"")
      .status();
}

TEST(CodecList, MalformedStoredListsAreCorruptionNamingTheObject) {
  List repeated = SampleList();
  repeated.elements.push_back(ListElement{Id(1), Value::Int(2), false, {}});
  EXPECT_TRUE(HasError(DecodeStoredList(repeated), StatusCode::kCorruption,
                       {"t/\"k\"", "1.0000000000abcdef", "malformed"}));

  List zero;
  zero.elements.push_back(ListElement{ElementId{0, 3}, Value::Int(2), false, {}});
  EXPECT_TRUE(HasError(DecodeStoredList(zero), StatusCode::kCorruption, {"malformed"}));

  List forwarding_present;
  forwarding_present.elements.push_back(ListElement{Id(1), Value::Int(2), false, Id(2)});
  EXPECT_TRUE(
      HasError(DecodeStoredList(forwarding_present), StatusCode::kCorruption, {"malformed"}));

  List nested;
  nested.elements.push_back(ListElement{Id(1), Value::ListValue(SampleList()), false, {}});
  EXPECT_TRUE(HasError(DecodeStoredList(nested), StatusCode::kCorruption,
                       {"t/\"k\"", "a list inside a list element"}));
}

TEST(CodecList, AListOpCarryingAListValueIsCorruption) {
  JournalEntry e;
  e.lsn = 4;
  e.ops = {Operation::ListInsert("t", "k", "items", std::nullopt, Id(1),
                                 Value::ListValue(SampleList()))};
  EXPECT_TRUE(HasError(codec::DecodeEntry(codec::EncodeEntry(e), 4).status(),
                       StatusCode::kCorruption, {"lsn 4", "a list inside a list element"}));
}

}  // namespace
}  // namespace journaldb
