// Operator commands on a stopped server's data directory (docs/server.md).
// Each opens the directory exclusively, so it fails with busy while a
// journal-server runs on it. Each returns a one-line summary for the operator.
#ifndef JOURNALDB_SERVER_ADMIN_H_
#define JOURNALDB_SERVER_ADMIN_H_

#include <cstdint>
#include <string>

#include "journaldb/status.h"

namespace journaldb::server {

// Removes changesets with server version < `below`. Clients whose download
// cursor falls below the new horizon get a client reset (history-trimmed).
Result<std::string> TrimBelow(const std::string& data_dir, uint64_t below);
// Removes changesets stored more than `seconds` ago.
Result<std::string> TrimOlderThan(const std::string& data_dir, uint64_t seconds);
// A consistent copy of the data directory at `to` (must not exist): a
// RocksDB checkpoint, fsynced, with a BACKUP-COMPLETE marker written last.
Result<std::string> Backup(const std::string& data_dir, const std::string& to);
// Replaces the data directory with a copy of backup `from` and starts a new
// epoch: every client that synced with the old lineage gets a client reset
// (epoch-mismatch) naming the restored latest version.
Result<std::string> Restore(const std::string& data_dir, const std::string& from);
// Forces a client reset for one client id (operator-reset).
Result<std::string> ResetClient(const std::string& data_dir, uint64_t client_id);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_ADMIN_H_
