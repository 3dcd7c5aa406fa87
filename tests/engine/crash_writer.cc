// crash_writer: the child process of the crash test. Opens the database,
// resumes each writer thread after its last committed seq, commits workload
// transactions until killed, and after each acknowledged commit writes
// "<lsn> <writer> <seq>\n" to stdout in one write(2) (atomic on a pipe).
//
// usage: crash_writer DB SEED THREADS SYNC(0|1)
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "crash_workload.h"
#include "journaldb/database.h"

namespace {

// A writer stops after this many commits, so a child whose parent vanished
// without closing the pipe still ends.
constexpr uint64_t kMaxCommitsPerWriter = 1'000'000;

int RunWriter(journaldb::Database& db, uint64_t seed, int writer) {
  using namespace journaldb;
  Result<Value> last =
      db.GetField(testing::kProgressCollection, testing::ProgressKey(writer), testing::kSeqField);
  if (!last.ok() && !last.status().IsNotFound()) {
    std::fprintf(stderr, "crash_writer: %s\n", last.status().ToString().c_str());
    return 3;
  }
  uint64_t seq = last.ok() ? static_cast<uint64_t>(last->as_int()) + 1 : 1;
  for (uint64_t n = 0; n < kMaxCommitsPerWriter; ++n, ++seq) {
    Transaction txn = db.BeginTransaction();
    for (Operation& op : testing::CrashWorkloadTransaction(seed, writer, seq))
      if (Status s = txn.Write(std::move(op)); !s.ok()) {
        std::fprintf(stderr, "crash_writer: %s\n", s.ToString().c_str());
        return 3;
      }
    Result<Lsn> lsn = txn.Commit();
    if (!lsn.ok()) {
      std::fprintf(stderr, "crash_writer: commit: %s\n", lsn.status().ToString().c_str());
      return 3;
    }
    std::string line =
        std::to_string(*lsn) + " " + std::to_string(writer) + " " + std::to_string(seq) + "\n";
    if (write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
      return 4;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: crash_writer DB SEED THREADS SYNC\n");
    return 2;
  }
  const std::string path = argv[1];
  const uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  const int threads = std::atoi(argv[3]);
  journaldb::Options options;
  options.durability = std::atoi(argv[4]) ? journaldb::Durability::kSyncEveryCommit
                                          : journaldb::Durability::kBuffered;
  auto db = journaldb::Database::Open(path, options);
  if (!db.ok()) {
    std::fprintf(stderr, "crash_writer: open: %s\n", db.status().ToString().c_str());
    return 3;
  }
  std::vector<int> results(static_cast<size_t>(threads), 0);
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w)
    workers.emplace_back([&, w] { results[static_cast<size_t>(w)] = RunWriter(**db, seed, w); });
  for (auto& t : workers) t.join();
  for (int r : results)
    if (r != 0) return r;
  return 0;
}
