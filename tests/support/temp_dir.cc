#include "support/temp_dir.h"

#include <boost/filesystem.hpp>

namespace journaldb::testing {

TempDir::TempDir() {
  namespace fs = boost::filesystem;
  path_ = (fs::temp_directory_path() / fs::unique_path("journaldb-test-%%%%-%%%%-%%%%")).string();
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  boost::system::error_code ec;
  boost::filesystem::remove_all(path_, ec);
}

}  // namespace journaldb::testing
