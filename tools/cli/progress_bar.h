// ProgressBar: a one-line progress display redrawn in place on a terminal
// (`journal replay` shows one on stderr when stderr is a terminal).
//
//   ProgressBar bar(std::cerr);
//   bar.Update(done, total, "lsn 42");   // [###---]  50%  3/6  1.5/s  ETA 0:02  lsn 42
//   bar.Finish();                         // erases the line
//
// Redraws when the percentage changes and at most once a second otherwise,
// so a long replay does not flood the terminal and its rate and ETA stay
// fresh. Thread safety: not thread-safe; one bar per command run.
#ifndef JOURNALDB_TOOLS_CLI_PROGRESS_BAR_H_
#define JOURNALDB_TOOLS_CLI_PROGRESS_BAR_H_

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace journaldb::cli {

// The bar's text for `done` of `total` after `elapsed_seconds` (total 0
// shows as complete), 30 cells wide:
// `[####------]  40%  4/10  2.0/s  ETA 0:03  NOTE`. Rate and ETA are left
// out until something is done and time has passed.
std::string FormatProgress(uint64_t done, uint64_t total, double elapsed_seconds,
                           std::string_view note);

// Seconds as `M:SS`, or `H:MM:SS` from an hour on.
std::string FormatDuration(uint64_t seconds);

class ProgressBar {
 public:
  explicit ProgressBar(std::ostream& out)
      : out_(out), start_(std::chrono::steady_clock::now()) {}
  void Update(uint64_t done, uint64_t total, std::string_view note);
  // Erases the bar, so the summary that follows starts on a clean line.
  void Finish();

 private:
  std::ostream& out_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point shown_at_;
  std::string shown_;
  uint64_t shown_percent_ = 0;
};

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_PROGRESS_BAR_H_
