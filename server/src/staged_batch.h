// StagedBatch: the records of one RocksDB write, staged in the server's own
// memory and copied into a rocksdb::WriteBatch only when written.
//
// Debian's RocksDB is built with assertions, and WriteBatch::Put and Delete
// grow the batch's buffer inside a save point whose destructor asserts that
// it was committed: a std::bad_alloc from that growth aborts the process as
// it unwinds, where the server must go on (docs/server.md, "Threat model").
// So records are staged here, where an allocation may fail harmlessly, and
// Build reserves the batch's whole buffer in its constructor, outside any
// save point, so that filling it allocates nothing.
#ifndef JOURNALDB_SERVER_STAGED_BATCH_H_
#define JOURNALDB_SERVER_STAGED_BATCH_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace journaldb::server {

class StagedBatch {
 public:
  void Put(rocksdb::ColumnFamilyHandle* family, std::string key, std::string value);
  void Delete(rocksdb::ColumnFamilyHandle* family, std::string key);
  size_t Count() const { return records_.size(); }
  // What Build reserves: the header and an upper bound of each record.
  size_t reserved_bytes() const;
  void Clear();

  // A batch of the staged records, its buffer reserved whole (the only
  // allocation; it may throw std::bad_alloc). Fails as WriteBatch::Put would
  // (a key or value of 4 GiB or more).
  rocksdb::Status Build(rocksdb::WriteBatch* batch) const;

 private:
  struct Record {
    rocksdb::ColumnFamilyHandle* family;
    std::string key;
    std::optional<std::string> value;  // none: a delete
  };
  std::vector<Record> records_;
  size_t bytes_ = 0;  // an upper bound of the records' encoded size
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_STAGED_BATCH_H_
