// Concurrent writers and snapshot readers: commits from many threads get
// lsns 1..N exactly once each, in the order each thread committed them;
// readers under a snapshot never see half a transaction; Verify is clean.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "journaldb/database.h"
#include "support/db_checks.h"
#include "support/printers.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

// Each commit increments pair/a.n and pair/b.n together and upserts the
// writer's own object, so any snapshot must see a.n == b.n and a.n equal to
// the number of entries the snapshot holds.
void RunWritersAndReaders(Durability durability, int writers, int commits_per_writer) {
  testing::TempDir dir;
  Options options;
  options.durability = durability;
  auto opened = Database::Open(dir.Sub("db"), options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Database& db = **opened;

  std::vector<std::vector<Lsn>> lsns(static_cast<size_t>(writers));
  std::atomic<int> writers_running{writers};
  std::atomic<uint64_t> snapshot_reads{0};
  std::atomic<bool> reader_failed{false};
  std::vector<std::string> failures(2);

  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      // Keeps reading until every writer is done, then once more.
      for (bool last = false; !last;) {
        last = writers_running.load() == 0;
        std::unique_ptr<Snapshot> snap = db.GetSnapshot();
        ReadOptions ro;
        ro.snapshot = snap.get();
        Result<Value> a = db.GetField("pair", "a", "n", ro);
        Result<Value> b = db.GetField("pair", "b", "n", ro);
        if (a.ok() != b.ok() || (a.ok() && !(*a == *b))) {
          failures[static_cast<size_t>(r)] =
              "snapshot saw half a transaction: a=" +
              (a.ok() ? a->ToString() : a.status().ToString()) +
              " b=" + (b.ok() ? b->ToString() : b.status().ToString());
          reader_failed = true;
          return;
        }
        // The scan under the same snapshot agrees with the point reads.
        Result<std::vector<Object>> pair = testing::ScanAll(db, "pair", ro);
        if (!pair.ok() || (a.ok() && (pair->size() != 2 || !(pair->at(0).fields.at("n") == *a) ||
                                      !(pair->at(1).fields.at("n") == *a)))) {
          failures[static_cast<size_t>(r)] = "scan under a snapshot disagrees with Get";
          reader_failed = true;
          return;
        }
        ++snapshot_reads;
      }
    });
  }

  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < commits_per_writer; ++i) {
        Transaction txn = db.BeginTransaction();
        Status s1 = txn.Increment("pair", "a", "n", 1);
        Status s2 = txn.Increment("pair", "b", "n", 1);
        Status s3 = txn.Upsert("writers", "w" + std::to_string(w), {{"i", Value::Int(i)}});
        Result<Lsn> lsn = txn.Commit();
        if (!s1.ok() || !s2.ok() || !s3.ok() || !lsn.ok()) {
          ADD_FAILURE() << "writer " << w << ": " << lsn.status().ToString();
          break;
        }
        lsns[static_cast<size_t>(w)].push_back(*lsn);
      }
      --writers_running;
    });
  }
  for (auto& t : threads) t.join();
  for (auto& t : readers) t.join();
  for (const std::string& f : failures) EXPECT_EQ(f, "");
  EXPECT_FALSE(reader_failed);
  EXPECT_GT(snapshot_reads.load(), 0u);

  const uint64_t total = static_cast<uint64_t>(writers) * static_cast<uint64_t>(commits_per_writer);
  std::vector<Lsn> all;
  for (const auto& per_writer : lsns) {
    EXPECT_TRUE(std::is_sorted(per_writer.begin(), per_writer.end()))
        << "a writer's later commit got a smaller lsn";
    all.insert(all.end(), per_writer.begin(), per_writer.end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), total);
  for (uint64_t i = 0; i < total; ++i) ASSERT_EQ(all[i], i + 1) << "lsns are not 1..N exactly once";

  auto journal = testing::ReadWholeJournal(db);
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  ASSERT_EQ(journal->size(), total);
  for (uint64_t i = 0; i < total; ++i) {
    const JournalEntry& e = (*journal)[i];
    ASSERT_EQ(e.lsn, i + 1);
    // Before-images record the counters the commit built on: lsn k saw k-1.
    ASSERT_EQ(e.before.size(), 3u);
    if (i > 0) {
      EXPECT_EQ(e.before[0].value, Value::Int(static_cast<int64_t>(i)));
    }
  }
  EXPECT_EQ(*db.GetField("pair", "a", "n"), Value::Int(static_cast<int64_t>(total)));
  EXPECT_EQ(*db.GetField("pair", "b", "n"), Value::Int(static_cast<int64_t>(total)));
  for (int w = 0; w < writers; ++w)
    EXPECT_EQ(*db.GetField("writers", "w" + std::to_string(w), "i"),
              Value::Int(commits_per_writer - 1));
  EXPECT_EQ(testing::VerifyProblems(db), "");
}

TEST(Concurrency, EightBufferedWritersGetLsnsOneToNExactlyOnceAndSnapshotsSeeWholeCommits) {
  RunWritersAndReaders(Durability::kBuffered, 8, 500);
}

TEST(Concurrency, EightSyncWritersShareFsyncsAndGetLsnsOneToNExactlyOnce) {
  RunWritersAndReaders(Durability::kSyncEveryCommit, 8, 150);
}

// A writer whose commit fails (increment of a string) does not disturb the
// lsns of concurrent writers: failed commits use up no lsn.
TEST(Concurrency, FailedCommitsAmongConcurrentOnesUseUpNoLsn) {
  testing::TempDir dir;
  auto opened = Database::Open(dir.Sub("db"), {});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Database& db = **opened;
  {
    Transaction txn = db.BeginTransaction();
    ASSERT_TRUE(txn.Upsert("c", "s", {{"text", Value::String("x")}}).ok());
    ASSERT_TRUE(txn.Commit().ok());
  }
  constexpr int kThreads = 4, kCommits = 200;
  std::atomic<int> ok_commits{0}, refused{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kCommits; ++i) {
        Transaction txn = db.BeginTransaction();
        bool bad = (i + w) % 3 == 0;
        Status s = bad ? txn.Increment("c", "s", "text", 1) : txn.Increment("c", "n", "v", 1);
        Result<Lsn> lsn = txn.Commit();
        if (s.ok() && lsn.ok() && !bad) ++ok_commits;
        if (s.ok() && bad && lsn.status().IsInvalidArgument()) ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok_commits + refused, kThreads * kCommits);
  auto journal = testing::ReadWholeJournal(db);
  ASSERT_TRUE(journal.ok());
  ASSERT_EQ(journal->size(), static_cast<size_t>(ok_commits + 1));
  for (size_t i = 0; i < journal->size(); ++i) EXPECT_EQ((*journal)[i].lsn, i + 1);
  EXPECT_EQ(*db.GetField("c", "n", "v"), Value::Int(ok_commits));
  EXPECT_EQ(testing::VerifyProblems(db), "");
}

}  // namespace
}  // namespace journaldb
