// ReplyCache: a build that throws (out of memory) fails that reply only; the
// key is built again by the next caller instead of being waited for forever.
#include "reply_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <new>

namespace journaldb::server {
namespace {

TEST(ReplyCache, ABuildThatThrowsFailsThatReplyAndTheNextCallerBuildsAgain) {
  sync::ByteBudget budget(1 << 20);
  ReplyCache cache(4);
  const ReplyCache::Key key{1, 5, 9};
  Result<SharedFrame> failed =
      cache.Get(key, []() -> Result<SharedFrame> { throw std::bad_alloc(); });
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.status().IsIOError()) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("cannot build the reply"), std::string::npos)
      << failed.status().ToString();

  int builds = 0;
  auto build = [&]() -> Result<SharedFrame> {
    ++builds;
    auto frame = std::make_shared<OutboundFrame>(&budget, "changesets");
    frame->bytes = "frame";
    return SharedFrame(std::move(frame));
  };
  Result<SharedFrame> built = cache.Get(key, build);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ((*built)->bytes, "frame");
  Result<SharedFrame> cached = cache.Get(key, build);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->get(), built->get());
  EXPECT_EQ(builds, 1);
}

}  // namespace
}  // namespace journaldb::server
