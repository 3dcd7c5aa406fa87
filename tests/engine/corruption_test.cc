// Damaged bytes on disk (planted with raw RocksDB into a closed database):
// every read that meets them returns corruption naming the lsn or key, reads
// never skip past them silently, and undamaged data stays readable.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "journaldb/database.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "support/db_checks.h"
#include "support/hostile_entries.h"
#include "support/printers.h"
#include "support/raw_rocks.h"
#include "support/status_assertions.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

using testing::HasError;

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// A closed database with three entries: lsn 1 and 2 upsert tasks/t1 and
// tasks/t2, lsn 3 increments tasks/t3.
class DamagedDatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Sub("db");
    auto db = Database::Open(path_, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    for (const Operation& op : {Operation::Upsert("tasks", "t1", {{"title", Value::String("a")}}),
                                Operation::Upsert("tasks", "t2", {{"title", Value::String("b")}}),
                                Operation::Increment("tasks", "t3", "n", 1)}) {
      Transaction txn = (*db)->BeginTransaction();
      ASSERT_TRUE(txn.Write(op).ok());
      ASSERT_TRUE(txn.Commit().ok());
    }
  }

  // Runs `change` on the closed database through raw RocksDB.
  void Plant(const std::function<void(testing::RawRocks&)>& change) {
    std::string error;
    auto raw = testing::RawRocks::Open(path_, &error);
    ASSERT_NE(raw, nullptr) << error;
    change(*raw);
  }
  void PlantJournalValue(Lsn lsn, const std::string& bytes) {
    Plant([&](testing::RawRocks& r) {
      ASSERT_TRUE(r.Put(layout::kJournalFamily, layout::LsnKey(lsn), bytes).ok());
    });
  }
  std::string JournalValue(Lsn lsn) {
    std::string out;
    Plant([&](testing::RawRocks& r) {
      auto v = r.Get(layout::kJournalFamily, layout::LsnKey(lsn));
      ASSERT_TRUE(v.has_value());
      out = *v;
    });
    return out;
  }
  void PlantObject(const std::string& key, const std::string& bytes) {
    Plant([&](testing::RawRocks& r) {
      ASSERT_TRUE(r.Put(layout::kStateFamily, layout::StateKey("tasks", key), bytes).ok());
    });
  }

  std::unique_ptr<Database> Open(Options options = {}) {
    auto db = Database::Open(path_, options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // Entry 2 is damaged: reading from 1 yields entry 1, then stops with a
  // corruption naming lsn 2 and the `needles` (entry 3 is not skipped to);
  // reading from 3 still works; Verify reports lsn 2.
  void ExpectEntryTwoReportedAsCorrupt(std::initializer_list<std::string_view> needles) {
    auto db = Open();
    ASSERT_NE(db, nullptr);
    JournalReader r = db->ReadJournal(1);
    ASSERT_TRUE(r.Valid()) << r.status().ToString();
    EXPECT_EQ(r.entry().lsn, 1u);
    r.Next();
    EXPECT_FALSE(r.Valid()) << "read past the damaged entry to lsn " << r.entry().lsn;
    EXPECT_TRUE(HasError(r.status(), StatusCode::kCorruption, {"lsn 2"}));
    EXPECT_TRUE(HasError(r.status(), StatusCode::kCorruption, needles));
    r.Next();  // stays ended
    EXPECT_FALSE(r.Valid());

    JournalReader from_two = db->ReadJournal(2);
    EXPECT_FALSE(from_two.Valid());
    EXPECT_TRUE(HasError(from_two.status(), StatusCode::kCorruption, {"lsn 2"}));

    JournalReader from_three = db->ReadJournal(3);
    ASSERT_TRUE(from_three.Valid()) << from_three.status().ToString();
    EXPECT_EQ(from_three.entry().lsn, 3u);

    Result<VerifyReport> v = db->Verify();
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_FALSE(v->ok());
    bool named = false;
    for (const std::string& p : v->problems) named |= p.find("lsn 2") != std::string::npos;
    EXPECT_TRUE(named) << "Verify problems do not name lsn 2: " << testing::VerifyProblems(*db);

    // The state itself is intact and still readable.
    Result<Object> t2 = db->Get("tasks", "t2");
    ASSERT_TRUE(t2.ok()) << t2.status().ToString();
    EXPECT_EQ(t2->fields.at("title"), Value::String("b"));
  }

  testing::TempDir dir_;
  std::string path_;
};

TEST_F(DamagedDatabase, RandomBytesJournalValueIsCorruptionNamingLsn) {
  PlantJournalValue(2, RandomBytes(64, 1));
  ExpectEntryTwoReportedAsCorrupt({});
}

TEST_F(DamagedDatabase, EmptyJournalValueIsCorruptionNamingLsn) {
  PlantJournalValue(2, "");
  ExpectEntryTwoReportedAsCorrupt({"truncated"});
}

TEST_F(DamagedDatabase, TruncatedJournalValueIsCorruptionNamingLsn) {
  std::string value = JournalValue(2);
  PlantJournalValue(2, value.substr(0, value.size() / 2));
  ExpectEntryTwoReportedAsCorrupt({});
}

TEST_F(DamagedDatabase, JournalValueCutBelowHeaderIsCorruptionNamingLsn) {
  PlantJournalValue(2, JournalValue(2).substr(0, 5));
  ExpectEntryTwoReportedAsCorrupt({"truncated"});
}

TEST_F(DamagedDatabase, JournalValueWithBadFileIdentifierIsCorruptionNamingLsn) {
  std::string value = JournalValue(2);
  value.replace(4, 4, "XXXX");
  PlantJournalValue(2, value);
  ExpectEntryTwoReportedAsCorrupt({"identifier"});
}

TEST_F(DamagedDatabase, EntryWhoseLsnDiffersFromItsKeyIsCorruptionNamingBoth) {
  PlantJournalValue(2, JournalValue(3));  // records lsn 3, stored under 2
  ExpectEntryTwoReportedAsCorrupt({"lsn 3"});
}

TEST_F(DamagedDatabase, UnknownOpKindIsCorruptionNamingLsnNotSkipped) {
  PlantJournalValue(2, testing::EntryWithOpType(2, 9));
  ExpectEntryTwoReportedAsCorrupt({"unknown op kind 9"});
}

TEST_F(DamagedDatabase, OutOfRangeValueTypeIsCorruptionNamingLsnAndField) {
  PlantJournalValue(2, testing::EntryWithValueType(2, 8));
  ExpectEntryTwoReportedAsCorrupt({"unknown value type 8", "title"});
}

TEST_F(DamagedDatabase, UnknownFormatVersionIsCorruptionNamingLsnAndVersion) {
  PlantJournalValue(2, testing::EntryWithFormatVersion(2, 2));
  ExpectEntryTwoReportedAsCorrupt({"format version 2"});
}

TEST_F(DamagedDatabase, MissingJournalEntryIsAnLsnGapInVerify) {
  Plant([](testing::RawRocks& r) {
    ASSERT_TRUE(r.Delete(layout::kJournalFamily, layout::LsnKey(2)).ok());
  });
  auto db = Open();
  ASSERT_NE(db, nullptr);
  Result<VerifyReport> v = db->Verify();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_NE(testing::VerifyProblems(*db).find("expected lsn 2"), std::string::npos)
      << testing::VerifyProblems(*db);
}

TEST_F(DamagedDatabase, JournalEntryThatDisagreesWithStateFailsVerifyNamingTheObject) {
  // A well-formed entry 2 describing a different write than the state holds.
  JournalEntry e;
  e.lsn = 2;
  e.ops = {Operation::Upsert("tasks", "t2", {{"title", Value::String("other")}})};
  e.before = {{"tasks", "t2", "title", false, std::nullopt}};
  PlantJournalValue(2, codec::EncodeEntry(e));
  auto db = Open();
  ASSERT_NE(db, nullptr);
  std::string problems = testing::VerifyProblems(*db);
  EXPECT_NE(problems.find("t2"), std::string::npos) << problems;
}

TEST_F(DamagedDatabase, CorruptObjectIsCorruptionFromGetScanVerifyAndCommit) {
  PlantObject("t2", RandomBytes(40, 2));
  auto db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(HasError(db->Get("tasks", "t2").status(), StatusCode::kCorruption, {"tasks", "t2"}));
  EXPECT_TRUE(
      HasError(db->GetField("tasks", "t2", "title").status(), StatusCode::kCorruption, {"t2"}));
  EXPECT_TRUE(db->Get("tasks", "t1").ok());

  // Scan yields t1, then stops at t2 with corruption; t3 is not skipped to.
  ObjectIterator it = db->Scan("tasks");
  ASSERT_TRUE(it.Valid()) << it.status().ToString();
  EXPECT_EQ(it.object().key, "t1");
  it.Next();
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(HasError(it.status(), StatusCode::kCorruption, {"tasks", "t2"}));

  std::string problems = testing::VerifyProblems(*db);
  EXPECT_NE(problems.find("t2"), std::string::npos) << problems;

  // A commit that must read the damaged object fails and writes nothing.
  Transaction txn = db->BeginTransaction();
  ASSERT_TRUE(txn.Upsert("tasks", "t2", {{"title", Value::String("c")}}).ok());
  EXPECT_TRUE(HasError(txn.Commit().status(), StatusCode::kCorruption, {"t2"}));
  Result<DatabaseInfo> info = db->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->last_lsn, 3u);
}

TEST_F(DamagedDatabase, ObjectWithOutOfRangeValueTypeIsCorruptionNamingKeyAndField) {
  PlantObject("t1", testing::ObjectWithValueType(42));
  auto db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(
      HasError(db->Get("tasks", "t1").status(), StatusCode::kCorruption, {"t1", "title", "42"}));
  ObjectIterator it = db->Scan("tasks");
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(HasError(it.status(), StatusCode::kCorruption, {"t1"}));
}

TEST_F(DamagedDatabase, TruncatedObjectIsCorruptionNamingKey) {
  std::string value;
  Plant([&](testing::RawRocks& r) {
    auto v = r.Get(layout::kStateFamily, layout::StateKey("tasks", "t3"));
    ASSERT_TRUE(v.has_value());
    value = *v;
  });
  PlantObject("t3", value.substr(0, value.size() - 6));
  auto db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(HasError(db->Get("tasks", "t3").status(), StatusCode::kCorruption, {"t3"}));
}

TEST_F(DamagedDatabase, MalformedMetaNumberRefusesOpenNamingTheKey) {
  Plant([](testing::RawRocks& r) {
    ASSERT_TRUE(r.Put(layout::kMetaFamily, layout::kMetaLsnHighWater, "abc").ok());
  });
  auto db = Database::Open(path_, {});
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(HasError(db.status(), StatusCode::kCorruption, {layout::kMetaLsnHighWater, path_}));
}

TEST_F(DamagedDatabase, MalformedJournalKeyRefusesOpenNamingThePath) {
  // A 5-byte key sorts after every 8-byte lsn key that starts with zeros.
  Plant([](testing::RawRocks& r) {
    ASSERT_TRUE(r.Put(layout::kJournalFamily, std::string("\0\0\0\0\x09", 5), "x").ok());
  });
  auto db = Database::Open(path_, {});
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(HasError(db.status(), StatusCode::kCorruption, {path_, "malformed key"}));
}

TEST_F(DamagedDatabase, WrongFormatTagRefusesOpen) {
  Plant([](testing::RawRocks& r) {
    ASSERT_TRUE(r.Put(layout::kMetaFamily, layout::kMetaFormat, "journaldb/99").ok());
  });
  auto db = Database::Open(path_, {});
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(HasError(db.status(), StatusCode::kFailedPrecondition, {path_, "journaldb/99"}));
}

}  // namespace
}  // namespace journaldb
