#include "timed_threads.h"

#include <time.h>

#include <chrono>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

namespace journaldb::bench {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

Result<RunResult> TimedThreads(uint64_t ops, int threads, const RangeFn& fn) {
  if (threads < 1) return Status::InvalidArgument("threads must be at least 1");
  std::atomic<bool> stop{false};
  std::mutex mu;
  Status first_error;
  double cpu_seconds = 0;
  // Threads start together, so the timed region holds no thread start-up.
  std::latch start(threads + 1);
  std::vector<std::thread> workers;
  const uint64_t n = static_cast<uint64_t>(threads);
  uint64_t begin = 0;
  for (uint64_t t = 0; t < n; ++t) {
    uint64_t end = begin + ops / n + (t < ops % n ? 1 : 0);
    workers.emplace_back([&, begin, end] {
      start.arrive_and_wait();
      double cpu0 = ThreadCpuSeconds();
      Status s = fn(begin, end, stop);
      double cpu = ThreadCpuSeconds() - cpu0;
      std::lock_guard<std::mutex> lock(mu);
      cpu_seconds += cpu;
      if (!s.ok()) {
        if (first_error.ok()) first_error = s;
        stop = true;
      }
    });
    begin = end;
  }
  start.arrive_and_wait();
  auto t0 = std::chrono::steady_clock::now();
  for (std::thread& w : workers) w.join();
  auto t1 = std::chrono::steady_clock::now();
  if (!first_error.ok()) return first_error;
  RunResult r;
  r.ops = ops;
  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  r.cpu_seconds = cpu_seconds;
  return r;
}

}  // namespace journaldb::bench
