// util::ErrnoStatus and ErrnoMessage (journal/internal/.../util/errno_status.h):
// one wording and one code mapping for failed system calls.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "journaldb/journal/util/errno_status.h"
#include "support/status_assertions.h"

namespace journaldb::util {
namespace {

using journaldb::testing::HasError;

TEST(UtilErrnoStatus, MessageNamesOperationPathAndTheSystemsText) {
  EXPECT_EQ(ErrnoMessage("rename", "/x/y", EACCES),
            std::string("rename /x/y: ") + std::strerror(EACCES));
}

TEST(UtilErrnoStatus, WithoutAPathTheOperationStandsAlone) {
  EXPECT_EQ(ErrnoMessage("connect", {}, ECONNREFUSED),
            std::string("connect: ") + std::strerror(ECONNREFUSED));
}

TEST(UtilErrnoStatus, AMissingFileIsNotFoundAndOtherErrorsAreIOErrors) {
  EXPECT_TRUE(HasError(ErrnoStatus("open", "/gone", ENOENT), StatusCode::kNotFound,
                       {"open /gone: ", std::strerror(ENOENT)}));
  EXPECT_TRUE(HasError(ErrnoStatus("write", "/full", ENOSPC), StatusCode::kIOError,
                       {"write /full: ", std::strerror(ENOSPC)}));
}

TEST(UtilErrnoStatus, DefaultsToTheCurrentErrno) {
  errno = EEXIST;
  Status s = ErrnoStatus("create", "/here");
  EXPECT_TRUE(HasError(s, StatusCode::kIOError, {std::strerror(EEXIST)}));
}

}  // namespace
}  // namespace journaldb::util
