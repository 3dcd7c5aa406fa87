#include "sync/session.h"

#include <fmt/format.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <exception>
#include <string>

#include "db_impl.h"
#include "journaldb/engine/diverged_count.h"
#include "journaldb/journal/layout.h"
#include "journaldb/protocol/socket.h"
#include "journaldb/protocol/tls.h"

namespace journaldb {

std::string_view SyncStateName(SyncState state) {
  switch (state) {
    case SyncState::kDisconnected:
      return "disconnected";
    case SyncState::kConnecting:
      return "connecting";
    case SyncState::kActive:
      return "active";
    case SyncState::kError:
      return "error";
  }
  return "unknown";
}

namespace {
Status SyncRoundOn(sync::Connection& c, DatabaseImpl& db, SyncReport& report) {
  if (Status s = c.BootstrapIfNeeded(&report.bootstrapped); !s.ok()) return s;
  // Until a download leaves nothing to upload: a client reset's replay runs
  // after the download and commits writes this same round must upload
  // (caught up in both directions), whose changesets it then downloads. A
  // few passes at most, so that an app committing all the while does not
  // keep the call going; the session uploads what comes later.
  constexpr int kMaxPasses = 4;
  for (int pass = 1;; ++pass) {
    Result<uint64_t> uploaded = c.UploadAll();
    if (!uploaded.ok()) return uploaded.status();
    report.uploaded_entries += *uploaded;
    if ((pass > 1 && *uploaded == 0) || pass > kMaxPasses) break;
    for (bool caught_up = false; !caught_up;) {
      Result<uint64_t> n = c.DownloadOnce(0, &caught_up);
      if (!n.ok()) return n.status();
      report.downloaded_changesets += *n;
    }
    if (Status s = db.AfterServerStateDownloaded(); !s.ok()) return s;
  }
  if (Result<uint64_t> trimmed = sync::Integrator(db).TrimAcknowledged(db.options().retention);
      !trimmed.ok())
    return trimmed.status();
  Result<sync::LocalCursors> cursors = sync::Integrator(db).ReadCursors();
  if (!cursors.ok()) return cursors.status();
  if (cursors->last_lsn <= cursors->AcknowledgedOrGone())
    if (Status s = db.ConfirmSyncedSinceClientReset(); !s.ok()) return s;
  report.client_id = cursors->client_id;
  report.epoch = cursors->epoch;
  report.download_cursor = cursors->download_cursor;
  report.upload_cursor = cursors->upload_cursor;
  return Status::OK();
}

// One round on a new connection. A client reset demanded at the hello or
// later (a download below a history trimmed meanwhile) fills `*reset`.
Status SyncRound(DatabaseImpl& db, const SyncOptions& options, SyncReport& report,
                 wire::Error* reset) {
  Result<std::unique_ptr<sync::Connection>> c = sync::Connection::Open(db, options, reset);
  if (!c.ok()) return c.status();
  Status s = SyncRoundOn(**c, db, report);
  if (s.IsClientResetRequired() && reset != nullptr) *reset = (*c)->last_reset();
  return s;
}
}  // namespace

Status ValidateSyncOptions(const SyncOptions& options) {
  if (options.server.empty()) return Status::OK();
  Result<std::pair<std::string, uint16_t>> address = sync::ParseAddress(options.server);
  if (!address.ok())
    return Status::InvalidArgument(
        fmt::format("Options::sync.server: {}", address.status().message()));
  if (!options.tls_ca_file.empty() && !options.tls)
    return Status::InvalidArgument("Options::sync.tls_ca_file is set but Options::sync.tls is not");
  if (options.tls) {
    auto context = sync::TlsContext::ForClient(options.tls_ca_file);
    if (!context.ok())
      return Status::InvalidArgument(
          fmt::format("Options::sync.tls_ca_file: {}", context.status().message()));
  }
  return Status::OK();
}

Result<SyncReport> SyncOnce(Database& db, const SyncOptions& options) {
  auto* impl = dynamic_cast<DatabaseImpl*>(&db);
  if (impl == nullptr) return Status::InvalidArgument("SyncOnce: not a journaldb database");
  if (options.server.empty()) return Status::InvalidArgument("SyncOnce: no server address");
  // A malformed address is the caller's mistake, not the database's sync
  // state: return it before anything is recorded.
  if (Status s = ValidateSyncOptions(options); !s.ok()) return s;
  SyncReport report;
  wire::Error reset;
  Status s = SyncRound(*impl, options, report, &reset);
  bool demanded = false;
  if (s.IsClientResetRequired()) {
    // The database's strategy decides; once it wiped, a second round
    // downloads the server state (and the strategy finishes the reset).
    s = impl->HandleClientResetDemand(std::string(wire::ResetReasonName(reset.reset_reason)),
                                      reset.message, reset.restored_latest_version, s);
    if (s.ok()) {
      report = {};
      s = SyncRound(*impl, options, report, nullptr);
      demanded = true;
    }
  }
  // A reset finished in this call, or earlier without a report (run at
  // Open, where a reset left pending goes on): either way this call reports
  // it, or, if it fails, the next one that succeeds.
  if (s.ok()) report.client_reset = impl->TakeUnreportedResetOutcome();
  report.reset = demanded || report.client_reset.has_value();
  Status recorded = s;
  if (s.ok() && report.client_reset && report.client_reset->discarded)
    recorded = Status::FailedPrecondition(DescribeDiscardedWrites(*report.client_reset, db.path()));
  // Best effort: a database that cannot record the error still reports it.
  sync::Integrator(*impl).RecordSyncError(recorded).IgnoreError();
  if (!s.ok()) return s;
  return report;
}

Status DrawNewRegistrationSecret(Database& db) {
  auto* impl = dynamic_cast<DatabaseImpl*>(&db);
  if (impl == nullptr)
    return Status::InvalidArgument("DrawNewRegistrationSecret: not a journaldb database");
  return sync::Integrator(*impl).RedrawRegistrationSecret();
}

Result<SyncStatus> GetSyncStatus(const Database& db) {
  const auto* impl = dynamic_cast<const DatabaseImpl*>(&db);
  if (impl == nullptr) return Status::InvalidArgument("GetSyncStatus: not a journaldb database");
  Result<sync::LocalCursors> c = sync::Integrator::ReadCursors(*impl);
  if (!c.ok()) return c.status();
  SyncStatus status;
  status.client_id = c->client_id;
  status.epoch = c->epoch;
  status.download_cursor = c->download_cursor;
  status.upload_cursor = c->upload_cursor;
  status.last_lsn = c->last_lsn;
  // From the tallies of the first and last unsynced entry: a status read must
  // not cost a pass over a long unsynced journal.
  Result<DivergedCount> unsynced = CountJournalAfter(db, c->upload_cursor);
  if (!unsynced.ok()) return unsynced.status();
  status.unsynced_entries = unsynced->entries;
  const Store& store = impl->store();
  std::string error;
  rocksdb::Status s =
      store.db()->Get(rocksdb::ReadOptions(), store.meta(), sync::kMetaSyncLastError, &error);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read meta sync_last_error");
  status.last_error = std::move(error);
  // Writes stopped (a write failed for good): every sync fails with that
  // until the database is reopened, and recording it would be a write.
  if (Status stopped = store.WritesStopped(); !stopped.ok()) status.last_error = stopped.ToString();
  return status;
}

namespace sync {

namespace {
// Errors retrying cannot fix stop the session (state kError).
bool IsFatal(const Status& s) { return !s.ok() && !s.IsIOError(); }

// What the exception being handled says of itself.
std::string DescribeCurrentException() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "not a std::exception";
  }
}
}  // namespace

std::unique_ptr<Session> Session::Start(DatabaseImpl& db, const SyncOptions& options) {
  std::unique_ptr<Session> s(new Session(db, options));
  // Without an eventfd local commits wait for the download's wait to end.
  s->wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  Result<LocalCursors> c = Integrator(db).ReadCursors();
  if (c.ok()) s->acked_lsn_ = c->AcknowledgedOrGone();
  s->thread_ = std::thread([p = s.get()] { p->Run(); });
  return s;
}

Session::~Session() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    if (connection_) connection_->Shutdown();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Session::NotifyLocalCommit() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

SyncState Session::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

Status Session::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

uint64_t Session::AddListener(SyncListener listener) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t id = next_listener_id_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void Session::RemoveListener(uint64_t id) {
  // Taking the call mutex too means the listener is not running on return.
  std::lock_guard<std::mutex> calls(listener_call_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  listeners_.erase(id);
}

void Session::SetState(SyncState state, Status error) {
  if (!error.ok() || state == SyncState::kActive)
    Integrator(db_).RecordSyncError(error).IgnoreError();
  std::vector<SyncListener> to_call;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error.ok()) last_error_ = error;
    if (state == SyncState::kActive) last_error_ = Status::OK();
    if (state_ == state && error.ok()) return;
    state_ = state;
    for (auto& [id, l] : listeners_) to_call.push_back(l);
  }
  cv_.notify_all();
  std::lock_guard<std::mutex> calls(listener_call_mu_);
  for (auto& l : to_call) l(state, error);
}

void Session::Pause() {
  std::lock_guard<std::mutex> lock(mu_);
  paused_ = true;
  if (connection_) connection_->Shutdown();
  cv_.notify_all();
}

void Session::Resume() {
  std::lock_guard<std::mutex> lock(mu_);
  paused_ = false;
  ++resume_generation_;
  // A wait that starts now waits for the retry, not for the error that
  // stopped the session before it (last_error() still tells what it was).
  if (state_ == SyncState::kError) state_ = SyncState::kDisconnected;
  cv_.notify_all();
}

void Session::Backoff(uint32_t ms) {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t generation = resume_generation_;
  cv_.wait_for(lock, std::chrono::milliseconds(ms),
               [&] { return stop_ || paused_ || resume_generation_ != generation; });
}

Status Session::wait_for_upload(std::chrono::milliseconds timeout) {
  Result<Lsn> target = db_.store().LastLsn();
  if (!target.ok()) return target.status();
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout,
               [&] { return acked_lsn_ >= *target || state_ == SyncState::kError || stop_; });
  if (acked_lsn_ >= *target) return Status::OK();
  if (state_ == SyncState::kError) return last_error_;
  return Status::IOError(fmt::format(
      "timed out after {} ms waiting for the upload of lsn {} (acknowledged: {}; state {}{})",
      timeout.count(), *target, acked_lsn_, SyncStateName(state_),
      last_error_.ok() ? "" : "; last error " + last_error_.ToString()));
}

Status Session::wait_for_download(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = rounds_started_ + 1;
  ++download_waiters_;
  // A waiting download request in flight would delay the answer by its wait:
  // cut it short (the session reconnects at once).
  if (connection_ && waiting_request_) connection_->Shutdown();
  bool done = cv_.wait_for(lock, timeout, [&] {
    return caught_up_round_ >= target || state_ == SyncState::kError || stop_;
  });
  --download_waiters_;
  if (done && caught_up_round_ >= target) return Status::OK();
  if (state_ == SyncState::kError) return last_error_;
  return Status::IOError(fmt::format(
      "timed out after {} ms waiting for download (state {}{})", timeout.count(),
      SyncStateName(state_), last_error_.ok() ? "" : "; last error " + last_error_.ToString()));
}

Status Session::RunConnected(Connection& c) {
  bool bootstrapped = false;
  if (Status s = c.BootstrapIfNeeded(&bootstrapped); !s.ok()) return s;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_ || paused_) return Status::OK();
    }
    Result<uint64_t> uploaded = c.UploadAll();
    if (!uploaded.ok()) return uploaded.status();
    Result<LocalCursors> cursors = Integrator(db_).ReadCursors();
    if (!cursors.ok()) return cursors.status();
    uint64_t round;
    uint32_t wait_ms;
    {
      std::lock_guard<std::mutex> lock(mu_);
      acked_lsn_ = std::max(acked_lsn_, cursors->AcknowledgedOrGone());
      round = ++rounds_started_;
      // Someone waits for the download, or local entries wait for upload:
      // ask without waiting on the server.
      wait_ms =
          (download_waiters_ > 0 || cursors->last_lsn > acked_lsn_) ? 0 : options_.download_wait_ms;
    }
    cv_.notify_all();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (download_waiters_ > 0) wait_ms = 0;
      waiting_request_ = wait_ms > 0;
    }
    bool caught_up = false;
    Result<uint64_t> downloaded = c.DownloadOnce(wait_ms, &caught_up, wake_fd_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      waiting_request_ = false;
      if (downloaded.ok() && caught_up) caught_up_round_ = std::max(caught_up_round_, round);
    }
    if (!downloaded.ok()) return downloaded.status();
    if (caught_up) {
      if (Status s = db_.AfterServerStateDownloaded(); !s.ok()) return s;
      Result<uint64_t> trimmed = Integrator(db_).TrimAcknowledged(db_.options().retention);
      if (!trimmed.ok()) return trimmed.status();
      // Uploads go before each download: with nothing committed since, both
      // directions are caught up.
      if (cursors->last_lsn <= cursors->AcknowledgedOrGone()) {
        Result<Lsn> last = db_.store().LastLsn();
        if (!last.ok()) return last.status();
        if (*last <= cursors->AcknowledgedOrGone())
          if (Status s = db_.ConfirmSyncedSinceClientReset(); !s.ok()) return s;
      }
    }
    cv_.notify_all();
  }
}

void Session::Run() {
  uint32_t backoff = options_.min_backoff_ms;
  // Doubles with each exception, from at least 100 ms: a round that throws
  // every time (no memory for a large download) must not reconnect at the
  // connection's backoff, which a connection that opens resets.
  const uint32_t failure_cap = std::max(options_.max_backoff_ms, 100u);
  uint32_t failure_backoff = std::min(std::max(options_.min_backoff_ms, 100u), failure_cap);
  for (;;) {
    try {
      RunUntilStopped(backoff);
      return;
    } catch (...) {
      // The round's connection closed as the exception left its scope. Retry
      // after a backoff, as after a lost connection: memory may come back.
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) return;
        waiting_request_ = false;
      }
      try {
        SetState(SyncState::kDisconnected,
                 Status::IOError(fmt::format("sync round ended by an exception: {}",
                                             DescribeCurrentException())));
      } catch (...) {
        // (no memory to report it either; the retry still comes)
      }
    }
    Backoff(failure_backoff);
    failure_backoff = std::min(failure_backoff * 2, failure_cap);
  }
}

void Session::RunUntilStopped(uint32_t& backoff) {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stop_) break;
      if (paused_) {
        lock.unlock();
        SetState(SyncState::kDisconnected, Status::OK());
        lock.lock();
        cv_.wait(lock, [&] { return stop_ || !paused_; });
        continue;
      }
    }
    SetState(SyncState::kConnecting, Status::OK());
    Status error;
    wire::Error reset;
    {
      Result<std::unique_ptr<Connection>> c = Connection::Open(db_, options_, &reset);
      // Forgets the connection before it closes, however this scope ends:
      // Pause and stop shut down what connection_ points to.
      struct Forget {
        Session& s;
        ~Forget() {
          std::lock_guard<std::mutex> lock(s.mu_);
          s.connection_ = nullptr;
        }
      } forget{*this};
      error = c.status();
      if (c.ok()) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (stop_ || paused_) continue;
          connection_ = c->get();
        }
        SetState(SyncState::kActive, Status::OK());
        backoff = options_.min_backoff_ms;
        error = RunConnected(**c);
        if (error.IsClientResetRequired()) reset = (*c)->last_reset();
        std::lock_guard<std::mutex> lock(mu_);
        // A waiting request cut short for a download waiter is not an
        // error worth reporting: reconnect at once.
        if (!error.ok() && download_waiters_ > 0 && error.IsIOError()) {
          error = Status::OK();
          backoff = 0;
        }
      }
    }  // the connection closes here, before any backoff
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) break;
      if (paused_) continue;
    }
    if (error.IsClientResetRequired()) {
      // The strategy runs here, on the session's thread. Once it wiped the
      // local data, reconnect at once to download the server state.
      error = db_.HandleClientResetDemand(std::string(wire::ResetReasonName(reset.reset_reason)),
                                          reset.message, reset.restored_latest_version, error);
      // (acked_lsn_ needs no reset: lsns are never reused, and the next
      // round raises it past the wiped ones.)
      if (error.ok()) continue;
    }
    // Writes stopped after one failed for good (a full disk; the reset's
    // own writes too): only reopening the database mends that, so retrying
    // would reconnect and download for nothing. Stop with the stop's error.
    Status writes_stopped = db_.store().WritesStopped();
    if (!writes_stopped.ok()) error = writes_stopped;
    if (IsFatal(error) || !writes_stopped.ok()) {
      // Taken before the state is published: a Resume() prompted by the
      // kError state (a listener told another thread) must not be missed.
      uint64_t generation;
      {
        std::lock_guard<std::mutex> lock(mu_);
        generation = resume_generation_;
      }
      SetState(SyncState::kError, error);
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || resume_generation_ != generation; });
      backoff = options_.min_backoff_ms;
      continue;
    }
    SetState(SyncState::kDisconnected, error);
    if (backoff > 0) Backoff(backoff);
    backoff = std::min(std::max(backoff * 2, options_.min_backoff_ms), options_.max_backoff_ms);
  }
  SetState(SyncState::kDisconnected, Status::OK());
}

}  // namespace sync
}  // namespace journaldb
