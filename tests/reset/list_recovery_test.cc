// Lists through a restore-driven client reset (issue 14's demonstrating
// test): both sides insert into one list while the server is restored from a
// backup; the recovery replays the local edits element by element, so every
// insert of both sides is there once, in the same order on both clients,
// and the server's removal stays. Real server process, real reset.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/replayer.h"
#include "reset_fixture.h"
#include "support/printers.h"

namespace journaldb::testing {
namespace {

class ListRecovery : public ResetFixture {
 protected:
  static constexpr const char* kColl = "board";
  static constexpr const char* kKey = "b1";
  static constexpr const char* kField = "cards";

  ElementId Insert(Database& db, std::optional<ElementId> after, const std::string& value) {
    Transaction t = db.BeginTransaction();
    Result<ElementId> id = t.ListInsert(kColl, kKey, kField, after, Value::String(value));
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    Result<Lsn> lsn = t.Commit();
    EXPECT_TRUE(lsn.ok()) << lsn.status().ToString();
    return id.ok() ? *id : ElementId{};
  }
  void Write(Database& db, const Operation& op) {
    Transaction t = db.BeginTransaction();
    ASSERT_TRUE(t.Write(op).ok());
    Result<Lsn> lsn = t.Commit();
    ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
  }
  // The list's elements (tombstones included) as the database holds it.
  static List Cards(const Database& db) {
    Result<Value> v = db.GetField(kColl, kKey, kField);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    if (!v.ok() || v->type() != ValueType::kList) return {};
    return v->as_list();
  }
  static std::vector<std::string> Present(const List& list) {
    std::vector<std::string> out;
    for (const ListElement& e : list.elements)
      if (!e.removed) out.push_back(e.value.as_string());
    return out;
  }

  // Client a and b share [one, two, three] (backed up). a then inserts
  // "a-acked" after one and syncs it (the restore rolls it back), and offline
  // inserts "a-offline" after two and renames three. The server is restored;
  // b (reset too: a new epoch) inserts "b-new" after one and removes three.
  // Returns the ids of a-acked and b-new, which meet at one anchor.
  std::pair<ElementId, ElementId> DivergeBothSides(Database& a, Database& b) {
    one_ = Insert(a, std::nullopt, "one");
    two_ = Insert(a, one_, "two");
    three_ = Insert(a, two_, "three");
    EXPECT_TRUE(Sync(a).ok());
    EXPECT_TRUE(Sync(b).ok());
    EXPECT_EQ(Present(Cards(b)), (std::vector<std::string>{"one", "two", "three"}));
    Backup("backup");
    const ElementId a_acked = Insert(a, one_, "a-acked");
    Result<SyncReport> r = Sync(a);
    EXPECT_TRUE(r.ok() && r->uploaded_entries == 1u);
    Insert(a, two_, "a-offline");
    Write(a, Operation::ListSet(kColl, kKey, kField, three_, Value::String("THREE")));
    Restore("backup");
    // b resets with nothing of its own, then edits the restored list.
    EXPECT_TRUE(Sync(b).ok());
    EXPECT_EQ(Present(Cards(b)), (std::vector<std::string>{"one", "two", "three"}));
    const ElementId b_new = Insert(b, one_, "b-new");
    Transaction t = b.BeginTransaction();
    EXPECT_TRUE(t.ListRemove(kColl, kKey, kField, three_).ok());
    EXPECT_TRUE(t.Commit().ok());
    r = Sync(b);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return {a_acked, b_new};
  }

  // The order both sides must reach: concurrent inserts after `one` by id,
  // greater first (RGA), and a-offline after two; three stays removed.
  static std::vector<std::string> Expected(ElementId a_acked, ElementId b_new) {
    std::vector<std::string> at_one = a_acked > b_new
                                          ? std::vector<std::string>{"a-acked", "b-new"}
                                          : std::vector<std::string>{"b-new", "a-acked"};
    return {"one", at_one[0], at_one[1], "two", "a-offline"};
  }

  void ExpectConverged(Database& a, Database& b, ElementId a_acked, ElementId b_new) {
    ASSERT_TRUE(Sync(a).ok());
    ASSERT_TRUE(Sync(b).ok());
    const List on_a = Cards(a), on_b = Cards(b);
    EXPECT_EQ(Present(on_a), Expected(a_acked, b_new));
    EXPECT_EQ(on_a, on_b) << "both clients hold the same list, tombstones included";
    // Each insert of both sides once: ids and values unique.
    std::map<std::string, int> seen;
    for (const std::string& v : Present(on_a)) ++seen[v];
    for (const auto& [value, n] : seen) EXPECT_EQ(n, 1) << value;
    const ListElement* three = FindById(on_a, three_);
    ASSERT_NE(three, nullptr);
    EXPECT_TRUE(three->removed) << "the server's removal is not undone by the replayed set";
    for (Database* db : {&a, &b}) {
      Result<VerifyReport> v = db->Verify();
      ASSERT_TRUE(v.ok());
      EXPECT_TRUE(v->ok()) << v->problems.front();
    }
  }
  static const ListElement* FindById(const List& list, ElementId id) {
    auto it = std::find_if(list.elements.begin(), list.elements.end(),
                           [&](const ListElement& e) { return e.id == id; });
    return it == list.elements.end() ? nullptr : &*it;
  }

  ElementId one_, two_, three_;
};

TEST_F(ListRecovery, BothSidesInsertsSurviveARestoreOnceInOneOrderAndARemovalStays) {
  auto a = Open("a", RecoverUnsyncedChanges());
  auto b = Open("b", RecoverUnsyncedChanges());
  auto [a_acked, b_new] = DivergeBothSides(*a, *b);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  ASSERT_TRUE(r->client_reset.has_value());
  // The set of the element b removed had no effect, and says so.
  ASSERT_EQ(r->client_reset->ops_not_applicable.size(), 1u);
  EXPECT_NE(r->client_reset->ops_not_applicable[0].reason.find("was removed"), std::string::npos)
      << r->client_reset->ops_not_applicable[0].reason;
  ExpectConverged(*a, *b, a_acked, b_new);
}

TEST_F(ListRecovery, ServerWinsStillReplaysEveryInsertBecauseListOpsAreClassifiedByElement) {
  // Classified by the whole list, a's inserts would be conflicts (the
  // server's list changed) and server-wins would drop them.
  ClientResetCallbacks callbacks;
  callbacks.policy = std::make_shared<ServerWinsPolicy>();
  auto a = Open("a", RecoverUnsyncedChanges(callbacks));
  auto b = Open("b", RecoverUnsyncedChanges());
  auto [a_acked, b_new] = DivergeBothSides(*a, *b);
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  ASSERT_TRUE(r->client_reset.has_value());
  // The set on the removed element is gone: server-wins skips it.
  EXPECT_TRUE(r->client_reset->ops_not_applicable.empty());
  ExpectConverged(*a, *b, a_acked, b_new);
}

}  // namespace
}  // namespace journaldb::testing
