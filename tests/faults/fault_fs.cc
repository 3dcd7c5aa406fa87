#include "faults/fault_fs.h"

#include <fmt/format.h>
#include <rocksdb/system_clock.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace journaldb::testing {

namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

std::string StripTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// The directory whose entry names `file`.
std::string DirOf(const std::string& file) {
  std::string clean = StripTrailingSlashes(file);
  size_t slash = clean.rfind('/');
  if (slash == std::string::npos) return ".";
  return StripTrailingSlashes(clean.substr(0, slash + 1));
}

const char* OpName(FaultFs::Op op) {
  switch (op) {
    case FaultFs::Op::kCreate:
      return "create";
    case FaultFs::Op::kAppend:
      return "append";
    case FaultFs::Op::kSync:
      return "sync";
    case FaultFs::Op::kRename:
      return "rename";
    case FaultFs::Op::kDelete:
      return "delete";
    case FaultFs::Op::kDirSync:
      return "dirsync";
  }
  return "?";
}

// Counts and checks every write-side call, and reports sizes and syncs back
// so the file system knows what a power loss would keep. Syncs are recorded,
// not performed: the power loss is simulated (DropUnsyncedData), and real
// fsyncs would only make every sweep slower.
class FaultWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file, FaultFs* fs, std::string name)
      : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), name_(std::move(name)) {}

  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                  IODebugContext* dbg) override {
    if (IOStatus s = fs_->Check(FaultFs::Op::kAppend, name_); !s.ok()) return s;
    IOStatus s = target()->Append(data, options, dbg);
    if (s.ok()) fs_->OnWrite(name_, target()->GetFileSize(options, dbg));
    return s;
  }
  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
    if (IOStatus s = fs_->Check(FaultFs::Op::kAppend, name_); !s.ok()) return s;
    IOStatus s = target()->Append(data, options, info, dbg);
    if (s.ok()) fs_->OnWrite(name_, target()->GetFileSize(options, dbg));
    return s;
  }
  IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const IOOptions& options,
                            IODebugContext* dbg) override {
    if (IOStatus s = fs_->Check(FaultFs::Op::kAppend, name_); !s.ok()) return s;
    IOStatus s = target()->PositionedAppend(data, offset, options, dbg);
    if (s.ok()) fs_->OnWrite(name_, target()->GetFileSize(options, dbg));
    return s;
  }
  IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    if (IOStatus s = fs_->Check(FaultFs::Op::kAppend, name_); !s.ok()) return s;
    IOStatus s = target()->PositionedAppend(data, offset, options, info, dbg);
    if (s.ok()) fs_->OnWrite(name_, target()->GetFileSize(options, dbg));
    return s;
  }
  IOStatus Truncate(uint64_t size, const IOOptions& options, IODebugContext* dbg) override {
    if (IOStatus s = fs_->Check(FaultFs::Op::kAppend, name_); !s.ok()) return s;
    IOStatus s = target()->Truncate(size, options, dbg);
    if (s.ok()) fs_->OnWrite(name_, size);
    return s;
  }
  IOStatus Sync(const IOOptions&, IODebugContext*) override {
    if (IOStatus s = fs_->Check(FaultFs::Op::kSync, name_); !s.ok()) return s;
    fs_->OnSync(name_);
    return IOStatus::OK();
  }
  IOStatus Fsync(const IOOptions&, IODebugContext*) override {
    if (IOStatus s = fs_->Check(FaultFs::Op::kSync, name_); !s.ok()) return s;
    fs_->OnSync(name_);
    return IOStatus::OK();
  }

 private:
  FaultFs* fs_;
  std::string name_;
};

class FaultDirectory : public rocksdb::FSDirectoryWrapper {
 public:
  FaultDirectory(std::unique_ptr<rocksdb::FSDirectory> dir, FaultFs* fs, std::string name)
      : FSDirectoryWrapper(std::move(dir)), fs_(fs), name_(StripTrailingSlashes(std::move(name))) {}

  IOStatus Fsync(const IOOptions&, IODebugContext*) override {
    if (IOStatus s = fs_->Check(FaultFs::Op::kDirSync, name_); !s.ok()) return s;
    fs_->OnDirSync(name_);
    return IOStatus::OK();
  }
  IOStatus FsyncWithDirOptions(const IOOptions&, IODebugContext*,
                               const rocksdb::DirFsyncOptions&) override {
    if (IOStatus s = fs_->Check(FaultFs::Op::kDirSync, name_); !s.ok()) return s;
    fs_->OnDirSync(name_);
    return IOStatus::OK();
  }

 private:
  FaultFs* fs_;
  std::string name_;
};

// RocksDB waits a second after a failed background flush before it lets the
// database close; a sweep fails hundreds of flushes, and the wait proves
// nothing. Sleeps through the database's clock are capped instead.
class ShortSleepClock : public rocksdb::SystemClockWrapper {
 public:
  explicit ShortSleepClock(const std::shared_ptr<rocksdb::SystemClock>& target)
      : SystemClockWrapper(target) {}
  const char* Name() const override { return "JournaldbShortSleepClock"; }
  void SleepForMicroseconds(int micros) override {
    target_->SleepForMicroseconds(std::min(micros, kMaxSleepMicros));
  }

 private:
  static constexpr int kMaxSleepMicros = 10'000;
};

// The composite Env over FaultFs with that clock. A database takes its file
// system and clock from these two members; direct Env calls (the checkpoint
// renames and fsyncs through them) go to the composite Env, so to FaultFs too.
class ShortSleepEnv : public rocksdb::EnvWrapper {
 public:
  explicit ShortSleepEnv(std::unique_ptr<rocksdb::Env> composite)
      : EnvWrapper(std::move(composite)) {
    file_system_ = target()->GetFileSystem();
    system_clock_ = std::make_shared<ShortSleepClock>(target()->GetSystemClock());
  }
  const char* Name() const override { return "JournaldbFaultEnv"; }
  void SleepForMicroseconds(int micros) override { system_clock_->SleepForMicroseconds(micros); }
};

}  // namespace

const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kNone:
      return "none";
    case FaultKind::kErrorOnce:
      return "error-once";
    case FaultKind::kErrorFromThenOn:
      return "error-from-then-on";
    case FaultKind::kNoSpace:
      return "no-space";
    case FaultKind::kPowerLoss:
      return "power-loss";
  }
  return "?";
}

void PrintTo(FaultKind kind, std::ostream* os) { *os << FaultKindName(kind); }

FaultFs::FaultFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

FaultEnv::FaultEnv()
    : fs(std::make_shared<FaultFs>()),
      env(std::make_unique<ShortSleepEnv>(rocksdb::NewCompositeEnv(fs))) {}

void FaultFs::Arm(FaultKind kind, uint64_t at) {
  std::lock_guard<std::mutex> lock(mu_);
  kind_ = kind;
  at_ = at;
  count_ = 0;
  fired_ = false;
  failing_ = false;
  fired_at_.clear();
}

void FaultFs::Disarm() {
  std::lock_guard<std::mutex> lock(mu_);
  kind_ = FaultKind::kNone;
  failing_ = false;
}

uint64_t FaultFs::operations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

bool FaultFs::fired() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fired_;
}

std::string FaultFs::fired_at() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fired_at_;
}

IOStatus FaultFs::Check(Op op, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  ++count_;
  if (!failing_) {
    if (kind_ == FaultKind::kNone || fired_ || count_ != at_) return IOStatus::OK();
    fired_ = true;
    fired_at_ = fmt::format("{} {}", OpName(op), name);
    failing_ = kind_ != FaultKind::kErrorOnce;
  }
  std::string what =
      fmt::format("injected {} at operation {} ({})", FaultKindName(kind_), at_, fired_at_);
  return kind_ == FaultKind::kNoSpace ? IOStatus::NoSpace(what) : IOStatus::IOError(what);
}

void FaultFs::NoteCreated(const std::string& name) { new_names_[DirOf(name)].insert(name); }

bool FaultFs::IsNewLocked(const std::string& name) const {
  auto it = new_names_.find(DirOf(name));
  return it != new_names_.end() && it->second.count(name) != 0;
}

void FaultFs::OnWrite(const std::string& name, uint64_t new_size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = files_.try_emplace(name);
  if (inserted) it->second.synced = new_size;  // renamed away while open: keep what it had
  it->second.size = new_size;
  it->second.synced = std::min(it->second.synced, new_size);
}

void FaultFs::OnSync(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = files_.find(name); it != files_.end()) it->second.synced = it->second.size;
}

void FaultFs::OnDirSync(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  new_names_.erase(dir);
  std::erase_if(renames_, [&](const PendingRename& r) { return DirOf(r.to) == dir; });
}

IOStatus FaultFs::NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                  std::unique_ptr<rocksdb::FSWritableFile>* result,
                                  IODebugContext* dbg) {
  if (IOStatus s = Check(Op::kCreate, name); !s.ok()) return s;
  bool existed = target()->FileExists(name, IOOptions(), dbg).ok();
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_[name] = FileState{};
    if (!existed) NoteCreated(name);
  }
  *result = std::make_unique<FaultWritableFile>(std::move(file), this, name);
  return s;
}

IOStatus FaultFs::ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                     std::unique_ptr<rocksdb::FSWritableFile>* result,
                                     IODebugContext* dbg) {
  if (IOStatus s = Check(Op::kCreate, name); !s.ok()) return s;
  bool existed = target()->FileExists(name, IOOptions(), dbg).ok();
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->ReopenWritableFile(name, options, &file, dbg);
  if (!s.ok()) return s;
  uint64_t size = 0;
  if (existed && !target()->GetFileSize(name, IOOptions(), &size, dbg).ok()) size = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_.try_emplace(name, FileState{size, size});
    if (!existed) NoteCreated(name);
  }
  *result = std::make_unique<FaultWritableFile>(std::move(file), this, name);
  return s;
}

IOStatus FaultFs::NewDirectory(const std::string& name, const IOOptions& options,
                               std::unique_ptr<rocksdb::FSDirectory>* result, IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  IOStatus s = target()->NewDirectory(name, options, &dir, dbg);
  if (s.ok()) *result = std::make_unique<FaultDirectory>(std::move(dir), this, name);
  return s;
}

IOStatus FaultFs::DeleteFile(const std::string& name, const IOOptions& options,
                             IODebugContext* dbg) {
  if (IOStatus s = Check(Op::kDelete, name); !s.ok()) return s;
  IOStatus s = target()->DeleteFile(name, options, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    files_.erase(name);
  }
  return s;
}

IOStatus FaultFs::RenameFile(const std::string& from, const std::string& to,
                             const IOOptions& options, IODebugContext* dbg) {
  if (IOStatus s = Check(Op::kRename, from + " -> " + to); !s.ok()) return s;
  PendingRename pending{from, to, std::nullopt};
  bool replaces = target()->FileExists(to, options, dbg).ok();
  bool replaces_durable;
  {
    std::lock_guard<std::mutex> lock(mu_);
    replaces_durable = replaces && !IsNewLocked(to);
  }
  if (replaces_durable) {
    // Keep the replaced file's durable bytes so a power loss can restore them.
    std::string bytes;
    if (IOStatus s = rocksdb::ReadFileToString(target(), to, &bytes); !s.ok()) return s;
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = files_.find(to); it != files_.end())
      bytes.resize(std::min<uint64_t>(bytes.size(), it->second.synced));
    pending.replaced = std::move(bytes);
  }
  IOStatus s = target()->RenameFile(from, to, options, dbg);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = files_.find(from); it != files_.end()) {
    files_[to] = it->second;
    files_.erase(from);
  } else {
    files_.erase(to);
  }
  renames_.push_back(std::move(pending));
  return s;
}

IOStatus FaultFs::LinkFile(const std::string& from, const std::string& to, const IOOptions& options,
                           IODebugContext* dbg) {
  if (IOStatus s = Check(Op::kCreate, to); !s.ok()) return s;
  IOStatus s = target()->LinkFile(from, to, options, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    NoteCreated(to);
  }
  return s;
}

IOStatus FaultFs::Truncate(const std::string& name, size_t size, const IOOptions& options,
                           IODebugContext* dbg) {
  if (IOStatus s = Check(Op::kAppend, name); !s.ok()) return s;
  IOStatus s = target()->Truncate(name, size, options, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = files_.find(name); it != files_.end()) {
      it->second.size = size;
      it->second.synced = std::min<uint64_t>(it->second.synced, size);
    }
  }
  return s;
}

Status FaultFs::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(mu_);
  rocksdb::FileSystem* fs = target();
  auto fail = [](const IOStatus& s, const std::string& what) {
    return Status::IOError(fmt::format("power loss simulation: {}: {}", what, s.ToString()));
  };
  // Newest rename first, so chains of renames unwind in order.
  for (auto r = renames_.rbegin(); r != renames_.rend(); ++r) {
    if (fs->FileExists(r->to, IOOptions(), nullptr).ok()) {
      if (IOStatus s = fs->RenameFile(r->to, r->from, IOOptions(), nullptr); !s.ok())
        return fail(s, "undo rename of " + r->to);
      if (auto it = files_.find(r->to); it != files_.end()) {
        files_[r->from] = it->second;
        files_.erase(r->to);
      }
    }
    if (r->replaced) {
      if (IOStatus s = rocksdb::WriteStringToFile(fs, *r->replaced, r->to, /*should_sync=*/false);
          !s.ok())
        return fail(s, "restore " + r->to);
      files_.erase(r->to);
    }
  }
  for (const auto& [dir, names] : new_names_) {
    for (const std::string& name : names) {
      if (!fs->FileExists(name, IOOptions(), nullptr).ok()) continue;
      if (IOStatus s = fs->DeleteFile(name, IOOptions(), nullptr); !s.ok())
        return fail(s, "delete " + name);
      files_.erase(name);
    }
  }
  for (const auto& [name, state] : files_) {
    uint64_t size = 0;
    if (!fs->GetFileSize(name, IOOptions(), &size, nullptr).ok() || size <= state.synced) continue;
    // The POSIX file system of RocksDB 7.8 does not implement Truncate.
    if (::truncate(name.c_str(), static_cast<off_t>(state.synced)) != 0)
      return fail(IOStatus::IOError(std::strerror(errno)), "truncate " + name);
  }
  files_.clear();
  new_names_.clear();
  renames_.clear();
  return Status::OK();
}

}  // namespace journaldb::testing
