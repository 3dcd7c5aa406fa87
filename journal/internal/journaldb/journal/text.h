// Text helpers shared by the display forms and the CLI's JSON output.
// Internal: visible to journaldb components at build time, not installed.
#ifndef JOURNALDB_JOURNAL_TEXT_H_
#define JOURNALDB_JOURNAL_TEXT_H_

#include <string>
#include <string_view>

#include "journaldb/value.h"

namespace journaldb::text {

// A JSON string literal (with quotes) for arbitrary bytes; invalid UTF-8 bytes
// are escaped as \u00XX of the byte so the output is always valid JSON.
std::string JsonQuote(std::string_view s);

std::string Base64(std::string_view bytes);

// A JSON value: null, true, 42, 1.5, "text"; bytes as {"bytes":"<base64>"};
// non-finite doubles as {"double":"nan"|"inf"|"-inf"}.
std::string ValueToJson(const Value& v);

// Printable form of a primary key or name for error messages: JSON-quoted.
inline std::string Quoted(std::string_view s) { return JsonQuote(s); }

}  // namespace journaldb::text

#endif  // JOURNALDB_JOURNAL_TEXT_H_
