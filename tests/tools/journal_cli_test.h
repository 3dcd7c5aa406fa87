// JournalCliTest: a fixture that runs the real `journal` binary, whose path
// the including test target defines as JOURNAL_CLI_PATH.
#ifndef JOURNALDB_TESTS_TOOLS_JOURNAL_CLI_TEST_H_
#define JOURNALDB_TESTS_TOOLS_JOURNAL_CLI_TEST_H_

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/json_checker.h"

#ifndef JOURNAL_CLI_PATH
#error "the test target must define JOURNAL_CLI_PATH"
#endif

namespace journaldb::testing {

class JournalCliTest : public ::testing::Test {
 protected:
  static ProcessResult Journal(std::vector<std::string> args) {
    args.insert(args.begin(), JOURNAL_CLI_PATH);
    return RunProcess(args);
  }

  // Runs with --json, expects `exit_code` and one valid JSON document.
  static Json JournalJson(std::vector<std::string> args, int exit_code = 0) {
    args.push_back("--json");
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, exit_code) << args.front() << "\nstderr: " << r.err;
    std::string error;
    std::optional<Json> j = ParseJson(r.out, &error);
    EXPECT_TRUE(j.has_value()) << args.front() << ": " << error << " in:\n" << r.out;
    return j.value_or(Json{});
  }
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_TOOLS_JOURNAL_CLI_TEST_H_
