#include "journaldb/journal/util/random_bytes.h"

#include <sys/random.h>

#include <cerrno>

#include "journaldb/journal/util/errno_status.h"

namespace journaldb::util {

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  for (size_t got = 0; got < n;) {
    // Up to 256 bytes never come back short once the pool is initialised;
    // a signal may still interrupt the wait for it at boot.
    const ssize_t r = ::getrandom(out.data() + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("getrandom");
    }
    got += static_cast<size_t>(r);
  }
  return out;
}

}  // namespace journaldb::util
