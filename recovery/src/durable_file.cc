#include "durable_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>

#include "journaldb/journal/util/errno_status.h"
#include "journaldb/journal/util/fd.h"
#include "journaldb/journal/util/fsync.h"

namespace journaldb::recovery {

Status WriteFileDurably(const std::string& path, std::string_view bytes) {
  util::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return util::ErrnoStatus("create", path);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return util::ErrnoStatus("write", path);
    }
    done += static_cast<size_t>(n);
  }
  if (Status s = util::FsyncFd(fd.get(), path); !s.ok()) return s;
  return fd.Close(path);
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return util::ErrnoStatus("open", path);
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return util::ErrnoStatus("read", path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes)
      return Status::Corruption(fmt::format("{} is larger than {} bytes", path, max_bytes));
  }
  return out;
}

}  // namespace journaldb::recovery
