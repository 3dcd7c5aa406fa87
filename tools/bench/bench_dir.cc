#include "bench_dir.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <boost/filesystem.hpp>
#include <cerrno>

#include "journaldb/journal/util/errno_status.h"

namespace journaldb::bench {

Result<BenchDir> BenchDir::Temp() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = fmt::format("{}/journal-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(templ.data()) == nullptr)
    return util::ErrnoStatus("create temporary directory", templ);
  std::string db = templ + "/db";
  return BenchDir(std::move(templ), std::move(db));
}

BenchDir BenchDir::Keep(std::string db_path) { return BenchDir("", std::move(db_path)); }

BenchDir::BenchDir(BenchDir&& other) noexcept
    : root_(std::move(other.root_)), db_path_(std::move(other.db_path_)) {
  other.root_.clear();
}

BenchDir::~BenchDir() {
  if (root_.empty()) return;
  boost::system::error_code ec;
  boost::filesystem::remove_all(root_, ec);
}

}  // namespace journaldb::bench
