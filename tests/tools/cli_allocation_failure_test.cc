// An allocation failure (std::bad_alloc) inside a `journal` command, in a
// binary whose operator new a test makes fail once (support/
// failing_allocator.h): the command ends with exit 1 and a message saying
// what it means, not with abort, the database is closed and left as it was
// or with the whole commit, and the same command run again commits.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "cli_in_process.h"
#include "journaldb/database.h"
#include "support/db_checks.h"
#include "support/failing_allocator.h"
#include "support/temp_dir.h"

namespace journaldb::cli {
namespace {

using testing::FailingThreads;

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
  ASSERT_TRUE(f.good()) << path;
}

// The journal's lsns, the value of c/big's field v and what Verify finds.
struct DbState {
  std::vector<Lsn> lsns;
  std::string value;
  std::string problems;
};

DbState ReadState(const std::string& path) {
  DbState state;
  auto db = Database::Open(path, Options{});
  EXPECT_TRUE(db.ok()) << "the command left the database unopenable: " << db.status().ToString();
  if (!db.ok()) return state;
  Result<std::vector<JournalEntry>> entries = testing::ReadWholeJournal(**db);
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  if (entries.ok())
    for (const JournalEntry& e : *entries) state.lsns.push_back(e.lsn);
  Result<Object> big = (*db)->Get("c", "big");
  EXPECT_TRUE(big.ok()) << big.status().ToString();
  if (big.ok() && big->fields.count("v")) state.value = big->fields.at("v").as_string();
  state.problems = testing::VerifyProblems(**db);
  return state;
}

class CliAllocationFailure : public ::testing::Test {
 protected:
  void SetUp() override { testing::ResetAllocationFailures(); }
  void TearDown() override { testing::DisarmAllocationFailure(); }
  testing::TempDir dir_;
};

// `journal put DB c big v=@FILE` replacing a 1.5 MiB value, each allocation
// of the value's size + 1 failed in turn: the open's decoding of the last
// journal entry (the first put's), then the commit's decoding of the stored
// object and its two copies (working copy, before-image). Every attempt ends
// with exit 1 and the out-of-memory message, having committed nothing (the
// journal holds only the first put, the value is the old one, Verify is
// clean, and the next attempt can open the database: the failed one closed
// it); once none is left to fail, the put commits lsn 2.
TEST_F(CliAllocationFailure, EachFailedAllocationOfAPutEndsTheCommandAndCommitsNothing) {
  constexpr size_t kValueBytes = 3u << 19;  // no other allocation of its size + 1
  const std::string db = dir_.Sub("app.db");
  const std::string old_value(kValueBytes, 'a');
  const std::string new_value(kValueBytes, 'b');
  WriteFile(dir_.Sub("old"), old_value);
  WriteFile(dir_.Sub("new"), new_value);
  CliRun first = Cli({"put", db, "c", "big", "v=@" + dir_.Sub("old")});
  ASSERT_EQ(first.code, 0) << first.err;
  ASSERT_EQ(first.out, "committed lsn 1\n");

  int thrown = 0;
  for (int skip = 0;; ++skip) {
    ASSERT_LT(skip, 64) << "the put kept allocating";
    testing::ResetAllocationFailures();
    testing::FailAllocationOfSize(kValueBytes + 1, skip, FailingThreads::kThisOne);
    CliRun r = Cli({"put", db, "c", "big", "v=@" + dir_.Sub("new")});
    testing::DisarmAllocationFailure();
    if (testing::AllocationFailures() == 0) {
      EXPECT_EQ(r.code, 0) << r.err;
      EXPECT_EQ(r.out, "committed lsn 2\n");
      break;
    }
    ++thrown;
    EXPECT_EQ(r.code, 1) << "after failing allocation " << skip << ": " << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("journal: out of memory (std::bad_alloc): the command stopped"),
              std::string::npos)
        << r.err;
    DbState state = ReadState(db);
    EXPECT_EQ(state.lsns, std::vector<Lsn>{1}) << "after failing allocation " << skip;
    EXPECT_TRUE(state.value == old_value) << "after failing allocation " << skip;
    EXPECT_EQ(state.problems, "");
  }
  EXPECT_GE(thrown, 4);  // one inside the open, three inside the commit
  DbState state = ReadState(db);
  EXPECT_EQ(state.lsns, (std::vector<Lsn>{1, 2}));
  EXPECT_TRUE(state.value == new_value);
  EXPECT_EQ(state.problems, "");
}

}  // namespace
}  // namespace journaldb::cli
