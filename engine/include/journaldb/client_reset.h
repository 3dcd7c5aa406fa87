// Client reset, as the engine sees it (docs/client-reset.md): a durable
// record of a reset the server demanded, and the strategy that carries it out.
//
// When the server answers a sync with a client-reset error, the engine records
// a pending reset in the database (fsynced) before anything else, and hands it
// to the strategy chosen in Options::client_reset. The strategies themselves
// (Manual, DiscardUnsynced, RecoverUnsynced, RecoverOrDiscard) live in
// journaldb/client_reset_strategy.h, because they need the recovery snapshot
// and the replayer:
//
//   journaldb::Options options;
//   options.sync.server = "127.0.0.1:7000";
//   options.client_reset = journaldb::RecoverOrDiscardUnsyncedChanges({});
//
// With no strategy set, the session stops with client-reset-required and
// nothing local is touched; the reset stays pending until the app (or
// `journal reset DB`) executes it.
//
// Thread safety: GetPendingClientReset may be called from any thread.
#ifndef JOURNALDB_CLIENT_RESET_H_
#define JOURNALDB_CLIENT_RESET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journaldb/status.h"

namespace journaldb {

class Database;

// The reset's durable state machine; each step is recorded before it starts.
enum class ClientResetStep : uint8_t {
  kDetected = 1,     // the server demanded a reset; nothing local changed yet
  kSnapshotted = 2,  // a complete recovery snapshot exists; wiping next
  kWiped = 3,        // local data and sync identity cleared; downloading the server state
  kReady = 4,        // the server state is downloaded; replaying (automatic strategies)
};

// "detected", "snapshotted", "wiped" or "ready".
const char* ClientResetStepName(ClientResetStep step);

struct PendingClientReset {
  ClientResetStep step = ClientResetStep::kDetected;
  // Why the server demanded it: "unknown-client", "operator-reset",
  // "epoch-mismatch", "history-trimmed", "server-rollback",
  // "unverifiable-client" or "client-rollback".
  std::string reason;
  std::string message;  // the server's words
  // epoch-mismatch: the server's latest version after its restore; local
  // entries it acknowledged at a higher version were rolled back.
  // server-rollback, client-rollback: the highest lsn of this client the
  // server holds as this database has it. 0 otherwise.
  uint64_t restored_latest_version = 0;
  int64_t detected_time_us = 0;
  // Where the recovery snapshot goes: <recovery_root>/<recovery_id>.
  std::string recovery_id;
  std::string recovery_root;
  // Set once snapshotted: journal entries above this lsn are diverged.
  uint64_t diverged_after_lsn = 0;
  // Set once snapshotted: how the reset is finished ("manual", "discard",
  // "recover", "recover-or-discard").
  std::string mode;
  friend bool operator==(const PendingClientReset&, const PendingClientReset&) = default;
};

// An op of a diverged transaction that the replay left out because it cannot
// apply to the server state, e.g. an increment of a field the server turned
// into a string (docs/merge-semantics.md, rule 5: such an op is a no-op; the
// rest of its transaction still applies).
struct NotApplicableOp {
  uint64_t lsn = 0;       // the diverged transaction (its lsn in the recovery snapshot)
  uint32_t op_index = 0;  // the op's position in the ops the replay committed for it
  std::string reason;     // names the object, the field and what it holds
  friend bool operator==(const NotApplicableOp&, const NotApplicableOp&) = default;
};

// What a client reset carried out by a strategy did, once it is over (also
// when it fell back to manual). Read it with LastClientResetOutcome (e.g. in
// ClientResetCallbacks::after_reset); SyncOnce returns it in its report.
struct ClientResetOutcome {
  // When the reset finished: microseconds since the Unix epoch.
  int64_t finished_time_us = 0;
  std::string recovery_id;
  std::string recovery_path;  // the recovery snapshot: <recovery_root>/<recovery_id>
  std::string reason;         // the server's reason, as PendingClientReset::reason
  std::string mode;           // "manual", "discard", "recover" or "recover-or-discard"
  // The replay (recovering modes): transactions committed again, and those
  // marked done with nothing to commit (the policy skipped them, or none of
  // their ops could apply).
  uint64_t transactions_replayed = 0;
  uint64_t transactions_skipped = 0;
  // Ops left out because they cannot apply; their transactions' other ops
  // were replayed.
  std::vector<NotApplicableOp> ops_not_applicable;
  // Diverged transactions that are in the recovery snapshot only: a replay
  // that stopped (RecoverOrDiscard discarded them; Recover handed them to
  // the app), lsns first_unrecovered_lsn..last_unrecovered_lsn of the
  // snapshot. `journal replay` can still apply them.
  uint64_t transactions_not_recovered = 0;
  uint64_t first_unrecovered_lsn = 0;
  uint64_t last_unrecovered_lsn = 0;
  std::string not_recovered_reason;  // why the replay stopped; empty if it did not
  // RecoverOrDiscard dropped transactions_not_recovered from the live database.
  bool discarded = false;
  // A recovering mode brought back every diverged op.
  bool recovered_everything() const {
    return (mode == "recover" || mode == "recover-or-discard") && ops_not_applicable.empty() &&
           transactions_not_recovered == 0;
  }
};

// The outcome of the last client reset a strategy finished on this database,
// by this Database object or by an earlier process (it is stored with the
// database: `journal status` shows it); nullopt if none ever finished.
// Errors: corruption if the stored outcome does not verify. Thread-safe.
Result<std::optional<ClientResetOutcome>> LastClientResetOutcome(const Database& db);

// For an outcome that discarded writes: which (count, lsn range), why, where
// they are kept, and the `journal` commands that show and apply them.
std::string DescribeDiscardedWrites(const ClientResetOutcome& outcome, std::string_view db_path);

// The recovery root of the database at `db_path`: the sibling directory
// `<db_path>.recovery` (trailing slashes of `db_path` ignored). A demanded
// reset records it in PendingClientReset::recovery_root; listing, verifying
// and garbage-collecting its snapshots is journaldb/recovery_directory.h.
std::string DefaultRecoveryRoot(const std::string& db_path);

// The database's pending client reset, if any. Works read-only.
Result<std::optional<PendingClientReset>> GetPendingClientReset(const Database& db);

// Carries out client resets for one open database. Implemented by the
// strategies in journaldb/client_reset_strategy.h; an app does not implement
// it. The engine calls it on the sync session's thread (or inside Open or
// SyncOnce) with no other reset step running.
class ClientResetStrategy {
 public:
  virtual ~ClientResetStrategy() = default;

  // The server demanded a reset: `pending` is at step kDetected or
  // kSnapshotted. Or, `at_open`, Open found `pending` at any step (a crash or
  // a close left it there) and the strategy resumes it from that step; Open
  // is also where a Manual reset that was not executed runs. Returns OK once
  // local data is wiped or nothing more can run before a download, or
  // client-reset-required to leave the reset pending.
  virtual Status OnResetDemanded(Database& db, const PendingClientReset& pending, bool at_open) = 0;

  // The server state is downloaded after a wipe (step kWiped or kReady):
  // finish the reset (replay, callbacks) and clear the record.
  virtual Status OnServerStateDownloaded(Database& db, const PendingClientReset& pending) = 0;
};

}  // namespace journaldb

#endif  // JOURNALDB_CLIENT_RESET_H_
