// The RocksDB key layout (journal/src/layout.cc) against docs/on-disk-format.md:
// exact bytes of each key kind, and the orderings scans rely on (RocksDB's
// default comparator orders keys bytewise, as std::string does).
#include "journaldb/journal/layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace journaldb::layout {
namespace {

using namespace std::string_literals;

TEST(LayoutStateKey, IsCollectionNulPrimaryKey) {
  EXPECT_EQ(StateKey("tasks", "t1"), "tasks\0t1"s);
  // Primary keys may hold NUL and any byte; they are appended as they are.
  EXPECT_EQ(StateKey("c", "\0\xff"s), "c\0\0\xff"s);
}

TEST(LayoutStateKey, CollectionRangeIsNulToOne) {
  EXPECT_EQ(CollectionPrefix("tasks"), "tasks\0"s);
  EXPECT_EQ(CollectionEnd("tasks"), "tasks\x01"s);
}

TEST(LayoutStateKey, OneCollectionsKeysAreExactlyThoseInItsRange) {
  // Collections chosen to sit next to "a" in byte order: a longer name with
  // the same prefix, one ending in 0x01 (the range end's last byte), and
  // neighbours either side.
  const std::vector<std::string> collections = {"a", "a\x01", "ab", "a\xff", "\x01", "b", "`"};
  const std::vector<std::string> keys = {"\0"s, "\0\0"s, "k", "\xff\xff", "zzz"};
  const std::string begin = CollectionPrefix("a"), end = CollectionEnd("a");
  for (const std::string& c : collections) {
    for (const std::string& k : keys) {
      std::string key = StateKey(c, k);
      bool in_range = begin <= key && key < end;
      EXPECT_EQ(in_range, c == "a") << "collection " << ::testing::PrintToString(c) << " key "
                                    << ::testing::PrintToString(k);
    }
  }
}

TEST(LayoutStateKey, SortsByPrimaryKeyBytewiseWithinACollection) {
  // Listed in the order a bytewise (unsigned) comparison puts them: a prefix
  // before its extensions, NUL lowest, 0x80 and above after ASCII.
  const std::vector<std::string> sorted_keys = {"\0"s, "A", "a", "a\0"s, "a\0b"s, "ab", "b",
                                                "\x7f", "\x80", "\xff"};
  std::vector<std::string> state_keys;
  for (const std::string& k : sorted_keys) state_keys.push_back(StateKey("c", k));
  EXPECT_TRUE(std::is_sorted(state_keys.begin(), state_keys.end()));
  EXPECT_EQ(std::adjacent_find(state_keys.begin(), state_keys.end()), state_keys.end());
}

TEST(LayoutParseStateKey, SplitsAtTheFirstNul) {
  // ParseStateKey returns views into its argument: keep the key alive.
  const std::string key = "tasks\0t1"s;
  auto parsed = ParseStateKey(key);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->first, "tasks");
  EXPECT_EQ(parsed->second, "t1");
  // A NUL in the primary key stays in the primary key: collection names
  // cannot hold one, so the first NUL is the separator.
  std::string with_nul = "c\0k\0\0x"s;
  parsed = ParseStateKey(with_nul);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->first, "c");
  EXPECT_EQ(parsed->second, "k\0\0x"s);
}

TEST(LayoutParseStateKey, RejectsKeysWithoutBothParts) {
  EXPECT_FALSE(ParseStateKey("").has_value());
  EXPECT_FALSE(ParseStateKey("no-separator").has_value());
  EXPECT_FALSE(ParseStateKey("\0key"s).has_value()) << "empty collection";
  EXPECT_FALSE(ParseStateKey("tasks\0"s).has_value()) << "empty primary key";
  EXPECT_FALSE(ParseStateKey("\0"s).has_value());
}

TEST(LayoutU64, IsEightBytesBigEndian) {
  EXPECT_EQ(EncodeU64(0), std::string(8, '\0'));
  EXPECT_EQ(EncodeU64(1), "\0\0\0\0\0\0\0\x01"s);
  EXPECT_EQ(EncodeU64(0x0102030405060708u), "\x01\x02\x03\x04\x05\x06\x07\x08"s);
  EXPECT_EQ(EncodeU64(std::numeric_limits<uint64_t>::max()), std::string(8, '\xff'));
}

TEST(LayoutU64, DecodesBigEndian) {
  EXPECT_EQ(DecodeU64("\x01\x02\x03\x04\x05\x06\x07\x08"s), 0x0102030405060708u);
  EXPECT_EQ(DecodeU64("\x80\0\0\0\0\0\0\xff"s), 0x80000000000000FFu);
  EXPECT_EQ(DecodeU64(std::string(8, '\xff')), std::numeric_limits<uint64_t>::max());
}

TEST(LayoutU64, RejectsAnyLengthButEight) {
  for (size_t n : {0, 1, 4, 7, 9, 16})
    EXPECT_FALSE(DecodeU64(std::string(n, '\x01')).has_value()) << n << " bytes";
}

TEST(LayoutLsnKey, ByteOrderIsLsnOrder) {
  // Pairs where little-endian or variable-length encodings would misorder.
  const std::vector<Lsn> sorted = {0,           1,           255,         256,
                                   65535,       65536,       1ull << 32,  (1ull << 32) + 1,
                                   1ull << 56,  (1ull << 63) - 1,       1ull << 63,
                                   std::numeric_limits<Lsn>::max()};
  for (size_t i = 0; i + 1 < sorted.size(); ++i)
    EXPECT_LT(LsnKey(sorted[i]), LsnKey(sorted[i + 1])) << sorted[i] << " vs " << sorted[i + 1];
}

TEST(LayoutLsnKey, ParsesBack) {
  EXPECT_EQ(ParseLsnKey("\0\0\0\0\0\0\x01\x00"s), Lsn{256});
  EXPECT_EQ(ParseLsnKey(LsnKey(1ull << 40)), Lsn{1ull << 40});
  EXPECT_FALSE(ParseLsnKey("\x01").has_value());
}

TEST(LayoutMeta, AckVersionKeyIsPrefixAndBigEndianLsn) {
  EXPECT_EQ(AckVersionKey(5), "ack_version/\0\0\0\0\0\0\0\x05"s);
  // Keys of higher lsns sort later, so a scan from an lsn finds the rest.
  EXPECT_LT(AckVersionKey(255), AckVersionKey(256));
}

TEST(LayoutMeta, NamesMatchTheDocumentedFormat) {
  // Renaming any of these makes existing databases unreadable.
  EXPECT_STREQ(kStateFamily, "state");
  EXPECT_STREQ(kJournalFamily, "journal");
  EXPECT_STREQ(kMetaFamily, "meta");
  EXPECT_STREQ(kSyncedFamily, "synced");
  EXPECT_STREQ(kMetaFormat, "format");
  EXPECT_STREQ(kFormatTag, "journaldb/1");
  EXPECT_STREQ(kMetaClientId, "client_id");
  EXPECT_STREQ(kMetaEpoch, "epoch");
  EXPECT_STREQ(kMetaDownloadCursor, "download_cursor");
  EXPECT_STREQ(kMetaDownloadHash, "download_hash");
  EXPECT_STREQ(kMetaUploadCursor, "upload_cursor");
  EXPECT_STREQ(kMetaSyncedOwnLsn, "synced_own_lsn");
  EXPECT_STREQ(kMetaBootstrapVersion, "bootstrap_version");
  EXPECT_STREQ(kMetaBootstrapAfter, "bootstrap_after");
  EXPECT_STREQ(kMetaLsnHighWater, "lsn_high_water");
  EXPECT_STREQ(kMetaJournalFloor, "journal_floor");
  EXPECT_STREQ(kMetaClientReset, "client_reset");
  EXPECT_STREQ(kMetaClientResetUnsynced, "client_reset_unsynced");
}

}  // namespace
}  // namespace journaldb::layout
