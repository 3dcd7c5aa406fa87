// RunCli: the whole `journal` command line except process start-up, so tests
// can drive it in-process as well as through the binary.
//
//   std::ostringstream out, err;
//   int code = journaldb::cli::RunCli({"get", "/data/app.db", "tasks", "t1"}, out, err);
//
// Thread safety: each call is independent; `out` and `err` must not be shared
// with concurrent calls.
#ifndef JOURNALDB_TOOLS_CLI_CLI_H_
#define JOURNALDB_TOOLS_CLI_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace journaldb::cli {

// `args` excludes the program name. Returns the process exit code (0 ok,
// 1 error, 2 usage, 3 verification failed); writes results to `out` and
// diagnostics to `err`.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_CLI_H_
