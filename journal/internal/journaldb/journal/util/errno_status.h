// Status values for failed system calls: one wording for every component,
// "<operation> <path>: <strerror>", and one mapping of errno to a code.
//
//   if (::rename(from.c_str(), to.c_str()) != 0) return util::ErrnoStatus("rename", from);
//
// Thread safety: pure functions (strerror_r, not strerror).
#ifndef JOURNALDB_JOURNAL_UTIL_ERRNO_STATUS_H_
#define JOURNALDB_JOURNAL_UTIL_ERRNO_STATUS_H_

#include <cerrno>
#include <string>
#include <string_view>

#include "journaldb/status.h"

namespace journaldb::util {

// "<operation> <path>: <text of err>", or "<operation>: <text of err>" when
// `path` is empty (a socket call has no path).
std::string ErrnoMessage(std::string_view operation, std::string_view path, int err);

// The message above as a Status: not-found for ENOENT (callers branch on a
// missing file), an I/O error for everything else. `err` defaults to errno,
// so call it right after the failing call, with arguments that are already
// built (a fmt::format in the argument list may run first and touch errno).
Status ErrnoStatus(std::string_view operation, std::string_view path = {}, int err = errno);

}  // namespace journaldb::util

#endif  // JOURNALDB_JOURNAL_UTIL_ERRNO_STATUS_H_
