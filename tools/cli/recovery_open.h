// How the CLI finds and opens recovery snapshots (docs/cli.md, "Recovery
// snapshots"), on top of journaldb/recovery_directory.h: the command-line
// defaults and hints that only make sense in a shell. Every error names the
// path it is about.
//
//   Result<RecoverySnapshot> snap = OpenRecoveryForCli(args.positional[0]);
//   Result<std::unique_ptr<Database>> db = OpenRecoverySnapshotDatabase(*snap);
//
// Thread safety: free functions; each call opens its own handles.
#ifndef JOURNALDB_TOOLS_CLI_RECOVERY_OPEN_H_
#define JOURNALDB_TOOLS_CLI_RECOVERY_OPEN_H_

#include <string>
#include <string_view>

#include "args.h"
#include "journaldb/recovery_directory.h"
#include "journaldb/recovery_snapshot.h"

namespace journaldb::cli {

// The recovery root of the database at `db_path`: DefaultRecoveryRoot(), or
// `--recovery-root DIR` when the command got it. Invalid-argument (a usage
// error) for an empty DIR.
Result<std::string> RecoveryRootFor(const ParsedArgs& args, std::string_view db_path);

// True if `path` is meant as a recovery snapshot or a recovery root rather
// than a database (OpenRecoveryForCli then says which). info and verify use
// it to choose what to show.
bool LooksLikeRecoveryPath(const std::string& path);

// Failed-precondition if `db_path` lies in a recovery root: the `db` of a
// recovery snapshot (also one written before snapshots carried the engine's
// read-only marker), or any path directly inside a directory that holds
// recovery snapshots. Every command that opens a database for writing calls
// it first, so no write can change or hide a snapshot's diverged data.
Status RefuseWritesInRecovery(const std::string& db_path);

// OpenCompleteRecoverySnapshot(), with WithRecoveryHint() applied.
Result<RecoverySnapshot> OpenRecoveryForCli(const std::string& path);

// `status`, from opening `path` as a snapshot, with the command that lists a
// recovery root's snapshots appended when `path` is a recovery root.
Status WithRecoveryHint(const Status& status, const std::string& path);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_RECOVERY_OPEN_H_
