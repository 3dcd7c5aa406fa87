#include "recovery_open.h"

#include <fmt/format.h>

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

Result<RecoverySnapshot> OpenRecoveryForCli(const std::string& path) {
  Result<RecoverySnapshot> snapshot = OpenCompleteRecoverySnapshot(path);
  if (!snapshot.ok()) return WithRecoveryHint(snapshot.status(), path);
  return snapshot;
}

}  // namespace journaldb::cli
