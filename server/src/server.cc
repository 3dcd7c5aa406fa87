#include "journaldb/server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <exception>
#include <system_error>

#include "journaldb/server/admission.h"
#include "journaldb/server/upload_lsns.h"
#include "journaldb/server/log_line.h"
#include "rate_limited_log.h"
#include "registration_sweeper.h"
#include "source_throttle.h"

namespace journaldb::server {

namespace {
using Clock = std::chrono::steady_clock;

// An accept that failed (out of file descriptors or memory) is retried after
// a pause that doubles up to the maximum, so the loop does not spin.
constexpr std::chrono::milliseconds kMinAcceptBackoff{10};
constexpr std::chrono::milliseconds kMaxAcceptBackoff{1000};

// The IP address of "ip:port".
std::string SourceOf(const std::string& peer) { return peer.substr(0, peer.rfind(':')); }

bool IsLoopback(const std::string& listen) {
  Result<std::pair<std::string, uint16_t>> address = sync::ParseAddress(listen);
  in_addr ip{};
  if (!address.ok() || ::inet_pton(AF_INET, address->first.c_str(), &ip) != 1) return false;
  return (ntohl(ip.s_addr) >> 24) == 127;
}
}  // namespace

struct Server::Connection {
  uint64_t id = 0;
  std::string peer;
  std::string source;  // the peer's IP address
  Clock::time_point accepted_at;
  sync::Socket socket;
  std::thread thread;
  bool finished = false;  // guarded by Server::mu_
  // Set by a successful hello.
  bool greeted = false;
  uint64_t client_id = 0;
  // A bootstrap in progress on this connection.
  std::unique_ptr<StateSnapshot> bootstrap;
};

Server::Server(ServerOptions options)
    : options_(std::move(options)),
      limited_log_(std::make_unique<RateLimitedLog>()),
      wrong_tokens_(
          std::make_unique<SourceThrottle>(kMaxWrongTokensPerMinute, std::chrono::minutes(1))),
      frame_budget_(options_.max_inflight_frame_bytes) {}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  if (options.data_dir.empty() == options.postgres.empty())
    return Status::InvalidArgument("server: exactly one of --data and --postgres is required");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty())
    return Status::InvalidArgument(
        "server: TLS needs both a certificate chain (--tls-cert) and its key (--tls-key)");
  std::shared_ptr<const sync::TlsContext> tls;
  if (!options.tls_cert_file.empty()) {
    auto context = sync::TlsContext::ForServer(options.tls_cert_file, options.tls_key_file);
    if (!context.ok()) return Status::InvalidArgument("server: " + context.status().message());
    tls = std::move(context).value();
  }
  const bool loopback = IsLoopback(options.listen);
  if (!loopback && !options.insecure && (options.token.empty() || tls == nullptr))
    return Status::InvalidArgument(fmt::format(
        "server: listening on {}, beyond loopback, needs {} (or --insecure to {})",
        options.listen,
        tls == nullptr && options.token.empty()
            ? "TLS (--tls-cert and --tls-key) and a token (--token-file or JOURNALDB_SERVER_TOKEN)"
        : tls == nullptr ? "TLS (--tls-cert and --tls-key): the token and all data would cross "
                           "the network in cleartext"
                         : "a token (--token-file or JOURNALDB_SERVER_TOKEN)",
        tls == nullptr ? "serve in cleartext" : "accept any client"));
  std::unique_ptr<Server> s(new Server(options));
  s->tls_ = std::move(tls);
  Result<std::unique_ptr<ServerStorage>> store =
      OpenStorage({options.data_dir, options.postgres}, /*create=*/false);
  if (!store.ok()) return store.status();
  s->store_ = std::move(store).value();
  // Commits of other nodes on a shared database end downloads' waits too.
  s->store_->SetNewVersionsCallback([p = s.get()] {
    std::lock_guard<std::mutex> lock(p->mu_);
    p->version_cv_.notify_all();
  });
  if (options.expire_unused_registrations_after_s > 0) {
    auto sweeper =
        RegistrationSweeper::Start(s->store_.get(), options.expire_unused_registrations_after_s,
                                   [p = s.get()](const std::string& l) { p->Log(l); });
    if (!sweeper.ok()) return sweeper.status();
    s->sweeper_ = std::move(sweeper).value();
  }
  Result<sync::Listener> listener = sync::Listener::Listen(options.listen);
  if (!listener.ok()) return listener.status();
  s->listener_ = std::move(listener).value();
  if (::pipe2(s->stop_pipe_, O_CLOEXEC) != 0) return Status::IOError("server: cannot create pipe");
  try {
    s->commit_thread_ = std::thread([p = s.get()] { p->CommitLoop(); });
    s->accept_thread_ = std::thread([p = s.get()] { p->AcceptLoop(); });
  } catch (const std::system_error& e) {
    return Status::IOError(fmt::format("server: cannot start its threads: {}", e.what()));
  }
  s->Log(fmt::format("start {} epoch={} latest_version={} horizon={} tls={}",
                     s->store_->Describe(), s->store_->epoch(), s->store_->latest_version(),
                     s->store_->horizon(), s->tls_ != nullptr ? "on" : "off"));
  if (!loopback && options.token.empty())
    s->Log(fmt::format("warning: --insecure: any client may connect on {} without a token",
                       options.listen));
  if (!loopback && s->tls_ == nullptr)
    s->Log(fmt::format("warning: --insecure: tokens and data cross {} in cleartext",
                       options.listen));
  return s;
}

Server::~Server() {
  Stop();
  for (int fd : stop_pipe_)
    if (fd >= 0) ::close(fd);
}

void Server::Log(const std::string& line) {
  if (options_.log == nullptr) return;
  std::string safe = LogLine(line);
  std::lock_guard<std::mutex> lock(log_mu_);
  *options_.log << safe << std::endl;
}

void Server::LogLimited(const char* kind, std::string line) {
  if (std::optional<std::string> admitted = limited_log_->Admit(kind, std::move(line)))
    Log(*admitted);
}

void Server::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    for (auto& c : connections_) c->socket.Shutdown();
  }
  queue_cv_.notify_all();
  version_cv_.notify_all();
  done_cv_.notify_all();
  char byte = 0;
  if (stop_pipe_[1] >= 0) (void)!::write(stop_pipe_[1], &byte, 1);
  if (accept_thread_.joinable()) accept_thread_.join();
  std::list<std::unique_ptr<Connection>> conns;
  {
    std::lock_guard<std::mutex> lock(mu_);
    conns.swap(connections_);
  }
  for (auto& c : conns)
    if (c->thread.joinable()) c->thread.join();
  if (commit_thread_.joinable()) commit_thread_.join();
  Log("stop");
  sweeper_.reset();
  store_.reset();
}

void Server::ReapFinished() {
  std::list<std::unique_ptr<Connection>> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->finished) {
        done.push_back(std::move(*it));
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : done) c->thread.join();
}

void Server::AcceptLoop() {
  std::chrono::milliseconds backoff{0};
  for (;;) {
    if (backoff.count() > 0) {
      // Only the stop pipe is watched: the listener stays readable while the
      // connection that could not be accepted waits in its queue.
      pollfd stop{stop_pipe_[0], POLLIN, 0};
      if (::poll(&stop, 1, static_cast<int>(backoff.count())) > 0) break;
    }
    pollfd fds[2] = {{listener_.fd(), POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    int n = ::poll(fds, 2, 1000);
    if (n < 0 && errno != EINTR) break;
    ReapFinished();
    if (fds[1].revents != 0) break;
    if (n <= 0 || (fds[0].revents & POLLIN) == 0) {
      backoff = std::chrono::milliseconds{0};  // nobody waits to be accepted
      continue;
    }
    std::string peer;
    Result<sync::Socket> sock = listener_.Accept(&peer);
    if (!sock.ok()) {
      backoff = std::clamp(backoff * 2, kMinAcceptBackoff, kMaxAcceptBackoff);
      LogLimited("accept", fmt::format("accept failed: {}; retrying in {} ms",
                                       sock.status().ToString(), backoff.count()));
      continue;
    }
    backoff = std::chrono::milliseconds{0};
    if (!ServeAccepted(std::move(sock).value(), std::move(peer))) break;
  }
}

std::string Server::OverConnectionLimit(const std::string& source) const {
  if (open_connections_ >= options_.max_connections)
    return fmt::format("the server serves {} connections, its limit", open_connections_);
  auto it = open_by_source_.find(source);
  if (it != open_by_source_.end() && it->second >= options_.max_connections_per_source)
    return fmt::format("{} connections from {} are open, the limit per address", it->second,
                       source);
  return std::string();
}

bool Server::ServeAccepted(sync::Socket socket, std::string peer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return false;
  std::string source = SourceOf(peer);
  if (std::string why = OverConnectionLimit(source); !why.empty()) {
    LogLimited("refuse", fmt::format("refuse peer={} ({})", peer, why));
    // A fresh socket's send buffer is empty: this small write does not block.
    // A TLS peer could not read it, and a handshake is what the cap saves.
    if (tls_ == nullptr)
      sync::SendMessage(socket, wire::Error{wire::ErrorCode::kServerError, why + "; retry later",
                                            wire::ResetReason::kNone, 0})
          .IgnoreError();
    return true;
  }
  auto c = std::make_unique<Connection>();
  c->id = next_connection_id_++;
  c->peer = std::move(peer);
  c->source = source;
  c->accepted_at = Clock::now();
  c->socket = std::move(socket);
  c->socket.SetSendTimeout(options_.frame_timeout_ms);
  Connection* raw = c.get();
  connections_.push_back(std::move(c));
  try {
    raw->thread = std::thread([this, raw] { Serve(raw); });
  } catch (const std::exception& e) {
    // Out of threads or memory: this connection closes, the server goes on.
    LogLimited("thread",
               fmt::format("refuse peer={} (cannot start its thread: {})", raw->peer, e.what()));
    connections_.pop_back();
    return true;
  }
  ++open_connections_;
  ++open_by_source_[source];
  return true;
}

void Server::CommitLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping with nothing left to store
    std::vector<UploadJob*> group(queue_.begin(), queue_.end());
    queue_.clear();
    lock.unlock();
    store_->AppendUploads(group);
    lock.lock();
    for (UploadJob* job : group) job->done = true;
    done_cv_.notify_all();
    version_cv_.notify_all();
  }
}

void Server::SendError(Connection* c, wire::ErrorCode code, std::string message,
                       wire::ResetReason reason, uint64_t restored_latest) {
  Log(fmt::format("error conn={} client={} code={}{} message={}", c->id, c->client_id,
                  wire::ErrorCodeName(code),
                  reason == wire::ResetReason::kNone
                      ? std::string()
                      : fmt::format(" reason={}", wire::ResetReasonName(reason)),
                  message));
  wire::Error e{code, std::move(message), reason, restored_latest};
  (void)Send(c, e);  // the connection closes after an error either way
}

bool Server::Send(Connection* c, const wire::Message& m) {
  Status s = sync::SendMessage(c->socket, m);
  if (s.ok()) return true;
  // Peers that vanish make this common: rate-limited like every line a
  // client can cause in bulk.
  LogLimited("send", fmt::format("send failed conn={} client={} message={}: {}", c->id,
                                 c->client_id, wire::MessageName(m), s.ToString()));
  // A message too large for a frame was not written: the client can still
  // be told why, rather than seeing the connection close.
  if (s.IsInvalidArgument() && !std::holds_alternative<wire::Error>(m))
    SendError(c, wire::ErrorCode::kServerError,
              fmt::format("cannot send {}: {}", wire::MessageName(m), s.message()));
  return false;
}

bool Server::StartTls(Connection* c, std::string* why) {
  const Clock::time_point deadline =
      c->accepted_at + std::chrono::milliseconds(options_.hello_timeout_ms);
  // A TLS connection opens with a handshake record (type 22); a cleartext
  // client's first byte is a frame length's lowest byte, and it can read a
  // cleartext error.
  unsigned char first = 0;
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd readable{c->socket.fd(), POLLIN, 0};
    int n = left > 0 ? ::poll(&readable, 1, static_cast<int>(left)) : 0;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *why = "before hello: no TLS handshake began before the deadline";
      return false;
    }
    ssize_t r = ::recv(c->socket.fd(), &first, 1, MSG_PEEK);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;  // "peer closed"
    break;
  }
  if (first != 22) {
    SendError(c, wire::ErrorCode::kBadFrame,
              "this server speaks TLS only: connect with TLS (journal sync --tls)");
    *why = "before hello: a cleartext client on a TLS server";
    return false;
  }
  if (Status s = c->socket.StartTls(*tls_, "", deadline); !s.ok()) {
    *why = fmt::format("before hello: {}", s.message());
    return false;
  }
  return true;
}

void Server::Serve(Connection* c) {
  Log(fmt::format("connect conn={} peer={}", c->id, c->peer));
  std::string why = "peer closed";
  try {
    const bool open = tls_ == nullptr || StartTls(c, &why);
    while (open) {
      // Before the hello only a small frame, due by the hello deadline; then
      // frames up to the protocol's limit, each begun within the idle
      // timeout and completed within the frame timeout.
      sync::FrameReadLimits limits;
      limits.budget = &frame_budget_;
      if (!c->greeted) {
        limits.max_bytes = kMaxHelloFrameBytes;
        limits.frame_deadline =
            c->accepted_at + std::chrono::milliseconds(options_.hello_timeout_ms);
      } else {
        limits.first_byte_deadline =
            Clock::now() + std::chrono::milliseconds(options_.idle_timeout_ms);
        limits.frame_timeout = std::chrono::milliseconds(options_.frame_timeout_ms);
      }
      // Held until the frame is handled: its bytes count against the budget.
      sync::ByteBudget::Lease lease(&frame_budget_);
      Result<std::string> body = c->socket.ReadFrame(limits, &lease);
      if (!body.ok()) {
        if (body.status().IsCorruption())
          SendError(c, wire::ErrorCode::kBadFrame, body.status().message());
        if (body.status().IsBusy())
          SendError(c, wire::ErrorCode::kServerError, body.status().message() + "; retry later");
        why = c->greeted ? body.status().message()
                         : fmt::format("before hello: {}", body.status().message());
        break;
      }
      Result<wire::Message> m = wire::DecodeMessage(*body);
      if (!m.ok()) {
        SendError(c, wire::ErrorCode::kBadFrame, m.status().message());
        why = "bad frame";
        break;
      }
      if (!Handle(c, *m)) {
        why = "closed after error";
        break;
      }
    }
  } catch (const std::exception& e) {
    // Out of memory (or another resource) while serving: this connection
    // ends, the server goes on.
    why = fmt::format("failed: {}", e.what());
  }
  c->bootstrap.reset();
  c->socket.Shutdown();
  Log(fmt::format("close conn={} client={} ({})", c->id, c->client_id, why));
  std::lock_guard<std::mutex> lock(mu_);
  c->socket.Close();
  c->finished = true;
  --open_connections_;
  if (auto it = open_by_source_.find(c->source); it != open_by_source_.end() && --it->second == 0)
    open_by_source_.erase(it);
}

bool Server::Handle(Connection* c, wire::Message& m) {
  if (auto* h = std::get_if<wire::Hello>(&m)) {
    if (c->greeted) {
      SendError(c, wire::ErrorCode::kProtocolViolation, "second hello on one connection");
      return false;
    }
    return HandleHello(c, *h);
  }
  if (!c->greeted) {
    SendError(c, wire::ErrorCode::kProtocolViolation,
              fmt::format("{} before hello", wire::MessageName(m)));
    return false;
  }
  if (auto* u = std::get_if<wire::Upload>(&m)) return HandleUpload(c, *u);
  if (auto* d = std::get_if<wire::DownloadRequest>(&m)) return HandleDownload(c, *d);
  if (auto* b = std::get_if<wire::BootstrapRequest>(&m)) return HandleBootstrap(c, *b);
  if (std::holds_alternative<wire::Error>(m)) {
    Log(fmt::format("peer error conn={}: {}", c->id, std::get<wire::Error>(m).message));
    return false;
  }
  SendError(c, wire::ErrorCode::kProtocolViolation,
            fmt::format("a client does not send {}", wire::MessageName(m)));
  return false;
}

bool Server::HandleHello(Connection* c, const wire::Hello& h) {
  if (wrong_tokens_->Blocked(c->source)) {
    // Not SendError: a blocked guesser would otherwise write a line per try.
    std::string why = fmt::format("too many wrong tokens from {}; retry in a minute", c->source);
    LogLimited("throttled", fmt::format("refuse conn={} ({})", c->id, why));
    sync::SendMessage(c->socket, wire::Error{wire::ErrorCode::kUnauthorized, std::move(why),
                                             wire::ResetReason::kNone, 0})
        .IgnoreError();
    return false;
  }
  // Decided on the store's current state, never on what this node cached: a
  // node that lags behind others must not send a false reset or bad cursor.
  Result<AdmissionView> view = store_->ReadAdmissionView(h.client_id, h.epoch, h.download_cursor);
  if (!view.ok()) {
    SendError(c, wire::ErrorCode::kServerError,
              fmt::format("the server's storage is unavailable ({}); retry later",
                          view.status().ToString()));
    return false;
  }
  AdmissionDecision decision = DecideAdmission(h, options_.token, *view);
  if (wire::Error* refusal = std::get_if<wire::Error>(&decision)) {
    if (refusal->code == wire::ErrorCode::kUnauthorized &&
        wrong_tokens_->RecordFailure(c->source) == kMaxWrongTokensPerMinute)
      Log(
          fmt::format("throttle source={}: {} wrong tokens within a minute; its hellos are "
                      "refused for the rest of it",
                      c->source, kMaxWrongTokensPerMinute));
    SendError(c, refusal->code, std::move(refusal->message), refusal->reset_reason,
              refusal->restored_latest_version);
    return false;
  }
  Admit& admit = std::get<Admit>(decision);
  if (admit.register_client) {
    // The secret leaves the server only in this reply; the registry keeps
    // its hash, stored before the reply is sent.
    Result<std::string> secret = NewClientSecret();
    Result<uint64_t> id = secret.ok() ? store_->RegisterClient(HashClientSecret(*secret))
                                      : Result<uint64_t>(secret.status());
    if (!id.ok()) {
      SendError(c, wire::ErrorCode::kServerError, id.status().ToString());
      return false;
    }
    admit.reply.client_id = *id;
    admit.reply.client_secret = std::move(secret).value();
  } else if (admit.first_use) {
    // Its client came back: the registration no longer expires.
    if (Status s = store_->MarkClientUsed(admit.reply.client_id); !s.ok()) {
      SendError(c, wire::ErrorCode::kServerError, s.ToString() + "; retry later");
      return false;
    }
  }
  c->greeted = true;
  c->client_id = admit.reply.client_id;
  Log(fmt::format("hello conn={} client={}{} download_cursor={} upload_cursor={}", c->id,
                  c->client_id, admit.register_client ? " (new)" : "", h.download_cursor,
                  h.upload_cursor));
  return Send(c, admit.reply);
}

bool Server::HandleUpload(Connection* c, wire::Upload& u) {
  if (u.client_id != c->client_id) {
    SendError(c, wire::ErrorCode::kWrongClient,
              fmt::format("upload for client {} on a connection of client {}", u.client_id,
                          c->client_id));
    return false;
  }
  // The limit every commit checks: an entry above it could never be sent
  // back to a client in a changeset.
  for (const wire::UploadEntry& e : u.entries)
    if (e.bytes.size() > kMaxEntryBytes) {
      SendError(c, wire::ErrorCode::kBadFrame,
                fmt::format("upload entry lsn {} is {} bytes; the limit for a journal entry is {}",
                            e.lsn, e.bytes.size(), kMaxEntryBytes));
      return false;
    }
  UploadJob job;
  job.client_id = c->client_id;
  job.entries = std::move(u.entries);
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) {
      lock.unlock();
      SendError(c, wire::ErrorCode::kShuttingDown, "the server is stopping");
      return false;
    }
    queue_.push_back(&job);
    queue_cv_.notify_one();
    // The committer drains the queue even when stopping, so this wait ends.
    done_cv_.wait(lock, [&] { return job.done; });
  }
  if (!job.status.ok()) {
    // An lsn that does not continue the client's stored ones is the
    // client's fault; anything else is the server's.
    SendError(c,
              job.status.IsInvalidArgument() ? wire::ErrorCode::kProtocolViolation
                                             : wire::ErrorCode::kServerError,
              job.status.IsInvalidArgument() ? job.status.message() : job.status.ToString());
    return false;
  }
  return Send(c, job.ack);
}

bool Server::HandleDownload(Connection* c, const wire::DownloadRequest& r) {
  uint64_t latest = store_->latest_version();
  if (r.from_version > latest) {
    // The client may have synced through a node this one has not heard of
    // yet: only the store can say the cursor is bad.
    Result<uint64_t> stored = store_->ReadLatestVersion();
    if (!stored.ok()) {
      SendError(c, wire::ErrorCode::kServerError,
                fmt::format("the server's storage is unavailable ({}); retry later",
                            stored.status().ToString()));
      return false;
    }
    latest = *stored;
  }
  if (r.from_version > latest) {
    SendError(c, wire::ErrorCode::kBadCursor,
              fmt::format("download from version {}; the latest server version is {}",
                          r.from_version, latest));
    return false;
  }
  if (r.from_version < store_->horizon()) {
    SendError(c, wire::ErrorCode::kClientReset,
              fmt::format("history up to version {} was trimmed; download from {} impossible",
                          store_->horizon(), r.from_version),
              wire::ResetReason::kHistoryTrimmed);
    return false;
  }
  if (r.from_version == latest && r.wait_ms > 0) {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(std::min(r.wait_ms, options_.max_wait_ms));
    // The wait also ends when the client sends its next frame (an upload of
    // a fresh local commit): checked in short slices so it is not delayed.
    constexpr auto kSlice = std::chrono::milliseconds(10);
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_ && store_->latest_version() <= r.from_version &&
           std::chrono::steady_clock::now() < deadline) {
      version_cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + kSlice));
      pollfd pending{c->socket.fd(), POLLIN, 0};
      if (c->socket.HasBufferedBytes() || ::poll(&pending, 1, 0) > 0) break;
    }
  }
  wire::Changesets reply;
  if (Status s =
          store_->ReadChangesets(r.from_version, options_.max_changeset_bytes, &reply.changesets);
      !s.ok()) {
    SendError(c, wire::ErrorCode::kServerError, s.ToString());
    return false;
  }
  if (!reply.changesets.empty()) {
    // What the client keeps with its new cursor and shows in its next hello.
    Result<std::optional<ChainHash>> hash =
        store_->ChainHashAt(reply.changesets.back().server_version);
    if (!hash.ok()) {
      SendError(c, wire::ErrorCode::kServerError, hash.status().ToString());
      return false;
    }
    // None only if a trim on another node took it meanwhile: the client
    // then keeps no hash, and its next hello is not checked.
    if (*hash) reply.chain_hash = ChainHashBytes(**hash);
  }
  reply.latest_version =
      std::max(store_->latest_version(),
               reply.changesets.empty() ? 0 : reply.changesets.back().server_version);
  return Send(c, reply);
}

bool Server::HandleBootstrap(Connection* c, const wire::BootstrapRequest& r) {
  wire::BootstrapPage page;
  if (c->bootstrap == nullptr || r.server_version != c->bootstrap->version()) {
    c->bootstrap.reset();
    Result<std::unique_ptr<StateSnapshot>> snapshot = store_->NewSnapshot();
    if (!snapshot.ok()) {
      SendError(c, wire::ErrorCode::kServerError, snapshot.status().ToString());
      return false;
    }
    c->bootstrap = std::move(snapshot).value();
  }
  // A resumed bootstrap (on this connection or a new one) continues after
  // its key only if the state it started from is the one the snapshot shows.
  const bool resumed = r.server_version == c->bootstrap->version();
  page.server_version = c->bootstrap->version();
  Result<Lsn> highest = c->bootstrap->ClientHighestLsn(c->client_id);
  Status s = highest.ok() ? c->bootstrap->ReadStatePage(
                                resumed ? std::string_view(r.after_key) : std::string_view(),
                                options_.bootstrap_page_bytes, &page)
                          : highest.status();
  if (!s.ok()) {
    c->bootstrap.reset();
    SendError(c, wire::ErrorCode::kServerError, s.ToString());
    return false;
  }
  page.client_highest_lsn = *highest;
  page.chain_hash = ChainHashBytes(c->bootstrap->chain_hash());
  if (page.last) c->bootstrap.reset();
  return Send(c, page);
}

}  // namespace journaldb::server
