// The client-reset state machine (client_reset_transitions.h): every state,
// the durable step it runs, the state it records next, and what a crash there
// resumes. Each step is recorded in the database (meta client_reset) before
// the next one starts.
//
//  record at    | runs                        | records next      | a crash there: the next...
//  -------------+-----------------------------+-------------------+---------------------------
//  (none)       | the engine records a demand | detected          | sync is refused again
//  detected     | decide, then snapshot       | snapshotted       | Open decides again
//  snapshotted  | wipe (same commit hold)     | wiped             | Open snapshots again
//               |                             |                   | (reusing a complete one)
//  wiped        | wait for the download; then | ready (recover)   | sync downloads, then this
//               | mark ready, or finish       | (none) otherwise  |
//  ready        | replay; finish, or hand the | (none)            | Open replays on: done
//               | rest to the app (Recover)   |                   | transactions are marked
//
// The demand itself (none -> detected; a narrower one widening the range of
// a detected or snapshotted reset; one at wiped or ready closing that reset
// as manual and starting anew) is recorded by the engine, which must keep it
// even when no strategy is linked: RecordClientResetDemand in
// engine/internal/journaldb/engine/client_reset_record.h.
#include "journaldb/recovery/client_reset_transitions.h"

namespace journaldb::client_reset {

namespace {
constexpr char kManual[] = "manual";
constexpr char kDiscard[] = "discard";
constexpr char kRecover[] = "recover";
constexpr char kRecoverOrDiscard[] = "recover-or-discard";

bool Recovering(Mode mode) { return mode == Mode::kRecover || mode == Mode::kRecoverOrDiscard; }

// The record is deleted: the reset is over (and not synced yet: the loop
// guard holds until the database syncs in both directions after it).
Transition Finish(Mode mode) { return {Action::kFinish, std::nullopt, mode != Mode::kManual}; }
}  // namespace

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kManual:
      return kManual;
    case Mode::kDiscard:
      return kDiscard;
    case Mode::kRecover:
      return kRecover;
    case Mode::kRecoverOrDiscard:
      return kRecoverOrDiscard;
  }
  return kManual;
}

Mode ParseMode(std::string_view name) {
  if (name == kManual) return Mode::kManual;
  if (name == kRecover) return Mode::kRecover;
  if (name == kRecoverOrDiscard) return Mode::kRecoverOrDiscard;
  return Mode::kDiscard;
}

Mode ModeOf(const PendingClientReset& record, Mode executing) {
  return record.step >= ClientResetStep::kWiped ? ParseMode(record.mode) : executing;
}

Transition Next(ClientResetStep at, Event event, Mode mode) {
  const Transition stay{Action::kNone, at};
  switch (at) {
    case ClientResetStep::kDetected:
      // Nothing local has changed: local writes go on, and are diverged ops too.
      if (event == Event::kDemanded || event == Event::kOpened) return {Action::kDecide, at};
      if (event == Event::kGoAhead) return {Action::kSnapshot, ClientResetStep::kSnapshotted};
      return stay;

    case ClientResetStep::kSnapshotted:
      // A complete snapshot exists. Met again (a crash, or Open without the
      // strategy that took it) commits may have run since: it is taken
      // again, and reused only if it still holds every entry.
      if (event == Event::kDemanded || event == Event::kOpened) return {Action::kDecide, at};
      if (event == Event::kGoAhead) return {Action::kSnapshot, ClientResetStep::kSnapshotted};
      // Only here, with the commits that the snapshot saw still held, is
      // anything destroyed.
      if (event == Event::kSnapshotTaken) return {Action::kWipe, ClientResetStep::kWiped};
      return stay;

    case ClientResetStep::kWiped:
      // The session connects as a new client and downloads; Open, a second
      // go-ahead or a demand (the engine closes this reset first) wait for it.
      if (event != Event::kDownloaded) return stay;
      if (Recovering(mode)) return {Action::kMarkReady, ClientResetStep::kReady};
      return Finish(mode);

    case ClientResetStep::kReady:
      // The server state is here, so Open resumes the replay without a
      // server; replayed transactions are marked done with their commit.
      if (event == Event::kDownloaded || event == Event::kOpened)
        return Recovering(mode) ? Transition{Action::kReplay, at} : Finish(mode);
      if (event == Event::kReplayed) return Finish(mode);
      if (event == Event::kReplayFailed)
        // RecoverOrDiscard discards what did not replay (it stays in the
        // snapshot); Recover leaves it to the app and `journal replay`.
        return mode == Mode::kRecover ? Transition{Action::kHandToApp, std::nullopt} : Finish(mode);
      return stay;
  }
  return stay;
}

const char* ActionName(Action action) {
  switch (action) {
    case Action::kNone:
      return "none";
    case Action::kDecide:
      return "decide";
    case Action::kSnapshot:
      return "snapshot";
    case Action::kWipe:
      return "wipe";
    case Action::kMarkReady:
      return "mark-ready";
    case Action::kReplay:
      return "replay";
    case Action::kFinish:
      return "finish";
    case Action::kHandToApp:
      return "hand-to-app";
  }
  return "unknown";
}

const char* EventName(Event event) {
  switch (event) {
    case Event::kDemanded:
      return "demanded";
    case Event::kOpened:
      return "opened";
    case Event::kGoAhead:
      return "go-ahead";
    case Event::kSnapshotTaken:
      return "snapshot-taken";
    case Event::kDownloaded:
      return "downloaded";
    case Event::kReplayed:
      return "replayed";
    case Event::kReplayFailed:
      return "replay-failed";
  }
  return "unknown";
}

}  // namespace journaldb::client_reset
