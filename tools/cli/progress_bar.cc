#include "progress_bar.h"

#include <fmt/format.h>

#include <algorithm>

namespace journaldb::cli {

namespace {
constexpr uint64_t kCells = 30;
// Carriage return, then "erase to end of line" (ANSI EL).
constexpr std::string_view kEraseLine = "\r\x1b[K";
}  // namespace

std::string FormatProgress(uint64_t done, uint64_t total, std::string_view note) {
  uint64_t percent = total == 0 ? 100 : std::min<uint64_t>(100, done * 100 / total);
  uint64_t filled = percent * kCells / 100;
  std::string bar(filled, '#');
  bar.append(kCells - filled, '-');
  return fmt::format("[{}] {:>3}%  {}/{}  {}", bar, percent, done, total, note);
}

void ProgressBar::Update(uint64_t done, uint64_t total, std::string_view note) {
  // Redraw on a new percentage (and at the end), not per transaction.
  uint64_t percent = total == 0 ? 100 : std::min<uint64_t>(100, done * 100 / total);
  if (!shown_.empty() && percent == shown_percent_ && done != total) return;
  shown_percent_ = percent;
  shown_ = FormatProgress(done, total, note);
  out_ << kEraseLine << shown_ << std::flush;
}

void ProgressBar::Finish() {
  if (shown_.empty()) return;
  out_ << kEraseLine << std::flush;
  shown_.clear();
}

}  // namespace journaldb::cli
