// Change notifications: what changed in a collection (or one object) and why,
// delivered to a callback after the change is committed and visible.
//
//   auto sub = db->Observe("tasks", [](const journaldb::Changes& c) {
//     if (c.reset) refresh_all(); else refresh(c.inserted, c.modified, c.deleted);
//   });
//
// Thread safety: callbacks run on the database's notifier thread (one per
// Database, started by its first Observe, joined when it closes), one at a
// time, never concurrently with themselves. A callback may read, commit,
// observe and cancel subscriptions, its own included. A ChangeSubscription is
// not itself thread-safe, but may be cancelled from any one thread at a time.
#ifndef JOURNALDB_CHANGES_H_
#define JOURNALDB_CHANGES_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "journaldb/value.h"

namespace journaldb {

// Why something changed. Changes::causes holds the set of them as bits.
enum class ChangeCause : uint32_t {
  kLocalCommit = 1u << 0,  // a Transaction committed on this database
  kDownload = 1u << 1,     // sync integrated changesets or a bootstrap from the server
  kClientReset = 1u << 2,  // the client-reset wipe, and the server state downloaded after it
  kReplay = 1u << 3,       // the replayer re-applied diverged writes (journaldb/replayer.h)
};

// How a list field's elements changed between the delivery's before and
// after states (a field that was no list counts as an empty list). Ids in
// list order of the state they are present in.
struct ListChanges {
  std::string field;
  std::vector<ElementId> inserted;  // present after only (a move's new id is not one)
  std::vector<ElementId> removed;   // present before only
  // Moved: the element's id before and its id after (a move gives a new id).
  std::vector<std::pair<ElementId, ElementId>> moved;
  std::vector<ElementId> modified;  // present in both with another value (its id after)
  friend bool operator==(const ListChanges&, const ListChanges&) = default;
};

// An object that existed before and after, and which of its fields changed.
struct ModifiedObject {
  std::string key;
  // Names of the fields whose value changed, appeared or vanished, sorted.
  // An object deleted and inserted again in one delivery lists the fields of
  // both its old and its new state.
  std::vector<std::string> fields;
  // The element changes of those fields that are lists before or after,
  // sorted by field name.
  std::vector<ListChanges> lists;
};

// What changed in one observed collection since the previous delivery to the
// same subscription. Changes that arrive while a callback runs (or before the
// notifier thread reaches it) are merged by key into the next delivery, so a
// key appears at most once: inserted, modified or deleted as its state before
// the first and after the last merged change says. A key inserted and deleted
// again within one delivery does not appear.
struct Changes {
  std::string collection;
  // Everything shown of this collection may be stale: a client reset wiped
  // the local data. Re-read the whole collection. Keys listed below changed
  // after the wipe (the server state downloaded, writes replayed).
  bool reset = false;
  // Keys in the order of their first change.
  std::vector<std::string> inserted;
  std::vector<ModifiedObject> modified;
  std::vector<std::string> deleted;
  // Bits of ChangeCause: every cause of a change merged into this delivery.
  uint32_t causes = 0;

  bool Has(ChangeCause cause) const { return (causes & static_cast<uint32_t>(cause)) != 0; }
};

// Called on the notifier thread. The change is committed and visible: a read
// in the callback sees it (or a later state). REQUIRES: does not throw (an
// exception is caught and dropped, so the thread goes on).
using ChangeCallback = std::function<void(const Changes&)>;

// An active observation (Database::Observe). RAII: destroying or Cancel()ing
// it stops the deliveries. After Cancel returns the callback is never called
// again; if the callback is running on another thread, Cancel waits for it to
// return. Cancelling from inside the callback itself returns at once. Safe to
// destroy after its Database closed.
class ChangeSubscription {
 public:
  ChangeSubscription();  // observes nothing
  ChangeSubscription(ChangeSubscription&&) noexcept;
  ChangeSubscription& operator=(ChangeSubscription&&) noexcept;
  ~ChangeSubscription();

  void Cancel();
  bool active() const { return rep_ != nullptr; }

  struct Rep;  // engine-private

 private:
  friend class ChangeNotifier;
  explicit ChangeSubscription(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace journaldb

#endif  // JOURNALDB_CHANGES_H_
