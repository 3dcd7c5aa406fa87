// RateLimitedLog (server/src/rate_limited_log.h): lines a peer can repeat at
// will, logged a few per interval and kind, the next one logged counting the
// ones held back. On the test's own clock.
#include "rate_limited_log.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace journaldb::server {
namespace {

using std::chrono::milliseconds;
const std::chrono::steady_clock::time_point t0{};

TEST(RateLimitedLog, LogsUpToItsCountPerIntervalAndKindThenSaysHowManyWereHeldBack) {
  RateLimitedLog log(milliseconds(1000), 3);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(log.Admit("close", "close " + std::to_string(i), t0 + milliseconds(i)),
              "close " + std::to_string(i));
  for (int i = 3; i < 10; ++i)
    EXPECT_EQ(log.Admit("close", "close", t0 + milliseconds(100 * i)), std::nullopt) << i;
  EXPECT_EQ(log.Admit("error", "error 0", t0 + milliseconds(999)), "error 0");  // apart
  EXPECT_EQ(log.Admit("close", "close 10", t0 + milliseconds(1000)),
            "close 10 (7 similar suppressed)");
  EXPECT_EQ(log.Admit("close", "close 11", t0 + milliseconds(1001)), "close 11");
}

TEST(RateLimitedLog, OnceAnIntervalByDefault) {
  RateLimitedLog log(milliseconds(1000));
  EXPECT_TRUE(log.Admit("accept", "a", t0).has_value());
  EXPECT_FALSE(log.Admit("accept", "b", t0 + milliseconds(999)).has_value());
  EXPECT_EQ(log.Admit("accept", "c", t0 + milliseconds(1000)), "c (1 similar suppressed)");
}

// What was held back after the last line of a kind is reported at the end,
// once.
TEST(RateLimitedLog, TakeSuppressedReportsWhatNoLaterLineCounted) {
  RateLimitedLog log(milliseconds(1000), 2);
  EXPECT_TRUE(log.TakeSuppressed().empty());
  for (int i = 0; i < 5; ++i) log.Admit("close", "close", t0 + milliseconds(i));
  for (int i = 0; i < 3; ++i) log.Admit("connect", "connect", t0 + milliseconds(i));
  log.Admit("accept", "accept", t0);
  const std::vector<std::string> want = {"close: 3 similar lines suppressed since the last one",
                                         "connect: 1 similar lines suppressed since the last one"};
  EXPECT_EQ(log.TakeSuppressed(), want);
  EXPECT_TRUE(log.TakeSuppressed().empty());
  // Counted again from zero: the next line admitted says nothing of them.
  EXPECT_EQ(log.Admit("close", "close 6", t0 + milliseconds(1000)), "close 6");
}

}  // namespace
}  // namespace journaldb::server
