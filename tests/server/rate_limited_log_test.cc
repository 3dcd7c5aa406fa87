// RateLimitedLog (server/src/rate_limited_log.h): lines a peer can repeat at
// will, logged a few per interval and kind, the next one logged counting the
// ones held back.
#include "rate_limited_log.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace journaldb::server {
namespace {

TEST(RateLimitedLog, LogsUpToItsCountPerIntervalAndKindThenSaysHowManyWereHeldBack) {
  RateLimitedLog log(std::chrono::milliseconds(200), 3);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(log.Admit("close", "close " + std::to_string(i)), "close " + std::to_string(i));
  for (int i = 3; i < 10; ++i) EXPECT_EQ(log.Admit("close", "close"), std::nullopt) << i;
  EXPECT_EQ(log.Admit("error", "error 0"), "error 0");  // another kind counts apart
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_EQ(log.Admit("close", "close 10"), "close 10 (7 similar suppressed)");
  EXPECT_EQ(log.Admit("close", "close 11"), "close 11");
}

TEST(RateLimitedLog, OnceAnIntervalByDefault) {
  RateLimitedLog log(std::chrono::milliseconds(200));
  EXPECT_TRUE(log.Admit("accept", "a").has_value());
  EXPECT_FALSE(log.Admit("accept", "b").has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_EQ(log.Admit("accept", "c"), "c (1 similar suppressed)");
}

}  // namespace
}  // namespace journaldb::server
