// journal: the command-line tool (docs/cli.md). Everything but process
// start-up lives in the journaldb_cli library (cli.h) so tests can reach it.
#include <signal.h>

#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli.h"

int main(int argc, char** argv) {
  // The CLI never mixes C stdio with iostreams; unsynchronised streams make
  // long `journal log` listings much faster.
  std::ios::sync_with_stdio(false);
  // A write past the file-size limit (RLIMIT_FSIZE) would end the process
  // with SIGXFSZ; ignored, the write fails with EFBIG and the command reports
  // the store's error ("File too large") with its exit code.
  signal(SIGXFSZ, SIG_IGN);
  int code = 1;
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    code = journaldb::cli::RunCli(args, std::cout, std::cerr);
  } catch (const std::bad_alloc&) {
    // A commit that throws committed nothing and a replay resumes (docs/api.md,
    // "Allocation failure"): say so, not abort with a core.
    std::cerr << "journal: out of memory (std::bad_alloc): the command stopped; what it "
                 "committed stays, a commit it was making may not have happened (see journal "
                 "log); a replay resumes where it stopped\n";
    return 1;
  }
  std::cout.flush();
  if (!std::cout) {
    // A full disk or a closed pipe: the result did not reach its reader.
    std::cerr << "journal: cannot write the output\n";
    return code == 0 ? 1 : code;
  }
  return code;
}
