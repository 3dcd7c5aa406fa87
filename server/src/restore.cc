#include "journaldb/server/restore.h"

#include <fmt/format.h>

#include <boost/filesystem.hpp>
#include <memory>

#include "journaldb/journal/util/fsync.h"
#include "journaldb/server/server_store.h"

namespace journaldb::server {

namespace fs = boost::filesystem;

namespace {

// DIR absolute, without a trailing separator (`server/` would otherwise
// put the staging directories inside it).
fs::path Normalized(const std::string& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  while (p.filename() == ".") p = p.parent_path();
  return p;
}

// The directories beside DIR that a restore goes through (restore.h).
struct RestorePaths {
  explicit RestorePaths(const std::string& data_dir)
      : target(Normalized(data_dir)),
        restoring(target.string() + ".restoring"),
        restored(target.string() + ".restored"),
        replaced(target.string() + ".replaced") {}
  fs::path target, restoring, restored, replaced;
};

// Whether `p` is `dir` or inside it, symbolic links resolved as the system
// resolves them (before any `..`). An error resolving either is an error.
Result<bool> IsWithin(const fs::path& p, const fs::path& dir) {
  boost::system::error_code ec;
  const fs::path path = fs::weakly_canonical(fs::absolute(p), ec);
  if (ec) return Status::IOError(fmt::format("resolve {}: {}", p.string(), ec.message()));
  const fs::path d = fs::weakly_canonical(fs::absolute(dir), ec);
  if (ec) return Status::IOError(fmt::format("resolve {}: {}", dir.string(), ec.message()));
  auto q = path.begin();
  for (auto e = d.begin(); e != d.end(); ++e, ++q)
    if (q == path.end() || *q != *e) return false;
  return true;
}

// The one of DIR and the directories a restore of DIR removes that `path`
// is or lies in; empty if none.
Result<fs::path> RemovedDirectoryHolding(const RestorePaths& p, const std::string& path) {
  for (const fs::path& removed : {p.target, p.restoring, p.restored, p.replaced}) {
    Result<bool> within = IsWithin(path, removed);
    if (!within.ok()) return within.status();
    if (*within) return removed;
  }
  return fs::path();
}

bool Exists(const fs::path& p) {
  boost::system::error_code ec;
  return fs::exists(p, ec);
}

// Renames `from` to `to` and makes the rename durable.
Status DurableRename(const fs::path& from, const fs::path& to) {
  boost::system::error_code ec;
  fs::rename(from, to, ec);
  if (ec)
    return Status::IOError(
        fmt::format("rename {} to {}: {}", from.string(), to.string(), ec.message()));
  return util::FsyncParentDirectory(to.string());
}

Status RemoveTree(const fs::path& p) {
  boost::system::error_code ec;
  fs::remove_all(p, ec);
  if (ec) return Status::IOError(fmt::format("remove {}: {}", p.string(), ec.message()));
  return Status::OK();
}

// Copies the backup's files (not its marker) into `to`, each fsynced, then
// `to` itself.
Status CopyBackup(const fs::path& from, const fs::path& to,
                  const std::function<void(RestoreStep)>& after_step) {
  boost::system::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return Status::IOError(fmt::format("create {}: {}", to.string(), ec.message()));
  for (fs::directory_iterator it(from, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() == kBackupMarker) continue;
    const fs::path copy = to / it->path().filename();
    fs::copy_file(it->path(), copy, ec);
    if (ec) break;
    if (Status s = util::FsyncFile(copy.string()); !s.ok()) return s;
    if (after_step) after_step(RestoreStep::kCopying);
  }
  if (ec) return Status::IOError(fmt::format("copy backup {}: {}", from.string(), ec.message()));
  return util::FsyncDirectory(to.string());
}

}  // namespace

Status FinishInterruptedRestore(const std::string& data_dir) {
  const RestorePaths p(data_dir);
  if (!Exists(p.target)) {
    // Past the commit point: the complete copy goes in.
    if (Exists(p.restored)) {
      if (Status s = DurableRename(p.restored, p.target); !s.ok()) return s;
      return RemoveTree(p.replaced);
    }
    if (Exists(p.replaced))
      return Status::FailedPrecondition(fmt::format(
          "{} is missing but {} exists, a state no restore leaves; to serve the replaced data, "
          "rename it back to {}",
          p.target.string(), p.replaced.string(), p.target.string()));
    return Status::OK();
  }
  if (!Exists(p.replaced)) return Status::OK();
  if (Exists(p.restored))
    return Status::FailedPrecondition(fmt::format(
        "{}, {} and {} all exist, a state no restore leaves; remove the one that is not wanted",
        p.target.string(), p.restored.string(), p.replaced.string()));
  // A finished restore that crashed before removing the replaced directory.
  return RemoveTree(p.replaced);
}

Result<std::string> CheckBackupTarget(const std::string& data_dir, const std::string& to) {
  if (to.empty()) return Status::InvalidArgument("the backup target is empty");
  // The path checked is the path written: symbolic links resolved as the
  // system resolves them, then `..` (taken lexically, `link/..` could name
  // a place inside DIR that the check did not see).
  boost::system::error_code ec;
  fs::path target = fs::weakly_canonical(fs::absolute(to), ec);
  if (ec) return Status::IOError(fmt::format("resolve backup target {}: {}", to, ec.message()));
  while (target.has_relative_path() && (target.filename() == "." || target.filename().empty()))
    target = target.parent_path();
  Result<fs::path> holding = RemovedDirectoryHolding(RestorePaths(data_dir), target.string());
  if (!holding.ok()) return holding.status();
  if (!holding->empty())
    return Status::InvalidArgument(
        fmt::format("the backup target {} is in {}, which a restore of {} replaces or removes; "
                    "back up to a place outside it",
                    to, holding->string(), data_dir));
  // A path that is not there is a status, not an error (though Boost sets
  // `ec` for it too); anything else that stops the look is an error.
  const fs::file_status status = fs::symlink_status(target, ec);
  if (status.type() == fs::status_error)
    return Status::IOError(fmt::format("backup target {}: {}", to, ec.message()));
  if (fs::exists(status))
    return Status::FailedPrecondition(fmt::format("backup target {} already exists", to));
  const fs::file_status parent = fs::status(target.parent_path(), ec);
  if (parent.type() == fs::status_error)
    return Status::IOError(
        fmt::format("backup target {}: {}: {}", to, target.parent_path().string(), ec.message()));
  if (!fs::is_directory(parent))
    return Status::FailedPrecondition(
        fmt::format("backup target {}: its parent {} {}", to, target.parent_path().string(),
                    fs::exists(parent) ? "is not a directory" : "does not exist; create it first"));
  return target.string();
}

Result<std::string> Restore(const std::string& data_dir, const std::string& from,
                            const std::function<void(RestoreStep)>& after_step) {
  const RestorePaths p(data_dir);
  // A restore replaces DIR and removes the directories beside it: a backup
  // in one of them would be deleted, in the middle of the restore or at its
  // end.
  Result<fs::path> holding = RemovedDirectoryHolding(p, from);
  if (!holding.ok()) return holding.status();
  if (!holding->empty())
    return Status::InvalidArgument(
        fmt::format("the backup {} is in {}, which the restore replaces or removes; copy it "
                    "elsewhere and restore from there",
                    from, holding->string()));
  if (!Exists(fs::path(from) / kBackupMarker))
    return Status::FailedPrecondition(
        fmt::format("{} is not a complete backup (no {} marker)", from, kBackupMarker));
  if (Status s = FinishInterruptedRestore(data_dir); !s.ok()) return s;
  auto step = [&](RestoreStep s) {
    if (after_step) after_step(s);
  };
  // The replaced store stays open (so a server cannot start on it: busy)
  // until the copy took what it needs from it. A missing directory is a
  // restore to a new place; an empty one (a fresh mount) is the same.
  std::unique_ptr<ServerStore> live;
  if (Exists(p.target)) {
    boost::system::error_code ec;
    if (fs::is_empty(p.target, ec) && !ec) {
      if (Status s = RemoveTree(p.target); !s.ok()) return s;
    } else {
      auto opened = ServerStore::Open(data_dir, /*create=*/false);
      if (!opened.ok()) return opened.status();
      live = std::move(opened).value();
    }
  }
  // Copies of an earlier attempt that never reached the commit point.
  if (Status s = RemoveTree(p.restoring); !s.ok()) return s;
  if (Status s = RemoveTree(p.restored); !s.ok()) return s;
  if (Status s = CopyBackup(from, p.restoring, after_step); !s.ok()) return s;
  step(RestoreStep::kCopied);
  uint64_t epoch = 0, latest = 0;
  {
    auto restored = ServerStore::Open(p.restoring.string(), /*create=*/false);
    if (!restored.ok()) return restored.status();
    Result<uint64_t> e = (*restored)->StartNewEpoch(live.get());
    if (!e.ok()) return e.status();
    epoch = *e;
    latest = (*restored)->latest_version();
  }
  step(RestoreStep::kNewEpoch);
  if (Status s = DurableRename(p.restoring, p.restored); !s.ok()) return s;
  step(RestoreStep::kStaged);
  if (live) {
    live.reset();
    if (Status s = DurableRename(p.target, p.replaced); !s.ok()) return s;
    step(RestoreStep::kMovedAside);
  }
  if (Status s = DurableRename(p.restored, p.target); !s.ok()) return s;
  step(RestoreStep::kSwapped);
  if (Status s = RemoveTree(p.replaced); !s.ok()) return s;
  return fmt::format("restored {} from {}: new epoch {}, latest version {}", data_dir, from, epoch,
                     latest);
}

}  // namespace journaldb::server
