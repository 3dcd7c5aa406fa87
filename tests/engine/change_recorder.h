// ChangeRecorder: collects the deliveries of a change subscription and lets a
// test wait for them. Shared by the change notification tests.
#ifndef JOURNALDB_TESTS_ENGINE_CHANGE_RECORDER_H_
#define JOURNALDB_TESTS_ENGINE_CHANGE_RECORDER_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "journaldb/changes.h"

namespace journaldb::testing {

class ChangeRecorder {
 public:
  // A callback that runs `first` (if set) and then records the delivery.
  ChangeCallback Callback(std::function<void(const Changes&)> first = {}) {
    return [this, first = std::move(first)](const Changes& c) {
      if (first) first(c);
      std::lock_guard<std::mutex> lock(mu_);
      log_.push_back(c);
      cv_.notify_all();
    };
  }
  // Waits until `done` holds for the deliveries so far (a generous bound
  // turns a lost delivery into a failure instead of a hang).
  std::vector<Changes> WaitUntil(const std::function<bool(const std::vector<Changes>&)>& done) {
    std::unique_lock<std::mutex> lock(mu_);
    bool met = cv_.wait_for(lock, std::chrono::seconds(30), [&] { return done(log_); });
    EXPECT_TRUE(met) << "the expected deliveries did not arrive; got " << log_.size();
    return log_;
  }
  std::vector<Changes> WaitFor(size_t n) {
    return WaitUntil([n](const std::vector<Changes>& log) { return log.size() >= n; });
  }
  std::vector<Changes> Log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Changes> log_;
};

inline bool Contains(const std::vector<std::string>& keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// Every key a delivery names, whatever happened to it.
inline std::vector<std::string> KeysOf(const Changes& c) {
  std::vector<std::string> keys = c.inserted;
  for (const ModifiedObject& m : c.modified) keys.push_back(m.key);
  keys.insert(keys.end(), c.deleted.begin(), c.deleted.end());
  return keys;
}

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_ENGINE_CHANGE_RECORDER_H_
