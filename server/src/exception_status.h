// ExceptionStatus: the status of work an exception ended (std::bad_alloc,
// where the server must go on and report a failure), made without throwing,
// since it is needed where nothing may throw.
#ifndef JOURNALDB_SERVER_EXCEPTION_STATUS_H_
#define JOURNALDB_SERVER_EXCEPTION_STATUS_H_

#include <fmt/format.h>

#include <exception>
#include <string>
#include <string_view>

#include "journaldb/status.h"

namespace journaldb::server {

// IOError "WHAT: e.what()", or an IOError without a message when even that
// cannot be allocated.
inline Status ExceptionStatus(std::string_view what, const std::exception& e) noexcept {
  try {
    return Status::IOError(fmt::format("{}: {}", what, e.what()));
  } catch (const std::exception&) {
    return Status::IOError(std::string());
  }
}

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_EXCEPTION_STATUS_H_
