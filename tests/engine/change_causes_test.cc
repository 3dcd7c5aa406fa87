// Change notifications for what sync and client reset write, against a real
// journal-server: a downloaded changeset, a client reset (the wipe's reset
// flag, then the server's objects) and the replay that follows it.
#include <gtest/gtest.h>

#include "change_recorder.h"
#include "journaldb/client_reset_strategy.h"
#include "reset_fixture.h"

namespace journaldb {
namespace {

using testing::ChangeRecorder;
using testing::Contains;
using testing::KeysOf;

// DivergeByRestore (reset_fixture.h) makes the reset: wipe, download the
// server state, then (Recover) replay the lost writes.
class ChangeCauses : public testing::ResetFixture {
 protected:
  // Observes collection "c" of `a`, then syncs it through the reset.
  ChangeSubscription ObserveThroughReset(Database& a, ChangeRecorder& rec) {
    Result<ChangeSubscription> sub = a.Observe("c", rec.Callback());
    EXPECT_TRUE(sub.ok());
    Result<SyncReport> r = Sync(a);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r.ok() && r->reset);
    return sub.ok() ? std::move(sub).value() : ChangeSubscription();
  }
};

TEST_F(ChangeCauses, DownloadedChangesetsSayDownloadWithTheChangedFields) {
  auto a = Open("a");
  auto b = Open("b");
  ASSERT_TRUE(Sync(*b).ok());
  ChangeRecorder rec;
  Result<ChangeSubscription> sub = b->Observe("c", rec.Callback());
  ASSERT_TRUE(sub.ok());
  Commit(*a, "x", 5);
  ASSERT_TRUE(Sync(*a).ok());
  ASSERT_TRUE(Sync(*b).ok());
  std::vector<Changes> log = rec.WaitFor(1);
  EXPECT_EQ(log[0].causes, static_cast<uint32_t>(ChangeCause::kDownload));
  EXPECT_EQ(log[0].inserted, (std::vector<std::string>{"total", "x"}));
  Commit(*a, "y", 1);
  ASSERT_TRUE(Sync(*a).ok());
  ASSERT_TRUE(Sync(*b).ok());
  log = rec.WaitFor(2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].inserted, std::vector<std::string>{"y"});
  ASSERT_EQ(log[1].modified.size(), 1u);
  EXPECT_EQ(log[1].modified[0].key, "total");
  EXPECT_EQ(log[1].modified[0].fields, std::vector<std::string>{"n"});
  EXPECT_EQ(Total(*b), 6);
}

TEST_F(ChangeCauses, ClientResetSaysResetThenServerObjectsThenReplayedWrites) {
  auto a = Open("a", RecoverUnsyncedChanges());
  DivergeByRestore(*a);

  ChangeRecorder rec;
  ChangeSubscription sub = ObserveThroughReset(*a, rec);
  // Wait for the replayed "offline" insert: it is the last write.
  std::vector<Changes> log = rec.WaitUntil([](const std::vector<Changes>& l) {
    for (const Changes& c : l)
      if (Contains(c.inserted, "offline")) return true;
    return false;
  });
  // The first delivery carries the reset: the wipe comes first, whatever was
  // merged after it.
  ASSERT_FALSE(log.empty());
  EXPECT_TRUE(log[0].reset);
  EXPECT_TRUE(log[0].Has(ChangeCause::kClientReset));
  for (size_t i = 1; i < log.size(); ++i) EXPECT_FALSE(log[i].reset);
  uint32_t causes = 0;
  std::vector<std::string> keys;
  for (const Changes& c : log) {
    causes |= c.causes;
    for (std::string& k : KeysOf(c)) keys.push_back(std::move(k));
    EXPECT_FALSE(c.Has(ChangeCause::kLocalCommit));
    // The server's objects downloaded after the wipe count as the reset's.
    if (Contains(c.inserted, "kept")) {
      EXPECT_TRUE(c.Has(ChangeCause::kClientReset));
    }
    if (Contains(c.inserted, "offline")) {
      EXPECT_TRUE(c.Has(ChangeCause::kReplay));
    }
  }
  EXPECT_EQ(causes, static_cast<uint32_t>(ChangeCause::kClientReset) |
                        static_cast<uint32_t>(ChangeCause::kReplay));
  for (const char* k : {"kept", "total", "acked-then-lost", "offline"})
    EXPECT_TRUE(Contains(keys, k)) << k;
  EXPECT_EQ(Total(*a), 111);
}

TEST_F(ChangeCauses, DiscardingResetSaysResetAndInsertsTheServerObjects) {
  auto a = Open("a", DiscardUnsyncedChanges());
  DivergeByRestore(*a);
  ChangeRecorder rec;
  ChangeSubscription sub = ObserveThroughReset(*a, rec);
  std::vector<Changes> log = rec.WaitUntil([](const std::vector<Changes>& l) {
    std::vector<std::string> inserted;
    for (const Changes& c : l)
      inserted.insert(inserted.end(), c.inserted.begin(), c.inserted.end());
    return Contains(inserted, "kept") && Contains(inserted, "total");
  });
  ASSERT_FALSE(log.empty());
  EXPECT_TRUE(log[0].reset);
  for (const Changes& c : log) {
    EXPECT_EQ(c.causes, static_cast<uint32_t>(ChangeCause::kClientReset));
    // Nothing is reported deleted: the reset flag says all may be stale.
    EXPECT_TRUE(c.deleted.empty());
    EXPECT_FALSE(Contains(KeysOf(c), "offline"));
  }
  EXPECT_TRUE(a->Get("c", "offline").status().IsNotFound());
  EXPECT_EQ(Total(*a), 1);
}

}  // namespace
}  // namespace journaldb
