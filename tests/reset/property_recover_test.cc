// The client-reset replay as a property (issue 4): client A writes at
// random and sometimes syncs, client B writes at random and syncs (the
// server's activity), the server is backed up, both go on, the server is
// restored from the backup (a forced reset: new epoch), B writes more to the
// restored server, then A syncs with RecoverUnsynced (local-wins).
//
// Property: A's state equals the server's state after the restore folded
// with A's diverged transactions (the entries the restored server does not
// hold: never uploaded, or uploaded after the backup) in lsn order, under the
// fold's op semantics; once A uploads the replayed writes and B syncs, B
// equals A.
//
// Each case starts and stops a journal-server several times, so the default
// number of cases is small (kDefaultCases); RC_PARAMS overrides it
// ("max_success=N"), and a failure prints the seed to reproduce it.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <ostream>
#include <sstream>
#include <vector>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/journal/fold.h"
#include "reset_fixture.h"
#include "support/printers.h"

namespace journaldb {
namespace {

constexpr int kDefaultCases = 20;

// One step of a phase: a client commits `ops` as one transaction, or syncs.
struct Step {
  bool on_a = true;
  bool sync = false;
  std::vector<Operation> ops;
};

std::ostream& operator<<(std::ostream& os, const Step& s) {
  os << (s.on_a ? "A " : "B ");
  if (s.sync) return os << "sync";
  os << "commit [";
  for (const Operation& op : s.ops) os << op.ToString() << "; ";
  return os << "]";
}

// Few keys, so that A's and B's writes collide. Field n only ever holds an
// int64 (increments always apply); field s holds strings.
rc::Gen<Operation> AnOp() {
  auto key = rc::gen::element<std::string>("k0", "k1", "k2", "k3");
  return rc::gen::oneOf(
      rc::gen::apply(
          [](std::string k, int64_t n) {
            return Operation::Upsert("c", std::move(k), {{"n", Value::Int(n)}});
          },
          key, rc::gen::inRange<int64_t>(-5, 6)),
      rc::gen::apply(
          [](std::string k, int v) {
            return Operation::Upsert("c", std::move(k),
                                     {{"s", Value::String("v" + std::to_string(v))}});
          },
          key, rc::gen::inRange(0, 4)),
      rc::gen::apply(
          [](std::string k, std::string f) {
            return Operation::EraseField("c", std::move(k), std::move(f));
          },
          key, rc::gen::element<std::string>("n", "s")),
      rc::gen::map(key, [](std::string k) { return Operation::EraseObject("c", std::move(k)); }),
      rc::gen::apply(
          [](std::string k, int64_t d) { return Operation::Increment("c", std::move(k), "n", d); },
          key, rc::gen::inRange<int64_t>(-3, 10)));
}

// A step of A or B (`b_only`: of B).
rc::Gen<Step> AStep(bool b_only) {
  auto who = b_only ? rc::gen::just(false) : rc::gen::arbitrary<bool>();
  auto commit = rc::gen::apply(
      [](bool on_a, std::vector<Operation> ops) {
        return Step{on_a, false, std::move(ops)};
      },
      who,
      rc::gen::resize(3, rc::gen::nonEmpty(rc::gen::container<std::vector<Operation>>(AnOp()))));
  auto sync = rc::gen::map(who, [](bool on_a) { return Step{on_a, true, {}}; });
  return rc::gen::weightedOneOf<Step>({{3, commit}, {1, sync}});
}

rc::Gen<std::vector<Step>> APhase(bool b_only = false) {
  return rc::gen::resize(12, rc::gen::container<std::vector<Step>>(AStep(b_only)));
}

class ResetProperty : public testing::ResetFixture {
 public:
  void TestBody() override {}
  void rapidCheck_fixtureSetUp() { SetUp(); }
  void rapidCheck_fixtureTearDown() { TearDown(); }

  void operator()() {
    const auto before_backup = *APhase().as("steps before the backup");
    const auto after_backup = *APhase().as("steps after the backup");
    const auto after_restore = *APhase(/*b_only=*/true).as("B's steps after the restore");

    a_ = Open("a", RecoverUnsyncedChanges());
    b_ = Open("b", DiscardUnsyncedChanges());
    RC_ASSERT(a_ && b_);
    // A has synced once, so the restore resets it.
    Run(Step{true, true, {}});
    for (const Step& s : before_backup) Run(s);
    // What A uploaded so far is in the backup; everything after diverges.
    const size_t held = a_uploaded_;
    Backup("backup");
    for (const Step& s : after_backup) Run(s);
    Restore("backup");
    RC_ASSERT(!::testing::Test::HasFailure());

    // The restored server's state, and more activity on it: B is reset
    // (discarding) if it synced before, then writes.
    Run(Step{false, true, {}});
    for (const Step& s : after_restore) Run(s);
    Run(Step{false, true, {}});
    const testing::StateDump server = testing::DumpClient(*b_);
    RC_CLASSIFY(held < a_txns_.size(), "A has diverged transactions");
    RC_CLASSIFY(a_uploaded_ > held, "A's acknowledged writes were rolled back");
    RC_CLASSIFY(!after_restore.empty(), "B had steps after the restore");

    Result<SyncReport> r = Sync(*a_);
    RC_ASSERT(r.ok());
    RC_ASSERT(r->reset);
    testing::StateDump expected = server;
    for (size_t i = held; i < a_txns_.size(); ++i)
      for (const Operation& op : a_txns_[i]) {
        auto it = expected.find({op.collection, op.key});
        std::optional<FieldMap> object;
        if (it != expected.end()) object = it->second;
        fold::ApplyOperation(op, object).IgnoreError();  // one that cannot apply is a no-op
        if (object)
          expected[{op.collection, op.key}] = std::move(*object);
        else if (it != expected.end())
          expected.erase(it);
      }
    const testing::StateDump recovered = testing::DumpClient(*a_);
    RC_ASSERT(recovered == expected);
    Result<VerifyReport> v = a_->Verify();
    RC_ASSERT(v.ok());
    RC_ASSERT(v->ok());

    RC_ASSERT(Sync(*a_).ok());
    RC_ASSERT(Sync(*b_).ok());
    RC_ASSERT(testing::DumpClient(*b_) == recovered);
  }

 private:
  void Run(const Step& s) {
    Database& db = s.on_a ? *a_ : *b_;
    if (s.sync) {
      Result<SyncReport> r = Sync(db);
      RC_ASSERT(r.ok());
      if (s.on_a) a_uploaded_ = a_txns_.size();
      return;
    }
    Transaction t = db.BeginTransaction();
    for (const Operation& op : s.ops) RC_ASSERT(t.Write(op).ok());
    Result<Lsn> lsn = t.Commit();
    RC_ASSERT(lsn.ok());
    if (s.on_a) a_txns_.push_back(s.ops);
  }

  std::unique_ptr<Database> a_, b_;
  std::vector<std::vector<Operation>> a_txns_;  // A's committed transactions in lsn order
  size_t a_uploaded_ = 0;                       // how many of them A's last sync uploaded
};

// The property's first counterexample, kept as a fixed case: writes to the
// restored server reuse the version numbers of the rolled-back ones, so the
// server must name where the client's epoch forked (not its latest version),
// or A takes its acknowledged-then-rolled-back write for one the server holds.
class RestoredServer : public testing::ResetFixture {};

TEST_F(RestoredServer, WritesAfterTheRestoreDoNotHideRolledBackAcknowledgedWrites) {
  auto a = Open("a", RecoverUnsyncedChanges());
  Commit(*a, "kept", 1);
  ASSERT_TRUE(Sync(*a).ok());
  Backup("backup");
  Commit(*a, "acked-then-lost", 10);
  ASSERT_TRUE(Sync(*a).ok());
  Restore("backup");
  auto b = Open("b");
  ASSERT_TRUE(Sync(*b).ok());
  Commit(*b, "server", 100);  // the restored server reaches A's ack version again
  ASSERT_TRUE(Sync(*b).ok());
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_TRUE(a->Get("c", "acked-then-lost").ok());
  EXPECT_EQ(Total(*a), 111);
}

// Fork versions are kept per epoch and travel with backups: a client two
// restores behind learns where its own epoch ended, not where the last one did.
TEST_F(RestoredServer, AClientTwoRestoresBehindLearnsWhereItsOwnEpochEnded) {
  auto a = Open("a", RecoverUnsyncedChanges());
  Commit(*a, "kept", 1);
  ASSERT_TRUE(Sync(*a).ok());
  Backup("first");
  Commit(*a, "acked-then-lost", 10);  // acknowledged at version 2 of A's epoch
  ASSERT_TRUE(Sync(*a).ok());
  Restore("first");  // forks A's epoch at version 1
  auto b = Open("b");
  ASSERT_TRUE(Sync(*b).ok());
  Commit(*b, "server", 100);
  ASSERT_TRUE(Sync(*b).ok());
  Commit(*b, "server2", 1000);
  ASSERT_TRUE(Sync(*b).ok());
  Backup("second");
  Restore("second");  // forks B's epoch at version 3
  Result<SyncReport> r = Sync(*a);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reset);
  EXPECT_TRUE(a->Get("c", "acked-then-lost").ok());
  EXPECT_EQ(Total(*a), 1111);
}

// RC_GTEST_FIXTURE_PROP, with the number of cases capped unless RC_PARAMS
// sets it.
TEST(ResetProperty, RecoverEqualsTheDivergedOpsFoldedOntoTheRestoredServerState) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  const char* env = std::getenv("RC_PARAMS");
  if (env == nullptr || std::strstr(env, "max_success") == nullptr)
    params.maxSuccess = kDefaultCases;
  rc::detail::TestMetadata metadata;
  metadata.id = "ResetProperty/RecoverEqualsTheDivergedOpsFoldedOntoTheRestoredServerState";
  metadata.description = metadata.id;
  const auto result =
      rc::detail::checkTestable(&rc::detail::ExecFixture<ResetProperty>::exec, metadata, params);
  std::ostringstream ss;
  rc::detail::printResultMessage(result, ss);
  if (!result.template is<rc::detail::SuccessResult>()) FAIL() << ss.str();
  std::cout << ss.str() << std::endl;  // the classification of the cases
}

}  // namespace
}  // namespace journaldb
