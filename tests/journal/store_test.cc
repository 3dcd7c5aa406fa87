// The store (journal/src/store.cc): which directories it opens, creates or
// refuses and with which status, how RocksDB errors map to ours, and its
// verified reads of objects, meta numbers and journal entries.
#include "journaldb/journal/store.h"

#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <boost/filesystem.hpp>
#include <fstream>

#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "support/printers.h"
#include "support/raw_rocks.h"
#include "support/status_assertions.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

namespace fs = boost::filesystem;
using testing::HasError;
using testing::TempDir;

// The marker store.cc leaves while a database is being created.
constexpr char kCreationMarker[] = "JOURNALDB-CREATING";

std::unique_ptr<Store> OpenOrDie(const std::string& path, StoreOptions options = {}) {
  auto store = Store::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

StoreOptions ReadOnly() {
  StoreOptions o;
  o.read_only = true;
  return o;
}

StoreOptions NoCreate() {
  StoreOptions o;
  o.create_if_missing = false;
  return o;
}

void Put(Store& store, rocksdb::ColumnFamilyHandle* family, std::string_view key,
         std::string_view value) {
  GrowingBatch batch;
  ASSERT_TRUE(batch.Put(family, key, value).ok());
  ASSERT_TRUE(store.Write(batch, /*sync=*/false).ok());
}

JournalEntry Entry(Lsn lsn) {
  JournalEntry e;
  e.lsn = lsn;
  e.ops.push_back(Operation::Increment("c", "k", "n", static_cast<int64_t>(lsn)));
  return e;
}

// A database whose meta family lacks the format tag.
void CreateWithoutFormatTag(const std::string& path) {
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  GrowingBatch batch;
  ASSERT_TRUE(batch.Delete(store->meta(), layout::kMetaFormat).ok());
  ASSERT_TRUE(store->Write(batch, true).ok());
}

// A freshly created store, for the tests of reads and writes.
class OpenStore : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(dir_.Sub("db"));
    ASSERT_NE(store_, nullptr);
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};
using StoreClose = OpenStore;
using StoreGetObject = OpenStore;
using StoreJournalCursor = OpenStore;
using StoreLastLsn = OpenStore;
using StoreMeta = OpenStore;

// --- open: which directories --------------------------------------------------

TEST(StoreOpen, EmptyPathIsInvalidArgument) {
  EXPECT_TRUE(Store::Open("", {}).status().IsInvalidArgument());
}

TEST(StoreOpen, AFileIsNotADirectory) {
  TempDir dir;
  std::ofstream(dir.Sub("file")) << "x";
  EXPECT_TRUE(HasError(Store::Open(dir.Sub("file"), {}).status(), StatusCode::kInvalidArgument,
                       {dir.Sub("file"), "not a directory"}));
}

TEST(StoreOpen, MissingDatabaseIsNotFoundUnlessCreating) {
  TempDir dir;
  EXPECT_TRUE(HasError(Store::Open(dir.Sub("db"), NoCreate()).status(), StatusCode::kNotFound,
                       {"no database at", dir.Sub("db")}));
  // Read-only never creates, whatever create_if_missing says.
  EXPECT_TRUE(Store::Open(dir.Sub("db"), ReadOnly()).status().IsNotFound());
  EXPECT_FALSE(fs::exists(dir.Sub("db"))) << "a refused open created the directory";
}

TEST(StoreOpen, CreatesMissingParentsAndLeavesNoCreationMarker) {
  TempDir dir;
  std::string path = dir.Sub("a/b/db");
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->path(), path);
    EXPECT_NE(store->state(), nullptr);
    EXPECT_NE(store->journal(), nullptr);
    EXPECT_NE(store->meta(), nullptr);
    EXPECT_NE(store->synced(), nullptr);
  }
  EXPECT_TRUE(fs::exists(path + "/CURRENT"));
  EXPECT_FALSE(fs::exists(path + "/" + kCreationMarker));
  std::string error;
  auto raw = testing::RawRocks::Open(path, &error);
  ASSERT_NE(raw, nullptr) << error;
  EXPECT_EQ(raw->Get(layout::kMetaFamily, layout::kMetaFormat), std::string("journaldb/1"));
}

// A database whose RocksDB files live in another Env (in memory here, as
// for the fuzzer) is found there: it reopens as a database, read-only too,
// and not as a creation that a file beside it would refuse.
TEST(StoreOpen, ADatabaseInAGivenEnvIsFoundThere) {
  TempDir dir;
  std::unique_ptr<rocksdb::Env> memory(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  StoreOptions options;
  options.env = memory.get();
  const std::string path = dir.Sub("db");
  {
    auto store = OpenOrDie(path, options);
    ASSERT_NE(store, nullptr);
    GrowingBatch batch;
    batch.Put(store->meta(), "k", "v");
    ASSERT_TRUE(store->Write(batch, /*sync=*/true).ok());
  }
  EXPECT_FALSE(fs::exists(path + "/CURRENT")) << "RocksDB's files went to the disk";
  std::ofstream(path + "/beside") << "x";
  StoreOptions read_only = options;
  read_only.read_only = true;
  auto store = OpenOrDie(path, read_only);
  ASSERT_NE(store, nullptr);
  std::string value;
  ASSERT_TRUE(store->db()->Get(rocksdb::ReadOptions(), store->meta(), "k", &value).ok());
  EXPECT_EQ(value, "v");
}

// RocksDB starts its file-opening threads whatever the number of files (a
// third of a small database's open); the store asks for one per 8 table files.
TEST(StoreOpen, OpensTableFilesFromOneThreadPerEightTableFiles) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  auto threads = [](const Store& s) { return s.db()->GetDBOptions().max_file_opening_threads; };
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(threads(*store), 1);
    // 17 table files, kept apart: one flush each, no compaction.
    rocksdb::DB* db = store->db();
    ASSERT_TRUE(
        db->SetOptions(db->DefaultColumnFamily(), {{"disable_auto_compactions", "true"}}).ok());
    for (int i = 0; i < 17; ++i) {
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k" + std::to_string(i), "v").ok());
      ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
    }
  }
  size_t files = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(path))
    if (e.path().extension() == ".sst") ++files;
  ASSERT_EQ(files, 17u);
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(threads(*store), 3);
}

TEST(StoreOpen, CreatesInAnExistingEmptyDirectory) {
  TempDir dir;
  fs::create_directories(dir.Sub("db"));
  EXPECT_NE(OpenOrDie(dir.Sub("db")), nullptr);
  EXPECT_TRUE(fs::exists(dir.Sub("db/CURRENT")));
}

TEST(StoreOpen, RefusesANonEmptyDirectoryWithoutADatabase) {
  TempDir dir;
  fs::create_directories(dir.Sub("db"));
  std::ofstream(dir.Sub("db/notes.txt")) << "mine";
  EXPECT_TRUE(HasError(Store::Open(dir.Sub("db"), {}).status(), StatusCode::kFailedPrecondition,
                       {dir.Sub("db"), "not empty"}));
  EXPECT_FALSE(fs::exists(dir.Sub("db/CURRENT")));
  EXPECT_FALSE(fs::exists(dir.Sub("db/") + kCreationMarker));
}

TEST(StoreOpen, ReopensAnExistingDatabaseWithoutCreating) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.Sub("db"));
    ASSERT_NE(store, nullptr);
    Put(*store, store->meta(), layout::kMetaEpoch, layout::EncodeU64(3));
  }
  auto store = OpenOrDie(dir.Sub("db"), NoCreate());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->GetMetaU64(layout::kMetaEpoch), 3u);
}

TEST(StoreOpen, ASecondWritableOpenIsBusy) {
  TempDir dir;
  auto first = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(HasError(Store::Open(dir.Sub("db"), {}).status(), StatusCode::kBusy,
                       {dir.Sub("db"), "locked by another process"}));
}

// A truncated MANIFEST lists only the default column family; the OPTIONS
// file RocksDB wrote at the last open still names ours: damaged, not foreign.
TEST(StoreOpen, ATruncatedManifestIsCorruptionNotAForeignDatabase) {
  TempDir dir;
  { ASSERT_NE(OpenOrDie(dir.Sub("db")), nullptr); }
  std::ifstream current(dir.Sub("db") + "/CURRENT");
  std::string manifest;
  std::getline(current, manifest);
  boost::filesystem::resize_file(dir.Sub("db") + "/" + manifest, 20);
  for (bool read_only : {true, false}) {
    StoreOptions options = NoCreate();
    options.read_only = read_only;
    EXPECT_TRUE(HasError(Store::Open(dir.Sub("db"), options).status(), StatusCode::kCorruption,
                         {"MANIFEST lists no 'state' column family", "MANIFEST is damaged"}));
  }
}

TEST(StoreOpen, ForeignRocksDbIsFailedPreconditionAndUntouched) {
  TempDir dir;
  ASSERT_TRUE(testing::RawRocks::CreateForeign(dir.Sub("db")).ok());
  EXPECT_TRUE(HasError(Store::Open(dir.Sub("db"), {}).status(), StatusCode::kFailedPrecondition,
                       {"not a journaldb database", "'state'"}));
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies({}, dir.Sub("db"), &families).ok());
  EXPECT_EQ(families, std::vector<std::string>{rocksdb::kDefaultColumnFamilyName});
}

TEST(StoreOpen, OtherFormatTagIsFailedPreconditionNamingBoth) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.Sub("db"));
    ASSERT_NE(store, nullptr);
    Put(*store, store->meta(), layout::kMetaFormat, "journaldb/2");
  }
  for (const StoreOptions& o : {StoreOptions{}, ReadOnly()})
    EXPECT_TRUE(HasError(Store::Open(dir.Sub("db"), o).status(), StatusCode::kFailedPrecondition,
                         {"\"journaldb/2\"", "this version reads journaldb/1"}));
}

TEST(StoreOpen, InterruptedCreationIsCompletedOnlyByAWritableOpen) {
  TempDir dir;
  fs::create_directories(dir.Sub("db"));
  std::ofstream(dir.Sub("db/") + kCreationMarker).close();
  EXPECT_TRUE(HasError(Store::Open(dir.Sub("db"), ReadOnly()).status(), StatusCode::kNotFound,
                       {"interrupted"}));
  EXPECT_TRUE(HasError(Store::Open(dir.Sub("db"), NoCreate()).status(), StatusCode::kNotFound,
                       {"interrupted"}));
  auto store = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(fs::exists(dir.Sub("db/") + kCreationMarker));
  EXPECT_EQ(*store->LastLsn(), 0u);
}

TEST(StoreOpen, InterruptedCreationAfterRocksDbStartedIsCompleted) {
  // Killed after RocksDB made its files but before the format tag: CURRENT
  // exists, the marker too, and the meta family has no tag yet.
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(CreateWithoutFormatTag(dir.Sub("db")));
  std::ofstream(dir.Sub("db/") + kCreationMarker).close();
  EXPECT_TRUE(Store::Open(dir.Sub("db"), ReadOnly()).status().IsNotFound());
  ASSERT_NE(OpenOrDie(dir.Sub("db")), nullptr);
  EXPECT_FALSE(fs::exists(dir.Sub("db/") + kCreationMarker));
  auto ro = OpenOrDie(dir.Sub("db"), ReadOnly());
  EXPECT_NE(ro, nullptr) << "the completed creation wrote the format tag";
}

TEST(StoreOpen, ADatabaseMissingItsFormatTagIsRefusedWithoutTheMarker) {
  // Without the marker the creation finished once, so a missing tag is damage
  // to report, not a half-made database to finish by writing a tag.
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(CreateWithoutFormatTag(dir.Sub("db")));
  auto r = Store::Open(dir.Sub("db"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("read format tag"), std::string::npos)
      << r.status().ToString();
  std::string error;
  auto raw = testing::RawRocks::Open(dir.Sub("db"), &error);
  ASSERT_NE(raw, nullptr) << error;
  EXPECT_EQ(raw->Get(layout::kMetaFamily, layout::kMetaFormat), std::nullopt);
}

TEST(StoreOpen, OldDatabaseWithoutSyncedFamily) {
  // A database made before sync existed has no 'synced' family: a read-only
  // open goes without it, a writable open adds it.
  TempDir dir;
  {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const char* name : {rocksdb::kDefaultColumnFamilyName.c_str(), layout::kStateFamily,
                             layout::kJournalFamily, layout::kMetaFamily})
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.Sub("db"), descriptors, &handles, &raw).ok());
    ASSERT_TRUE(raw->Put({}, handles[3], layout::kMetaFormat, layout::kFormatTag).ok());
    for (auto* h : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
    ASSERT_TRUE(raw->Close().ok());
    delete raw;
  }
  {
    auto ro = OpenOrDie(dir.Sub("db"), ReadOnly());
    ASSERT_NE(ro, nullptr);
    EXPECT_EQ(ro->synced(), nullptr);
  }
  auto rw = OpenOrDie(dir.Sub("db"));
  ASSERT_NE(rw, nullptr);
  EXPECT_NE(rw->synced(), nullptr);
}

// --- close and write ----------------------------------------------------------

TEST_F(StoreClose, ASecondCloseAndAWriteAfterCloseAreFailedPrecondition) {
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_TRUE(HasError(store_->Close(), StatusCode::kFailedPrecondition, {"already closed"}));
  GrowingBatch batch;
  EXPECT_TRUE(HasError(store_->Write(batch, false), StatusCode::kFailedPrecondition, {"closed"}));
}

TEST_F(StoreClose, ReleasesTheLock) {
  ASSERT_TRUE(store_->Close().ok());
  EXPECT_NE(OpenOrDie(dir_.Sub("db")), nullptr);
}

// --- reads --------------------------------------------------------------------

TEST_F(StoreGetObject, MissingObjectIsNullopt) {
  auto r = store_->GetObject("tasks", "t1", nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->has_value());
}

TEST_F(StoreGetObject, ReadsTheObjectUnderItsStateKey) {
  FieldMap fields{{"title", Value::String("milk")}, {"n", Value::Int(3)}};
  Put(*store_, store_->state(), std::string("tasks\0t1", 8), codec::EncodeObject(fields));
  auto r = store_->GetObject("tasks", "t1", nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, fields);
  // Neither a prefix of the key nor of the collection finds it.
  EXPECT_FALSE(store_->GetObject("tasks", "t", nullptr)->has_value());
  EXPECT_FALSE(store_->GetObject("task", "t1", nullptr)->has_value());
}

TEST_F(StoreGetObject, ASnapshotDoesNotSeeLaterWrites) {
  const rocksdb::Snapshot* snap = store_->db()->GetSnapshot();
  Put(*store_, store_->state(), layout::StateKey("c", "k"), codec::EncodeObject({}));
  EXPECT_FALSE(store_->GetObject("c", "k", snap)->has_value());
  EXPECT_TRUE(store_->GetObject("c", "k", nullptr)->has_value());
  store_->db()->ReleaseSnapshot(snap);
}

TEST_F(StoreGetObject, DamagedBytesAreCorruptionNamingTheObject) {
  Put(*store_, store_->state(), layout::StateKey("tasks", "my key"), "not an object");
  EXPECT_TRUE(HasError(store_->GetObject("tasks", "my key", nullptr).status(),
                       StatusCode::kCorruption, {"tasks/\"my key\""}));
}

TEST_F(StoreMeta, MissingNumberIsZeroAndWrittenOnesReadBack) {
  EXPECT_EQ(*store_->GetMetaU64(layout::kMetaDownloadCursor), 0u);
  GrowingBatch batch;
  Store::PutMetaU64(batch, store_->meta(), layout::kMetaDownloadCursor, 0x0102030405060708u);
  ASSERT_TRUE(store_->Write(batch, true).ok());
  EXPECT_EQ(*store_->GetMetaU64(layout::kMetaDownloadCursor), 0x0102030405060708u);
  // Stored big-endian, as the on-disk format says.
  std::string raw;
  ASSERT_TRUE(store_->db()->Get({}, store_->meta(), layout::kMetaDownloadCursor, &raw).ok());
  EXPECT_EQ(raw, std::string("\x01\x02\x03\x04\x05\x06\x07\x08"));
}

TEST_F(StoreMeta, NumberOfTheWrongSizeIsCorruption) {
  Put(*store_, store_->meta(), layout::kMetaEpoch, "abc");
  EXPECT_TRUE(HasError(store_->GetMetaU64(layout::kMetaEpoch).status(), StatusCode::kCorruption,
                       {"meta epoch", "expected 8 bytes, found 3"}));
}

TEST_F(StoreLastLsn, IsTheHigherOfTheJournalTailAndTheHighWaterMark) {
  EXPECT_EQ(*store_->LastLsn(), 0u);
  // 256 after 7: a little-endian key would sort 256 first.
  for (Lsn lsn : {3, 256, 7}) Put(*store_, store_->journal(), layout::LsnKey(lsn), "e");
  EXPECT_EQ(*store_->LastLsn(), 256u);
  Put(*store_, store_->meta(), layout::kMetaLsnHighWater, layout::EncodeU64(100));
  EXPECT_EQ(*store_->LastLsn(), 256u);
  Put(*store_, store_->meta(), layout::kMetaLsnHighWater, layout::EncodeU64(1000));
  EXPECT_EQ(*store_->LastLsn(), 1000u) << "entries above the journal's tail were removed";
}

TEST_F(StoreLastLsn, HighWaterAloneCounts) {
  Put(*store_, store_->meta(), layout::kMetaLsnHighWater, layout::EncodeU64(9));
  EXPECT_EQ(*store_->LastLsn(), 9u);
}

TEST_F(StoreLastLsn, MalformedTailKeyIsCorruption) {
  Put(*store_, store_->journal(), std::string(9, '\xff'), "e");
  EXPECT_TRUE(HasError(store_->LastLsn().status(), StatusCode::kCorruption,
                       {"malformed key of 9 bytes"}));
}

// --- journal cursor -------------------------------------------------------------

TEST_F(StoreJournalCursor, ReadsEntriesFromAnLsnInOrder) {
  for (Lsn lsn : {1, 2, 256, 3}) Put(*store_, store_->journal(), layout::LsnKey(lsn),
                                     codec::EncodeEntry(Entry(lsn)));
  std::vector<JournalEntry> seen;
  JournalCursor c(*store_, 2);
  for (; c.Valid(); c.Next()) seen.push_back(c.entry());
  EXPECT_TRUE(c.status().ok()) << c.status().ToString();
  EXPECT_EQ(seen, (std::vector<JournalEntry>{Entry(2), Entry(3), Entry(256)}));
  c.Next();  // past the end stays there
  EXPECT_FALSE(c.Valid());
}

TEST_F(StoreJournalCursor, FromBetweenEntriesStartsAtTheNext) {
  for (Lsn lsn : {5, 10}) Put(*store_, store_->journal(), layout::LsnKey(lsn),
                              codec::EncodeEntry(Entry(lsn)));
  JournalCursor c(*store_, 6);
  ASSERT_TRUE(c.Valid());
  EXPECT_EQ(c.entry().lsn, 10u);
  JournalCursor beyond(*store_, 11);
  EXPECT_FALSE(beyond.Valid());
  EXPECT_TRUE(beyond.status().ok());
}

TEST_F(StoreJournalCursor, EmptyJournalIsACleanEnd) {
  JournalCursor c(*store_, 1);
  EXPECT_FALSE(c.Valid());
  EXPECT_TRUE(c.status().ok());
}

TEST_F(StoreJournalCursor, StopsAtADamagedEntryWithCorruption) {
  Put(*store_, store_->journal(), layout::LsnKey(1), codec::EncodeEntry(Entry(1)));
  Put(*store_, store_->journal(), layout::LsnKey(2), "garbage");
  Put(*store_, store_->journal(), layout::LsnKey(3), codec::EncodeEntry(Entry(3)));
  JournalCursor c(*store_, 1);
  ASSERT_TRUE(c.Valid());
  c.Next();
  EXPECT_FALSE(c.Valid()) << "read past a damaged entry";
  EXPECT_TRUE(HasError(c.status(), StatusCode::kCorruption,
                       {"journal entry lsn 2"})) << c.status().ToString();
}

TEST_F(StoreJournalCursor, AnEntryStoredUnderAnotherLsnIsCorruption) {
  Put(*store_, store_->journal(), layout::LsnKey(4), codec::EncodeEntry(Entry(5)));
  JournalCursor c(*store_, 1);
  EXPECT_FALSE(c.Valid());
  EXPECT_TRUE(HasError(c.status(), StatusCode::kCorruption, {"lsn 4", "records lsn 5"}));
}

TEST_F(StoreJournalCursor, MalformedKeyIsCorruption) {
  Put(*store_, store_->journal(), "short", codec::EncodeEntry(Entry(1)));
  JournalCursor c(*store_, 0);
  EXPECT_FALSE(c.Valid());
  EXPECT_TRUE(HasError(c.status(), StatusCode::kCorruption, {"malformed key of 5 bytes"}));
}

TEST_F(StoreJournalCursor, ASnapshotDoesNotSeeLaterEntries) {
  Put(*store_, store_->journal(), layout::LsnKey(1), codec::EncodeEntry(Entry(1)));
  const rocksdb::Snapshot* snap = store_->db()->GetSnapshot();
  Put(*store_, store_->journal(), layout::LsnKey(2), codec::EncodeEntry(Entry(2)));
  {
    JournalCursor c(*store_, 1, snap);
    ASSERT_TRUE(c.Valid());
    c.Next();
    EXPECT_FALSE(c.Valid());
  }
  store_->db()->ReleaseSnapshot(snap);
}

// --- RocksDB status translation ---------------------------------------------------

TEST(StoreFromRocks, MapsEachCodeAndKeepsTheContext) {
  EXPECT_TRUE(FromRocks(rocksdb::Status::OK(), "x").ok());
  EXPECT_TRUE(HasError(FromRocks(rocksdb::Status::NotFound("gone"), "read a"),
                       StatusCode::kNotFound, {"read a: ", "gone"}));
  EXPECT_TRUE(HasError(FromRocks(rocksdb::Status::Corruption("bad block"), "read b"),
                       StatusCode::kCorruption, {"read b: ", "bad block"}));
  EXPECT_TRUE(HasError(FromRocks(rocksdb::Status::InvalidArgument("nope"), "open c"),
                       StatusCode::kInvalidArgument, {"open c: ", "nope"}));
  EXPECT_TRUE(HasError(FromRocks(rocksdb::Status::IOError("disk full"), "write d"),
                       StatusCode::kIOError, {"write d: ", "disk full"}));
  EXPECT_TRUE(HasError(
      FromRocks(
          rocksdb::Status::IOError("While lock file", "db/LOCK: Resource temporarily unavailable"),
          "open e"),
      StatusCode::kBusy, {"open e: ", "locked by another process"}));
  EXPECT_TRUE(
      FromRocks(rocksdb::Status::IOError("lock hold by current process", "db/LOCK"), "e").IsBusy());
  // Errors that only mention a lock are not a conflict: a LOCK that cannot
  // be created, a path holding the word.
  EXPECT_TRUE(HasError(FromRocks(rocksdb::Status::IOError("While open a file for lock",
                                                          "db/LOCK: Read-only file system"),
                                 "open e"),
                       StatusCode::kIOError, {"open e: ", "Read-only file system"}));
  EXPECT_TRUE(
      FromRocks(rocksdb::Status::IOError("While pread", "blocked/000016.sst: Is a directory"), "e")
          .IsIOError());
  // Anything else is treated as a retryable I/O error.
  EXPECT_TRUE(FromRocks(rocksdb::Status::TimedOut(), "f").IsIOError());
  EXPECT_TRUE(FromRocks(rocksdb::Status::Busy(), "g").IsIOError());
}

}  // namespace
}  // namespace journaldb
