// Applying operations to objects: the one definition of op semantics, used by
// commit, by `journal verify` (state = fold of the journal) and later by sync
// integration and replay. Internal: not installed.
#ifndef JOURNALDB_JOURNAL_FOLD_H_
#define JOURNALDB_JOURNAL_FOLD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "journaldb/journal_entry.h"
#include "journaldb/object.h"
#include "journaldb/operation.h"
#include "journaldb/status.h"

namespace journaldb::fold {

// Applies `op` to `object` (nullopt: the object does not exist). Fails with
// invalid-argument, leaving `object` unchanged, if the op cannot apply (an
// increment of a non-int64 field).
Status ApplyOperation(const Operation& op, std::optional<FieldMap>& object);

// The forwardings of the lists one fold changes, kept from op to op, so that
// the ops of a fold that name moved elements through long chains of moves
// map a list's forwardings once, not once per op (the server's commit thread
// folds whole uploaded entries of such ops). A list is known by its
// collection, key and field: give one index to every ApplyOperation of one
// fold, each op applied to the object the fold's previous op on that
// collection and key left, and drop the index when the fold ends. Any other
// op on an object forgets its lists (an upsert may put a list of the same
// length where the freed one was); a list changed by other means meanwhile
// is told by its storage and length and mapped anew. Results are those of
// ApplyOperation without an index. Not thread-safe.
class ForwardingIndex {
 public:
  ForwardingIndex();
  ~ForwardingIndex();
  ForwardingIndex(const ForwardingIndex&) = delete;
  ForwardingIndex& operator=(const ForwardingIndex&) = delete;

  struct Lists;  // defined in fold.cc

 private:
  friend Status ApplyOperation(const Operation& op, std::optional<FieldMap>& object,
                               ForwardingIndex& index);
  std::unique_ptr<Lists> lists_;
};

// ApplyOperation within a fold that keeps `index` (above).
Status ApplyOperation(const Operation& op, std::optional<FieldMap>& object, ForwardingIndex& index);

// The element `id` names in `list`, following a moved element's forwarding
// to where it is now; nullptr if the list never had it. A removed element is
// returned as its tombstone (removed set).
const ListElement* FindListElement(const List& list, ElementId id);

// FindListElement's answers for many ids of one list, for the cost of sorting
// the list's ids and forwardings once rather than a scan of the list per id
// (a change notification's diff looks up every element of the list before).
// The same answers for lists whose ids are unique, as every decoded or
// folded list's are (DecodeList refuses a repeated id); damaged forwarding
// loops included. Keeps a reference to `list`, which must outlive it
// unchanged. Find shortens the chains it follows: one thread at a time.
class ListElementFinder {
 public:
  explicit ListElementFinder(const List& list);
  const ListElement* Find(ElementId id);

 private:
  const std::vector<ListElement>& elements_;
  std::vector<std::pair<ElementId, size_t>> positions_;       // id, index; sorted
  std::vector<std::pair<ElementId, ElementId>> forwardings_;  // compressed as followed
};

// The work of applying `ops` in order, in list element steps: each list op
// scans the list it applies to, so it costs that list's length (tombstones
// included) plus one. `length_before(op)` is the length of op's list before
// the ops (ListLength); each insert and move is counted as lengthening its
// list by one, an upper bound that needs no fold. Commits (kMaxListWork) and
// the server bound it.
uint64_t ListWork(const std::vector<Operation>& ops,
                  const std::function<size_t(const Operation&)>& length_before);

// The number of elements, tombstones included, of `field`'s list in
// `object`; 0 if there is no such list.
size_t ListLength(const std::optional<FieldMap>& object, const std::string& field);

// The fields an op touches given the object's state before it, for before-images.
std::vector<std::string> TouchedFields(const Operation& op, const std::optional<FieldMap>& object);

// (collection, key) of an object.
using ObjectId = std::pair<std::string, std::string>;

// An in-memory database: the fold of a journal over an initial state.
class MemoryState {
 public:
  // Applies every op of `entry` in order. Returns corruption naming the lsn if
  // an op cannot apply or a before-image disagrees with the state it claims to
  // precede (the journal does not describe this history).
  Status ApplyEntry(const JournalEntry& entry);

  const std::map<ObjectId, FieldMap>& objects() const { return objects_; }
  std::map<ObjectId, FieldMap>& mutable_objects() { return objects_; }

 private:
  std::map<ObjectId, FieldMap> objects_;
};

}  // namespace journaldb::fold

#endif  // JOURNALDB_JOURNAL_FOLD_H_
