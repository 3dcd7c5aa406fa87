// BenchDir: where a run's database lives. Either a fresh temporary directory
// (under $TMPDIR, else /tmp) removed when the BenchDir dies, or a directory
// the user named with --db, which is used as is and kept.
#ifndef JOURNALDB_TOOLS_BENCH_BENCH_DIR_H_
#define JOURNALDB_TOOLS_BENCH_BENCH_DIR_H_

#include <string>

#include "journaldb/status.h"

namespace journaldb::bench {

class BenchDir {
 public:
  // A new empty temporary directory; the database goes in its "db" subdirectory.
  static Result<BenchDir> Temp();
  // The user's database directory; never removed.
  static BenchDir Keep(std::string db_path);

  BenchDir(BenchDir&& other) noexcept;
  BenchDir& operator=(BenchDir&&) = delete;
  BenchDir(const BenchDir&) = delete;
  ~BenchDir();

  const std::string& db_path() const { return db_path_; }

 private:
  BenchDir(std::string root, std::string db_path)
      : root_(std::move(root)), db_path_(std::move(db_path)) {}
  std::string root_;  // removed on destruction; empty when kept
  std::string db_path_;
};

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_BENCH_DIR_H_
