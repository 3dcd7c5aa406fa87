// Reading a recovery root: which snapshots are complete, which directories
// are leftovers, and removing the leftovers.
#include <fmt/format.h>

#include <algorithm>
#include <boost/filesystem.hpp>

#include "journaldb/journal/util/fsync.h"
#include "journaldb/recovery_directory.h"
#include "journaldb/recovery_snapshot.h"
#include "snapshot_layout.h"

namespace journaldb {

namespace fs = boost::filesystem;

namespace {

Status ListError(const std::string& root, const boost::system::error_code& ec) {
  return Status::IOError(fmt::format("list {}: {}", root, ec.message()));
}

}  // namespace

Result<RecoveryDirectoryListing> ListRecoveryDirectory(const std::string& recovery_root) {
  RecoveryDirectoryListing out;
  boost::system::error_code ec;
  const fs::file_status st = fs::status(recovery_root, ec);
  // No root yet: no reset or snapshot has happened.
  if (st.type() == fs::file_not_found) return out;
  if (ec) return ListError(recovery_root, ec);
  if (st.type() != fs::directory_file)
    return Status::FailedPrecondition(
        fmt::format("recovery root {} is not a directory", recovery_root));
  for (fs::directory_iterator it(recovery_root, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    boost::system::error_code type_ec;
    // Snapshots are directories; a stray file in the root is none of ours.
    if (!fs::is_directory(p, type_ec)) continue;
    if (recovery::IsIncompleteName(p)) {
      out.incomplete.push_back(p.string());
      continue;
    }
    Result<RecoverySnapshot> snapshot = OpenRecoverySnapshot(p.string());
    if (snapshot.ok())
      out.snapshots.push_back(std::move(snapshot).value());
    else
      out.unreadable.push_back({p.string(), snapshot.status()});
  }
  if (ec) return ListError(recovery_root, ec);
  // Ids order by the second only, so two snapshots taken within one second
  // are ordered by their creation time.
  std::sort(out.snapshots.begin(), out.snapshots.end(),
            [](const RecoverySnapshot& a, const RecoverySnapshot& b) {
              if (a.manifest.created_time_us != b.manifest.created_time_us)
                return a.manifest.created_time_us < b.manifest.created_time_us;
              return a.manifest.recovery_id < b.manifest.recovery_id;
            });
  std::sort(out.incomplete.begin(), out.incomplete.end());
  std::sort(out.unreadable.begin(), out.unreadable.end(),
            [](const UnreadableRecoverySnapshot& a, const UnreadableRecoverySnapshot& b) {
              return a.path < b.path;
            });
  return out;
}

Result<std::vector<RecoverySnapshot>> ListRecoverySnapshots(const std::string& recovery_root) {
  Result<RecoveryDirectoryListing> listing = ListRecoveryDirectory(recovery_root);
  if (!listing.ok()) return listing.status();
  if (!listing->unreadable.empty()) return listing->unreadable.front().status;
  return std::move(listing->snapshots);
}

Result<int> RemoveIncompleteRecoverySnapshots(const std::string& recovery_root) {
  int removed = 0;
  boost::system::error_code ec;
  if (!fs::exists(recovery_root, ec)) return 0;
  std::vector<fs::path> doomed;
  for (fs::directory_iterator it(recovery_root, ec), end; !ec && it != end; it.increment(ec))
    if (recovery::IsIncompleteName(it->path())) doomed.push_back(it->path());
  if (ec) return ListError(recovery_root, ec);
  for (const fs::path& p : doomed) {
    fs::remove_all(p, ec);
    if (ec) return Status::IOError(fmt::format("remove {}: {}", p.string(), ec.message()));
    ++removed;
  }
  if (removed > 0)
    if (Status s = util::FsyncDirectory(recovery_root); !s.ok()) return s;
  return removed;
}

}  // namespace journaldb
