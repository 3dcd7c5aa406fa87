// ServerStorage: everything the sync server keeps, behind one interface
// (docs/server.md): the history of changesets by server version with its
// hash chain (chain_hash.h), the epoch and its fork points, the client
// registry with each client's secret hash, the origin index that makes
// re-uploads idempotent, and the current state served to bootstrapping
// clients. Two stores implement it: ServerStore, a
// RocksDB data directory (the embedded default, `--data DIR`), and
// PostgresStore, one PostgreSQL database shared by any number of server
// nodes (`--postgres CONNINFO`).
//
//   std::unique_ptr<ServerStorage> store = OpenStorage(location, false).value();
//   Result<AdmissionView> view =
//       store->ReadAdmissionView(hello.client_id, hello.epoch, hello.download_cursor);
//   store->AppendUploads(jobs);  // one group commit
//
// Thread safety: every method may be called from any thread, concurrently,
// except AppendUploads, which one thread (the server's committer) calls.
#ifndef JOURNALDB_SERVER_SERVER_STORAGE_H_
#define JOURNALDB_SERVER_SERVER_STORAGE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journaldb/protocol/wire_codec.h"
#include "journaldb/server/admission.h"
#include "journaldb/server/chain_hash.h"
#include "journaldb/status.h"

namespace journaldb::server {

// One connection's upload, waiting for the committer.
struct UploadJob {
  uint64_t client_id = 0;
  std::vector<wire::UploadEntry> entries;
  // Filled by AppendUploads:
  wire::UploadAck ack;
  Status status;
  // status refuses an entry the server will not apply (its list work is over
  // kMaxUploadListWork): a BadFrame, as an oversized entry is.
  bool entry_refused = false;
  // With a client-reset-required status: a re-upload differs from the entry
  // stored under its lsn; the client's entries up to this lsn are held.
  Lsn rolled_back_after = 0;
  // With an ok status, below entries.size(): the group commit took its
  // share of work from this upload; the entries from here on go to the
  // next group (docs/server.md, "Limits").
  size_t next_entry = 0;
  bool done = false;  // set by the committer, under its mutex

  // Whether a group commit stored part of this upload and left the entries
  // from next_entry on for the next group; ack.highest_lsn is then the last
  // lsn stored.
  bool continues() const { return status.ok() && next_entry > 0 && next_entry < entries.size(); }
};

// A consistent read view of the state for one bootstrap: every page and the
// client's highest lsn come from the state at version(). Released (and its
// resources with it) when destroyed.
class StateSnapshot {
 public:
  virtual ~StateSnapshot() = default;
  // The server version the snapshot shows, and the chain hash there.
  virtual uint64_t version() const = 0;
  virtual ChainHash chain_hash() const = 0;
  // The client's highest stored lsn as the snapshot shows it (0 if unknown).
  virtual Result<Lsn> ClientHighestLsn(uint64_t client_id) = 0;
  // Objects after `after_key` in key order: the first, and more while their
  // wire::EncodedSize() sum stays within `max_bytes` (capped at what one
  // frame carries); page->last once the state is exhausted.
  virtual Status ReadStatePage(std::string_view after_key, size_t max_bytes,
                               wire::BootstrapPage* page) = 0;
};

class ServerStorage {
 public:
  virtual ~ServerStorage() = default;

  // Where the store lives, for the server's start line ("data=DIR").
  virtual std::string Describe() const = 0;

  // The lineage as this node last saw it. A single-process store always
  // knows the truth; nodes on a shared database learn of other nodes'
  // commits, trims and epochs with a delay, so decisions that must not lag
  // (a hello, a cursor beyond the known latest) read the store instead.
  virtual uint64_t epoch() const = 0;
  virtual uint64_t latest_version() const = 0;
  virtual uint64_t horizon() const = 0;
  // The latest version as stored now (and remembered as latest_version()).
  virtual Result<uint64_t> ReadLatestVersion() = 0;
  // Called, from any thread, after latest_version() rose because of a
  // commit this process did not make itself. Set before serving.
  virtual void SetNewVersionsCallback(std::function<void()> callback) = 0;
  // Where the store writes lines about itself for the server's log, one
  // call per line, from any thread (the RocksDB store: that it stopped
  // accepting writes, and why). Set before serving; `log` must stay
  // callable until the store is destroyed.
  virtual void SetLog(std::function<void(const std::string&)> log) = 0;

  // What admission decides a hello on, read from one state of the store:
  // the lineage, the registry entry of `client_id` (0: none), the fork
  // version of `client_epoch` if it is not the current epoch, and the chain
  // hash at `download_cursor` (as ChainHashAt). An error (storage
  // unreachable) means the hello cannot be decided now.
  virtual Result<AdmissionView> ReadAdmissionView(uint64_t client_id, uint64_t client_epoch,
                                                  uint64_t download_cursor) = 0;
  // The client registered with the secret hashing to `secret_hash`, if the
  // registry holds one (a client file proposes its own secret: a copy of it
  // that never synced finds the client the original became).
  virtual Result<std::optional<uint64_t>> FindClientBySecret(const SecretHash& secret_hash) = 0;
  // Hands out a new client id whose hellos must carry the secret hashing to
  // `secret_hash`; both durable before it returns. The registration records
  // the time and is not yet used (ClientRecord). Busy if a registration
  // holds that secret (two copies of a client file registering at once: the
  // second finds the first's on its retry).
  virtual Result<uint64_t> RegisterClient(const SecretHash& secret_hash) = 0;
  // Marks the registration of `client_id` used, durably, if it was not: its
  // client came back (a hello with its id). An upload marks it used by
  // itself. NotFound if the registry no longer holds it (it expired).
  virtual Status MarkClientUsed(uint64_t client_id) = 0;

  // Stores the jobs' entries as changesets with the next server versions
  // and their chain hashes (skipping lsns a client already has stored,
  // which are acknowledged with their original server version), applies
  // them to the state, all durably and atomically. Fills each job's ack and
  // status. A job that took its share of the group's work is stored up to
  // job->next_entry (its status ok, its ack so far kept in it): pass it
  // again, in a later call, until its next_entry reaches its entries' end.
  virtual void AppendUploads(const std::vector<UploadJob*>& jobs) = 0;

  // Changesets with server versions in (from, latest_version()]: the first,
  // and more while their wire::EncodedSize() sum stays within `max_bytes`
  // (capped at what one frame carries). A missing version is corruption.
  virtual Status ReadChangesets(uint64_t from, size_t max_bytes,
                                std::vector<wire::Changeset>* out) = 0;

  // The chain hash at `version`: kChainStart at 0, the stored one for the
  // horizon (kept by trims) up to the latest version; nullopt below the
  // horizon or beyond the latest version.
  virtual Result<std::optional<ChainHash>> ChainHashAt(uint64_t version) = 0;

  // A consistent view of the state for a bootstrap.
  virtual Result<std::unique_ptr<StateSnapshot>> NewSnapshot() = 0;

  // --- operator changes (docs/server.md) ---
  // Removes changesets with server version < `below` and their chain
  // hashes but the new horizon's (below - 1); clients whose download cursor
  // is below the new horizon must reset. Returns how many were removed.
  virtual Result<uint64_t> TrimBelow(uint64_t below) = 0;
  // The lowest version whose changeset is younger than `age_seconds`
  // (latest + 1 if none is; the horizon, which trims nothing, if the age is
  // longer than the clock has run), for TrimBelow.
  virtual Result<uint64_t> FirstVersionYoungerThan(uint64_t age_seconds) = 0;
  // Forces a client reset of `client_id` at its next hello; NotFound if the
  // registry has no such client.
  virtual Status ResetClient(uint64_t client_id) = 0;
  // Removes the registrations made before `registered_before_us`
  // (microseconds since the Unix epoch) that were never used: their clients
  // never uploaded and never came back with a hello, so nothing else refers
  // to them. Such a client that comes back is unknown (UnknownClient).
  // Registrations from before servers kept the time count as used. Returns
  // how many were removed.
  virtual Result<uint64_t> RemoveUnusedRegistrations(int64_t registered_before_us) = 0;
  // Starts a new epoch (after a restore from backup), recording the latest
  // version as the old epoch's fork point. `replaced`, the store the
  // restore replaces (may be null), passes on two things: client ids
  // continue after the ones it handed out, so no id names two clients; and
  // where its own epoch shares history with this one.
  virtual Result<uint64_t> StartNewEpoch(ServerStorage* replaced) = 0;
  // The last server version that `old_epoch` shares with the current
  // lineage: the latest version when a restore left it. Versions above it
  // in `old_epoch` were rolled back, even where the current lineage has
  // since reached the same numbers. nullopt if `old_epoch` is no ancestor
  // this store knows.
  virtual Result<std::optional<uint64_t>> ForkVersion(uint64_t old_epoch) = 0;
  // The id the next registered client gets.
  virtual Result<uint64_t> NextClientId() = 0;
};

// Where a server's state lives: exactly one of the two is set.
struct StorageLocation {
  // A RocksDB data directory (ServerStore).
  std::string data_dir;
  // A libpq connection string of a PostgreSQL database (PostgresStore).
  std::string postgres;
};

// Opens the store at `location`. A data directory is created (with a fresh
// random epoch) if `create` and it holds nothing (Init, `journal-server
// init`, is the one caller that asks), else it must hold data; a PostgreSQL
// database must have been initialised (InitPostgres) either way.
Result<std::unique_ptr<ServerStorage>> OpenStorage(const StorageLocation& location, bool create);

// Descriptors the store at `location` holds at most once open (table files
// and logs, or database connections): the server keeps them free of
// connections (docs/server.md, "Open files").
uint64_t StorageFilesNeeded(const StorageLocation& location);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_SERVER_STORAGE_H_
