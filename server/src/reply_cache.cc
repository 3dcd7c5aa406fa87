#include "reply_cache.h"

#include <algorithm>
#include <vector>

#include "exception_status.h"

namespace journaldb::server {

Result<SharedFrame> ReplyCache::Get(const Key& key,
                                    const std::function<Result<SharedFrame>()>& build) {
  // Frames leave the cache here, but are destroyed (charges given back)
  // after the lock is released.
  std::vector<SharedFrame> dropped;
  std::unique_lock<std::mutex> lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    const bool stale = it->frame != nullptr &&
                       (it->key.epoch != key.epoch || it->key.latest_version > key.latest_version);
    if (!stale) {
      ++it;
      continue;
    }
    dropped.push_back(std::move(it->frame));
    it = entries_.erase(it);
  }
  for (;;) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.key == key; });
    if (it == entries_.end()) break;
    if (it->frame != nullptr) return it->frame;
    built_.wait(lock);
  }
  // This caller builds; a marker makes the others wait for it. The lock is
  // not held meanwhile: the build reads the store, and its charge may ask
  // the budget's reclaimer (DropUnsent) for room.
  entries_.push_back(Entry{key, nullptr});
  lock.unlock();
  Result<SharedFrame> frame = Status::IOError(std::string());
  try {
    frame = build();
  } catch (const std::exception& e) {
    // Out of memory: this reply fails, and the marker must still go below,
    // or every later caller for the key would wait for it forever.
    frame = ExceptionStatus("cannot build the reply", e);
  }
  lock.lock();
  auto marker = std::find_if(entries_.begin(), entries_.end(),
                             [&](const Entry& e) { return e.key == key && e.frame == nullptr; });
  if (!frame.ok() || *frame == nullptr) {
    entries_.erase(marker);
  } else {
    marker->frame = *frame;
    size_t built = std::count_if(entries_.begin(), entries_.end(),
                                 [](const Entry& e) { return e.frame != nullptr; });
    for (auto it = entries_.begin(); built > capacity_ && it != entries_.end();) {
      if (it->frame == nullptr) {
        ++it;
        continue;
      }
      dropped.push_back(std::move(it->frame));
      it = entries_.erase(it);
      --built;
    }
  }
  lock.unlock();
  built_.notify_all();
  return frame;
}

size_t ReplyCache::DropUnsent() {
  std::vector<SharedFrame> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A copy is taken only under the lock, so a frame the cache alone holds
    // stays unheld until it is dropped here.
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->frame == nullptr || it->frame.use_count() > 1) {
        ++it;
        continue;
      }
      dropped.push_back(std::move(it->frame));
      it = entries_.erase(it);
    }
  }
  return dropped.size();
}

}  // namespace journaldb::server
