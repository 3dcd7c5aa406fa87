// Cli: runs the `journal` command line in-process (RunCli, tools/cli/cli.h)
// and returns its exit code and what it wrote to stdout and stderr.
#ifndef JOURNALDB_TESTS_TOOLS_CLI_IN_PROCESS_H_
#define JOURNALDB_TESTS_TOOLS_CLI_IN_PROCESS_H_

#include <sstream>
#include <string>
#include <vector>

#include "cli.h"

namespace journaldb::cli {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

inline CliRun Cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = RunCli(args, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace journaldb::cli

#endif  // JOURNALDB_TESTS_TOOLS_CLI_IN_PROCESS_H_
