// fsync of a file, a directory or a path's parent directory: the steps that
// make a write, a create or a rename durable before the next step relies on it
// (the creation marker, snapshot manifests, backups, copied trees).
//
//   if (Status s = util::FsyncParentDirectory(renamed_to); !s.ok()) return s;
//
// Errors name the path: not-found if it is missing, otherwise an I/O error
// (util::ErrnoStatus). Thread safety: pure functions over the file system.
#ifndef JOURNALDB_JOURNAL_UTIL_FSYNC_H_
#define JOURNALDB_JOURNAL_UTIL_FSYNC_H_

#include <string>
#include <string_view>

#include "journaldb/status.h"

namespace journaldb::util {

// fsyncs the open descriptor `fd`; `path` names it in the error.
Status FsyncFd(int fd, std::string_view path);

// Opens the existing file `path` read-only and fsyncs it (Linux flushes a file
// through any descriptor).
Status FsyncFile(const std::string& path);

// fsyncs the directory `path`, so entries created, renamed or removed in it
// are durable.
Status FsyncDirectory(const std::string& path);

// fsyncs the directory holding `path` (the current directory for a bare
// name), so `path`'s own entry (a create or a rename to it) is durable.
Status FsyncParentDirectory(const std::string& path);

}  // namespace journaldb::util

#endif  // JOURNALDB_JOURNAL_UTIL_FSYNC_H_
