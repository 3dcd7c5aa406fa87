// Allocation failures (std::bad_alloc) in the engine's commit path, in a
// binary whose operator new a test makes fail once (support/
// failing_allocator.h): a commit that cannot allocate throws and commits
// nothing, the next commit takes the lsn it would have taken, and the
// process goes on. Sizes are picked so that the failure lands in the
// engine's own code: RocksDB 7.8 does not survive one inside its write
// (docs/api.md, "Allocation failure").
#include <gtest/gtest.h>
#include <rocksdb/write_batch.h>

#include <new>
#include <string>
#include <thread>
#include <vector>

#include "journaldb/database.h"
#include "journaldb/engine/commit_marker.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/growing_batch.h"
#include "support/db_checks.h"
#include "support/failing_allocator.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

using testing::FailingThreads;
using testing::FailNextAllocation;

class AllocationFailure : public ::testing::Test {
 protected:
  void SetUp() override { testing::ResetAllocationFailures(); }
  void TearDown() override { testing::DisarmAllocationFailure(); }

  std::unique_ptr<Database> Open(const std::string& name, Options options = {}) {
    auto db = Database::Open(dir_.Sub(name), options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  // The lsns of the journal's entries, in order.
  static std::vector<Lsn> JournalLsns(const Database& db) {
    std::vector<Lsn> lsns;
    Result<std::vector<JournalEntry>> entries = testing::ReadWholeJournal(db);
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    if (entries.ok())
      for (const JournalEntry& e : *entries) lsns.push_back(e.lsn);
    return lsns;
  }

  testing::TempDir dir_;
};

// A record that cannot make room throws with the batch as it was, and the
// batch takes it once memory is back.
TEST_F(AllocationFailure, AGrowingBatchThatCannotGrowThrowsAndIsUnchanged) {
  GrowingBatch batch;
  ASSERT_TRUE(batch.Put(nullptr, "a", std::string(100, 'a')).ok());
  const std::string before = batch.rep().Data();
  const std::string big(2u << 20, 'b');
  FailNextAllocation(1u << 20, FailingThreads::kThisOne);
  EXPECT_THROW((void)batch.Put(nullptr, "b", big), std::bad_alloc);
  ASSERT_EQ(testing::AllocationFailures(), 1);
  EXPECT_EQ(batch.rep().Data(), before);
  ASSERT_TRUE(batch.Put(nullptr, "b", big).ok());
  EXPECT_EQ(batch.Count(), 2u);
}

// Each thread reuses one encoder (codec.cc). flatbuffers raises its size
// before the allocation that grows it, so one that failed and was kept
// would write past its buffer at the thread's next encode (ASan sees it).
TEST_F(AllocationFailure, AnEncodeThatCannotGrowLeavesTheThreadsEncoderWhole) {
  const FieldMap big{{"pad", Value::String(std::string(3u << 19, 'p'))}};
  const FieldMap small{{"n", Value::Int(7)}};
  // A thread of its own, whose encoder starts small and must grow for `big`.
  std::thread([&] {
    FailNextAllocation(1u << 20, FailingThreads::kThisOne);
    EXPECT_THROW((void)codec::EncodeObject(big), std::bad_alloc);
    EXPECT_EQ(testing::AllocationFailures(), 1);
    for (const FieldMap* fields : {&small, &big}) {
      Result<FieldMap> decoded = codec::DecodeObject(codec::EncodeObject(*fields), "test");
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      EXPECT_TRUE(*decoded == *fields);
    }
  }).join();
}

// Replayed transactions are committed several to a batch, the later ones
// appended to what the first one sized. A failure while the second one is
// prepared (at 1 MiB: copying its 1.5 MiB value; at 2.5 MiB: the batch's
// growth, which RocksDB's Put did inside an asserting save point and so
// aborted the process) commits neither: the lsn the first one claimed is
// given back, and the same batch then commits as the next two lsns.
TEST_F(AllocationFailure, AMarkedBatchThatCannotBePreparedCommitsNothingAndLeavesNoLsnGap) {
  for (size_t at_least : {size_t{1} << 20, size_t{5} << 19}) {
    SCOPED_TRACE(at_least);
    testing::ResetAllocationFailures();
    auto db = Open("marked-" + std::to_string(at_least));
    ASSERT_TRUE(db);
    // As large as the failing one's, so that this thread's encoder has
    // grown to the size it needs before the failure is armed.
    Transaction first = db->BeginTransaction();
    ASSERT_TRUE(
        first.Upsert("c", "before", {{"pad", Value::String(std::string(3u << 19, 'b'))}}).ok());
    ASSERT_TRUE(first.Commit().ok());

    std::vector<MarkedCommit> commits(2);
    commits[0].ops.push_back(Operation::Upsert("c", "small", {{"n", Value::Int(2)}}));
    commits[0].marker = {"marker/t/1", "1"};
    commits[1].ops.push_back(
        Operation::Upsert("c", "big", {{"pad", Value::String(std::string(3u << 19, 'p'))}}));
    commits[1].marker = {"marker/t/2", "2"};

    FailNextAllocation(at_least, FailingThreads::kThisOne);
    EXPECT_THROW((void)CommitMarkedBatch(*db, commits), std::bad_alloc);
    ASSERT_EQ(testing::AllocationFailures(), 1);
    EXPECT_EQ(JournalLsns(*db), std::vector<Lsn>{1});
    Result<std::optional<std::string>> marker = ReadMarker(*db, "marker/t/1");
    ASSERT_TRUE(marker.ok());
    EXPECT_FALSE(marker->has_value()) << "a marker of the failed batch was written";

    Result<size_t> n = CommitMarkedBatch(*db, commits);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, 2u);
    EXPECT_EQ(commits[0].lsn, 2u);
    EXPECT_EQ(commits[1].lsn, 3u);
    EXPECT_EQ(JournalLsns(*db), (std::vector<Lsn>{1, 2, 3}));
    EXPECT_TRUE(db->Get("c", "big").ok());
    EXPECT_EQ(testing::VerifyProblems(*db), "");
  }
}

// A marked batch (the replay's write: a small transaction, then one that
// replaces a big value), an observer active, each allocation of the big
// value's size failed in turn, as EachFailedAllocationOfACommitLeavesNoLsnGap
// (below) does for a commit: the object read ahead, then, after the first
// transaction claimed its lsn, the working copy, the before-image and the
// change delta's two. Every attempt throws having committed nothing, neither
// transaction nor marker, until none is left to fail; then both commit with
// the next two lsns. Before, lsns 8 and 9 came instead of 2 and 3.
TEST_F(AllocationFailure, EachFailedAllocationOfAMarkedBatchCommitsNothingOfIt) {
  auto db = Open("marked-sweep");
  ASSERT_TRUE(db);
  Result<ChangeSubscription> sub = db->Observe("c", [](const Changes&) {});
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  constexpr size_t kValueBytes = 3u << 19;
  Transaction first = db->BeginTransaction();
  ASSERT_TRUE(
      first.Upsert("c", "big", {{"pad", Value::String(std::string(kValueBytes, 'a'))}}).ok());
  ASSERT_TRUE(first.Commit().ok());
  int thrown = 0;
  for (int skip = 0;; ++skip) {
    ASSERT_LT(skip, 64) << "the batch kept allocating";
    const std::string tag = std::to_string(skip);
    std::vector<MarkedCommit> commits(2);
    commits[0].ops.push_back(Operation::Upsert("c", "small", {{"n", Value::Int(skip)}}));
    commits[0].marker = {"marker/s/" + tag + "/1", "1"};
    commits[1].ops.push_back(Operation::Upsert(
        "c", "big",
        {{"pad", Value::String(std::string(kValueBytes, static_cast<char>('b' + skip % 24)))}}));
    commits[1].marker = {"marker/s/" + tag + "/2", "2"};
    testing::ResetAllocationFailures();
    testing::FailAllocationOfSize(kValueBytes + 1, skip, FailingThreads::kThisOne);
    try {
      Result<size_t> n = CommitMarkedBatch(*db, commits);
      testing::DisarmAllocationFailure();
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      ASSERT_EQ(testing::AllocationFailures(), 0) << "the batch committed past a failure";
      EXPECT_EQ(*n, 2u);
      EXPECT_EQ(commits[0].lsn, 2u);
      EXPECT_EQ(commits[1].lsn, 3u);
      break;
    } catch (const std::bad_alloc&) {
      ++thrown;
      EXPECT_EQ(JournalLsns(*db), std::vector<Lsn>{1}) << "after failing allocation " << skip;
      for (const MarkedCommit& c : commits) {
        EXPECT_EQ(c.lsn, 0u);
        Result<std::optional<std::string>> marker = ReadMarker(*db, c.marker.key);
        ASSERT_TRUE(marker.ok());
        EXPECT_FALSE(marker->has_value()) << c.marker.key << " was written";
      }
    }
  }
  EXPECT_GE(thrown, 5);  // one before any claim, four after the first one's
  EXPECT_EQ(JournalLsns(*db), (std::vector<Lsn>{1, 2, 3}));
  EXPECT_EQ(testing::VerifyProblems(*db), "");
}

// A commit that cannot be prepared throws, commits nothing, and the next
// commit takes its lsn.
TEST_F(AllocationFailure, ACommitThatCannotBePreparedCommitsNothing) {
  auto db = Open("single");
  ASSERT_TRUE(db);
  Transaction t = db->BeginTransaction();
  ASSERT_TRUE(t.Upsert("c", "big", {{"pad", Value::String(std::string(3u << 19, 'p'))}}).ok());
  FailNextAllocation(5u << 19, FailingThreads::kThisOne);  // its 3 MiB batch
  EXPECT_THROW((void)t.Commit(), std::bad_alloc);
  ASSERT_EQ(testing::AllocationFailures(), 1);
  EXPECT_TRUE(JournalLsns(*db).empty());
  EXPECT_FALSE(db->Get("c", "big").ok());

  Result<Lsn> lsn = t.Commit();  // the transaction is as it was
  ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
  EXPECT_EQ(*lsn, 1u);
  EXPECT_TRUE(db->Get("c", "big").ok());
  EXPECT_EQ(testing::VerifyProblems(*db), "");
}

// Each allocation of the changed value's size that a commit makes, failed in
// turn, one per attempt: the stored object decoded, its working copy and the
// before-image, then, once the commit claimed its lsn, the change delta's
// before and after (an observer is active). Every attempt throws having
// committed nothing, its lsn still free for the next commit, until no
// allocation of that size is left to fail. Before, a failure after the claim
// left the lsn taken and never written (lsn 4 came after lsn 1).
TEST_F(AllocationFailure, EachFailedAllocationOfACommitLeavesNoLsnGap) {
  auto db = Open("sweep");
  ASSERT_TRUE(db);
  Result<ChangeSubscription> sub = db->Observe("c", [](const Changes&) {});
  ASSERT_TRUE(sub.ok()) << sub.status().ToString();
  constexpr size_t kValueBytes = 3u << 19;  // no other allocation of its size + 1
  const auto begin = [&](char fill) {
    Transaction t = db->BeginTransaction();
    EXPECT_TRUE(t.Upsert("c", "big", {{"v", Value::String(std::string(kValueBytes, fill))}}).ok());
    return t;
  };
  Result<Lsn> first = begin('a').Commit();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Lsn next = *first + 1;
  int thrown = 0;
  for (int skip = 0;; ++skip) {
    ASSERT_LT(skip, 64) << "the commit kept allocating";
    const char fill = static_cast<char>('b' + skip % 24);
    Transaction t = begin(fill);  // built before arming: only the commit's allocations count
    testing::ResetAllocationFailures();
    testing::FailAllocationOfSize(kValueBytes + 1, skip, FailingThreads::kThisOne);
    try {
      Result<Lsn> lsn = t.Commit();
      testing::DisarmAllocationFailure();
      ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
      ASSERT_EQ(testing::AllocationFailures(), 0) << "the commit went on past a failure";
      EXPECT_EQ(*lsn, next);
      ++next;
      Result<Object> o = db->Get("c", "big");
      ASSERT_TRUE(o.ok()) << o.status().ToString();
      EXPECT_EQ(o->Find("v")->as_string()[0], fill);
      break;
    } catch (const std::bad_alloc&) {
      ++thrown;
      EXPECT_EQ(JournalLsns(*db).back(), next - 1) << "after failing allocation " << skip;
    }
  }
  EXPECT_GE(thrown, 5);  // three before the claim, the delta's two after it
  Result<Lsn> last = begin('z').Commit();
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(*last, next);
  std::vector<Lsn> lsns = JournalLsns(*db);
  ASSERT_EQ(lsns.size(), next);
  for (size_t i = 0; i < lsns.size(); ++i) EXPECT_EQ(lsns[i], i + 1);
  EXPECT_EQ(testing::VerifyProblems(*db), "");
}

// Durable commits from several threads are written in groups, merged into
// one batch by the group's leader. A merged batch that cannot be allocated
// (1.5 MiB or more: two commits or more of 512 KiB objects; each commit's
// own batch is about 1 MiB) makes its leader write its own commit alone and
// the next leader the rest: every commit succeeds. Before, the exception left the
// leader's queue entry behind and the other committers waited for good.
TEST_F(AllocationFailure, ALeaderThatCannotMergeItsGroupWritesAloneAndEveryCommitSucceeds) {
  Options options;
  options.durability = Durability::kSyncEveryCommit;
  auto db = Open("group", options);
  ASSERT_TRUE(db);
  constexpr int kThreads = 4;
  constexpr int kCommitsEach = 10;
  const std::string pad(1u << 19, 'p');
  // A group forms only when commits meet in the queue: rounds until one did.
  int round = 0;
  for (; round < 20 && testing::AllocationFailures() == 0; ++round) {
    FailNextAllocation(3u << 19, FailingThreads::kAny);
    std::vector<std::thread> threads;
    std::vector<std::string> errors(kThreads);
    for (int i = 0; i < kThreads; ++i)
      threads.emplace_back([&, i] {
        for (int j = 0; j < kCommitsEach; ++j) {
          Transaction t = db->BeginTransaction();
          std::string key =
              std::to_string(round) + "/" + std::to_string(i) + "/" + std::to_string(j);
          if (Status s = t.Upsert("c", key, {{"pad", Value::String(pad)}}); !s.ok()) {
            errors[i] = s.ToString();
            return;
          }
          try {
            if (Result<Lsn> lsn = t.Commit(); !lsn.ok()) {
              errors[i] = lsn.status().ToString();
              return;
            }
          } catch (const std::bad_alloc&) {
            errors[i] = "a commit threw std::bad_alloc (the failure missed the merge)";
            return;
          }
        }
      });
    for (std::thread& t : threads) t.join();
    testing::DisarmAllocationFailure();
    for (int i = 0; i < kThreads; ++i) ASSERT_EQ(errors[i], "") << "thread " << i;
  }
  ASSERT_EQ(testing::AllocationFailures(), 1) << "no group of several commits formed";
  std::vector<Lsn> lsns = JournalLsns(*db);
  ASSERT_EQ(lsns.size(), static_cast<size_t>(round * kThreads * kCommitsEach));
  for (size_t i = 0; i < lsns.size(); ++i) EXPECT_EQ(lsns[i], i + 1);
  EXPECT_EQ(testing::VerifyProblems(*db), "");
}

}  // namespace
}  // namespace journaldb
