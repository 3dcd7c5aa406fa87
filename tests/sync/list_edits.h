// The list side of the convergence properties (list_convergence_property_test):
// random edits of two shared lists through the Transaction list API, and the
// list promises of docs/merge-semantics.md ("Lists") checked on a converged
// state against the server's history.
#ifndef JOURNALDB_TESTS_SYNC_LIST_EDITS_H_
#define JOURNALDB_TESTS_SYNC_LIST_EDITS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "journaldb/database.h"
#include "journaldb/protocol/wire_codec.h"
#include "sync_helpers.h"

namespace journaldb::testing {

// The shared lists: field kListField of objects c/kListKeys[i]; the first is
// edited three times as often as the second.
inline constexpr const char* kListField = "items";
inline const std::vector<std::string> kListKeys = {"l0", "l1"};

// Commits 1 to 3 edits chosen from what the transaction sees: inserts at the
// head or after a present element, removes, sets and moves of present
// elements, and now and then an erase of the list field or an upsert of a
// scalar over it (a field holding a scalar is erased, so the list can come
// back). Inserted and set values are strings unique to (`tag`, edit), so a
// value seen twice means an element was duplicated. RC_ASSERTs that the
// commit succeeded.
void CommitListEdits(Database& db, uint32_t seed, uint64_t tag);

struct ListCheck {
  // One line per broken promise; "" if none.
  std::string violations;
  // Pairs of elements placed after one anchor where the one now first
  // reached the server first, so the other had to be placed past it (the RGA
  // rule; placing right after the anchor would put it first). Only
  // concurrent placements make such pairs: a later one has a greater id.
  size_t placed_before_greater = 0;
};

// Checks the list promises in `state` (a converged server state) given the
// `history` that produced it. Per list field:
// - an element any client removed is absent (no element, or a tombstone);
// - no value is present twice (every edit wrote a unique value);
// - elements placed (inserted, or moved) after the same anchor that was never
//   moved away, or at the head, are in descending id order (the RGA rule),
//   whatever order the server received them in.
ListCheck CheckListPromises(const StateDump& state, const std::vector<wire::Changeset>& history);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SYNC_LIST_EDITS_H_
