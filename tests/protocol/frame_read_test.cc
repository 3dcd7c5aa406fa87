// A frame's body grows from the byte budget as its bytes arrive, and the
// budget is charged the memory the body holds: its capacity, not its size,
// which ends at the frame's length.
#include "journaldb/protocol/frame_read.h"

#include <gtest/gtest.h>

#include "journaldb/protocol/wire_codec.h"

namespace journaldb::sync {
namespace {

// Grows a body to `n` bytes as the readers do; the lease's charge, checked
// after every step, never falls below the body's capacity.
Status GrowTo(uint32_t n, ByteBudget& budget, std::string* body) {
  ByteBudget::Lease lease(&budget);
  while (body->size() < n) {
    if (Status s = GrowFrameBody(body, n, &lease); !s.ok()) return s;
    EXPECT_GE(budget.in_use(), body->capacity()) << body->size() << " of " << n;
  }
  EXPECT_EQ(budget.in_use(), body->capacity()) << n;
  return Status::OK();
}

TEST(FrameRead, TheBudgetIsChargedTheBodysCapacityWhichEndsAtTheFramesLength) {
  for (uint32_t n : {65536u, 65537u, 3u << 20, 10u << 20, (10u << 20) + 1, 16u << 20}) {
    ByteBudget budget(64u << 20);
    std::string body;
    ASSERT_TRUE(GrowTo(n, budget, &body).ok()) << n;
    EXPECT_EQ(body.size(), n);
    EXPECT_EQ(body.capacity(), n) << "a frame holds no more than its length";
  }
  // A small frame holds what the string's first allocation gives it.
  ByteBudget budget(1024);
  std::string body;
  ASSERT_TRUE(GrowTo(20, budget, &body).ok());
  EXPECT_EQ(body.size(), 20u);
}

TEST(FrameRead, AFrameFitsABudgetOfItsLengthAndNotLess) {
  for (uint32_t n : {(10u << 20) + 1, wire::kMaxFrameBytes}) {
    ByteBudget exact(n);
    std::string body;
    EXPECT_TRUE(GrowTo(n, exact, &body).ok()) << n;
    ByteBudget short_by_one(n - 1);
    std::string refused;
    EXPECT_TRUE(GrowTo(n, short_by_one, &refused).IsBusy()) << n;
  }
}

}  // namespace
}  // namespace journaldb::sync
