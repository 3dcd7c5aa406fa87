// journal-bench's command line, run as a process: strict parsing (an unknown
// option or a missing value is a usage error, exit 2, naming it), --version,
// and the options that reach a run. Not built where journal-bench is not
// (JOURNALDB_BUILD_BENCH=OFF, as in the sanitizer stage of scripts/test.sh).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "support/child_process.h"
#include "support/temp_dir.h"
#include "usage_error.h"

#if !defined(JOURNAL_BENCH_PATH) || !defined(JOURNALDB_VERSION)
#error "the test target must define JOURNAL_BENCH_PATH and JOURNALDB_VERSION"
#endif

namespace journaldb {
namespace {

using testing::Contains;
using testing::ExpectUsageError;
using testing::ProcessResult;
using testing::RunProcess;

ProcessResult Bench(std::vector<std::string> args) {
  args.insert(args.begin(), JOURNAL_BENCH_PATH);
  return RunProcess(args);
}

class BenchCommandLine : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

// The version line also names the malloc the process runs on: tcmalloc
// unless the build turned it off (cmake/JournaldbAllocator.cmake), so a link
// that lost it shows here.
TEST_F(BenchCommandLine, PrintsTheProjectVersionAndItsMalloc) {
  ProcessResult r = Bench({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("journal-bench ") + JOURNALDB_VERSION +
                       " (malloc: " JOURNALDB_TOOLS_MALLOC ")\n");
}

TEST_F(BenchCommandLine, RejectsUnknownOptionsAndMissingValues) {
  ExpectUsageError(Bench({"--workload", "write", "--bogus", "1"}), "unknown option --bogus");
  ExpectUsageError(Bench({"--workload", "write", "--ops"}), "--ops");
  ExpectUsageError(Bench({"--workload", "write", "--ops", "-1"}), "--ops");
  ExpectUsageError(Bench({"--workload", "write", "--threads", "2000"}), "--threads");
  ExpectUsageError(Bench({"--workload", "frob"}), "unknown workload frob");
  ExpectUsageError(Bench({}), "--workload is required");
  ExpectUsageError(Bench({"--workload", "sync-nodes", "--postgres", ""}), "--postgres");
  ExpectUsageError(Bench({"--workload", "sync", "--idle-connections", "ten"}),
                   "--idle-connections");
  ExpectUsageError(Bench({"--workload", "sync", "--idle-connections", "-1"}), "--idle-connections");
  ExpectUsageError(Bench({"--workload", "write", "--tls"}),
                   "--idle-connections and --tls apply to --workload sync only");
  ExpectUsageError(Bench({"--workload", "write", "--memory-budget", "12x"}),
                   "--memory-budget needs one size");
  ExpectUsageError(Bench({"--workload", "sync", "--memory-budget", "64M"}),
                   "--memory-budget applies to --workload write, replay and list-replay only");
  ProcessResult r = Bench({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out, "usage: journal-bench --workload NAME")) << r.out;
}

// A PostgreSQL server that is not there fails the run before any setup, and
// says which option and why.
TEST_F(BenchCommandLine, SyncNodesNamesAnUnreachablePostgres) {
  ProcessResult r = Bench({"--workload", "sync-nodes", "--postgres",
                           "host=" + dir_.Sub("no-server") + " port=1 connect_timeout=2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "--postgres: cannot connect")) << r.err;
  EXPECT_EQ(r.out, "");  // no line for the data-directory setup either
}

// SQLite's side commits from every thread too (taking turns on its one
// writer) and still lands one state row and one journal row per op, which the
// bench checks after each run.
TEST_F(BenchCommandLine, SqliteSyncCommitsFromSeveralThreads) {
  ProcessResult r =
      Bench({"--workload", "sqlite-sync", "--ops", "40", "--runs", "1", "--threads", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t lines = 0;
  for (size_t begin = 0; begin < r.out.size(); ++lines) {
    const size_t end = r.out.find('\n', begin);
    const std::string line = r.out.substr(begin, end - begin);
    EXPECT_TRUE(Contains(line, "\"threads\":4,")) << line;
    begin = end == std::string::npos ? r.out.size() : end + 1;
  }
  EXPECT_EQ(lines, 3u) << r.out;  // journaled, sqlite, summary
}

// --memory-budget reaches the databases both sides of `write` open, and
// each line says which budget it ran with (0: none).
TEST_F(BenchCommandLine, WriteRunsWithTheMemoryBudgetGiven) {
  for (const auto& [given, bytes] : {std::pair{"0", "0"}, std::pair{"16M", "16777216"}}) {
    ProcessResult r =
        Bench({"--workload", "write", "--ops", "50", "--runs", "1", "--memory-budget", given});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(Contains(r.out, std::string("\"side\":\"summary\",\"runs\":1,\"threads\":1,"
                                            "\"memory_budget_bytes\":") +
                                    bytes + ","))
        << r.out;
  }
  // Below the bounds: the library's own check, from the run that opens it.
  ProcessResult r =
      Bench({"--workload", "write", "--ops", "50", "--runs", "1", "--memory-budget", "1K"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "Options::memory_budget_bytes is 1024")) << r.err;
}

}  // namespace
}  // namespace journaldb
