// What Database::Open gives for paths that hold no usable database, for a
// database another process holds, and what a read-only open allows.
//
// Tests run as root in CI, so chmod cannot make a path unwritable (root
// ignores permission bits); the unwritable cases are covered by paths that
// cannot be directories at all (a regular file, a path under a regular file).
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <fstream>
#include <iterator>
#include <string>

#include "journaldb/database.h"
#include "journaldb/engine/checkpoint.h"
#include "journaldb/sync.h"
#include "support/child_process.h"
#include "support/printers.h"
#include "support/raw_rocks.h"
#include "support/status_assertions.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

using testing::HasError;
namespace fs = boost::filesystem;

// The file's bytes; empty if it does not exist.
std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
}

// Creates a database at `path` holding one committed object.
void CreateDatabase(const std::string& path) {
  auto db = Database::Open(path, {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Transaction txn = (*db)->BeginTransaction();
  ASSERT_TRUE(txn.Upsert("tasks", "t1", {{"title", Value::String("milk")}}).ok());
  ASSERT_TRUE(txn.Commit().ok());
}

// Creates a database at `path` and a checkpoint of it at `copy`.
void CheckpointOfADatabase(const std::string& path, const std::string& copy) {
  CreateDatabase(path);
  auto db = Database::Open(path, {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(CreateCheckpoint(**db, copy).ok());
}

TEST(OpenErrors, ReadOnlyCopyRefusesWritableOpenNamingPathAndTheWayOut) {
  testing::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(CheckpointOfADatabase(dir.Sub("db"), dir.Sub("copy")));
  ASSERT_TRUE(MarkReadOnlyCopy(dir.Sub("copy")).ok());

  auto writable = Database::Open(dir.Sub("copy"), {});
  EXPECT_TRUE(HasError(writable.status(), StatusCode::kFailedPrecondition,
                       {dir.Sub("copy"), "recovery snapshot", "read_only", "journal replay"}));
  Options read_only;
  read_only.read_only = true;
  auto reader = Database::Open(dir.Sub("copy"), read_only);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->Get("tasks", "t1").ok());
}

TEST(OpenErrors, CheckpointWithoutTheMarkerStaysWritable) {
  // The refusal above comes from the marker, not from being a checkpoint.
  testing::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(CheckpointOfADatabase(dir.Sub("db"), dir.Sub("copy")));
  auto writable = Database::Open(dir.Sub("copy"), {});
  EXPECT_TRUE(writable.ok()) << writable.status().ToString();
}

TEST(OpenErrors, MalformedSyncServerIsInvalidArgumentBeforeAnythingIsCreated) {
  testing::TempDir dir;
  for (const char* server : {"nohost", "host:", ":7000", "host:70000", "host:7x"}) {
    Options options;
    options.sync.server = server;
    auto db = Database::Open(dir.Sub("fresh"), options);
    EXPECT_TRUE(HasError(db.status(), StatusCode::kInvalidArgument,
                         {"Options::sync.server", server}));
    EXPECT_FALSE(boost::filesystem::exists(dir.Sub("fresh"))) << server;
  }
  // A port out of range or not a number says which and why.
  for (const std::string port : {"70000", "7x", "-1", "0x10"}) {
    SyncOptions options;
    options.server = "host:" + port;
    EXPECT_TRUE(HasError(
        ValidateSyncOptions(options), StatusCode::kInvalidArgument,
        {"\"host:" + port + "\": the port " + port + " is not a decimal number from 0 to 65535"}));
  }
  SyncOptions valid;
  valid.server = "127.0.0.1:7000";
  EXPECT_TRUE(ValidateSyncOptions(valid).ok());
  EXPECT_TRUE(ValidateSyncOptions(SyncOptions{}).ok());
}

TEST(OpenErrors, UnusableTlsOptionsAreInvalidArgumentBeforeAnythingIsCreated) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("garbage.pem")) << "not a certificate\n";
  struct Case {
    bool tls;
    std::string ca_file;
  } cases[] = {{false, dir.Sub("garbage.pem")}, {true, dir.Sub("garbage.pem")},
               {true, dir.Sub("missing.pem")}};
  for (const Case& c : cases) {
    Options options;
    options.sync.server = "127.0.0.1:7000";
    options.sync.tls = c.tls;
    options.sync.tls_ca_file = c.ca_file;
    auto db = Database::Open(dir.Sub("fresh"), options);
    EXPECT_TRUE(HasError(db.status(), StatusCode::kInvalidArgument, {"Options::sync.tls"}))
        << c.ca_file;
    EXPECT_FALSE(boost::filesystem::exists(dir.Sub("fresh"))) << c.ca_file;
  }
  SyncOptions system_trust;
  system_trust.server = "127.0.0.1:7000";
  system_trust.tls = true;
  EXPECT_TRUE(ValidateSyncOptions(system_trust).ok());
}

TEST(OpenErrors, MemoryBudgetOutOfBoundsIsInvalidArgumentBeforeAnythingIsCreated) {
  testing::TempDir dir;
  for (uint64_t budget : {uint64_t{1}, kMinMemoryBudgetBytes - 1, kMaxMemoryBudgetBytes + 1}) {
    Options options;
    options.memory_budget_bytes = budget;
    auto db = Database::Open(dir.Sub("fresh"), options);
    EXPECT_TRUE(HasError(db.status(), StatusCode::kInvalidArgument,
                         {"Options::memory_budget_bytes", std::to_string(budget)}));
    EXPECT_FALSE(boost::filesystem::exists(dir.Sub("fresh"))) << budget;
  }
  for (uint64_t budget : {kNoMemoryBudget, kMinMemoryBudgetBytes, kMaxMemoryBudgetBytes}) {
    Options options;
    options.memory_budget_bytes = budget;
    auto db = Database::Open(dir.Sub(std::to_string(budget)), options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Transaction txn = (*db)->BeginTransaction();
    ASSERT_TRUE(txn.Upsert("c", "k", {{"f", Value::Int(1)}}).ok());
    EXPECT_TRUE(txn.Commit().ok());
  }
}

TEST(OpenErrors, MissingPathWithoutCreateIsNotFoundNamingPath) {
  testing::TempDir dir;
  Options options;
  options.create_if_missing = false;
  auto db = Database::Open(dir.Sub("nothing"), options);
  EXPECT_TRUE(HasError(db.status(), StatusCode::kNotFound, {dir.Sub("nothing")}));
  EXPECT_FALSE(boost::filesystem::exists(dir.Sub("nothing"))) << "a failed open created the path";
}

TEST(OpenErrors, MissingPathReadOnlyIsNotFoundNamingPath) {
  testing::TempDir dir;
  Options options;
  options.read_only = true;
  auto db = Database::Open(dir.Sub("nothing"), options);
  EXPECT_TRUE(HasError(db.status(), StatusCode::kNotFound, {dir.Sub("nothing")}));
}

TEST(OpenErrors, MissingPathWithCreateCreatesParentsToo) {
  testing::TempDir dir;
  auto db = Database::Open(dir.Sub("a/b/db"), {});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
}

TEST(OpenErrors, EmptyPathIsInvalidArgument) {
  auto db = Database::Open("", {});
  EXPECT_TRUE(HasError(db.status(), StatusCode::kInvalidArgument, {"path"}));
}

TEST(OpenErrors, PathThatIsARegularFileIsRefusedNamingPath) {
  testing::TempDir dir;
  WriteFile(dir.Sub("file"), "not a database");
  for (bool create : {true, false}) {
    Options options;
    options.create_if_missing = create;
    auto db = Database::Open(dir.Sub("file"), options);
    EXPECT_TRUE(
        HasError(db.status(), StatusCode::kInvalidArgument, {dir.Sub("file"), "not a directory"}))
        << "create_if_missing " << create;
  }
  EXPECT_EQ(ReadFile(dir.Sub("file")), "not a database") << "a failed open touched the file";
}

TEST(OpenErrors, PathUnderARegularFileIsAnErrorNamingPath) {
  testing::TempDir dir;
  WriteFile(dir.Sub("file"), "x");
  const std::string path = dir.Sub("file/db");  // ENOTDIR
  auto created = Database::Open(path, {});
  EXPECT_TRUE(HasError(created.status(), StatusCode::kIOError, {path, "Not a directory"}));
  Options options;
  options.create_if_missing = false;
  auto opened = Database::Open(path, options);
  EXPECT_TRUE(HasError(opened.status(), StatusCode::kNotFound, {path}));
}

TEST(OpenErrors, NonEmptyDirectoryWithoutDatabaseIsRefusedNamingPath) {
  testing::TempDir dir;
  boost::filesystem::create_directories(dir.Sub("photos"));
  WriteFile(dir.Sub("photos/cat.jpg"), "meow");
  auto db = Database::Open(dir.Sub("photos"), {});
  EXPECT_TRUE(
      HasError(db.status(), StatusCode::kFailedPrecondition, {dir.Sub("photos"), "not empty"}));
  EXPECT_FALSE(boost::filesystem::exists(dir.Sub("photos/CURRENT"))) << "created a database anyway";
  Options options;
  options.create_if_missing = false;
  EXPECT_TRUE(HasError(Database::Open(dir.Sub("photos"), options).status(), StatusCode::kNotFound,
                       {dir.Sub("photos")}));
}

TEST(OpenErrors, EmptyExistingDirectoryBecomesADatabase) {
  testing::TempDir dir;
  boost::filesystem::create_directories(dir.Sub("empty"));
  auto db = Database::Open(dir.Sub("empty"), {});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
}

TEST(OpenErrors, ForeignRocksDbDatabaseIsRefusedAsFailedPrecondition) {
  testing::TempDir dir;
  ASSERT_TRUE(testing::RawRocks::CreateForeign(dir.Sub("other")).ok());
  for (bool read_only : {false, true}) {
    Options options;
    options.read_only = read_only;
    auto db = Database::Open(dir.Sub("other"), options);
    EXPECT_TRUE(HasError(db.status(), StatusCode::kFailedPrecondition,
                         {dir.Sub("other"), "not a journaldb database"}))
        << "read_only " << read_only;
  }
  // The foreign database was not modified: it still has only its own family.
  std::string error;
  auto raw = testing::RawRocks::Open(dir.Sub("other"), &error);
  ASSERT_NE(raw, nullptr) << error;
  EXPECT_EQ(raw->Get("default", "someone else's"), "data");
  EXPECT_FALSE(raw->Get("state", "x").has_value());
}

TEST(OpenErrors, DamagedCurrentFileIsAnErrorNamingPath) {
  testing::TempDir dir;
  CreateDatabase(dir.Sub("db"));
  WriteFile(dir.Sub("db/CURRENT"), "garbage");
  auto db = Database::Open(dir.Sub("db"), {});
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(HasError(db.status(), db.status().code(), {dir.Sub("db")}));
  EXPECT_TRUE(db.status().IsCorruption() || db.status().IsIOError()) << db.status().ToString();
}

TEST(OpenErrors, ReadOnlyDatabaseRefusesCommitWithFailedPrecondition) {
  testing::TempDir dir;
  CreateDatabase(dir.Sub("db"));
  Options options;
  options.read_only = true;
  auto db = Database::Open(dir.Sub("db"), options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE((*db)->Get("tasks", "t1").ok());
  Transaction txn = (*db)->BeginTransaction();
  ASSERT_TRUE(txn.Upsert("tasks", "t2", {}).ok());
  EXPECT_TRUE(HasError(txn.Commit().status(), StatusCode::kFailedPrecondition,
                       {dir.Sub("db"), "read-only"}));
  Result<DatabaseInfo> info = (*db)->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->last_lsn, 1u);
}

// Within one process RocksDB's lock is per process and path: a second open
// of a database this process already has open is refused the same way.
TEST(OpenErrors, SecondOpenInTheSameProcessIsBusyNamingPath) {
  testing::TempDir dir;
  auto first = Database::Open(dir.Sub("db"), {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = Database::Open(dir.Sub("db"), {});
  EXPECT_TRUE(HasError(second.status(), StatusCode::kBusy, {dir.Sub("db"), "locked"}));
  // The first handle is unharmed.
  Transaction txn = (*first)->BeginTransaction();
  ASSERT_TRUE(txn.Upsert("tasks", "t1", {}).ok());
  EXPECT_TRUE(txn.Commit().ok());
}

// Another process holds the database open: a writable open here is busy and
// names the path; a read-only open works; once the holder exits the database
// opens normally.
TEST(OpenErrors, DatabaseHeldByAnotherProcessIsBusyNamingPath) {
  testing::TempDir dir;
  CreateDatabase(dir.Sub("db"));
  std::string error;
  auto holder = testing::ChildProcess::Start({JOURNALDB_LOCK_HOLDER_PATH, dir.Sub("db")}, &error);
  ASSERT_NE(holder, nullptr) << error;
  std::optional<std::string> line = holder->ReadLine();
  ASSERT_EQ(line, "open") << "holder could not open the database";

  // The holder's RocksDB LOG stays its own: a busy open rolls nothing.
  const fs::path log = fs::path(dir.Sub("db")) / "LOG";
  const fs::path old_log = fs::path(dir.Sub("db")) / "LOG.old";
  const std::string log_before = ReadFile(log.string());
  const std::string old_log_before = ReadFile(old_log.string());
  ASSERT_NE(log_before.find("DB SUMMARY"), std::string::npos) << log_before;

  auto db = Database::Open(dir.Sub("db"), {});
  EXPECT_TRUE(HasError(db.status(), StatusCode::kBusy, {dir.Sub("db"), "locked"}));
  EXPECT_EQ(ReadFile(log.string()).substr(0, log_before.size()), log_before);
  EXPECT_EQ(ReadFile(old_log.string()), old_log_before);

  Options read_only;
  read_only.read_only = true;
  auto reader = Database::Open(dir.Sub("db"), read_only);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->Get("tasks", "t1").ok());
  reader->reset();

  holder->CloseStdin();
  int status = holder->Wait();
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "holder wait status " << status;
  auto after = Database::Open(dir.Sub("db"), {});
  EXPECT_TRUE(after.ok()) << after.status().ToString();
}

// A holder killed while holding the database leaves no stale lock: the
// kernel drops the lock with the process.
TEST(OpenErrors, LockOfAKilledHolderIsReleased) {
  testing::TempDir dir;
  CreateDatabase(dir.Sub("db"));
  std::string error;
  auto holder = testing::ChildProcess::Start({JOURNALDB_LOCK_HOLDER_PATH, dir.Sub("db")}, &error);
  ASSERT_NE(holder, nullptr) << error;
  ASSERT_EQ(holder->ReadLine(), "open");
  holder->Kill(SIGKILL);
  holder->Wait();
  auto db = Database::Open(dir.Sub("db"), {});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
}

}  // namespace
}  // namespace journaldb
