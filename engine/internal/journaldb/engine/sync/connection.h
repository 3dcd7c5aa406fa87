// Connection: one greeted connection of a client database to a
// journal-server, and the protocol steps a sync round is made of. Used by
// the background Session and by SyncOnce.
//
// Thread safety: one thread drives a Connection; Shutdown() may be called
// from another to make a blocked step fail promptly.
#ifndef JOURNALDB_ENGINE_SYNC_CONNECTION_H_
#define JOURNALDB_ENGINE_SYNC_CONNECTION_H_

#include <memory>

#include "journaldb/options.h"
#include "journaldb/status.h"
#include "journaldb/engine/sync/integrator.h"
#include "journaldb/protocol/socket.h"

namespace journaldb::sync {

// The Status a received protocol error becomes: client-reset-required for a
// client reset, I/O error for server-error and shutting-down (retryable),
// failed-precondition for the rest.
Status StatusFromWireError(const wire::Error& e);

class Connection {
 public:
  // Connects, says hello and records the identity the server confirms. A
  // client-reset answer is also copied to `*reset` when given.
  static Result<std::unique_ptr<Connection>> Open(Database& db, const SyncOptions& options,
                                                  wire::Error* reset = nullptr);

  // Downloads the server's full state if this database has never downloaded
  // and the server trimmed its history (or a bootstrap was interrupted).
  // Sets *bootstrapped when it did.
  Status BootstrapIfNeeded(bool* bootstrapped);
  // Uploads every entry not yet acknowledged; returns how many the server
  // acknowledged.
  Result<uint64_t> UploadAll();
  // One download request; returns how many changesets were integrated and
  // sets *caught_up if the download cursor reached the server's latest
  // version. With `wake_fd` (readable when a local commit happened), a
  // request that waits on the server is followed at once by an upload of the
  // new entries, which also ends the server's wait; its ack is read after
  // the changesets.
  Result<uint64_t> DownloadOnce(uint32_t wait_ms, bool* caught_up, int wake_fd = -1);

  const wire::HelloOk& hello() const { return hello_; }
  // The last client-reset error the server sent on this connection.
  const wire::Error& last_reset() const { return last_reset_; }
  void Shutdown() { socket_.Shutdown(); }

 private:
  Connection(Database& db, Socket socket) : integrator_(db), socket_(std::move(socket)) {}
  // Sends `request` and receives the reply; a received Error becomes its Status.
  Result<wire::Message> RoundTrip(const wire::Message& request);
  Result<wire::Message> Receive();
  // Blocks until the socket or `wake_fd` is readable; true if woken (and
  // the wake counter consumed).
  Result<bool> WaitForReplyOrWake(int wake_fd);
  // Checks an ack covers up to `last` and moves the upload cursor there.
  Status RecordAck(const wire::UploadAck& ack, Lsn last);
  // Once every entry is uploaded: a client-rollback reset if the server
  // holds lsns of this client beyond this database's last one.
  Status CheckServerHoldsNoMore();

  Integrator integrator_;
  Socket socket_;
  wire::HelloOk hello_;
  Lsn acked_ = 0;           // highest lsn the server holds as this database has it
  Lsn server_highest_ = 0;  // highest lsn of this client the server said it holds
  wire::Error last_reset_;  // the last client-reset error received
};

}  // namespace journaldb::sync

#endif  // JOURNALDB_ENGINE_SYNC_CONNECTION_H_
