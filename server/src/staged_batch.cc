#include "staged_batch.h"

#include <utility>

namespace journaldb::server {

namespace {
// A record's encoding beyond its key and value: a type byte and three
// varint32s (family id, key and value lengths).
constexpr size_t kRecordOverhead = 1 + 3 * 5;
// WriteBatch's header: sequence number and count.
constexpr size_t kBatchHeader = 12;
}  // namespace

void StagedBatch::Put(rocksdb::ColumnFamilyHandle* family, std::string key, std::string value) {
  const size_t bytes = kRecordOverhead + key.size() + value.size();
  records_.push_back(Record{family, std::move(key), std::move(value)});
  bytes_ += bytes;
}

void StagedBatch::Delete(rocksdb::ColumnFamilyHandle* family, std::string key) {
  const size_t bytes = kRecordOverhead + key.size();
  records_.push_back(Record{family, std::move(key), std::nullopt});
  bytes_ += bytes;
}

void StagedBatch::Clear() {
  records_.clear();
  bytes_ = 0;
}

size_t StagedBatch::reserved_bytes() const { return kBatchHeader + bytes_; }

rocksdb::Status StagedBatch::Build(rocksdb::WriteBatch* batch) const {
  *batch = rocksdb::WriteBatch(reserved_bytes());
  for (const Record& r : records_) {
    rocksdb::Status s =
        r.value ? batch->Put(r.family, r.key, *r.value) : batch->Delete(r.family, r.key);
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

}  // namespace journaldb::server
