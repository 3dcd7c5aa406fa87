#include "change_notifier.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "journaldb/journal/fold.h"

namespace journaldb {

std::optional<ObjectDelta> DiffObject(std::string_view collection, std::string_view key,
                                      const std::optional<FieldMap>& before,
                                      const std::optional<FieldMap>& after) {
  ObjectDelta d{
      std::string(collection), std::string(key), before.has_value(), after.has_value(), {}, {}};
  static const FieldMap kNone;
  const FieldMap& a = before ? *before : kNone;
  const FieldMap& b = after ? *after : kNone;
  // Both maps are ordered by name: one merge pass.
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() || j != b.end()) {
    if (j == b.end() || (i != a.end() && i->first < j->first)) {
      d.fields.push_back(i++->first);
    } else if (i == a.end() || j->first < i->first) {
      d.fields.push_back(j++->first);
    } else {
      if (!(i->second == j->second)) d.fields.push_back(i->first);
      ++i;
      ++j;
    }
  }
  if (d.existed == d.exists && d.fields.empty()) return std::nullopt;
  for (const std::string& f : d.fields) {
    auto x = a.find(f);
    auto y = b.find(f);
    std::optional<Value> was = x != a.end() ? std::optional<Value>(x->second) : std::nullopt;
    std::optional<Value> is = y != b.end() ? std::optional<Value>(y->second) : std::nullopt;
    const auto is_list = [](const std::optional<Value>& v) {
      return v && v->type() == ValueType::kList;
    };
    if (is_list(was) || is_list(is))
      d.lists.emplace(f, std::make_pair(std::move(was), std::move(is)));
  }
  return d;
}

namespace {

const List& ListOf(const std::optional<Value>& v) {
  static const List kEmpty;
  return v && v->type() == ValueType::kList ? v->as_list() : kEmpty;
}

}  // namespace

ListChanges DiffList(std::string field, const std::optional<Value>& before,
                     const std::optional<Value>& after) {
  const List& a = ListOf(before);
  const List& b = ListOf(after);
  ListChanges c;
  c.field = std::move(field);
  std::set<ElementId> kept;  // ids in `after` that a present element of `before` became
  fold::ListElementFinder in_after(b);
  for (const ListElement& e : a.elements) {
    if (e.removed) continue;
    const ListElement* now = in_after.Find(e.id);
    if (now == nullptr || now->removed) {
      c.removed.push_back(e.id);
      continue;
    }
    kept.insert(now->id);
    if (now->id != e.id) c.moved.emplace_back(e.id, now->id);
    if (!(now->value == e.value)) c.modified.push_back(now->id);
  }
  for (const ListElement& e : b.elements)
    if (!e.removed && !kept.count(e.id)) c.inserted.push_back(e.id);
  return c;
}

namespace {

// One key's merged change: its state before the first pending change and
// after the last, and the union of the changed fields.
struct PendingKey {
  std::string key;
  bool existed = false;
  bool exists = false;
  std::set<std::string> fields;
  // List fields: the value before the first change and after the last.
  std::map<std::string, std::pair<std::optional<Value>, std::optional<Value>>> lists;
};

struct Observer {
  std::string collection;
  std::optional<std::string> key;  // one object, or the whole collection
  ChangeCallback callback;
  // Pending since the last delivery, keys in first-change order.
  std::vector<PendingKey> pending;
  std::unordered_map<std::string, size_t> index;
  bool reset = false;
  uint32_t causes = 0;
  bool queued = false;  // in Core::ready

  bool Matches(const ObjectDelta& d) const {
    return d.collection == collection && (!key || d.key == *key);
  }
  void Merge(const ObjectDelta& d) {
    // The key is pending before it is indexed: a failed allocation
    // (std::bad_alloc) between the two must not leave an index past the end.
    auto it = index.find(d.key);
    if (it == index.end()) {
      pending.push_back(PendingKey{d.key, d.existed, d.exists, {}, {}});
      try {
        it = index.emplace(d.key, pending.size() - 1).first;
      } catch (...) {
        pending.pop_back();
        throw;
      }
    }
    PendingKey& p = pending[it->second];
    p.exists = d.exists;
    p.fields.insert(d.fields.begin(), d.fields.end());
    for (const auto& [field, change] : d.lists) {
      auto [l, first] = p.lists.try_emplace(field, change);
      if (!first) l->second.second = change.second;
    }
  }
  // Forgets what is pending.
  void Drop() noexcept {
    pending.clear();
    index.clear();
    reset = false;
    causes = 0;
  }
  // Moves the pending set into a delivery and clears it.
  Changes Take() {
    Changes c;
    c.collection = collection;
    c.reset = reset;
    c.causes = causes;
    for (PendingKey& p : pending) {
      if (!p.existed && p.exists) {
        c.inserted.push_back(std::move(p.key));
      } else if (p.existed && !p.exists) {
        c.deleted.push_back(std::move(p.key));
      } else if (p.existed && p.exists) {
        ModifiedObject m{
            std::move(p.key), std::vector<std::string>(p.fields.begin(), p.fields.end()), {}};
        for (const auto& [field, change] : p.lists)
          m.lists.push_back(DiffList(field, change.first, change.second));
        c.modified.push_back(std::move(m));
      }
    }
    pending.clear();
    index.clear();
    reset = false;
    causes = 0;
    return c;
  }
};

}  // namespace

struct ChangeNotifier::Core {
  std::atomic<bool> active{false};
  std::mutex mu;
  std::condition_variable wake;  // the thread: something is ready, or stop
  std::condition_variable idle;  // Cancel: the running callback returned
  std::map<uint64_t, std::shared_ptr<Observer>> observers;
  std::deque<uint64_t> ready;  // observers with pending changes, in the order they got them
  uint64_t next_id = 1;
  uint64_t running = 0;  // id whose callback runs now; 0: none
  bool stopping = false;
  std::thread thread;
  std::thread::id thread_id;  // kept after Stop detaches or joins the thread

  void Run() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      wake.wait(lock, [&] { return stopping || !ready.empty(); });
      if (stopping) return;
      uint64_t id = ready.front();
      ready.pop_front();
      auto it = observers.find(id);
      if (it == observers.end()) continue;
      std::shared_ptr<Observer> o = it->second;
      o->queued = false;
      Changes changes;
      try {
        changes = o->Take();
      } catch (...) {
        // No memory for the delivery (std::bad_alloc): its changes are lost
        // (docs/api.md, "Allocation failure"); later ones come as usual.
        o->Drop();
        continue;
      }
      running = id;
      lock.unlock();
      try {
        o->callback(changes);
      } catch (...) {
        // Exceptions do not cross the API; the other subscriptions go on.
      }
      lock.lock();
      running = 0;
      idle.notify_all();
    }
  }

  void Queue(uint64_t id, Observer& o) {
    if (o.queued) return;
    ready.push_back(id);  // first: one that throws must leave it unqueued
    o.queued = true;
  }

  void Remove(uint64_t id) {
    std::unique_lock<std::mutex> lock(mu);
    observers.erase(id);
    if (observers.empty()) active.store(false, std::memory_order_relaxed);
    // The callback may be running right now on the notifier thread: wait for
    // it, unless this is that thread (a callback cancelling itself or another).
    if (thread_id != std::this_thread::get_id()) idle.wait(lock, [&] { return running != id; });
  }
};

struct ChangeSubscription::Rep {
  std::shared_ptr<ChangeNotifier::Core> core;
  uint64_t id = 0;
};

ChangeSubscription::ChangeSubscription() = default;
ChangeSubscription::ChangeSubscription(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
ChangeSubscription::ChangeSubscription(ChangeSubscription&&) noexcept = default;
ChangeSubscription& ChangeSubscription::operator=(ChangeSubscription&& other) noexcept {
  if (this != &other) {
    Cancel();
    rep_ = std::move(other.rep_);
  }
  return *this;
}
ChangeSubscription::~ChangeSubscription() { Cancel(); }

void ChangeSubscription::Cancel() {
  // Moved out first: a callback that destroys its own subscription re-enters
  // here through the destructor and finds nothing to do.
  std::unique_ptr<Rep> rep = std::move(rep_);
  if (rep) rep->core->Remove(rep->id);
}

ChangeNotifier::ChangeNotifier() : core_(std::make_shared<Core>()), active_(&core_->active) {}

ChangeNotifier::~ChangeNotifier() { Stop(); }

ChangeSubscription ChangeNotifier::Subscribe(std::string collection, std::optional<std::string> key,
                                             ChangeCallback callback) {
  std::lock_guard<std::mutex> lock(core_->mu);
  if (core_->stopping) return ChangeSubscription();
  if (!core_->thread.joinable()) {
    core_->thread = std::thread([core = core_] { core->Run(); });
    core_->thread_id = core_->thread.get_id();
  }
  auto rep = std::make_unique<ChangeSubscription::Rep>();
  rep->core = core_;
  rep->id = core_->next_id++;
  auto observer = std::make_shared<Observer>();
  observer->collection = std::move(collection);
  observer->key = std::move(key);
  observer->callback = std::move(callback);
  core_->observers.emplace(rep->id, std::move(observer));
  core_->active.store(true, std::memory_order_relaxed);
  return ChangeSubscription(std::move(rep));
}

// An observer whose changes cannot be merged or queued (std::bad_alloc)
// loses them (docs/api.md, "Allocation failure"); the others go on, and so
// does the commit, download or wipe that publishes.
void ChangeNotifier::Publish(ChangeCause cause, const std::vector<ObjectDelta>& deltas) noexcept {
  std::lock_guard<std::mutex> lock(core_->mu);
  bool any = false;
  for (auto& [id, o] : core_->observers) {
    bool matched = false;
    try {
      for (const ObjectDelta& d : deltas)
        if (o->Matches(d)) {
          matched = true;
          o->Merge(d);
        }
      if (!matched) continue;
      o->causes |= static_cast<uint32_t>(cause);
      core_->Queue(id, *o);
      any = true;
    } catch (...) {
    }
  }
  if (any) core_->wake.notify_one();
}

void ChangeNotifier::PublishReset() noexcept {
  std::lock_guard<std::mutex> lock(core_->mu);
  for (auto& [id, o] : core_->observers) {
    // The wipe removed every object: what was pending is superseded.
    o->pending.clear();
    o->index.clear();
    o->reset = true;
    o->causes |= static_cast<uint32_t>(ChangeCause::kClientReset);
    try {
      core_->Queue(id, *o);
    } catch (...) {
      // Delivered, reset flag and all, when its next change queues it.
    }
  }
  if (!core_->observers.empty()) core_->wake.notify_one();
}

void ChangeNotifier::Stop() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(core_->mu);
    core_->stopping = true;
    core_->observers.clear();
    core_->ready.clear();
    core_->active.store(false, std::memory_order_relaxed);
    thread = std::move(core_->thread);
  }
  core_->wake.notify_one();
  if (!thread.joinable()) return;
  // A callback that closes the database runs on the thread itself: it ends
  // when the callback returns (the thread holds its own reference to Core).
  if (thread.get_id() == std::this_thread::get_id())
    thread.detach();
  else
    thread.join();
}

}  // namespace journaldb
