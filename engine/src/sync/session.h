// Session: the background sync session of one open database (the public
// SyncSession). One thread connects, uploads, downloads with a waiting
// request, and reconnects with exponential backoff after retryable errors.
#ifndef JOURNALDB_ENGINE_SYNC_SESSION_H_
#define JOURNALDB_ENGINE_SYNC_SESSION_H_

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "journaldb/sync.h"
#include "journaldb/engine/sync/connection.h"

namespace journaldb::sync {

class Session final : public SyncSession {
 public:
  // Starts the session's thread. REQUIRES: `db` outlives the session.
  static std::unique_ptr<Session> Start(DatabaseImpl& db, const SyncOptions& options);
  ~Session() override;  // stops and joins the thread

  SyncState state() const override;
  Status last_error() const override;
  uint64_t AddListener(SyncListener listener) override;
  void RemoveListener(uint64_t id) override;
  Status wait_for_upload(std::chrono::milliseconds timeout) override;
  Status wait_for_download(std::chrono::milliseconds timeout) override;
  void Pause() override;
  void Resume() override;

  // Called after each local commit: a download waiting on the server gives
  // way to uploading it at once.
  void NotifyLocalCommit();

 private:
  Session(DatabaseImpl& db, SyncOptions options) : db_(db), options_(std::move(options)) {}
  // The thread: RunUntilStopped, restarted after an exception (a
  // std::bad_alloc), which would otherwise end the app's process.
  void Run();
  // Connects, runs rounds and reconnects with `backoff` until stopped.
  void RunUntilStopped(uint32_t& backoff);
  // Runs rounds on one connection until an error, a pause or stop.
  Status RunConnected(Connection& c);
  void SetState(SyncState state, Status error);
  // Sleeps up to `ms` unless stopped, paused or resumed meanwhile.
  void Backoff(uint32_t ms);

  DatabaseImpl& db_;
  const SyncOptions options_;

  mutable std::mutex mu_;  // guards the members below
  std::condition_variable cv_;
  SyncState state_ = SyncState::kDisconnected;
  Status last_error_;
  bool stop_ = false;
  bool paused_ = false;
  uint64_t resume_generation_ = 0;
  Connection* connection_ = nullptr;  // while connected, for Pause/stop
  Lsn acked_lsn_ = 0;                 // highest lsn the server acknowledged
  uint64_t rounds_started_ = 0;       // download requests sent
  uint64_t caught_up_round_ = 0;      // last round that ended caught up
  int download_waiters_ = 0;
  bool waiting_request_ = false;  // a download request with a wait is in flight
  std::map<uint64_t, SyncListener> listeners_;
  uint64_t next_listener_id_ = 1;
  std::mutex listener_call_mu_;  // serialises listener calls

  int wake_fd_ = -1;  // eventfd: readable after a local commit
  std::thread thread_;
};

}  // namespace journaldb::sync

#endif  // JOURNALDB_ENGINE_SYNC_SESSION_H_
