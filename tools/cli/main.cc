// journal: the command-line tool (docs/cli.md). Everything but process
// start-up lives in the journaldb_cli library (cli.h) so tests can reach it.
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = journaldb::cli::RunCli(args, std::cout, std::cerr);
  std::cout.flush();
  return code;
}
