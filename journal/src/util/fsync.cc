#include "journaldb/journal/util/fsync.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/filesystem/path.hpp>

#include "journaldb/journal/util/errno_status.h"
#include "journaldb/journal/util/fd.h"

namespace journaldb::util {

namespace {
Status OpenAndFsync(const std::string& path, int flags, std::string_view what) {
  Fd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(std::string("open ") + std::string(what), path);
  if (::fsync(fd.get()) != 0) return ErrnoStatus(std::string("fsync ") + std::string(what), path);
  return Status::OK();
}
}  // namespace

Status FsyncFd(int fd, std::string_view path) {
  if (::fsync(fd) != 0) return ErrnoStatus("fsync", path);
  return Status::OK();
}

Status FsyncFile(const std::string& path) { return OpenAndFsync(path, O_RDONLY, "file"); }

Status FsyncDirectory(const std::string& path) {
  return OpenAndFsync(path, O_RDONLY | O_DIRECTORY, "directory");
}

Status FsyncParentDirectory(const std::string& path) {
  // "backup/" names the directory backup, whose parent is ".", but to
  // parent_path() it is the entry "." inside backup.
  std::string_view trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  boost::filesystem::path parent = boost::filesystem::path(std::string(trimmed)).parent_path();
  return FsyncDirectory(parent.empty() ? std::string(".") : parent.string());
}

}  // namespace journaldb::util
