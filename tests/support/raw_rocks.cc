#include "support/raw_rocks.h"

#include <rocksdb/table_properties.h>

#include <vector>

namespace journaldb::testing {

std::unique_ptr<RawRocks> RawRocks::Open(const std::string& path, std::string* error) {
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, path, &names);
  if (!s.ok()) {
    *error = s.ToString();
    return nullptr;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::Open(options, path, descriptors, &handles, &raw);
  if (!s.ok()) {
    *error = s.ToString();
    return nullptr;
  }
  std::unique_ptr<RawRocks> r(new RawRocks());
  r->db_.reset(raw);
  for (size_t i = 0; i < names.size(); ++i) r->families_[names[i]] = handles[i];
  return r;
}

RawRocks::~RawRocks() {
  for (auto& [name, h] : families_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

rocksdb::Status RawRocks::Put(const std::string& family, std::string_view key,
                              std::string_view value) {
  auto it = families_.find(family);
  if (it == families_.end()) return rocksdb::Status::InvalidArgument("no family " + family);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return db_->Put(wo, it->second, rocksdb::Slice(key.data(), key.size()),
                  rocksdb::Slice(value.data(), value.size()));
}

rocksdb::Status RawRocks::Delete(const std::string& family, std::string_view key) {
  auto it = families_.find(family);
  if (it == families_.end()) return rocksdb::Status::InvalidArgument("no family " + family);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return db_->Delete(wo, it->second, rocksdb::Slice(key.data(), key.size()));
}

std::optional<std::string> RawRocks::Get(const std::string& family, std::string_view key) {
  auto it = families_.find(family);
  if (it == families_.end()) return std::nullopt;
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), it->second, rocksdb::Slice(key.data(), key.size()), &value)
           .ok())
    return std::nullopt;
  return value;
}

rocksdb::Status RawRocks::CountRangeDeletions(uint64_t* count) {
  *count = 0;
  for (auto& [name, family] : families_) {
    if (rocksdb::Status s = db_->Flush(rocksdb::FlushOptions(), family); !s.ok()) return s;
    rocksdb::TablePropertiesCollection tables;
    if (rocksdb::Status s = db_->GetPropertiesOfAllTables(family, &tables); !s.ok()) return s;
    for (const auto& [file, properties] : tables) *count += properties->num_range_deletions;
  }
  return rocksdb::Status::OK();
}

rocksdb::Status RawRocks::CreateForeign(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::DB> db(raw);
  s = db->Put(rocksdb::WriteOptions(), "someone else's", "data");
  rocksdb::Status c = db->Close();
  return s.ok() ? c : s;
}

}  // namespace journaldb::testing
