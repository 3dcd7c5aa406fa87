// The commit path: prepare under the commit mutex (assign the lsn, compute
// new object values and before-images against the latest state), then write
// in groups: the first queued writer writes the batches of everyone queued
// behind it in one RocksDB write, so concurrent durable commits share one
// fsync (the LevelDB writer-queue design).
#include <fmt/format.h>

#include <chrono>
#include <set>

#include "database_impl.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/fold.h"
#include "journaldb/journal/layout.h"

namespace journaldb {

namespace {
// A group stops growing at this many bytes, bounding the latency a large
// group adds to its leader.
constexpr size_t kMaxGroupBytes = 4u << 20;

// Copies the records of prepared batches into one group batch.
class GroupAppender : public rocksdb::WriteBatch::Handler {
 public:
  GroupAppender(rocksdb::WriteBatch& out, const Store& store) : out_(out), store_(store) {}
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& k, const rocksdb::Slice& v) override {
    rocksdb::ColumnFamilyHandle* h = Family(cf);
    return h ? out_.Put(h, k, v) : rocksdb::Status::InvalidArgument("column family");
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& k) override {
    rocksdb::ColumnFamilyHandle* h = Family(cf);
    return h ? out_.Delete(h, k) : rocksdb::Status::InvalidArgument("column family");
  }
  rocksdb::Status status;

 private:
  rocksdb::ColumnFamilyHandle* Family(uint32_t id) const {
    for (auto* h : {store_.state(), store_.journal(), store_.meta()})
      if (h->GetID() == id) return h;
    return nullptr;
  }
  rocksdb::WriteBatch& out_;
  const Store& store_;
};

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

struct DatabaseImpl::Writer {
  uint64_t seq = 0;
  Lsn lsn = 0;
  rocksdb::WriteBatch batch;
  std::vector<std::string> pending_keys;  // entries of pending_ this writer owns
  Status status;
  bool done = false;
  std::condition_variable cv;
};

Result<std::optional<FieldMap>> DatabaseImpl::LoadForCommit(const std::string& state_key,
                                                            std::string_view collection,
                                                            std::string_view key) {
  if (auto it = pending_.find(state_key); it != pending_.end()) return it->second.object;
  return store_->GetObject(collection, key, nullptr);
}

Status DatabaseImpl::Prepare(const std::vector<Operation>& ops, Writer& w) {
  JournalEntry entry;
  entry.lsn = last_lsn_ + 1;
  entry.download_cursor = download_cursor_;
  entry.epoch = epoch_;
  entry.client_id = client_id_;
  entry.commit_time_us = NowMicros();
  entry.ops = ops;

  // Each touched object: its state before the transaction and a working copy.
  struct Touched {
    std::string collection, key, state_key;
    std::optional<FieldMap> original, working;
  };
  std::vector<Touched> touched;  // first-touch order; transactions are small
  std::set<std::tuple<std::string_view, std::string_view, std::string>> imaged;
  for (const Operation& op : ops) {
    auto t = std::find_if(touched.begin(), touched.end(), [&](const Touched& x) {
      return x.collection == op.collection && x.key == op.key;
    });
    if (t == touched.end()) {
      std::string state_key = layout::StateKey(op.collection, op.key);
      Result<std::optional<FieldMap>> loaded = LoadForCommit(state_key, op.collection, op.key);
      if (!loaded.ok()) return loaded.status();
      touched.push_back({op.collection, op.key, std::move(state_key), *loaded, *loaded});
      t = touched.end() - 1;
    }
    // A before-image is the field as it was before the whole transaction.
    for (std::string& field : fold::TouchedFields(op, t->working)) {
      if (!imaged.emplace(t->collection, t->key, field).second) continue;
      BeforeImage img{t->collection, t->key, field, t->original.has_value(), std::nullopt};
      if (t->original)
        if (auto f = t->original->find(img.field); f != t->original->end()) img.value = f->second;
      entry.before.push_back(std::move(img));
    }
    if (Status s = fold::ApplyOperation(op, t->working); !s.ok()) return s;
  }

  std::string encoded = codec::EncodeEntry(entry);
  if (encoded.size() > codec::kMaxEncodedBytes)
    return Status::InvalidArgument(fmt::format("transaction encodes to {} bytes; the limit is {}",
                                               encoded.size(), codec::kMaxEncodedBytes));
  for (Touched& t : touched) {
    rocksdb::Status s = t.working ? w.batch.Put(store_->state(), t.state_key,
                                                codec::EncodeObject(*t.working))
                                  : w.batch.Delete(store_->state(), t.state_key);
    if (!s.ok()) return FromRocks(s, "build write batch");
  }
  if (rocksdb::Status s = w.batch.Put(store_->journal(), layout::LsnKey(entry.lsn), encoded);
      !s.ok())
    return FromRocks(s, "build write batch");

  // Everything checked: claim the lsn and publish the new object states to
  // commits prepared after this one.
  last_lsn_ = entry.lsn;
  w.lsn = entry.lsn;
  for (Touched& t : touched) {
    pending_[t.state_key] = Pending{w.seq, std::move(t.working)};
    w.pending_keys.push_back(std::move(t.state_key));
  }
  return Status::OK();
}

Result<Lsn> DatabaseImpl::Commit(const std::vector<Operation>& ops) {
  if (options_.read_only)
    return Status::FailedPrecondition(fmt::format("{} is open read-only", path()));
  Writer w;
  std::unique_lock<std::mutex> lock(mu_);
  // Sync integration rewrites state objects; it waits for in-flight commits
  // to drain and holds new ones here meanwhile (sync/integrator.cc).
  sync_idle_cv_.wait(lock, [&] { return !sync_barrier_; });
  if (!write_error_.ok())
    return Status(write_error_.code(),
                  fmt::format("an earlier write failed; reopen the database ({})",
                              write_error_.message()));
  w.seq = next_writer_seq_++;
  if (Status s = Prepare(ops, w); !s.ok()) return s;

  writers_.push_back(&w);
  while (!w.done && &w != writers_.front()) w.cv.wait(lock);
  if (w.done) {
    if (!w.status.ok()) return w.status;
    return w.lsn;
  }

  // This writer leads: gather the queued batches into one write.
  std::vector<Writer*> group;
  rocksdb::WriteBatch combined;
  size_t bytes = 0;
  for (Writer* x : writers_) {
    if (!group.empty() && bytes + x->batch.GetDataSize() > kMaxGroupBytes) break;
    group.push_back(x);
    bytes += x->batch.GetDataSize();
  }
  rocksdb::WriteBatch* to_write = &w.batch;
  if (group.size() > 1) {
    GroupAppender appender(combined, *store_);
    for (Writer* x : group) {
      if (rocksdb::Status s = x->batch.Iterate(&appender); !s.ok()) {
        appender.status = s;
        break;
      }
    }
    to_write = appender.status.ok() ? &combined : nullptr;
  }
  lock.unlock();
  Status status = to_write ? store_->Write(*to_write,
                                           options_.durability == Durability::kSyncEveryCommit)
                           : Status::Corruption("cannot merge write batches for group commit");
  lock.lock();

  if (!status.ok()) {
    // Later prepared commits built on this group's state; none of them may
    // land, and the in-memory lsn is no longer trustworthy. Refuse all
    // further commits until reopen.
    write_error_ = status;
  }
  for (Writer* x : group) {
    for (const std::string& k : x->pending_keys) {
      auto it = pending_.find(k);
      if (it != pending_.end() && it->second.writer_seq == x->seq) pending_.erase(it);
    }
    writers_.pop_front();
    x->status = status;
    x->done = true;
    if (x != &w) x->cv.notify_one();
  }
  if (!write_error_.ok()) {
    // Fail every commit still queued: they were prepared on top of the failed group.
    for (Writer* x : writers_) {
      x->status = write_error_;
      x->done = true;
      x->cv.notify_one();
    }
    writers_.clear();
    pending_.clear();
  } else if (!writers_.empty()) {
    writers_.front()->cv.notify_one();
  }
  if (writers_.empty()) sync_idle_cv_.notify_all();
  if (!status.ok()) return status;
  return w.lsn;
}

}  // namespace journaldb
