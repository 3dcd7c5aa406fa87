// FaultFs: a RocksDB file system that counts I/O operations and, at a chosen
// operation, injects a fault: an I/O error (once, or from then on), "no
// space", or a simulated power loss. Tests open a database over it with
// journaldb::OpenWithEnv (engine/internal/journaldb/engine/open_with_env.h).
//
//   FaultEnv fault;                                  // FaultFs + its Env
//   fault.fs->Arm(FaultKind::kPowerLoss, 40);        // op 40 and later fail
//   auto db = OpenWithEnv(path, options, fault.env.get());
//   ...commit until a commit fails...; db.reset();
//   fault.fs->DropUnsyncedData();                    // what a power cut keeps
//   fault.fs->Disarm();                              // reopen and check
//
// Counted operations (each counts once, whether it succeeds or not):
//   create  NewWritableFile, ReopenWritableFile, LinkFile
//   append  Append, PositionedAppend, Truncate (file or path)
//   sync    Sync and Fsync of a writable file
//   rename  RenameFile
//   delete  DeleteFile
//   dirsync Fsync / FsyncWithDirOptions of a directory
// Reads, directory listing, locking and the info LOG are passed through
// uncounted and never fail. Syncs are recorded but not passed on: durability
// here is the simulated one below, and real fsyncs would only slow sweeps.
//
// Power loss model (DropUnsyncedData):
//   - every file written through this file system is truncated to the size it
//     had at its last successful Sync/Fsync;
//   - a file created (or linked) since its directory's last fsync is deleted;
//   - a rename whose target directory was not fsynced since is undone: the
//     file goes back to its old name (and away, if that name was itself not
//     durable) and a file the rename replaced gets its old synced bytes back.
// Not modelled (documented in docs/testing.md): a delete that was not
// followed by a directory fsync stays deleted (real file systems may bring the
// file back); directories created, and files written before this file system
// saw them, are assumed durable; data is torn only at sync boundaries, never
// inside an append (no partially persisted appends, no reordering of synced
// data); random read-write files and WAL recycling are not tracked.
//
// Thread safety: all methods may be called concurrently (RocksDB calls the
// file system from its background threads).
#ifndef JOURNALDB_TESTS_FAULTS_FAULT_FS_H_
#define JOURNALDB_TESTS_FAULTS_FAULT_FS_H_

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "journaldb/status.h"

namespace journaldb::testing {

enum class FaultKind {
  kNone,
  kErrorOnce,        // operation N fails with an I/O error; later ones succeed
  kErrorFromThenOn,  // operation N and every later one fail with an I/O error
  kNoSpace,          // operation N and every later one fail with "no space"
  kPowerLoss,        // operation N and every later one fail; then DropUnsyncedData()
};

const char* FaultKindName(FaultKind kind);
// For GoogleTest parameter names: prints FaultKindName.
void PrintTo(FaultKind kind, std::ostream* os);

class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  // Wraps the default (POSIX) file system.
  FaultFs();
  const char* Name() const override { return "JournaldbFaultFs"; }

  // Injects `kind` at the `at`-th counted operation from now (1 = the next
  // one) and restarts the operation count. kNone just restarts the count.
  void Arm(FaultKind kind, uint64_t at);
  // No more faults; operations from now on all succeed. Keeps the count.
  void Disarm();

  // Counted operations since the last Arm (or construction).
  uint64_t operations() const;
  // Whether the armed fault has been injected, and at which operation
  // ("sync /tmp/.../000004.log"); empty until then.
  bool fired() const;
  std::string fired_at() const;

  // Applies the power loss model above to the files on disk and forgets what
  // it tracked: afterwards every file counts as durable.
  // REQUIRES: no database is open over this file system.
  Status DropUnsyncedData();

  // --- used by the file and directory wrappers (fault_fs.cc) ---
  enum class Op { kCreate, kAppend, kSync, kRename, kDelete, kDirSync };
  rocksdb::IOStatus Check(Op op, const std::string& name);
  void OnWrite(const std::string& name, uint64_t new_size);
  void OnSync(const std::string& name);
  void OnDirSync(const std::string& dir);

  // --- rocksdb::FileSystem ---
  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& from, const std::string& to,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& name, size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;

 private:
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
  };
  // A rename not yet made durable by an fsync of the target's directory.
  struct PendingRename {
    std::string from, to;
    std::optional<std::string> replaced;  // synced bytes of the durable file `to` replaced
  };
  // REQUIRES: mu_ held.
  void NoteCreated(const std::string& name);
  bool IsNewLocked(const std::string& name) const;

  mutable std::mutex mu_;
  FaultKind kind_ = FaultKind::kNone;
  uint64_t at_ = 0;
  uint64_t count_ = 0;
  bool fired_ = false;
  bool failing_ = false;  // every counted operation fails (sticky faults)
  std::string fired_at_;
  std::map<std::string, FileState> files_;                  // written through us
  std::map<std::string, std::set<std::string>> new_names_;  // dir -> names not yet durable
  std::vector<PendingRename> renames_;
};

// A FaultFs and the RocksDB Env that routes file operations through it.
// Sleeps RocksDB takes through the Env's clock (the second it waits after a
// failed background flush) are capped at 10 ms, so sweeps do not idle.
struct FaultEnv {
  FaultEnv();
  std::shared_ptr<FaultFs> fs;
  std::unique_ptr<rocksdb::Env> env;
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_FAULTS_FAULT_FS_H_
