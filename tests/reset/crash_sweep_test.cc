// Crash sweep of the client reset (DESIGN.md guarantees 4 and 5): a child
// process carries out a reset demanded by a journal-server restored from an
// older backup, and is SIGKILLed again and again at varied points: by its own
// before_reset / after_reset callbacks or the moment its durable record
// reaches a step, and from outside at random moments during open, detection,
// snapshot, wipe, download and replay. After every
// kill the next run resumes. When a run finishes, every diverged transaction
// must be in the live database exactly once (recovering strategies) or in the
// one complete recovery snapshot (discard, manual), from where a replay
// applies each exactly once.
//
// Each diverged transaction adds an item and increments one counter by 1, so
// a lost transaction shows as a missing item and a doubled one in the
// counter. Some of them the server acknowledged before the restore rolled
// them back; another client wrote to the server after the restore.
//
// Some diverged transactions also write the list l/doc.xs (docs/data-model.md,
// "Lists"): inserts, removes, a set and moves, into a list both sides extend
// after the restore; a doubled replay shows as a repeated element id or
// value, a lost one as a missing value, a lost remove as a value back.
//
// JOURNALDB_CRASH_KILLS sets the number of kills (default 100);
// JOURNALDB_CRASH_SEED the seed of the kill plan (printed; where each kill
// lands also depends on timing).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/replayer.h"
#include "reset_fixture.h"
#include "support/child_process.h"

namespace journaldb {
namespace {

namespace fs = boost::filesystem;

constexpr int kKept = 20;      // synced before the backup: the server keeps them
constexpr int kAcked = 100;    // acknowledged, then rolled back by the restore
constexpr int kOffline = 300;  // never uploaded
constexpr int kDiverged = kAcked + kOffline;
constexpr int kServerWrites = 60;  // another client's writes after the restore
constexpr int kListKept = 5;       // list elements k0..k4, synced before the backup
constexpr int kListServerInserts = 5;  // s0..s4, into the list after the restore

const char* const kModes[] = {
    "recover", "discard", "recover", "manual-execute", "recover-or-discard", "manual"};

bool Recovers(const std::string& mode) { return mode == "recover" || mode == "recover-or-discard"; }

int KillTarget() {
  const char* env = std::getenv("JOURNALDB_CRASH_KILLS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 100;
}

// How one run of the child ends: killed by its own callback (kill_at), or
// from here after `anchor_count` lines starting with `anchor` and a delay;
// no anchor and no kill_at: it runs to the end.
struct KillPlan {
  std::string kill_at = "none";
  std::string anchor;
  int anchor_count = 1;
  int delay_us = 0;
};

class CrashSweep : public testing::ResetFixture {
 protected:
  // Item i and +1 on c/total.n, in one transaction, with the list ops of
  // ListOps(i).
  void CommitItem(Database& db, int i) {
    Transaction t = db.BeginTransaction();
    ASSERT_TRUE(t.Upsert("items", "i" + std::to_string(i), {{"i", Value::Int(i)}}).ok());
    ASSERT_TRUE(t.Increment("c", "total", "n", 1).ok());
    ListOps(t, i);
    ASSERT_TRUE(t.Commit().ok());
  }

  // Kept transactions 0..4 build the list k0..k4. Diverged ones: every 25th
  // inserts d<i> after k0, k2, k3 or k4 (k3 by its id from before the move);
  // single ones remove k1, set k2, move k3 to the head, remove one diverged
  // insert and move another.
  void ListOps(Transaction& t, int i) {
    const std::string f = "xs";
    if (i < kKept) {
      if (i >= kListKept) return;
      std::optional<ElementId> after;
      if (i > 0) after = kept_ids_[i - 1];
      Result<ElementId> id =
          t.ListInsert("l", "doc", f, after, Value::String("k" + std::to_string(i)));
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      kept_ids_[i] = *id;
      return;
    }
    const int d = i - kKept;
    auto counted = [&](Status s) {
      ASSERT_TRUE(s.ok()) << "transaction " << i << ": " << s.ToString();
      ++diverged_list_ops_;
    };
    if (d % 25 == 0) {
      // Not after k1: removed first, it is no anchor to a checked insert.
      static constexpr int kAnchors[] = {0, 2, 3, 4};
      Result<ElementId> id = t.ListInsert("l", "doc", f, kept_ids_[kAnchors[(d / 25) % 4]],
                                          Value::String("d" + std::to_string(i)));
      counted(id.status());
      if (id.ok()) diverged_ids_[i] = *id;
    }
    if (d == 10) counted(t.ListRemove("l", "doc", f, kept_ids_[1]));
    if (d == 60) counted(t.ListSet("l", "doc", f, kept_ids_[2], Value::String("k2-set")));
    if (d == kAcked + 40) counted(t.ListMove("l", "doc", f, kept_ids_[3], std::nullopt).status());
    if (d == kAcked + 110) counted(t.ListRemove("l", "doc", f, diverged_ids_.at(kKept + 25)));
    if (d == kAcked + 160)
      counted(t.ListMove("l", "doc", f, diverged_ids_.at(kKept + 50), kept_ids_[4]).status());
  }

  // The values the list must hold once every diverged transaction is in.
  std::multiset<std::string> ExpectedListValues() const {
    std::multiset<std::string> want = {"k0", "k2-set", "k3", "k4"};
    for (int w = 0; w < kListServerInserts; ++w) want.insert("s" + std::to_string(w));
    for (const auto& [i, id] : diverged_ids_)
      if (i != kKept + 25) want.insert("d" + std::to_string(i));
    return want;
  }

  // Present values of l/doc.xs in order; checks that no element id occurs
  // twice (a doubled insert or move) and no present value twice. Empty if the
  // object is absent (wiped, not yet downloaded).
  static std::vector<std::string> ListValues(const Database& db) {
    std::vector<std::string> values;
    Result<Value> v = db.GetField("l", "doc", "xs");
    if (!v.ok()) {
      EXPECT_TRUE(v.status().IsNotFound()) << v.status().ToString();
      return values;
    }
    EXPECT_EQ(v->type(), ValueType::kList);
    if (v->type() != ValueType::kList) return values;
    std::set<std::string> ids, seen;
    for (const ListElement& e : v->as_list().elements) {
      EXPECT_TRUE(ids.insert(e.id.ToString()).second)
          << "element id " << e.id.ToString() << " twice";
      if (e.removed) continue;
      values.push_back(e.value.as_string());
      EXPECT_TRUE(seen.insert(values.back()).second) << "list value " << values.back() << " twice";
    }
    return values;
  }

  // Leaves in DbPath("template") a closed client database that the restored
  // server will reset, with kDiverged diverged transactions; the server's
  // total afterwards goes to server_total_.
  void BuildTemplate() {
    {
      // Enough server state that the bootstrap download takes a while.
      auto b = Open("b");
      for (int batch = 0; batch < 20; ++batch) {
        Transaction t = b->BeginTransaction();
        for (int k = 0; k < 100; ++k)
          ASSERT_TRUE(t.Upsert("bulk", "k" + std::to_string(batch * 100 + k),
                               {{"v", Value::String(std::string(64, 'x'))}})
                          .ok());
        ASSERT_TRUE(t.Commit().ok());
      }
      Commit(*b, "base", 1);
      ASSERT_TRUE(Sync(*b).ok());
    }
    auto a = Open("template");
    ASSERT_TRUE(Sync(*a).ok());
    int i = 0;
    for (; i < kKept; ++i) CommitItem(*a, i);
    ASSERT_TRUE(Sync(*a).ok());
    Backup("backup");
    for (; i < kKept + kAcked; ++i) CommitItem(*a, i);
    Result<SyncReport> r = Sync(*a);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->uploaded_entries, static_cast<uint64_t>(kAcked));
    for (; i < kKept + kDiverged; ++i) CommitItem(*a, i);
    ASSERT_EQ(Total(*a), 1 + kKept + kDiverged);
    a.reset();
    Restore("backup");
    auto c = Open("c");
    ASSERT_TRUE(Sync(*c).ok());
    for (int w = 0; w < kServerWrites; ++w) Commit(*c, "server" + std::to_string(w), 1000);
    for (int w = 0; w < kListServerInserts; ++w) {
      // The other side of the restore extends the same list.
      Transaction t = c->BeginTransaction();
      ASSERT_TRUE(t.ListInsert("l", "doc", "xs", kept_ids_[w % kListKept],
                               Value::String("s" + std::to_string(w)))
                      .ok());
      ASSERT_TRUE(t.Commit().ok());
    }
    ASSERT_TRUE(Sync(*c).ok());
    server_total_ = Total(*c);
    ASSERT_EQ(server_total_, 1 + kKept + 1000 * kServerWrites);
    StopServer();
    CopyDir(data_, dir_.Sub("server-template"));
    StartServer();
  }

  // The reset's sync uploads the writes it replayed: every scenario starts
  // from the server as BuildTemplate left it.
  void RestoreServerData() {
    StopServer();
    fs::remove_all(data_);
    CopyDir(dir_.Sub("server-template"), data_);
    StartServer();
  }

  // Runs the child once; returns its wait status.
  int RunChild(const std::string& db, const std::string& mode, const KillPlan& plan) {
    std::string error;
    auto child = testing::ChildProcess::Start(
        {JOURNALDB_RESET_CHILD_PATH, db, ServerAddress(), mode, plan.kill_at}, &error);
    EXPECT_NE(child, nullptr) << error;
    if (child == nullptr) return -1;
    if (plan.anchor.empty()) {
      while (child->ReadLine()) {
      }
      return child->Wait();
    }
    int seen = 0;
    while (std::optional<std::string> line = child->ReadLine())
      if (line->rfind(plan.anchor, 0) == 0 && ++seen >= plan.anchor_count) break;
    // The delay only varies where the kill lands; nothing waits on it.
    if (plan.delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(plan.delay_us));
    child->Kill(SIGKILL);
    return child->Wait();
  }

  // Where a kill left the database at `db`, for the histogram; also checks
  // that no diverged transaction is lost at that point.
  std::string Landed(const std::string& db) {
    auto live = OpenReadOnly(db);
    if (live == nullptr) return "unopenable";
    ListValues(*live);  // no element or value twice, at any point
    Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(*live);
    EXPECT_TRUE(pending.ok()) << pending.status().ToString();
    if (!pending.ok()) return "unreadable record";
    const std::string root = db + ".recovery";
    if (!pending->has_value()) {
      if (fs::exists(root)) return "5 finished (killed after)";
      // Nothing happened yet: the journal still holds every transaction.
      EXPECT_EQ(CountObjects(*live, "items"), kKept + kDiverged);
      return "0 not yet detected";
    }
    const PendingClientReset& p = **pending;
    const fs::path snapshot = fs::path(p.recovery_root) / p.recovery_id;
    if (p.step >= ClientResetStep::kSnapshotted) {
      // Past the snapshot: it must be complete and hold every diverged entry.
      Result<RecoverySnapshot> snap = OpenRecoverySnapshot(snapshot.string());
      EXPECT_TRUE(snap.ok()) << snap.status().ToString();
      if (snap.ok()) {
        EXPECT_EQ(snap->manifest.diverged_entries, static_cast<uint64_t>(kDiverged));
      }
    } else {
      EXPECT_EQ(CountObjects(*live, "items"), kKept + kDiverged);
    }
    switch (p.step) {
      case ClientResetStep::kDetected:
        if (fs::exists(snapshot.string() + ".tmp")) return "1 detected: writing the snapshot";
        if (fs::exists(snapshot)) return "1 detected: snapshot complete, record not yet moved";
        return "1 detected";
      case ClientResetStep::kSnapshotted:
        return "2 snapshotted: wiping";
      case ClientResetStep::kWiped:
        return live->Info()->objects > 0 ? "3 wiped: downloading the server state"
                                         : "3 wiped: download not begun";
      case ClientResetStep::kReady: {
        int replayed = CountObjects(*live, "items") - kKept;
        // Each replayed transaction counted once, even mid-replay.
        EXPECT_EQ(Total(*live), server_total_ + replayed);
        if (replayed == 0) return "4 ready: replay not begun";
        if (replayed == kDiverged) return "4 ready: replayed, not yet finished";
        return "4 ready: replaying";
      }
    }
    return "unknown step";
  }

  // The end state of a finished reset in `db` under `mode`.
  void CheckFinished(const std::string& db, const std::string& mode) {
    SCOPED_TRACE(db + " " + mode);
    const std::string root = db + ".recovery";
    for (fs::directory_iterator it(root), end; it != end; ++it)
      EXPECT_NE(it->path().extension(), ".tmp") << it->path() << " left behind";
    Result<std::vector<RecoverySnapshot>> snaps = ListRecoverySnapshots(root);
    ASSERT_TRUE(snaps.ok()) << snaps.status().ToString();
    ASSERT_EQ(snaps->size(), 1u);
    const RecoverySnapshot& snap = (*snaps)[0];
    EXPECT_EQ(snap.manifest.diverged_entries, static_cast<uint64_t>(kDiverged));
    EXPECT_EQ(snap.manifest.diverged_ops,
              static_cast<uint64_t>(2 * kDiverged + diverged_list_ops_));

    auto live = Database::Open(db, {});
    ASSERT_TRUE(live.ok()) << live.status().ToString();
    Database& a = **live;
    Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(a);
    ASSERT_TRUE(pending.ok());
    EXPECT_FALSE(pending->has_value()) << "the reset record is left";
    if (!Recovers(mode)) {
      // The server state only; the diverged transactions wait in the snapshot.
      EXPECT_EQ(Total(a), server_total_);
      EXPECT_EQ(CountObjects(a, "items"), kKept);
      LocalWinsPolicy policy;
      Result<ReplayReport> r = Replay(snap, a, policy, {});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->transactions_applied, static_cast<uint64_t>(kDiverged));
    }
    EXPECT_EQ(Total(a), server_total_ + kDiverged);
    EXPECT_EQ(CountObjects(a, "items"), kKept + kDiverged);
    EXPECT_EQ(CountObjects(a, "bulk"), 2000);
    // Every diverged list op exactly once: inserts present once, removed
    // elements still gone, the set and the moves in place.
    std::vector<std::string> list = ListValues(a);
    EXPECT_EQ(std::multiset<std::string>(list.begin(), list.end()), ExpectedListValues());
    EXPECT_TRUE(!list.empty() && list.front() == "k3") << "the move to the head is lost";
    Result<bool> replayed = IsFullyReplayed(a, snap);
    ASSERT_TRUE(replayed.ok());
    EXPECT_TRUE(*replayed);
    Result<VerifyReport> v = a.Verify();
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_TRUE(v->ok()) << v->problems.front();
  }

  int64_t server_total_ = 0;
  ElementId kept_ids_[kListKept];
  std::map<int, ElementId> diverged_ids_;  // by transaction
  int diverged_list_ops_ = 0;
};

TEST_F(CrashSweep, KilledResetsResumeWithoutLosingOrDoublingADivergedTransaction) {
  BuildTemplate();
  if (HasFatalFailure()) return;
  const int target = KillTarget();
  const char* seed_env = std::getenv("JOURNALDB_CRASH_SEED");
  const uint32_t seed =
      seed_env != nullptr ? static_cast<uint32_t>(std::strtoul(seed_env, nullptr, 10)) : 20261126u;
  std::printf("client reset crash sweep: seed %u (JOURNALDB_CRASH_SEED)\n", seed);
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::map<std::string, int> histogram;
  int kills = 0;
  for (int scenario = 0; kills < target; ++scenario) {
    const std::string mode = kModes[scenario % std::size(kModes)];
    const std::string db = DbPath("s" + std::to_string(scenario));
    CopyDir(DbPath("template"), db);
    const int scenario_kills = std::min(uniform(3, 9), target - kills);
    int killed = 0;
    bool finished = false;
    for (int run = 0; !finished; ++run) {
      ASSERT_LT(run, 100) << "scenario " << scenario << " does not finish";
      KillPlan plan;
      if (killed < scenario_kills) {
        const bool automatic = mode.rfind("manual", 0) != 0;
        int pick = uniform(0, 99);
        if (pick < 6 && automatic) {
          plan.kill_at = "before_reset";
        } else if (pick < 12 && automatic) {
          plan.kill_at = "after_reset";
        } else if (pick < 30) {
          // The moment the record reaches a step, or soon after the complete
          // snapshot appears (a watcher thread in the child).
          plan.kill_at = Recovers(mode) && pick >= 27 ? "step:ready"
                         : pick >= 24                 ? "step:wiped"
                         : pick >= 21                 ? "step:snapshotted"
                                      : "renamed:" + std::to_string(uniform(0, 1500));
        } else if (pick < 40) {
          plan.anchor = "open";  // during open, which resumes the reset
          plan.delay_us = uniform(0, 40000);
        } else if (pick < 68 || !Recovers(mode)) {
          plan.anchor = "sync";  // detection, snapshot, wipe, download
          plan.delay_us = uniform(0, 40000);
        } else {
          plan.anchor = "decide";  // replay
          plan.anchor_count = uniform(1, kDiverged);
          plan.delay_us = uniform(0, 500);
        }
      }
      int status = RunChild(db, mode, plan);
      if (WIFSIGNALED(status)) {
        ASSERT_EQ(WTERMSIG(status), SIGKILL);
        ++killed;
        ++kills;
        ++histogram[Landed(db)];
        if (HasFailure()) {
          ADD_FAILURE() << "after kill " << kills << " (scenario " << scenario << ", mode " << mode
                        << ", run " << run << ")";
          return;
        }
        continue;
      }
      ASSERT_TRUE(WIFEXITED(status));
      if (WEXITSTATUS(status) == 4 && mode == "manual") continue;  // runs at the next open
      ASSERT_EQ(WEXITSTATUS(status), 0) << "scenario " << scenario << " run " << run;
      // A run that ended before the planned kill counts only if it finished.
      finished = true;
    }
    CheckFinished(db, mode);
    if (HasFailure()) {
      ADD_FAILURE() << "scenario " << scenario << " (mode " << mode << ")";
      return;
    }
    fs::remove_all(db);
    fs::remove_all(db + ".recovery");
    RestoreServerData();
    if (HasFatalFailure()) return;
  }
  EXPECT_GE(kills, target);
  std::printf("client reset crash sweep: %d kills; where they landed:\n", kills);
  for (const auto& [where, count] : histogram) std::printf("  %4d  %s\n", count, where.c_str());
  std::fflush(stdout);
}

}  // namespace
}  // namespace journaldb
