// Value syntax of the `journal` command line: how `FIELD=VALUE` arguments
// become typed field values (docs/cli.md, "Value syntax").
//
//   Result<FieldAssignment> a = ParseFieldAssignment("views=42");  // int64 42
//   Result<FieldAssignment> s = ParseFieldAssignment("zip:=01234"); // string
//
// The typed reading follows JSON literals, so what `journal get --json` prints
// for a value reads back as the same type:
//   null, true, false               -> null, bool
//   -?(0|[1-9][0-9]*)               -> int64 (out of range: an error)
//   the same with .fraction and/or
//   an e/E exponent (1.5, 1e3)      -> double (overflow/underflow: an error)
//   anything else (+1, 007, nan,
//   Infinity, 0x10, "", " 42")      -> the string, unchanged
// `FIELD:=TEXT` always stores TEXT as a string. `FIELD=@FILE` takes the
// value from FILE (`FIELD=@-`: from stdin): its bytes, unchanged, as a string
// (value_file.h reads them); `FIELD:=@TEXT` is the text `@TEXT`.
//
// Thread safety: pure functions.
#ifndef JOURNALDB_TOOLS_CLI_VALUE_SYNTAX_H_
#define JOURNALDB_TOOLS_CLI_VALUE_SYNTAX_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journaldb/object.h"
#include "journaldb/status.h"
#include "journaldb/value.h"

namespace journaldb::cli {

struct FieldAssignment {
  std::string field;
  Value value;
  // FIELD=@FILE: the value is still to be read from FILE ("-": stdin);
  // `value` is null until then.
  std::optional<std::string> file;
};

// Reads the value of a FIELD=@FILE assignment (value_file.h's ReadValueFile).
using ValueFileReader = std::function<Result<Value>(std::string_view file)>;

// The typed reading of VALUE (table above). Invalid-argument only for a
// number literal that int64 or double cannot hold: storing it as a string
// would silently change the type the user asked for.
Result<Value> ParseTypedValue(std::string_view text);

// Splits `FIELD=VALUE` at the first '='; `FIELD:=TEXT` (a ':' right before
// that '=') forces a string. Invalid-argument if there is no '=' or the field
// name is empty, or for `FIELD=@` without a file name. A field name
// therefore cannot contain '=' or end in ':'.
Result<FieldAssignment> ParseFieldAssignment(std::string_view arg);

// A VALUE argument on its own (the list commands' element values): typed as
// above, `@FILE` and `@-` read with `read_file`'s errors; with `as_string`
// (their --string, put's `:=`) TEXT unchanged. Invalid-argument for a number
// literal int64 or double cannot hold (pointing at --string) and for a lone
// `@`.
Result<Value> ParseValueArgument(std::string_view text, bool as_string,
                                 const ValueFileReader& read_file);

// All assignments of one `put` as a field map, each FIELD=@FILE read with
// `read_file`'s errors; a field given twice, or stdin (`@-`) named twice, is
// an invalid argument.
Result<FieldMap> ParseFieldAssignments(const std::vector<std::string>& args,
                                       const ValueFileReader& read_file);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_VALUE_SYNTAX_H_
