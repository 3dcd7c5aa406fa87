#include "journaldb/journal/util/errno_status.h"

#include <fmt/format.h>

#include <cstring>

namespace journaldb::util {

std::string ErrnoMessage(std::string_view operation, std::string_view path, int err) {
  // The GNU strerror_r returns the text (possibly not in buf); strerror is
  // not thread-safe, and the engine, server and sync threads all report.
  char buf[256];
  const char* text = ::strerror_r(err, buf, sizeof buf);
  if (path.empty()) return fmt::format("{}: {}", operation, text);
  return fmt::format("{} {}: {}", operation, path, text);
}

Status ErrnoStatus(std::string_view operation, std::string_view path, int err) {
  std::string message = ErrnoMessage(operation, path, err);
  if (err == ENOENT) return Status::NotFound(std::move(message));
  return Status::IOError(std::move(message));
}

}  // namespace journaldb::util
