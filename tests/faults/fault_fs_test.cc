// FaultFs itself: the sweeps are only as good as its counting and its power
// loss model, so both are pinned down here on plain files.
#include "faults/fault_fs.h"

#include <gtest/gtest.h>

#include <boost/filesystem.hpp>

#include "support/temp_dir.h"

namespace journaldb::testing {
namespace {

namespace fs = boost::filesystem;
using rocksdb::IOOptions;

std::unique_ptr<rocksdb::FSWritableFile> Create(FaultFs& ffs, const std::string& name) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = ffs.NewWritableFile(name, rocksdb::FileOptions(), &file, nullptr);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return file;
}

void Append(rocksdb::FSWritableFile& file, const std::string& bytes) {
  rocksdb::IOStatus s = file.Append(bytes, IOOptions(), nullptr);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(file.Flush(IOOptions(), nullptr).ok());
}

void SyncDir(FaultFs& ffs, const std::string& dir) {
  std::unique_ptr<rocksdb::FSDirectory> d;
  ASSERT_TRUE(ffs.NewDirectory(dir, IOOptions(), &d, nullptr).ok());
  rocksdb::IOStatus s = d->Fsync(IOOptions(), nullptr);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

std::string Contents(const std::string& path) {
  std::string bytes;
  EXPECT_TRUE(rocksdb::ReadFileToString(rocksdb::FileSystem::Default().get(), path, &bytes).ok());
  return bytes;
}

TEST(FaultFs, PowerLossKeepsSyncedBytesOfDurableFilesOnly) {
  TempDir dir;
  FaultFs ffs;
  auto durable = Create(ffs, dir.Sub("durable"));
  auto fresh = Create(ffs, dir.Sub("fresh"));
  SyncDir(ffs, dir.path());  // "durable" and "fresh" are now named durably
  Append(*durable, "synced");
  ASSERT_TRUE(durable->Sync(IOOptions(), nullptr).ok());
  Append(*durable, "-lost");
  auto unnamed = Create(ffs, dir.Sub("unnamed"));
  Append(*unnamed, "data");
  ASSERT_TRUE(unnamed->Sync(IOOptions(), nullptr).ok());  // synced, but its name is not
  durable.reset();
  fresh.reset();
  unnamed.reset();

  ASSERT_TRUE(ffs.DropUnsyncedData().ok());
  EXPECT_EQ(Contents(dir.Sub("durable")), "synced");
  EXPECT_EQ(Contents(dir.Sub("fresh")), "");
  EXPECT_FALSE(fs::exists(dir.Sub("unnamed")));
}

TEST(FaultFs, PowerLossUndoesARenameNotFollowedByADirectorySync) {
  TempDir dir;
  FaultFs ffs;
  auto current = Create(ffs, dir.Sub("CURRENT"));
  Append(*current, "old");
  ASSERT_TRUE(current->Sync(IOOptions(), nullptr).ok());
  current.reset();
  SyncDir(ffs, dir.path());
  auto tmp = Create(ffs, dir.Sub("tmp"));
  Append(*tmp, "new");
  ASSERT_TRUE(tmp->Sync(IOOptions(), nullptr).ok());
  tmp.reset();
  ASSERT_TRUE(ffs.RenameFile(dir.Sub("tmp"), dir.Sub("CURRENT"), IOOptions(), nullptr).ok());
  ASSERT_EQ(Contents(dir.Sub("CURRENT")), "new");

  ASSERT_TRUE(ffs.DropUnsyncedData().ok());
  EXPECT_EQ(Contents(dir.Sub("CURRENT")), "old");
  EXPECT_FALSE(fs::exists(dir.Sub("tmp")));  // its own name was never durable
}

TEST(FaultFs, ARenameFollowedByADirectorySyncSurvivesPowerLoss) {
  TempDir dir;
  FaultFs ffs;
  auto tmp = Create(ffs, dir.Sub("tmp"));
  Append(*tmp, "new");
  ASSERT_TRUE(tmp->Sync(IOOptions(), nullptr).ok());
  tmp.reset();
  ASSERT_TRUE(ffs.RenameFile(dir.Sub("tmp"), dir.Sub("CURRENT"), IOOptions(), nullptr).ok());
  SyncDir(ffs, dir.path());

  ASSERT_TRUE(ffs.DropUnsyncedData().ok());
  EXPECT_EQ(Contents(dir.Sub("CURRENT")), "new");
}

TEST(FaultFs, ErrorOnceFailsExactlyTheArmedOperation) {
  TempDir dir;
  FaultFs ffs;
  ffs.Arm(FaultKind::kErrorOnce, 3);
  auto file = Create(ffs, dir.Sub("f"));                       // op 1
  ASSERT_TRUE(file->Append("a", IOOptions(), nullptr).ok());   // op 2
  rocksdb::IOStatus third = file->Sync(IOOptions(), nullptr);  // op 3
  EXPECT_TRUE(third.IsIOError()) << third.ToString();
  EXPECT_TRUE(ffs.fired());
  EXPECT_NE(ffs.fired_at().find("sync"), std::string::npos) << ffs.fired_at();
  EXPECT_TRUE(file->Sync(IOOptions(), nullptr).ok());  // op 4
  EXPECT_EQ(ffs.operations(), 4u);
}

TEST(FaultFs, StickyFaultsFailEveryLaterOperationUntilDisarmed) {
  for (FaultKind kind : {FaultKind::kErrorFromThenOn, FaultKind::kNoSpace, FaultKind::kPowerLoss}) {
    SCOPED_TRACE(FaultKindName(kind));
    TempDir dir;
    FaultFs ffs;
    ffs.Arm(kind, 2);
    auto file = Create(ffs, dir.Sub("f"));
    rocksdb::IOStatus second = file->Append("a", IOOptions(), nullptr);
    EXPECT_FALSE(second.ok());
    EXPECT_EQ(second.IsNoSpace(), kind == FaultKind::kNoSpace) << second.ToString();
    EXPECT_FALSE(file->Append("b", IOOptions(), nullptr).ok());
    EXPECT_FALSE(ffs.RenameFile(dir.Sub("f"), dir.Sub("g"), IOOptions(), nullptr).ok());
    EXPECT_TRUE(fs::exists(dir.Sub("f")));  // a failed rename did nothing
    ffs.Disarm();
    EXPECT_TRUE(file->Append("c", IOOptions(), nullptr).ok());
  }
}

}  // namespace
}  // namespace journaldb::testing
