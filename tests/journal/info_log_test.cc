// InfoLog (journal/internal/journaldb/journal/info_log.h): RocksDB's LOG as
// the stores write it: whole lines, held until the open is past the lock,
// rolled to LOG.old then and at its size limit, and no failure when the LOG
// cannot be written.
#include "journaldb/journal/info_log.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <boost/filesystem.hpp>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>

#include "support/temp_dir.h"

namespace journaldb {
namespace {

namespace fs = boost::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream in(path.string(), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::shared_ptr<InfoLog> Started(const std::string& dir, size_t max_bytes) {
  std::shared_ptr<InfoLog> log = OpenInfoLog(dir, max_bytes);
  log->Start();
  return log;
}

void Log(rocksdb::Logger& log, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  log.Logv(format, ap);
  va_end(ap);
}

TEST(InfoLog, AnOpenKeepsThePreviousLogAsLogOld) {
  testing::TempDir dir;
  Log(*Started(dir.path(), 1 << 20), "first open %d", 1);
  Log(*Started(dir.path(), 1 << 20), "second open %s", "two");
  const std::string log = Read(fs::path(dir.path()) / kInfoLogFile);
  const std::string old = Read(fs::path(dir.path()) / kOldInfoLogFile);
  EXPECT_NE(log.find("second open two\n"), std::string::npos) << log;
  EXPECT_EQ(log.find("first open"), std::string::npos) << log;
  EXPECT_NE(old.find("first open 1\n"), std::string::npos) << old;
}

TEST(InfoLog, ALogAtItsLimitRollsToLogOld) {
  testing::TempDir dir;
  auto log = Started(dir.path(), 1000);
  for (int i = 0; i < 100; ++i) Log(*log, "line %03d of the log", i);
  const std::string now = Read(fs::path(dir.path()) / kInfoLogFile);
  const std::string old = Read(fs::path(dir.path()) / kOldInfoLogFile);
  EXPECT_LE(now.size(), 1000u);
  EXPECT_LE(old.size(), 1000u);
  EXPECT_EQ(log->GetLogFileSize(), now.size());
  EXPECT_NE(now.find("line 099 of the log\n"), std::string::npos) << now;
  // Whole lines only: each roll comes between two lines.
  EXPECT_EQ(old.back(), '\n');
  EXPECT_EQ(now.rfind("line", 0), std::string::npos);  // starts with its timestamp
}

// RocksDB's statistics dumps are one call of several KiB: kept whole.
TEST(InfoLog, ALongLineIsKeptWhole) {
  testing::TempDir dir;
  const std::string long_text(10000, 'x');
  Log(*Started(dir.path(), 1 << 20), "%s|end", long_text.c_str());
  const std::string log = Read(fs::path(dir.path()) / kInfoLogFile);
  EXPECT_NE(log.find(long_text + "|end\n"), std::string::npos) << log.size();
}

// Past the file-size limit a write fails with EFBIG (SIGXFSZ ignored, as the
// tools do): the line is lost and the process goes on; lines fit again once
// the limit is lifted.
TEST(InfoLog, ALineThatCannotBeWrittenIsLost) {
  testing::TempDir dir;
  auto log = Started(dir.path(), 1 << 20);
  struct sigaction ignore {
  }, old_action{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGXFSZ, &ignore, &old_action), 0);
  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  struct rlimit tight = saved;
  tight.rlim_cur = 200;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tight), 0);
  for (int i = 0; i < 20; ++i) Log(*log, "line %02d that does not fit", i);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  Log(*log, "after the limit");
  ASSERT_EQ(::sigaction(SIGXFSZ, &old_action, nullptr), 0);
  const std::string now = Read(fs::path(dir.path()) / kInfoLogFile);
  EXPECT_EQ(now.find("line 19"), std::string::npos) << now;
  EXPECT_NE(now.find("after the limit\n"), std::string::npos) << now;
}

TEST(InfoLog, ADirectoryItCannotWriteLogsNothing) {
  testing::TempDir dir;
  auto log = Started(dir.Sub("missing"), 1 << 20);
  Log(*log, "nowhere");
  EXPECT_FALSE(fs::exists(fs::path(dir.Sub("missing")) / kInfoLogFile));
}

// Lines logged before Start wait in memory; Start rolls the LOG and writes
// them first. A log never started leaves the directory as it was.
TEST(InfoLog, LinesBeforeStartAreHeldAndANeverStartedLogWritesNothing) {
  testing::TempDir dir;
  Log(*Started(dir.path(), 1 << 20), "the running process's line");
  Log(*OpenInfoLog(dir.path(), 1 << 20), "a busy open's line");
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / kOldInfoLogFile));
  EXPECT_NE(Read(fs::path(dir.path()) / kInfoLogFile).find("the running process's line\n"),
            std::string::npos);

  auto log = OpenInfoLog(dir.path(), 1 << 20);
  Log(*log, "held %d", 1);
  EXPECT_EQ(Read(fs::path(dir.path()) / kInfoLogFile).find("held"), std::string::npos);
  log->Start();
  log->Start();  // once
  Log(*log, "after %d", 2);
  const std::string now = Read(fs::path(dir.path()) / kInfoLogFile);
  const size_t held = now.find("held 1\n");
  ASSERT_NE(held, std::string::npos) << now;
  EXPECT_LT(held, now.find("after 2\n")) << now;
  EXPECT_EQ(log->GetLogFileSize(), now.size());
  EXPECT_NE(Read(fs::path(dir.path()) / kOldInfoLogFile).find("the running process's line\n"),
            std::string::npos);
}

// The Env a store opens with starts the log the moment RocksDB takes the
// LOCK, before its open returns: an open that dies past the lock (killed,
// aborted in recovery) leaves its lines in LOG.
TEST(InfoLog, TheLogStartsWhenTheLockIsTaken) {
  testing::TempDir dir;
  std::shared_ptr<InfoLog> log = OpenInfoLog(dir.path(), 1 << 20);
  std::unique_ptr<rocksdb::Env> env = EnvStartingLogAtLock(log);
  Log(*log, "options before the lock");
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / kInfoLogFile));
  rocksdb::FileLock* lock = nullptr;
  ASSERT_TRUE(env->GetFileSystem()
                  ->LockFile(dir.path() + "/LOCK", rocksdb::IOOptions(), &lock, nullptr)
                  .ok());
  EXPECT_NE(Read(fs::path(dir.path()) / kInfoLogFile).find("options before the lock\n"),
            std::string::npos);
  EXPECT_TRUE(env->GetFileSystem()->UnlockFile(lock, rocksdb::IOOptions(), nullptr).ok());
}

}  // namespace
}  // namespace journaldb
