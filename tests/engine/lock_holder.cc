// lock_holder: opens a database, prints "open" and keeps it open until its
// stdin closes, so a test can try to open the same database from another
// process. Prints "error <status>" and exits 3 if the open fails.
//
// usage: lock_holder DB
#include <unistd.h>

#include <cstdio>

#include "journaldb/database.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lock_holder DB\n");
    return 2;
  }
  auto db = journaldb::Database::Open(argv[1], {});
  if (!db.ok()) {
    std::printf("error %s\n", db.status().ToString().c_str());
    return 3;
  }
  std::printf("open\n");
  std::fflush(stdout);
  char c;
  while (read(STDIN_FILENO, &c, 1) > 0) {
  }
  return 0;
}
