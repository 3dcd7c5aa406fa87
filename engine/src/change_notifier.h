// ChangeNotifier: the subscriptions of one database, the pending changes of
// each, and the notifier thread that delivers them (journaldb/changes.h).
// Private to engine/.
//
// Committers call Publish in commit order, under the commit mutex, after the
// change is written: it merges the change into each matching subscription's
// pending set under a short lock and wakes the thread; it never waits for a
// callback. Pending sets are merged by key, so a slow callback costs memory in
// the keys it has not seen yet, never in the number of commits.
#ifndef JOURNALDB_ENGINE_CHANGE_NOTIFIER_H_
#define JOURNALDB_ENGINE_CHANGE_NOTIFIER_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journaldb/changes.h"
#include "journaldb/object.h"

namespace journaldb {

// One object's change by one write: whether it existed before and after, and
// the fields whose values differ.
struct ObjectDelta {
  std::string collection;
  std::string key;
  bool existed = false;
  bool exists = false;
  std::vector<std::string> fields;
  // Changed fields that are lists before or after: their values before and
  // after (nullopt: absent), so coalesced changes diff first against last.
  std::map<std::string, std::pair<std::optional<Value>, std::optional<Value>>> lists;
};

// The delta from `before` to `after` (nullopt: absent), or nullopt if they are equal.
std::optional<ObjectDelta> DiffObject(std::string_view collection, std::string_view key,
                                      const std::optional<FieldMap>& before,
                                      const std::optional<FieldMap>& after);

// The element changes of a list field from `before` to `after` (nullopt or
// a value of another type: an empty list).
ListChanges DiffList(std::string field, const std::optional<Value>& before,
                     const std::optional<Value>& after);

class ChangeNotifier {
 public:
  ChangeNotifier();
  ~ChangeNotifier();  // Stop()
  ChangeNotifier(const ChangeNotifier&) = delete;
  ChangeNotifier& operator=(const ChangeNotifier&) = delete;

  // True while at least one subscription exists: the one atomic load the
  // commit path pays when nobody observes.
  bool active() const { return active_->load(std::memory_order_relaxed); }

  // Starts the thread on first use. `key`: one object, or the whole collection.
  // REQUIRES: no change is being published meanwhile (the caller holds
  // commits), so the subscription sees every change written after it.
  ChangeSubscription Subscribe(std::string collection, std::optional<std::string> key,
                               ChangeCallback callback);

  // Merges `deltas` (one write's, in order) into the matching subscriptions.
  // REQUIRES: called in commit order (under the commit mutex), after the write.
  void Publish(ChangeCause cause, const std::vector<ObjectDelta>& deltas) noexcept;
  // The client-reset wipe: every subscription's pending keys give way to a
  // reset flag.
  void PublishReset() noexcept;

  // Drops what is pending and joins the thread (after a running callback
  // returns). Subscriptions left alive become inert. Idempotent.
  void Stop();

  struct Core;  // shared with the subscriptions, which may outlive this

 private:
  std::shared_ptr<Core> core_;
  const std::atomic<bool>* active_;  // in *core_
};

}  // namespace journaldb

#endif  // JOURNALDB_ENGINE_CHANGE_NOTIFIER_H_
