// Fault sweeps over the commit path: run a fixed workload (open, 30
// transactions, close) once to count its I/O operations K, then once per
// operation N in 1..K with a fault injected at N, reopen without faults and
// check nothing acknowledged was lost and nothing partial is visible
// (CheckAfterFault in workload.h lists the rules).
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <iostream>

#include "faults/fault_fs.h"
#include "faults/sweep_budget.h"
#include "faults/workload.h"
#include "journaldb/engine/open_with_env.h"
#include "support/temp_dir.h"

namespace journaldb::testing {
namespace {

namespace fs = boost::filesystem;

constexpr int kSeedCommits = 5;
constexpr int kWorkloadCommits = 30;
// Sweeps visit every operation unless K exceeds this (sweep_budget.h).
constexpr uint64_t kMaxRuns = 400;

struct SweepCase {
  FaultKind kind;
  Durability durability;
  bool existing_db;  // the workload reopens a database holding seed commits
};

void PrintTo(const SweepCase& c, std::ostream* os) {
  *os << FaultKindName(c.kind)
      << (c.durability == Durability::kSyncEveryCommit ? " sync-every-commit" : " buffered")
      << (c.existing_db ? " reopen" : " create");
}

std::string CaseName(const ::testing::TestParamInfo<SweepCase>& info) {
  std::string name;
  for (char c : std::string(FaultKindName(info.param.kind))) name += c == '-' ? '_' : c;
  name += info.param.durability == Durability::kSyncEveryCommit ? "_Sync" : "_Buffered";
  name += info.param.existing_db ? "_Reopen" : "_Create";
  return name;
}

void CopyDir(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  for (const fs::directory_entry& e : fs::directory_iterator(from))
    fs::copy_file(e.path(), fs::path(to) / e.path().filename());
}

class CommitFaultSweep : public ::testing::TestWithParam<SweepCase> {
 protected:
  void SetUp() override {
    seed_ = WorkloadTransactions(kSeedCommits, /*salt=*/1);
    txns_ = WorkloadTransactions(kWorkloadCommits);
    if (!GetParam().existing_db) {
      seed_.clear();
      return;
    }
    // The seed database is written without faults and closed with its data
    // only in the WAL, so the workload's open replays and flushes it.
    Options options;
    options.durability = Durability::kSyncEveryCommit;
    WorkloadRun seeded = RunWorkload(template_.path() + "/db", options, nullptr, seed_, 1);
    ASSERT_TRUE(seeded.open_status.ok()) << seeded.open_status.ToString();
    ASSERT_EQ(seeded.acked.size(), seed_.size());
  }

  // A fresh copy of the seed database (or nothing, for creation sweeps).
  std::string FreshDatabase(const TempDir& dir) {
    std::string path = dir.Sub("db");
    if (GetParam().existing_db) CopyDir(template_.path() + "/db", path);
    return path;
  }

  // Runs the workload with `kind` armed at operation `at` (kNone: no fault)
  // and returns the run; `ops` gets the number of operations counted.
  WorkloadRun RunWith(const std::string& path, FaultKind kind, uint64_t at, FaultEnv& fault) {
    Options options;
    options.durability = GetParam().durability;
    fault.fs->Arm(kind, at);
    WorkloadRun run = RunWorkload(path, options, fault.env.get(), txns_, seed_.size() + 1);
    if (kind == FaultKind::kPowerLoss) {
      Status dropped = fault.fs->DropUnsyncedData();
      EXPECT_TRUE(dropped.ok()) << dropped.ToString();
    }
    fault.fs->Disarm();
    return run;
  }

  TempDir template_;
  std::vector<Ops> seed_, txns_;
};

TEST_P(CommitFaultSweep, NoAcknowledgedCommitIsLostAndNothingPartialIsVisible) {
  const SweepCase c = GetParam();
  uint64_t k = 0;
  {
    TempDir dir;
    FaultEnv fault;
    WorkloadRun clean = RunWith(FreshDatabase(dir), FaultKind::kNone, 0, fault);
    k = fault.fs->operations();
    ASSERT_TRUE(clean.violation.empty()) << clean.violation;
    ASSERT_EQ(clean.acked.size(), txns_.size())
        << "the workload fails without faults: " << clean.failed_status.ToString();
  }
  // Each commit costs at least one counted write, so a K this small means
  // the file system is not seeing the database's I/O.
  ASSERT_GT(k, static_cast<uint64_t>(kWorkloadCommits));
  const uint64_t stride = SweepStride(k, kMaxRuns);
  uint64_t fired = 0, commit_failures = 0, open_failures = 0;
  for (uint64_t n = 1; n <= k; n += stride) {
    TempDir dir;
    FaultEnv fault;
    const std::string path = FreshDatabase(dir);
    WorkloadRun run = RunWith(path, c.kind, n, fault);
    if (fault.fs->fired()) ++fired;
    if (run.failed) ++commit_failures;
    if (!run.open_status.ok()) ++open_failures;
    // Power loss keeps synced data only, so acknowledged buffered commits
    // may go; every other fault leaves written data in place.
    const bool acked_must_survive =
        c.kind != FaultKind::kPowerLoss || c.durability == Durability::kSyncEveryCommit;
    // Even a fault in the middle of creating the database must leave a
    // directory the next writable open accepts (it finishes the creation).
    std::string problem = CheckAfterFault(path, seed_, txns_, run, acked_must_survive);
    if (!problem.empty()) {
      ADD_FAILURE() << FaultKindName(c.kind) << " at operation " << n << " of " << k << " ("
                    << fault.fs->fired_at() << "), first failed commit "
                    << (run.failed ? std::to_string(*run.failed) : "none") << " with "
                    << run.failed_status.ToString() << ", open: " << run.open_status.ToString()
                    << "\n  " << problem;
      return;  // one counterexample is enough to debug; the rest would repeat it
    }
  }
  // The sweep must actually have hit something: every run fires its fault,
  // and some of them during commits.
  EXPECT_EQ(fired, (k + stride - 1) / stride);
  EXPECT_GT(commit_failures, 0u);
  RecordProperty("operations", static_cast<int>(k));
  std::cout << "[ sweep    ] " << FaultKindName(c.kind) << ": K=" << k << " stride=" << stride
            << " failed commits in " << commit_failures << " runs, failed opens in "
            << open_failures << " runs\n";
}

INSTANTIATE_TEST_SUITE_P(
    Faults, CommitFaultSweep,
    ::testing::Values(SweepCase{FaultKind::kPowerLoss, Durability::kSyncEveryCommit, true},
                      SweepCase{FaultKind::kPowerLoss, Durability::kSyncEveryCommit, false},
                      SweepCase{FaultKind::kErrorOnce, Durability::kSyncEveryCommit, true},
                      SweepCase{FaultKind::kErrorOnce, Durability::kBuffered, true},
                      SweepCase{FaultKind::kErrorFromThenOn, Durability::kSyncEveryCommit, true},
                      SweepCase{FaultKind::kErrorFromThenOn, Durability::kBuffered, true},
                      SweepCase{FaultKind::kErrorFromThenOn, Durability::kBuffered, false},
                      SweepCase{FaultKind::kNoSpace, Durability::kSyncEveryCommit, true},
                      SweepCase{FaultKind::kNoSpace, Durability::kBuffered, true}),
    CaseName);

}  // namespace
}  // namespace journaldb::testing
