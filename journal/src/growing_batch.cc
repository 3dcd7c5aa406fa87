#include "journaldb/journal/growing_batch.h"

#include <algorithm>
#include <string>
#include <utility>

namespace journaldb {

GrowingBatch::GrowingBatch(size_t record_bytes) : batch_(kHeader + record_bytes) {}

void GrowingBatch::Reserve(size_t record_bytes) {
  const std::string& rep = batch_.Data();
  if (rep.capacity() - rep.size() >= record_bytes) return;
  std::string grown;
  grown.reserve(std::max(rep.capacity() * 2, rep.size() + record_bytes));
  grown.append(rep);
  // WriteBatch's string constructor takes the buffer as it is, capacity and all.
  batch_ = rocksdb::WriteBatch(std::move(grown));
}

rocksdb::Status GrowingBatch::Put(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key,
                                  const rocksdb::Slice& value) {
  Reserve(RecordBound(key.size(), value.size()));
  return batch_.Put(family, key, value);
}

rocksdb::Status GrowingBatch::Delete(rocksdb::ColumnFamilyHandle* family,
                                     const rocksdb::Slice& key) {
  Reserve(RecordBound(key.size(), 0));
  return batch_.Delete(family, key);
}

}  // namespace journaldb
