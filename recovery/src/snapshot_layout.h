// The names inside a recovery root and a recovery snapshot
// (docs/recovery.md, "On disk"). Defined here once: the snapshot writer, the
// directory listing, verification and garbage collection all use them.
#ifndef JOURNALDB_RECOVERY_SNAPSHOT_LAYOUT_H_
#define JOURNALDB_RECOVERY_SNAPSHOT_LAYOUT_H_

#include <boost/filesystem/path.hpp>
#include <string>
#include <string_view>

namespace journaldb::recovery {

// `<snapshot>/MANIFEST`: written last; its presence marks a complete checkpoint.
inline constexpr char kManifestFile[] = "MANIFEST";
// `<snapshot>/db`: the RocksDB checkpoint.
inline constexpr char kDatabaseDir[] = "db";
// `<root>/<id>.tmp`: a snapshot being built, or being deleted.
inline constexpr char kIncompleteSuffix[] = ".tmp";
// The file every RocksDB database directory has: a path holding it is a
// database, not a snapshot or a root.
inline constexpr char kDatabaseMarkerFile[] = "CURRENT";

inline boost::filesystem::path ManifestPath(const boost::filesystem::path& snapshot_dir) {
  return snapshot_dir / kManifestFile;
}
inline boost::filesystem::path DatabasePath(const boost::filesystem::path& snapshot_dir) {
  return snapshot_dir / kDatabaseDir;
}
inline boost::filesystem::path IncompletePath(const boost::filesystem::path& root,
                                              const std::string& recovery_id) {
  return root / (recovery_id + kIncompleteSuffix);
}
inline bool IsIncompleteName(const boost::filesystem::path& p) {
  return p.extension() == kIncompleteSuffix;
}

// `path` without trailing slashes ("/" stays "/"), so that a path's last
// component is the snapshot's id.
inline std::string WithoutTrailingSlash(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

}  // namespace journaldb::recovery

#endif  // JOURNALDB_RECOVERY_SNAPSHOT_LAYOUT_H_
