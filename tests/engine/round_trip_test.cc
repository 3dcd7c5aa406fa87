// Round trips through the whole engine: every op kind and every value type
// goes through commit, the journal reader (decode) and a reopen, and comes
// back unchanged.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "journaldb/database.h"
#include "support/db_checks.h"
#include "support/model.h"
#include "support/printers.h"
#include "support/temp_dir.h"
#include "support/value_samples.h"

namespace journaldb {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

std::unique_ptr<Database> OpenOrDie(const std::string& path, Options options = {}) {
  Result<std::unique_ptr<Database>> db = Database::Open(path, options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

Lsn CommitOrDie(Database& db, const std::vector<Operation>& ops) {
  Transaction txn = db.BeginTransaction();
  for (const Operation& op : ops) EXPECT_TRUE(txn.Write(op).ok()) << op.ToString();
  Result<Lsn> lsn = txn.Commit();
  EXPECT_TRUE(lsn.ok()) << lsn.status().ToString();
  return lsn.ok() ? *lsn : 0;
}

// Commits each transaction through the engine and the model, then checks
// state, journal (ops and before-images) and Verify, before and after reopen
// (read-write and read-only).
void RoundTrip(const std::vector<std::vector<Operation>>& transactions) {
  testing::TempDir dir;
  testing::Model model;
  std::vector<std::pair<std::vector<Operation>, std::vector<BeforeImage>>> expected;
  std::vector<testing::Model::Id> probes;
  std::vector<JournalEntry> journal_before_reopen;
  {
    auto db = OpenOrDie(dir.Sub("db"));
    ASSERT_NE(db, nullptr);
    for (const auto& ops : transactions) {
      expected.emplace_back(ops, model.ExpectedBeforeImages(ops));
      ASSERT_TRUE(model.ApplyTransaction(ops));
      for (const Operation& op : ops) probes.emplace_back(op.collection, op.key);
      EXPECT_EQ(CommitOrDie(*db, ops), expected.size());
    }
    EXPECT_EQ(testing::DiffStateWithModel(*db, model, probes), "");
    auto journal = testing::ReadWholeJournal(*db);
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    journal_before_reopen = *journal;
    EXPECT_EQ(testing::VerifyProblems(*db), "");
  }
  ASSERT_EQ(journal_before_reopen.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const JournalEntry& e = journal_before_reopen[i];
    EXPECT_EQ(e.lsn, i + 1);
    EXPECT_EQ(e.ops, expected[i].first) << "lsn " << e.lsn;
    EXPECT_EQ(e.before, expected[i].second) << "lsn " << e.lsn;
    EXPECT_GT(e.commit_time_us, 0);
  }
  for (bool read_only : {false, true}) {
    Options options;
    options.read_only = read_only;
    auto db = OpenOrDie(dir.Sub("db"), options);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(testing::DiffStateWithModel(*db, model, probes), "") << "read_only " << read_only;
    auto journal = testing::ReadWholeJournal(*db);
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    EXPECT_EQ(*journal, journal_before_reopen) << "read_only " << read_only;
    EXPECT_EQ(testing::VerifyProblems(*db), "");
  }
}

TEST(EngineRoundTrip, UpsertOfEveryValueTypeSurvivesCommitJournalAndReopen) {
  RoundTrip({{Operation::Upsert("tasks", "t1", testing::EveryValueKind())}});
}

TEST(EngineRoundTrip, ValuesKeepTheirExactBitsAndTypesAfterReopen) {
  testing::TempDir dir;
  {
    auto db = OpenOrDie(dir.Sub("db"));
    ASSERT_NE(db, nullptr);
    CommitOrDie(*db, {Operation::Upsert("tasks", "t1", testing::EveryValueKind())});
  }
  auto db = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db, nullptr);
  Result<Object> obj = db->Get("tasks", "t1");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_TRUE(std::signbit(obj->fields.at("double_neg_zero").as_double()));
  EXPECT_FALSE(std::signbit(obj->fields.at("double_zero").as_double()));
  EXPECT_TRUE(std::isnan(obj->fields.at("double_nan").as_double()));
  EXPECT_EQ(obj->fields.at("int_min").as_int(), kMin);
  EXPECT_EQ(obj->fields.at("string_nul").as_string(), std::string("a\0b", 3));
  EXPECT_EQ(obj->fields.at("string_empty").type(), ValueType::kString);
  EXPECT_EQ(obj->fields.at("bytes_empty").type(), ValueType::kBytes);
  EXPECT_EQ(obj->fields.at("bytes_all").as_bytes().size(), 256u);
  EXPECT_EQ(obj->fields.at("null").type(), ValueType::kNull);
}

TEST(EngineRoundTrip, EveryOpKindSurvivesCommitJournalAndReopen) {
  RoundTrip({
      {Operation::Upsert("tasks", "t1",
                         {{"title", Value::String("milk")},
                          {"views", Value::Int(kMax)},
                          {"blob", Value::BytesValue(std::string("\0\1", 2))}})},
      {Operation::Increment("tasks", "t1", "views", 1),  // wraps to min
       Operation::EraseField("tasks", "t1", "title"),
       Operation::Upsert("tasks", "t2", {{"x", Value::Double(-0.0)}})},
      {Operation::EraseObject("tasks", "t1"), Operation::Increment("counters", "c", "n", -5)},
      {Operation::Increment("counters", "c", "n", kMin)},
  });
}

TEST(EngineRoundTrip, IncrementWrapsAroundAtInt64Limits) {
  testing::TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db, nullptr);
  CommitOrDie(*db,
              {Operation::Increment("c", "k", "n", kMax), Operation::Increment("c", "k", "n", 1)});
  EXPECT_EQ(*db->GetField("c", "k", "n"), Value::Int(kMin));
  CommitOrDie(*db, {Operation::Increment("c", "k", "n", -1)});
  EXPECT_EQ(*db->GetField("c", "k", "n"), Value::Int(kMax));
}

TEST(EngineRoundTrip, IncrementOfAbsentObjectAndFieldStartsFromZero) {
  RoundTrip({{Operation::Increment("c", "k", "n", 7)},
             {Operation::Upsert("c", "j", {{"other", Value::Bool(true)}})},
             {Operation::Increment("c", "j", "n", -3)}});
}

TEST(EngineRoundTrip, KeysWithNulBytesAndInvalidUtf8AndOddCollectionNames) {
  RoundTrip({{Operation::Upsert("tasks", std::string("a\0b", 3), {{"f", Value::Int(1)}}),
              Operation::Upsert("tasks", "a", {{"f", Value::Int(2)}}),
              Operation::Upsert("tasks", "\xff\xfe", {{"f", Value::Int(3)}}),
              Operation::Upsert("t\xc3\xa4sks \xff", "k", {{"\xff field", Value::Int(4)}}),
              Operation::Upsert("ta", "k", {{"f", Value::Null()}}),
              Operation::Upsert("task", "k", {{"f", Value::Null()}})}});
}

TEST(EngineRoundTrip, EraseOfAbsentFieldOrObjectCommitsAndChangesNothing) {
  RoundTrip({{Operation::EraseField("tasks", "nobody", "f")},
             {Operation::EraseObject("tasks", "nobody")},
             {Operation::Upsert("tasks", "t1", {{"a", Value::Int(1)}})},
             {Operation::EraseField("tasks", "t1", "missing")}});
}

TEST(EngineRoundTrip, ObjectTouchedTwiceInOneTransactionGetsOneBeforeImagePerField) {
  testing::TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db, nullptr);
  CommitOrDie(*db,
              {Operation::Upsert("tasks", "t1", {{"a", Value::Int(1)}, {"b", Value::Int(2)}})});
  CommitOrDie(*db,
              {Operation::Upsert("tasks", "t1", {{"a", Value::String("x")}}),
               Operation::Increment("tasks", "t1", "b", 5),
               Operation::Upsert("tasks", "t1", {{"c", Value::Null()}}),
               Operation::EraseObject("tasks", "t1"), Operation::Increment("tasks", "t1", "b", 1)});
  auto journal = testing::ReadWholeJournal(*db, 2);
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  ASSERT_EQ(journal->size(), 1u);
  std::vector<BeforeImage> want = {
      {"tasks", "t1", "a", true, Value::Int(1)},
      {"tasks", "t1", "b", true, Value::Int(2)},
      {"tasks", "t1", "c", true, std::nullopt},
  };
  EXPECT_EQ(journal->front().before, want);
  Result<Object> obj = db->Get("tasks", "t1");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_EQ(obj->fields, (FieldMap{{"b", Value::Int(1)}}));
  EXPECT_EQ(testing::VerifyProblems(*db), "");
}

TEST(EngineRoundTrip, ReadJournalFromTheMiddleStartsAtThatLsn) {
  testing::TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db, nullptr);
  for (int i = 0; i < 5; ++i) CommitOrDie(*db, {Operation::Increment("c", "k", "n", i)});
  auto tail = testing::ReadWholeJournal(*db, 4);
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ((*tail)[0].lsn, 4u);
  EXPECT_EQ((*tail)[1].lsn, 5u);
  auto past_end = testing::ReadWholeJournal(*db, 6);
  ASSERT_TRUE(past_end.ok());
  EXPECT_TRUE(past_end->empty());
}

TEST(EngineRoundTrip, LsnsContinueAfterReopenWithoutReuse) {
  testing::TempDir dir;
  {
    auto db = OpenOrDie(dir.Sub("db"));
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(CommitOrDie(*db, {Operation::Increment("c", "k", "n", 1)}), 1u);
    EXPECT_EQ(CommitOrDie(*db, {Operation::Increment("c", "k", "n", 1)}), 2u);
  }
  auto db = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(CommitOrDie(*db, {Operation::EraseObject("c", "k")}), 3u);
  Result<DatabaseInfo> info = db->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->last_lsn, 3u);
  EXPECT_EQ(info->journal_entries, 3u);
  EXPECT_EQ(info->objects, 0u);
}

}  // namespace
}  // namespace journaldb
