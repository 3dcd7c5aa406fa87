// ListWriter: the list edits the list workloads commit, with the element ids
// they were given kept on the bench's side, so choosing an anchor or an
// element costs no read. Lists live in kListCollection under ListKey(i), in
// field kListField; element values are 16-byte strings.
#ifndef JOURNALDB_TOOLS_BENCH_LIST_OPS_H_
#define JOURNALDB_TOOLS_BENCH_LIST_OPS_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "journaldb/database.h"

namespace journaldb::bench {

inline constexpr char kListCollection[] = "boards";
inline constexpr char kListField[] = "cards";

// "list-0000000007".
std::string ListKey(uint64_t i);

class ListWriter {
 public:
  // `seed` fixes the positions and kinds chosen, so runs are alike.
  explicit ListWriter(uint64_t seed) : rng_(seed) {}

  // Inserts into list `list`: half the time after its last present element
  // (an append), otherwise after a random present element or at the head.
  Status Insert(Transaction& t, uint64_t list);
  // One of insert (70%), set, remove, move (10% each) on list `list`; an
  // insert when the list has no present element.
  Status Edit(Transaction& t, uint64_t list);

 private:
  struct Elements {
    std::vector<ElementId> present;  // in no particular order
    // The last present element in list order; nullopt when none is present
    // or a remove or move made it unknown.
    std::optional<ElementId> tail;
  };
  Elements& At(uint64_t list);
  uint64_t Below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  Value NextValue();

  std::mt19937_64 rng_;
  std::vector<Elements> lists_;
  uint64_t values_ = 0;
};

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_LIST_OPS_H_
