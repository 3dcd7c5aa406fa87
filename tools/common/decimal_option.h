// AddDecimalOption: a CLI11 option holding an integer written in decimal,
// within a range. The tools use it for every number on their command lines.
//
//   uint64_t below = 0;
//   AddDecimalOption(trim, "--below", &below, uint64_t{0}, UINT64_MAX);
//
// Why not CLI11's own integer options: CLI11 2.1 reads them with strtoull
// in base 0, so "-5" wraps around to 2^64-5, "010" is octal 8 and an
// overflow saturates silently. An operator's `trim --below -5` must be a
// usage error, not a trim of everything.
//
// Thread safety: the option writes *value while the App parses; REQUIRES:
// `value` outlives the App's parse.
#ifndef JOURNALDB_TOOLS_COMMON_DECIMAL_OPTION_H_
#define JOURNALDB_TOOLS_COMMON_DECIMAL_OPTION_H_

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <concepts>
#include <optional>
#include <string>
#include <string_view>

namespace journaldb::tools {

// The whole of `text` as a decimal T (an optional leading '-' for signed
// T), or nullopt.
template <std::integral T>
std::optional<T> ParseDecimal(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Adds `name` (an option, or a positional if it has no leading dash) that
// stores its value in *value; anything but a decimal in [min, max] is a
// CLI11 validation error naming the option.
template <std::integral T>
CLI::Option* AddDecimalOption(CLI::App* app, const std::string& name, T* value, T min, T max) {
  CLI::Validator in_range(
      [min, max](std::string& text) {
        std::optional<T> v = ParseDecimal<T>(text);
        if (v && *v >= min && *v <= max) return std::string();
        return fmt::format("{} is not a decimal number from {} to {}", text, min, max);
      },
      fmt::format("{}..{}", min, max));
  // CLI11 runs the validator before this callback, so the parse succeeds.
  return app
      ->add_option_function<std::string>(
          name, [value](const std::string& text) { *value = *ParseDecimal<T>(text); })
      ->check(in_range);
}

}  // namespace journaldb::tools

#endif  // JOURNALDB_TOOLS_COMMON_DECIMAL_OPTION_H_
