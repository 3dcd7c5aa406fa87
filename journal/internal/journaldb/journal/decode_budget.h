// DecodeBudget: how many bytes a decoder may still copy out of a verified
// FlatBuffer. The Verifier accepts many offsets to one string or table (it
// only caps the count of tables visited at a million), so a forged buffer of
// a few MiB, its ops or upload entries all pointing at one large value, would
// decode into terabytes. Encoders never share a string or table: each string
// copied (with its 4-byte length) and each table reached through a vector
// (its offset there, its own fixed part) is a distinct part of a genuine
// input, so a decode that takes more than its input's size is of a forged
// one (kSharedData says so). Internal: not installed.
//
//   DecodeBudget budget(bytes.size());
//   if (!budget.TakeString(s->size())) return Status::Corruption(...);
//
// Thread safety: none; one decode uses it.
#ifndef JOURNALDB_JOURNAL_DECODE_BUDGET_H_
#define JOURNALDB_JOURNAL_DECODE_BUDGET_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace journaldb {

// What a decoder's corruption error says, after naming the value, when its
// budget runs out.
inline constexpr std::string_view kSharedData =
    "refers to the same data more than once (it would decode to more than its own size)";

class DecodeBudget {
 public:
  explicit DecodeBudget(size_t input_bytes) : left_(input_bytes) {}

  // Charges `n` bytes; false, charging nothing, if fewer are left.
  [[nodiscard]] bool Take(size_t n) {
    if (n > left_) return false;
    left_ -= n;
    return true;
  }
  // A string or byte vector of `size` bytes, with its length prefix.
  [[nodiscard]] bool TakeString(size_t size) { return size < left_ && Take(kOffset + size); }
  // `count` elements of a vector, each at least `each` bytes of a genuine
  // input (its offset in the vector, the table's own fixed part).
  [[nodiscard]] bool TakeEach(size_t count, size_t each) {
    return count <= left_ / each && Take(count * each);
  }

 private:
  static constexpr size_t kOffset = sizeof(uint32_t);  // flatbuffers::uoffset_t
  size_t left_;
};

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_DECODE_BUDGET_H_
