#include "journaldb/journal/aligned_bytes.h"

#include <cstring>

namespace journaldb {

// Out of line: inlined into callers that slice their input, GCC's range
// analysis reports an impossible memcpy bound (-Wstringop-overflow).
AlignedBytes::AlignedBytes(std::string_view bytes) : view_(bytes) {
  // Empty input needs no copy (memcpy into an empty vector's null data() is undefined).
  if (bytes.empty() || reinterpret_cast<uintptr_t>(bytes.data()) % alignof(uint64_t) == 0) return;
  copy_.resize((bytes.size() + sizeof(uint64_t) - 1) / sizeof(uint64_t));
  std::memcpy(copy_.data(), bytes.data(), bytes.size());
  view_ = std::string_view(reinterpret_cast<const char*>(copy_.data()), bytes.size());
}

}  // namespace journaldb
