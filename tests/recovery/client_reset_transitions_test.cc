// The client-reset state machine's transitions (client_reset_transitions.h),
// without a database: each row of the table in transitions.cc, the rules that
// hold across all of them (nothing is wiped before a complete snapshot), whole
// runs per strategy, and what a crash at each step resumes.
#include "journaldb/recovery/client_reset_transitions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace journaldb::client_reset {
namespace {

using Step = ClientResetStep;

constexpr Step kSteps[] = {Step::kDetected, Step::kSnapshotted, Step::kWiped, Step::kReady};
constexpr Event kEvents[] = {Event::kDemanded,      Event::kOpened,     Event::kGoAhead,
                             Event::kSnapshotTaken, Event::kDownloaded, Event::kReplayed,
                             Event::kReplayFailed};
constexpr Mode kModes[] = {Mode::kManual, Mode::kDiscard, Mode::kRecover, Mode::kRecoverOrDiscard};

std::string Describe(Step at, Event event, Mode mode) {
  return std::string(ClientResetStepName(at)) + " + " + EventName(event) + " (" + ModeName(mode) +
         ")";
}

struct Row {
  Step at;
  Event event;
  Mode mode;
  Transition expected;
};

TEST(ClientResetTransitions, EachRowOfTheTable) {
  const Row rows[] = {
      {Step::kDetected, Event::kDemanded, Mode::kDiscard, {Action::kDecide, Step::kDetected}},
      {Step::kDetected, Event::kOpened, Mode::kManual, {Action::kDecide, Step::kDetected}},
      {Step::kDetected, Event::kGoAhead, Mode::kRecover, {Action::kSnapshot, Step::kSnapshotted}},
      {Step::kDetected, Event::kDownloaded, Mode::kRecover, {Action::kNone, Step::kDetected}},
      {Step::kSnapshotted, Event::kOpened, Mode::kDiscard, {Action::kDecide, Step::kSnapshotted}},
      {Step::kSnapshotted, Event::kGoAhead, Mode::kManual, {Action::kSnapshot, Step::kSnapshotted}},
      {Step::kSnapshotted, Event::kSnapshotTaken, Mode::kManual, {Action::kWipe, Step::kWiped}},
      {Step::kWiped, Event::kOpened, Mode::kRecover, {Action::kNone, Step::kWiped}},
      {Step::kWiped, Event::kGoAhead, Mode::kManual, {Action::kNone, Step::kWiped}},
      {Step::kWiped, Event::kDemanded, Mode::kDiscard, {Action::kNone, Step::kWiped}},
      {Step::kWiped, Event::kDownloaded, Mode::kManual, {Action::kFinish, std::nullopt, false}},
      {Step::kWiped, Event::kDownloaded, Mode::kDiscard, {Action::kFinish, std::nullopt, true}},
      {Step::kWiped, Event::kDownloaded, Mode::kRecover, {Action::kMarkReady, Step::kReady}},
      {Step::kWiped,
       Event::kDownloaded,
       Mode::kRecoverOrDiscard,
       {Action::kMarkReady, Step::kReady}},
      {Step::kReady, Event::kDownloaded, Mode::kRecover, {Action::kReplay, Step::kReady}},
      {Step::kReady, Event::kOpened, Mode::kRecoverOrDiscard, {Action::kReplay, Step::kReady}},
      {Step::kReady, Event::kOpened, Mode::kDiscard, {Action::kFinish, std::nullopt, true}},
      {Step::kReady, Event::kReplayed, Mode::kRecover, {Action::kFinish, std::nullopt, true}},
      {Step::kReady, Event::kReplayFailed, Mode::kRecover, {Action::kHandToApp, std::nullopt}},
      {Step::kReady,
       Event::kReplayFailed,
       Mode::kRecoverOrDiscard,
       {Action::kFinish, std::nullopt, true}},
  };
  for (const Row& row : rows) {
    Transition t = Next(row.at, row.event, row.mode);
    EXPECT_EQ(t, row.expected) << Describe(row.at, row.event, row.mode) << " gave "
                               << ActionName(t.action);
  }
}

// Guarantee 4: only a complete snapshot, taken with commits still held, lets
// anything be destroyed.
TEST(ClientResetTransitions, OnlyATakenSnapshotLeadsToTheWipe) {
  for (Step at : kSteps)
    for (Event event : kEvents)
      for (Mode mode : kModes) {
        Transition t = Next(at, event, mode);
        bool after_snapshot = at == Step::kSnapshotted && event == Event::kSnapshotTaken;
        EXPECT_EQ(t.action == Action::kWipe, after_snapshot) << Describe(at, event, mode);
        if (t.action == Action::kWipe) {
          EXPECT_EQ(t.then, Step::kWiped);
        }
      }
}

TEST(ClientResetTransitions, StepsOnlyMoveForwardAndOnlyFinishingEndsTheRecord) {
  for (Step at : kSteps)
    for (Event event : kEvents)
      for (Mode mode : kModes) {
        Transition t = Next(at, event, mode);
        std::string where = Describe(at, event, mode);
        bool ends = t.action == Action::kFinish || t.action == Action::kHandToApp;
        EXPECT_EQ(!t.then.has_value(), ends) << where;
        if (t.then) {
          EXPECT_GE(*t.then, at) << where;
        }
        if (t.action == Action::kNone || t.action == Action::kDecide) {
          EXPECT_EQ(t.then, at) << where;
        }
        // after_reset hears of automatic resets only.
        if (t.action == Action::kFinish) {
          EXPECT_EQ(t.automatic, mode != Mode::kManual) << where;
        }
        if (t.action == Action::kHandToApp) {
          EXPECT_FALSE(t.automatic) << where;
          EXPECT_EQ(mode, Mode::kRecover) << where;
        }
        // Only the recovering strategies replay.
        if (t.action == Action::kMarkReady || t.action == Action::kReplay) {
          EXPECT_TRUE(mode == Mode::kRecover || mode == Mode::kRecoverOrDiscard) << where;
        }
      }
}

// Runs a reset from a fresh demand to its end, feeding each step the outcome
// it has when it works (and the replay `replay_ok`), and lists the actions.
std::vector<Action> WholeRun(Mode mode, bool replay_ok) {
  std::vector<Action> actions;
  Step at = Step::kDetected;
  Event event = Event::kDemanded;
  for (int guard = 0; guard < 20; ++guard) {
    Transition t = Next(at, event, mode);
    actions.push_back(t.action);
    switch (t.action) {
      case Action::kNone:
        if (at != Step::kWiped) return actions;  // stuck: the expectation will say so
        event = Event::kDownloaded;              // the session downloads
        break;
      case Action::kDecide:
        event = Event::kGoAhead;
        break;
      case Action::kSnapshot:
        event = Event::kSnapshotTaken;
        break;
      case Action::kWipe:
        event = Event::kOpened;
        break;  // as if the app reopened meanwhile
      case Action::kMarkReady:
        break;
      case Action::kReplay:
        event = replay_ok ? Event::kReplayed : Event::kReplayFailed;
        break;
      case Action::kFinish:
      case Action::kHandToApp:
        return actions;
    }
    if (t.then) at = *t.then;
  }
  actions.push_back(Action::kNone);  // never ended
  return actions;
}

TEST(ClientResetTransitions, AWholeRunPerStrategy) {
  using enum Action;
  EXPECT_EQ(WholeRun(Mode::kManual, true),
            (std::vector<Action>{kDecide, kSnapshot, kWipe, kNone, kFinish}));
  EXPECT_EQ(WholeRun(Mode::kDiscard, true),
            (std::vector<Action>{kDecide, kSnapshot, kWipe, kNone, kFinish}));
  EXPECT_EQ(WholeRun(Mode::kRecover, true),
            (std::vector<Action>{kDecide, kSnapshot, kWipe, kNone, kMarkReady, kReplay, kFinish}));
  EXPECT_EQ(
      WholeRun(Mode::kRecover, false),
      (std::vector<Action>{kDecide, kSnapshot, kWipe, kNone, kMarkReady, kReplay, kHandToApp}));
  EXPECT_EQ(WholeRun(Mode::kRecoverOrDiscard, false),
            (std::vector<Action>{kDecide, kSnapshot, kWipe, kNone, kMarkReady, kReplay, kFinish}));
}

// docs/client-reset.md, "After a SIGKILL or power loss": what Open does with
// the record a crash left.
TEST(ClientResetTransitions, WhatOpenResumesAtEachStep) {
  for (Mode mode : kModes) {
    EXPECT_EQ(Next(Step::kDetected, Event::kOpened, mode).action, Action::kDecide);
    EXPECT_EQ(Next(Step::kSnapshotted, Event::kOpened, mode).action, Action::kDecide);
    // The download needs the server: the session's, not Open's.
    EXPECT_EQ(Next(Step::kWiped, Event::kOpened, mode).action, Action::kNone);
  }
  EXPECT_EQ(Next(Step::kReady, Event::kOpened, Mode::kRecover).action, Action::kReplay);
  EXPECT_EQ(Next(Step::kReady, Event::kOpened, Mode::kRecoverOrDiscard).action, Action::kReplay);
}

TEST(ClientResetTransitions, ModeNamesRoundTripAndTheRecordedModeRulesAfterTheWipe) {
  for (Mode mode : kModes) EXPECT_EQ(ParseMode(ModeName(mode)), mode);
  EXPECT_EQ(ParseMode(""), Mode::kDiscard);
  EXPECT_EQ(ParseMode("Recover"), Mode::kDiscard);

  PendingClientReset record;
  record.mode = "recover";
  record.step = Step::kSnapshotted;  // a resumed snapshot re-records the executing mode
  EXPECT_EQ(ModeOf(record, Mode::kManual), Mode::kManual);
  record.step = Step::kWiped;
  EXPECT_EQ(ModeOf(record, Mode::kManual), Mode::kRecover);
  record.step = Step::kReady;
  EXPECT_EQ(ModeOf(record, Mode::kDiscard), Mode::kRecover);
}

}  // namespace
}  // namespace journaldb::client_reset
