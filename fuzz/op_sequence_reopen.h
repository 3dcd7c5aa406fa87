// Which op_sequence_fuzzer inputs may reopen the database at their marker:
// one in kReopenOneIn, by a hash of the whole input, so an input always does
// the same. Shared with make_seeds, which writes a seed that reopens.
#ifndef JOURNALDB_FUZZ_OP_SEQUENCE_REOPEN_H_
#define JOURNALDB_FUZZ_OP_SEQUENCE_REOPEN_H_

#include <cstddef>
#include <cstdint>

namespace journaldb::fuzz {

inline constexpr uint64_t kReopenOneIn = 256;

inline bool MayReopen(const uint8_t* data, size_t size) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  // MurmurHash3's finalizer: FNV alone spreads a change of the last bytes
  // into few bits.
  h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdull;
  h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ull;
  return (h ^ (h >> 33)) % kReopenOneIn == 0;
}

}  // namespace journaldb::fuzz

#endif  // JOURNALDB_FUZZ_OP_SEQUENCE_REOPEN_H_
