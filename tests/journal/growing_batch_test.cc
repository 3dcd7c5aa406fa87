// GrowingBatch: it holds exactly what WriteBatch::Put and Delete would
// have written, and RecordBound leaves RocksDB's append nothing to allocate
// (journal/internal/journaldb/journal/growing_batch.h). What a failed
// growth leaves is tested in tests/engine/allocation_failure_test.cc.
#include "journaldb/journal/growing_batch.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace journaldb {
namespace {

// A real database for its column family handles (their ids go into each
// record): the default family (id 0) and two more.
class Families {
 public:
  Families() {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> wanted = {
        {rocksdb::kDefaultColumnFamilyName, {}}, {"one", {}}, {"two", {}}};
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, dir_.path(), wanted, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
  }
  ~Families() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  rocksdb::ColumnFamilyHandle* at(size_t i) const { return handles_[i % handles_.size()]; }

 private:
  testing::TempDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

struct Record {
  size_t family;
  std::string key;
  bool put;
  std::string value;
};

// Lengths across the varint boundaries (127/128, 16383/16384) and beyond.
rc::Gen<std::string> Bytes() {
  return rc::gen::mapcat(
      rc::gen::oneOf(rc::gen::inRange<size_t>(0, 140), rc::gen::inRange<size_t>(16370, 16400),
                     rc::gen::inRange<size_t>(70000, 70010)),
      [](size_t n) { return rc::gen::just(std::string(n, 'v')); });
}

rc::Gen<std::vector<Record>> Records() {
  return rc::gen::container<std::vector<Record>>(rc::gen::build<Record>(
      rc::gen::set(&Record::family, rc::gen::inRange<size_t>(0, 3)),
      rc::gen::set(&Record::key, Bytes()), rc::gen::set(&Record::put, rc::gen::arbitrary<bool>()),
      rc::gen::set(&Record::value, Bytes())));
}

RC_GTEST_PROP(GrowingBatch, HoldsWhatPutAndDeleteWrite, ()) {
  static Families families;
  const auto records = *Records();
  GrowingBatch growing(*rc::gen::inRange<size_t>(0, 200));
  rocksdb::WriteBatch direct;
  for (const Record& r : records) {
    if (r.put) {
      RC_ASSERT(growing.Put(families.at(r.family), r.key, r.value).ok());
      RC_ASSERT(direct.Put(families.at(r.family), r.key, r.value).ok());
    } else {
      RC_ASSERT(growing.Delete(families.at(r.family), r.key).ok());
      RC_ASSERT(direct.Delete(families.at(r.family), r.key).ok());
    }
  }
  RC_ASSERT(growing.Count() == records.size());
  RC_ASSERT(growing.rep().Data() == direct.Data());
  RC_ASSERT(growing.GetDataSize() == direct.GetDataSize());
}

// Once a record's bound is reserved, RocksDB appends it in the buffer there
// is: same address, same capacity (a grown buffer moves).
RC_GTEST_PROP(GrowingBatch, AppendsInTheRoomItsRecordBoundMade, ()) {
  static Families families;
  const auto records = *Records();
  GrowingBatch batch;
  for (const Record& r : records) {
    batch.Reserve(GrowingBatch::RecordBound(r.key.size(), r.put ? r.value.size() : 0));
    const std::string& rep = batch.rep().Data();
    const char* data = rep.data();
    const size_t capacity = rep.capacity();
    if (r.put)
      RC_ASSERT(batch.rep().Put(families.at(r.family), r.key, r.value).ok());
    else
      RC_ASSERT(batch.rep().Delete(families.at(r.family), r.key).ok());
    RC_ASSERT(rep.data() == data);
    RC_ASSERT(rep.capacity() == capacity);
  }
}

TEST(GrowingBatch, ClearLeavesAnEmptyBatch) {
  Families families;
  GrowingBatch batch;
  ASSERT_TRUE(batch.Put(families.at(1), "k", "v").ok());
  batch.Clear();
  EXPECT_EQ(batch.Count(), 0u);
  EXPECT_EQ(batch.rep().Data(), rocksdb::WriteBatch().Data());
}

}  // namespace
}  // namespace journaldb
