// Round trips through the journal codec: every value type and op kind, every
// before-image shape, and rapidcheck-generated entries and objects.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>

#include "journaldb/journal/codec.h"
#include "support/generators.h"
#include "support/printers.h"
#include "support/value_samples.h"

namespace journaldb {
namespace {

FieldMap AllValueKinds() { return testing::EveryValueKind(); }

JournalEntry EntryWithEveryOpKind() {
  JournalEntry e;
  e.lsn = 42;
  e.download_cursor = 7;
  e.epoch = 3;
  e.client_id = std::numeric_limits<uint64_t>::max();
  e.commit_time_us = -1;
  e.ops = {Operation::Upsert("tasks", "t1", AllValueKinds()),
           Operation::EraseField("tasks", "t1", "null"),
           Operation::EraseObject("tasks", std::string("key\0with nul", 12)),
           Operation::Increment("counters", "\xff", "n", std::numeric_limits<int64_t>::min())};
  e.before = {
      {"tasks", "t1", "title", /*object_existed=*/false, std::nullopt},  // object absent
      {"tasks", "t1", "done", /*object_existed=*/true, std::nullopt},    // field absent
      {"tasks", "t1", "views", true, Value::Int(5)},                     // field present
      {"tasks", "t1", "nothing", true, Value::Null()},                   // present, null
  };
  return e;
}

TEST(CodecRoundTrip, EntryWithEveryOpKindValueTypeAndBeforeImageShape) {
  JournalEntry e = EntryWithEveryOpKind();
  std::string bytes = codec::EncodeEntry(e);
  Result<JournalEntry> back = codec::DecodeEntry(bytes, 42);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);
  // Bitwise checks the equality operator's NaN rule could paper over.
  const FieldMap& f = back->ops[0].fields;
  EXPECT_TRUE(std::signbit(f.at("double_neg_zero").as_double()));
  EXPECT_TRUE(std::isnan(f.at("double_nan").as_double()));
  EXPECT_EQ(f.at("string_nul").as_string().size(), 3u);
  EXPECT_EQ(f.at("bytes_all").type(), ValueType::kBytes);
  EXPECT_EQ(f.at("string_empty").type(), ValueType::kString);
  EXPECT_FALSE(back->before[0].object_existed);
  EXPECT_FALSE(back->before[1].value.has_value());
  EXPECT_EQ(back->before[3].value, Value::Null());
}

TEST(CodecRoundTrip, EntryWithNoOpsAndNoBeforeImages) {
  JournalEntry e;
  e.lsn = 1;
  Result<JournalEntry> back = codec::DecodeEntry(codec::EncodeEntry(e), 1);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);
}

TEST(CodecRoundTrip, DecodeEntryAnyLsnAcceptsWhateverLsnTheEntryRecords) {
  JournalEntry e = EntryWithEveryOpKind();
  e.lsn = 99;
  Result<JournalEntry> back = codec::DecodeEntryAnyLsn(codec::EncodeEntry(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);
}

TEST(CodecRoundTrip, EntryUnderAnotherLsnIsCorruptionNamingBoth) {
  JournalEntry e = EntryWithEveryOpKind();  // lsn 42
  Result<JournalEntry> back = codec::DecodeEntry(codec::EncodeEntry(e), 41);
  ASSERT_FALSE(back.ok());
  EXPECT_TRUE(back.status().IsCorruption()) << back.status().ToString();
  EXPECT_NE(back.status().message().find("lsn 41"), std::string::npos) << back.status().ToString();
  EXPECT_NE(back.status().message().find("42"), std::string::npos) << back.status().ToString();
}

TEST(CodecRoundTrip, ObjectWithEveryValueType) {
  FieldMap fields = AllValueKinds();
  Result<FieldMap> back = codec::DecodeObject(codec::EncodeObject(fields), "tasks/\"t1\"");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, fields);
  EXPECT_TRUE(std::signbit(back->at("double_neg_zero").as_double()));
}

TEST(CodecRoundTrip, EmptyObject) {
  Result<FieldMap> back = codec::DecodeObject(codec::EncodeObject({}), "tasks/\"t1\"");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->empty());
}

TEST(CodecRoundTrip, LargeStringValue) {
  FieldMap fields{{"big", Value::String(std::string(kMaxValueBytes, 'x'))}};
  Result<FieldMap> back = codec::DecodeObject(codec::EncodeObject(fields), "big");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, fields);
}

RC_GTEST_PROP(CodecRoundTripProperty, AnyEntryDecodesToItself, ()) {
  JournalEntry e = *testing::AnyEntry();
  std::string bytes = codec::EncodeEntry(e);
  Result<JournalEntry> back = codec::DecodeEntry(bytes, e.lsn);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == e);
}

RC_GTEST_PROP(CodecRoundTripProperty, AnyObjectDecodesToItself, ()) {
  auto pairs = *rc::gen::container<std::vector<std::pair<std::string, Value>>>(
      rc::gen::pair(testing::AnyName(), testing::AnyValue()));
  FieldMap fields;
  for (auto& [n, v] : pairs) fields[n] = std::move(v);
  Result<FieldMap> back = codec::DecodeObject(codec::EncodeObject(fields), "obj");
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == fields);
}

}  // namespace
}  // namespace journaldb
