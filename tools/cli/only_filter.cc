#include "only_filter.h"

#include <fmt/format.h>

#include <algorithm>

#include "journaldb/journal/util/parse_number.h"
#include "names.h"

namespace journaldb::cli {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

}  // namespace

Result<OnlyFilter> ParseOnlyFilter(std::string_view text) {
  if (text.empty())
    return Status::InvalidArgument("--only needs an lsn, an lsn range (5-9) or a collection");
  OnlyFilter f;
  // Digits and dashes only is meant as lsns, so a typo (5-, 5--9) is an
  // error rather than a collection that matches nothing.
  if (!std::all_of(text.begin(), text.end(), [](char c) { return IsDigit(c) || c == '-'; })) {
    if (Status s = CheckNames(text); !s.ok())
      return Status::InvalidArgument(fmt::format("--only: {}", s.message()));
    f.collection = std::string(text);
    return f;
  }
  size_t dash = text.find('-');
  std::string_view first = text.substr(0, dash);
  std::string_view last = dash == std::string_view::npos ? first : text.substr(dash + 1);
  if (!AllDigits(first) || !AllDigits(last))
    return Status::InvalidArgument(
        fmt::format("--only {}: an lsn range is N or N-M (5-9, or 7)", text));
  Result<uint64_t> a = util::ParseUint64(first);
  Result<uint64_t> b = util::ParseUint64(last);
  if (!a.ok() || !b.ok() || *a == 0 || *b == 0)
    return Status::InvalidArgument(
        fmt::format("--only {}: lsns are numbers from 1 to 18446744073709551615", text));
  if (*b < *a)
    return Status::InvalidArgument(
        fmt::format("--only {}: the range ends before it starts (write {}-{})", text, *b, *a));
  f.first_lsn = *a;
  f.last_lsn = *b;
  return f;
}

}  // namespace journaldb::cli
