// Numbers from text (command lines, environment variables, configuration):
// the whole text or an error, never a silent prefix, wrap-around or clamp.
//
//   Result<uint64_t> lsn = util::ParseUint64(arg);
//   if (!lsn.ok()) return lsn.status();  // names the text and what is wrong
//
// The rules, the same for every caller: decimal digits only (no base prefix,
// no leading or trailing whitespace, no thousands separators); an empty text
// is an error. Errors are invalid-argument.
// Thread safety: pure functions.
#ifndef JOURNALDB_JOURNAL_UTIL_PARSE_NUMBER_H_
#define JOURNALDB_JOURNAL_UTIL_PARSE_NUMBER_H_

#include <cstdint>
#include <string_view>

#include "journaldb/status.h"

namespace journaldb::util {

// An unsigned decimal: no sign at all ("-1" and "+1" are errors, so a negative
// number never wraps around to a huge one). Above 2^64-1 is an error.
Result<uint64_t> ParseUint64(std::string_view text);

// A signed decimal with an optional leading '+' or '-' ("+5" reads as a
// delta); outside int64 is an error.
Result<int64_t> ParseInt64(std::string_view text);

// A finite double in decimal or exponent form ("1.5", "-2", "1e3"), with an
// optional leading '-'. "nan", "inf", hexadecimal, a value that overflows and
// a nonzero value that underflows to zero are errors.
Result<double> ParseDouble(std::string_view text);

}  // namespace journaldb::util

#endif  // JOURNALDB_JOURNAL_UTIL_PARSE_NUMBER_H_
