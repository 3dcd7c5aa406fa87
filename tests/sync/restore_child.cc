// restore_child DATA BACKUP STEP: runs the server library's Restore of DATA
// from BACKUP and kills itself with SIGKILL when Restore reaches STEP
// (copying, copied, new-epoch, staged, moved-aside, swapped), for
// restore_crash_test. Exits 0 if Restore finished without reaching STEP,
// 1 with the error on stderr if it failed.
#include <signal.h>

#include <cstdio>
#include <string>

#include "journaldb/server/restore.h"

namespace {
const char* NameOf(journaldb::server::RestoreStep step) {
  using journaldb::server::RestoreStep;
  switch (step) {
    case RestoreStep::kCopying:
      return "copying";
    case RestoreStep::kCopied:
      return "copied";
    case RestoreStep::kNewEpoch:
      return "new-epoch";
    case RestoreStep::kStaged:
      return "staged";
    case RestoreStep::kMovedAside:
      return "moved-aside";
    case RestoreStep::kSwapped:
      return "swapped";
  }
  return "?";
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: restore_child DATA BACKUP STEP\n");
    return 2;
  }
  const std::string kill_at = argv[3];
  auto r = journaldb::server::Restore(argv[1], argv[2], [&](journaldb::server::RestoreStep step) {
    if (kill_at == NameOf(step)) ::raise(SIGKILL);
  });
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    return 1;
  }
  return 0;
}
