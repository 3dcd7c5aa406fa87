// StagedBatch: the batch it builds holds exactly what WriteBatch::Put and
// Delete would have written, and filling it never grew its buffer (the
// buffer is the one reserved, so RocksDB allocated nothing inside a save
// point: server/src/staged_batch.h).
#include "staged_batch.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace journaldb::server {
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

RC_GTEST_PROP(StagedBatch, BuildsWhatPutAndDeleteWriteInTheBufferItReserved, ()) {
  static Families families;
  const auto records = *rc::gen::container<std::vector<Record>>(rc::gen::build<Record>(
      rc::gen::set(&Record::family, rc::gen::inRange<size_t>(0, 3)),
      rc::gen::set(&Record::key, Bytes()), rc::gen::set(&Record::put, rc::gen::arbitrary<bool>()),
      rc::gen::set(&Record::value, Bytes())));
  StagedBatch staged;
  rocksdb::WriteBatch direct;
  for (const Record& r : records) {
    if (r.put) {
      staged.Put(families.at(r.family), r.key, r.value);
      RC_ASSERT(direct.Put(families.at(r.family), r.key, r.value).ok());
    } else {
      staged.Delete(families.at(r.family), r.key);
      RC_ASSERT(direct.Delete(families.at(r.family), r.key).ok());
    }
  }
  RC_ASSERT(staged.Count() == records.size());
  rocksdb::WriteBatch built;
  RC_ASSERT(staged.Build(&built).ok());
  RC_ASSERT(built.Data() == direct.Data());
  // The buffer of a batch made with that reservation (a string's capacity
  // is not always what was asked: at least its inline buffer, or twice it),
  // never grown by the records.
  RC_ASSERT(built.Data().size() <= staged.reserved_bytes());
  RC_ASSERT(built.Data().capacity() ==
            rocksdb::WriteBatch(staged.reserved_bytes()).Data().capacity());
}

TEST(StagedBatch, ClearLeavesAnEmptyBatch) {
  Families families;
  StagedBatch staged;
  staged.Put(families.at(1), "k", "v");
  staged.Clear();
  EXPECT_EQ(staged.Count(), 0u);
  rocksdb::WriteBatch built;
  ASSERT_TRUE(staged.Build(&built).ok());
  EXPECT_EQ(built.Data(), rocksdb::WriteBatch().Data());
}

}  // namespace
}  // namespace journaldb::server
