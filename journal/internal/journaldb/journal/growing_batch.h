// GrowingBatch: a rocksdb::WriteBatch whose buffer grows in journaldb's code
// (or in WriteBatch's constructor, which reserves outside any save point),
// never inside RocksDB's Put or Delete.
//
// WriteBatch::Put and Delete grow the batch's buffer inside a save point
// whose destructor asserts that it was committed. Debian's RocksDB keeps its
// assertions, so a std::bad_alloc from that growth aborts the process as it
// unwinds. Here each record first makes room for itself (doubling, as a
// string would), where a failed allocation throws std::bad_alloc harmlessly:
// the batch stays as it was, and RocksDB's append then allocates nothing.
// Store::Write takes only these.
#ifndef JOURNALDB_JOURNAL_GROWING_BATCH_H_
#define JOURNALDB_JOURNAL_GROWING_BATCH_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstddef>

namespace journaldb {

class GrowingBatch {
 public:
  // Room for `record_bytes` of records (RecordBound each) before it grows.
  explicit GrowingBatch(size_t record_bytes = 0);

  // As WriteBatch's (an error only past 4 GiB); std::bad_alloc, with the
  // batch unchanged, if there is no room and no memory to make it.
  rocksdb::Status Put(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key,
                      const rocksdb::Slice& value);
  rocksdb::Status Delete(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key);

  // Room for `record_bytes` more of records; std::bad_alloc, with the batch
  // unchanged, if there is no memory for it.
  void Reserve(size_t record_bytes);

  // The most one record adds to a batch: its key and value, a type byte and
  // three varint32s (family id, key and value lengths).
  static constexpr size_t RecordBound(size_t key_bytes, size_t value_bytes) {
    return kRecordOverhead + key_bytes + value_bytes;
  }
  static constexpr size_t kHeader = 12;  // sequence number and count
  static constexpr size_t kRecordOverhead = 1 + 3 * 5;

  // Empties the batch, keeping its buffer.
  void Clear() { batch_.Clear(); }
  uint32_t Count() const { return batch_.Count(); }
  size_t GetDataSize() const { return batch_.GetDataSize(); }

  // For RocksDB's Write and Iterate: appending to it directly would grow the
  // buffer inside RocksDB again.
  rocksdb::WriteBatch& rep() { return batch_; }
  const rocksdb::WriteBatch& rep() const { return batch_; }

 private:
  rocksdb::WriteBatch batch_;
};

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_GROWING_BATCH_H_
