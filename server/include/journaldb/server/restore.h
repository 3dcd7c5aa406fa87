// Restore of a data directory from a backup (`journal-server restore`),
// restartable from every crash point (docs/server.md, "Restore").
//
//   Result<std::string> r = Restore("/srv/sync", "/backups/monday");
//   if (!r.ok()) ...;  // run it again: it finishes or starts over, never loses DIR
//
// The steps, each durable before the next one starts, with DIR the data
// directory:
//   1. copy the backup's files into DIR.restoring, each fsynced  (kCopying, kCopied)
//   2. start a new epoch in the copy, client ids continuing after
//      DIR's and DIR's epoch given its fork point                 (kNewEpoch)
//   3. rename DIR.restoring to DIR.restored                        (kStaged)
//   4. rename DIR to DIR.replaced: the commit point                (kMovedAside)
//   5. rename DIR.restored to DIR                                  (kSwapped)
//   6. remove DIR.replaced
// Every rename is followed by an fsync of the parent directory. A crash
// before step 4 leaves DIR as it was, served as it was; the next restore
// discards the copy and starts over (the copy's new epoch was made from
// DIR's registry as it was then, and a server may have moved DIR on since).
// A crash after step 4 leaves DIR missing and DIR.restored complete:
// FinishInterruptedRestore, run by every open of DIR (ServerStore::Open),
// renames it in. So a data directory is never served half restored, and no
// crash makes DIR look missing or empty to a server (which would refuse it,
// not start a fresh history).
//
// Thread safety: for a stopped server's directory, one operator command at
// a time.
#ifndef JOURNALDB_SERVER_RESTORE_H_
#define JOURNALDB_SERVER_RESTORE_H_

#include <functional>
#include <string>

#include "journaldb/status.h"

namespace journaldb::server {

// The file a backup writes last, fsynced: without it a backup is incomplete
// and Restore refuses it.
inline constexpr char kBackupMarker[] = "BACKUP-COMPLETE";

// The crash points of Restore, in order; Restore reports each as it passes
// it (kCopying after every file copied).
enum class RestoreStep { kCopying, kCopied, kNewEpoch, kStaged, kMovedAside, kSwapped };

// Replaces the data directory `data_dir` (it may be missing, for a restore
// to a new place) with a copy of backup `from` and starts a new epoch: every
// client that synced with the old lineage gets a client reset
// (epoch-mismatch) naming the restored latest version. A restore that a
// crash interrupted after its commit point is finished first. A backup in
// DIR or in a directory beside it that the restore removes (DIR.restoring,
// .restored, .replaced) is InvalidArgument, before anything is touched.
// `after_step`, if set, is called at each crash point (tests kill the
// process there).
Result<std::string> Restore(const std::string& data_dir, const std::string& from,
                            const std::function<void(RestoreStep)>& after_step = nullptr);

// Whether a backup of `data_dir` may be made at `to`, checked before the
// store is opened: if `to` does not exist and its parent is a directory, the
// path to write it at, the one checked (`to` absolute, symbolic links resolved, then
// `..`, without a trailing separator or `.`).
// InvalidArgument if `to` is empty, or is DIR or in DIR, DIR.restoring, DIR.restored or
// DIR.replaced (symbolic links resolved), where a restore of DIR would
// delete it; FailedPrecondition if `to` exists or its parent is missing or
// not a directory; IOError if a path cannot be resolved.
Result<std::string> CheckBackupTarget(const std::string& data_dir, const std::string& to);

// Completes a restore of `data_dir` that a crash interrupted after its
// commit point (DIR missing, DIR.restored complete) and removes the
// replaced directory a finished one left. OK if there is nothing to do;
// FailedPrecondition, naming the directories, for a state no Restore leaves.
Status FinishInterruptedRestore(const std::string& data_dir);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_RESTORE_H_
