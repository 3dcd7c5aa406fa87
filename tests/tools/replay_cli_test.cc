// End-to-end tests of `journal replay` and `journal gc`: each case runs the
// real program (JOURNAL_CLI_PATH) on databases written with `journal put`,
// snapshots taken with `journal snapshot`, and answers piped to stdin, then
// checks the exit code, the output and what the live database holds
// (docs/cli.md, "replay" and "gc").
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "journaldb/recovery_snapshot.h"
#include "journal_cli_test.h"
#include "support/child_process.h"
#include "support/json_checker.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

namespace fs = boost::filesystem;
using testing::Json;
using testing::ProcessResult;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `argv` with `input` on its stdin (as `printf ... | journal replay
// --interactive` does): the child sees EOF after it.
ProcessResult RunWithInput(const std::vector<std::string>& argv, const std::string& input) {
  testing::SpawnOptions options;
  options.stdin_text = input;
  return testing::RunProcess(argv, options);
}

// Runs `argv` with stderr on a pseudo-terminal (stdout to a file), and
// returns what the terminal received as `err`. The output here is small, so
// it stays buffered in the terminal until read after the child exits.
ProcessResult RunWithTerminalStderr(const std::vector<std::string>& argv) {
  ProcessResult result;
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return result;
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  if (slave < 0) return result;
  testing::SpawnOptions options;
  options.stderr_fd = slave;
  result = testing::RunProcess(argv, options);
  // The slave stays open here, so reading the master never hits a hang-up.
  fcntl(master, F_SETFL, O_NONBLOCK);
  char buf[4096];
  for (ssize_t n; (n = read(master, buf, sizeof buf)) > 0;) result.err.append(buf, n);
  close(slave);
  close(master);
  return result;
}

class ReplayCli : public testing::JournalCliTest {
 protected:
  // Expects exit 0.
  std::string Ok(const std::vector<std::string>& args) {
    ProcessResult r = Journal(args);
    EXPECT_EQ(r.exit_code, 0) << args.front() << ": " << r.err;
    return r.out;
  }

  ProcessResult Interactive(const std::string& db, const std::string& answers,
                            std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {JOURNAL_CLI_PATH, "replay", snapshot_, db, "--interactive"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunWithInput(argv, answers);
  }

  // The story (docs/cli.md "Recovery snapshots"): six local transactions,
  // none synced, against a server that holds tasks/t1 with done=true.
  //   lsn 1 upsert tasks/t1 done=false title="milk"  conflict
  //   lsn 2 upsert tasks/t1 title="bread"            clean at snapshot time
  //   lsn 3 increment tasks/t2 views +1              clean
  //   lsn 4 upsert users/u1 name="ann"               clean
  //   lsn 5 upsert users/u1 name="bob"               gone until lsn 4 is replayed
  //   lsn 6 erase-object tasks/t1                    conflict
  void SetUp() override {
    Ok({"put", local_, "tasks", "t1", "title=milk", "done=false"});
    Ok({"put", local_, "tasks", "t1", "title=bread"});
    Ok({"incr", local_, "tasks", "t2", "views", "1"});
    Ok({"put", local_, "users", "u1", "name=ann"});
    Ok({"put", local_, "users", "u1", "name=bob"});
    Ok({"del", local_, "tasks", "t1"});
    Json snap = JournalJson({"snapshot", local_});
    snapshot_ = snap["recovery_snapshot"]["path"].string;
    ASSERT_FALSE(snapshot_.empty());
    Ok({"put", live_, "tasks", "t1", "title=milk", "done=true"});
  }

  // `journal ls DB tasks` followed by `journal ls DB users`.
  std::string State(const std::string& db) {
    return Ok({"ls", db, "tasks"}) + "--\n" + Ok({"ls", db, "users"});
  }

  testing::TempDir dir_;
  const std::string local_ = dir_.Sub("local.db");
  const std::string live_ = dir_.Sub("live.db");
  const std::string root_ = local_ + ".recovery";
  std::string snapshot_;
  const std::string server_state_ = "t1  done=true title=\"milk\"\n--\nno objects in users\n";
};

TEST_F(ReplayCli, LocalWinsAppliesEveryOpAndARerunAppliesNothing) {
  ProcessResult r = Journal({"replay", snapshot_, live_, "--policy", "local-wins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "") << "no progress bar when stderr is not a terminal";
  EXPECT_EQ(r.out, "replay of recovery snapshot " + snapshot_ + " into " + live_ +
                       " (policy local-wins)\n"
                       "transactions: 6 applied, 0 skipped, 0 already done, 0 filtered\n"
                       "ops: 6 applied, 0 skipped, 0 not applicable\n"
                       "complete: every diverged transaction is done\n");
  // lsn 6 erased t1 again; the increment added to the server's (absent) value.
  const std::string after = "t2  views=1\n--\nu1  name=\"bob\"\n";
  EXPECT_EQ(State(live_), after);

  Json again = JournalJson({"replay", snapshot_, live_, "--policy", "local-wins"});
  const Json& rep = again["report"];
  EXPECT_EQ(rep["transactions"]["applied"].number, "0");
  EXPECT_EQ(rep["transactions"]["already_done"].number, "6");
  EXPECT_EQ(rep["ops"]["applied"].number, "0");
  EXPECT_TRUE(rep["complete"].boolean);
  EXPECT_EQ(again["policy"].string, "local-wins");
  EXPECT_EQ(again["recovery_snapshot"]["path"].string, snapshot_);
  EXPECT_EQ(State(live_), after);
  // A different policy cannot replay a done transaction either.
  JournalJson({"replay", snapshot_, live_, "--policy", "server-wins"});
  EXPECT_EQ(State(live_), after);
}

TEST_F(ReplayCli, ProgressBarOnlyWhenStderrIsATerminalAndNotJson) {
  ProcessResult r = RunWithTerminalStderr(
      {JOURNAL_CLI_PATH, "replay", snapshot_, live_, "--policy", "local-wins", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "[##############################] 100%  6/6  ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "/s  ETA 0:00  lsn 6")) << "rate and ETA: " << r.err;
  // Erased at the end: the summary goes to stdout, the terminal line is clean.
  EXPECT_TRUE(r.err.ends_with("\r\x1b[K")) << r.err;
  EXPECT_TRUE(Contains(r.out, "transactions: 6 applied")) << r.out;

  ProcessResult j = RunWithTerminalStderr({JOURNAL_CLI_PATH, "replay", snapshot_, live_, "--policy",
                                           "local-wins", "--dry-run", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(j.err, "");
}

TEST_F(ReplayCli, ServerWinsKeepsTheServersConflictingValues) {
  Json j = JournalJson({"replay", snapshot_, live_, "--policy", "server-wins"});
  const Json& rep = j["report"];
  // lsn 1 and lsn 6 conflict (skipped); lsn 2 applies, since the server's
  // title is still "milk", its base; lsn 5 is clean once lsn 4 created u1.
  EXPECT_EQ(rep["transactions"]["applied"].number, "4");
  EXPECT_EQ(rep["transactions"]["skipped"].number, "2");
  EXPECT_EQ(rep["ops"]["skipped"].number, "2");
  EXPECT_TRUE(rep["complete"].boolean);
  EXPECT_FALSE(rep["aborted"].boolean);
  EXPECT_EQ(State(live_), "t1  done=true title=\"bread\"\nt2  views=1\n--\nu1  name=\"bob\"\n");
}

TEST_F(ReplayCli, CleanOnlyStopsAtTheFirstConflictWithExitOneAndSaysHowToGoOn) {
  ProcessResult r = Journal({"replay", snapshot_, live_, "--policy", "clean-only"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.out, "stopped at lsn 1: transaction lsn 1 is conflict")) << r.out;
  EXPECT_TRUE(r.err.starts_with("journal: failed precondition: replay stopped at lsn 1")) << r.err;
  EXPECT_TRUE(Contains(r.err, "--interactive")) << r.err;
  EXPECT_TRUE(Contains(r.err, "--only 1")) << r.err;
  EXPECT_EQ(State(live_), server_state_);

  Json err = JournalJson({"replay", snapshot_, live_, "--policy", "clean-only"}, 1);
  EXPECT_EQ(err["error"]["code"].string, "failed_precondition");
  EXPECT_TRUE(Contains(err["error"]["message"].string, "replay stopped at lsn 1"));
  // The report of what was done before the stop comes with the error.
  EXPECT_TRUE(err["report"]["aborted"].boolean);
  EXPECT_EQ(err["report"]["aborted_at"].number, "1");
  EXPECT_TRUE(Contains(err["report"]["abort_reason"].string, "clean-only stops here"));
  EXPECT_EQ(err["report"]["transactions"]["applied"].number, "0");
  EXPECT_FALSE(err["report"]["complete"].boolean);

  // Clean transactions before a stop stay done: 3-5 are clean, 6 is not.
  ProcessResult part =
      Journal({"replay", snapshot_, live_, "--policy", "clean-only", "--only", "3-6"});
  EXPECT_EQ(part.exit_code, 1);
  EXPECT_TRUE(Contains(part.out, "transactions: 3 applied")) << part.out;
  EXPECT_TRUE(Contains(part.err, "replay stopped at lsn 6")) << part.err;
  EXPECT_EQ(State(live_), "t1  done=true title=\"milk\"\nt2  views=1\n--\nu1  name=\"bob\"\n");
}

TEST_F(ReplayCli, DryRunWritesNothing) {
  ProcessResult r = Journal({"replay", snapshot_, live_, "--policy", "local-wins", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("dry run: replay of")) << r.out;
  EXPECT_TRUE(Contains(r.out, "transactions: 6 applied")) << r.out;
  EXPECT_TRUE(Contains(r.out, "dry run: nothing was written")) << r.out;
  EXPECT_EQ(State(live_), server_state_);
  Json j = JournalJson({"replay", snapshot_, live_, "--policy", "local-wins", "--dry-run"});
  EXPECT_TRUE(j["dry_run"].boolean);
  EXPECT_FALSE(j["report"]["complete"].boolean);
  // Nothing was marked done either: the real run applies all six.
  Json real = JournalJson({"replay", snapshot_, live_, "--policy", "local-wins"});
  EXPECT_EQ(real["report"]["transactions"]["applied"].number, "6");
}

TEST_F(ReplayCli, OnlyReplaysTheSelectedTransactionsAndLeavesTheRestNotDone) {
  Json range = JournalJson({"replay", snapshot_, live_, "--policy", "local-wins", "--only", "3-4"});
  EXPECT_EQ(range["only"].string, "3-4");
  EXPECT_EQ(range["report"]["transactions"]["applied"].number, "2");
  EXPECT_EQ(range["report"]["transactions"]["filtered"].number, "4");
  EXPECT_FALSE(range["report"]["complete"].boolean);
  EXPECT_EQ(State(live_), "t1  done=true title=\"milk\"\nt2  views=1\n--\nu1  name=\"ann\"\n");

  ProcessResult users =
      Journal({"replay", snapshot_, live_, "--policy", "local-wins", "--only", "users"});
  ASSERT_EQ(users.exit_code, 0) << users.err;
  EXPECT_TRUE(Contains(users.out, "transactions: 1 applied, 0 skipped, 2 already done, 3 filtered"))
      << users.out;
  EXPECT_TRUE(Contains(users.out, "3 transactions are left for a later replay")) << users.out;

  Json rest = JournalJson({"replay", snapshot_, live_, "--policy", "server-wins"});
  EXPECT_EQ(rest["report"]["transactions"]["already_done"].number, "3");
  EXPECT_TRUE(rest["report"]["complete"].boolean);

  ProcessResult bad =
      Journal({"replay", snapshot_, live_, "--policy", "local-wins", "--only", "5-2"});
  EXPECT_EQ(bad.exit_code, 2);
}

TEST_F(ReplayCli, InteractiveEditsSkipsAndQuitsAndARerunResumes) {
  // lsn 1: a bad answer, then edit (a bad line, then an empty list: asked
  // again), edit again with fields; lsn 2: skip; 3-5 clean without asking;
  // lsn 6 (erase-object): edit is refused, then quit.
  ProcessResult r =
      Interactive(live_, "x\ne\nnot-an-assignment\n\ne\ntitle=oat milk\nprio=2\n\ns\ne\nq\n");
  EXPECT_EQ(r.exit_code, 4) << "a quit is not an error: " << r.err;
  EXPECT_TRUE(Contains(r.err, "lsn 1  ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "    done: absent (no object) -> false (server: true) [conflict]\n"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "    title: absent (no object) -> \"milk\" (server: \"milk\") [same]\n"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "unknown answer x; the answers are:\n  a, apply")) << r.err;
  EXPECT_TRUE(Contains(r.err, "line refused: expected FIELD=VALUE")) << r.err;
  EXPECT_TRUE(Contains(r.err, "no fields given: the op is unchanged")) << r.err;
  EXPECT_TRUE(Contains(r.err, "edited: upsert tasks/t1 prio=2 title=\"oat milk\"")) << r.err;
  EXPECT_TRUE(Contains(r.err, "lsn 3: clean, applied without asking")) << r.err;
  EXPECT_TRUE(Contains(r.err, "only an upsert can be edited")) << r.err;
  EXPECT_FALSE(Contains(r.err, "failed precondition")) << r.err;
  EXPECT_TRUE(Contains(r.err, "journal: replay quit at lsn 6; what was decided before it stays "
                              "done. To continue, rerun journal replay"))
      << r.err;
  EXPECT_TRUE(r.out.starts_with("replay of recovery snapshot ")) << "header first: " << r.out;
  EXPECT_TRUE(Contains(r.out, "transactions: 4 applied, 1 skipped, 0 already done")) << r.out;
  EXPECT_EQ(State(live_),
            "t1  done=true prio=2 title=\"oat milk\"\nt2  views=1\n--\nu1  name=\"bob\"\n");

  // End of input is a quit too; nothing changes.
  ProcessResult eof = Interactive(live_, "", {"--json"});
  EXPECT_EQ(eof.exit_code, 4);
  EXPECT_TRUE(Contains(eof.err, "end of input: quitting")) << eof.err;
  std::string parse_error;
  Json j = testing::ParseJson(eof.out, &parse_error).value_or(Json{});
  EXPECT_TRUE(j["quit"].boolean) << eof.out;
  EXPECT_FALSE(j.has("error")) << eof.out;
  EXPECT_EQ(j["report"]["transactions"]["already_done"].number, "5") << eof.out;
  EXPECT_EQ(j["report"]["aborted_at"].number, "6") << eof.out;

  // The rerun asks only about lsn 6; apply erases t1.
  ProcessResult done = Interactive(live_, "a\n");
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_FALSE(Contains(done.err, "lsn 1  ")) << done.err;
  EXPECT_TRUE(Contains(done.err, "[6/6] lsn 6 op 1/1 [conflict]")) << done.err;
  EXPECT_TRUE(Contains(done.out, "complete: every diverged transaction is done")) << done.out;
  EXPECT_EQ(State(live_), "t2  views=1\n--\nu1  name=\"bob\"\n");
}

TEST_F(ReplayCli, InteractiveHelpKeepsGoodEditLinesAndSkipAllTakesTheRestOfAClass) {
  // ? lists the keys; in the edit a bad line is refused alone, the lines
  // around it are kept; at lsn 2 (a conflict once lsn 1 set the title)
  // skip-all conflict also skips lsn 6 without asking.
  ProcessResult r = Interactive(
      live_, "?\ne\ntitle=oat milk\nbad line\nprio=2\n\nS conflict\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "[1/6] lsn 1 op 1/1 [conflict] upsert tasks/t1")) << r.err;
  EXPECT_TRUE(Contains(r.err, "  A, apply-all [CLASS]")) << r.err;
  EXPECT_TRUE(Contains(r.err, "  ?, h, help")) << r.err;
  EXPECT_TRUE(Contains(r.err, "line refused: expected FIELD=VALUE or FIELD:=STRING, got \"bad "
                              "line\"; type it again (1 field kept so far)"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "edited: upsert tasks/t1 prio=2 title=\"oat milk\"")) << r.err;
  EXPECT_TRUE(Contains(r.err, "lsn 6 op 1/1 [conflict] erase-object tasks/t1: skipped (skip-all)"))
      << r.err;
  EXPECT_TRUE(Contains(r.out, "complete: every diverged transaction is done")) << r.out;
  EXPECT_EQ(State(live_),
            "t1  done=true prio=2 title=\"oat milk\"\nt2  views=1\n--\nu1  name=\"bob\"\n");
}

TEST_F(ReplayCli, InteractiveApplyAllOfOneClassStillAsksAboutTheOthers) {
  // Only lsn 5-6: u1 does not exist in DB (lsn 4 is not replayed), so
  // lsn 5 is gone; lsn 6 erases t1, which the server changed: conflict.
  ProcessResult r = Interactive(live_, "A gone\nq\n", {"--only", "5-6"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(Contains(r.err, "(the server deleted users/u1: local-wins recreates it with only "
                              "the fields this op writes, server-wins skips the op)"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "lsn 6 op 1/1 [conflict] erase-object tasks/t1: a, s, A, S, d, q or ?"))
      << r.err;
  EXPECT_EQ(State(live_), "t1  done=true title=\"milk\"\n--\nu1  name=\"bob\"\n");
  // A class that is never asked about is refused, and asked again.
  ProcessResult bad = Interactive(live_, "A clean\ns\n", {"--only", "6"});
  ASSERT_EQ(bad.exit_code, 0) << bad.err;
  EXPECT_TRUE(Contains(bad.err, "A takes no class or one of conflict, gone; got clean")) << bad.err;
}

TEST_F(ReplayCli, ValuesTheServerAlreadyHoldsAreSameAndAppliedWithoutAsking) {
  // The server already has lsn 1's values: nothing to decide there.
  Ok({"put", live_, "tasks", "t1", "done=false"});
  ProcessResult diff = Journal({"diff", snapshot_, live_, "--only", "1"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_TRUE(Contains(diff.out, "    done: absent (no object) -> false (server: false) [same]\n"))
      << diff.out;
  EXPECT_TRUE(Contains(diff.out, "1 transaction (0 clean, 1 same, 0 conflict, 0 gone)")) << diff.out;
  // No answer is given: any question would read end of input and quit.
  // lsn 2 applies the title lsn 6's erase then finds as its base: all clean.
  ProcessResult r = Interactive(live_, "");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "lsn 1: same, applied without asking")) << r.err;
  EXPECT_TRUE(Contains(r.out, "complete: every diverged transaction is done")) << r.out;
  EXPECT_EQ(State(live_), "t2  views=1\n--\nu1  name=\"bob\"\n");
}

TEST_F(ReplayCli, DiffMarksTheTransactionsAReplayDid) {
  ASSERT_EQ(Journal({"replay", snapshot_, live_, "--policy", "local-wins", "--only", "1-2"}).exit_code,
            0);
  ProcessResult diff = Journal({"diff", snapshot_, live_});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_TRUE(Contains(diff.out, "  [same, done]\n")) << diff.out;
  EXPECT_TRUE(Contains(diff.out, "; 2 done\n")) << diff.out;
  Json j = JournalJson({"diff", snapshot_, live_});
  ASSERT_EQ(j["transactions"].items.size(), 6u);
  EXPECT_TRUE(j["transactions"].items[0]["done"].boolean);
  EXPECT_TRUE(j["transactions"].items[1]["done"].boolean);
  EXPECT_FALSE(j["transactions"].items[2]["done"].boolean);
  EXPECT_EQ(j["summary"]["done"].number, "2");
}

TEST_F(ReplayCli, InteractiveApplyAllIsLocalWinsAndTakesJson) {
  ProcessResult r = Interactive(live_, "a\na\na\n", {"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string error;
  std::optional<Json> j = testing::ParseJson(r.out, &error);
  ASSERT_TRUE(j.has_value()) << error << r.out;
  EXPECT_EQ((*j)["policy"].string, "interactive");
  EXPECT_EQ((*j)["report"]["ops"]["applied"].number, "6");
  EXPECT_EQ(State(live_), "t2  views=1\n--\nu1  name=\"bob\"\n");
}

// docs/merge-semantics.md rule 5: the server made views a string, so lsn 3's
// increment cannot apply. It is left out and listed, with its reason; the
// replay goes on with the rest and completes.
TEST_F(ReplayCli, AnIncrementThatCannotApplyIsLeftOutListedAndTheRestApplied) {
  Ok({"put", live_, "tasks", "t2", "views:=many"});
  Json plan = JournalJson({"replay", snapshot_, live_, "--policy", "local-wins", "--dry-run"});
  ASSERT_EQ(plan["report"]["not_applicable"].items.size(), 1u);
  EXPECT_EQ(plan["report"]["not_applicable"].items[0]["lsn"].number, "3");
  EXPECT_EQ(plan["report"]["not_applicable"].items[0]["op"].number, "0");
  EXPECT_TRUE(Contains(plan["report"]["not_applicable"].items[0]["reason"].string,
                       "cannot increment tasks/\"t2\".views: the field holds a string value"));
  EXPECT_EQ(plan["report"]["ops"]["not_applicable"].number, "1");

  ProcessResult r = Journal({"replay", snapshot_, live_, "--policy", "local-wins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "transactions: 5 applied, 1 skipped, 0 already done")) << r.out;
  EXPECT_TRUE(Contains(r.out,
                       "ops: 5 applied, 0 skipped, 1 not applicable\n"
                       "  lsn 3 op 0: cannot increment tasks/\"t2\".views: the field holds a "
                       "string value, not int64\n"
                       "complete: every diverged transaction is done\n"))
      << r.out;
  EXPECT_EQ(State(live_), "t2  views=\"many\"\n--\nu1  name=\"bob\"\n");
  Json again = JournalJson({"replay", snapshot_, live_, "--policy", "local-wins"});
  EXPECT_EQ(again["report"]["transactions"]["already_done"].number, "6");
}

TEST_F(ReplayCli, GcWithoutSnapshotsRemovesNothing) {
  ProcessResult r = Journal({"gc", live_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "gc: 0 removed, 0 kept in " + live_ + ".recovery\n");
  EXPECT_FALSE(fs::exists(live_ + ".recovery"));
}

TEST_F(ReplayCli, BadInputs) {
  EXPECT_EQ(Journal({"replay", snapshot_, live_}).exit_code, 2);
  EXPECT_EQ(Journal({"replay", snapshot_, live_, "--policy", "mine-wins"}).exit_code, 2);
  EXPECT_EQ(
      Journal({"replay", snapshot_, live_, "--policy", "local-wins", "--interactive"}).exit_code,
      2);
  Json usage = JournalJson({"replay", snapshot_, live_, "--policy", "mine-wins"}, 2);
  EXPECT_EQ(usage["error"]["code"].string, "usage");

  const std::string missing = dir_.Sub("missing.db");
  ProcessResult no_db = Journal({"replay", snapshot_, missing, "--policy", "local-wins"});
  EXPECT_EQ(no_db.exit_code, 1);
  EXPECT_TRUE(Contains(no_db.err, "no database at")) << no_db.err;
  EXPECT_FALSE(fs::exists(missing));

  ProcessResult no_snap = Journal({"replay", dir_.Sub("nothing"), live_, "--policy", "local-wins"});
  EXPECT_EQ(no_snap.exit_code, 1);

  // A manifest that reads fine but whose bytes were changed.
  std::string manifest = ReadAll(snapshot_ + "/MANIFEST");
  manifest[manifest.size() / 2] ^= 0x20;
  std::ofstream(snapshot_ + "/MANIFEST", std::ios::binary | std::ios::trunc) << manifest;
  ProcessResult tampered = Journal({"replay", snapshot_, live_, "--policy", "local-wins"});
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_TRUE(Contains(tampered.err, snapshot_)) << tampered.err;
  EXPECT_TRUE(Contains(tampered.err, "corruption")) << tampered.err;
  EXPECT_EQ(State(live_), server_state_);
  // gc refuses to remove anything while a manifest is damaged.
  EXPECT_EQ(Journal({"gc", live_, "--recovery-root", root_, "--keep", "0"}).exit_code, 1);
  EXPECT_TRUE(fs::exists(snapshot_));
}

TEST_F(ReplayCli, GcRemovesOnlyFullyReplayedSnapshotsAndTmpLeftoversAndHonoursKeep) {
  // Three snapshots: the first two fully replayed, the third not.
  Ok({"put", local_, "tasks", "t3", "x=1"});
  std::string second = JournalJson({"snapshot", local_})["recovery_snapshot"]["path"].string;
  Ok({"put", local_, "tasks", "t4", "x=1"});
  std::string third = JournalJson({"snapshot", local_})["recovery_snapshot"]["path"].string;
  ASSERT_FALSE(second.empty());
  ASSERT_FALSE(third.empty());
  Ok({"replay", snapshot_, live_, "--policy", "local-wins"});
  Ok({"replay", second, live_, "--policy", "local-wins"});
  // Partly replayed: not fully replayed.
  Ok({"replay", third, live_, "--policy", "local-wins", "--only", "1-7"});
  const std::string leftover = root_ + "/20260101T000000Z-deadbeef.tmp";
  fs::create_directories(leftover + "/db");

  const std::vector<std::string> gc = {"gc", live_, "--recovery-root", root_};
  std::vector<std::string> dry = gc;
  dry.insert(dry.end(), {"--keep", "0", "--dry-run"});
  ProcessResult d = Journal(dry);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_TRUE(Contains(d.out, "would remove " + snapshot_ + " (fully replayed)")) << d.out;
  EXPECT_TRUE(Contains(d.out, "would remove " + leftover + " (incomplete)")) << d.out;
  EXPECT_TRUE(Contains(d.out, "kept " + third + " (not fully replayed)")) << d.out;
  EXPECT_TRUE(fs::exists(snapshot_) && fs::exists(second) && fs::exists(leftover));

  // Default --keep 1: the newest fully replayed one (second) stays.
  ProcessResult r = Journal(gc);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "removed " + leftover + " (incomplete)\n" + "removed " + snapshot_ +
                       " (fully replayed)\n" + "kept " + second + " (fully replayed)\n" + "kept " +
                       third + " (not fully replayed)\n" + "gc: 2 removed, 2 kept in " + root_ +
                       "\n");
  EXPECT_FALSE(fs::exists(snapshot_));
  EXPECT_FALSE(fs::exists(leftover));
  EXPECT_FALSE(fs::exists(snapshot_ + ".tmp"));
  EXPECT_TRUE(fs::exists(second));

  std::vector<std::string> keep0 = gc;
  keep0.insert(keep0.end(), {"--keep", "0"});
  Json j = JournalJson(keep0);
  EXPECT_EQ(j["removed"].number, "1");
  ASSERT_EQ(j["entries"].items.size(), 2u);
  EXPECT_EQ(j["entries"][0]["path"].string, second);
  EXPECT_EQ(j["entries"][0]["action"].string, "removed");
  EXPECT_EQ(j["entries"][1]["action"].string, "kept");
  EXPECT_FALSE(fs::exists(second));
  EXPECT_TRUE(fs::exists(third + "/MANIFEST"));

  // Replaying the rest makes the third removable.
  Ok({"replay", third, live_, "--policy", "local-wins"});
  Json last = JournalJson(keep0);
  EXPECT_EQ(last["removed"].number, "1");
  EXPECT_FALSE(fs::exists(third));

  std::vector<std::string> bad_keep = gc;
  bad_keep.insert(bad_keep.end(), {"--keep", "-1"});
  EXPECT_EQ(Journal(bad_keep).exit_code, 2);
  EXPECT_EQ(Journal({"gc", dir_.Sub("missing.db")}).exit_code, 1);
}

}  // namespace
}  // namespace journaldb
