// A frame's body grows from the byte budget as its bytes arrive, and the
// budget is charged the memory the body holds: its capacity, not its size.
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

TEST(FrameRead, TheBudgetIsChargedTheBodysCapacity) {
  for (uint32_t n : {20u, 65536u, 65537u, 10u << 20, 16u << 20}) {
    ByteBudget budget(64u << 20);
    std::string body;
    ASSERT_TRUE(GrowTo(n, budget, &body).ok()) << n;
    EXPECT_EQ(body.size(), n);
  }
}

TEST(FrameRead, AFrameIsRefusedWhenTheMemoryItWouldHoldExceedsTheBudget) {
  // 10 MiB grown in 64 KiB steps holds 16 MiB: a 12 MiB budget refuses it.
  ByteBudget budget(12u << 20);
  std::string body;
  Status s = GrowTo(10u << 20, budget, &body);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  // The largest frame fits the smallest budget the server accepts.
  ByteBudget smallest(wire::kMaxFrameBytes);
  std::string largest;
  EXPECT_TRUE(GrowTo(wire::kMaxFrameBytes, smallest, &largest).ok());
}

}  // namespace
}  // namespace journaldb::sync
