// util::Fsync* (journal/internal/.../util/fsync.h): durable steps that say
// which path failed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "journaldb/journal/util/fsync.h"
#include "support/status_assertions.h"
#include "support/temp_dir.h"

namespace journaldb::util {
namespace {

using journaldb::testing::HasError;
using journaldb::testing::TempDir;

TEST(UtilFsync, AnExistingFileAndDirectorySync) {
  TempDir dir;
  const std::string file = dir.Sub("f");
  std::ofstream(file) << "x";
  EXPECT_TRUE(FsyncFile(file).ok());
  EXPECT_TRUE(FsyncDirectory(dir.path()).ok());
  EXPECT_TRUE(FsyncParentDirectory(file).ok());
}

TEST(UtilFsync, AMissingPathIsNotFoundAndNamed) {
  TempDir dir;
  const std::string missing = dir.Sub("missing");
  EXPECT_TRUE(HasError(FsyncFile(missing), StatusCode::kNotFound, {missing}));
  EXPECT_TRUE(HasError(FsyncDirectory(missing), StatusCode::kNotFound, {missing}));
  EXPECT_TRUE(HasError(FsyncParentDirectory(missing + "/child"), StatusCode::kNotFound, {missing}));
}

TEST(UtilFsync, AFileIsNotADirectory) {
  TempDir dir;
  const std::string file = dir.Sub("f");
  std::ofstream(file) << "x";
  EXPECT_TRUE(HasError(FsyncDirectory(file), StatusCode::kIOError, {"directory", file}));
}

TEST(UtilFsync, TheParentOfADirectoryWithATrailingSlashIsItsParent) {
  TempDir dir;
  // If "gone/" were taken as the entry "." inside gone, the sync would fail
  // naming gone; its parent (the temp directory) exists.
  EXPECT_TRUE(FsyncParentDirectory(dir.Sub("gone") + "/").ok());
}

TEST(UtilFsync, ABareNameSyncsTheCurrentDirectory) {
  EXPECT_TRUE(FsyncParentDirectory("no-such-file-needed").ok());
}

TEST(UtilFsync, ABadDescriptorIsAnErrorNamingThePath) {
  EXPECT_TRUE(HasError(FsyncFd(-1, "the-file"), StatusCode::kIOError, {"fsync the-file"}));
}

}  // namespace
}  // namespace journaldb::util
