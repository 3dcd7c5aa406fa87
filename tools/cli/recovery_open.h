// How the CLI finds, opens and checks recovery snapshots (docs/cli.md,
// "Recovery snapshots"). Every error names the path it is about, and bad
// input (a missing, truncated or tampered MANIFEST, a directory that is not a
// snapshot, a snapshot without its database) is an error value, never a crash.
//
//   Result<RecoverySnapshot> snap = OpenRecoveryForCli(args.positional[0]);
//   Result<std::unique_ptr<Database>> db = OpenSnapshotDatabase(*snap);
//
// Thread safety: free functions; each call opens its own handles.
#ifndef JOURNALDB_TOOLS_CLI_RECOVERY_OPEN_H_
#define JOURNALDB_TOOLS_CLI_RECOVERY_OPEN_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "args.h"
#include "journaldb/database.h"
#include "journaldb/recovery_snapshot.h"

namespace journaldb::cli {

// The recovery root of the database at `db_path`: the sibling directory
// `<db_path>.recovery`, or `--recovery-root DIR` when the command got it.
// Invalid-argument (a usage error) for an empty DIR.
Result<std::string> RecoveryRootFor(const ParsedArgs& args, std::string_view db_path);

// `path` without trailing slashes ("/" stays "/").
std::string WithoutTrailingSlash(std::string_view path);

// True if `path` is a directory meant as a recovery snapshot rather than a
// database: it has no RocksDB CURRENT file, and holds a MANIFEST file or a
// `db` directory, or is a recovery root (OpenRecoveryForCli then says so).
// info and verify use it to choose what to show.
bool LooksLikeRecoveryPath(const std::string& path);

// Opens and verifies the snapshot's manifest (OpenRecoverySnapshot) and
// checks that its database directory exists. Errors: not-found (nothing at
// `path`, no MANIFEST, no `db`), failed-precondition (not a directory, a
// `.tmp` left by an interrupted snapshot), corruption (manifest damaged).
Result<RecoverySnapshot> OpenRecoveryForCli(const std::string& path);

// Opens the snapshot's database read-only.
Result<std::unique_ptr<Database>> OpenSnapshotDatabase(const RecoverySnapshot& snapshot);

// What CheckDivergedRange found.
struct DivergedRangeCheck {
  uint64_t entries = 0;  // diverged entries read
  uint64_t ops = 0;      // their ops
  std::vector<std::string> problems;
};

// Reads the snapshot database's journal and compares it with the manifest:
// the cursors match the database's, the diverged range [first, last] is
// present without gaps, holds the manifest's entry and op counts, and is the
// journal's whole tail above the upload cursor. A damaged entry is a problem
// too. The status is an error only if the check could not run.
Result<DivergedRangeCheck> CheckDivergedRange(const Database& snapshot_db,
                                              const RecoveryManifest& manifest);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_RECOVERY_OPEN_H_
