// Reading: collection scans, collection listing and the journal reader.
#include <fmt/format.h>

#include "db_impl.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/text.h"

namespace journaldb {

struct ObjectIterator::Rep {
  std::unique_ptr<rocksdb::Iterator> it;
  std::string collection;
  std::string end;  // upper bound: the slice must outlive the iterator
  rocksdb::Slice end_slice;
  Object object;
  Status status;
  bool valid = false;

  void Load() {
    valid = false;
    if (!it->Valid()) {
      status = FromRocks(it->status(), fmt::format("scan collection {}", collection));
      return;
    }
    auto parsed = layout::ParseStateKey(it->key().ToStringView());
    if (!parsed || parsed->first != collection) {
      status = Status::Corruption(fmt::format("collection {}: malformed state key {}", collection,
                                              text::Quoted(it->key().ToStringView())));
      return;
    }
    std::string key(parsed->second);
    Result<FieldMap> fields =
        codec::DecodeObject(it->value().ToStringView(),
                            fmt::format("{}/{}", collection, text::Quoted(key)));
    if (!fields.ok()) {
      status = fields.status();
      return;
    }
    object = Object{collection, std::move(key), std::move(fields).value()};
    valid = true;
  }
};

ObjectIterator::ObjectIterator(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
ObjectIterator::ObjectIterator(ObjectIterator&&) noexcept = default;
ObjectIterator::~ObjectIterator() = default;
bool ObjectIterator::Valid() const { return rep_->valid; }
const Object& ObjectIterator::object() const { return rep_->object; }
Status ObjectIterator::status() const { return rep_->status; }
void ObjectIterator::Next() {
  if (!rep_->valid) return;
  rep_->it->Next();
  rep_->Load();
}

ObjectIterator DatabaseImpl::Scan(std::string_view collection, const ReadOptions& options) const {
  auto rep = std::make_unique<ObjectIterator::Rep>();
  rep->collection = collection;
  rep->end = layout::CollectionEnd(collection);
  rep->end_slice = rep->end;
  rocksdb::ReadOptions ro;
  ro.snapshot = RocksSnapshot(options);
  ro.iterate_upper_bound = &rep->end_slice;
  rep->it.reset(store_->db()->NewIterator(ro, store_->state()));
  if (collection.empty() || collection.find('\0') != std::string_view::npos) {
    rep->status = Status::InvalidArgument("collection name is empty or contains a NUL byte");
    return ObjectIterator(std::move(rep));
  }
  rep->it->Seek(layout::CollectionPrefix(collection));
  rep->Load();
  return ObjectIterator(std::move(rep));
}

Result<std::vector<std::string>> DatabaseImpl::ListCollections(const ReadOptions& options) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = RocksSnapshot(options);
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->state()));
  std::vector<std::string> out;
  // Skip from one collection to the next instead of visiting every object.
  for (it->SeekToFirst(); it->Valid(); it->Seek(layout::CollectionEnd(out.back()))) {
    auto parsed = layout::ParseStateKey(it->key().ToStringView());
    if (!parsed)
      return Status::Corruption(
          fmt::format("malformed state key {}", text::Quoted(it->key().ToStringView())));
    out.emplace_back(parsed->first);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "list collections");
  return out;
}

struct JournalReader::Rep {
  explicit Rep(const Store& store, Lsn from) : cursor(store, from) {}
  JournalCursor cursor;
};

JournalReader::JournalReader(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
JournalReader::JournalReader(JournalReader&&) noexcept = default;
JournalReader::~JournalReader() = default;
bool JournalReader::Valid() const { return rep_->cursor.Valid(); }
void JournalReader::Next() { rep_->cursor.Next(); }
const JournalEntry& JournalReader::entry() const { return rep_->cursor.entry(); }
Status JournalReader::status() const { return rep_->cursor.status(); }

JournalReader DatabaseImpl::ReadJournal(Lsn from) const {
  return JournalReader(std::make_unique<JournalReader::Rep>(*store_, from));
}

}  // namespace journaldb
