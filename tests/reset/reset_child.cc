// Child process of the client-reset crash sweep (crash_sweep_test.cc).
//
//   reset_child DB SERVER MODE KILL_AT
//
// Opens DB with the strategy MODE (recover, recover-or-discard, discard,
// manual, manual-execute), which resumes an interrupted reset at open, then
// syncs with SERVER until the reset is finished. KILL_AT (none, before_reset,
// after_reset) makes the named callback SIGKILL this process: deterministic
// kills at the two ends of the reset. KILL_AT step:NAME (snapshotted, wiped,
// ready) makes a watcher thread SIGKILL it as soon as the durable record
// shows that step during the sync, and renamed:DELAY_US that long after the
// complete recovery snapshot appears: the snapshotted step lasts only from
// the record's fsync to the wipe, too short to hit from outside. Progress goes to stdout, one line
// per event ("open", "opened", "sync", "decide LSN", "done"), flushed at once, so the parent can
// kill at a chosen moment.
//
// Exit codes: 0 the reset is finished; 4 left pending by the manual strategy
// (it runs at the next open); 1 an error (printed to stderr).
#include <signal.h>

#include <atomic>
#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/database.h"
#include "journaldb/recovery_snapshot.h"
#include "journaldb/replayer.h"
#include "journaldb/sync.h"

namespace {

void Say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

// Local-wins, announcing each decision first: the parent kills between them.
class AnnouncingLocalWins : public journaldb::ReplayPolicy {
 public:
  journaldb::ReplayDecision Decide(const journaldb::PlannedTransaction& txn) override {
    Say("decide " + std::to_string(txn.lsn));
    return inner_.Decide(txn);
  }

 private:
  journaldb::LocalWinsPolicy inner_;
};

std::shared_ptr<journaldb::ClientResetStrategy> MakeStrategy(const std::string& mode,
                                                             const std::string& kill_at) {
  journaldb::ClientResetCallbacks cb;
  cb.policy = std::make_shared<AnnouncingLocalWins>();
  cb.before_reset = [kill_at](const journaldb::Database&) {
    Say("before_reset");
    if (kill_at == "before_reset") ::raise(SIGKILL);
  };
  cb.after_reset = [kill_at](const journaldb::RecoverySnapshot&, journaldb::Database&) {
    Say("after_reset");
    if (kill_at == "after_reset") ::raise(SIGKILL);
  };
  if (mode == "recover") return journaldb::RecoverUnsyncedChanges(cb);
  if (mode == "recover-or-discard") return journaldb::RecoverOrDiscardUnsyncedChanges(cb);
  if (mode == "discard") return journaldb::DiscardUnsyncedChanges(cb);
  const bool execute = mode == "manual-execute";
  if (mode == "manual" || execute)
    return journaldb::ManualRecoveryStrategy(
        [execute](journaldb::SyncSession*, journaldb::ClientResetRequiredError& e) {
          Say("manual");
          if (execute)
            if (journaldb::Status s = e.execute_client_reset(); !s.ok())
              std::fprintf(stderr, "execute_client_reset: %s\n", s.ToString().c_str());
        });
  return nullptr;
}

bool ResetPending(const journaldb::Database& db) {
  auto pending = journaldb::GetPendingClientReset(db);
  return !pending.ok() || pending->has_value();
}

// Spins on the durable record until `when` is true of it (then SIGKILLs the
// process after `delay_us`) or `stop` is set. GetPendingClientReset may run
// on any thread.
void KillWhen(const journaldb::Database& db,
              const std::function<bool(const journaldb::PendingClientReset&)>& when, int delay_us,
              const std::atomic<bool>& stop) {
  while (!stop.load()) {
    auto pending = journaldb::GetPendingClientReset(db);
    if (pending.ok() && pending->has_value() && when(**pending)) {
      if (delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
      ::raise(SIGKILL);
    }
  }
}

// KILL_AT step:NAME (at once) or renamed:DELAY_US (that long after the
// complete recovery snapshot appears: the record then moves to snapshotted,
// fsynced, and the wipe follows within microseconds).
std::function<bool(const journaldb::PendingClientReset&)> KillCondition(const std::string& kill_at,
                                                                        int* delay_us) {
  *delay_us = 0;
  if (kill_at.rfind("step:", 0) == 0)
    return [step = kill_at.substr(5)](const journaldb::PendingClientReset& p) {
      return step == journaldb::ClientResetStepName(p.step);
    };
  if (kill_at.rfind("renamed:", 0) == 0) {
    *delay_us = std::atoi(kill_at.c_str() + 8);
    return [](const journaldb::PendingClientReset& p) {
      boost::system::error_code ec;
      return boost::filesystem::exists(
          boost::filesystem::path(p.recovery_root) / p.recovery_id / "MANIFEST", ec);
    };
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: reset_child DB SERVER MODE KILL_AT\n");
    return 2;
  }
  const std::string db_path = argv[1], server = argv[2], mode = argv[3], kill_at = argv[4];
  journaldb::Options options;
  options.client_reset = MakeStrategy(mode, kill_at);
  if (!options.client_reset) {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
  }
  Say("open");
  auto db = journaldb::Database::Open(db_path, options);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 1;
  }
  Say("opened");
  // A finished reset leaves a recovery snapshot and no record. The sync
  // that finished it uploaded the replayed writes; the sweep gives each
  // scenario a fresh copy of the server.
  const std::string recovery_root = db_path + ".recovery";  // the default
  auto done = [&] {
    boost::system::error_code ec;
    return !ResetPending(**db) && boost::filesystem::exists(recovery_root, ec);
  };
  std::atomic<bool> stop_watching{false};
  std::thread watcher;
  int delay_us = 0;
  if (auto when = KillCondition(kill_at, &delay_us))
    watcher =
        std::thread(KillWhen, std::cref(**db), std::move(when), delay_us, std::cref(stop_watching));
  struct Join {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Join() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } join{stop_watching, watcher};
  journaldb::SyncOptions sync;
  sync.server = server;
  for (int round = 0; round < 5 && !done(); ++round) {
    Say("sync");
    auto report = journaldb::SyncOnce(**db, sync);
    if (report.status().IsClientResetRequired() && mode == "manual") {
      Say("left pending");
      return 4;
    }
    if (!report.ok()) {
      std::fprintf(stderr, "sync: %s\n", report.status().ToString().c_str());
      return 1;
    }
  }
  if (!done()) {
    std::fprintf(stderr, "the reset did not finish\n");
    return 1;
  }
  Say("done");
  return 0;
}
