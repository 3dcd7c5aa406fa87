#include "file_limit.h"

#include <dirent.h>
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace journaldb::server {

uint64_t RaiseOpenFileLimit() {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) != 0) return 0;
  if (files.rlim_cur < files.rlim_max) {
    rlimit raised = files;
    raised.rlim_cur = files.rlim_max;
    // A hard limit above fs.nr_open (lowered after it was set) is refused:
    // then as far as nr_open.
    if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
      uint64_t nr_open = 0;
      if (std::FILE* f = std::fopen("/proc/sys/fs/nr_open", "r")) {
        if (std::fscanf(f, "%" SCNu64, &nr_open) != 1) nr_open = 0;
        std::fclose(f);
      }
      raised.rlim_cur = std::min<uint64_t>(files.rlim_max, nr_open);
      if (raised.rlim_cur > files.rlim_cur) (void)::setrlimit(RLIMIT_NOFILE, &raised);
    }
    (void)::getrlimit(RLIMIT_NOFILE, &files);
  }
  return files.rlim_cur;
}

uint64_t OpenFileCount() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return kSpareFiles * 4;
  uint64_t count = 0;
  while (const dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  ::closedir(dir);
  return count > 0 ? count - 1 : 0;  // not the directory's own descriptor
}

Result<uint32_t> ConnectionsWithin(const FileBudget& budget, uint32_t requested) {
  const uint64_t kept = budget.in_use + budget.store + kSpareFiles;
  const uint64_t room = budget.limit > kept ? budget.limit - kept : 0;
  if (room == 0)
    return Status::InvalidArgument(fmt::format(
        "server: the open-file limit ({}) leaves no room for a connection: {} files are open, "
        "the store needs up to {} more and the server {}; raise it (`ulimit -n`, or LimitNOFILE= "
        "in a systemd unit) to at least {}",
        budget.limit, budget.in_use, budget.store, kSpareFiles, kept + requested));
  return static_cast<uint32_t>(std::min<uint64_t>(requested, room));
}

}  // namespace journaldb::server
