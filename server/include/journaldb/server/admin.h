// Operator commands (docs/server.md). On a data directory they need the
// server stopped: each opens the directory exclusively, so it fails with busy
// while a journal-server runs on it. On a PostgreSQL database trim,
// reset-client, expire-registrations and new-epoch run online, beside the
// serving nodes. Each returns a one-line summary for the operator.
#ifndef JOURNALDB_SERVER_ADMIN_H_
#define JOURNALDB_SERVER_ADMIN_H_

#include <cstdint>
#include <string>

#include "journaldb/server/restore.h"  // Restore
#include "journaldb/server/server_storage.h"
#include "journaldb/status.h"

namespace journaldb::server {

// Removes changesets with server version < `below`. Clients whose download
// cursor falls below the new horizon get a client reset (history-trimmed).
Result<std::string> TrimBelow(const StorageLocation& location, uint64_t below);
// Removes changesets stored more than `seconds` ago.
Result<std::string> TrimOlderThan(const StorageLocation& location, uint64_t seconds);
// A consistent copy of the data directory at `to`: a RocksDB checkpoint,
// fsynced, with a BACKUP-COMPLETE marker written last. `to` is checked
// before the store is opened (CheckBackupTarget): it must not exist, its
// parent must, and it must lie outside what a restore of DIR removes.
Result<std::string> Backup(const std::string& data_dir, const std::string& to);
// Forces a client reset for one client id (operator-reset).
Result<std::string> ResetClient(const StorageLocation& location, uint64_t client_id);
// Removes the registrations made more than `seconds` ago whose clients never
// came back (no hello with their id, no upload): what a running server's
// sweep does (ServerOptions::expire_unused_registrations_after_s), at once.
Result<std::string> ExpireRegistrations(const StorageLocation& location, uint64_t seconds);
// Creates a new, empty store with a fresh random epoch: a data directory
// (missing or empty; the parents are created too) or the schema of a
// PostgreSQL database (InitPostgres). Servers and operator commands never
// create one, so a mistyped or unmounted path cannot start a new history by
// accident. FailedPrecondition if the store already holds data.
Result<std::string> Init(const StorageLocation& location);
// Creates the journaldb schema in an existing PostgreSQL database, with a
// fresh random epoch. Servers never create it themselves, so a mistyped
// database name cannot get one by accident. FailedPrecondition if it exists.
Result<std::string> InitPostgres(const std::string& conninfo);
// Starts a new epoch after the store was restored from a backup by other
// means (pg_restore, a base backup): the latest version becomes the old
// epoch's fork point, so clients reset exactly as after Restore.
// `replaced` (may be null) is the store the restore replaces, if it is
// still readable: client ids continue after its own, and its epoch's fork
// point is kept.
Result<std::string> NewEpoch(const StorageLocation& location, const StorageLocation* replaced);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_ADMIN_H_
