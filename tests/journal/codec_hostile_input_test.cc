// Hostile bytes given to the decoders: each yields a corruption status that
// names the lsn or object, never a crash and never a half-decoded value.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "journaldb/journal/codec.h"
#include "support/generators.h"
#include "support/hostile_entries.h"
#include "support/printers.h"

namespace journaldb {
namespace {

// Asserts `r` failed with corruption and its message holds every `needle`.
template <typename T>
void ExpectCorruptionMentioning(const Result<T>& r, std::initializer_list<std::string> needles) {
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
  for (const std::string& n : needles)
    EXPECT_NE(r.status().message().find(n), std::string::npos)
        << "message lacks '" << n << "': " << r.status().ToString();
}

JournalEntry SmallEntry(Lsn lsn) {
  JournalEntry e;
  e.lsn = lsn;
  e.ops = {Operation::Upsert("tasks", "t1", {{"title", Value::String("milk")}})};
  e.before = {{"tasks", "t1", "title", false, std::nullopt}};
  return e;
}

TEST(CodecHostileInput, UnknownOpKindIsCorruptionNamingLsnAndKind) {
  ExpectCorruptionMentioning(codec::DecodeEntry(testing::EntryWithOpType(7, 9), 7),
                             {"lsn 7", "unknown op kind 9"});
  ExpectCorruptionMentioning(codec::DecodeEntry(testing::EntryWithOpType(7, 255), 7),
                             {"lsn 7", "255"});
}

TEST(CodecHostileInput, OpTypeNoneWithATableIsCorruption) {
  ExpectCorruptionMentioning(codec::DecodeEntry(testing::EntryWithOpType(3, 0), 3), {"lsn 3"});
}

TEST(CodecHostileInput, HandBuiltEntryWithKnownOpKindDecodes) {
  // The builder itself is sound: with a known kind the same bytes decode.
  Result<JournalEntry> e = codec::DecodeEntry(testing::EntryWithOpType(7, 3), 7);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->ops.at(0), Operation::EraseObject("tasks", "t1"));
  Result<JournalEntry> v = codec::DecodeEntry(testing::EntryWithValueType(7, 1), 7);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
}

TEST(CodecHostileInput, OutOfRangeValueTypeIsCorruptionNamingLsnAndField) {
  ExpectCorruptionMentioning(codec::DecodeEntry(testing::EntryWithValueType(5, 8), 5),
                             {"lsn 5", "title", "unknown value type 8"});
  ExpectCorruptionMentioning(codec::DecodeEntry(testing::EntryWithValueType(5, 200), 5),
                             {"lsn 5", "200"});
  ExpectCorruptionMentioning(codec::DecodeEntry(testing::EntryWithValueType(5, 0), 5), {"lsn 5"});
}

TEST(CodecHostileInput, OutOfRangeBeforeImageValueTypeIsCorruptionNamingLsn) {
  ExpectCorruptionMentioning(codec::DecodeEntry(testing::EntryWithBeforeImageValueType(4, 9), 4),
                             {"lsn 4", "before-image", "title"});
}

// The Verifier accepts many offsets to one table; decoding them would copy
// its value once per offset (here 64 MiB out of 68 KB, and terabytes out of
// the largest entries).
TEST(CodecHostileInput, OpsSharingOneTableAreCorruptionNotAnAmplifiedCopy) {
  const std::string forged = testing::EntryWithSharedOp(4, 1000, 64 << 10);
  ASSERT_LT(forged.size(), 70u << 10);
  ExpectCorruptionMentioning(codec::DecodeEntry(forged, 4), {"lsn 4", "same data more than once"});
  // Shared a few times over data small enough, it is still caught: every
  // op's table and strings count, not only large values.
  ExpectCorruptionMentioning(codec::DecodeEntry(testing::EntryWithSharedOp(4, 64, 0), 4),
                             {"lsn 4", "same data more than once"});
  Result<JournalEntry> once = codec::DecodeEntry(testing::EntryWithSharedOp(4, 1, 64 << 10), 4);
  ASSERT_TRUE(once.ok()) << once.status().ToString();
  EXPECT_EQ(once->ops.at(0).fields.at("title"), Value::String(std::string(64 << 10, 'v')));
}

TEST(CodecHostileInput, UnknownFormatVersionIsCorruptionNamingLsnAndVersion) {
  ExpectCorruptionMentioning(codec::DecodeEntry(testing::EntryWithFormatVersion(2, 2), 2),
                             {"lsn 2", "format version 2"});
  ExpectCorruptionMentioning(codec::DecodeEntry(testing::EntryWithFormatVersion(2, 0), 2),
                             {"lsn 2", "format version 0"});
  Result<JournalEntry> ok = codec::DecodeEntry(testing::EntryWithFormatVersion(2, 1), 2);
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

TEST(CodecHostileInput, BadFileIdentifierIsCorruptionNamingLsn) {
  std::string bytes = codec::EncodeEntry(SmallEntry(6));
  bytes.replace(4, 4, "JDBO");  // a stored object's identifier
  ExpectCorruptionMentioning(codec::DecodeEntry(bytes, 6), {"lsn 6", "identifier"});
}

TEST(CodecHostileInput, ObjectBytesAreNotAnEntryAndViceVersa) {
  ExpectCorruptionMentioning(codec::DecodeEntry(codec::EncodeObject({}), 1), {"lsn 1"});
  ExpectCorruptionMentioning(codec::DecodeObject(codec::EncodeEntry(SmallEntry(1)), "tasks/\"t1\""),
                             {"tasks/\"t1\"", "identifier"});
}

TEST(CodecHostileInput, TruncatedEntryIsCorruptionNamingLsn) {
  std::string bytes = codec::EncodeEntry(SmallEntry(8));
  ExpectCorruptionMentioning(codec::DecodeEntry(bytes.substr(0, 3), 8), {"lsn 8", "truncated"});
  ExpectCorruptionMentioning(codec::DecodeEntry("", 8), {"lsn 8", "truncated"});
  ExpectCorruptionMentioning(codec::DecodeEntry(bytes.substr(0, bytes.size() / 2), 8), {"lsn 8"});
}

TEST(CodecHostileInput, DamagedObjectIsCorruptionNamingObject) {
  FieldMap fields{{"title", Value::String("milk")}};
  std::string bytes = codec::EncodeObject(fields);
  ExpectCorruptionMentioning(codec::DecodeObject(bytes.substr(0, 5), "tasks/\"t1\""),
                             {"tasks/\"t1\"", "truncated"});
  ExpectCorruptionMentioning(codec::DecodeObject(bytes.substr(0, bytes.size() / 2), "tasks/\"t1\""),
                             {"tasks/\"t1\""});
  ExpectCorruptionMentioning(codec::DecodeObject(testing::ObjectWithValueType(42), "tasks/\"t1\""),
                             {"tasks/\"t1\"", "title", "42"});
}

// Any prefix of a valid entry either fails cleanly or (when only trailing
// padding was cut) decodes to the same entry: never a crash, never a
// different entry.
RC_GTEST_PROP(CodecHostileInputProperty, TruncatedEntryFailsCleanlyOrDecodesUnchanged, ()) {
  JournalEntry e = *testing::AnyEntry();
  std::string bytes = codec::EncodeEntry(e);
  size_t cut = *rc::gen::inRange<size_t>(0, bytes.size());
  Result<JournalEntry> back = codec::DecodeEntry(std::string_view(bytes).substr(0, cut), e.lsn);
  if (back.ok()) {
    RC_ASSERT(*back == e);
  } else {
    RC_ASSERT(back.status().IsCorruption());
  }
}

// Flipped bytes: decoding returns corruption naming the entry, or an entry
// that is itself valid (it encodes and decodes back to itself), never a crash.
// (Under the sanitizer build this also proves no out-of-bounds read.)
RC_GTEST_PROP(CodecHostileInputProperty, FlippedBytesDecodeToAValidEntryOrCorruption, ()) {
  JournalEntry e = *testing::AnyEntry();
  std::string bytes = codec::EncodeEntry(e);
  auto flips = *rc::gen::container<std::vector<std::pair<size_t, uint8_t>>>(
      rc::gen::pair(rc::gen::inRange<size_t>(0, bytes.size()), rc::gen::inRange<uint8_t>(1, 255)));
  for (auto [pos, mask] : flips) bytes[pos] = static_cast<char>(bytes[pos] ^ mask);
  Result<JournalEntry> back = codec::DecodeEntryAnyLsn(bytes);
  if (!back.ok()) {
    RC_ASSERT(back.status().IsCorruption());
    RC_ASSERT(back.status().message().find("journal entry") != std::string::npos);
    return;
  }
  Result<JournalEntry> again = codec::DecodeEntry(codec::EncodeEntry(*back), back->lsn);
  RC_ASSERT(again.ok());
  RC_ASSERT(*again == *back);
}

RC_GTEST_PROP(CodecHostileInputProperty, RandomBytesAreNeverAnEntry, ()) {
  std::string bytes = *testing::AnyBytes();
  Result<JournalEntry> back = codec::DecodeEntry(bytes, 1);
  // Random bytes essentially never carry the "JDBE" identifier at offset 4.
  const bool has_identifier = bytes.size() >= 8 && bytes.compare(4, 4, "JDBE") == 0;
  RC_PRE(!has_identifier);
  RC_ASSERT(!back.ok());
  RC_ASSERT(back.status().IsCorruption());
}

}  // namespace
}  // namespace journaldb
