// Random bytes from the kernel's CSPRNG (getrandom), for secrets a client
// file draws itself: its registration secret (layout::kMetaRegistrationSecret).
//
//   Result<std::string> secret = util::RandomBytes(layout::kRegistrationSecretBytes);
//
// Thread safety: a pure function over the system call.
#ifndef JOURNALDB_JOURNAL_UTIL_RANDOM_BYTES_H_
#define JOURNALDB_JOURNAL_UTIL_RANDOM_BYTES_H_

#include <cstddef>
#include <string>

#include "journaldb/status.h"

namespace journaldb::util {

// `n` bytes from getrandom(2); an I/O error if the kernel has none to give
// (never a weaker source instead).
Result<std::string> RandomBytes(size_t n);

}  // namespace journaldb::util

#endif  // JOURNALDB_JOURNAL_UTIL_RANDOM_BYTES_H_
