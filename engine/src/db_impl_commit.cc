// The commit path: prepare under the commit mutex (assign the lsn, compute
// new object values and before-images against the latest state), then write
// in groups: the first queued writer writes the batches of everyone queued
// behind it in one RocksDB write, so concurrent durable commits share one
// fsync (the LevelDB writer-queue design).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <set>
#include <tuple>

#include "db_impl.h"
#include "journaldb/engine/object_reads.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/fold.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/text.h"
#include "journaldb/journal/wall_clock.h"

namespace journaldb {

namespace {
// A group stops growing at this many bytes, bounding the latency a large
// group adds to its leader.
constexpr size_t kMaxGroupBytes = 4u << 20;

// Copies the records of prepared batches into one group batch.
class GroupAppender : public rocksdb::WriteBatch::Handler {
 public:
  GroupAppender(GrowingBatch& out, const Store& store) : out_(out), store_(store) {}
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
  GrowingBatch& out_;
  const Store& store_;
};

// Gives back the lsns and running counts Prepare claimed for a writer unless
// it was queued: an exception before then (std::bad_alloc) must leave no gap
// in the journal's lsns, which the server refuses on upload. REQUIRES: mu_
// held throughout.
class ClaimGuard {
 public:
  ClaimGuard(Lsn& last_lsn, codec::JournalTally& tally)
      : last_lsn_(last_lsn), tally_(tally), saved_lsn_(last_lsn), saved_tally_(tally) {}
  ~ClaimGuard() {
    if (kept_) return;
    last_lsn_ = saved_lsn_;
    tally_ = saved_tally_;
  }
  void Keep() { kept_ = true; }

 private:
  Lsn& last_lsn_;
  codec::JournalTally& tally_;
  const Lsn saved_lsn_;
  const codec::JournalTally saved_tally_;
  bool kept_ = false;
};

// `s`, or its code alone if its text cannot be copied (std::bad_alloc): a
// queued commit's bookkeeping must not throw.
Status CopyOrCode(const Status& s) noexcept {
  try {
    return s;
  } catch (...) {
    return Status(s.code(), std::string());
  }
}

// Which (collection, key, field) already have a before-image in an entry.
// Transactions usually touch a few fields, where scanning the images beats
// allocating set nodes; larger ones switch to a set and stay n log n.
class ImagedFields {
 public:
  // False if `images` already holds an image of the field. Otherwise true,
  // and REQUIRES: the caller appends that image to `images` before the next call.
  bool Insert(const std::vector<BeforeImage>& images, std::string_view collection,
              std::string_view key, std::string_view field) {
    if (images.size() < kScanLimit) {
      for (const BeforeImage& img : images)
        if (img.field == field && img.key == key && img.collection == collection) return false;
      return true;
    }
    if (index_.empty())
      for (const BeforeImage& img : images) index_.emplace(img.collection, img.key, img.field);
    return index_.emplace(collection, key, field).second;
  }

 private:
  static constexpr size_t kScanLimit = 16;
  std::set<std::tuple<std::string, std::string, std::string>> index_;
};

}  // namespace

struct DatabaseImpl::Writer {
  Lsn lsn = 0;
  std::optional<GrowingBatch> batch;  // built by a successful Prepare
  // The touched objects by state key, as this commit leaves them (nullopt:
  // erased). Commits prepared while this one waits in writers_ read them.
  std::vector<std::pair<std::string, std::optional<FieldMap>>> objects;
  // State key -> index of its latest entry in `objects`, once a writer of
  // several transactions holds too many objects to scan.
  std::unordered_map<std::string, size_t> latest;
  // Objects CommitMarked read ahead in one MultiGet, by state key; each is
  // taken by the first transaction that loads it.
  std::unordered_map<std::string, std::optional<FieldMap>> read_ahead;
  Status status;
  bool done = false;
  std::condition_variable cv;
  // What the transactions changed, for the change notifier; filled only
  // while someone observes. All of a writer's transactions share one cause.
  ChangeCause cause = ChangeCause::kLocalCommit;
  std::vector<ObjectDelta> changes;
};

namespace {

// Up to this many objects a writer's objects are scanned, beyond it indexed.
constexpr size_t kScanObjects = 16;

}  // namespace

// The state `w` leaves the object at `state_key` in, if it touches it: its
// latest entry's (a writer of several transactions may touch it twice).
const std::optional<FieldMap>* DatabaseImpl::PreparedState(const Writer& w,
                                                          const std::string& state_key) {
  if (!w.latest.empty()) {
    auto it = w.latest.find(state_key);
    return it == w.latest.end() ? nullptr : &w.objects[it->second].second;
  }
  for (auto it = w.objects.rbegin(); it != w.objects.rend(); ++it)
    if (it->first == state_key) return &it->second;
  return nullptr;
}

Result<std::optional<FieldMap>> DatabaseImpl::LoadForCommit(Writer& w,
                                                            const std::string& state_key,
                                                            std::string_view collection,
                                                            std::string_view key) {
  // The latest prepared-but-unwritten state wins: this writer's own earlier
  // transactions, then the queue from the back (at most one writer per
  // committing thread).
  if (const std::optional<FieldMap>* o = PreparedState(w, state_key)) return *o;
  for (auto it = writers_.rbegin(); it != writers_.rend(); ++it)
    if (const std::optional<FieldMap>* o = PreparedState(**it, state_key)) return *o;
  if (auto node = w.read_ahead.extract(state_key)) return std::move(node.mapped());
  // Store::GetObject would rebuild the state key we already have; a new
  // object (the common case) is a memtable-bloom miss that needs nothing else.
  rocksdb::PinnableSlice value;
  rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->state(), state_key, &value);
  if (s.IsNotFound()) return std::optional<FieldMap>();
  if (!s.ok())
    return FromRocks(s, fmt::format("read object {}/{}", collection, text::Quoted(key)));
  return codec::DecodeStoredObject(value.ToStringView(), collection, key);
}

Status DatabaseImpl::Prepare(std::vector<Operation>& ops, const CommitMarker* marker, Writer& w) {
  JournalEntry entry;
  entry.lsn = last_lsn_ + 1;
  entry.download_cursor = download_cursor_;
  entry.epoch = epoch_;
  entry.client_id = client_id_;
  entry.commit_time_us = NowMicros();
  // The entry borrows the ops for encoding and hands them back on every path:
  // a commit that cannot apply leaves its transaction as it was.
  entry.ops.swap(ops);
  struct HandBack {
    std::vector<Operation>& borrowed;
    std::vector<Operation>& owner;
    ~HandBack() { owner.swap(borrowed); }
  } hand_back{entry.ops, ops};

  // Each touched object: its state before the transaction and a working copy.
  struct Touched {
    std::string_view collection, key;  // views into entry.ops, which outlive them
    std::string state_key;
    std::optional<FieldMap> original, working;
    std::string encoded;  // the working copy's stored form; empty if erased
  };
  std::vector<Touched> touched;  // first-touch order; transactions are small
  touched.reserve(std::min<size_t>(entry.ops.size(), 8));
  ImagedFields imaged;
  fold::ForwardingIndex forwardings;  // of the working copies' lists
  for (const Operation& op : entry.ops) {
    auto t = std::find_if(touched.begin(), touched.end(), [&](const Touched& x) {
      return x.collection == op.collection && x.key == op.key;
    });
    if (t == touched.end()) {
      std::string state_key = layout::StateKey(op.collection, op.key);
      Result<std::optional<FieldMap>> loaded = LoadForCommit(w, state_key, op.collection, op.key);
      if (!loaded.ok()) return loaded.status();
      std::optional<FieldMap> original = std::move(*loaded);
      std::optional<FieldMap> working = original;
      touched.push_back({op.collection,
                         op.key,
                         std::move(state_key),
                         std::move(original),
                         std::move(working),
                         {}});
      t = touched.end() - 1;
    }
    // A before-image is the field as it was before the whole transaction.
    for (std::string& field : fold::TouchedFields(op, t->working)) {
      if (!imaged.Insert(entry.before, t->collection, t->key, field)) continue;
      BeforeImage img{std::string(t->collection), std::string(t->key), std::move(field),
                      t->original.has_value(), std::nullopt};
      if (t->original)
        if (auto f = t->original->find(img.field); f != t->original->end()) img.value = f->second;
      entry.before.push_back(std::move(img));
    }
    if (Status s = fold::ApplyOperation(op, t->working, forwardings); !s.ok()) return s;
  }

  // The server and every client fold this entry: its list work is bounded.
  const uint64_t list_work = fold::ListWork(entry.ops, [&](const Operation& op) {
    auto t = std::find_if(touched.begin(), touched.end(), [&](const Touched& x) {
      return x.collection == op.collection && x.key == op.key;
    });
    return fold::ListLength(t->original, op.field);
  });
  if (list_work > kMaxListWork)
    return Status::InvalidArgument(fmt::format(
        "transaction's list ops take {} list element steps to apply (each scans its whole "
        "list, removed elements included); the limit is {} (kMaxListWork: the server and every "
        "client apply it); split it into smaller transactions",
        list_work, kMaxListWork));

  // What commits must sync: an entry or object over its limit would be
  // stuck in the journal or missing from every bootstrap.
  const codec::JournalTally tally{tally_.entries + 1, tally_.ops + entry.ops.size()};
  std::string encoded = codec::EncodeEntry(entry, &tally);
  if (encoded.size() > kMaxEntryBytes)
    return Status::InvalidArgument(
        fmt::format("transaction encodes to a journal entry of {} bytes; the limit is {} "
                    "(kMaxEntryBytes: one entry must fit one sync frame); split it or store less",
                    encoded.size(), kMaxEntryBytes));
  const std::string lsn_key = layout::LsnKey(entry.lsn);
  // Size the batch once: growing it record by record reallocates and copies.
  size_t batch_bytes = GrowingBatch::RecordBound(lsn_key.size(), encoded.size());
  if (marker != nullptr)
    batch_bytes += GrowingBatch::RecordBound(marker->key.size(), marker->value.size());
  for (Touched& t : touched) {
    if (t.working) t.encoded = codec::EncodeObject(*t.working);
    // Sync may have merged an object past the limit; a commit that shrinks
    // it must still be possible.
    if (t.encoded.size() > kMaxObjectBytes &&
        (!t.original || codec::EncodeObject(*t.original).size() < t.encoded.size()))
      return Status::InvalidArgument(fmt::format(
          "object {}/{} would encode to {} bytes; the limit is {} (kMaxObjectBytes: one object "
          "must fit one sync frame)",
          t.collection, text::Quoted(t.key), t.encoded.size(), kMaxObjectBytes));
    batch_bytes += GrowingBatch::RecordBound(t.state_key.size(), t.encoded.size());
  }
  // A writer of several transactions appends to one batch.
  if (w.batch)
    w.batch->Reserve(batch_bytes);
  else
    w.batch.emplace(batch_bytes);
  GrowingBatch& batch = *w.batch;
  for (Touched& t : touched) {
    rocksdb::Status s = t.working ? batch.Put(store_->state(), t.state_key, t.encoded)
                                  : batch.Delete(store_->state(), t.state_key);
    if (!s.ok()) return FromRocks(s, "build write batch");
  }
  if (rocksdb::Status s = batch.Put(store_->journal(), lsn_key, encoded); !s.ok())
    return FromRocks(s, "build write batch");
  if (marker != nullptr)
    if (rocksdb::Status s = batch.Put(store_->meta(), marker->key, marker->value); !s.ok())
      return FromRocks(s, "build write batch");

  // Everything checked: claim the lsn and publish the new object states to
  // commits prepared after this one.
  last_lsn_ = entry.lsn;
  tally_ = tally;
  w.lsn = entry.lsn;
  if (notifier_.active()) {
    // Only the replayer commits with markers.
    w.cause = marker != nullptr ? ChangeCause::kReplay : ChangeCause::kLocalCommit;
    for (const Touched& t : touched)
      if (std::optional<ObjectDelta> d = DiffObject(t.collection, t.key, t.original, t.working))
        w.changes.push_back(std::move(*d));
  }
  for (Touched& t : touched) {
    if (!w.latest.empty() || w.objects.size() >= kScanObjects) {
      if (w.latest.empty())
        for (size_t i = 0; i < w.objects.size(); ++i) w.latest[w.objects[i].first] = i;
      w.latest[t.state_key] = w.objects.size();
    }
    w.objects.emplace_back(std::move(t.state_key), std::move(t.working));
  }
  return Status::OK();
}

Status DatabaseImpl::LockForCommit(std::unique_lock<std::mutex>& lock) {
  if (options_.read_only)
    return Status::FailedPrecondition(fmt::format("{} is open read-only", path()));
  lock = std::unique_lock<std::mutex>(mu_);
  // Sync integration rewrites state objects; it waits for in-flight commits
  // to drain and holds new ones here meanwhile (sync/integrator.cc).
  sync_idle_cv_.wait(lock, [&] { return !sync_barrier_; });
  if (!write_error_.ok())
    return Status(write_error_.code(),
                  fmt::format("an earlier write failed; reopen the database ({})",
                              write_error_.message()));
  return Status::OK();
}

Result<Lsn> DatabaseImpl::Commit(std::vector<Operation>& ops, const CommitMarker* marker) {
  Writer w;
  std::unique_lock<std::mutex> lock;
  if (Status s = LockForCommit(lock); !s.ok()) return s;
  ClaimGuard claims(last_lsn_, tally_);
  if (Status s = Prepare(ops, marker, w); !s.ok()) return s;
  writers_.push_back(&w);
  claims.Keep();
  if (Status s = WriteQueued(w, lock); !s.ok()) return s;
  return w.lsn;
}

Result<size_t> DatabaseImpl::CommitMarked(std::span<MarkedCommit> commits) {
  Writer w;
  std::unique_lock<std::mutex> lock;
  if (Status s = LockForCommit(lock); !s.ok()) return s;
  ClaimGuard claims(last_lsn_, tally_);
  // An exception (std::bad_alloc) leaves no lsn claimed (claims) or reported.
  struct ZeroLsns {
    std::span<MarkedCommit> commits;
    const int exceptions = std::uncaught_exceptions();
    ~ZeroLsns() {
      if (std::uncaught_exceptions() > exceptions)
        for (MarkedCommit& c : commits) c.lsn = 0;
    }
  } zero_lsns{commits};
  // Read every touched object at once (the state as of now: mu_ is held, so
  // no queued writer leaves writers_ meanwhile, and those are checked first).
  {
    std::vector<ObjectRef> refs;
    std::unordered_map<std::string, size_t> seen;
    for (const MarkedCommit& c : commits)
      for (const Operation& op : c.ops)
        if (seen.try_emplace(layout::StateKey(op.collection, op.key), refs.size()).second)
          refs.emplace_back(op.collection, op.key);
    Result<std::vector<std::optional<FieldMap>>> read = store_->GetObjects(refs);
    if (!read.ok()) return read.status();
    for (auto& [state_key, i] : seen) w.read_ahead.emplace(state_key, std::move((*read)[i]));
  }
  size_t prepared = 0;
  for (MarkedCommit& c : commits) {
    c.lsn = 0;
    if (c.ops.empty()) {
      GrowingBatch& batch = w.batch ? *w.batch : w.batch.emplace();
      if (rocksdb::Status s = batch.Put(store_->meta(), c.marker.key, c.marker.value); !s.ok())
        return FromRocks(s, "build write batch");
    } else if (Status s = Prepare(c.ops, &c.marker, w); !s.ok()) {
      // The ones before it still commit; this one is handed back untouched.
      c.refusal = s;
      break;
    } else {
      c.lsn = w.lsn;
    }
    ++prepared;
  }
  if (prepared == 0) return size_t{0};
  writers_.push_back(&w);
  claims.Keep();
  if (Status s = WriteQueued(w, lock); !s.ok()) {
    for (MarkedCommit& c : commits) c.lsn = 0;
    return s;
  }
  return prepared;
}

Status DatabaseImpl::WriteQueued(Writer& w, std::unique_lock<std::mutex>& lock) {
  // Nothing below throws: queued writers wait on `w` and read its objects.
  while (!w.done && &w != writers_.front()) w.cv.wait(lock);
  if (w.done) return std::move(w.status);

  // This writer leads: gather the queued batches into one write. The group is
  // the first `group_size` writers; meanwhile others only append to writers_.
  size_t group_size = 0;
  size_t bytes = 0;
  for (Writer* x : writers_) {
    if (group_size > 0 && bytes + x->batch->GetDataSize() > kMaxGroupBytes) break;
    ++group_size;
    bytes += x->batch->GetDataSize();
  }
  std::optional<GrowingBatch> combined;  // only a group of several needs one
  GrowingBatch* to_write = &*w.batch;
  Status status = Status::OK();
  if (group_size > 1) {
    try {
      combined.emplace(bytes);  // the batches' sizes, headers included: it never grows
      GroupAppender appender(*combined, *store_);
      for (size_t i = 0; i < group_size && status.ok(); ++i)
        if (rocksdb::Status s = writers_[i]->batch->rep().Iterate(&appender); !s.ok())
          status = Status::Corruption("cannot merge write batches for group commit");
      to_write = &*combined;
    } catch (...) {
      // No memory for the merged batch (std::bad_alloc): this writer writes
      // its own alone, and the next leader the rest.
      group_size = 1;
      to_write = &*w.batch;
    }
  }
  lock.unlock();
  // Store::Write refuses it if an earlier write failed for good (a sync or
  // client-reset write too: write_stop.h).
  if (status.ok()) {
    try {
      status = store_->Write(*to_write, options_.durability == Durability::kSyncEveryCommit);
    } catch (...) {
      // Whether it reached the log is unknown; the store stopped writes
      // (WriteStop::Write) and says why, if there is memory to say it.
      status = Status(StatusCode::kIOError, std::string());
      try {
        if (Status stopped = store_->WritesStopped(); !stopped.ok()) status = std::move(stopped);
      } catch (...) {
      }
    }
  }
  lock.lock();

  if (status.ok()) {
    // Visible now, and published before the next group writes: commit order.
    for (size_t i = 0; i < group_size; ++i)
      if (const Writer& x = *writers_[i]; !x.changes.empty()) notifier_.Publish(x.cause, x.changes);
  }
  if (!status.ok()) {
    // Later prepared commits built on this group's state; none of them may
    // land, and the in-memory lsn is no longer trustworthy. Refuse all
    // further commits until reopen.
    write_error_ = CopyOrCode(status);
  }
  for (size_t i = 0; i < group_size; ++i) {
    Writer* x = writers_.front();
    writers_.pop_front();  // its objects are in RocksDB now, or nowhere
    x->status = CopyOrCode(status);
    x->done = true;
    if (x != &w) x->cv.notify_one();
  }
  if (!write_error_.ok()) {
    // Fail every commit still queued: they were prepared on top of the failed group.
    for (Writer* x : writers_) {
      x->status = CopyOrCode(write_error_);
      x->done = true;
      x->cv.notify_one();
    }
    writers_.clear();
  } else if (!writers_.empty()) {
    writers_.front()->cv.notify_one();
  }
  if (writers_.empty()) sync_idle_cv_.notify_all();
  return status;
}

}  // namespace journaldb
