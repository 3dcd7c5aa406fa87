#include "journaldb/journal/util/parse_number.h"

#include <fmt/format.h>

#include <charconv>
#include <system_error>

namespace journaldb::util {

namespace {

Status NotA(std::string_view what, std::string_view text) {
  return Status::InvalidArgument(fmt::format("\"{}\" is not {}", text, what));
}

// from_chars reads a prefix and stops; the whole of `number` must be the
// number. `text` is what the caller passed, for the message.
template <typename T>
Result<T> ParseWhole(std::string_view number, std::string_view text, std::string_view what,
                     std::string_view range) {
  T value{};
  const char* last = number.data() + number.size();
  auto [end, ec] = std::from_chars(number.data(), last, value);
  if (ec == std::errc::result_out_of_range && end == last)
    return Status::InvalidArgument(fmt::format("{} is outside the {} range", text, range));
  if (ec != std::errc() || end != last) return NotA(what, text);
  return value;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<uint64_t> ParseUint64(std::string_view text) {
  constexpr std::string_view kWhat = "an unsigned decimal number";
  // from_chars would reject "-1" too, but "+1" and " 1" must fail the same way.
  if (text.empty() || !IsDigit(text.front())) return NotA(kWhat, text);
  return ParseWhole<uint64_t>(text, text, kWhat, "uint64");
}

Result<int64_t> ParseInt64(std::string_view text) {
  constexpr std::string_view kWhat = "a decimal integer";
  // from_chars takes '-' but not '+'; one sign at most.
  const bool plus = !text.empty() && text.front() == '+';
  std::string_view number = plus ? text.substr(1) : text;
  const size_t first = !plus && !number.empty() && number.front() == '-' ? 1 : 0;
  if (number.size() <= first || !IsDigit(number[first])) return NotA(kWhat, text);
  return ParseWhole<int64_t>(number, text, kWhat, "int64");
}

Result<double> ParseDouble(std::string_view text) {
  constexpr std::string_view kWhat = "a finite decimal number";
  const size_t first = !text.empty() && text.front() == '-' ? 1 : 0;
  // A digit or '.' must come first: rules out "nan", "inf" and "infinity",
  // which from_chars accepts, and any whitespace.
  if (text.size() <= first || !(IsDigit(text[first]) || text[first] == '.'))
    return NotA(kWhat, text);
  return ParseWhole<double>(text, text, kWhat, "double");
}

}  // namespace journaldb::util
