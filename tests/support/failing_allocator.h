// A failing operator new, for tests of what an allocation failure
// (std::bad_alloc) does. Linking journaldb_failing_allocator replaces the
// program's allocation functions (every form but the aligned ones); they
// allocate with malloc until armed, then fail once: the first allocation of
// at least a given size (or the n-th of exactly a given size) on the threads
// the arming names, which disarms them. Sizes no other work of the test asks
// for land the failure where the test points it.
#ifndef JOURNALDB_TESTS_SUPPORT_FAILING_ALLOCATOR_H_
#define JOURNALDB_TESTS_SUPPORT_FAILING_ALLOCATOR_H_

#include <cstddef>

namespace journaldb::testing {

// Which threads an armed failure may land on, seen from the arming thread.
enum class FailingThreads {
  kThisOne,  // the arming thread only
  kOthers,   // any thread but the arming one (a test whose clients run in it)
  kAny,
};

void FailNextAllocation(size_t at_least, FailingThreads threads);
// The same for an allocation of exactly `size` bytes, after passing over the
// first `skip` of them: a test that fails each allocation of one size in turn.
void FailAllocationOfSize(size_t size, int skip, FailingThreads threads);
void DisarmAllocationFailure();
// Failed allocations since the last ResetAllocationFailures.
int AllocationFailures();
void ResetAllocationFailures();

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_FAILING_ALLOCATOR_H_
