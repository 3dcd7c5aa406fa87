// AlignedBytes: a view of untrusted bytes that FlatBuffers may read.
// FlatBuffers accessors need the buffer aligned as it was built (8 bytes is
// the largest scalar we store); RocksDB values, socket buffers and fuzzer
// inputs carry no alignment promise, so a misaligned input is copied into an
// aligned buffer first. Internal: not installed.
#ifndef JOURNALDB_JOURNAL_ALIGNED_BYTES_H_
#define JOURNALDB_JOURNAL_ALIGNED_BYTES_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace journaldb {

class AlignedBytes {
 public:
  // REQUIRES: `bytes` outlives this object when it is already aligned (the
  // view then points into it).
  explicit AlignedBytes(std::string_view bytes);
  AlignedBytes(const AlignedBytes&) = delete;
  AlignedBytes& operator=(const AlignedBytes&) = delete;

  std::string_view view() const { return view_; }

 private:
  std::string_view view_;
  std::vector<uint64_t> copy_;
};

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_ALIGNED_BYTES_H_
