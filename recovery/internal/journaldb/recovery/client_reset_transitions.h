// The client-reset state machine's transitions, as a pure function: given the
// step the durable record is at, what just happened and how the reset is
// finished, which durable step runs next and which step it records. The
// switch that answers is recovery/src/client_reset/transitions.cc; the code
// that runs the steps it names is recovery/src/client_reset/machine.cc
// (docs/client-reset.md, "The reset, step by step").
//
//   Transition t = Next(ClientResetStep::kSnapshotted, Event::kSnapshotTaken, Mode::kDiscard);
//   // t.action == Action::kWipe, t.then == ClientResetStep::kWiped
//
// Internal to the recovery component and its tests; never installed. Pure:
// safe from any thread.
#ifndef JOURNALDB_RECOVERY_CLIENT_RESET_TRANSITIONS_H_
#define JOURNALDB_RECOVERY_CLIENT_RESET_TRANSITIONS_H_

#include <optional>
#include <string_view>

#include "journaldb/client_reset.h"

namespace journaldb::client_reset {

// How a reset is finished: the strategy that executes it, recorded in the
// record (PendingClientReset::mode) with the snapshot.
enum class Mode { kManual, kDiscard, kRecover, kRecoverOrDiscard };

// "manual", "discard", "recover" or "recover-or-discard".
const char* ModeName(Mode mode);

// The mode a record names. Only this module writes it; any other text is
// finished as discard (no replay, the snapshot kept), as it always was.
Mode ParseMode(std::string_view name);

// The mode that decides the transitions of `record`: `executing` (the
// strategy at hand) until the wipe, which a resumed snapshot re-records; the
// recorded one from the wipe on, whichever strategy the database is opened
// with now.
Mode ModeOf(const PendingClientReset& record, Mode executing);

// What just happened to the reset.
enum class Event {
  kDemanded,       // the server demanded it (the engine recorded the demand)
  kOpened,         // Open found the record: a crash or a close left it here
  kGoAhead,        // execute it now: an automatic strategy, Manual at Open, or the app
  kSnapshotTaken,  // a complete recovery snapshot holds every entry; commits still held
  kDownloaded,     // the wiped database downloaded the server state
  kReplayed,       // the replay went through every diverged transaction
  kReplayFailed,   // the replay failed, or the policy aborted (or threw)
};

// The durable step to run next.
enum class Action {
  kNone,       // nothing can run now: wait for the next event
  kDecide,     // the strategy's gate: go ahead now (then kGoAhead), or hand the reset
               // to the app (a Manual strategy, a reset loop, before_reset threw)
  kSnapshot,   // with commits held: checkpoint into <root>/<id>.tmp, MANIFEST last,
               // fsync, rename to <root>/<id> (a complete one left earlier is reused)
  kWipe,       // the same hold: one fsynced batch deletes local data and sync identity
  kMarkReady,  // record that the server state is here and the replay starts
  kReplay,     // replay the diverged ops with the policy (exactly-once markers)
  kFinish,     // delete the record, marking the reset unsynced (the loop guard holds
               // until a sync in both directions); after_reset if automatic
  kHandToApp,  // delete the record as kFinish does and call the app's fallback: the snapshot
               // waits for `journal replay`, which resumes where the replay stopped
};

const char* ActionName(Action action);
const char* EventName(Event event);

struct Transition {
  Action action = Action::kNone;
  // The step recorded once the action is done; nullopt: the record is
  // deleted (the reset is over).
  std::optional<ClientResetStep> then;
  // kFinish: the reset was automatic, so the app's after_reset hears of it.
  bool automatic = false;
  friend bool operator==(const Transition&, const Transition&) = default;
};

// The transition from a record at step `at` on `event`, for a reset finished
// as `mode` (ModeOf). Events that cannot move the reset from `at` give
// kNone with `at` unchanged.
Transition Next(ClientResetStep at, Event event, Mode mode);

}  // namespace journaldb::client_reset

#endif  // JOURNALDB_RECOVERY_CLIENT_RESET_TRANSITIONS_H_
