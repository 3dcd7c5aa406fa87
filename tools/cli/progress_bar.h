// ProgressBar: a one-line progress display redrawn in place on a terminal
// (`journal replay` shows one on stderr when stderr is a terminal).
//
//   ProgressBar bar(std::cerr);
//   bar.Update(done, total, "lsn 42");   // [#####-----]  50%  3/6  lsn 42
//   bar.Finish();                         // erases the line
//
// Redraws only when the percentage changes, so a long replay does not flood
// the terminal. Thread safety: not thread-safe; one bar per command run.
#ifndef JOURNALDB_TOOLS_CLI_PROGRESS_BAR_H_
#define JOURNALDB_TOOLS_CLI_PROGRESS_BAR_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace journaldb::cli {

// The bar's text for `done` of `total` (total 0 shows as complete):
// `[####------]  40%  4/10  NOTE`, 30 cells wide.
std::string FormatProgress(uint64_t done, uint64_t total, std::string_view note);

class ProgressBar {
 public:
  explicit ProgressBar(std::ostream& out) : out_(out) {}
  void Update(uint64_t done, uint64_t total, std::string_view note);
  // Erases the bar, so the summary that follows starts on a clean line.
  void Finish();

 private:
  std::ostream& out_;
  std::string shown_;
  uint64_t shown_percent_ = 0;
};

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_PROGRESS_BAR_H_
