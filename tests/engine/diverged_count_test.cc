// CountJournalAfter (journaldb/engine/diverged_count.h): counts from the
// tallies of the two end entries, a full read where the run of tallies is
// broken (an entry written without one, as by a version from before
// tallies), and corruption for a damaged end entry.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "journaldb/database.h"
#include "journaldb/engine/diverged_count.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "support/raw_rocks.h"
#include "support/status_assertions.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

// Commits `n_ops` upserts of distinct keys as one transaction.
void CommitUpserts(Database& db, int n_ops, const std::string& prefix) {
  Transaction txn = db.BeginTransaction();
  for (int i = 0; i < n_ops; ++i)
    ASSERT_TRUE(txn.Upsert("c", prefix + std::to_string(i), {{"f", Value::Int(i)}}).ok());
  ASSERT_TRUE(txn.Commit().ok());
}

// The counts by reading every entry above `after`.
DivergedCount CountByReading(const Database& db, Lsn after) {
  DivergedCount c;
  JournalReader r = db.ReadJournal(after + 1);
  for (; r.Valid(); r.Next()) {
    if (c.first_lsn == 0) c.first_lsn = r.entry().lsn;
    c.last_lsn = r.entry().lsn;
    ++c.entries;
    c.ops += r.entry().ops.size();
  }
  EXPECT_TRUE(r.status().ok()) << r.status().ToString();
  return c;
}

void ExpectSameCounts(const DivergedCount& got, const DivergedCount& want, Lsn after) {
  EXPECT_EQ(got.first_lsn, want.first_lsn) << "after " << after;
  EXPECT_EQ(got.last_lsn, want.last_lsn) << "after " << after;
  EXPECT_EQ(got.entries, want.entries) << "after " << after;
  EXPECT_EQ(got.ops, want.ops) << "after " << after;
}

std::unique_ptr<Database> OpenOrDie(const std::string& path) {
  auto db = Database::Open(path, {});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(DivergedCount, TalliesGiveTheCountsOfAFullReadAcrossReopens) {
  testing::TempDir dir;
  const std::string path = dir.Sub("db");
  for (int round = 0; round < 3; ++round) {
    auto db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    for (int t = 1; t <= 4; ++t) CommitUpserts(*db, t + round, fmt::format("r{}t{}k", round, t));
  }
  auto db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  for (Lsn after = 0; after <= 13; ++after) {
    Result<DivergedCount> got = CountJournalAfter(*db, after);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ExpectSameCounts(*got, CountByReading(*db, after), after);
    EXPECT_EQ(got->from_tallies, after < 12) << "after " << after;
  }
}

// lsn 1-3 with tallies, lsn 4 without (an older writer), then a reopen that
// finds no tally on the last entry and starts a new run for lsn 5-6.
TEST(DivergedCount, AnEntryWithoutTallyFallsBackToAFullReadAcrossIt) {
  testing::TempDir dir;
  const std::string path = dir.Sub("db");
  {
    auto db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    for (int t = 1; t <= 3; ++t) CommitUpserts(*db, t, fmt::format("a{}k", t));
  }
  {
    std::string error;
    auto raw = testing::RawRocks::Open(path, &error);
    ASSERT_NE(raw, nullptr) << error;
    JournalEntry old;
    old.lsn = 4;
    old.ops.push_back(Operation::Upsert("c", "old", {{"f", Value::Int(1)}}));
    old.ops.push_back(Operation::Upsert("c", "old2", {{"f", Value::Int(2)}}));
    ASSERT_TRUE(raw->Put(layout::kJournalFamily, layout::LsnKey(4), codec::EncodeEntry(old)).ok());
  }
  auto db = OpenOrDie(path);
  ASSERT_NE(db, nullptr);
  CommitUpserts(*db, 5, "b5k");
  CommitUpserts(*db, 6, "b6k");
  for (Lsn after = 0; after <= 6; ++after) {
    Result<DivergedCount> got = CountJournalAfter(*db, after);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ExpectSameCounts(*got, CountByReading(*db, after), after);
    // Only a range that starts after the entry without a tally is counted
    // from tallies.
    EXPECT_EQ(got->from_tallies, after >= 4 && after < 6) << "after " << after;
  }
}

TEST(DivergedCount, ADamagedEndEntryIsCorruptionNamingItsLsn) {
  testing::TempDir dir;
  const std::string path = dir.Sub("db");
  {
    auto db = OpenOrDie(path);
    ASSERT_NE(db, nullptr);
    for (int t = 1; t <= 3; ++t) CommitUpserts(*db, 2, fmt::format("a{}k", t));
  }
  {
    std::string error;
    auto raw = testing::RawRocks::Open(path, &error);
    ASSERT_NE(raw, nullptr) << error;
    ASSERT_TRUE(raw->Put(layout::kJournalFamily, layout::LsnKey(3), "not an entry").ok());
  }
  Options read_only;
  read_only.read_only = true;
  auto db = Database::Open(path, read_only);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Result<DivergedCount> got = CountJournalAfter(**db, 0);
  ASSERT_TRUE(got.status().IsCorruption()) << got.status().ToString();
  EXPECT_NE(got.status().message().find("lsn 3"), std::string::npos) << got.status().ToString();
}

}  // namespace
}  // namespace journaldb
