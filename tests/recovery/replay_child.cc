// Child process of the replay crash test: replays SNAPSHOT_DIR into LIVE_DB
// with local-wins, printing "lsn N" after each decided transaction, and exits
// 0 when the replay is complete.
#include <cstdio>

#include "journaldb/replayer.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: replay_child SNAPSHOT_DIR LIVE_DB\n");
    return 2;
  }
  auto snapshot = journaldb::OpenRecoverySnapshot(argv[1]);
  if (!snapshot.ok()) return 1;
  auto live = journaldb::Database::Open(argv[2], {});
  if (!live.ok()) {
    std::fprintf(stderr, "%s\n", live.status().ToString().c_str());
    return 1;
  }
  journaldb::LocalWinsPolicy policy;
  journaldb::ReplayOptions options;
  options.on_progress = [](journaldb::Lsn lsn, uint64_t, uint64_t) {
    std::printf("lsn %llu\n", static_cast<unsigned long long>(lsn));
    std::fflush(stdout);
  };
  auto report = journaldb::Replay(*snapshot, **live, policy, options);
  if (!report.ok()) {
    std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
    return 1;
  }
  return report->complete ? 0 : 3;
}
