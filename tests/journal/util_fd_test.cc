// util::Fd (journal/internal/.../util/fd.h): the descriptor is closed on
// every path out of its scope, exactly once.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <utility>

#include "journaldb/journal/util/fd.h"

namespace journaldb::util {
namespace {

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

int OpenDevNull() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

TEST(UtilFd, ClosesItsDescriptorWhenItGoesOutOfScope) {
  int raw = -1;
  {
    Fd fd(OpenDevNull());
    raw = fd.get();
    ASSERT_TRUE(fd.valid());
    EXPECT_TRUE(IsOpen(raw));
  }
  EXPECT_FALSE(IsOpen(raw));
}

TEST(UtilFd, AFailedOpenOwnsNothing) {
  Fd fd(::open("/nonexistent/journaldb-fd-test", O_RDONLY | O_CLOEXEC));
  EXPECT_FALSE(fd.valid());
  EXPECT_TRUE(fd.Close("/nonexistent/journaldb-fd-test").ok());
}

TEST(UtilFd, ReleaseHandsOwnershipToTheCaller) {
  int raw = -1;
  {
    Fd fd(OpenDevNull());
    raw = fd.release();
    EXPECT_FALSE(fd.valid());
  }
  EXPECT_TRUE(IsOpen(raw));
  ::close(raw);
}

TEST(UtilFd, AMoveTransfersOwnershipAndAssignmentClosesTheOldDescriptor) {
  Fd a(OpenDevNull());
  const int first = a.get();
  Fd b(std::move(a));
  EXPECT_FALSE(a.valid());
  EXPECT_EQ(b.get(), first);
  Fd c(OpenDevNull());
  const int second = c.get();
  c = std::move(b);
  EXPECT_FALSE(IsOpen(second));
  EXPECT_EQ(c.get(), first);
  EXPECT_TRUE(IsOpen(first));
}

TEST(UtilFd, CloseClosesAtOnceAndLeavesNothingForTheDestructor) {
  Fd fd(OpenDevNull());
  const int raw = fd.get();
  EXPECT_TRUE(fd.Close("/dev/null").ok());
  EXPECT_FALSE(fd.valid());
  EXPECT_FALSE(IsOpen(raw));
}

}  // namespace
}  // namespace journaldb::util
