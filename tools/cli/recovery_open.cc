#include "recovery_open.h"

#include <fmt/format.h>

#include <boost/filesystem.hpp>

#include "journaldb/client_reset.h"

namespace journaldb::cli {

Result<std::string> RecoveryRootFor(const ParsedArgs& args, std::string_view db_path) {
  if (const std::string* root = args.Find("--recovery-root")) {
    if (root->empty()) return Status::InvalidArgument("--recovery-root needs a directory");
    return *root;
  }
  return DefaultRecoveryRoot(std::string(db_path));
}

bool LooksLikeRecoveryPath(const std::string& path) {
  return LooksLikeRecoverySnapshot(path) || IsRecoveryRoot(path);
}

Status WithRecoveryHint(const Status& status, const std::string& path) {
  if (!status.IsFailedPrecondition() || LooksLikeRecoverySnapshot(path) || !IsRecoveryRoot(path))
    return status;
  std::string root(path);
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return Status(status.code(),
                fmt::format("{}; list them with `journal recoveries DB --recovery-root {}`",
                            status.message(), root));
}

Status RefuseWritesInRecovery(const std::string& db_path) {
  std::string trimmed(db_path);
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  boost::system::error_code ec;
  const boost::filesystem::path db = boost::filesystem::weakly_canonical(trimmed, ec);
  if (ec) return Status::OK();  // Open reports what is wrong with the path
  const std::string parent = db.parent_path().string();
  boost::system::error_code ignored;
  if (db.filename() == "db" && boost::filesystem::is_regular_file(db.parent_path() / "MANIFEST",
                                                                 ignored))
    return Status::FailedPrecondition(fmt::format(
        "{} is the database of the recovery snapshot {} and never changes (it holds the only "
        "copy of the diverged writes); read it with `journal export {}`, or replay from it "
        "with `journal replay {} DB`",
        db_path, parent, parent, parent));
  if (IsRecoveryRoot(parent))
    return Status::FailedPrecondition(fmt::format(
        "{} lies inside the recovery root {}, which holds recovery snapshots only; use a "
        "database outside it",
        db_path, parent));
  return Status::OK();
}

Result<RecoverySnapshot> OpenRecoveryForCli(const std::string& path) {
  Result<RecoverySnapshot> snapshot = OpenCompleteRecoverySnapshot(path);
  if (!snapshot.ok()) return WithRecoveryHint(snapshot.status(), path);
  return snapshot;
}

}  // namespace journaldb::cli
