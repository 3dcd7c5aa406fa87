// TempDir: a fresh directory removed (recursively) when the object dies.
#ifndef JOURNALDB_TESTS_SUPPORT_TEMP_DIR_H_
#define JOURNALDB_TESTS_SUPPORT_TEMP_DIR_H_

#include <string>

namespace journaldb::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path()/name
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_TEMP_DIR_H_
