// Change notifications from local writes (journaldb/changes.h): what a
// delivery says, visibility inside the callback, commit order, coalescing of
// a slow observer without blocking commits, filtering, unsubscribing and
// closing. Downloads, client resets and replays: change_causes_test.cc.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <thread>

#include "change_recorder.h"
#include "journaldb/database.h"
#include "journaldb/engine/commit_marker.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

using testing::ChangeRecorder;
using testing::Contains;

class ChangeNotifications : public ::testing::Test {
 protected:
  void SetUp() override {
    Options o;
    auto opened = Database::Open(dir_.Sub("db"), o);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db_ = std::move(opened).value();
  }
  ChangeSubscription Observe(const std::string& collection, ChangeCallback cb) {
    Result<ChangeSubscription> sub = db_->Observe(collection, std::move(cb));
    EXPECT_TRUE(sub.ok()) << sub.status().ToString();
    return sub.ok() ? std::move(sub).value() : ChangeSubscription();
  }
  void Upsert(const std::string& collection, const std::string& key, FieldMap fields) {
    Transaction t = db_->BeginTransaction();
    ASSERT_TRUE(t.Upsert(collection, key, std::move(fields)).ok());
    ASSERT_TRUE(t.Commit().ok());
  }
  void Erase(const std::string& collection, const std::string& key) {
    Transaction t = db_->BeginTransaction();
    ASSERT_TRUE(t.EraseObject(collection, key).ok());
    ASSERT_TRUE(t.Commit().ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(ChangeNotifications, LocalCommitsReportInsertModifyDeleteVisibleInTheCallback) {
  ChangeRecorder rec;
  std::vector<bool> visible;  // per delivery: the callback's read agrees with it
  ChangeSubscription sub = Observe("tasks", rec.Callback([&](const Changes& c) {
    bool ok = true;
    for (const std::string& k : c.inserted) ok = ok && db_->Get("tasks", k).ok();
    for (const ModifiedObject& m : c.modified) ok = ok && db_->Get("tasks", m.key).ok();
    for (const std::string& k : c.deleted) ok = ok && db_->Get("tasks", k).status().IsNotFound();
    visible.push_back(ok);
  }));
  Upsert("tasks", "t1", {{"title", Value::String("milk")}});
  rec.WaitFor(1);
  Upsert("tasks", "t1", {{"title", Value::String("bread")}});
  rec.WaitFor(2);
  Erase("tasks", "t1");
  std::vector<Changes> log = rec.WaitFor(3);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].collection, "tasks");
  EXPECT_EQ(log[0].inserted, std::vector<std::string>{"t1"});
  ASSERT_EQ(log[1].modified.size(), 1u);
  EXPECT_EQ(log[1].modified[0].key, "t1");
  EXPECT_EQ(log[2].deleted, std::vector<std::string>{"t1"});
  for (const Changes& c : log) {
    EXPECT_EQ(c.causes, static_cast<uint32_t>(ChangeCause::kLocalCommit));
    EXPECT_FALSE(c.reset);
  }
  EXPECT_EQ(visible, (std::vector<bool>{true, true, true}));
}

TEST_F(ChangeNotifications, ModifiedObjectsNameTheChangedFields) {
  ChangeRecorder rec;
  ChangeSubscription sub = Observe("c", rec.Callback());
  Upsert("c", "k", {{"x", Value::Int(1)}, {"y", Value::Int(1)}});
  rec.WaitFor(1);
  // x keeps its value, y changes, z appears.
  Upsert("c", "k", {{"x", Value::Int(1)}, {"y", Value::Int(2)}, {"z", Value::String("new")}});
  rec.WaitFor(2);
  Transaction t = db_->BeginTransaction();
  ASSERT_TRUE(t.EraseField("c", "k", "x").ok());
  ASSERT_TRUE(t.Commit().ok());
  rec.WaitFor(3);
  // Setting a field to the value it has changes nothing: no delivery. The
  // increment after it is the next delivery.
  Upsert("c", "k", {{"y", Value::Int(2)}});
  Transaction inc = db_->BeginTransaction();
  ASSERT_TRUE(inc.Increment("c", "k", "y", 5).ok());
  ASSERT_TRUE(inc.Commit().ok());
  std::vector<Changes> log = rec.WaitFor(4);
  ASSERT_EQ(log.size(), 4u);
  ASSERT_EQ(log[1].modified.size(), 1u);
  EXPECT_EQ(log[1].modified[0].fields, (std::vector<std::string>{"y", "z"}));
  ASSERT_EQ(log[2].modified.size(), 1u);
  EXPECT_EQ(log[2].modified[0].fields, std::vector<std::string>{"x"});
  ASSERT_EQ(log[3].modified.size(), 1u);
  EXPECT_EQ(log[3].modified[0].fields, std::vector<std::string>{"y"});
}

TEST_F(ChangeNotifications, DeliveriesArriveInCommitOrder) {
  ChangeRecorder rec;
  ChangeSubscription sub = Observe("c", rec.Callback());
  // Names sorted against commit order, so a delivery that sorted its keys
  // would show.
  std::vector<std::string> committed;
  for (int i = 60; i > 0; --i) {
    committed.push_back(fmt::format("k{:02}", i));
    Upsert("c", committed.back(), {{"n", Value::Int(i)}});
  }
  std::vector<std::string> delivered;
  rec.WaitUntil([&](const std::vector<Changes>& log) {
    delivered.clear();
    for (const Changes& c : log)
      delivered.insert(delivered.end(), c.inserted.begin(), c.inserted.end());
    return delivered.size() >= committed.size();
  });
  EXPECT_EQ(delivered, committed);
}

TEST_F(ChangeNotifications, SlowObserverGetsChangesMergedAndNeverBlocksCommits) {
  ChangeRecorder rec;
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  bool first = true;
  ChangeSubscription sub = Observe("c", rec.Callback([&](const Changes&) {
    if (!first) return;
    first = false;
    entered.set_value();
    released.wait();
  }));
  Upsert("c", "first", {{"n", Value::Int(0)}});
  entered.get_future().wait();
  // The callback is held: 400 commits on 10 keys complete meanwhile.
  for (int i = 0; i < 400; ++i) {
    Transaction t = db_->BeginTransaction();
    ASSERT_TRUE(t.Increment("c", fmt::format("k{}", i % 10), "n", 1).ok());
    ASSERT_TRUE(t.Commit().ok());
  }
  EXPECT_TRUE(rec.Log().empty()) << "the first callback has not returned yet";
  release.set_value();
  std::vector<Changes> log = rec.WaitFor(2);
  // One more commit after the merged delivery arrived: it comes alone, so
  // the 400 commits were exactly one delivery.
  Upsert("c", "last", {{"n", Value::Int(0)}});
  log = rec.WaitFor(3);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].inserted, std::vector<std::string>{"first"});
  EXPECT_EQ(log[1].inserted.size(), 10u);  // each key once, though changed 40 times
  EXPECT_TRUE(log[1].modified.empty());
  EXPECT_EQ(log[2].inserted, std::vector<std::string>{"last"});
  EXPECT_EQ(db_->GetField("c", "k3", "n")->as_int(), 40);
}

TEST_F(ChangeNotifications, ObjectAndCollectionObserversSeeOnlyTheirs) {
  ChangeRecorder object_rec, collection_rec, other_rec;
  Result<ChangeSubscription> object_sub = db_->ObserveObject("c", "a", object_rec.Callback());
  ASSERT_TRUE(object_sub.ok());
  ChangeSubscription collection_sub = Observe("c", collection_rec.Callback());
  ChangeSubscription other_sub = Observe("d", other_rec.Callback());
  Transaction t = db_->BeginTransaction();
  for (const char* coll : {"c", "d", "e"})
    for (const char* key : {"a", "b"})
      ASSERT_TRUE(t.Upsert(coll, key, {{"v", Value::Int(1)}}).ok());
  ASSERT_TRUE(t.Commit().ok());
  EXPECT_EQ(object_rec.WaitFor(1)[0].inserted, std::vector<std::string>{"a"});
  EXPECT_EQ(collection_rec.WaitFor(1)[0].inserted, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(other_rec.WaitFor(1)[0].inserted, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(other_rec.WaitFor(1)[0].collection, "d");
  // c/b alone, then d/a: once d's delivery is in, c/a's observer would have
  // had its turn (one thread, first come first served).
  Upsert("c", "b", {{"v", Value::Int(2)}});
  Upsert("d", "a", {{"v", Value::Int(2)}});
  other_rec.WaitFor(2);
  EXPECT_EQ(collection_rec.WaitFor(2).size(), 2u);
  EXPECT_EQ(object_rec.Log().size(), 1u);
}

TEST_F(ChangeNotifications, DroppingTheSubscriptionInsideItsCallbackStopsIt) {
  ChangeRecorder rec, sentinel;
  std::optional<ChangeSubscription> sub;
  int calls = 0;
  sub = Observe("c", [&](const Changes&) {
    ++calls;
    sub.reset();  // RAII: destroys the subscription from its own callback
  });
  ChangeSubscription after = Observe("c", sentinel.Callback());
  Upsert("c", "a", {{"v", Value::Int(1)}});
  sentinel.WaitFor(1);
  Upsert("c", "b", {{"v", Value::Int(1)}});
  sentinel.WaitFor(2);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(sub.has_value());
}

TEST_F(ChangeNotifications, CancelFromAnotherThreadWaitsForTheRunningCallback) {
  ChangeRecorder sentinel;
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> calls{0};
  std::atomic<bool> returned{false};
  ChangeSubscription sub = Observe("c", [&](const Changes&) {
    if (calls++ == 0) {
      entered.set_value();
      released.wait();
      returned = true;
    }
  });
  Upsert("c", "a", {{"v", Value::Int(1)}});
  entered.get_future().wait();
  bool returned_when_cancel_returned = false;
  std::thread canceller([&] {
    sub.Cancel();
    returned_when_cancel_returned = returned;
  });
  // Give a Cancel that did not wait the time to return early.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  release.set_value();
  canceller.join();
  EXPECT_TRUE(returned_when_cancel_returned);
  // After Cancel returned, never again.
  ChangeSubscription after = Observe("c", sentinel.Callback());
  Upsert("c", "b", {{"v", Value::Int(1)}});
  sentinel.WaitFor(1);
  EXPECT_EQ(calls, 1);
}

TEST_F(ChangeNotifications, ReplayedCommitsSayReplay) {
  ChangeRecorder rec;
  ChangeSubscription sub = Observe("c", rec.Callback());
  std::vector<MarkedCommit> commits(2);
  commits[0].ops.push_back(Operation::Upsert("c", "r1", {{"v", Value::Int(1)}}));
  commits[0].marker = {"marker/test/1", "done"};
  commits[1].ops.push_back(Operation::Upsert("c", "r2", {{"v", Value::Int(1)}}));
  commits[1].marker = {"marker/test/2", "done"};
  Result<size_t> n = CommitMarkedBatch(*db_, commits);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  std::vector<std::string> inserted;
  std::vector<Changes> log = rec.WaitUntil([&](const std::vector<Changes>& l) {
    inserted.clear();
    for (const Changes& c : l)
      inserted.insert(inserted.end(), c.inserted.begin(), c.inserted.end());
    return inserted.size() >= 2;
  });
  EXPECT_EQ(inserted, (std::vector<std::string>{"r1", "r2"}));
  for (const Changes& c : log) EXPECT_EQ(c.causes, static_cast<uint32_t>(ChangeCause::kReplay));
}

TEST_F(ChangeNotifications, ClosingWithLiveSubscriptionsIsSafe) {
  ChangeRecorder rec;
  Database* db = db_.get();
  ChangeSubscription sub = Observe("c", rec.Callback([db](const Changes&) {
    // Reads while the close may be under way: the close waits for this.
    EXPECT_TRUE(db->Get("c", "k0").ok());
  }));
  for (int i = 0; i < 50; ++i) Upsert("c", fmt::format("k{}", i), {{"v", Value::Int(i)}});
  db_.reset();
  EXPECT_TRUE(sub.active());
  sub.Cancel();  // after the close: inert, returns at once
  EXPECT_FALSE(sub.active());
}

TEST_F(ChangeNotifications, ObserveRefusesAnEmptyCollectionOrCallback) {
  Result<ChangeSubscription> no_name = db_->Observe("", [](const Changes&) {});
  EXPECT_TRUE(no_name.status().IsInvalidArgument());
  Result<ChangeSubscription> no_callback = db_->ObserveObject("c", "k", ChangeCallback());
  EXPECT_TRUE(no_callback.status().IsInvalidArgument());
}

TEST_F(ChangeNotifications, ListChangesNameTheInsertedRemovedMovedAndModifiedElements) {
  Transaction setup = db_->BeginTransaction();
  Result<ElementId> a = setup.ListInsert("lists", "l1", "items", std::nullopt, Value::String("a"));
  ASSERT_TRUE(a.ok());
  Result<ElementId> b = setup.ListInsert("lists", "l1", "items", *a, Value::String("b"));
  Result<ElementId> c = setup.ListInsert("lists", "l1", "items", *b, Value::String("c"));
  ASSERT_TRUE(b.ok() && c.ok());
  ASSERT_TRUE(setup.Commit().ok());

  ChangeRecorder rec;
  ChangeSubscription sub = Observe("lists", rec.Callback());
  Transaction t = db_->BeginTransaction();
  Result<ElementId> d = t.ListInsert("lists", "l1", "items", *c, Value::String("d"));
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(t.ListRemove("lists", "l1", "items", *b).ok());
  Result<ElementId> moved = t.ListMove("lists", "l1", "items", *a, *c);
  ASSERT_TRUE(moved.ok());
  ASSERT_TRUE(t.ListSet("lists", "l1", "items", *c, Value::String("C")).ok());
  ASSERT_TRUE(t.Commit().ok());
  std::vector<Changes> log = rec.WaitFor(1);
  ASSERT_EQ(log[0].modified.size(), 1u);
  const ModifiedObject& m = log[0].modified[0];
  EXPECT_EQ(m.fields, std::vector<std::string>{"items"});
  ASSERT_EQ(m.lists.size(), 1u);
  const ListChanges& lc = m.lists[0];
  EXPECT_EQ(lc.field, "items");
  EXPECT_EQ(lc.inserted, std::vector<ElementId>{*d});
  EXPECT_EQ(lc.removed, std::vector<ElementId>{*b});
  EXPECT_EQ(lc.moved, (std::vector<std::pair<ElementId, ElementId>>{{*a, *moved}}));
  EXPECT_EQ(lc.modified, std::vector<ElementId>{*c});
}

TEST_F(ChangeNotifications, CoalescedListChangesCompareTheFirstStateWithTheLast) {
  // A slow observer: commits made while its callback blocks arrive as one
  // delivery that diffs the list before the first against after the last.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ChangeRecorder rec;
  std::atomic<int> calls{0};
  ChangeSubscription sub = Observe("lists", rec.Callback([&](const Changes&) {
    if (calls++ == 0) released.wait();
  }));
  // Declared after `sub`, so destroyed first: a failed ASSERT below does not
  // leave the callback blocked with `sub`'s destructor waiting for it.
  struct Release {
    std::promise<void>& p;
    bool done = false;
    void Now() {
      if (!done) p.set_value();
      done = true;
    }
    ~Release() { Now(); }
  } unblock{release};
  Transaction first = db_->BeginTransaction();
  Result<ElementId> a = first.ListInsert("lists", "l1", "items", std::nullopt, Value::Int(1));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(first.Commit().ok());
  // The first callback has started (and blocks): what follows coalesces.
  for (int i = 0; i < 30000 && calls.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(calls.load(), 1);
  // While the first delivery blocks: insert x, then remove it, and insert y.
  Transaction t1 = db_->BeginTransaction();
  Result<ElementId> x = t1.ListInsert("lists", "l1", "items", *a, Value::Int(2));
  ASSERT_TRUE(x.ok());
  ASSERT_TRUE(t1.Commit().ok());
  Transaction t2 = db_->BeginTransaction();
  ASSERT_TRUE(t2.ListRemove("lists", "l1", "items", *x).ok());
  Result<ElementId> y = t2.ListInsert("lists", "l1", "items", *a, Value::Int(3));
  ASSERT_TRUE(y.ok());
  ASSERT_TRUE(t2.Commit().ok());
  unblock.Now();
  std::vector<Changes> log = rec.WaitFor(2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].inserted, std::vector<std::string>{"l1"});
  ASSERT_EQ(log[1].modified.size(), 1u);
  ASSERT_EQ(log[1].modified[0].lists.size(), 1u);
  const ListChanges& lc = log[1].modified[0].lists[0];
  EXPECT_EQ(lc.inserted, std::vector<ElementId>{*y}) << "x came and went within the delivery";
  EXPECT_TRUE(lc.removed.empty());
  EXPECT_TRUE(lc.moved.empty());
  EXPECT_TRUE(lc.modified.empty());
}

}  // namespace
}  // namespace journaldb
