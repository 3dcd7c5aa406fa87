// Fd: owns a POSIX file descriptor and closes it on every path out of a
// scope, so early error returns do not leak descriptors.
//
//   util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
//   if (!fd.valid()) return util::ErrnoStatus("open", path);
//   ... ::read(fd.get(), ...) ...
//
// Close() reports the close error where it matters (a file written durably);
// the destructor ignores it, as there is nobody left to tell.
// Thread safety: one owner; not shared between threads.
#ifndef JOURNALDB_JOURNAL_UTIL_FD_H_
#define JOURNALDB_JOURNAL_UTIL_FD_H_

#include <string_view>

#include "journaldb/status.h"

namespace journaldb::util {

class Fd {
 public:
  Fd() = default;
  // Takes ownership of `fd`; a negative value (a failed open) owns nothing.
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  ~Fd();

  bool valid() const { return fd_ >= 0; }
  int get() const { return fd_; }
  // Gives up ownership without closing; the caller closes.
  int release();
  // Closes now; an I/O error naming `path` if close fails. Afterwards the
  // Fd owns nothing. Closing an Fd that owns nothing is OK.
  Status Close(std::string_view path);

 private:
  int fd_ = -1;
};

}  // namespace journaldb::util

#endif  // JOURNALDB_JOURNAL_UTIL_FD_H_
