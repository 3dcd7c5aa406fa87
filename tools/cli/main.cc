// journal: the command-line tool (docs/cli.md). Everything but process
// start-up lives in the journaldb_cli library (cli.h) so tests can reach it.
#include <signal.h>

#include <iostream>
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
  // Output to a pipe whose reader is gone (`journal log DB | head`) would end
  // the process with SIGPIPE, silently, even after a commit; ignored, the
  // write fails and the check below says so.
  signal(SIGPIPE, SIG_IGN);
  // RunCli reports an allocation failure itself (std::bad_alloc); copying
  // the arguments is the only allocation before it.
  const int code = journaldb::cli::RunCli({argv + 1, argv + argc}, std::cout, std::cerr);
  std::cout.flush();
  if (!std::cout) {
    // A full disk or a closed pipe: the result did not reach its reader.
    std::cerr << "journal: cannot write the output\n";
    return code == 0 ? 1 : code;
  }
  return code;
}
