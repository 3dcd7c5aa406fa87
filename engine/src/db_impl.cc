#include "db_impl.h"

#include <fmt/format.h>

#include <boost/filesystem.hpp>
#include <random>

#include "journaldb/engine/checkpoint.h"
#include "journaldb/engine/object_reads.h"
#include "journaldb/engine/open_with_env.h"
#include "journaldb/engine/sync/integrator.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/text.h"
#include "sync/session.h"

namespace journaldb {

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 const Options& options) {
  return DatabaseImpl::Open(path, options, nullptr);
}

Result<std::unique_ptr<Database>> OpenWithEnv(const std::string& path, const Options& options,
                                              rocksdb::Env* env) {
  return DatabaseImpl::Open(path, options, env);
}

Snapshot::~Snapshot() {
  if (rep_ && rep_->snapshot) rep_->db->ReleaseSnapshot(rep_->snapshot);
}

namespace {
uint64_t RandomReplica() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}
}  // namespace

DatabaseImpl::DatabaseImpl(std::string path, Options options, std::unique_ptr<Store> store)
    : Database(std::move(path)),
      options_(options),
      store_(std::move(store)),
      element_replica_(RandomReplica()) {}

DatabaseImpl::~DatabaseImpl() {
  // The session's thread uses the store; stop it first. Then the notifier:
  // callbacks read the database.
  session_.reset();
  notifier_.Stop();
}

SyncSession* DatabaseImpl::sync_session() const { return session_.get(); }

void DatabaseImpl::NotifyCommitted() {
  if (session_) session_->NotifyLocalCommit();
}

Result<std::unique_ptr<Database>> DatabaseImpl::Open(const std::string& path,
                                                     const Options& options, rocksdb::Env* env) {
  if (Status s = ValidateSyncOptions(options.sync); !s.ok()) return s;
  if (!options.read_only) {
    boost::system::error_code ec;
    if (boost::filesystem::exists(boost::filesystem::path(path) / kReadOnlyCopyMarker, ec))
      return Status::FailedPrecondition(fmt::format(
          "{} is the database of a recovery snapshot and never changes (it holds the only "
          "copy of the diverged writes): open it with Options::read_only, or read it with "
          "journal export and replay from it with journal replay SNAPSHOT DB",
          path));
  }
  StoreOptions so;
  so.env = env;
  so.create_if_missing = options.create_if_missing;
  so.read_only = options.read_only;
  so.memory_budget_bytes = options.memory_budget_bytes;
  Result<std::unique_ptr<Store>> store = Store::Open(path, so);
  if (!store.ok()) return store.status();
  std::unique_ptr<DatabaseImpl> db(new DatabaseImpl(path, options, std::move(store).value()));
  // Reopen is O(1) in journal size: the next lsn comes from the journal's last
  // key, the cursors from meta; nothing is re-folded.
  Result<Lsn> last = db->store_->LastLsn();
  if (!last.ok()) return last.status();
  db->last_lsn_ = *last;
  // The tally continues from the last entry's; a journal without one (empty,
  // or written before tallies) starts a new run (diverged_count.h), and so
  // does a damaged last entry: reads and Verify report it, as before tallies.
  Result<std::optional<codec::JournalTally>> tally = db->store_->LastTally();
  if (!tally.ok() && !tally.status().IsCorruption()) return tally.status();
  if (tally.ok()) db->tally_ = tally->value_or(codec::JournalTally{});
  for (auto [name, field] : {std::pair{layout::kMetaClientId, &db->client_id_},
                             std::pair{layout::kMetaEpoch, &db->epoch_},
                             std::pair{layout::kMetaDownloadCursor, &db->download_cursor_}}) {
    Result<uint64_t> v = db->store_->GetMetaU64(name);
    if (!v.ok()) return v.status();
    *field = *v;
  }
  // A client file from before registration secrets that never synced draws
  // one now, so that a backup taken from here on registers as the client it
  // becomes (layout.h). Not an open error: if the write fails (a full disk),
  // the store stops writes until reopened, as after any failed write, and
  // the next writable open (or the first hello) draws it.
  if (!options.read_only && db->client_id_ == 0)
    sync::Integrator(*db).RegistrationSecret().status().IgnoreError();
  if (!options.read_only)
    if (Status s = db->ResumeClientResetAtOpen(); !s.ok())
      return Status(s.code(), fmt::format("{}: resuming the pending client reset: {}", path,
                                          s.message()));
  if (!options.sync.server.empty() && !options.read_only)
    db->session_ = sync::Session::Start(*db, options.sync);
  return std::unique_ptr<Database>(std::move(db));
}

Status DatabaseImpl::RunWithCommitsHeld(const std::function<Status()>& fn) {
  std::unique_lock<std::mutex> lock(mu_);
  sync_idle_cv_.wait(lock, [&] { return !sync_barrier_; });
  sync_barrier_ = true;
  // Lowered however `fn` ends: an exception (std::bad_alloc) left it up, and
  // every later commit waited for it forever.
  struct Lower {
    DatabaseImpl& db;
    std::unique_lock<std::mutex>& lock;
    ~Lower() {
      db.sync_barrier_ = false;
      lock.unlock();
      db.sync_idle_cv_.notify_all();
    }
  } lower{*this, lock};
  sync_idle_cv_.wait(lock, [&] { return writers_.empty(); });
  return fn();
}

const rocksdb::Snapshot* DatabaseImpl::RocksSnapshot(const ReadOptions& options) {
  return options.snapshot ? options.snapshot->rep_->snapshot : nullptr;
}

Result<Object> DatabaseImpl::Get(std::string_view collection, std::string_view key,
                                 const ReadOptions& options) const {
  Result<std::optional<FieldMap>> fields =
      store_->GetObject(collection, key, RocksSnapshot(options));
  if (!fields.ok()) return fields.status();
  if (!fields->has_value())
    return Status::NotFound(fmt::format("no object {}/{}", collection, text::Quoted(key)));
  return Object{std::string(collection), std::string(key), std::move(**fields)};
}

Result<std::vector<std::optional<FieldMap>>> ReadObjects(const Database& db,
                                                        const std::vector<ObjectRef>& refs) {
  const auto* impl = dynamic_cast<const DatabaseImpl*>(&db);
  if (impl == nullptr) return Status::InvalidArgument("not a database opened by journaldb");
  return impl->store().GetObjects(refs);
}

Result<Value> DatabaseImpl::GetField(std::string_view collection, std::string_view key,
                                     std::string_view field, const ReadOptions& options) const {
  Result<Object> obj = Get(collection, key, options);
  if (!obj.ok()) return obj.status();
  const Value* v = obj->Find(field);
  if (v == nullptr)
    return Status::NotFound(
        fmt::format("object {}/{} has no field {}", collection, text::Quoted(key), field));
  return *v;
}

std::unique_ptr<Snapshot> DatabaseImpl::GetSnapshot() const {
  std::unique_ptr<Snapshot> s(new Snapshot());
  s->rep_ = std::make_unique<Snapshot::Rep>();
  s->rep_->db = store_->db();
  s->rep_->snapshot = store_->db()->GetSnapshot();
  return s;
}

Result<DatabaseInfo> DatabaseImpl::Info() const {
  DatabaseInfo info;
  info.path = path();
  for (auto [name, field] : {std::pair{layout::kMetaClientId, &info.client_id},
                             std::pair{layout::kMetaEpoch, &info.epoch},
                             std::pair{layout::kMetaDownloadCursor, &info.download_cursor},
                             std::pair{layout::kMetaUploadCursor, &info.upload_cursor}}) {
    Result<uint64_t> v = store_->GetMetaU64(name);
    if (!v.ok()) return v.status();
    *field = *v;
  }
  Result<Lsn> last = store_->LastLsn();
  if (!last.ok()) return last.status();
  info.last_lsn = *last;
  // Counting keys is linear, but touches keys only, not values' meaning.
  for (auto [family, counter] : {std::pair{store_->journal(), &info.journal_entries},
                                 std::pair{store_->state(), &info.objects}}) {
    std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(rocksdb::ReadOptions(), family));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++*counter;
    if (!it->status().ok()) return FromRocks(it->status(), "count keys");
  }
  return info;
}

}  // namespace journaldb
