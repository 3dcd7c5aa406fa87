#include "journaldb/journal/store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <fstream>
#include <vector>

#include "journaldb/journal/codec.h"
#include "journaldb/journal/info_log.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/text.h"
#include "journaldb/journal/util/errno_status.h"
#include "journaldb/journal/util/fd.h"
#include "journaldb/journal/util/fsync.h"
#include "journaldb/journal/util/random_bytes.h"
#include "journaldb/journal/write_stop.h"
#include "memory_budget.h"

namespace journaldb {

namespace fs = boost::filesystem;

namespace {
// RocksDB's (PosixFileSystem's) errors for a LOCK another process holds
// (fcntl: EAGAIN or EACCES) or this one does. Not any error naming a lock: a
// LOCK that cannot be created (a read-only file system) is no conflict, nor
// is an error whose path holds the word.
bool IsLockConflict(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  const std::string text = s.ToString();
  auto has = [&](std::string_view part) { return text.find(part) != std::string::npos; };
  return has("lock hold by current process") ||
         (has("While lock file") &&
          (has("Resource temporarily unavailable") || has("Permission denied")));
}
}  // namespace

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  std::string msg = fmt::format("{}: {}", context, s.ToString());
  if (s.IsNotFound()) return Status::NotFound(std::move(msg));
  if (s.IsCorruption()) return Status::Corruption(std::move(msg));
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(msg));
  if (IsLockConflict(s))
    return Status::Busy(fmt::format("{}: the database is locked by another process ({})", context,
                                    s.ToString()));
  return Status::IOError(std::move(msg));
}

namespace {

// Whether the newest OPTIONS file of the database at `path` names column
// family `family`: RocksDB writes it at every open, apart from the MANIFEST,
// so a MANIFEST without our families next to one that names them is damaged,
// not a foreign database. Read through `env`, where the database's files are.
bool OptionsFileNamesFamily(const std::string& path, std::string_view family, rocksdb::Env* env) {
  rocksdb::ConfigOptions config;
  config.env = env;
  config.ignore_unknown_options = true;
  config.ignore_unsupported_options = true;
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  if (!rocksdb::LoadLatestOptions(config, path, &db_options, &families).ok()) return false;
  return std::any_of(families.begin(), families.end(),
                     [&](const rocksdb::ColumnFamilyDescriptor& d) { return d.name == family; });
}

rocksdb::ColumnFamilyOptions StateFamilyOptions(const MemoryBudget& budget) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  budget.ApplyTo(o, t);
  // Commits read each touched object first (before-images); a memtable bloom
  // filter makes the common miss for a new object cheap.
  o.memtable_prefix_bloom_size_ratio = 0.05;
  o.memtable_whole_key_filtering = true;
  return o;
}

// Appends in key order and sequential reads: no filter needed. Also the
// options of the small families (meta, default).
rocksdb::ColumnFamilyOptions PlainFamilyOptions(const MemoryBudget& budget) {
  rocksdb::ColumnFamilyOptions o;
  budget.ApplyTo(o, rocksdb::BlockBasedTableOptions());
  return o;
}

// RocksDB opens a database's table files from this many threads per column
// family, and starts them whatever the number of files: for a small database
// those thread starts were a third of the open's CPU. One thread per 8 files,
// up to RocksDB's default of 16.
int FileOpeningThreads(const fs::path& dir) {
  constexpr size_t kFilesPerThread = 8;
  constexpr size_t kMaxThreads = 16;
  boost::system::error_code ec;
  size_t files = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".sst") ++files;
  return static_cast<int>(
      std::clamp<size_t>((files + kFilesPerThread - 1) / kFilesPerThread, 1, kMaxThreads));
}

bool DirectoryIsEmpty(const fs::path& p) {
  boost::system::error_code ec;
  return fs::directory_iterator(p, ec) == fs::directory_iterator();
}

// Present in a database directory from before RocksDB creates anything until
// the format tag is durable, i.e. before any commit. A process killed while
// creating leaves it behind, and the next writable open finishes the creation
// (every step is idempotent) instead of refusing a half-made database forever.
constexpr char kCreationMarker[] = "JOURNALDB-CREATING";

// The largest LOG (and LOG.old) RocksDB writes in a database directory.
constexpr size_t kMaxInfoLogBytes = 1 << 20;

Status WriteCreationMarker(const fs::path& dir) {
  const std::string marker = (dir / kCreationMarker).string();
  util::Fd fd(::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return util::ErrnoStatus("create", marker);
  if (Status s = util::FsyncFd(fd.get(), marker); !s.ok()) return s;
  return util::FsyncDirectory(dir.string());
}

// The removal is synced: a marker that came back after a power loss would
// only make the next open redo idempotent steps, but keep it gone anyway.
Status RemoveCreationMarker(const fs::path& dir) {
  boost::system::error_code ec;
  fs::remove(dir / kCreationMarker, ec);
  if (ec)
    return Status::IOError(fmt::format("remove {}: {}", (dir / kCreationMarker).string(),
                                       ec.message()));
  return util::FsyncDirectory(dir.string());
}

// RocksDB finds a database through CURRENT, which names its MANIFEST. Either
// one missing from a directory RocksDB wrote (outside a creation, which the
// marker covers) is damage, not an absent or foreign database: RocksDB would
// report a missing file as an I/O error, or no database at all.
Status CheckCurrentFile(const fs::path& dir, bool has_current) {
  if (has_current) {
    auto named = [&] {
      std::ifstream in((dir / "CURRENT").string());
      std::string manifest;
      std::getline(in, manifest);
      return manifest;
    };
    auto missing = [&](const std::string& manifest) {
      struct stat st {};
      return manifest.rfind("MANIFEST-", 0) == 0 && manifest.find('/') == std::string::npos &&
             ::stat((dir / manifest).c_str(), &st) != 0 && errno == ENOENT;
    };
    // A writable open in another process writes a new MANIFEST, then CURRENT,
    // then removes the old one: read CURRENT again, so that is not damage.
    const std::string manifest = named();
    if (missing(manifest) && named() == manifest)
      return Status::Corruption(
          fmt::format("{}: its CURRENT file names {}, which is missing", dir.string(), manifest));
    return Status::OK();
  }
  boost::system::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("MANIFEST-", 0) == 0)
      return Status::Corruption(fmt::format(
          "{}: holds RocksDB files ({}) but no CURRENT file, which names the live MANIFEST",
          dir.string(), name));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, const StoreOptions& options) {
  if (path.empty()) return Status::InvalidArgument("database path is empty");
  if (Status s = ValidateMemoryBudget(options.memory_budget_bytes); !s.ok()) return s;
  const fs::path dir(path);
  boost::system::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  bool exists = fs::exists(st);
  if (exists && !fs::is_directory(st))
    return Status::InvalidArgument(fmt::format("{} is not a directory", path));
  // RocksDB's files live in its Env, which a caller may give (an in-memory
  // one for the fuzzer, a faulty one for the crash tests); the directory
  // and the creation marker stay on the file system.
  bool is_db =
      exists && (options.env != nullptr ? options.env->FileExists((dir / "CURRENT").string()).ok()
                                        : fs::exists(dir / "CURRENT", ec));
  const bool interrupted_creation = exists && fs::exists(dir / kCreationMarker, ec);
  if (interrupted_creation && (!options.create_if_missing || options.read_only))
    return Status::NotFound(fmt::format(
        "no database at {} (its creation was interrupted; a writable open completes it)", path));
  if (options.env == nullptr && exists && !interrupted_creation)
    if (Status s = CheckCurrentFile(dir, is_db); !s.ok()) return s;
  if (!is_db && !interrupted_creation) {
    if (!options.create_if_missing || options.read_only)
      return Status::NotFound(fmt::format("no database at {}", path));
    if (exists && !DirectoryIsEmpty(dir))
      return Status::FailedPrecondition(fmt::format(
          "{} exists, is not empty and holds no database; refusing to create one there", path));
    fs::create_directories(dir, ec);
    if (ec)
      return Status::IOError(fmt::format("cannot create database directory {}: {}", path,
                                         ec.message()));
    if (Status m = WriteCreationMarker(dir); !m.ok()) return m;
  }
  const bool creating = !is_db || interrupted_creation;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = creating;
  // Writable opens also add column families newer versions introduced (synced).
  db_options.create_missing_column_families = !options.read_only;
  // Every open starts a new info log and keeps the old one; a CLI that
  // opens per command would otherwise pile up logs. The current LOG and one
  // predecessor, each at most 1 MiB, written by InfoLog: a line that cannot
  // be written (a full disk) is dropped, where RocksDB's own logger ends the
  // process (info_log.h). An Env of the embedder's keeps RocksDB's logger,
  // which writes through it.
  db_options.keep_log_file_num = 2;
  db_options.max_log_file_size = kMaxInfoLogBytes;
  // Read-only opens write no LOG (RocksDB's own logger skips them too): they
  // must not rotate the LOG of the process that has the database open.
  // Neither may a writable open that finds it locked: the log starts once
  // RocksDB holds the lock (EnvStartingLogAtLock).
  std::shared_ptr<InfoLog> info_log;
  std::unique_ptr<rocksdb::Env> env;
  if (options.env == nullptr && !options.read_only) {
    info_log = OpenInfoLog(path, kMaxInfoLogBytes);
    env = EnvStartingLogAtLock(info_log);
    db_options.info_log = info_log;
    db_options.env = env.get();
  }
  db_options.max_background_jobs = 2;
  db_options.max_file_opening_threads = FileOpeningThreads(dir);
  if (options.env != nullptr) db_options.env = options.env;
  // A write that fails for good stops every later one until the next open,
  // whatever RocksDB's own recovery would do in this process (write_stop.h).
  auto write_stop = std::make_shared<WriteStop>();
  db_options.listeners.push_back(write_stop);
  db_options.max_bgerror_resume_count = 0;
  const MemoryBudget budget(options.memory_budget_bytes);
  budget.ApplyTo(db_options);

  if (!creating) {
    std::vector<std::string> families;
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, path, &families);
    if (!s.ok()) return FromRocks(s, fmt::format("open {}", path));
    for (const char* want : {layout::kStateFamily, layout::kJournalFamily, layout::kMetaFamily}) {
      if (std::find(families.begin(), families.end(), want) != families.end()) continue;
      if (OptionsFileNamesFamily(path, want, db_options.env))
        return Status::Corruption(fmt::format(
            "{}: its MANIFEST lists no '{}' column family though its OPTIONS file does: the "
            "MANIFEST is damaged (truncated or overwritten)",
            path, want));
      return Status::FailedPrecondition(fmt::format(
          "{} is a RocksDB database but not a journaldb database (no '{}' column family)", path,
          want));
    }
  }

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, PlainFamilyOptions(budget)},
      {layout::kStateFamily, StateFamilyOptions(budget)},
      {layout::kJournalFamily, PlainFamilyOptions(budget)},
      {layout::kMetaFamily, PlainFamilyOptions(budget)},
  };
  bool has_synced = !is_db || !options.read_only;
  if (is_db && options.read_only) {
    std::vector<std::string> families;
    if (rocksdb::DB::ListColumnFamilies(db_options, path, &families).ok())
      has_synced = std::find(families.begin(), families.end(), layout::kSyncedFamily) !=
                   families.end();
  }
  if (has_synced) descriptors.push_back({layout::kSyncedFamily, StateFamilyOptions(budget)});
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &raw)
          : rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw);
  Status opened = FromRocks(s, fmt::format("open {}", path));
  // An open that failed before it took the lock, other than on the lock: its
  // lines say why.
  if (info_log && !opened.IsBusy()) info_log->Start();
  if (!opened.ok()) return opened;

  std::unique_ptr<Store> store(new Store());
  store->path_ = path;
  store->env_ = std::move(env);
  store->db_.reset(raw);
  store->write_stop_ = std::move(write_stop);
  store->default_ = handles[0];
  store->state_ = handles[1];
  store->journal_ = handles[2];
  store->meta_ = handles[3];
  if (has_synced) store->synced_ = handles[4];

  std::string tag;
  s = raw->Get(rocksdb::ReadOptions(), store->meta_, layout::kMetaFormat, &tag);
  if (s.IsNotFound() && creating) {
    GrowingBatch batch;
    (void)batch.Put(store->meta_, layout::kMetaFormat, layout::kFormatTag);
    if (Result<std::string> secret = PutNewRegistrationSecret(batch, store->meta_); !secret.ok())
      return secret.status();
    if (Status w = store->Write(batch, /*sync=*/true); !w.ok()) return w;
  } else if (!s.ok()) {
    return FromRocks(s, fmt::format("open {}: read format tag", path));
  } else if (tag != layout::kFormatTag) {
    return Status::FailedPrecondition(
        fmt::format("{} has format {}; this version reads {}", path, text::Quoted(tag),
                    layout::kFormatTag));
  }
  if (creating)
    if (Status m = RemoveCreationMarker(dir); !m.ok()) return m;
  return store;
}

Store::~Store() { Close().IgnoreError(); }

Status Store::Close() {
  if (!db_) return Status::FailedPrecondition(fmt::format("{} is already closed", path_));
  Status result;
  for (auto* h : {default_, state_, journal_, meta_, synced_}) {
    if (h == nullptr) continue;
    rocksdb::Status s = db_->DestroyColumnFamilyHandle(h);
    if (!s.ok() && result.ok()) result = FromRocks(s, fmt::format("close {}", path_));
  }
  rocksdb::Status s = db_->Close();
  if (!s.ok() && result.ok()) result = FromRocks(s, fmt::format("close {}", path_));
  db_.reset();
  return result;
}

Result<std::optional<FieldMap>> Store::GetObject(std::string_view collection,
                                                 std::string_view key,
                                                 const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(ro, state_, layout::StateKey(collection, key), &value);
  if (s.IsNotFound()) return std::optional<FieldMap>();
  if (!s.ok())
    return FromRocks(s, fmt::format("read object {}/{}", collection, text::Quoted(key)));
  return codec::DecodeStoredObject(value.ToStringView(), collection, key);
}

Result<std::vector<std::optional<FieldMap>>> Store::GetObjects(
    const std::vector<std::pair<std::string_view, std::string_view>>& refs) const {
  std::vector<std::string> keys;
  keys.reserve(refs.size());
  for (const auto& [collection, key] : refs) keys.push_back(layout::StateKey(collection, key));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), state_, slices.size(), slices.data(), values.data(),
                statuses.data());
  std::vector<std::optional<FieldMap>> out(refs.size());
  for (size_t i = 0; i < refs.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    const auto& [collection, key] = refs[i];
    if (!statuses[i].ok())
      return FromRocks(statuses[i],
                       fmt::format("read object {}/{}", collection, text::Quoted(key)));
    Result<std::optional<FieldMap>> fields =
        codec::DecodeStoredObject(values[i].ToStringView(), collection, key);
    if (!fields.ok()) return fields.status();
    out[i] = std::move(*fields);
  }
  return out;
}

Result<uint64_t> Store::GetMetaU64(const char* name) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, name, &value);
  if (s.IsNotFound()) return uint64_t{0};
  if (!s.ok()) return FromRocks(s, fmt::format("read meta {}", name));
  std::optional<uint64_t> v = layout::DecodeU64(value);
  if (!v)
    return Status::Corruption(
        fmt::format("meta {} in {}: expected 8 bytes, found {}", name, path_, value.size()));
  return *v;
}

void Store::PutMetaU64(GrowingBatch& batch, rocksdb::ColumnFamilyHandle* meta, const char* name,
                       uint64_t value) {
  rocksdb::Status s = batch.Put(meta, name, layout::EncodeU64(value));
  (void)s;  // WriteBatch::Put fails only past its 4 GiB size limit.
}

Result<std::string> Store::PutNewRegistrationSecret(GrowingBatch& batch,
                                                    rocksdb::ColumnFamilyHandle* meta) {
  Result<std::string> secret = util::RandomBytes(layout::kRegistrationSecretBytes);
  if (!secret.ok()) return secret.status();
  rocksdb::Status s = batch.Put(meta, layout::kMetaRegistrationSecret, *secret);
  (void)s;  // WriteBatch::Put fails only past its 4 GiB size limit.
  return secret;
}

Result<Lsn> Store::LastLsn() const {
  Result<uint64_t> high = GetMetaU64(layout::kMetaLsnHighWater);
  if (!high.ok()) return high.status();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), journal_));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), "read journal tail");
  Lsn last = 0;
  if (it->Valid()) {
    std::optional<Lsn> lsn = layout::ParseLsnKey(it->key().ToStringView());
    if (!lsn)
      return Status::Corruption(fmt::format("journal of {}: malformed key of {} bytes", path_,
                                            it->key().size()));
    last = *lsn;
  }
  return std::max(last, *high);
}

Result<std::optional<codec::JournalTally>> Store::LastTally() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), journal_));
  it->SeekToLast();
  if (!it->Valid()) {
    if (!it->status().ok()) return FromRocks(it->status(), "read journal tail");
    return std::optional<codec::JournalTally>();
  }
  std::optional<Lsn> lsn = layout::ParseLsnKey(it->key().ToStringView());
  if (!lsn)
    return Status::Corruption(fmt::format("journal of {}: malformed key of {} bytes", path_,
                                          it->key().size()));
  return codec::DecodeEntryTally(it->value().ToStringView(), *lsn);
}

Status Store::WritesStopped() const {
  if (write_stop_->stopped())
    return Status::IOError(fmt::format(
        "write to {}: refused: the database stopped accepting writes after {}; it accepts none "
        "until it is opened again (free disk space, or mend the cause, then reopen it)",
        path_, write_stop_->stop()));
  return Status::OK();
}

Status Store::SyncWal() const {
  if (!db_) return Status::FailedPrecondition(fmt::format("{} is closed", path_));
  // RocksDB's SyncWAL waits for a sync in progress, then syncs the log even
  // if that write failed; the lock keeps writes out instead, and a write
  // that failed has set the stop before it returned (its listener runs in
  // the writing thread).
  std::unique_lock<std::shared_mutex> lock(write_mu_);
  if (Status stopped = WritesStopped(); !stopped.ok()) return stopped;
  rocksdb::Status s = db_->SyncWAL();
  return s.ok() ? Status::OK() : FromRocks(s, fmt::format("sync the write-ahead log of {}", path_));
}

Status Store::Write(GrowingBatch& batch, bool sync) {
  if (!db_) return Status::FailedPrecondition(fmt::format("{} is closed", path_));
  std::shared_lock<std::shared_mutex> lock(write_mu_);
  if (Status stopped = WritesStopped(); !stopped.ok()) return stopped;
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  // A throw from inside RocksDB stops writes (docs/api.md, "Allocation failure").
  rocksdb::Status s = write_stop_->Write(*db_, wo, batch);
  // The context is formatted only on an error: commits come this way.
  return s.ok() ? Status::OK() : FromRocks(s, fmt::format("write to {}", path_));
}

JournalCursor::JournalCursor(const Store& store, Lsn from, const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  // A scan reads each entry once (a replay, an upload, a verify): its blocks
  // would only push the state's blocks out of the memory budget's cache.
  ro.fill_cache = false;
  it_.reset(store.db()->NewIterator(ro, store.journal()));
  it_->Seek(layout::LsnKey(from));
  Load();
}

void JournalCursor::Next() {
  if (!valid_) return;
  it_->Next();
  Load();
}

void JournalCursor::Load() {
  valid_ = false;
  if (!it_->Valid()) {
    status_ = FromRocks(it_->status(), "read journal");
    return;
  }
  std::optional<Lsn> lsn = layout::ParseLsnKey(it_->key().ToStringView());
  if (!lsn) {
    status_ = Status::Corruption(
        fmt::format("journal: malformed key of {} bytes", it_->key().size()));
    return;
  }
  Result<JournalEntry> e = codec::DecodeEntry(it_->value().ToStringView(), *lsn);
  if (!e.ok()) {
    status_ = e.status();
    return;
  }
  entry_ = std::move(e).value();
  valid_ = true;
}

}  // namespace journaldb
