#include "journaldb/engine/sync/connection.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <mutex>

#include "db_impl.h"
#include "journaldb/journal/layout.h"
#include "journaldb/protocol/tls.h"

namespace journaldb::sync {

namespace {
// Uploads are split into messages of about this many entry bytes.
constexpr size_t kUploadBatchBytes = 1u << 20;
// A server that sends nothing for this long (beyond a download's wait) is
// considered gone.
constexpr uint32_t kReplyTimeoutMs = 30000;

template <typename T>
Result<T> Expect(Result<wire::Message> m, std::string_view what) {
  if (!m.ok()) return m.status();
  if (T* t = std::get_if<T>(&*m)) return std::move(*t);
  return Status::FailedPrecondition(
      fmt::format("sync: the server answered {} with {}", what, wire::MessageName(*m)));
}
}  // namespace

Status StatusFromWireError(const wire::Error& e) {
  switch (e.code) {
    case wire::ErrorCode::kClientReset: {
      std::string msg = fmt::format("the server demands a client reset ({}): {}",
                                    wire::ResetReasonName(e.reset_reason), e.message);
      std::string restored = fmt::format("restored latest version {}", e.restored_latest_version);
      if (e.reset_reason == wire::ResetReason::kEpochMismatch &&
          e.message.find(restored) == std::string::npos)
        msg += " [" + restored + "]";
      return Status::ClientResetRequired(std::move(msg));
    }
    case wire::ErrorCode::kServerError:
    case wire::ErrorCode::kShuttingDown:
      return Status::IOError(
          fmt::format("sync server: {}: {}", wire::ErrorCodeName(e.code), e.message));
    default:
      break;
  }
  return Status::FailedPrecondition(
      fmt::format("sync server: {}: {}", wire::ErrorCodeName(e.code), e.message));
}

Result<wire::Message> Connection::RoundTrip(const wire::Message& request) {
  if (Status s = SendMessage(socket_, request); !s.ok()) return s;
  return Receive();
}

Result<std::unique_ptr<Connection>> Connection::Open(Database& db, const SyncOptions& options,
                                                     wire::Error* reset) {
  Result<Socket> socket = Socket::Connect(options.server);
  if (!socket.ok()) return socket.status();
  std::unique_ptr<Connection> c(new Connection(db, std::move(socket).value()));
  c->socket_.SetReceiveTimeout(kReplyTimeoutMs + options.download_wait_ms);
  if (options.tls) {
    auto context = TlsContext::ForClient(options.tls_ca_file);
    if (!context.ok()) return context.status();
    const std::string host = sync::ParseAddress(options.server)->first;
    Status s = c->socket_.StartTls(
        **context, host, Socket::Clock::now() + std::chrono::milliseconds(kReplyTimeoutMs));
    if (!s.ok()) {
      if (s.IsFailedPrecondition()) return s;
      return Status::IOError(fmt::format(
          "{}: {} (does the server speak TLS? it does with --tls-cert and --tls-key)",
          options.server, s.message()));
    }
  }
  // Two connections of a client file without an id (a session and a
  // SyncOnce) must not both ask for one: the first hello's answer is adopted
  // before the second reads the cursors.
  std::unique_lock<std::mutex> identity_lock(static_cast<DatabaseImpl&>(db).registration_mu(),
                                             std::defer_lock);
  Result<LocalCursors> cursors = c->integrator_.ReadCursors();
  if (!cursors.ok()) return cursors.status();
  if (cursors->client_id == 0) {
    identity_lock.lock();
    cursors = c->integrator_.ReadCursors();
    if (!cursors.ok()) return cursors.status();
  }
  wire::Hello hello;
  hello.token = options.token;
  hello.client_id = cursors->client_id;
  hello.epoch = cursors->epoch;
  hello.download_cursor = cursors->download_cursor;
  hello.download_hash = cursors->download_hash;
  hello.upload_cursor = cursors->upload_cursor;
  hello.client_secret = cursors->client_secret;
  static_assert(layout::kRegistrationSecretBytes == wire::kClientSecretBytes);
  if (cursors->client_id == 0) {
    Result<std::string> secret = c->integrator_.RegistrationSecret();
    if (!secret.ok()) return secret.status();
    hello.registration_secret = *std::move(secret);
  }
  Result<wire::HelloOk> ok = Expect<wire::HelloOk>(c->RoundTrip(hello), "hello");
  if (!ok.ok()) {
    if (reset != nullptr && ok.status().IsClientResetRequired()) *reset = c->last_reset_;
    return ok.status();
  }
  c->hello_ = *ok;
  // Kept only in the database: a connection object has no use for it later.
  c->hello_.client_secret.clear();
  if (Status s = c->integrator_.AdoptIdentity(ok->client_id, ok->epoch, ok->client_secret); !s.ok())
    return s;
  if (identity_lock.owns_lock()) identity_lock.unlock();
  // Entries below the journal floor were trimmed or wiped: never re-sent.
  // Those the server holds above the upload cursor (an ack lost with a
  // dropped connection, or this database's data went back since it uploaded
  // them) are sent again: the server acknowledges only the entries it
  // stored, and demands a client-rollback reset at the first that differs.
  c->acked_ = cursors->AcknowledgedOrGone();
  c->server_highest_ = ok->highest_stored_lsn;
  return c;
}

Status Connection::BootstrapIfNeeded(bool* bootstrapped) {
  *bootstrapped = false;
  Result<LocalCursors> c = integrator_.ReadCursors();
  if (!c.ok()) return c.status();
  if (c->download_cursor != 0 || (hello_.horizon == 0 && c->bootstrap_version == 0))
    return Status::OK();
  wire::BootstrapRequest request{c->bootstrap_version, c->bootstrap_after};
  for (;;) {
    Result<wire::BootstrapPage> page =
        Expect<wire::BootstrapPage>(RoundTrip(request), "bootstrap-request");
    if (!page.ok()) return page.status();
    if (Status s = integrator_.ApplyBootstrapPage(*page); !s.ok()) return s;
    if (page->last) break;
    request.server_version = page->server_version;
    if (!page->objects.empty()) request.after_key = page->objects.back().key;
  }
  *bootstrapped = true;
  return Status::OK();
}

Status Connection::RecordAck(const wire::UploadAck& ack, Lsn last) {
  if (ack.highest_lsn < last)
    return Status::FailedPrecondition(
        fmt::format("sync: the server acknowledged up to lsn {} of an upload up to {}",
                    ack.highest_lsn, last));
  // The server may hold more of this client (another connection uploaded
  // it, or this database lost entries it had uploaded), but only what this
  // upload carried was compared: the rest is sent and compared next.
  server_highest_ = std::max(server_highest_, ack.highest_lsn);
  if (Status s = integrator_.RecordUploadAck(last, ack.acks); !s.ok()) return s;
  acked_ = std::max(acked_, last);
  return Status::OK();
}

Status Connection::CheckServerHoldsNoMore() {
  if (server_highest_ <= acked_) return Status::OK();
  // Read after server_highest_ was learned: an lsn the server held then was
  // committed here before, unless this database lost it.
  Result<LocalCursors> cursors = integrator_.ReadCursors();
  if (!cursors.ok()) return cursors.status();
  if (server_highest_ <= cursors->last_lsn) return Status::OK();  // sent next
  // Its next commits would reuse lsns the server holds: reset instead, with
  // every entry the server found the same held.
  last_reset_ = wire::Error{
      wire::ErrorCode::kClientReset,
      fmt::format("the server holds lsn {} of client {}, but this database's last lsn is {}: "
                  "its data went back (a restored backup or a damaged log), or another copy "
                  "of it synced",
                  server_highest_, hello_.client_id, cursors->last_lsn),
      wire::ResetReason::kClientRollback, acked_};
  return StatusFromWireError(last_reset_);
}

Result<uint64_t> Connection::UploadAll() {
  uint64_t acked = 0;
  for (;;) {
    Result<std::vector<wire::UploadEntry>> entries =
        integrator_.ReadUnuploaded(acked_, kUploadBatchBytes);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) {
      if (Status s = CheckServerHoldsNoMore(); !s.ok()) return s;
      return acked;
    }
    Lsn last = entries->back().lsn;
    size_t count = entries->size();
    wire::Upload upload{hello_.client_id, std::move(entries).value()};
    Result<wire::UploadAck> ack = Expect<wire::UploadAck>(RoundTrip(upload), "upload");
    if (!ack.ok()) return ack.status();
    if (Status s = RecordAck(*ack, last); !s.ok()) return s;
    acked += count;
  }
}

Result<wire::Message> Connection::Receive() {
  Result<wire::Message> reply = ReceiveMessage(socket_);
  if (!reply.ok()) {
    // Bytes the server sent that fail verification: the connection is
    // useless, but retrying may help (a proxy cut it), so report I/O.
    if (reply.status().IsCorruption())
      return Status::IOError(
          fmt::format("sync: bad frame from server: {}", reply.status().message()));
    return reply.status();
  }
  if (auto* e = std::get_if<wire::Error>(&*reply)) {
    if (e->code == wire::ErrorCode::kClientReset) last_reset_ = *e;
    return StatusFromWireError(*e);
  }
  return reply;
}

Result<bool> Connection::WaitForReplyOrWake(int wake_fd) {
  if (socket_.HasBufferedBytes()) return false;
  for (;;) {
    pollfd fds[2] = {{socket_.fd(), POLLIN, 0}, {wake_fd, POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError("sync: poll failed");
    if (fds[1].revents & POLLIN) {
      uint64_t count = 0;
      (void)!::read(wake_fd, &count, sizeof count);
      return true;
    }
    return false;  // the reply (or an error or close) is there
  }
}

Result<uint64_t> Connection::DownloadOnce(uint32_t wait_ms, bool* caught_up, int wake_fd) {
  *caught_up = false;
  Result<LocalCursors> c = integrator_.ReadCursors();
  if (!c.ok()) return c.status();
  wire::DownloadRequest request{c->download_cursor, wait_ms};
  if (Status s = SendMessage(socket_, request); !s.ok()) return s;
  // A local commit while the server waits: upload it now instead of after.
  Lsn early_upload_last = 0;
  if (wait_ms > 0 && wake_fd >= 0) {
    Result<bool> woken = WaitForReplyOrWake(wake_fd);
    if (!woken.ok()) return woken.status();
    if (*woken) {
      Result<std::vector<wire::UploadEntry>> entries =
          integrator_.ReadUnuploaded(acked_, kUploadBatchBytes);
      if (!entries.ok()) return entries.status();
      if (!entries->empty()) {
        early_upload_last = entries->back().lsn;
        wire::Upload upload{hello_.client_id, std::move(entries).value()};
        if (Status s = SendMessage(socket_, upload); !s.ok()) return s;
      }
    }
  }
  Result<wire::Changesets> reply = Expect<wire::Changesets>(Receive(), "download-request");
  if (!reply.ok()) return reply.status();
  if (early_upload_last != 0) {
    Result<wire::UploadAck> ack = Expect<wire::UploadAck>(Receive(), "upload");
    if (!ack.ok()) return ack.status();
    if (Status s = RecordAck(*ack, early_upload_last); !s.ok()) return s;
  }
  if (!reply->changesets.empty() &&
      reply->changesets.front().server_version != c->download_cursor + 1)
    return Status::FailedPrecondition(
        fmt::format("sync: asked for changesets after version {}, got version {}",
                    c->download_cursor, reply->changesets.front().server_version));
  Result<size_t> applied = integrator_.ApplyChangesets(reply->changesets, reply->chain_hash);
  if (!applied.ok()) return applied.status();
  uint64_t reached =
      reply->changesets.empty() ? c->download_cursor : reply->changesets.back().server_version;
  *caught_up = reached >= reply->latest_version;
  return uint64_t{*applied};
}

}  // namespace journaldb::sync
