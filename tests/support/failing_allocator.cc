#include "support/failing_allocator.h"

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>

// GCC takes every free() of what new returned for a mismatch; here free is
// this program's delete.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace journaldb::testing {
namespace {

// 0: disarmed; else the first operator new of at least (or, if `exact`,
// of exactly) this many bytes on the threads `where` names fails, which
// disarms it.
std::atomic<size_t> fail_at_least{0};
// Whether only an allocation of exactly fail_at_least bytes counts, and how
// many of those to pass over first.
std::atomic<bool> exact{false};
std::atomic<int> to_skip{0};
std::atomic<FailingThreads> where{FailingThreads::kAny};
std::atomic<std::thread::id> armer;
std::atomic<int> failures{0};

bool Lands() {
  switch (where.load()) {
    case FailingThreads::kThisOne:
      return std::this_thread::get_id() == armer.load();
    case FailingThreads::kOthers:
      return std::this_thread::get_id() != armer.load();
    case FailingThreads::kAny:
      return true;
  }
  return false;
}

// Called by operator new: true if this allocation is the one to fail.
bool ShouldFail(size_t n) {
  size_t armed = fail_at_least.load(std::memory_order_relaxed);
  if (armed == 0 || n < armed || (exact.load() && n != armed) || !Lands()) return false;
  if (to_skip.load() > 0 && to_skip.fetch_sub(1) > 0) return false;
  if (!fail_at_least.compare_exchange_strong(armed, 0)) return false;
  failures.fetch_add(1);
  return true;
}

// Disarmed while the rest is set, then armed by the size.
void Arm(size_t bytes, bool exactly, int skip, FailingThreads threads) {
  fail_at_least = 0;
  armer = std::this_thread::get_id();
  where = threads;
  exact = exactly;
  to_skip = skip;
  fail_at_least = bytes;
}

}  // namespace

void FailNextAllocation(size_t at_least, FailingThreads threads) {
  Arm(at_least, false, 0, threads);
}

void FailAllocationOfSize(size_t size, int skip, FailingThreads threads) {
  Arm(size, true, skip, threads);
}

void DisarmAllocationFailure() { fail_at_least = 0; }
int AllocationFailures() { return failures.load(); }
void ResetAllocationFailures() { failures = 0; }

}  // namespace journaldb::testing

// These take the place of the C++ library's and of ASan's (the program's own
// definitions come first); ASan sees malloc and free throughout, never a new
// freed by free.
void* operator new(std::size_t n) {
  if (journaldb::testing::ShouldFail(n)) throw std::bad_alloc();
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return operator new(n);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& tag) noexcept {
  return operator new(n, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
