#include "journaldb/server/server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>

#include "journaldb/server/admission.h"

namespace journaldb::server {

struct Server::Connection {
  uint64_t id = 0;
  std::string peer;
  sync::Socket socket;
  std::thread thread;
  bool finished = false;  // guarded by Server::mu_
  // Set by a successful hello.
  bool greeted = false;
  uint64_t client_id = 0;
  // A bootstrap in progress on this connection.
  const rocksdb::Snapshot* bootstrap_snapshot = nullptr;
  uint64_t bootstrap_version = 0;
};

Server::Server(ServerOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("server: --data is required");
  std::unique_ptr<Server> s(new Server(options));
  Result<std::unique_ptr<ServerStore>> store = ServerStore::Open(options.data_dir, true);
  if (!store.ok()) return store.status();
  s->store_ = std::move(store).value();
  Result<sync::Listener> listener = sync::Listener::Listen(options.listen);
  if (!listener.ok()) return listener.status();
  s->listener_ = std::move(listener).value();
  if (::pipe2(s->stop_pipe_, O_CLOEXEC) != 0) return Status::IOError("server: cannot create pipe");
  s->commit_thread_ = std::thread([p = s.get()] { p->CommitLoop(); });
  s->accept_thread_ = std::thread([p = s.get()] { p->AcceptLoop(); });
  s->Log(fmt::format("start data={} epoch={} latest_version={} horizon={}", options.data_dir,
                     s->store_->epoch(), s->store_->latest_version(), s->store_->horizon()));
  return s;
}

Server::~Server() {
  Stop();
  for (int fd : stop_pipe_)
    if (fd >= 0) ::close(fd);
}

void Server::Log(const std::string& line) {
  if (options_.log == nullptr) return;
  std::lock_guard<std::mutex> lock(log_mu_);
  *options_.log << line << std::endl;
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
  for (;;) {
    pollfd fds[2] = {{listener_.fd(), POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    int n = ::poll(fds, 2, 1000);
    if (n < 0 && errno != EINTR) break;
    ReapFinished();
    if (fds[1].revents != 0) break;
    if (n <= 0 || (fds[0].revents & POLLIN) == 0) continue;
    std::string peer;
    Result<sync::Socket> sock = listener_.Accept(&peer);
    if (!sock.ok()) {
      Log(fmt::format("accept failed: {}", sock.status().ToString()));
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) break;
    auto c = std::make_unique<Connection>();
    c->id = next_connection_id_++;
    c->peer = std::move(peer);
    c->socket = std::move(sock).value();
    c->socket.SetReceiveTimeout(options_.idle_timeout_ms);
    Connection* raw = c.get();
    connections_.push_back(std::move(c));
    raw->thread = std::thread([this, raw] { Serve(raw); });
  }
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
  sync::SendMessage(c->socket, e).IgnoreError();
}

void Server::Serve(Connection* c) {
  Log(fmt::format("connect conn={} peer={}", c->id, c->peer));
  std::string why = "peer closed";
  for (;;) {
    Result<std::string> body = c->socket.ReadFrame();
    if (!body.ok()) {
      if (body.status().IsCorruption())
        SendError(c, wire::ErrorCode::kBadFrame, body.status().message());
      why = body.status().message();
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
  if (c->bootstrap_snapshot) store_->ReleaseSnapshot(c->bootstrap_snapshot);
  c->socket.Shutdown();
  Log(fmt::format("close conn={} client={} ({})", c->id, c->client_id, why));
  std::lock_guard<std::mutex> lock(mu_);
  c->socket.Close();
  c->finished = true;
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
  AdmissionDecision decision =
      DecideAdmission(h, options_.token, store_->ReadAdmissionView(h.client_id, h.epoch));
  if (wire::Error* refusal = std::get_if<wire::Error>(&decision)) {
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
  }
  c->greeted = true;
  c->client_id = admit.reply.client_id;
  Log(fmt::format("hello conn={} client={}{} download_cursor={} upload_cursor={}", c->id,
                  c->client_id, admit.register_client ? " (new)" : "", h.download_cursor,
                  h.upload_cursor));
  return SendMessage(c->socket, admit.reply).ok();
}

bool Server::HandleUpload(Connection* c, wire::Upload& u) {
  if (u.client_id != c->client_id) {
    SendError(c, wire::ErrorCode::kWrongClient,
              fmt::format("upload for client {} on a connection of client {}", u.client_id,
                          c->client_id));
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
    SendError(c, wire::ErrorCode::kServerError, job.status.ToString());
    return false;
  }
  return SendMessage(c->socket, job.ack).ok();
}

bool Server::HandleDownload(Connection* c, const wire::DownloadRequest& r) {
  uint64_t latest = store_->latest_version();
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
      if (::poll(&pending, 1, 0) > 0) break;
    }
  }
  wire::Changesets reply;
  if (Status s =
          store_->ReadChangesets(r.from_version, options_.max_changeset_bytes, &reply.changesets);
      !s.ok()) {
    SendError(c, wire::ErrorCode::kServerError, s.ToString());
    return false;
  }
  reply.latest_version =
      std::max(store_->latest_version(),
               reply.changesets.empty() ? 0 : reply.changesets.back().server_version);
  return SendMessage(c->socket, reply).ok();
}

bool Server::HandleBootstrap(Connection* c, const wire::BootstrapRequest& r) {
  wire::BootstrapPage page;
  if (c->bootstrap_snapshot == nullptr || r.server_version != c->bootstrap_version) {
    if (c->bootstrap_snapshot) store_->ReleaseSnapshot(c->bootstrap_snapshot);
    c->bootstrap_snapshot = store_->NewSnapshot(&c->bootstrap_version);
  }
  page.server_version = c->bootstrap_version;
  page.client_highest_lsn = store_->ClientHighestLsnAt(c->bootstrap_snapshot, c->client_id);
  // A resumed bootstrap continues after its key only if the state it started
  // from is the one this snapshot shows.
  std::string_view after =
      r.server_version == c->bootstrap_version ? std::string_view(r.after_key) : std::string_view();
  if (Status s =
          store_->ReadStatePage(c->bootstrap_snapshot, after, options_.bootstrap_page_bytes, &page);
      !s.ok()) {
    SendError(c, wire::ErrorCode::kServerError, s.ToString());
    return false;
  }
  if (page.last) {
    store_->ReleaseSnapshot(c->bootstrap_snapshot);
    c->bootstrap_snapshot = nullptr;
  }
  return SendMessage(c->socket, page).ok();
}

}  // namespace journaldb::server
