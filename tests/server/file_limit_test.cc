// The open-file budget: connections get what the limit leaves beside the
// store's files, a limit with no room is an error that says what to raise.
#include "file_limit.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace journaldb::server {
namespace {

TEST(FileLimit, ConnectionsGetWhatTheLimitLeavesBesideTheStore) {
  EXPECT_EQ(ConnectionsWithin({20000, 5, 320}, 1000).value(), 1000u);
  // 400 - 5 open - 320 the store's - the spare ones.
  EXPECT_EQ(ConnectionsWithin({400, 5, 320}, 1000).value(), 400 - 5 - 320 - kSpareFiles);
  EXPECT_EQ(ConnectionsWithin({400, 5, 320}, 10).value(), 10u);
  EXPECT_EQ(ConnectionsWithin({5 + 320 + kSpareFiles + 1, 5, 320}, 1000).value(), 1u);
}

TEST(FileLimit, ALimitWithNoRoomForAConnectionIsAnErrorNamingWhatToRaise) {
  for (uint64_t limit : {uint64_t{0}, uint64_t{64}, 5 + 320 + kSpareFiles}) {
    Result<uint32_t> served = ConnectionsWithin({limit, 5, 320}, 1000);
    ASSERT_FALSE(served.ok()) << limit;
    EXPECT_TRUE(served.status().IsInvalidArgument());
    EXPECT_NE(served.status().message().find(fmt::format("open-file limit ({})", limit)),
              std::string::npos)
        << served.status().ToString();
    // Enough for the store, the spare files and every connection asked for.
    EXPECT_NE(
        served.status().message().find(fmt::format("to at least {}", 5 + 320 + kSpareFiles + 1000)),
        std::string::npos)
        << served.status().ToString();
  }
}

TEST(FileLimit, OpenFileCountCountsThisProcesssDescriptors) {
  const uint64_t before = OpenFileCount();
  int fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(OpenFileCount(), before + 1);
  ::close(fd);
  EXPECT_EQ(OpenFileCount(), before);
}

TEST(FileLimit, TheSoftLimitIsRaisedToTheHardOne) {
  rlimit files{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &files), 0);
  files.rlim_cur = std::min<rlim_t>(files.rlim_max, 64);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &files), 0);
  const uint64_t raised = RaiseOpenFileLimit();
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &files), 0);
  EXPECT_EQ(raised, files.rlim_cur);
  if (files.rlim_max != RLIM_INFINITY) {
    EXPECT_EQ(files.rlim_cur, files.rlim_max);
  }
  EXPECT_GE(files.rlim_cur, 64u);
}

}  // namespace
}  // namespace journaldb::server
