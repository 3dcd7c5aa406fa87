// Sync: the client side of syncing a database with a journal-server
// (docs/protocol.md, docs/merge-semantics.md).
//
//   journaldb::Options options;
//   options.sync.server = "127.0.0.1:7000";
//   auto db = journaldb::Database::Open("/data/app.journaldb", options).value();
//   journaldb::Status s = db->sync_session()->wait_for_upload(std::chrono::seconds(5));
//
// A session runs on a background thread per open database: it connects,
// uploads unacknowledged journal entries in lsn order, downloads and
// integrates the server's changesets, and reconnects with backoff after
// retryable errors. SyncOnce() runs one round synchronously instead.
//
// Thread safety: every SyncSession method may be called from any thread.
// Listeners run on the session's thread; they must not call Pause(),
// Resume() or the wait functions of their own session.
#ifndef JOURNALDB_SYNC_H_
#define JOURNALDB_SYNC_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "journaldb/client_reset.h"
#include "journaldb/database.h"
#include "journaldb/options.h"
#include "journaldb/status.h"

namespace journaldb {

enum class SyncState {
  kDisconnected,  // not connected; retrying after a backoff unless paused
  kConnecting,    // connecting and saying hello
  kActive,        // connected: uploading and downloading
  kError,         // stopped by an error that retrying cannot fix (see last_error())
};

// "disconnected", "connecting", "active" or "error".
std::string_view SyncStateName(SyncState state);

// Called with each new state and the error that caused it (OK otherwise).
using SyncListener = std::function<void(SyncState state, const Status& error)>;

class SyncSession {
 public:
  virtual ~SyncSession() = default;

  virtual SyncState state() const = 0;
  // The last error the session met; OK if none since the last successful
  // connection. A client reset is reported as client-reset-required (state
  // kError); unauthorized, unsupported protocol and protocol errors as
  // failed-precondition (state kError); network errors as I/O errors (the
  // session retries); a database that stopped accepting writes after one
  // failed for good (a full disk) as an I/O error in state kError: reopen it.
  virtual Status last_error() const = 0;

  // Returns an id for RemoveListener.
  virtual uint64_t AddListener(SyncListener listener) = 0;
  virtual void RemoveListener(uint64_t id) = 0;

  // Blocks until every entry committed before the call is acknowledged by
  // the server (durably stored). I/O error on timeout; the session's error
  // if it enters kError.
  virtual Status wait_for_upload(std::chrono::milliseconds timeout) = 0;
  // Blocks until a download that began after the call has integrated
  // everything the server had. Errors as for wait_for_upload.
  virtual Status wait_for_download(std::chrono::milliseconds timeout) = 0;

  // Disconnects and stays disconnected until Resume(). Resume() also
  // retries after a kError state: the state becomes kDisconnected at once,
  // so a wait started after Resume() waits for the retry (last_error()
  // still names what stopped the session until a connection succeeds).
  virtual void Pause() = 0;
  virtual void Resume() = 0;
};

// What one synchronous round did.
struct SyncReport {
  uint64_t client_id = 0;
  uint64_t epoch = 0;
  uint64_t uploaded_entries = 0;       // entries the server acknowledged in this round
  uint64_t downloaded_changesets = 0;  // changesets integrated in this round
  uint64_t download_cursor = 0;
  uint64_t upload_cursor = 0;
  bool bootstrapped = false;  // the round downloaded the server's full state
  // A client reset ran in this call: the server demanded it and the
  // database's strategy carried it out, or a reset left pending before
  // (executed at Open or by hand) finished here (journaldb/client_reset.h).
  bool reset = false;
  // What a strategy's reset did, if one finished in this call or at this
  // database's Open since the last report: replayed, skipped, not
  // applicable, discarded. When it discarded writes (RecoverOrDiscard), the
  // database's last sync error (SyncStatus::last_error) says so, naming them,
  // until the next sync.
  std::optional<ClientResetOutcome> client_reset;
};

// What a database knows of its sync, for `journal status`.
struct SyncStatus {
  uint64_t client_id = 0;         // 0: no server assigned one yet
  uint64_t epoch = 0;             // 0: never synced
  uint64_t download_cursor = 0;   // last server version integrated
  uint64_t upload_cursor = 0;     // highest lsn the server acknowledged
  Lsn last_lsn = 0;               // highest lsn assigned
  uint64_t unsynced_entries = 0;  // journal entries above the upload cursor
  // The last sync error ("code: message"), empty if the last sync attempt
  // succeeded or there was none. Recorded by SyncOnce and by sessions; once
  // this open of the database stopped accepting writes, that stop (every
  // sync fails with it until the database is reopened).
  std::string last_error;
};

// Reads the sync status; works on a database opened read-only.
Result<SyncStatus> GetSyncStatus(const Database& db);

// Makes a database that never synced a client of its own at its first sync:
// draws it a new registration secret, fsynced. A copy of a database that
// never synced registers as the client the original became (so a backup put
// back applies nothing twice: docs/client-reset.md); a copy handed out on
// purpose as the start of another database (shipped with an app, in a
// device image) needs this before it first syncs. FailedPrecondition if
// the database has a client id: a copy of a synced database is that client,
// and only a client reset makes it another.
Status DrawNewRegistrationSecret(Database& db);

// Checks `options` without connecting: a server address that is not
// HOST:PORT with a decimal port up to 65535 is invalid-argument naming
// Options::sync.server and the address; a TLS CA file that cannot be loaded
// (or is set without tls) is invalid-argument naming
// Options::sync.tls_ca_file. An empty server is valid (no sync).
// Database::Open and SyncOnce call it first.
Status ValidateSyncOptions(const SyncOptions& options);

// Connects to options.server, uploads every unacknowledged entry, downloads
// until caught up with the server, and disconnects. Errors as for
// SyncSession::last_error(); an invalid address (ValidateSyncOptions) is
// returned without being recorded as the database's last error. May run while
// a session is active.
Result<SyncReport> SyncOnce(Database& db, const SyncOptions& options);

}  // namespace journaldb

#endif  // JOURNALDB_SYNC_H_
