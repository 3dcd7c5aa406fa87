// RawRocks: direct RocksDB access to a closed journaldb database, so tests can
// plant damaged bytes the engine would never write (layout.h has the format).
#ifndef JOURNALDB_TESTS_SUPPORT_RAW_ROCKS_H_
#define JOURNALDB_TESTS_SUPPORT_RAW_ROCKS_H_

#include <rocksdb/db.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace journaldb::testing {

class RawRocks {
 public:
  // Opens every column family of the database at `path`. nullptr on failure,
  // with the reason in `*error`.
  static std::unique_ptr<RawRocks> Open(const std::string& path, std::string* error);
  ~RawRocks();

  rocksdb::Status Put(const std::string& family, std::string_view key, std::string_view value);
  rocksdb::Status Delete(const std::string& family, std::string_view key);
  // nullopt if absent.
  std::optional<std::string> Get(const std::string& family, std::string_view key);

  // Range tombstones (DeleteRange) in the whole database: every column
  // family is flushed first, then the table properties are summed.
  rocksdb::Status CountRangeDeletions(uint64_t* count);

  // Creates a plain RocksDB database (default column family only, one key):
  // a database some other program made.
  static rocksdb::Status CreateForeign(const std::string& path);

 private:
  RawRocks() = default;
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> families_;
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_RAW_ROCKS_H_
