#include "rss.h"

#include <dlfcn.h>
#include <sys/resource.h>

#include <string>

namespace journaldb::bench {

uint64_t PeakRssKib() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<uint64_t>(usage.ru_maxrss);
}

std::string AllocatorName() {
  // Where the malloc every call reaches is defined: an allocator merely
  // loaded (linked, with another one preloaded) does not count.
  Dl_info info{};
  void* malloc_address = ::dlsym(RTLD_DEFAULT, "malloc");
  if (malloc_address == nullptr || ::dladdr(malloc_address, &info) == 0 ||
      info.dli_fname == nullptr)
    return "unknown";
  const std::string file = info.dli_fname;
  for (const char* name : {"tcmalloc", "jemalloc"})
    if (file.find(name) != std::string::npos) return name;
  if (file.find("libc.so") != std::string::npos) return "glibc";
  return file.substr(file.rfind('/') + 1);
}

}  // namespace journaldb::bench
