// Text helpers shared by the display forms, error messages and the JSON
// writer (json_writer.h). Internal: visible to journaldb components at build
// time, not installed.
#ifndef JOURNALDB_JOURNAL_TEXT_H_
#define JOURNALDB_JOURNAL_TEXT_H_

#include <string>
#include <string_view>

#include "journaldb/value.h"

namespace journaldb::text {

// Whether `s` is well-formed UTF-8 (the Unicode standard's Table 3-7: no
// overlong forms, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// A JSON string literal (with quotes) for arbitrary bytes, for people: error
// messages and the human display of names. Invalid UTF-8 bytes are escaped as
// \u00XX of the byte so the text is always valid, which a JSON reader cannot
// tell from the character U+00XX: data goes through JsonString instead.
std::string JsonQuote(std::string_view s);

// Stored bytes as JSON, losslessly: JsonQuote(s) if `s` is valid UTF-8,
// otherwise {"base64":"<base64 of s>"} (docs/cli.md, "JSON output").
std::string JsonString(std::string_view s);

// RFC 4648 base64 with padding.
std::string Base64(std::string_view bytes);

// A JSON value: null, true, 42, 1.5, strings as JsonString; bytes as
// {"bytes":"<base64>"}; non-finite doubles as {"double":"nan"|"inf"|"-inf"}.
std::string ValueToJson(const Value& v);

// Printable form of a primary key or name for error messages: JSON-quoted.
inline std::string Quoted(std::string_view s) { return JsonQuote(s); }

}  // namespace journaldb::text

#endif  // JOURNALDB_JOURNAL_TEXT_H_
