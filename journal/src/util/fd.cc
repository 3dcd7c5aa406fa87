#include "journaldb/journal/util/fd.h"

#include <unistd.h>

#include "journaldb/journal/util/errno_status.h"

namespace journaldb::util {

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

int Fd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

Status Fd::Close(std::string_view path) {
  if (fd_ < 0) return Status::OK();
  // Linux releases the descriptor even when close fails, so it is never
  // retried (a retry could close a descriptor another thread just opened).
  if (::close(release()) != 0) return ErrnoStatus("close", path);
  return Status::OK();
}

}  // namespace journaldb::util
