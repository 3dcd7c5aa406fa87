#include "progress_bar.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace journaldb::cli {

namespace {
constexpr uint64_t kCells = 30;
// Carriage return, then "erase to end of line" (ANSI EL).
constexpr std::string_view kEraseLine = "\r\x1b[K";

uint64_t Percent(uint64_t done, uint64_t total) {
  return total == 0 ? 100 : std::min<uint64_t>(100, done * 100 / total);
}
}  // namespace

std::string FormatDuration(uint64_t seconds) {
  if (seconds >= 3600)
    return fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  return fmt::format("{}:{:02}", seconds / 60, seconds % 60);
}

std::string FormatProgress(uint64_t done, uint64_t total, double elapsed_seconds,
                           std::string_view note) {
  uint64_t percent = Percent(done, total);
  uint64_t filled = percent * kCells / 100;
  std::string bar(filled, '#');
  bar.append(kCells - filled, '-');
  std::string rate;
  if (done > 0 && elapsed_seconds > 0) {
    const double per_second = static_cast<double>(done) / elapsed_seconds;
    const double left = total > done ? static_cast<double>(total - done) / per_second : 0;
    rate = fmt::format("{:.{}f}/s  ETA {}  ", per_second, per_second < 100 ? 1 : 0,
                       FormatDuration(static_cast<uint64_t>(std::ceil(left))));
  }
  return fmt::format("[{}] {:>3}%  {}/{}  {}{}", bar, percent, done, total, rate, note);
}

void ProgressBar::Update(uint64_t done, uint64_t total, std::string_view note) {
  // Redraw on a new percentage, at the end, and once a second for the rate.
  const auto now = std::chrono::steady_clock::now();
  const uint64_t percent = Percent(done, total);
  if (!shown_.empty() && percent == shown_percent_ && done != total &&
      now - shown_at_ < std::chrono::seconds(1))
    return;
  shown_percent_ = percent;
  shown_at_ = now;
  shown_ = FormatProgress(done, total, std::chrono::duration<double>(now - start_).count(), note);
  out_ << kEraseLine << shown_ << std::flush;
}

void ProgressBar::Finish() {
  if (shown_.empty()) return;
  out_ << kEraseLine << std::flush;
  shown_.clear();
}

}  // namespace journaldb::cli
