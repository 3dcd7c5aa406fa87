// Crash test (guarantee 1, atomic commit): a child process commits workload
// transactions and reports each acknowledged lsn through a pipe; the parent
// SIGKILLs it at random moments, reopens the database and checks that
//  - every acknowledged lsn is in the journal, holding the transaction the
//    child said it committed, and its effects are in the state;
//  - no transaction is partial: every entry equals the full transaction its
//    (writer, seq) names, the state equals an independent model folded from
//    the journal, and Verify() (state == fold of the journal) is clean;
//  - lsns run 1..n without gaps and no lsn is acknowledged twice;
// then the next child continues on the same database.
//
// JOURNALDB_CRASH_KILLS sets the total number of kills (default 200: three
// quarters single-writer buffered, one quarter four writer threads with
// per-commit fsync, i.e. group commit); JOURNALDB_CRASH_SEED replays a run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "crash_workload.h"
#include "journaldb/database.h"
#include "support/child_process.h"
#include "support/db_checks.h"
#include "support/model.h"
#include "support/printers.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

struct Ack {
  Lsn lsn;
  int writer;
  uint64_t seq;
};

class CrashTest : public ::testing::Test {
 protected:
  // Runs `kills` child lifetimes of `threads` writers each.
  void Run(uint64_t kills, int threads, bool sync) {
    const uint64_t seed = testing::CrashSeedFromEnv() ^ (sync ? 0x5eed : 0);
    std::cout << "crash test: JOURNALDB_CRASH_SEED=" << testing::CrashSeedFromEnv()
              << " kills=" << kills << " threads=" << threads << " sync=" << sync << std::endl;
    std::mt19937_64 rng(seed);
    testing::TempDir dir;
    const std::string path = dir.Sub("db");
    for (uint64_t round = 0; round < kills; ++round) {
      SCOPED_TRACE("round " + std::to_string(round) + " seed " +
                   std::to_string(testing::CrashSeedFromEnv()));
      std::vector<Ack> acks;
      ASSERT_NO_FATAL_FAILURE(RunChildAndKill(path, seed, threads, sync, round, rng, acks));
      ASSERT_NO_FATAL_FAILURE(CheckAfterCrash(path, seed, acks));
      total_acks_ += acks.size();
    }
    std::cout << "crash test: " << kills << " kills, " << total_acks_ << " acknowledged commits, "
              << identity_.size() << " journal entries" << std::endl;
    // The run must have exercised commits, not only kills during open.
    EXPECT_GT(total_acks_, 0u);
  }

 private:
  void RunChildAndKill(const std::string& path, uint64_t seed, int threads, bool sync,
                       uint64_t round, std::mt19937_64& rng, std::vector<Ack>& acks) {
    std::string error;
    auto child =
        testing::ChildProcess::Start({JOURNALDB_CRASH_WRITER_PATH, path, std::to_string(seed),
                                      std::to_string(threads), sync ? "1" : "0"},
                                     &error);
    ASSERT_NE(child, nullptr) << error;
    // The kill moment: after a random number of acknowledgements (0: while
    // the child may still be opening or recovering), sometimes a little later
    // still, so kills land anywhere in the commit path. The first round lets
    // the database be created completely (CreationCrash covers kills there).
    const uint64_t wait_for = round == 0 ? 1 : rng() % 40;
    auto parse = [&](const std::string& line) {
      std::istringstream in(line);
      Ack a{};
      in >> a.lsn >> a.writer >> a.seq;
      ASSERT_FALSE(in.fail()) << "bad report line: " << line;
      acks.push_back(a);
    };
    for (uint64_t i = 0; i < wait_for; ++i) {
      std::optional<std::string> line = child->ReadLine();
      ASSERT_TRUE(line.has_value()) << "child ended on its own: wait status " << child->Wait();
      ASSERT_NO_FATAL_FAILURE(parse(*line));
    }
    if (rng() % 3 == 0) usleep(static_cast<useconds_t>(rng() % 2000));
    child->Kill(SIGKILL);
    // Acknowledgements written before the kill are still in the pipe.
    while (std::optional<std::string> line = child->ReadLine())
      ASSERT_NO_FATAL_FAILURE(parse(*line));
    int status = child->Wait();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child was not killed but ended with wait status " << status;
  }

  void CheckAfterCrash(const std::string& path, uint64_t seed, const std::vector<Ack>& acks) {
    Result<std::unique_ptr<Database>> db = Database::Open(path, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    // New entries since the last check: contiguous, each a whole workload
    // transaction, each writer's seqs consecutive (none lost, none doubled).
    JournalReader reader = (*db)->ReadJournal(1);
    Lsn expected = 1;
    for (; reader.Valid(); reader.Next(), ++expected) {
      const JournalEntry& e = reader.entry();
      ASSERT_EQ(e.lsn, expected) << "lsn gap";
      if (e.lsn <= identity_.size()) continue;  // checked after an earlier kill
      auto id = testing::WorkloadIdentity(e.ops);
      ASSERT_TRUE(id.has_value()) << "lsn " << e.lsn << " is not a workload transaction";
      auto [writer, seq] = *id;
      ASSERT_EQ(seq, last_seq_[writer] + 1) << "lsn " << e.lsn << " writer " << writer;
      ASSERT_EQ(e.ops, testing::CrashWorkloadTransaction(seed, writer, seq))
          << "lsn " << e.lsn << " is not the whole transaction of writer " << writer << " seq "
          << seq;
      ASSERT_EQ(e.before, model_.ExpectedBeforeImages(e.ops)) << "lsn " << e.lsn;
      ASSERT_TRUE(model_.ApplyTransaction(e.ops)) << "lsn " << e.lsn;
      last_seq_[writer] = seq;
      identity_.emplace_back(writer, seq);
    }
    ASSERT_TRUE(reader.status().ok()) << reader.status().ToString();
    ASSERT_EQ(expected - 1, identity_.size()) << "journal shrank after a crash";
    Result<DatabaseInfo> info = (*db)->Info();
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->last_lsn, identity_.size());
    EXPECT_EQ(info->journal_entries, identity_.size());
    // Every acknowledged commit is there, as the transaction acknowledged.
    for (const Ack& a : acks) {
      ASSERT_GE(a.lsn, 1u);
      ASSERT_LE(a.lsn, identity_.size()) << "acknowledged lsn " << a.lsn << " lost";
      EXPECT_EQ(identity_[a.lsn - 1], std::make_pair(a.writer, a.seq))
          << "acknowledged lsn " << a.lsn << " holds another transaction";
      ASSERT_TRUE(acked_lsns_.insert(a.lsn).second) << "lsn " << a.lsn << " acknowledged twice";
    }
    EXPECT_EQ(testing::DiffStateWithModel(**db, model_), "");
    EXPECT_EQ(testing::VerifyProblems(**db), "");
  }

  testing::Model model_;                            // fold of the checked journal prefix
  std::vector<std::pair<int, uint64_t>> identity_;  // (writer, seq) by lsn - 1
  std::map<int, uint64_t> last_seq_;
  std::set<Lsn> acked_lsns_;
  uint64_t total_acks_ = 0;
};

TEST_F(CrashTest, SigkilledBufferedWriterLosesNoAcknowledgedCommitAndLeavesNoPartialOne) {
  Run(testing::CrashKillsFromEnv() - testing::CrashKillsFromEnv() / 4, /*threads=*/1,
      /*sync=*/false);
}

TEST_F(CrashTest, SigkilledGroupCommitWritersLoseNoAcknowledgedCommitAndLeaveNoPartialOne) {
  Run(testing::CrashKillsFromEnv() / 4, /*threads=*/4, /*sync=*/true);
}

}  // namespace
}  // namespace journaldb
