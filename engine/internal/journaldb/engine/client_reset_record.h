// The engine's side of the client-reset state machine: the durable record,
// the atomic wipe, and which journal entries are diverged. Internal: the
// recovery component's reset executor is built on it; never installed.
#ifndef JOURNALDB_ENGINE_CLIENT_RESET_RECORD_H_
#define JOURNALDB_ENGINE_CLIENT_RESET_RECORD_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "journaldb/client_reset.h"
#include "journaldb/database.h"

namespace journaldb {

// A new recovery id, sortable by time and unique by a random suffix:
// 20261126T124501Z-1a2b3c4d.
std::string NewRecoveryId();

// The record as stored in meta `client_reset`, and its verified decoding:
// corruption naming `where` for anything that is not a valid record.
std::string EncodeClientResetRecord(const PendingClientReset& pending);
Result<PendingClientReset> DecodeClientResetRecord(std::string_view bytes,
                                                   const std::string& where);

// Replaces the pending-reset record, fsynced.
Status WriteClientResetRecord(Database& db, const PendingClientReset& pending);

// Holds off commits, runs `snapshot` on a copy of `pending` (it must leave a
// complete recovery snapshot of every journal entry, and may fill in the
// record's recovery id, diverged range and mode), records that copy at step
// kSnapshotted,
// then wipes in one fsynced write batch: state, journal, synced state, sync
// identity and cursors go; the lsn high-water mark stays so lsns are never
// reused; the record moves to kWiped. Commits resume afterwards on the empty
// database. A crash leaves the record at kDetected/kSnapshotted (nothing
// wiped) or at kWiped (all wiped).
Status SnapshotAndWipe(Database& db, const std::function<Status(PendingClientReset&)>& snapshot,
                       const PendingClientReset& pending);

// Clears the record (fsynced). `automatic`: also stamps the time of this
// automatic recovery, for reset-loop detection.
Status FinishClientReset(Database& db, bool automatic);

// When the last automatic recovery finished (microseconds since the Unix
// epoch); 0 if never.
Result<int64_t> LastAutomaticRecoveryTime(const Database& db);

// The highest lsn whose entry the server demanding `pending` still holds:
// entries above it are diverged. Never acknowledged entries are diverged.
// After a restore or rollback (epoch-mismatch, server-rollback) so is every
// acknowledged entry stored at a version above the restored latest version,
// or at a version this database never learned (counted as diverged, so it
// is never lost). A server that does not know the client, or reports
// restored version 0, holds none of them.
Result<Lsn> DivergedAfter(const Database& db, const PendingClientReset& pending);

}  // namespace journaldb

#endif  // JOURNALDB_ENGINE_CLIENT_RESET_RECORD_H_
