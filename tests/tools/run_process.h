// RunProcess: runs a program to completion and captures its stdout, stderr
// and exit code. Uses posix_spawn (no fork), so it is safe in a test process
// that already runs RocksDB threads.
#ifndef JOURNALDB_TESTS_TOOLS_RUN_PROCESS_H_
#define JOURNALDB_TESTS_TOOLS_RUN_PROCESS_H_

#include <string>
#include <vector>

namespace journaldb::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: did not exit normally (a signal), or could not start
  std::string out;
  std::string err;
};

// `argv[0]` is the program's path.
ProcessResult RunProcess(const std::vector<std::string>& argv);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_TOOLS_RUN_PROCESS_H_
