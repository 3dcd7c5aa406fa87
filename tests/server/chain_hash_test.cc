// NextChainHash: every byte it covers changes the hash, the store time does
// not, and the chain depends on the order of its changesets.
#include "journaldb/server/chain_hash.h"

#include <gtest/gtest.h>

#include "journaldb/journal/codec.h"

namespace journaldb::server {
namespace {

wire::Changeset Sample() {
  JournalEntry e;
  e.lsn = 4;
  e.ops.push_back(Operation::Upsert("tasks", "t1", {{"title", Value::String("milk")}}));
  return {9, 2, 4, 77, codec::EncodeEntry(e), {}};
}

ChainHash Next(const ChainHash& previous, const wire::Changeset& c) {
  Result<ChainHash> h = NextChainHash(previous, c);
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? *h : kChainStart;
}

TEST(ChainHash, EveryEntryByteAndEveryNumberChangesTheHash) {
  const wire::Changeset base = Sample();
  const ChainHash reference = Next(kChainStart, base);
  for (size_t i = 0; i < base.bytes.size(); ++i) {
    wire::Changeset c = base;
    c.bytes[i] ^= 0x01;
    EXPECT_NE(Next(kChainStart, c), reference) << "entry byte " << i;
  }
  for (uint64_t wire::Changeset::*field :
       {&wire::Changeset::server_version, &wire::Changeset::origin_client,
        &wire::Changeset::origin_lsn}) {
    wire::Changeset c = base;
    c.*field += 1;
    EXPECT_NE(Next(kChainStart, c), reference);
  }
  wire::Changeset longer = base;
  longer.bytes.push_back('\0');
  EXPECT_NE(Next(kChainStart, longer), reference);
}

TEST(ChainHash, ThePreviousHashChangesItAndTheStoreTimeDoesNot) {
  const wire::Changeset base = Sample();
  const ChainHash reference = Next(kChainStart, base);
  for (size_t i = 0; i < kChainStart.size(); ++i) {
    ChainHash previous = kChainStart;
    previous[i] = 1;
    EXPECT_NE(Next(previous, base), reference) << "previous hash byte " << i;
  }
  wire::Changeset later = base;
  later.server_time_us += 1000000;
  EXPECT_EQ(Next(kChainStart, later), reference);
}

}  // namespace
}  // namespace journaldb::server
