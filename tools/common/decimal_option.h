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
#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "journaldb/journal/util/parse_number.h"

namespace journaldb::tools {

// The whole of `text` as a decimal T, by the journal's number rules
// (journaldb/journal/util/parse_number.h: no whitespace, base prefix or '+';
// a '-' only for signed T), or nullopt, also when T cannot hold it.
template <std::integral T>
std::optional<T> ParseDecimal(std::string_view text) {
  if constexpr (std::is_signed_v<T>) {
    if (!text.empty() && text.front() == '+') return std::nullopt;
    Result<int64_t> v = util::ParseInt64(text);
    if (!v.ok() || !std::in_range<T>(*v)) return std::nullopt;
    return static_cast<T>(*v);
  } else {
    Result<uint64_t> v = util::ParseUint64(text);
    if (!v.ok() || !std::in_range<T>(*v)) return std::nullopt;
    return static_cast<T>(*v);
  }
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
